"""Group commit: the appends of commands saving at the same moment go to the database together.

A durable commit waits for the write-ahead log to reach the disk, and the events table's lock
(which keeps positions in commit order) is held until then, so appends one at a time cannot go
faster than one flush each. Here, while one append is being written, the appends that arrive
queue up; when it is done, one of them writes all that are queued (up to `max_events` events)
in one statement and one commit. Nothing waits for a timer: a lone command is written at once.

Each command's append stays all-or-nothing and fails alone: the writer reports per append its
positions, or None when one of its versions was taken (a concurrent writer won; the caller gets
IntegrityError and decides again). If the whole statement fails for another reason, a
connection's failure reaches every append in the group (each caller's retry or client's retry
with its idempotency key follows); any other error is retried one append at a time, so only
the append that causes it fails.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    StoredEvent,
)

#: Writes several appends in one transaction: per append its positions, or None (a version taken).
GroupWriter = Callable[[Sequence[Sequence[StoredEvent]]], list[list[int] | None]]


@dataclass(eq=False)
class _Append:
    events: Sequence[StoredEvent]
    positions: list[int] | None = None
    error: BaseException | None = None
    done: bool = False

    def settle(self, positions: list[int] | None) -> None:
        if positions is None:
            self.error = IntegrityError("a version of this append is already taken")
        else:
            self.positions = positions
        self.done = True

    def fail(self, error: BaseException) -> None:
        self.error = error
        self.done = True


class GroupCommit:
    """Appends from many threads of one process, written in groups; thread-safe."""

    def __init__(self, write: GroupWriter, *, max_events: int = 512) -> None:
        self._write = write
        self._max_events = max_events
        self._cond = threading.Condition()
        self._queue: list[_Append] = []
        self._writing = False
        self.groups = 0  # statements written (for tests)
        self.appends = 0  # appends written in them

    def append(self, events: Sequence[StoredEvent]) -> list[int]:
        """Append `events` (one command's) and return their positions; IntegrityError when a
        version is taken, nothing of them written."""
        mine = _Append(events)
        with self._cond:
            self._queue.append(mine)
            while not mine.done and self._writing:
                self._cond.wait()
            if not mine.done:
                self._writing = True  # this thread writes what is queued, its own included
        if not mine.done:
            try:
                while not mine.done:
                    self._write_next()
            finally:
                with self._cond:
                    self._writing = False
                    self._cond.notify_all()
        if mine.error is not None:
            raise mine.error
        assert mine.positions is not None
        return mine.positions

    def _write_next(self) -> None:
        """Write the oldest queued appends, up to `max_events` events (at least one append)."""
        with self._cond:
            group: list[_Append] = []
            size = 0
            while self._queue and (
                not group or size + len(self._queue[0].events) <= self._max_events
            ):
                taken = self._queue.pop(0)
                group.append(taken)
                size += len(taken.events)
        try:
            self._write_group(group)
        finally:
            with self._cond:
                for waiting in group:
                    if not waiting.done:
                        waiting.fail(RuntimeError("the group commit was interrupted"))
                self.groups += 1
                self.appends += len(group)
                self._cond.notify_all()

    def _write_group(self, group: list[_Append]) -> None:
        try:
            results = self._write([a.events for a in group])
        except (InterfaceError, OperationalError) as error:
            for waiting in group:
                waiting.fail(error)
            return
        except Exception as error:
            if len(group) == 1:
                group[0].fail(error)
                return
            for waiting in group:  # find the append that causes it; the others are written
                self._write_group([waiting])
            return
        for waiting, positions in zip(group, results, strict=True):
            waiting.settle(positions)
