"""Tamper evidence: a hash chain over the whole event log, written with the events.

Every stored event gets a chain row in the same transaction: the SHA-256 of its stored state
and a link hash over the previous link, its position, stream, version, topic and state hash.
`verify()` recomputes the chain and compares it with the stored events, naming every event that
was altered, removed or inserted behind the application's back. The events and chain tables
also refuse UPDATE and DELETE (triggers), so only someone who can drop triggers can tamper, and
the chain shows what they did. A submission records the chain head at submission.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    ApplicationRecorder,
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier, Literal

from logbog_es.application.group_commit import GroupCommit
from logbog_es.pooling import ping_when_idle

GENESIS = "0" * 64
CHAIN_TABLE = "event_chain"
#: Appends of at most this many events (a command's) go through the database function; bigger
#: ones (an import's batches) through binary COPY, which is faster per event.
SMALL_APPEND = 64


def state_hash(state: bytes | str | memoryview) -> str:
    """SHA-256 of a stored state (a tampered row may come back as text; hash it as stored)."""
    data = state.encode() if isinstance(state, str) else bytes(state)
    return hashlib.sha256(data).hexdigest()


def link(
    previous: str,
    position: int,
    originator_id: UUID | str,
    version: int,
    topic: str,
    state_sha: str,
) -> str:
    material = f"{previous}|{position}|{_stream(originator_id)}|{version}|{topic}|{state_sha}"
    return hashlib.sha256(material.encode()).hexdigest()


def _stream(originator_id: UUID | str) -> str:
    """The canonical text of a stream id (a stored id may come back as text)."""
    return str(originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id)))


@dataclass(frozen=True, slots=True)
class ChainRow:
    position: int
    originator_id: str
    originator_version: int
    topic: str
    state_sha256: str
    chain_sha256: str

    def values(self) -> tuple[int, str, int, str, str, str]:
        """The columns of the chain table, in order."""
        return (
            self.position,
            self.originator_id,
            self.originator_version,
            self.topic,
            self.state_sha256,
            self.chain_sha256,
        )


def _rows(previous: str, stored: Sequence[StoredEvent], ids: Sequence[int]) -> list[ChainRow]:
    rows = []
    for event, position in zip(stored, ids, strict=True):
        digest = state_hash(event.state)
        stream = _stream(event.originator_id)
        previous = link(
            previous, position, event.originator_id, event.originator_version, event.topic, digest
        )
        rows.append(
            ChainRow(position, stream, event.originator_version, event.topic, digest, previous)
        )
    return rows


# -- SQLite ------------------------------------------------------------------------------------


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    """The library's SQLite recorder, plus the chain row of each event in the same transaction."""

    def construct_create_table_statements(self) -> list[str]:
        table = self.events_table_name
        guards = [
            f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op.lower()} BEFORE {op} ON {t} "
            f"BEGIN SELECT RAISE(ABORT, '{t} is append-only: events are never changed'); END"
            for t in (table, CHAIN_TABLE)
            for op in ("UPDATE", "DELETE")
        ]
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} (position INTEGER PRIMARY KEY, "
            "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, "
            "topic TEXT NOT NULL, state_sha256 TEXT NOT NULL, chain_sha256 TEXT NOT NULL)",
            *guards,
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        assert ids is not None
        c.execute(f"SELECT chain_sha256 FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1")  # noqa: S608
        head = c.fetchone()
        rows = _rows(head[0] if head else GENESIS, stored_events, ids)
        c.executemany(
            f"INSERT INTO {CHAIN_TABLE} VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608
            [r.values() for r in rows],
        )
        return ids

    def chain(self, after: int = 0, limit: int = 5000) -> list[ChainRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT * FROM {CHAIN_TABLE} WHERE position > ? ORDER BY position LIMIT ?",  # noqa: S608
                (after, limit),
            )
            return [ChainRow(*tuple(r)) for r in c.fetchall()]

    def chain_head(self) -> ChainRow | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT * FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1")  # noqa: S608
            row = c.fetchone()
            return ChainRow(*tuple(row)) if row else None


# -- PostgreSQL --------------------------------------------------------------------------------


class ChainedPostgresRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL recorder (table-lock path), plus chain rows in its transaction.

    The library's database-function path inserts without the table lock, so notification ids
    could become visible out of order; this recorder keeps the lock, which also orders the chain.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.datastore.pre_ping:
            ping_when_idle(self.datastore.pool)
        schema = Identifier(self.datastore.schema)
        chain = Identifier(CHAIN_TABLE)
        self.datastore.enable_db_functions = False
        self.sql_create_statements += [
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{chain} (position BIGINT PRIMARY KEY, "
                "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, "
                "topic TEXT NOT NULL, state_sha256 TEXT NOT NULL, chain_sha256 TEXT NOT NULL)"
            ).format(schema=schema, chain=chain),
            SQL(
                "CREATE OR REPLACE FUNCTION {schema}.logbog_append_only() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
                "'%.% is append-only: events are never changed', TG_TABLE_SCHEMA, TG_TABLE_NAME; "
                "END $$"
            ).format(schema=schema),
        ]
        for table in (self.events_table_name, CHAIN_TABLE):
            self.sql_create_statements += [
                SQL("DROP TRIGGER IF EXISTS logbog_append_only ON {schema}.{table}").format(
                    schema=schema, table=Identifier(table)
                ),
                SQL(
                    "CREATE TRIGGER logbog_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                    "ON {schema}.{table} FOR EACH STATEMENT "
                    "EXECUTE FUNCTION {schema}.logbog_append_only()"
                ).format(schema=schema, table=Identifier(table)),
            ]
        # A command's few events go in one statement: a function that takes the lock, notifies,
        # numbers and inserts the events and their chain rows (hashing the links as `link`
        # does), so no Python runs and no round trip is waited for while the lock is held, and
        # outside an explicit transaction the whole append is one round trip. It takes the
        # appends of several commands at once (`GroupCommit`): each in a block of its own (a
        # subtransaction), so a stale version fails only its own command (its position is NULL
        # in the answer, the chain continues from before it), and one commit makes them all
        # durable.
        events_table = Identifier(self.events_table_name)
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {schema}.logbog_append_group("
                "p_groups int4[], p_ids {id_type}[], p_versions int8[], p_topics text[], "
                "p_states bytea[], p_shas text[]) "
                "RETURNS TABLE(o_group int4, o_position int8) LANGUAGE plpgsql AS $$ "
                "DECLARE previous text; saved text; pos bigint; seq text; positions bigint[]; "
                "n int := coalesce(array_length(p_ids, 1), 0); i int := 1; j int; g int; "
                "BEGIN "
                "LOCK TABLE {schema}.{events} IN EXCLUSIVE MODE; "
                "PERFORM pg_notify({channel}, ''); "
                "seq := pg_get_serial_sequence({events_name}, 'notification_id'); "
                "SELECT c.chain_sha256 INTO previous FROM {schema}.{chain} c "
                "ORDER BY c.position DESC LIMIT 1; "
                "previous := coalesce(previous, {genesis}); "
                "WHILE i <= n LOOP "
                "g := p_groups[i]; j := i; saved := previous; positions := '{{}}'; "
                "BEGIN "
                "WHILE j <= n AND p_groups[j] = g LOOP "
                "pos := nextval(seq::regclass); "
                "INSERT INTO {schema}.{events} "
                "(notification_id, originator_id, originator_version, topic, state) "
                "VALUES (pos, p_ids[j], p_versions[j], p_topics[j], p_states[j]); "
                "previous := encode(sha256(convert_to(previous || '|' || pos || '|' || "
                "p_ids[j]::text || '|' || p_versions[j] || '|' || p_topics[j] || '|' || "
                "p_shas[j], 'UTF8')), 'hex'); "
                "INSERT INTO {schema}.{chain} VALUES "
                "(pos, p_ids[j]::text, p_versions[j], p_topics[j], p_shas[j], previous); "
                "positions := positions || pos; "
                "j := j + 1; "
                "END LOOP; "
                "FOREACH pos IN ARRAY positions LOOP "
                "o_group := g; o_position := pos; RETURN NEXT; "
                "END LOOP; "
                "EXCEPTION WHEN unique_violation THEN "
                "previous := saved; o_group := g; o_position := NULL; RETURN NEXT; "
                "END; "
                "WHILE j <= n AND p_groups[j] = g LOOP j := j + 1; END LOOP; "
                "i := j; "
                "END LOOP; "
                "END $$"
            ).format(
                schema=schema,
                id_type=SQL(self.datastore.originator_id_type),
                events=events_table,
                chain=chain,
                channel=Literal(self.channel_name),
                events_name=Literal(f"{self.datastore.schema}.{self.events_table_name}"),
                genesis=Literal(GENESIS),
            )
        )
        # Arrays sent in binary (%b): the text form quotes and escapes each element in Python.
        self._append = SQL(
            "SELECT o_group, o_position FROM {schema}.logbog_append_group(%b::int4[], "
            "%b::{id_type}[], %b::int8[], %b::text[], %b::bytea[], %b::text[])"
        ).format(schema=schema, id_type=SQL(self.datastore.originator_id_type))
        self._group = GroupCommit(self._append_groups)
        self._select_head = SQL(
            "SELECT chain_sha256 FROM {schema}.{chain} ORDER BY position DESC LIMIT 1"
        ).format(schema=schema, chain=chain)
        # Binary COPY for both tables: rows are written by psycopg's C code (array parameters
        # were escaped in Python, which cost more than the database's own work), and nothing is
        # pipelined, so a big batch cannot stall both ends. COPY returns no ids, so they are
        # taken from the sequence first, under the table lock.
        events = Identifier(self.events_table_name)
        self._reserve_ids = SQL("SELECT nextval(%s::regclass) AS id FROM generate_series(1, %s)")
        self._sequence: str | None = None  # the events table's id sequence, asked once
        self._id_type = self.datastore.originator_id_type  # "uuid" or "text"
        self._copy_events = SQL(
            "COPY {schema}.{table} (notification_id, originator_id, originator_version, topic, "
            "state) FROM STDIN (FORMAT BINARY)"
        ).format(schema=schema, table=events)
        self._copy_chain = SQL("COPY {schema}.{chain} FROM STDIN (FORMAT BINARY)").format(
            schema=schema, chain=chain
        )
        self._select_chain = SQL(
            "SELECT * FROM {schema}.{chain} WHERE position > %s ORDER BY position LIMIT %s"
        ).format(schema=schema, chain=chain)

    # Fail fast while the database is unreachable: the API answers 503 with Retry-After and the
    # client retries with the same idempotency key (the library would retry 10 times itself).
    select_events = retry((InterfaceError, OperationalError), max_attempts=2, wait=0.2)(
        PostgresApplicationRecorder.select_events.__wrapped__
    )
    select_notifications = retry((InterfaceError, OperationalError), max_attempts=2, wait=0.2)(
        PostgresApplicationRecorder.select_notifications.__wrapped__
    )
    max_notification_id = retry((InterfaceError, OperationalError), max_attempts=2, wait=0.2)(
        PostgresApplicationRecorder.max_notification_id.__wrapped__
    )

    @retry((InterfaceError, OperationalError), max_attempts=2, wait=0.2)
    def insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        **_: Any,
    ) -> Sequence[int] | None:
        """A command's few events: with those of concurrent commands, one call of
        `logbog_append_group` (`_append_small`, `GroupCommit`). More: lock, take ids, copy the
        events, copy their chain rows, commit: one transaction.

        The library's path sends a composite-type array through a pipeline, which stalled for
        batches of thousands of events (both ends waiting). The ids come from the table's own
        sequence while the table lock is held, so they are in commit order, as the library's.
        """
        if not stored_events:
            return []
        if len(stored_events) <= SMALL_APPEND:
            return self._append_small(stored_events)
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            if self._sequence is None:
                table = Identifier(self.datastore.schema, self.events_table_name).as_string(curs)
                curs.execute(
                    "SELECT pg_get_serial_sequence(%s, 'notification_id') AS name", (table,)
                )
                found = curs.fetchone()
                if not found or not found["name"]:
                    raise RuntimeError(f"{table}.notification_id has no sequence")
                self._sequence = str(found["name"])
            curs.execute(self._reserve_ids, (self._sequence, len(stored_events)))
            ids = sorted(int(row["id"]) for row in curs.fetchall())
            with curs.copy(self._copy_events) as copy:
                copy.set_types(["int8", self._id_type, "int8", "text", "bytea"])
                for position, s in zip(ids, stored_events, strict=True):
                    copy.write_row(
                        (position, s.originator_id, s.originator_version, s.topic, s.state)
                    )
            curs.execute(self._select_head)
            head = curs.fetchone()
            rows = _rows(head["chain_sha256"] if head else GENESIS, stored_events, ids)
            with curs.copy(self._copy_chain) as copy:
                copy.set_types(["int8", "text", "int4", "text", "text", "text"])
                for r in rows:
                    copy.write_row(r.values())
        return ids

    def _append_small(self, stored_events: Sequence[StoredEvent]) -> list[int]:
        """A command's events, appended with those of the commands writing at the same moment
        (`GroupCommit`); IntegrityError if a version is taken (only this command's fail)."""
        return self._group.append(stored_events)

    def _append_groups(self, groups: Sequence[Sequence[StoredEvent]]) -> list[list[int] | None]:
        """Several commands' events through `logbog_append_group`: one statement in autocommit
        mode, so one round trip, one transaction and one commit. Per group, its positions, or
        None when one of its versions was taken (nothing of that group is written)."""
        flat = [(n, s) for n, group in enumerate(groups) for s in group]
        with self.datastore.get_connection() as conn:
            rows = conn.execute(
                self._append,
                (
                    [n for n, _ in flat],
                    [s.originator_id for _, s in flat],
                    [s.originator_version for _, s in flat],
                    [s.topic for _, s in flat],
                    [s.state for _, s in flat],
                    [state_hash(s.state) for _, s in flat],
                ),
            ).fetchall()
        positions: list[list[int] | None] = [[] for _ in groups]
        for row in rows:
            found = positions[row["o_group"]]
            if row["o_position"] is None:
                positions[row["o_group"]] = None
            elif found is not None:
                found.append(int(row["o_position"]))
        return positions

    def chain(self, after: int = 0, limit: int = 5000) -> list[ChainRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_chain, (after, limit))
            return [ChainRow(**r) for r in curs.fetchall()]

    def chain_head(self) -> ChainRow | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT * FROM {schema}.{chain} ORDER BY position DESC LIMIT 1").format(
                    schema=Identifier(self.datastore.schema), chain=Identifier(CHAIN_TABLE)
                )
            )
            row = curs.fetchone()
            return ChainRow(**row) if row else None


# -- in memory ---------------------------------------------------------------------------------


class ChainedPOPORecorder(POPOApplicationRecorder):
    def __init__(self) -> None:
        super().__init__()
        self._chain: list[ChainRow] = []

    def _insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(stored_events, **kwargs)
        assert ids is not None
        head = self._chain[-1].chain_sha256 if self._chain else GENESIS
        self._chain += _rows(head, stored_events, ids)
        return ids

    def chain(self, after: int = 0, limit: int = 5000) -> list[ChainRow]:
        with self._database_lock:
            return [r for r in self._chain if r.position > after][:limit]

    def chain_head(self) -> ChainRow | None:
        with self._database_lock:
            return self._chain[-1] if self._chain else None


class ChainedPOPOFactory(POPOFactory):
    """The in-memory store with the chain (the library's POPO factory takes no recorder topic)."""

    def application_recorder(self) -> ApplicationRecorder:
        return ChainedPOPORecorder()


MEMORY_FACTORY = "logbog_es.application.chain:ChainedPOPOFactory"
TOPICS = {
    "eventsourcing.sqlite": "logbog_es.application.chain:ChainedSQLiteRecorder",
    "eventsourcing.postgres": "logbog_es.application.chain:ChainedPostgresRecorder",
}


# -- verification ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str  # altered, removed, inserted, chain-broken
    position: int
    originator_id: str
    originator_version: int
    topic: str

    def __str__(self) -> str:
        return (
            f"{self.kind}: position {self.position}, stream {self.originator_id} "
            f"version {self.originator_version} ({self.topic})"
        )


@dataclass
class Verification:
    checked: int = 0
    head_position: int = 0
    head_sha256: str = GENESIS
    findings: list[Finding] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.findings


def _chain_rows(recorder: Any) -> Iterator[ChainRow]:
    after = 0
    while rows := recorder.chain(after):
        yield from rows
        after = rows[-1].position


def _notifications(recorder: ApplicationRecorder) -> Iterator[Any]:
    after = 0
    while batch := recorder.select_notifications(start=after, limit=5000, inclusive_of_start=False):
        yield from batch
        after = batch[-1].id


def verify(recorder: ApplicationRecorder, streams: set[str] | None = None) -> Verification:
    """Recompute the chain over the whole log; report findings (for `streams` only, if given).

    A merge of the chain rows and the stored events, both in position order, so memory stays
    flat however long the log is.
    """
    result = Verification()
    previous = GENESIS

    def keep(stream: str) -> bool:
        return streams is None or stream in streams

    def report(kind: str, position: int, stream: str, version: int, topic: str) -> None:
        if keep(stream):
            result.findings.append(Finding(kind, position, stream, version, topic))

    events = _notifications(recorder)
    event = next(events, None)
    for row in _chain_rows(recorder):
        expected = link(
            previous,
            row.position,
            row.originator_id,
            row.originator_version,
            row.topic,
            row.state_sha256,
        )
        if expected != row.chain_sha256:
            report(
                "chain-broken", row.position, row.originator_id, row.originator_version, row.topic
            )
        previous = row.chain_sha256
        result.head_position, result.head_sha256 = row.position, row.chain_sha256
        while event is not None and event.id < row.position:
            stream = str(UUID(str(event.originator_id)))
            report("inserted", event.id, stream, event.originator_version, event.topic)
            event = next(events, None)
        if event is None or event.id > row.position:
            report("removed", row.position, row.originator_id, row.originator_version, row.topic)
            continue
        same = (
            str(UUID(str(event.originator_id))) == row.originator_id
            and event.originator_version == row.originator_version
            and event.topic == row.topic
            and state_hash(event.state) == row.state_sha256
        )
        if not same:
            report("altered", row.position, row.originator_id, row.originator_version, row.topic)
        result.checked += 1
        event = next(events, None)
    while event is not None:
        stream = str(UUID(str(event.originator_id)))
        report("inserted", event.id, stream, event.originator_version, event.topic)
        event = next(events, None)
    return result


def head(recorder: Any) -> tuple[int, str]:
    """The chain head: the last chained position and its link hash."""
    row: ChainRow | None = recorder.chain_head()
    return (row.position, row.chain_sha256) if row else (0, GENESIS)


def row_at(recorder: Any, position: int) -> ChainRow | None:
    """The chain row at `position` (None if there is none)."""
    rows = recorder.chain(position - 1, 1) if position > 0 else []
    return rows[0] if rows and rows[0].position == position else None


def check_anchor(recorder: Any, position: int, sha256: str) -> bool:
    """Whether the chain still has `sha256` at `position` (a submission's recorded head)."""
    if position == 0:
        return sha256 == GENESIS
    row = row_at(recorder, position)
    return row is not None and row.chain_sha256 == sha256
