"""On PostgreSQL the projection runner hears new events (LISTEN on the channel every append
notifies) instead of waiting for its next poll, and a process waiting to read its own write
hears when a runner commits a position (issue 16: save-to-read-model)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from logbog_es.bootstrap import Container
from logbog_es.projections.runner import Runner
from logbog_es.projections.store import PostgresReadStore
from tests.conftest import Clock, PgSchemas, make_container
from tests.helpers import Ward, World

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(tmp_path: Path, clock: Clock, pg_schemas: PgSchemas) -> Container:
    built = make_container("postgres", tmp_path, clock, pg_schemas)
    yield built  # type: ignore[misc]
    built.close()


def _second_runner(container: Container) -> Runner:
    """Another process's runner object: same stores, no thread of its own."""
    first = container.runner
    return Runner(first.recorder, first.mapper, first.store, list(first.projections.values()))


def test_the_runner_hears_new_events_long_before_its_poll(pg: Container) -> None:
    pg.runner.catch_up()
    runner = _second_runner(pg)
    thread = threading.Thread(target=runner.run_forever, kwargs={"poll_seconds": 60.0}, daemon=True)
    thread.start()
    try:
        time.sleep(0.5)  # caught up and sleeping for a minute, unless it hears something
        Ward(World(pg.app))  # commands: events appended (and notified)
        head = pg.app.position()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and runner.position("programme_progress") < head:
            time.sleep(0.02)
        assert runner.position("programme_progress") == head, "not heard: only a poll would do"
    finally:
        runner.stop()
        thread.join(timeout=5)


def test_a_committed_position_is_announced_to_listeners(pg: Container) -> None:
    store = pg.read_store
    assert isinstance(store, PostgresReadStore)
    heard = threading.Event()
    listener = store.listen([store.projected_channel], heard.set)
    try:
        assert listener.connected.wait(5)
        heard.clear()  # called once on connecting (so a listener looks again then)
        Ward(World(pg.app))
        assert not heard.is_set(), "nothing projected yet, nothing announced"
        pg.runner.catch_up()
        assert heard.wait(5), "catching up moved positions without announcing them"
    finally:
        listener.stop()


def test_a_waiting_reader_in_another_process_is_woken_by_the_announcement(
    pg: Container,
) -> None:
    """wait_for in a process without a runner thread waits (nothing is projected yet), starts
    listening for positions, and returns once the runner elsewhere has committed. Its 50 ms
    fallback poll would return too: that the announcement arrives is the test above."""
    waiter = _second_runner(pg)
    Ward(World(pg.app))
    head = pg.app.position()
    done: list[bool] = []
    thread = threading.Thread(target=lambda: done.append(waiter.wait_for(head, 10)))
    thread.start()
    time.sleep(0.3)
    assert not done, "returned before anything was projected"
    pg.runner.catch_up()
    thread.join(timeout=5)
    assert done == [True]
    assert waiter._hearing is not None and waiter._hearing.connected.is_set()
    waiter.stop()
