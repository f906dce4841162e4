"""Pooled connections: a ping only after a while unused, and a returned connection back in
the pool on the caller's thread (issue 16: no hand-off to the pool's maintenance thread)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from psycopg_pool import ConnectionPool

from logbog_es import pooling
from tests.conftest import PG_URL, require_postgres

pytestmark = pytest.mark.postgres


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ConnectionPool[Any], list[Any]]]:
    require_postgres()
    pings: list[Any] = []
    real_check = ConnectionPool.check_connection

    def counted(conn: Any) -> None:
        pings.append(conn)
        real_check(conn)

    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(counted))
    built: ConnectionPool[Any] = ConnectionPool(PG_URL, min_size=1, max_size=1, open=False)
    pooling.ping_when_idle(built)
    built.open(wait=True)
    yield built, pings
    built.close()


def test_a_connection_is_pinged_only_after_a_while_unused(
    pool: tuple[ConnectionPool[Any], list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    built, pings = pool
    clock = FakeClock()
    monkeypatch.setattr(pooling.time, "monotonic", clock)
    with built.connection() as conn:
        conn.execute("SELECT 1")
    assert len(pings) == 1  # never taken before: checked
    clock.now += pooling.PING_AFTER_IDLE_SECONDS / 2
    with built.connection() as conn:
        conn.execute("SELECT 1")
    assert len(pings) == 1  # taken a moment ago: alive
    clock.now += pooling.PING_AFTER_IDLE_SECONDS
    with built.connection() as conn:
        conn.execute("SELECT 1")
    assert len(pings) == 2  # unused for a while: checked again


def test_a_returned_connection_is_back_in_the_pool_without_the_maintenance_thread(
    pool: tuple[ConnectionPool[Any], list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    built, _ = pool
    tasks: list[Any] = []
    run_task = built.run_task

    def recorded(task: Any) -> None:
        tasks.append(task)
        run_task(task)

    monkeypatch.setattr(built, "run_task", recorded)
    for _ in range(3):
        with built.connection() as conn:
            conn.execute("SELECT 1")
        assert built.get_stats()["pool_available"] == 1
    assert tasks == []
