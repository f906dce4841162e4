"""Connection pools that check a connection on check-out only after it was idle a while.

psycopg_pool's `check=ConnectionPool.check_connection` pings on every check-out: a round trip
each, about six per command and two per read model per projection pass. What it guards against
is a connection that died while idle (a database restart, a firewall's timeout); one used a
moment ago is alive, and if the database went away since, the statement fails, the pool
discards the connection and the caller's retry (or the client's, after 503) gets a fresh one.
"""

from __future__ import annotations

import math
import time
from typing import Any
from weakref import WeakKeyDictionary

from psycopg_pool import ConnectionPool

#: A pooled connection idle for longer than this is checked before use (a round trip).
PING_AFTER_IDLE_SECONDS = 1.0


def ping_when_idle(pool: ConnectionPool[Any]) -> None:
    """Check a connection on check-out only when it has not been taken for a while (see above).

    Replaces the pool's check callback and takes away its reset callback: with a reset callback
    psycopg_pool hands every returned connection to its maintenance thread (a queue and a
    thread switch per use, about a tenth of a command's CPU). The time is stamped when a
    connection is taken, so a use that lasted long counts as idle time: a ping too many then,
    never one too few."""
    taken: WeakKeyDictionary[Any, float] = WeakKeyDictionary()  # gone with the connection

    def check(conn: Any) -> None:
        now = time.monotonic()
        if now - taken.get(conn, -math.inf) >= PING_AFTER_IDLE_SECONDS:
            ConnectionPool.check_connection(conn)
        taken[conn] = now

    # The pool takes these callbacks only when built (the library builds the event store's).
    pool._reset = None
    pool._check = check
