"""Where read models live: a SQLite file (embedded) or a PostgreSQL schema (production).

SQL in this package is written once with `?` placeholders and portable types; the PostgreSQL
store rewrites the placeholders to `%s`.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol

import psycopg
from psycopg.rows import dict_row
from psycopg.sql import SQL, Identifier
from psycopg_pool import ConnectionPool

from logbog_es.pooling import ping_when_idle

Row = dict[str, Any]
_PLACEHOLDER = re.compile(r"\?")


class Tx(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...
    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...


class ReadStore(Protocol):
    dialect: Literal["sqlite", "postgres"]

    def transaction(self, *, durable: bool = False) -> Any: ...  # context manager yielding a Tx
    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...
    def executescript(self, sql: str) -> None: ...
    def analyze(self) -> None: ...
    def close(self) -> None: ...


class _SQLiteTx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(sql, tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(sql, [tuple(r) for r in rows])

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return [dict(r) for r in self.conn.execute(sql, tuple(params)).fetchall()]


class SQLiteReadStore:
    """Read models in their own SQLite file (the library wants one file per application)."""

    dialect: Literal["sqlite", "postgres"] = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @contextmanager
    def transaction(self, *, durable: bool = False) -> Iterator[_SQLiteTx]:
        """(`durable`: see PostgresReadStore.transaction; SQLite's commits are as configured.)"""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield _SQLiteTx(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        conn = self._connect()
        try:
            return [dict(r) for r in conn.execute(sql, tuple(params)).fetchall()]
        finally:
            conn.close()

    def executescript(self, sql: str) -> None:
        conn = self._connect()
        try:
            conn.executescript(sql)
        finally:
            conn.close()

    def analyze(self) -> None:
        """Refresh the planner's statistics (after a big catch-up)."""
        self.executescript("ANALYZE")

    def close(self) -> None:
        return None


class _PgTx:
    def __init__(self, conn: psycopg.Connection[Row]) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(_pg(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if len(rows) == 1:  # a pipeline's set-up and sync cost more than they save for one
            self.conn.execute(_pg(sql), tuple(rows[0]))
            return
        with self.conn.cursor() as cur:
            cur.executemany(_pg(sql), [tuple(r) for r in rows])

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self.conn.execute(_pg(sql), tuple(params)).fetchall()


@functools.lru_cache(maxsize=1024)  # the read models' statements are a fixed set
def _pg(sql: str) -> bytes:
    return _PLACEHOLDER.sub("%s", sql.replace("%", "%%")).encode()


class PostgresReadStore:
    """Read models in their own schema of the event store's database."""

    dialect: Literal["sqlite", "postgres"] = "postgres"

    def __init__(self, conninfo: str, schema: str, *, pool_size: int = 5) -> None:
        self.schema = schema
        self.conninfo = conninfo
        #: Announced (NOTIFY) in the transaction that moves a read model's position, so a
        #: process waiting to read its own write hears it at commit, not at its next poll.
        self.projected_channel = f"logbog_projected_{schema}"[:63]
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(SQL("CREATE SCHEMA IF NOT EXISTS {}").format(Identifier(schema)))
        self.pool: ConnectionPool[psycopg.Connection[Row]] = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=pool_size,
            # Read models are derived: a crash may lose their last commits (rows and position
            # together, in one transaction) and the runner projects those events again. So
            # their commits need not wait for the disk (the events' commits do; so do those of
            # tables that are not derived: `transaction(durable=True)`).
            kwargs={
                "row_factory": dict_row,
                # Just-in-time compilation cost more than whole read-model queries (40 ms).
                "options": f"-c search_path={schema} -c synchronous_commit=off -c jit=off",
            },
            timeout=3,  # fail fast (503) rather than hang while the database is down
            open=True,
            name=f"read-{schema}",
        )
        ping_when_idle(self.pool)  # heal after a database restart, without a ping per use

    @contextmanager
    def transaction(self, *, durable: bool = False) -> Iterator[_PgTx]:
        """A transaction; its commit does not wait for the disk (read models are derived)
        unless `durable` (data of its own kept here, such as the web sessions)."""
        with self.pool.connection() as conn, conn.transaction():
            if durable:
                conn.execute("SET LOCAL synchronous_commit = on")
            yield _PgTx(conn)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.pool.connection() as conn:
            return conn.execute(_pg(sql), tuple(params)).fetchall()

    def analyze(self) -> None:
        """Refresh the planner's statistics of this schema's tables (after a big catch-up: a
        plan made from the statistics of near-empty tables scanned 50,000 rows per page)."""
        with psycopg.connect(self.conninfo, autocommit=True, row_factory=dict_row) as conn:
            tables = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", (self.schema,)
            ).fetchall()
            for row in tables:
                with contextlib.suppress(psycopg.errors.UndefinedTable):  # dropped meanwhile
                    conn.execute(
                        SQL("ANALYZE {}").format(Identifier(self.schema, row["tablename"]))
                    )

    def executescript(self, sql: str) -> None:
        """Run a script (the read models' DDL) in one transaction. Scripts on one schema take
        turns: two processes starting at once (the API's workers) both ran `CREATE TABLE IF
        NOT EXISTS` on a new table, and PostgreSQL refused the second with a unique violation
        on its catalogue, so a worker died at start."""
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"ddl:{self.schema}",))
            conn.execute(sql.encode())

    def close(self) -> None:
        self.pool.close()

    def listen(self, channels: Sequence[str], heard: Callable[[], None]) -> Listener:
        """Call `heard` whenever one of `channels` is notified (see `Listener`)."""
        listener = Listener(self.conninfo, channels, heard)
        listener.start()
        return listener


class Listener:
    """LISTEN on PostgreSQL channels in a thread of its own, calling `heard()` for each
    notification, and once after every (re)connection: what was notified while the connection
    was down is lost, so whoever listens looks again then. Never raises: while the database is
    unreachable it tries again with backoff, and the pollers it complements go on polling."""

    def __init__(self, conninfo: str, channels: Sequence[str], heard: Callable[[], None]) -> None:
        self.conninfo = conninfo
        self.channels = list(channels)
        self.heard = heard
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pg-listener", daemon=True)
        self.connected = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        backoff = 0.2
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=2) as conn:
                    for channel in self.channels:
                        conn.execute(SQL("LISTEN {}").format(Identifier(channel)))
                    self.connected.set()
                    backoff = 0.2
                    self.heard()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=0.5):
                            self.heard()
            except psycopg.Error:
                self.connected.clear()
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
