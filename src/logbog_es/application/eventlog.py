"""Read all events of a set of streams with their global positions, in one query.

The audit trail reads the event store itself (not read models), across every stream that
concerns a doctor; doing it stream by stream would cost a query per stream and still lack the
positions. Each recorder gets its own SQL here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

Rows = list[tuple[int, StoredEvent]]
Reader = Callable[[Sequence[UUID]], Rows]


def stream_reader(recorder: ApplicationRecorder) -> Reader:
    if isinstance(recorder, SQLiteApplicationRecorder):
        sqlite_recorder = recorder

        def sqlite_read(streams: Sequence[UUID]) -> Rows:
            rows: Rows = []
            for chunk in _chunks(streams, 500):
                marks = ", ".join("?" for _ in chunk)
                with sqlite_recorder.datastore.transaction(commit=False) as c:
                    c.execute(
                        "SELECT rowid, originator_id, originator_version, topic, state "  # noqa: S608
                        f"FROM {sqlite_recorder.events_table_name} "
                        f"WHERE originator_id IN ({marks})",
                        [s.hex for s in chunk],
                    )
                    rows += [
                        (int(r[0]), StoredEvent(UUID(r[1]), r[2], r[3], r[4])) for r in c.fetchall()
                    ]
            return sorted(rows, key=lambda r: r[0])

        return sqlite_read
    if isinstance(recorder, PostgresApplicationRecorder):
        pg_recorder = recorder
        statement = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {schema}.{table} WHERE originator_id = ANY(%s) ORDER BY notification_id"
        ).format(
            schema=Identifier(pg_recorder.datastore.schema),
            table=Identifier(pg_recorder.events_table_name),
        )

        def pg_read(streams: Sequence[UUID]) -> Rows:
            with pg_recorder.datastore.transaction(commit=False) as curs:
                curs.execute(statement, (list(streams),))
                return [
                    (
                        int(r["notification_id"]),
                        StoredEvent(
                            r["originator_id"],
                            r["originator_version"],
                            r["topic"],
                            bytes(r["state"]),
                        ),
                    )
                    for r in curs.fetchall()
                ]

        return pg_read
    if isinstance(recorder, POPOApplicationRecorder):
        popo = recorder

        def popo_read(streams: Sequence[UUID]) -> Rows:
            rows: Rows = []
            with popo._database_lock:
                for stream in streams:
                    for index in popo._stored_events_index.get(str(stream), {}).values():
                        rows.append((index + 1, popo._stored_events[index]))
            return sorted(rows, key=lambda r: r[0])

        return popo_read
    raise TypeError(f"no stream reader for {type(recorder).__name__}")


class DecodedEvents:
    """Decoded events by position, least recently used evicted. Stored events never change, so a
    position always decodes to the same event; the audit trail reads the same doctors again and
    again (different views, filters, CSV), and decoding dominates its cost."""

    def __init__(self, mapper: Any, maxsize: int = 50_000) -> None:
        self.mapper = mapper
        self.maxsize = maxsize
        self._cache: OrderedDict[int, Any] = OrderedDict()
        self._lock = threading.Lock()

    def decode(self, position: int, stored: StoredEvent) -> Any:
        with self._lock:
            event = self._cache.get(position)
            if event is not None:
                self._cache.move_to_end(position)
                return event
        event = self.mapper.to_domain_event(stored)
        with self._lock:
            self._cache[position] = event
            if len(self._cache) > self.maxsize:
                self._cache.popitem(last=False)
        return event


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for offset in range(0, len(items), size):
        yield items[offset : offset + size]


def existing_streams(recorder: ApplicationRecorder, streams: Sequence[UUID]) -> set[UUID]:
    """Which of `streams` have any event (one query per few hundred ids)."""
    found: set[UUID] = set()
    if isinstance(recorder, SQLiteApplicationRecorder):
        for chunk in _chunks(streams, 500):
            marks = ", ".join("?" for _ in chunk)
            with recorder.datastore.transaction(commit=False) as c:
                c.execute(
                    f"SELECT DISTINCT originator_id FROM {recorder.events_table_name} "  # noqa: S608
                    f"WHERE originator_id IN ({marks})",
                    [s.hex for s in chunk],
                )
                found |= {UUID(r[0]) for r in c.fetchall()}
        return found
    if isinstance(recorder, PostgresApplicationRecorder):
        statement = SQL(
            "SELECT DISTINCT originator_id FROM {schema}.{table} WHERE originator_id = ANY(%s)"
        ).format(
            schema=Identifier(recorder.datastore.schema),
            table=Identifier(recorder.events_table_name),
        )
        with recorder.datastore.transaction(commit=False) as curs:
            curs.execute(statement, (list(streams),))
            return {r["originator_id"] for r in curs.fetchall()}
    if isinstance(recorder, POPOApplicationRecorder):
        with recorder._database_lock:
            index = recorder._stored_events_index
            return {s for s in streams if index.get(str(s))}
    raise TypeError(f"no stream lookup for {type(recorder).__name__}")
