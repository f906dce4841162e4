"""Our own projection runner over the event log's notifications.

Exactly once: a projection writes its rows and its tracking position in one read-store
transaction, one transaction per batch of events (not per event). After a crash, the position
says where to go on: a batch is either wholly applied with its position or not at all.

The library's ProjectionRunner needs `subscribe()`, which its SQLite recorder lacks; this runner
polls `select_notifications` instead, and can be woken early (`wake()`) after an in-process
command, so the embedded default reads its own writes without delay.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import ApplicationRecorder, Mapper

from logbog_es.projections.store import ReadStore, Tx

SQL_DIR = Path(__file__).resolve().parents[3] / "projections"

TRACKING_DDL = """
CREATE TABLE IF NOT EXISTS projection_positions (
    projection TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
"""


class Projection(ABC):
    """A read model: its tables (in `projections/<name>.sql`) and how events change them."""

    name: str

    def schema_sql(self) -> str:
        return (SQL_DIR / f"{self.name}.sql").read_text(encoding="utf-8")

    @abstractmethod
    def apply(self, tx: Tx, event: DomainEventProtocol[Any], position: int) -> None:
        """Change the read model's rows for one event (ignore events it does not follow)."""


@dataclass(frozen=True, slots=True)
class Status:
    name: str
    position: int
    head: int

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)


class Runner:
    """Keeps a set of projections up to date with the event log."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        mapper: Mapper[Any],
        store: ReadStore,
        projections: Sequence[Projection],
        *,
        batch_size: int = 500,
    ) -> None:
        self.recorder = recorder
        self.mapper = mapper
        self.store = store
        self.projections = {p.name: p for p in projections}
        self.batch_size = batch_size
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._caught_up = threading.Condition()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- schema and positions ---------------------------------------------------------------

    def create_tables(self) -> None:
        self.store.executescript(TRACKING_DDL)  # type: ignore[attr-defined]
        for projection in self.projections.values():
            self.store.executescript(projection.schema_sql())  # type: ignore[attr-defined]

    def position(self, name: str) -> int:
        rows = self.store.fetchall(
            "SELECT position FROM projection_positions WHERE projection = ?", (name,)
        )
        return int(rows[0]["position"]) if rows else 0

    def status(self) -> list[Status]:
        head = self.recorder.max_notification_id() or 0
        return [Status(name, self.position(name), head) for name in self.projections]

    # -- processing ---------------------------------------------------------------------------

    def run_batch(self, name: str) -> int:
        """Apply the next batch of events to one projection; the number of events applied."""
        projection = self.projections[name]
        start = self.position(name)
        notifications = self.recorder.select_notifications(
            start=start, limit=self.batch_size, inclusive_of_start=False
        )
        if not notifications:
            return 0
        with self.store.transaction() as tx:
            for notification in notifications:
                projection.apply(tx, self.mapper.to_domain_event(notification), notification.id)
            self._save_position(tx, name, notifications[-1].id, start)
        return len(notifications)

    @staticmethod
    def _save_position(tx: Tx, name: str, position: int, expected: int) -> None:
        # Guarded by the expected old position, so two runners never both apply a batch.
        rows = tx.fetchall(
            "SELECT position FROM projection_positions WHERE projection = ?", (name,)
        )
        current = int(rows[0]["position"]) if rows else 0
        if current != expected:
            raise RuntimeError(
                f"projection {name} moved from {expected} to {current} under this runner; "
                "run one runner per projection"
            )
        now = datetime.now(UTC).isoformat()
        if rows:
            tx.execute(
                "UPDATE projection_positions SET position = ?, updated_at = ? WHERE projection = ?",
                (position, now, name),
            )
        else:
            tx.execute(
                "INSERT INTO projection_positions (projection, position, updated_at) "
                "VALUES (?, ?, ?)",
                (name, position, now),
            )

    def catch_up(self, names: Sequence[str] | None = None) -> int:
        """Apply every stored event to the named projections (all when None)."""
        total = 0
        with self._lock:
            for name in names or list(self.projections):
                while applied := self.run_batch(name):
                    total += applied
        with self._caught_up:
            self._caught_up.notify_all()
        return total

    def wait_for(self, position: int, timeout: float, names: Sequence[str] | None = None) -> bool:
        """Wait until the named projections have reached `position`; False on timeout."""
        deadline = time.monotonic() + timeout
        wanted = list(names or self.projections)
        while True:
            if all(self.position(n) >= position for n in wanted):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.wake()
            with self._caught_up:
                self._caught_up.wait(min(remaining, 0.05))

    # -- in-process background thread --------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def start(
        self, poll_seconds: float = 0.5, on_error: Callable[[Exception], None] | None = None
    ) -> None:
        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.catch_up()
                except Exception as error:
                    if on_error:
                        on_error(error)
                    self._stop.wait(1.0)
                self._wake.wait(poll_seconds)
                self._wake.clear()

        self._thread = threading.Thread(target=loop, name="projection-runner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
