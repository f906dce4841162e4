"""Evaluations of training sites: published only from cells of 3 or more (R13), walls, comments."""

from __future__ import annotations

import itertools
import random
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from logbog_es.api.app import create_app
from logbog_es.bootstrap import Container
from logbog_es.commands import SubmitEvaluation
from logbog_es.domain.base import Meta
from logbog_es.domain.errors import Conflict, InvalidInput
from logbog_es.domain.evaluation import Evaluation, last_closed_period
from logbog_es.domain.questionnaire import CURRENT
from logbog_es.domain.values import Capacity
from logbog_es.projections.evaluation_results import DIMENSIONS, results
from logbog_es.tokens import LocalIssuer
from tests.conftest import Clock
from tests.helpers import Ward, World

QUESTIONS = [q.code for q in CURRENT.questions]
CLOSED = "2099-H2"  # every half-year of these tests counts as closed


def evaluate(
    container: Container,
    cell: dict[str, str],
    score: int | None,
    comment: str | None = None,
    trainee: str | None = None,
) -> None:
    """An evaluation stored straight through the aggregate (the rule under test is publishing);
    by `trainee` (a login), else by a trainee of its own."""
    evaluation = Evaluation.submit(
        employment_id=uuid4(),
        department_id=UUID(cell["department_id"]),
        end=date(int(cell["period"][:4]), 3 if cell["period"].endswith("H1") else 9, 30),
        specialty_code=cell["specialty_code"],
        region=cell["region"],
        stage=cell["stage"],
        form=CURRENT,
        answers=dict.fromkeys(QUESTIONS, score),
        comment=comment,
        meta=Meta(trainee or f"trainee-{uuid4()}", Capacity.TRAINEE, str(uuid4())),
    )
    container.app.save(evaluation)


SMALL = {
    "department_id": str(UUID(int=1)),
    "period": "2026-H1",
    "specialty_code": "kbu",
    "region": "nord",
    "stage": "kbu",
}
SAFE = {
    "department_id": str(UUID(int=1)),
    "period": "2026-H1",
    "specialty_code": "akutmedicin",
    "region": "nord",
    "stage": "main",
}


class TestPublishing:
    """R13: a cell of 2 is never published under any filters; a cell of 3 is."""

    def test_two_never_three_always(self, container: Container) -> None:
        """Every combination of filters: the small cell's answers never show, alone or summed."""
        for _ in range(2):
            evaluate(container, SMALL, 1)
        for _ in range(3):
            evaluate(container, SAFE, 6)
        container.runner.catch_up()
        store = container.read_store
        for size in range(len(DIMENSIONS) + 1):
            for keys in itertools.combinations(DIMENSIONS, size):
                for source in (SMALL, SAFE):
                    filters = {k: source[k] for k in keys}
                    body = results(store, filters, CURRENT.version, closed_until=CLOSED)
                    if body["published"]:
                        assert body["evaluations"] == 3, filters
                        averages = {q["average"] for q in body["questions"]}
                        assert averages == {6.0}, filters  # the small cell's 1s never count
                    else:
                        assert body["evaluations"] is None
                        assert body["questions"] == []
        assert not results(store, dict(SMALL), CURRENT.version, closed_until=CLOSED)["published"]
        evaluate(container, SMALL, 1)
        container.runner.catch_up()
        third = results(store, dict(SMALL), CURRENT.version, closed_until=CLOSED)
        assert third["published"]
        assert third["evaluations"] == 3
        assert {q["average"] for q in third["questions"]} == {1.0}

    def test_not_relevant_answers_below_three_are_suppressed(self, container: Container) -> None:
        """A question answered by fewer than 3 (the rest 'not relevant') shows no average."""
        evaluate(container, SAFE, 4)
        evaluate(container, SAFE, 5)
        evaluate(container, SAFE, None)
        container.runner.catch_up()
        body = results(container.read_store, dict(SAFE), CURRENT.version, closed_until=CLOSED)
        assert body["published"]
        assert all(q["average"] is None and q["answers"] is None for q in body["questions"])

    def test_public_endpoint_averages_for_a_generated_data_set(
        self, container: Container, clock: Clock
    ) -> None:
        """Random evaluations in many cells: the public averages equal those computed here."""
        clock.today = date(2027, 1, 1)  # both half-years' evaluation windows have closed
        rng = random.Random(11)
        cells = [
            {
                "department_id": str(UUID(int=d)),
                "period": p,
                "specialty_code": s,
                "region": r,
                "stage": st,
            }
            for d, p, s, r, st in itertools.product(
                (1, 2), ("2025-H2", "2026-H1"), ("kbu",), ("nord", "syd"), ("kbu",)
            )
        ]
        # Random sizes, except that department 1 in nord has a cell too small to count (2)
        # beside one that counts (4), and department 2 in nord has only cells too small (1, 2):
        # both the published average without the small cell and the unpublished answer occur.
        fixed = {(1, "2025-H2"): 2, (1, "2026-H1"): 4, (2, "2025-H2"): 1, (2, "2026-H1"): 2}
        given: list[tuple[dict[str, str], int]] = []
        for cell in cells:
            department = UUID(cell["department_id"]).int
            size = (
                fixed[(department, cell["period"])]
                if cell["region"] == "nord"
                else rng.randint(0, 6)
            )
            for _ in range(size):
                score = rng.randint(1, 6)
                evaluate(container, cell, score)
                given.append((cell, score))
        container.runner.catch_up()
        outcomes = []
        with TestClient(create_app(container, run_projections=False)) as client:
            for department in (1, 2):
                url = f"/evaluations/results?department_id={UUID(int=department)}&region=nord"
                body = client.get(url).json()
                matching = [
                    (c, s)
                    for c, s in given
                    if c["department_id"] == str(UUID(int=department)) and c["region"] == "nord"
                ]
                per_cell: dict[str, list[int]] = {}
                for cell, score in matching:
                    per_cell.setdefault(repr(sorted(cell.items())), []).append(score)
                safe = [s for scores in per_cell.values() if len(scores) >= 3 for s in scores]
                if len(safe) < 3:
                    assert body["published"] is False
                    outcomes.append(("unpublished", len(matching)))
                    continue
                assert body["evaluations"] == len(safe)
                expected = round(sum(safe) / len(safe), 2)
                assert {q["average"] for q in body["questions"]} == {expected}
                assert body["groups"][0]["average"] == expected
                outcomes.append(("published", len(matching) - len(safe)))
        assert outcomes == [("published", 2), ("unpublished", 3)]


class TestSubmitting:
    """The trainee evaluates an employment once, in its last month or up to 90 days after."""

    def test_window_and_once(self, container: Container, clock: Clock) -> None:
        """Too early, accepted, twice refused, too late."""
        ward = Ward(World(container.app))
        employment = container.app.repository.get(ward.programme).employments[0]
        command = SubmitEvaluation.model_validate(
            {
                "programme_id": ward.programme,
                "employment_id": employment.employment_id,
                "answers": dict.fromkeys(QUESTIONS, 5),
            }
        )
        trainee = ward.world.actor(ward.trainee)
        with pytest.raises(Conflict, match="2026-12-01"):
            container.app.execute(command, trainee)
        clock.today = date(2027, 4, 1)
        with pytest.raises(Conflict, match="ended on 2027-03-31"):
            container.app.execute(command, trainee)
        clock.today = date(2026, 12, 5)
        with pytest.raises(InvalidInput, match="answer every question"):
            container.app.execute(
                SubmitEvaluation.model_validate(
                    {
                        "programme_id": ward.programme,
                        "employment_id": employment.employment_id,
                        "answers": {"intro_plan": 3},
                    }
                ),
                trainee,
            )
        container.app.execute(command, trainee)
        with pytest.raises(Conflict, match="already evaluated"):
            container.app.execute(command, trainee)


class TestWalls:
    """No one but the trainee reads an evaluation; comments reach only the department's UAO."""

    def test_reading(self, container: Container, clock: Clock) -> None:
        """Supervisor, UAO and secretariat get 403 on the evaluation; comments only for the UAO."""
        ward = Ward(World(container.app))
        clock.today = date(2026, 12, 5)
        employment = container.app.repository.get(ward.programme).employments[0]
        result = container.app.execute(
            SubmitEvaluation.model_validate(
                {
                    "programme_id": ward.programme,
                    "employment_id": employment.employment_id,
                    "answers": dict.fromkeys(QUESTIONS, 4),
                    "comment": "Travle vagter, god stemning.",
                }
            ),
            ward.world.actor(ward.trainee),
        )
        evaluation = result.events[0].stream_id
        issuer = LocalIssuer(container.settings)

        def get(path: str, subject: object) -> Any:
            return client.get(
                path, headers={"Authorization": f"Bearer {issuer.issue(str(subject))}"}
            )

        with TestClient(create_app(container)) as client:
            assert get(f"/evaluations/{evaluation}", ward.trainee).status_code == 200
            for reader in (ward.main, ward.uao, "sek-nord", ward.other_uao):
                assert get(f"/evaluations/{evaluation}", reader).status_code == 403
            path = (
                f"/departments/{ward.department}/evaluation-comments"
                f"?after={container.app.position()}"
            )
            own = get(path, ward.uao)
            assert own.status_code == 200
            assert [c["comment"] for c in own.json()] == ["Travle vagter, god stemning."]
            assert "trainee" not in str(own.json()).lower()
            for reader in (ward.main, ward.other_uao, "sek-nord", ward.trainee):
                assert get(path, reader).status_code == 403
            mine = get("/me/evaluations", ward.trainee).json()
            assert [e["done"] for e in mine] == [True]
            public = client.get("/evaluations/questionnaire").json()
            assert sum(len(g["questions"]) for g in public["groups"]) == 26


class TestDistinctTraineesAndDifferencing:
    """R13 counts trainees, not evaluations, and publishes a half-year only once closed."""

    @staticmethod
    def by(container: Container, cell: dict[str, str], score: int, trainee: str) -> None:
        evaluate(container, cell, score, trainee=trainee)

    def test_two_employments_of_one_trainee_count_once(self, container: Container) -> None:
        """One trainee evaluating two employments plus one other: three evaluations, two
        trainees: withheld, so the first cannot subtract their own answers."""
        self.by(container, SMALL, 6, "trainee-a")
        self.by(container, SMALL, 6, "trainee-a")
        self.by(container, SMALL, 1, "trainee-b")
        container.runner.catch_up()
        store = container.read_store
        for size in range(len(DIMENSIONS) + 1):
            for keys in itertools.combinations(DIMENSIONS, size):
                body = results(
                    store, {k: SMALL[k] for k in keys}, CURRENT.version, closed_until=CLOSED
                )
                assert not body["published"], keys
        self.by(container, SMALL, 4, "trainee-c")
        container.runner.catch_up()
        third = results(store, dict(SMALL), CURRENT.version, closed_until=CLOSED)
        assert third["published"] and third["evaluations"] == 4

    def test_a_half_year_is_published_once_closed(self, container: Container) -> None:
        """A cell of 3 in a half-year whose window is open is not published; once closed it
        is, and nothing can be added to it any more (the window refuses late evaluations)."""
        for trainee, score in (("a", 5), ("b", 5), ("c", 5)):
            self.by(container, SMALL, score, trainee)
        container.runner.catch_up()
        store = container.read_store
        window = container.app.evaluation_window_days
        open_until = last_closed_period(date(2026, 8, 1), window)  # 2026-H1 still open
        assert open_until == "2025-H2"
        assert not results(store, dict(SMALL), CURRENT.version, closed_until=open_until)[
            "published"
        ]
        closed = last_closed_period(date(2026, 10, 1), window)  # 30 June + 90 days passed
        assert closed == "2026-H1"
        assert results(store, dict(SMALL), CURRENT.version, closed_until=closed)["published"]

    def test_the_public_page_says_when_a_half_year_is_published(
        self, container: Container, clock: Clock
    ) -> None:
        clock.today = date(2026, 10, 1)
        with TestClient(create_app(container, run_projections=False)) as client:
            body = client.get("/evaluations/results").json()
        assert body["closed_until"] == "2026-H1"
