"""Our own projection runner over the event log's notifications.

Exactly once: a projection writes its rows and its tracking position in one read-store
transaction, one transaction per batch of events (not per event). After a crash, the position
says where to go on: a batch is either wholly applied with its position or not at all.

Generations: each read model's tables physically live as `<table>__g<N>`, and a view with the
table's own name points at the live generation. `rebuild()` fills generation N+1 from the first
event while queries go on reading generation N through the views, then swaps the views in one
transaction, so queries never go down.

The library's ProjectionRunner needs `subscribe()`, which its SQLite recorder lacks; this runner
polls `select_notifications` instead, and can be woken early (`wake()`) after an in-process
command, so the embedded default reads its own writes without delay. On PostgreSQL it also
LISTENs for the NOTIFY every append sends, and NOTIFYs each position it commits, which a
process waiting to read its own write (`wait_for`) listens for.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import psycopg
import structlog
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    ApplicationRecorder,
    InterfaceError,
    Mapper,
    Notification,
    OperationalError,
)
from psycopg.sql import SQL, Identifier
from psycopg_pool import PoolTimeout

from logbog_es.projections.store import Listener, ReadStore, Row, Tx

SQL_DIR = Path(__file__).resolve().parents[3] / "projections"

TRACKING_DDL = """
CREATE TABLE IF NOT EXISTS projection_state (
    projection TEXT NOT NULL,
    generation INTEGER NOT NULL,
    position BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (projection, generation)
);
CREATE TABLE IF NOT EXISTS projection_live (
    projection TEXT PRIMARY KEY,
    generation INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS projection_quarantine (
    projection TEXT NOT NULL,
    generation INTEGER NOT NULL,
    position BIGINT NOT NULL,
    topic TEXT NOT NULL,
    error TEXT NOT NULL,
    quarantined_at TEXT NOT NULL,
    PRIMARY KEY (projection, generation, position)
);
"""
#: Failures that say nothing about the event: the database is down, restarting or busy. The
#: batch is tried again later; anything else an event causes puts that event in quarantine.
TRANSIENT: tuple[type[BaseException], ...] = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    PoolTimeout,
    sqlite3.OperationalError,
    OperationalError,
    InterfaceError,
)
log = structlog.get_logger("logbog.projections")


class PositionMoved(RuntimeError):
    """Another runner applied this read model's batch first."""


_TABLE = re.compile(r"CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS\s+(\w+)", re.IGNORECASE)
_INDEX = re.compile(r"CREATE\s+INDEX\s+IF\s+NOT\s+EXISTS\s+(\w+)", re.IGNORECASE)

Batch = Sequence[tuple[DomainEventProtocol[Any], int]]


class Projection(ABC):
    """A read model: its tables (in `projections/<name>.sql`) and how events change them."""

    name: str
    #: The event topics this read model follows; others are skipped without being decoded.
    topics: frozenset[str] | None = None

    def schema_sql(self) -> str:
        return (SQL_DIR / f"{self.name}.sql").read_text(encoding="utf-8")

    @cached_property
    def tables(self) -> tuple[str, ...]:
        return tuple(_TABLE.findall(self.schema_sql()))

    @abstractmethod
    def apply(self, tx: Tx, event: DomainEventProtocol[Any], position: int) -> None:
        """Change the read model's rows for one event (ignore events it does not follow)."""

    def apply_batch(self, tx: Tx, batch: Batch) -> None:
        """Apply a batch of events; override to write a whole batch at once."""
        for event, position in batch:
            self.apply(tx, event, position)


class _Names:
    """Rewrites a projection's logical table and index names to one generation's."""

    def __init__(self, projection: Projection, generation: int) -> None:
        sql = projection.schema_sql()
        names = [*_TABLE.findall(sql), *_INDEX.findall(sql)]
        self.generation = generation
        self.tables = tuple(_TABLE.findall(sql))
        self._pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
        self._cache: dict[str, str] = {}

    def physical(self, name: str) -> str:
        return f"{name}__g{self.generation}"

    def rewrite(self, sql: str) -> str:
        cached = self._cache.get(sql)
        if cached is None:
            cached = self._pattern.sub(lambda m: self.physical(m.group(1)), sql)
            self._cache[sql] = cached
        return cached


class _GenerationTx:
    """A transaction writing to one generation of a projection's tables."""

    def __init__(self, tx: Tx, names: _Names) -> None:
        self.tx = tx
        self.names = names

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.tx.execute(self.names.rewrite(sql), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.tx.executemany(self.names.rewrite(sql), rows)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self.tx.fetchall(self.names.rewrite(sql), params)


@dataclass(frozen=True, slots=True)
class Status:
    name: str
    generation: int
    position: int
    head: int
    behind_seconds: float = 0.0  # how long the oldest event not yet applied has waited
    quarantined: int = 0  # events this generation could not apply (see `quarantine()`)

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)


@dataclass(frozen=True, slots=True)
class Quarantined:
    projection: str
    generation: int
    position: int
    topic: str
    error: str
    quarantined_at: str


class Runner:
    """Keeps a set of projections up to date with the event log."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        mapper: Mapper[Any],
        store: ReadStore,
        projections: Sequence[Projection],
        *,
        batch_size: int = 1000,
    ) -> None:
        self.recorder = recorder
        self.mapper = mapper
        self.store = store
        self.projections = {p.name: p for p in projections}
        self.batch_size = batch_size
        self._names: dict[tuple[str, int], _Names] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        #: Set by a reader waiting for a position: the runner does not gather then.
        self._hurry = threading.Event()
        self._caught_up = threading.Condition()
        #: Counts wake-ups of `_caught_up` (under it): a waiter that read the positions before
        #: a wake-up sees the count moved and reads again instead of sleeping through it.
        self._news = 0
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._pass: dict[int, Sequence[Notification]] | None = None  # one catch_up's batches
        self._decoded: dict[int, DomainEventProtocol[Any]] = {}  # and its decoded events
        # (read model, generation) -> (stored position, position reached in memory): see
        # run_batch; saved at the end of each round of a catch_up pass.
        self._deferred: dict[tuple[str, int], tuple[int, int]] = {}
        # read model -> (live generation, stored position), read once at the start of each
        # round of a pass (was two queries per read model per batch).
        self._at: dict[str, tuple[int, int]] = {}
        self._span = (2**63, 0)  # (lowest position started from, highest read) in a pass
        # PostgreSQL: moving a position is announced, new events are heard (LISTEN/NOTIFY).
        channel = getattr(store, "projected_channel", None)
        self._announce = (
            SQL("NOTIFY {}").format(Identifier(channel)).as_string(None) if channel else None
        )
        self._hearing: Listener | None = None  # this process waits for positions: listen
        self._lock_hearing = threading.Lock()
        self._listening: Listener | None = None  # the running runner: listen for new events

    # -- schema, generations and positions ------------------------------------------------------

    def names(self, name: str, generation: int) -> _Names:
        key = (name, generation)
        if key not in self._names:
            self._names[key] = _Names(self.projections[name], generation)
        return self._names[key]

    def create_tables(self) -> None:
        """Create the tracking tables, and generation 1 of every read model not yet created."""
        self.store.executescript(TRACKING_DDL)
        for name in self.projections:
            if self.live_generation(name) is None:
                self._create_generation(name, 1)
                self._switch(name, 1)

    def _create_generation(self, name: str, generation: int) -> None:
        names = self.names(name, generation)
        self.store.executescript(names.rewrite(self.projections[name].schema_sql()))
        with self.store.transaction() as tx:
            tx.execute(
                "DELETE FROM projection_state WHERE projection = ? AND generation = ?",
                (name, generation),
            )
            tx.execute(
                "INSERT INTO projection_state (projection, generation, position, updated_at) "
                "VALUES (?, ?, 0, ?)",
                (name, generation, _now()),
            )

    def _switch(self, name: str, generation: int) -> None:
        """Point the read model's views at `generation`, in one transaction."""
        names = self.names(name, generation)
        with self.store.transaction() as tx:
            for table in names.tables:
                tx.execute(f"DROP VIEW IF EXISTS {table}")
                tx.execute(f"CREATE VIEW {table} AS SELECT * FROM {names.physical(table)}")  # noqa: S608 - names from our own .sql files
            tx.execute("DELETE FROM projection_live WHERE projection = ?", (name,))
            tx.execute(
                "INSERT INTO projection_live (projection, generation) VALUES (?, ?)",
                (name, generation),
            )

    def _drop_generation(self, name: str, generation: int) -> None:
        names = self.names(name, generation)
        with self.store.transaction() as tx:
            for table in names.tables:
                tx.execute(f"DROP TABLE IF EXISTS {names.physical(table)}")
            tx.execute(
                "DELETE FROM projection_state WHERE projection = ? AND generation = ?",
                (name, generation),
            )

    def live_generation(self, name: str) -> int | None:
        rows = self.store.fetchall(
            "SELECT generation FROM projection_live WHERE projection = ?", (name,)
        )
        return int(rows[0]["generation"]) if rows else None

    def position(self, name: str, generation: int | None = None) -> int:
        generation = generation or self.live_generation(name) or 1
        rows = self.store.fetchall(
            "SELECT position FROM projection_state WHERE projection = ? AND generation = ?",
            (name, generation),
        )
        return int(rows[0]["position"]) if rows else 0

    def status(self) -> list[Status]:
        head = self.recorder.max_notification_id() or 0
        counts = {
            (r["projection"], int(r["generation"])): int(r["n"])
            for r in self.store.fetchall(
                "SELECT projection, generation, COUNT(*) AS n FROM projection_quarantine "
                "GROUP BY projection, generation"
            )
        }
        waited: dict[int, float] = {}
        result = []
        for name in self.projections:
            generation = self.live_generation(name) or 1
            position = self.position(name, generation)
            if position < head and position not in waited:
                waited[position] = self._waited_since(position)
            result.append(
                Status(
                    name,
                    generation,
                    position,
                    head,
                    waited.get(position, 0.0) if position < head else 0.0,
                    counts.get((name, generation), 0),
                )
            )
        return result

    def _waited_since(self, position: int) -> float:
        """Seconds since the first event after `position` was recorded (the lag in time)."""
        found = self.recorder.select_notifications(
            start=position, limit=1, inclusive_of_start=False
        )
        if not found:
            return 0.0
        try:
            event: Any = self.mapper.to_domain_event(found[0])
            recorded: datetime = event.timestamp
        except Exception:  # it cannot even be read: it has waited as long as can be told
            return float("inf")
        return max((datetime.now(UTC) - recorded).total_seconds(), 0.0)

    def quarantine(self, name: str | None = None) -> list[Quarantined]:
        """Events the live generations could not apply, oldest first."""
        rows = self.store.fetchall(
            "SELECT q.projection, q.generation, q.position, q.topic, q.error, q.quarantined_at "
            "FROM projection_quarantine q JOIN projection_live l "
            "ON l.projection = q.projection AND l.generation = q.generation ORDER BY q.position"
        )
        return [Quarantined(**r) for r in rows if name is None or r["projection"] == name]

    # -- processing ---------------------------------------------------------------------------

    def run_batch(self, name: str, generation: int | None = None) -> int:
        """Apply the next batch of events to one projection; the number of events applied.

        Within a `catch_up` pass, a batch with no event the read model follows moves its
        position only in memory; the pass saves all such positions in one statement at the end
        of the round (most read models follow few topics: one transaction each was most of a
        pass)."""
        projection = self.projections[name]
        known = self._at.get(name) if generation is None else None
        if known is not None:
            generation, stored = known
        else:
            generation = generation or self.live_generation(name) or 1
            stored = self.position(name, generation)
        notifications = self._select(stored)
        if not notifications:
            return 0
        topics = projection.topics
        batch = [
            (self._decode(n), n.id) for n in notifications if topics is None or n.topic in topics
        ]
        if not batch and self._pass is not None:
            self._deferred[(name, generation)] = (stored, notifications[-1].id)
            return len(notifications)
        try:
            with self.store.transaction() as tx:
                projection.apply_batch(_GenerationTx(tx, self.names(name, generation)), batch)
                self._save_position(tx, name, generation, notifications[-1].id, stored)
        except Exception as error:
            if isinstance(error, (*TRANSIENT, PositionMoved)):
                raise
            self._one_by_one(
                name,
                generation,
                stored,
                notifications,
                {position: event for event, position in batch},
            )
        return len(notifications)

    def _save_deferred(self) -> None:
        """Save the positions that passes over events a read model does not follow moved in
        memory: one statement for all, each guarded by its stored position as any other."""
        deferred, self._deferred = self._deferred, {}
        if not deferred:
            return
        rows = "(?, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))"
        values = [
            value
            for (name, generation), (stored, reached) in deferred.items()
            for value in (name, generation, reached, stored)
        ]
        statement = (  # only placeholders are joined in
            "UPDATE projection_state SET position = v.column3, updated_at = ? "  # noqa: S608
            f"FROM (VALUES {', '.join([rows] * len(deferred))}) AS v "
            "WHERE projection_state.projection = v.column1 "
            "AND projection_state.generation = v.column2 "
            "AND projection_state.position = v.column4 "
            "RETURNING projection_state.projection AS projection"
        )
        with self.store.transaction() as tx:
            moved = tx.fetchall(statement, (_now(), *values))
            if len(moved) != len(deferred):
                name = next(n for n, _ in deferred if n not in {r["projection"] for r in moved})
                raise PositionMoved(
                    f"projection {name} moved under this runner; run one runner per projection"
                )
            if self._announce is not None:
                tx.execute(self._announce)

    def _select(self, after: int) -> Sequence[Notification]:
        """The next batch after `after`; within one `catch_up` pass, read models at the same
        position (the usual case once caught up) share one query for it."""
        memo = self._pass
        if memo is not None and after in memo:
            return memo[after]
        found = self.recorder.select_notifications(
            start=after, limit=self.batch_size, inclusive_of_start=False
        )
        if found:  # the stretch of the log this pass went over
            low, high = self._span
            self._span = (min(low, after), max(high, found[-1].id))
        if memo is not None:
            if len(memo) >= PASS_MEMO_BATCHES:  # a long catch-up: keep memory flat
                memo.clear()
                self._decoded.clear()
            memo[after] = found
        return found

    def _decode(self, notification: Notification) -> DomainEventProtocol[Any]:
        """The notification's event; within one `catch_up` pass decoded once for all read
        models (events are immutable, so they share it)."""
        if self._pass is None:
            return self.mapper.to_domain_event(notification)
        found = self._decoded.get(notification.id)
        if found is None:
            if len(self._decoded) >= PASS_MEMO_BATCHES * self.batch_size:
                self._decoded.clear()
            found = self._decoded[notification.id] = self.mapper.to_domain_event(notification)
        return found

    def _one_by_one(
        self,
        name: str,
        generation: int,
        start: int,
        notifications: Sequence[Notification],
        events: dict[int, DomainEventProtocol[Any]],
    ) -> None:
        """A batch failed for a reason of its own: apply its events one at a time, and put
        the one that fails in quarantine, so one event never stops a read model (nor, as the
        runner goes on, the others)."""
        projection = self.projections[name]
        names = self.names(name, generation)
        expected = start
        for notification in notifications:
            event = events.get(notification.id)
            try:
                with self.store.transaction() as tx:
                    if event is not None:
                        projection.apply_batch(_GenerationTx(tx, names), [(event, notification.id)])
                    self._save_position(tx, name, generation, notification.id, expected)
            except Exception as error:
                if isinstance(error, (*TRANSIENT, PositionMoved)):
                    raise
                self._quarantine(name, generation, notification, error, expected)
            expected = notification.id

    def _quarantine(
        self,
        name: str,
        generation: int,
        notification: Notification,
        error: Exception,
        expected: int,
    ) -> None:
        # The error's text names the failing statement, not the event's content; the log line
        # has only its type (no personal data in logs).
        text = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        with self.store.transaction() as tx:
            tx.execute(
                "INSERT INTO projection_quarantine (projection, generation, position, topic, "
                "error, quarantined_at) VALUES (?, ?, ?, ?, ?, ?)",
                (name, generation, notification.id, notification.topic, text[:500], _now()),
            )
            self._save_position(tx, name, generation, notification.id, expected)
        log.error(
            "event quarantined",
            read_model=name,
            generation=generation,
            position=notification.id,
            topic=notification.topic,
            error_type=type(error).__name__,
        )

    def _save_position(
        self, tx: Tx, name: str, generation: int, position: int, expected: int
    ) -> None:
        # Guarded by the expected old position, so two runners never both apply a batch.
        moved = tx.fetchall(
            "UPDATE projection_state SET position = ?, updated_at = ? "
            "WHERE projection = ? AND generation = ? AND position = ? RETURNING position",
            (position, _now(), name, generation, expected),
        )
        if not moved:
            rows = tx.fetchall(
                "SELECT position FROM projection_state WHERE projection = ? AND generation = ?",
                (name, generation),
            )
            current = int(rows[0]["position"]) if rows else 0
            raise PositionMoved(
                f"projection {name} moved from {expected} to {current} under this runner; "
                "run one runner per projection"
            )
        if self._announce is not None:  # heard at commit by whoever waits to read (wait_for)
            tx.execute(self._announce)

    def _live_positions(self) -> dict[str, tuple[int, int]]:
        """Each read model's live generation and its stored position, in one query."""
        rows = self.store.fetchall(
            "SELECT l.projection AS projection, l.generation AS generation, "
            "s.position AS position FROM projection_live l JOIN projection_state s "
            "ON s.projection = l.projection AND s.generation = l.generation"
        )
        return {r["projection"]: (int(r["generation"]), int(r["position"])) for r in rows}

    def catch_up(self, names: Sequence[str] | None = None) -> int:
        """Apply every stored event to the named projections (all when None). A read model
        that fails (the database, an event it cannot decode) does not hold up the others; the
        first failure is raised once they have all had their turn.

        In rounds: each read model takes its next batch, then the next round begins, so read
        models at the same position share each batch (read and decoded once) however long the
        backlog; the positions moved in memory are saved at the end of each round. A read model
        whose batch was not full has reached the end of the log as it was read and takes no
        more rounds: every event stored before the call is applied, events stored during it
        may wait for the next."""
        total = 0
        failed: Exception | None = None
        with self._lock:
            self._pass = {}
            self._span = (2**63, 0)
            try:
                going = list(names or self.projections)
                while going:
                    # Each round from the stored generations and positions (a rebuild elsewhere
                    # may have switched a generation since the last round).
                    self._at = {}
                    with contextlib.suppress(*TRANSIENT):  # else each reads its own
                        self._at = self._live_positions()
                    for name in list(going):
                        try:
                            applied = self.run_batch(name)
                        except Exception as error:
                            failed = failed or error
                            applied = 0
                        total += applied
                        if applied < self.batch_size:
                            # At the head as the batch was read: what came since is the next
                            # pass's (its NOTIFY wakes the runner), so under a stream of
                            # commands a pass is one round, not a round per arrival.
                            going.remove(name)
                    try:
                        self._save_deferred()
                    except Exception as error:
                        failed = failed or error
                        break
            finally:
                self._pass = None
                self._decoded = {}
                self._deferred = {}
                self._at = {}
                low, high = self._span
                span = high - low if high else 0
        self._wake_waiters()
        if failed is not None:
            raise failed
        if span >= ANALYZE_AFTER_EVENTS:
            self.store.analyze()  # the tables grew a lot: plans from their new sizes
        return total

    def rebuild(self, name: str, *, swap: bool = True) -> int:
        """Fill a fresh generation from the first event; then (by default) switch to it.

        Queries keep reading the live generation until the switch, which is one transaction.
        Returns the new generation. With `swap=False` the new generation is left beside the
        live one (for comparison) and the caller drops it with `discard()`.
        """
        live = self.live_generation(name) or 1
        states = self.store.fetchall(
            "SELECT MAX(generation) AS g FROM projection_state WHERE projection = ?", (name,)
        )
        new = max(live, int(states[0]["g"] or 0)) + 1
        self._create_generation(name, new)
        while self.run_batch(name, new):
            pass
        if swap:
            with self._lock:
                while self.run_batch(name, new):
                    pass
                self._switch(name, new)
            self._drop_generation(name, live)
        return new

    def discard(self, name: str, generation: int) -> None:
        if generation == self.live_generation(name):
            raise ValueError(f"generation {generation} of {name} is live; rebuild instead")
        self._drop_generation(name, generation)

    def rows(self, name: str, table: str, generation: int | None = None) -> list[Row]:
        """Every row of one table of a generation, in a stable order (for comparisons)."""
        generation = generation or self.live_generation(name) or 1
        physical = self.names(name, generation).physical(table)
        rows = self.store.fetchall(f"SELECT * FROM {physical}")  # noqa: S608 - our own names
        return sorted(rows, key=lambda r: [str(v) for v in r.values()])

    def wait_for(self, position: int, timeout: float, names: Sequence[str] | None = None) -> bool:
        """Wait until the named projections have reached `position`; False on timeout.

        Woken when a runner in this process catches up, and on PostgreSQL when any runner
        commits a position (LISTEN, started on the first wait); else it looks every 50 ms. An
        announcement between its read of the positions and its wait is not slept through (it
        was: a read now and then took 50 ms longer, 5% of them after a burst)."""
        deadline = time.monotonic() + timeout
        wanted = list(names or self.projections)
        self._hear_positions()
        while True:
            with self._caught_up:
                news = self._news
            at = self._live_positions()  # one query for all of them
            if all((at[n][1] if n in at else self.position(n)) >= position for n in wanted):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._hurry.set()  # someone waits to read: no gathering of events now
            self.wake()
            with self._caught_up:
                if self._news == news:  # nothing announced since the read: wait for it
                    self._caught_up.wait(min(remaining, 0.05))

    def _hear_positions(self) -> None:
        listen = getattr(self.store, "listen", None)
        if self._hearing is not None or listen is None or self._thread is not None:
            return  # heard already, not PostgreSQL, or the runner is in this process
        with self._lock_hearing:
            if self._hearing is None:
                self._hearing = listen([self.store.projected_channel], self._positions_moved)  # type: ignore[attr-defined]

    def _positions_moved(self) -> None:
        self._wake_waiters()

    def _wake_waiters(self) -> None:
        with self._caught_up:
            self._news += 1
            self._caught_up.notify_all()

    # -- running: in-process thread or a process of its own ----------------------------------

    def wake(self) -> None:
        self._wake.set()

    def run_forever(
        self,
        names: Sequence[str] | None = None,
        *,
        poll_seconds: float = 0.5,
        on_error: Callable[[Exception], None] | None = None,
        min_interval: float = 0.05,
    ) -> None:
        """Catch up, then wait for new events until stop() is called: on PostgreSQL woken by
        the NOTIFY every append sends (LISTEN), else (and as a fallback) every `poll_seconds`;
        a command in this process wakes it too. Under a stream of events it gathers them for
        `min_interval`: bigger batches, fewer transactions; but not while a reader in this
        process waits for a position (`wait_for`): at a person's pace (a save, then its page)
        each save came within the window of the last and waited out the rest of it."""
        events_channel = getattr(self.recorder, "channel_name", None)
        listen = getattr(self.store, "listen", None)
        if events_channel and listen is not None and self._listening is None:
            self._listening = listen([events_channel], self.wake)
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.catch_up(names)
            except Exception as error:
                if on_error:
                    on_error(error)
                self._stop.wait(1.0)
            self._wake.wait(poll_seconds)
            self._wake.clear()
            # Under a stream of commands, gather events for a moment: bigger batches, fewer
            # transactions, less contention with the requests themselves.
            pause = min_interval - (time.monotonic() - started)
            if pause > 0:  # cut short by a reader waiting in this process (`wait_for`)
                self._hurry.wait(pause)
            self._hurry.clear()

    def start(
        self, poll_seconds: float = 0.5, on_error: Callable[[Exception], None] | None = None
    ) -> None:
        self._thread = threading.Thread(
            target=self.run_forever,
            kwargs={"poll_seconds": poll_seconds, "on_error": on_error},
            name="projection-runner",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._hurry.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for listener in (self._listening, self._hearing):
            if listener is not None:
                listener.stop()
        self._listening = self._hearing = None


#: A catch-up pass over at least this many positions of the log refreshes the read store's
#: statistics.
ANALYZE_AFTER_EVENTS = 20_000
#: Batches (and their decoded events) kept for the rest of a catch-up pass.
PASS_MEMO_BATCHES = 4


def _now() -> str:
    return datetime.now(UTC).isoformat()
