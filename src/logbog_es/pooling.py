"""Connection pools that check a connection on check-out only after it was idle a while.

psycopg_pool's `check=ConnectionPool.check_connection` pings on every check-out: a round trip
each, about six per command and two per read model per projection pass. What it guards against
is a connection that died while idle (a database restart, a firewall's timeout); one used a
moment ago is alive, and if the database went away since, the statement fails, the pool
discards the connection and the caller's retry (or the client's, after 503) gets a fresh one.
"""

from __future__ import annotations

import time
from typing import Any
from weakref import WeakKeyDictionary

from psycopg_pool import ConnectionPool

#: A pooled connection idle for longer than this is checked before use (a round trip).
PING_AFTER_IDLE_SECONDS = 1.0


def ping_when_idle(pool: ConnectionPool[Any]) -> None:
    """Check a connection on check-out only when it has been idle for a while (see above).
    Replaces the pool's check and reset callbacks."""
    returned: WeakKeyDictionary[Any, float] = WeakKeyDictionary()  # gone with the connection

    def stamp(conn: Any) -> None:
        returned[conn] = time.monotonic()

    def check(conn: Any) -> None:
        if time.monotonic() - returned.get(conn, 0.0) > PING_AFTER_IDLE_SECONDS:
            ConnectionPool.check_connection(conn)

    # The pool takes these callbacks only when built (the library builds the event store's).
    pool._reset = stamp
    pool._check = check
