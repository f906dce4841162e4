"""One catch-up pass of the projection runner: read models that follow none of the new events
move their positions together in one transaction, and each event is decoded once for all read
models (issue 16: the runner shares the two cores with the requests)."""

from __future__ import annotations

import threading
import time
from contextlib import AbstractContextManager
from typing import Any

import pytest

from logbog_es.bootstrap import Container
from logbog_es.projections.runner import PositionMoved
from tests.helpers import Ward, World, assert_read_models_equal_rebuild


def test_a_pass_moves_the_read_models_without_new_events_in_one_transaction(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    ward = Ward(World(container.app))
    runner = container.runner
    runner.catch_up()
    before = container.app.position()
    ward.approve("K1")
    topics = {n.topic for n in container.app.recorder.select_notifications(before + 1, 100)}
    followed = {
        t
        for t in topics
        if any(p.topics is None or t in p.topics for p in runner.projections.values())
    }
    following = [
        p.name for p in runner.projections.values() if p.topics is None or topics & set(p.topics)
    ]
    assert 0 < len(following) < len(runner.projections)
    transactions: list[int] = []
    decoded: list[int] = []
    real_transaction = runner.store.transaction
    real_decode = runner.mapper.to_domain_event

    def counted_transaction() -> AbstractContextManager[Any]:
        transactions.append(1)
        return real_transaction()

    def counted_decode(stored: Any) -> Any:
        decoded.append(1)
        return real_decode(stored)

    monkeypatch.setattr(runner.store, "transaction", counted_transaction)
    monkeypatch.setattr(runner.mapper, "to_domain_event", counted_decode)
    runner.catch_up()
    assert len(transactions) == len(following) + 1
    assert len(decoded) == len(followed)  # each followed event once, for all read models
    head = container.app.position()
    assert all(runner.position(name) == head for name in runner.projections)
    assert_read_models_equal_rebuild(container)


def test_a_position_moved_by_another_runner_is_refused_and_nothing_saved(
    container: Container,
) -> None:
    """Positions are saved only from the position the runner read (two runners must never
    both apply a batch): a batch's save and the pass's shared save both refuse, and the shared
    one saves none of its read models."""
    ward = Ward(World(container.app))
    runner = container.runner
    runner.catch_up()
    ward.approve("K1")
    head = container.app.position()
    names = list(runner.projections)
    before = {name: runner.position(name) for name in names}
    generation = runner.live_generation(names[0]) or 1
    runner._deferred = {
        (names[0], generation): (before[names[0]], head),
        (names[1], runner.live_generation(names[1]) or 1): (before[names[1]] - 1, head),
    }
    with pytest.raises(PositionMoved, match=names[1]):
        runner._save_deferred()
    assert {name: runner.position(name) for name in names} == before
    with container.runner.store.transaction() as tx, pytest.raises(PositionMoved):
        runner._save_position(tx, names[0], generation, head, before[names[0]] - 1)
    assert runner.position(names[0]) == before[names[0]]
    runner.catch_up()
    assert {runner.position(name) for name in names} == {head}


def test_a_long_backlog_is_read_once_for_all_read_models(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backlog of many batches (a start after downtime): the read models go through it in
    rounds, a batch each per round, so each batch is read once for all of them, and each read
    model's position is saved as it goes (not only at the end)."""
    ward = Ward(World(container.app))
    for code in ("K1", "K2", "K3"):
        ward.approve(code)
    runner = container.runner
    runner.batch_size = 5
    head = container.app.position()
    reads: list[int] = []
    real_select = runner.recorder.select_notifications

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return real_select(*args, **kwargs)

    monkeypatch.setattr(runner.recorder, "select_notifications", counted)
    runner.catch_up()
    batches = -(-head // 5)  # ceil
    # A batch that was not full ends the pass: a read that finds nothing follows only a full one.
    assert len(reads) == batches + (1 if head % 5 == 0 else 0)
    assert {runner.position(name) for name in runner.projections} == {head}
    assert_read_models_equal_rebuild(container)


def test_a_pass_leaves_what_is_stored_during_it_to_the_next(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under a stream of commands a pass is one round: events stored after its read of the log
    are the next pass's (their NOTIFY wakes the runner). A pass that went round again for each
    arrival read the positions and opened a transaction per read model for a handful of events,
    most of the projection process's work at 600 commands/s (issue 16)."""
    ward = Ward(World(container.app))
    runner = container.runner
    runner.catch_up()
    ward.approve("K1")
    first = container.app.position()
    rounds: list[int] = []
    real_live = runner._live_positions
    real_select = runner.recorder.select_notifications

    def counted_rounds() -> dict[str, tuple[int, int]]:
        rounds.append(1)
        return real_live()

    def then_a_command(*args: Any, **kwargs: Any) -> Any:
        found = real_select(*args, **kwargs)
        if container.app.position() == first:
            ward.approve("K2")  # saved while the pass runs, after its read of the log
        return found

    monkeypatch.setattr(runner, "_live_positions", counted_rounds)
    monkeypatch.setattr(runner.recorder, "select_notifications", then_a_command)
    runner.catch_up()
    assert len(rounds) == 1
    assert {runner.position(name) for name in runner.projections} == {first}
    head = container.app.position()
    assert head > first
    runner.catch_up()
    assert {runner.position(name) for name in runner.projections} == {head}
    assert_read_models_equal_rebuild(container)


def test_a_big_catch_up_refreshes_the_planner_statistics(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a pass over many events the read store's statistics are refreshed (a plan made
    for near-empty tables scanned the whole register for each page); a small pass does not."""
    from logbog_es.projections import runner as runner_module

    ward = Ward(World(container.app))
    runner = container.runner
    analyzed: list[int] = []
    real_analyze = runner.store.analyze

    def counted() -> None:
        analyzed.append(1)
        real_analyze()

    monkeypatch.setattr(runner.store, "analyze", counted)
    monkeypatch.setattr(runner_module, "ANALYZE_AFTER_EVENTS", container.app.position())
    runner.catch_up()
    assert analyzed == [1]
    ward.approve("K1")
    runner.catch_up()
    assert analyzed == [1]


class _CountedCondition(threading.Condition):
    def __init__(self) -> None:
        super().__init__()
        self.waits = 0

    def wait(self, timeout: float | None = None) -> bool:
        self.waits += 1
        return super().wait(timeout)


def test_a_position_announced_while_a_waiter_reads_is_not_slept_through(
    memory_container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another runner commits (and announces) between a waiter's read of the positions and
    its wait: the waiter reads again at once instead of sleeping until its next look."""
    runner = memory_container.runner
    condition = _CountedCondition()
    monkeypatch.setattr(runner, "_caught_up", condition)
    reads: list[int] = []

    def live_positions() -> dict[str, tuple[int, int]]:
        reads.append(len(reads))
        if len(reads) == 1:
            runner._positions_moved()  # the announcement lands during the first read
            return dict.fromkeys(runner.projections, (1, 4))
        return dict.fromkeys(runner.projections, (1, 5))

    monkeypatch.setattr(runner, "_live_positions", live_positions)
    assert runner.wait_for(5, timeout=10)
    assert len(reads) == 2
    assert condition.waits == 0


def test_a_waiting_reader_is_not_kept_waiting_by_the_gathering(memory_container: Container) -> None:
    """The runner in this process gathers events for `min_interval` after a pass; a reader that
    waits for its own write (`?after=`) cuts that short instead of waiting it out."""
    ward = Ward(World(memory_container.app))
    runner = memory_container.runner
    runner.catch_up()
    thread = threading.Thread(
        target=runner.run_forever, kwargs={"poll_seconds": 0.05, "min_interval": 30.0}
    )
    thread.start()
    try:
        ward.approve("K1")  # a pass, then the window of 30 s begins
        assert runner.wait_for(memory_container.app.position(), timeout=10)
        ward.approve("K2")  # within the window
        started = time.monotonic()
        assert runner.wait_for(memory_container.app.position(), timeout=10)
        assert time.monotonic() - started < 5
    finally:
        runner.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()
