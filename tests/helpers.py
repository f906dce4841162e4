"""A small world of reference data built through the real commands, for scenario tests."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from logbog_es.application import CommandResult, Logbog
from logbog_es.commands import (
    AddEmployment,
    AppointUao,
    ApproveCompetency,
    Command,
    GrantStaff,
    GrantSupervisorAccess,
    PublishCurriculum,
    RegisterDepartment,
    RegisterDoctor,
    RegisterSpecialty,
    StartProgramme,
)
from logbog_es.domain.department import department_id
from logbog_es.domain.doctor import doctor_id
from logbog_es.domain.policy import Actor

OPERATOR = Actor(subject="operator:test", operator=True)


def competency(code: str, **overrides: Any) -> dict[str, Any]:
    return {
        "code": code,
        "title": f"Kompetence {code}",
        "description": f"Beskrivelse af {code}.",
        "roles": ["medical_expert"],
        "methods": [{"method": "mini_cex", "mandatory": True}],
        **overrides,
    }


def assert_read_models_equal_rebuild(container: Any) -> None:
    """Every read model, caught up, equals a fresh generation rebuilt from the first event."""
    runner = container.runner
    runner.catch_up()
    for name, projection in runner.projections.items():
        fresh = runner.rebuild(name, swap=False)
        try:
            for table in projection.tables:
                live = runner.rows(name, table)
                rebuilt = runner.rows(name, table, fresh)
                assert live == rebuilt, f"{name}.{table} differs from a rebuild"
        finally:
            runner.discard(name, fresh)


class World:
    """Staff, a specialty with curricula, departments and doctors, made through commands."""

    def __init__(self, app: Logbog) -> None:
        self.app = app
        app.execute(
            GrantStaff.model_validate({"subject": "admin", "role": "curriculum-admin"}), OPERATOR
        )
        for region in ("nord", "syd", "oest"):
            app.execute(
                GrantStaff.model_validate(
                    {"subject": f"sek-{region}", "role": "secretariat", "region": region}
                ),
                OPERATOR,
            )
        self.admin = app.resolve_actor("admin")
        self.sek = {r: app.resolve_actor(f"sek-{r}") for r in ("nord", "syd", "oest")}

    def run(self, command: Command, actor: Actor, **kwargs: Any) -> CommandResult:
        return self.app.execute(command, actor, **kwargs)

    def specialty(self, code: str = "kbu", stages: tuple[str, ...] = ("kbu",)) -> None:
        self.run(
            RegisterSpecialty.model_validate(
                {
                    "code": code,
                    "name": code.title(),
                    "stages": list(stages),
                    "on_logbook_from": "2010-01-01",
                }
            ),
            self.admin,
        )

    def curriculum(
        self,
        label: str,
        effective_from: date,
        *,
        code: str = "kbu",
        stage: str = "kbu",
        competencies: list[dict[str, Any]] | None = None,
    ) -> UUID:
        result = self.run(
            PublishCurriculum.model_validate(
                {
                    "specialty_code": code,
                    "stage": stage,
                    "label": label,
                    "effective_from": effective_from,
                    "nominal_duration_months": 12,
                    "competencies": competencies or [competency("K1"), competency("K2")],
                    "courses": [{"code": "C1", "title": "Kursus", "kind": "general", "days": 2}],
                }
            ),
            self.admin,
        )
        return result.events[0].stream_id

    def department(self, code: str = "D1", region: str = "nord", kind: str = "hospital") -> UUID:
        self.run(
            RegisterDepartment.model_validate(
                {"code": code, "name": f"Afdeling {code}", "kind": kind, "region": region}
            ),
            self.sek[region],
        )
        return department_id(code)

    def doctor(self, auth: str = "AB123", name: str = "Test Læge") -> UUID:
        self.run(
            RegisterDoctor(authorisation_id=auth, name=name, email=f"{auth.lower()}@example.dk"),
            self.sek["nord"],
        )
        return doctor_id(auth)

    def programme(
        self,
        doctor: UUID,
        hired: date,
        *,
        code: str = "kbu",
        stage: str = "kbu",
        region: str = "nord",
        command_id: str | None = None,
    ) -> UUID:
        result = self.run(
            StartProgramme.model_validate(
                {
                    "doctor_id": doctor,
                    "specialty_code": code,
                    "stage": stage,
                    "region": region,
                    "hiring_date": hired,
                }
            ),
            self.sek[region],
            command_id=command_id,
        )
        return next(e.stream_id for e in result.events if e.type == "logbog:Programme.Started")

    def employ(
        self,
        programme: UUID,
        department: UUID,
        start: date,
        end: date,
        percent: int = 100,
        region: str = "nord",
    ) -> CommandResult:
        return self.run(
            AddEmployment(
                programme_id=programme,
                department_id=department,
                start=start,
                end=end,
                percent=percent,
            ),
            self.sek[region],
        )

    # -- the access chain -----------------------------------------------------------------

    def actor(self, doctor: UUID) -> Actor:
        return self.app.resolve_actor(str(doctor))

    def appoint(
        self, department: UUID, doctor: UUID, start: date, region: str = "nord"
    ) -> CommandResult:
        return self.run(
            AppointUao(department_id=department, doctor_id=doctor, start=start), self.sek[region]
        )

    def grant(
        self,
        department: UUID,
        uao: UUID,
        supervisor: UUID,
        *,
        start: date,
        trainees: list[UUID] | None = None,
        main_for: UUID | None = None,
        delegated: bool = False,
    ) -> UUID:
        """Grant supervisor access; returns the grant id."""
        result = self.run(
            GrantSupervisorAccess(
                department_id=department,
                supervisor_id=supervisor,
                trainee_ids=trainees,
                main_supervisor_for=main_for,
                delegated_approval=delegated,
                start=start,
            ),
            self.actor(uao),
        )
        access = self.app.repository.get(result.events[-1].stream_id)
        return access.grants[-1].grant_id  # type: ignore[no-any-return]


class Ward:
    """A KBU trainee employed at a department with a UAO and three kinds of supervisor."""

    def __init__(self, world: World, hired: date = date(2026, 1, 1)) -> None:
        self.world = world
        world.specialty("kbu", ("kbu",))
        self.curriculum = world.curriculum(
            "2019",
            date(2019, 2, 1),
            competencies=[
                competency("K1"),
                competency(
                    "K2",
                    methods=[
                        {"method": "osats", "mandatory": False},
                        {"method": "mini_cex", "mandatory": False},
                    ],
                ),
                competency("K3"),
            ],
        )
        self.department = world.department("D1", "nord")
        self.other_department = world.department("D2", "nord")
        self.trainee = world.doctor("TR001", "Trine Trainee")
        self.uao = world.doctor("UA001", "Ulla UAO")
        self.delegated = world.doctor("SV001", "Søren Delegated")
        self.plain = world.doctor("SV002", "Sara Plain")
        self.main = world.doctor("SV003", "Mette Main")
        self.other_uao = world.doctor("UA002", "Ole Other UAO")
        self.programme = world.programme(self.trainee, hired)
        world.employ(self.programme, self.department, hired, date(hired.year, 12, 31))
        world.appoint(self.department, self.uao, date(2025, 1, 1))
        world.appoint(self.other_department, self.other_uao, date(2025, 1, 1))
        self.delegated_grant = world.grant(
            self.department, self.uao, self.delegated, start=hired, delegated=True
        )
        self.plain_grant = world.grant(self.department, self.uao, self.plain, start=hired)
        self.main_grant = world.grant(
            self.department,
            self.uao,
            self.main,
            start=hired,
            trainees=[self.trainee],
            main_for=self.trainee,
        )

    def approve(
        self, code: str, *, on: str = "2026-02-02", by: UUID | None = None
    ) -> CommandResult:
        """Approve a competency of the trainee's programme (by the UAO unless `by` is given)."""
        return self.world.run(
            ApproveCompetency.model_validate(
                {
                    "programme_id": self.programme,
                    "competency_code": code,
                    "method": "mini_cex",
                    "assessed_on": on,
                }
            ),
            self.world.actor(by or self.uao),
        )
