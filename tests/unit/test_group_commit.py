"""Group commit (`application.group_commit`): appends from many threads written together, each
still all-or-nothing and failing alone (issue 16). The database side is in
tests/integration/test_group_commit_pg.py."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from uuid import uuid4

import pytest
from eventsourcing.persistence import DataError, IntegrityError, OperationalError, StoredEvent

from logbog_es.application.group_commit import GroupCommit


def _events(n: int, tag: str = "ok") -> list[StoredEvent]:
    stream = uuid4()
    return [StoredEvent(stream, v + 1, tag, b"{}") for v in range(n)]


class FakeStore:
    """Numbers events in the order written; refuses appends tagged 'taken' (as a unique
    violation) and, for 'bad', fails the whole statement (as a data error would)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.position = 0
        self.statements: list[int] = []  # appends per statement
        self.lock = threading.Lock()

    def write(self, groups: Sequence[Sequence[StoredEvent]]) -> list[list[int] | None]:
        time.sleep(self.delay)
        if any(e.topic == "bad" for g in groups for e in g):
            raise DataError("a value the database refuses")
        with self.lock:
            self.statements.append(len(groups))
            answer: list[list[int] | None] = []
            for group in groups:
                if any(e.topic == "taken" for e in group):
                    answer.append(None)
                    continue
                positions = list(range(self.position + 1, self.position + 1 + len(group)))
                self.position += len(group)
                answer.append(positions)
            return answer


def test_a_lone_append_is_written_at_once() -> None:
    store = FakeStore()
    group = GroupCommit(store.write)
    assert group.append(_events(2)) == [1, 2]
    assert store.statements == [1]


def test_concurrent_appends_share_statements_and_each_gets_its_own_positions() -> None:
    store = FakeStore(delay=0.01)
    group = GroupCommit(store.write)
    results: dict[int, list[int]] = {}

    def append(n: int) -> None:
        results[n] = group.append(_events(3))

    threads = [threading.Thread(target=append, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(p for positions in results.values() for p in positions) == list(range(1, 49))
    assert all(
        positions == list(range(positions[0], positions[0] + 3)) for positions in results.values()
    )
    assert sum(store.statements) == 16
    assert len(store.statements) < 16  # while one statement was written, the others queued


def test_a_taken_version_fails_only_its_own_append() -> None:
    store = FakeStore(delay=0.01)
    group = GroupCommit(store.write)
    outcomes: dict[str, object] = {}

    def append(name: str, tag: str) -> None:
        try:
            outcomes[name] = group.append(_events(1, tag))
        except IntegrityError as error:
            outcomes[name] = error

    threads = [
        threading.Thread(target=append, args=(f"a{n}", "taken" if n == 3 else "ok"))
        for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert isinstance(outcomes.pop("a3"), IntegrityError)
    assert all(isinstance(v, list) for v in outcomes.values())
    assert store.position == 7


def test_an_append_the_database_refuses_is_found_and_fails_alone() -> None:
    """A statement that fails for another reason than a taken version is written again one
    append at a time: only the append that causes it fails."""
    store = FakeStore()
    gate = threading.Event()
    first_started = threading.Event()
    real_write = store.write

    def slow_first(groups: Sequence[Sequence[StoredEvent]]) -> list[list[int] | None]:
        if not first_started.is_set():
            first_started.set()
            gate.wait(5)
        return real_write(groups)

    group = GroupCommit(slow_first)
    outcomes: dict[str, object] = {}

    def append(name: str, tag: str) -> None:
        try:
            outcomes[name] = group.append(_events(1, tag))
        except DataError as error:
            outcomes[name] = error

    leader = threading.Thread(target=append, args=("leader", "ok"))
    leader.start()
    first_started.wait(5)
    queued = [
        threading.Thread(target=append, args=(name, tag))
        for name, tag in (("x", "ok"), ("bad", "bad"), ("y", "ok"))
    ]
    for thread in queued:
        thread.start()
    time.sleep(0.05)  # all three queue behind the leader's statement
    gate.set()
    for thread in [leader, *queued]:
        thread.join(10)
    assert isinstance(outcomes["bad"], DataError)
    assert all(isinstance(outcomes[n], list) for n in ("leader", "x", "y"))
    assert store.position == 3


def test_a_lost_connection_reaches_every_append_of_the_statement() -> None:
    def down(groups: Sequence[Sequence[StoredEvent]]) -> list[list[int] | None]:
        raise OperationalError("the database went away")

    group = GroupCommit(down)
    with pytest.raises(OperationalError):
        group.append(_events(1))
    with pytest.raises(OperationalError):  # and the next append is tried afresh
        group.append(_events(1))
