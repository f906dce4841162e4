"""Reads of each recorder's own events table that the library has no query for.

- `position_lookup`: the global position (notification id) of an already stored event, to
  answer a retried command with the positions of its first recording;
- `tail_lookup`: the positions, streams and versions of the events after a position (the log's
  tail), for `application.freshness`.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, InterfaceError, OperationalError
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

PositionLookup = Callable[[UUID, int], int | None]


def position_lookup(recorder: ApplicationRecorder) -> PositionLookup:
    if isinstance(recorder, SQLiteApplicationRecorder):
        sqlite_recorder = recorder
        statement = (
            f"SELECT rowid FROM {sqlite_recorder.events_table_name} "  # noqa: S608 - library's own table name
            "WHERE originator_id = ? AND originator_version = ?"
        )

        def sqlite_lookup(stream_id: UUID, version: int) -> int | None:
            with sqlite_recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(statement, (stream_id.hex, version))
                row = cursor.fetchone()
            return None if row is None else int(row[0])

        return sqlite_lookup
    if isinstance(recorder, PostgresApplicationRecorder):
        pg_recorder = recorder
        pg_statement = SQL(
            "SELECT notification_id FROM {schema}.{table} "
            "WHERE originator_id = %s AND originator_version = %s"
        ).format(
            schema=Identifier(pg_recorder.datastore.schema),
            table=Identifier(pg_recorder.events_table_name),
        )

        def pg_lookup(stream_id: UUID, version: int) -> int | None:
            with pg_recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(pg_statement, (stream_id, version))
                row = cursor.fetchone()
            return None if row is None else int(row["notification_id"])

        return pg_lookup
    if isinstance(recorder, POPOApplicationRecorder):
        popo_recorder = recorder

        def popo_lookup(stream_id: UUID, version: int) -> int | None:
            index = popo_recorder._stored_events_index[str(stream_id)].get(version)
            return None if index is None else index + 1

        return popo_lookup
    raise TypeError(f"no position lookup for {type(recorder).__name__}")


#: One row of the log's tail: (position, stream id, version).
TailRow = tuple[int, UUID, int]
#: The events after a position, oldest first, at most `limit` of them.
TailRead = Callable[[int, int], list[TailRow]]


def tail_lookup(recorder: ApplicationRecorder) -> TailRead:
    """Read the log's tail (positions, stream ids and versions; no event state) from each
    recorder's own table, for `application.freshness`."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        sqlite_recorder = recorder
        statement = (
            f"SELECT rowid, originator_id, originator_version FROM {sqlite_recorder.events_table_name} "  # noqa: S608, E501 - library's own table name
            "WHERE rowid > ? ORDER BY rowid LIMIT ?"
        )

        def sqlite_tail(after: int, limit: int) -> list[TailRow]:
            with sqlite_recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(statement, (after, limit))
                return [(int(r[0]), UUID(str(r[1])), int(r[2])) for r in cursor.fetchall()]

        return sqlite_tail
    if isinstance(recorder, PostgresApplicationRecorder):
        pg_recorder = recorder
        pg_statement = SQL(
            "SELECT notification_id, originator_id, originator_version FROM {schema}.{table} "
            "WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(
            schema=Identifier(pg_recorder.datastore.schema),
            table=Identifier(pg_recorder.events_table_name),
        )

        @retry((InterfaceError, OperationalError), max_attempts=2, wait=0.2)
        def pg_tail(after: int, limit: int) -> list[TailRow]:
            with pg_recorder.datastore.get_connection() as conn:
                rows = conn.execute(pg_statement, (after, limit)).fetchall()
            return [
                (
                    int(r["notification_id"]),
                    _uuid(r["originator_id"]),
                    int(r["originator_version"]),
                )
                for r in rows
            ]

        tail: TailRead = pg_tail
        return tail
    if isinstance(recorder, POPOApplicationRecorder):
        popo_recorder = recorder

        def popo_tail(after: int, limit: int) -> list[TailRow]:
            with popo_recorder._database_lock:
                events = popo_recorder._stored_events[after : after + limit]
            return [
                (after + offset + 1, _uuid(s.originator_id), s.originator_version)
                for offset, s in enumerate(events)
            ]

        return popo_tail
    raise TypeError(f"no tail lookup for {type(recorder).__name__}")


def _uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
