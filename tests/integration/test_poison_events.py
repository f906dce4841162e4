"""One event a read model cannot apply never stops it, nor the others (issue 15, item 1).

It is put in quarantine (the read model, the position, the error) and shown by `projections
status` and the metrics; a database that is down is not a poison event: the batch waits."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from logbog_es.bootstrap import Container
from logbog_es.commands import RegisterDoctor
from logbog_es.domain.base import Meta
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.values import Capacity
from tests.conftest import Clock, PgSchemas, make_container
from tests.helpers import World


def _poison(container: Container, projection: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """Make `projection` fail on the next doctor registered; returns that event's position."""
    world = World(container.app)
    world.doctor("AA001", "Før")
    target = container.runner.projections[projection]
    original = target.apply_batch

    def apply_batch(tx: Any, batch: Any) -> None:
        if any(getattr(e, "name", None) == "Giftig" for e, _ in batch):
            raise ValueError("cannot apply this event")
        original(tx, batch)

    monkeypatch.setattr(target, "apply_batch", apply_batch)
    result = world.run(
        RegisterDoctor(authorisation_id="AA002", name="Giftig", email="g@example.dk"),
        world.sek["nord"],
    )
    world.doctor("AA003", "Efter")
    return next(e.position for e in result.events if e.type == "logbog:Doctor.Registered")


class TestQuarantine:
    """The failing event is skipped with a record of why; everything around it is applied."""

    def test_one_event_is_quarantined(
        self, container: Container, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        poisoned = _poison(container, "programme_progress", monkeypatch)
        container.runner.catch_up()  # raises nothing: nothing is stuck
        head = container.app.position()
        statuses = {s.name: s for s in container.runner.status()}
        assert all(s.position == head for s in statuses.values())
        assert statuses["programme_progress"].quarantined == 1
        assert statuses["supervisor_requests"].quarantined == 0
        (held,) = container.runner.quarantine()
        assert (held.projection, held.position) == ("programme_progress", poisoned)
        assert held.topic == "logbog:Doctor.Registered"
        assert held.error == "ValueError: cannot apply this event"
        names = {
            r["name"] for r in container.read_store.fetchall("SELECT name FROM progress_people")
        }
        assert names == {"Før", "Efter"}  # the events around it were applied

    def test_a_rebuild_after_the_fix_has_it_all(
        self, container: Container, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        _poison(container, "programme_progress", monkeypatch)
        container.runner.catch_up()
        monkeypatch.undo()
        container.runner.rebuild("programme_progress")
        assert container.runner.quarantine() == []
        names = {
            r["name"] for r in container.read_store.fetchall("SELECT name FROM progress_people")
        }
        assert names == {"Før", "Giftig", "Efter"}

    def test_a_database_outage_is_not_a_poison(
        self, container: Container, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A transient failure leaves the batch to be tried again: nothing is quarantined,
        and the other read models go on."""
        world = World(container.app)
        target = container.runner.projections["catalogue"]

        def down(tx: Any, batch: Any) -> None:
            raise sqlite3.OperationalError("database is locked")

        monkeypatch.setattr(target, "apply_batch", down)
        world.doctor("AA004", "Ventende")
        world.department("D9", "nord")  # an event the catalogue follows
        with pytest.raises(sqlite3.OperationalError):
            container.runner.catch_up()
        statuses = {s.name: s for s in container.runner.status()}
        head = container.app.position()
        assert statuses["catalogue"].position < head
        assert statuses["programme_progress"].position == head  # the others were not held up
        assert container.runner.quarantine() == []
        monkeypatch.undo()
        container.runner.catch_up()
        assert {s.position for s in container.runner.status()} == {head}


@pytest.mark.postgres
def test_a_nul_character_in_stored_text_stops_nothing(
    tmp_path: Path, clock: Clock, pg_schemas: PgSchemas
) -> None:
    """PostgreSQL text cannot hold U+0000: an event written with one (before commands refused
    it, or by an import) is quarantined where it cannot be stored, and the rest goes on."""
    container = make_container("postgres", tmp_path, clock, pg_schemas)
    try:
        _nul_event_quarantined(container)
    finally:
        container.close()


def _nul_event_quarantined(container: Container) -> None:
    meta = Meta("test", Capacity.SECRETARIAT, "nul-1")
    doctor = Doctor.register(
        authorisation_id="NU001", name="Nul\x00Navn", email="n@example.dk", cpr=None, meta=meta
    )
    container.app.save(doctor)
    World(container.app).doctor("NU002", "Almindelig")
    container.runner.catch_up()
    head = container.app.position()
    assert {s.position for s in container.runner.status()} == {head}
    held = {q.projection for q in container.runner.quarantine()}
    assert held >= {"programme_progress"}
    assert all("NUL" in q.error or "0x00" in q.error for q in container.runner.quarantine())


class TestReadinessInTime:
    """/readyz is not ready while an event has waited too long for a read model, however few
    events are behind."""

    def test_behind_in_seconds(self, tmp_path: Path, clock: Clock, pg_schemas: PgSchemas) -> None:
        import time

        from fastapi.testclient import TestClient

        from logbog_es.api.app import create_app

        container = make_container("memory", tmp_path, clock, pg_schemas)
        container.settings.ready_max_behind_seconds = 0.2
        try:
            with TestClient(create_app(container, run_projections=False)) as client:
                container.runner.catch_up()
                assert client.get("/readyz").status_code == 200
                World(container.app).doctor("RZ001", "Ventetid")
                time.sleep(0.3)
                waiting = client.get("/readyz")
                assert waiting.status_code == 503
                behind = waiting.json()["behind_seconds"]
                assert all(v >= 0.2 for v in behind.values())
                container.runner.catch_up()
                assert client.get("/readyz").status_code == 200
        finally:
            container.close()
