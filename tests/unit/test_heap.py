"""`heap.settle_heap`: what is alive at start leaves the collector's sight; young collections
come less often (issue 16: full collections paused API workers 60-260 ms)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from logbog_es.heap import THRESHOLDS, settle_heap


@pytest.fixture
def restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_what_lives_at_start_is_frozen_and_later_garbage_still_collected(restored: None) -> None:
    alive_at_start = [[n] for n in range(1000)]
    settle_heap()
    assert gc.get_freeze_count() >= len(alive_at_start)
    assert gc.get_threshold() == THRESHOLDS
    first = alive_at_start[0]
    assert all(o is not first for o in gc.get_objects())  # no collection walks it now

    class Cycle:
        pass

    made_later = Cycle()
    made_later.me = made_later  # type: ignore[attr-defined]
    assert gc.is_tracked(made_later)
    del made_later
    assert gc.collect() > 0  # a cycle made after start is still found
