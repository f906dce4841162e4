"""One catch-up pass of the projection runner: read models that follow none of the new events
move their positions together in one transaction, and each event is decoded once for all read
models (issue 16: the runner shares the two cores with the requests)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import pytest

from logbog_es.bootstrap import Container
from logbog_es.commands import ApproveCompetency
from tests.helpers import Ward, World, assert_read_models_equal_rebuild


def _approve(ward: Ward, code: str) -> Any:
    return ward.world.run(
        ApproveCompetency.model_validate(
            {
                "programme_id": ward.programme,
                "competency_code": code,
                "method": "mini_cex",
                "assessed_on": "2026-02-02",
            }
        ),
        ward.world.actor(ward.uao),
    )


def test_a_pass_moves_the_read_models_without_new_events_in_one_transaction(
    memory_container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    container = memory_container
    ward = Ward(World(container.app))
    runner = container.runner
    runner.catch_up()
    before = container.app.position()
    _approve(ward, "K1")
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
