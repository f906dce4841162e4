"""Any sequence of commands: accepted ones replay to the same state, refused ones write nothing,
and every read model equals what a rebuild from the first event gives (SQLite and PostgreSQL)."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import settings, target
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from logbog_es.application import Logbog
from logbog_es.application.handlers import HANDLERS
from logbog_es.bootstrap import Container, bootstrap, event_store_env
from logbog_es.commands import (
    ApproveCompetency,
    ChangeCurriculumVersion,
    ChangeEmploymentFraction,
    Command,
    ExtendEmployment,
    RecordAbsence,
    RecordCourseCompletion,
    RegisterPriorAttestation,
    RequestAssessment,
    VerifyPriorAttestation,
    WithdrawApproval,
)
from logbog_es.domain.errors import LogbogError
from logbog_es.domain.policy import Actor
from tests.conftest import PgSchemas, make_settings, require_postgres
from tests.helpers import World, assert_read_models_equal_rebuild, competency

TODAY = date(2026, 6, 15)
CODES = ["K1", "K2", "K3", "K4"]
months = st.integers(0, 17)


class LogbookMachine(RuleBasedStateMachine):
    store_kind = "sqlite"

    doctors = Bundle("doctors")
    programmes = Bundle("programmes")

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.pg = PgSchemas()
        path = Path(self.tmp.name)
        if self.store_kind == "postgres":
            storage = self.pg.storage()
        else:
            from logbog_es.settings import Storage

            storage = Storage.parse(f"sqlite:///{path}/events.sqlite", path)
        self.storage = storage
        self.container: Container = bootstrap(
            make_settings(path), storage=storage, today=lambda: TODAY, with_tokens=False
        )
        self.world = World(self.container.app)
        self.accepted = 0
        self.refused = 0
        self.counter = 0

    @initialize(target=doctors)
    def reference_data(self) -> Any:
        w = self.world
        w.specialty("kbu", ("kbu",))
        comps = [competency(c) for c in CODES[:3]]
        self.v2019 = w.curriculum("2019", date(2019, 2, 1), competencies=comps)
        self.v2024 = w.curriculum("2024", date(2024, 9, 1), competencies=[*comps, competency("K4")])
        self.departments = [
            w.department("D1", "nord"),
            w.department("D2", "nord"),
            w.department("GP1", "nord", kind="general_practice"),
        ]
        self.uao = w.doctor("UAO01", "Ulla UAO")
        for department in self.departments:
            w.appoint(department, self.uao, date(2020, 1, 1))
        return self.uao

    def attempt(self, command: Command, actor: Actor) -> bool:
        before = self.container.app.position()
        try:
            self.container.app.execute(command, actor)
        except LogbogError:
            assert self.container.app.position() == before, "a refused command wrote"
            self.refused += 1
            return False
        self.accepted += 1
        return True

    def next_id(self) -> int:
        self.counter += 1
        return self.counter

    @rule(target=doctors)
    def register_doctor(self) -> Any:
        return self.world.doctor(f"D{self.next_id():04d}", f"Læge {self.counter}")

    @rule(target=programmes, doctor=doctors, hired=months)
    def start_programme(self, doctor: UUID, hired: int) -> Any:
        start = date(2024 + hired // 12, hired % 12 + 1, 1)
        try:
            return self.world.programme(doctor, start)
        except LogbogError:
            self.refused += 1
            return None

    @rule(
        programme=programmes,
        offset=months,
        length=st.integers(1, 14),
        percent=st.sampled_from([50, 75, 100]),
        department=st.integers(0, 2),
    )
    def add_employment(
        self, programme: UUID | None, offset: int, length: int, percent: int, department: int
    ) -> None:
        if programme is None:
            return
        start = date(2024 + offset // 12, offset % 12 + 1, 1)
        end_index = offset + length
        end = date(2024 + end_index // 12, end_index % 12 + 1, 1).replace(day=1)
        try:
            self.world.employ(
                programme, self.departments[department], start, end - timedelta(days=1), percent
            )
            self.accepted += 1
        except LogbogError:
            self.refused += 1

    @rule(programme=programmes, code=st.sampled_from(CODES), day=st.integers(0, 900))
    def approve(self, programme: UUID | None, code: str, day: int) -> None:
        if programme is None:
            return
        employments = self.container.app.repository.get(programme).employments
        if employments and day % 4:  # mostly a day inside an employment, sometimes any day
            employment = employments[day % len(employments)]
            span = (min(employment.end, TODAY) - employment.start).days + 1
            assessed = employment.start + timedelta(days=day % span) if span > 0 else TODAY
        else:
            assessed = date(2024, 1, 1) + timedelta(days=day)
        self.attempt(
            ApproveCompetency.model_validate(
                {
                    "programme_id": programme,
                    "competency_code": code,
                    "method": "mini_cex",
                    "assessed_on": assessed,
                }
            ),
            self.world.actor(self.uao),
        )

    @rule(programme=programmes, code=st.sampled_from(CODES))
    def request(self, programme: UUID | None, code: str) -> None:
        if programme is None:
            return
        trainee = self.container.app.repository.get(programme).doctor_id
        self.attempt(
            RequestAssessment(programme_id=programme, competency_code=code, supervisor_id=self.uao),
            self.world.actor(trainee),
        )

    @rule(programme=programmes)
    def withdraw(self, programme: UUID | None) -> None:
        if programme is None:
            return
        active = [
            a for a in self.container.app.repository.get(programme).approvals if not a.withdrawn
        ]
        if active:
            self.attempt(
                WithdrawApproval(
                    programme_id=programme,
                    approval_id=active[0].approval_id,
                    reason="Fejlregistrering",
                ),
                self.world.actor(self.uao),
            )

    @rule(programme=programmes)
    def course(self, programme: UUID | None) -> None:
        if programme is None:
            return
        self.attempt(
            RecordCourseCompletion.model_validate(
                {
                    "programme_id": programme,
                    "course_code": "C1",
                    "completed_on": "2025-03-03",
                    "days": 2,
                    "evidence_ref": "Bevis",
                }
            ),
            self.world.sek["nord"],
        )

    @rule(programme=programmes, code=st.sampled_from(CODES))
    def prior_attestation(self, programme: UUID | None, code: str) -> None:
        if programme is None:
            return
        trainee = self.container.app.repository.get(programme).doctor_id
        if self.attempt(
            RegisterPriorAttestation.model_validate(
                {
                    "programme_id": programme,
                    "kind": "competency",
                    "code": code,
                    "attested_on": "2015-05-05",
                    "attested_by": "Overlæge",
                    "document_ref": "p1",
                }
            ),
            self.world.actor(trainee),
        ):
            attestation = list(self.container.app.repository.get(programme).prior_attestations)[-1]
            self.attempt(
                VerifyPriorAttestation(programme_id=programme, attestation_id=attestation),
                self.world.actor(self.uao),
            )

    @rule(programme=programmes, months_later=st.integers(1, 6))
    def extend(self, programme: UUID | None, months_later: int) -> None:
        if programme is None:
            return
        employments = self.container.app.repository.get(programme).employments
        if employments:
            last = employments[-1]
            index = last.end.year * 12 + last.end.month + months_later  # the month after, +n
            new_end = date(index // 12, index % 12 + 1, 1) - timedelta(days=1)
            self.attempt(
                ExtendEmployment(
                    programme_id=programme,
                    employment_id=last.employment_id,
                    new_end=new_end,
                    reason="Deltid",
                ),
                self.world.sek["nord"],
            )

    @rule(programme=programmes, month=st.integers(1, 11), percent=st.sampled_from([50, 80]))
    def part_time(self, programme: UUID | None, month: int, percent: int) -> None:
        if programme is None:
            return
        employments = self.container.app.repository.get(programme).employments
        if employments:
            employment = employments[0]
            index = employment.start.year * 12 + employment.start.month - 1 + month
            self.attempt(
                ChangeEmploymentFraction.model_validate(
                    {
                        "programme_id": programme,
                        "employment_id": employment.employment_id,
                        "from_date": date(index // 12, index % 12 + 1, 1),
                        "percent": percent,
                    }
                ),
                self.world.sek["nord"],
            )

    @rule(programme=programmes, offset=st.integers(0, 300), days=st.integers(1, 30))
    def absence(self, programme: UUID | None, offset: int, days: int) -> None:
        """Absence moves the required end (R6): read model required_time and the register."""
        if programme is None:
            return
        employments = self.container.app.repository.get(programme).employments
        if employments:
            employment = employments[offset % len(employments)]
            first = employment.start + timedelta(days=offset)
            self.attempt(
                RecordAbsence.model_validate(
                    {
                        "programme_id": programme,
                        "employment_id": employment.employment_id,
                        "kind": "sickness",
                        "first_day": first,
                        "last_day": first + timedelta(days=days - 1),
                    }
                ),
                self.world.sek["nord"],
            )

    @rule(programme=programmes)
    def change_version(self, programme: UUID | None) -> None:
        if programme is None:
            return
        current = self.container.app.repository.get(programme).curriculum_id
        target = self.v2019 if current == self.v2024 else self.v2024
        self.attempt(
            ChangeCurriculumVersion(programme_id=programme, curriculum_id=target, reason="Flyttet"),
            self.world.sek["nord"],
        )

    @invariant()
    def read_models_follow(self) -> None:
        # Catching up after every step keeps the incremental path exercised step by step.
        self.container.runner.catch_up()

    def teardown(self) -> None:
        # Steer generation towards sequences the domain accepts: a machine whose commands are
        # all refused would compare empty read models.
        target(float(self.accepted), label="accepted commands")
        try:
            assert_read_models_equal_rebuild(self.container)
            self._replays_to_same_state()
        finally:
            self.container.close()
            if self.store_kind == "postgres":
                self.pg.drop()
            self.tmp.cleanup()

    def _replays_to_same_state(self) -> None:
        """A second application over the same store replays every aggregate to equal state."""
        other = Logbog(
            handlers=HANDLERS,
            env=event_store_env(self.storage, make_settings(Path(self.tmp.name))),
            today=lambda: TODAY,
        )
        try:
            app = self.container.app
            for notification in app.recorder.select_notifications(start=1, limit=100_000):
                stream = notification.originator_id
                assert other.repository.get(stream).__dict__ == app.repository.get(stream).__dict__
        finally:
            other.close()


class SQLiteMachine(LogbookMachine):
    store_kind = "sqlite"


class PostgresMachine(LogbookMachine):
    store_kind = "postgres"


TestSQLite = SQLiteMachine.TestCase
TestSQLite.settings = settings(max_examples=15, stateful_step_count=25, deadline=None)


@pytest.mark.postgres
class TestPostgres(PostgresMachine.TestCase):  # type: ignore[misc,valid-type]
    settings = settings(max_examples=8, stateful_step_count=25, deadline=None)

    def setUp(self) -> None:
        require_postgres()
