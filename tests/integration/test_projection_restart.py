"""A projection killed between or within batches and restarted counts nothing twice."""

from __future__ import annotations

from typing import Any

import pytest

from logbog_es.bootstrap import Container, all_projections
from logbog_es.commands import ApproveCompetency
from logbog_es.projections.runner import Runner
from tests.helpers import Ward, World, assert_read_models_equal_rebuild


class Crash(BaseException):
    """Stands in for the process dying."""


class CrashingProjections:
    """Wraps each projection so that the batch holding the n-th event dies halfway through."""

    def __init__(self, crash_at: int) -> None:
        self.crash_at = crash_at
        self.seen = 0

    def wrap(self, projection: Any) -> Any:
        original = projection.apply_batch

        def apply_batch(tx: Any, batch: Any) -> None:
            if self.seen + len(batch) >= self.crash_at:
                original(tx, batch[: max(len(batch) // 2, 1)])  # rows written, then death
                raise Crash
            self.seen += len(batch)
            original(tx, batch)

        projection.apply_batch = apply_batch
        return projection


@pytest.fixture
def busy(container: Container) -> Container:
    ward = Ward(World(container.app))
    for code, day in (("K1", "2026-02-02"), ("K2", "2026-03-03")):
        container.app.execute(
            ApproveCompetency.model_validate(
                {
                    "programme_id": ward.programme,
                    "competency_code": code,
                    "method": "mini_cex",
                    "assessed_on": day,
                }
            ),
            ward.world.actor(ward.uao),
        )
    return container


@pytest.mark.parametrize("crash_at", [1, 5, 15, 30])
def test_restart_after_a_crash_mid_batch(busy: Container, crash_at: int) -> None:
    """Crash inside a batch; a new runner (a new process) finishes; equals a rebuild."""
    crashing = CrashingProjections(crash_at)
    first = Runner(
        busy.app.recorder,
        busy.app.mapper,
        busy.read_store,
        [crashing.wrap(p) for p in all_projections()],
        batch_size=7,
    )
    with pytest.raises(Crash):
        first.catch_up()
    positions = {s.name: s.position for s in first.status()}
    assert all(p % 7 == 0 or p == first.status()[0].head for p in positions.values()), (
        "a position moved by part of a batch"
    )
    second = Runner(
        busy.app.recorder, busy.app.mapper, busy.read_store, all_projections(), batch_size=7
    )
    second.catch_up()
    assert all(s.lag == 0 for s in second.status())
    assert_read_models_equal_rebuild(busy)


def test_restart_between_batches(busy: Container) -> None:
    """Stop after a few whole batches; a new runner goes on from the recorded positions."""
    first = Runner(
        busy.app.recorder, busy.app.mapper, busy.read_store, all_projections(), batch_size=5
    )
    for name in first.projections:
        for _ in range(3):
            first.run_batch(name)
    assert {s.position for s in first.status()} == {15}
    second = Runner(
        busy.app.recorder, busy.app.mapper, busy.read_store, all_projections(), batch_size=5
    )
    second.catch_up()
    assert_read_models_equal_rebuild(busy)
