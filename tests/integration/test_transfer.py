"""A doctor in training in one region, started on a programme in another: a transfer, stated
with its reason, recorded and shown to the doctor, never a silent grant of their history
(issue 15, item 4)."""

from __future__ import annotations

from datetime import date

import pytest

from logbog_es.application import queries
from logbog_es.bootstrap import Container
from logbog_es.commands import StartProgramme
from logbog_es.domain.errors import Conflict, NotAllowed
from logbog_es.domain.readlog import ReadLog, read_log_id
from tests.helpers import World


def _start(world: World, doctor: object, region: str, reason: str | None = None) -> object:
    return world.run(
        StartProgramme.model_validate(
            {
                "doctor_id": doctor,
                "specialty_code": "akut",
                "stage": "main",
                "region": region,
                "hiring_date": "2026-09-01",
                "transfer_reason": reason,
            }
        ),
        world.sek[region],
    )


@pytest.fixture
def doctor_in_nord(container: Container) -> tuple[World, object]:
    world = World(container.app)
    world.specialty("kbu", ("kbu",))
    world.curriculum("2019", date(2019, 2, 1))
    world.specialty("akut", ("main",))
    world.curriculum("2020", date(2020, 1, 1), code="akut", stage="main")
    doctor = world.doctor("TF001", "Tove Flytter")
    programme = world.programme(doctor, date(2026, 1, 1))
    world.employ(programme, world.department("N1", "nord"), date(2026, 1, 1), date(2026, 12, 31))
    return world, doctor


class TestTransfer:
    def test_refused_without_a_reason(
        self, container: Container, doctor_in_nord: tuple[World, object]
    ) -> None:
        """Syd cannot start a programme (and so read the history) silently; nothing written."""
        world, doctor = doctor_in_nord
        before = container.app.position()
        with pytest.raises(Conflict) as refused:
            _start(world, doctor, "syd")
        assert refused.value.code == "programme.transfer_needed"
        assert "region nord" in refused.value.message
        assert container.app.position() == before
        with pytest.raises(NotAllowed):
            queries.read_history(container.app, world.sek["syd"], doctor)  # type: ignore[arg-type]

    def test_recorded_and_shown_with_a_reason(
        self, container: Container, doctor_in_nord: tuple[World, object]
    ) -> None:
        world, doctor = doctor_in_nord
        _start(world, doctor, "syd", "Flytter til Odense efter aftale")
        history = queries.read_history(container.app, world.sek["syd"], doctor)  # type: ignore[arg-type]
        texts = [e.text for e in history.entries]
        assert (
            "transferred from region nord to region syd: Flytter til Odense efter aftale" in texts
        )
        readers = container.app.find(ReadLog, read_log_id(doctor))  # type: ignore[arg-type]
        assert readers is not None
        first = readers.readings[0]
        assert first.what == "transfer to region syd: history readable"
        assert first.reader_id == "sek-syd"

    def test_no_transfer_after_training_there_ended(self, container: Container) -> None:
        """A doctor whose programme in Nord has ended (KBU there, main training in Syd, a common
        path) starts in Syd without a transfer."""
        world = World(container.app)
        world.specialty("kbu", ("kbu",))
        world.curriculum("2019", date(2019, 2, 1))
        world.specialty("akut", ("main",))
        world.curriculum("2020", date(2020, 1, 1), code="akut", stage="main")
        doctor = world.doctor("TF002", "Tage Færdig")
        programme = world.programme(doctor, date(2025, 1, 1))
        world.employ(
            programme, world.department("N2", "nord"), date(2025, 1, 1), date(2025, 12, 31)
        )
        result = _start(world, doctor, "syd")
        assert result.events  # type: ignore[attr-defined]
