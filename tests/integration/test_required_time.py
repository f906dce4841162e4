"""Read model required_time: changes to several known employments in one batch are written in
one statement (chunked), and equal what a rebuild from the first event gives (R5, R6)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from logbog_es.bootstrap import Container
from logbog_es.commands import ChangeEmploymentFraction, RecordAbsence
from logbog_es.projections import required_time
from tests.helpers import World, assert_read_models_equal_rebuild, competency


def test_changes_to_several_employments_in_one_batch_equal_a_rebuild(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(required_time, "ROWS_PER_STATEMENT", 2)  # three rows: two reads, two writes
    world = World(container.app)
    world.specialty("kbu", ("kbu",))
    world.curriculum("2019", date(2019, 2, 1), competencies=[competency("K1")])
    department = world.department("D1", "nord")
    employments = []
    for n in range(3):
        programme = world.programme(world.doctor(f"RT00{n}", f"Læge {n}"), date(2026, 1, 1))
        world.employ(programme, department, date(2026, 1, 1), date(2026, 12, 31))
        [employment] = container.app.repository.get(programme).employments
        employments.append((programme, employment.employment_id))
    container.runner.catch_up()  # the read model knows the three employments
    for n, (programme, employment) in enumerate(employments):
        world.run(
            RecordAbsence.model_validate(
                {
                    "programme_id": programme,
                    "employment_id": employment,
                    "kind": "sickness",
                    "first_day": date(2026, 3, 2),
                    "last_day": date(2026, 3, 2 + 10 * n),
                }
            ),
            world.sek["nord"],
        )
    first_programme, first_employment = employments[0]
    world.run(
        ChangeEmploymentFraction.model_validate(
            {
                "programme_id": first_programme,
                "employment_id": first_employment,
                "from_date": date(2026, 6, 1),
                "percent": 50,
            }
        ),
        world.sek["nord"],
    )
    container.runner.catch_up()  # one batch: updates of three known rows
    rows = {r["employment_id"]: r for r in container.runner.rows("required_time", "required_time")}
    assert {str(e) for _, e in employments} <= rows.keys()
    for _, employment in employments:
        assert len(json.loads(str(rows[str(employment)]["absences"]))) == 1
    assert len(json.loads(str(rows[str(first_employment)]["changes"]))) == 1
    assert str(rows[str(first_employment)]["required_end"]) > "2026-12-31"  # half time (R5)
    assert_read_models_equal_rebuild(container)
