"""Find the global position (notification id) of an already stored event.

Used to answer a retried command with the positions of its first recording. The library has no
such query, so this reads each recorder's own table.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
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
