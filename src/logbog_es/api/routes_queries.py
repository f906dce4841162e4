"""Queries: reference data from the catalogue read model, single entities from the store."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from logbog_es.api.deps import ActorDep, ContainerDep, wait_for_read_model
from logbog_es.api.schemas import (
    AppointmentOut,
    ApprovalOut,
    AssessorOut,
    CompetencyOut,
    CourseCompletionOut,
    CourseOut,
    CurriculumOut,
    CurriculumSummaryOut,
    DepartmentOut,
    DoctorFoundOut,
    DoctorOut,
    EmploymentOut,
    GrantOut,
    MeOut,
    MethodOut,
    PendingRequestOut,
    PendingRequestsPage,
    PriorAttestationOut,
    ProgrammeOut,
    ProgrammeSummaryOut,
    RequestOut,
    SpecialtyOut,
    StaffRoleOut,
)
from logbog_es.application import queries
from logbog_es.domain.policy import grant_approves
from logbog_es.domain.programme import Programme
from logbog_es.domain.values import Region, Stage
from logbog_es.projections import (
    access_directory,
    catalogue,
    programme_progress,
    region_register,
    supervisor_requests,
)

router = APIRouter()
After = Annotated[
    int | None,
    Query(description="Read your writes: wait until the read model has reached this position."),
]


@router.get("/me", tags=["people"])
def me(actor: ActorDep, container: ContainerDep, after: After = None) -> MeOut:
    """Who the caller is, where they hold access today, and which commands they may issue."""
    wait_for_read_model(container, after, ["access_directory", "catalogue"])
    today = container.app.today()
    appointments: list[dict[str, Any]] = []
    grants: list[dict[str, Any]] = []
    if actor.doctor_id is not None:
        appointments = access_directory.appointments_of(
            container.read_store, str(actor.doctor_id), today
        )
        grants = access_directory.grants_of(container.read_store, str(actor.doctor_id), today)
    return MeOut(
        subject=actor.subject,
        doctor_id=actor.doctor_id,
        staff_roles=[
            StaffRoleOut(role=g.role.value, region=g.region.value if g.region else None)
            for g in sorted(actor.grants)
        ],
        trainee_access_from=actor.trainee_access_from,
        appointments=[AppointmentOut(**a) for a in appointments],
        supervisor_access=[GrantOut(**g) for g in grants],
        may=queries.may(
            container.app,
            actor,
            uao=bool(appointments),
            supervisor=bool(grants),
            approves=any(
                grant_approves(
                    delegated=g["delegated"], main_supervisor_for=g["main_supervisor_for"]
                )
                for g in grants
            ),
        ),
    )


@router.get("/supervisors/me/requests", tags=["people"])
def my_requests(
    actor: ActorDep,
    container: ContainerDep,
    cursor: Annotated[
        int, Query(ge=0, description="Return requests after this cursor (next_cursor).")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    after: After = None,
) -> PendingRequestsPage:
    """The assessment requests waiting for the calling supervisor, oldest first."""
    # The titles come from each programme's curriculum version, read from programme_progress:
    # both read models must have caught up (waiting for one only let a title be empty).
    wait_for_read_model(container, after, ["supervisor_requests", "programme_progress"])
    if actor.doctor_id is None:
        return PendingRequestsPage(items=[], next_cursor=None)
    rows = supervisor_requests.pending_for(
        container.read_store, str(actor.doctor_id), limit=limit + 1, after_position=cursor
    )
    shown = rows[:limit]
    curricula = programme_progress.curricula_of(
        container.read_store, [r["programme_id"] for r in shown]
    )
    places: dict[str, str] = {}
    titles: dict[tuple[str, str], str] = {}
    items = []
    for row in shown:
        department = str(row["department_id"])
        if department not in places:
            places[department] = queries.department_name(container.app, UUID(department))
        key = (str(curricula.get(row["programme_id"], "")), str(row["competency_code"]))
        if key not in titles:
            titles[key] = queries.competency_title(container.app, key[0], key[1])
        items.append(
            PendingRequestOut(
                **{
                    **row,
                    "position": row["requested_position"],
                    "department_name": places[department],
                    "competency_title": titles[key],
                }
            )
        )
    return PendingRequestsPage(
        items=items, next_cursor=items[-1].position if len(rows) > limit else None
    )


@router.get("/specialties", tags=["reference data"])
def specialties(
    _actor: ActorDep, container: ContainerDep, after: After = None
) -> list[SpecialtyOut]:
    wait_for_read_model(container, after, ["catalogue"])
    return [
        SpecialtyOut(**{**row, "stages": row["stages"].split(",")})
        for row in catalogue.list_specialties(container.read_store)
    ]


@router.get("/curricula", tags=["reference data"])
def curricula(
    _actor: ActorDep,
    container: ContainerDep,
    specialty_code: str | None = None,
    stage: Stage | None = None,
    after: After = None,
) -> list[CurriculumSummaryOut]:
    wait_for_read_model(container, after, ["catalogue"])
    rows = catalogue.list_curricula(
        container.read_store,
        specialty_code=specialty_code,
        stage=stage.value if stage else None,
    )
    return [CurriculumSummaryOut(**row) for row in rows]


@router.get("/curricula/{curriculum_id}", tags=["reference data"])
def curriculum(
    curriculum_id: UUID, _actor: ActorDep, container: ContainerDep, response: Response
) -> CurriculumOut:
    version = queries.read_curriculum(container.app, curriculum_id)
    response.headers["ETag"] = f'"{version.version}"'
    return CurriculumOut(
        curriculum_id=version.id,
        specialty_code=version.specialty_code,
        stage=version.stage.value,
        label=version.label,
        effective_from=version.effective_from,
        nominal_duration_months=version.nominal_duration_months,
        competencies=[
            CompetencyOut(
                code=c.code,
                title=c.title,
                description=c.description,
                roles=[r.value for r in c.roles],
                methods=[
                    MethodOut(method=m.method.value, mandatory=m.mandatory) for m in c.methods
                ],
            )
            for c in version.competencies
        ],
        courses=[
            CourseOut(code=c.code, title=c.title, kind=c.kind.value, hours=c.hours, days=c.days)
            for c in version.courses
        ],
    )


@router.get("/departments", tags=["reference data"])
def departments(
    _actor: ActorDep, container: ContainerDep, region: Region | None = None, after: After = None
) -> list[DepartmentOut]:
    wait_for_read_model(container, after, ["catalogue"])
    rows = catalogue.list_departments(container.read_store, region=region.value if region else None)
    return [DepartmentOut(**row) for row in rows]


@router.get("/departments/{department_id}", tags=["reference data"])
def department(department_id: UUID, _actor: ActorDep, container: ContainerDep) -> DepartmentOut:
    dep = queries.read_department(container.app, department_id)
    return DepartmentOut(
        department_id=dep.id,
        code=dep.code,
        name=dep.name,
        kind=dep.kind.value,
        region=dep.region.value,
    )


def _programme_out(app: Any, p: Programme) -> ProgrammeOut:
    people = queries.names(
        app,
        [
            p.doctor_id,
            *(a.approver_id for a in p.approvals),
            *(a.delegated_by for a in p.approvals if a.delegated_by),
            *(r.supervisor_id for r in p.requests.values()),
        ],
    )
    places: dict[UUID, str] = {}

    def place(department: UUID) -> str:
        if department not in places:
            places[department] = queries.department_name(app, department)
        return places[department]

    return ProgrammeOut(
        programme_id=p.id,
        doctor_id=p.doctor_id,
        doctor_name=people.get(p.doctor_id, ""),
        specialty_code=p.specialty_code,
        stage=p.stage.value,
        region=p.region.value,
        hiring_date=p.hiring_date,
        curriculum_id=p.curriculum_id,
        curriculum_label=p.curriculum_label,
        employments=[
            EmploymentOut(
                employment_id=e.employment_id,
                department_id=e.department_id,
                department_name=place(e.department_id),
                start=e.start,
                end=e.end,
                percent=e.percent,
                required_end=report.required_end,
                extension_needed=report.extension_missing,
            )
            for e in p.employments
            for report in [p.time_report(e.employment_id, e.start)]
        ],
        approvals=[
            ApprovalOut(
                approval_id=a.approval_id,
                competency_code=a.competency_code,
                approver_id=a.approver_id,
                approver_name=people.get(a.approver_id, ""),
                capacity=a.capacity.value,
                delegated_by=a.delegated_by,
                delegated_by_name=people.get(a.delegated_by) if a.delegated_by else None,
                method=a.method.value,
                assessed_on=a.assessed_on,
                department_id=a.department_id,
                department_name=place(a.department_id),
                withdrawn=a.withdrawn,
            )
            for a in p.approvals
        ],
        requests=[
            RequestOut(
                request_id=r.request_id,
                competency_code=r.competency_code,
                supervisor_id=r.supervisor_id,
                supervisor_name=people.get(r.supervisor_id, ""),
                department_id=r.department_id,
                department_name=place(r.department_id),
                status=r.status.value,
                note=r.note,
            )
            for r in p.requests.values()
        ],
        courses=[
            CourseCompletionOut(
                course_code=c.course_code,
                completed_on=c.completed_on,
                hours=c.hours,
                days=c.days,
                evidence_ref=c.evidence_ref,
            )
            for c in p.courses.values()
        ],
        prior_attestations=[
            PriorAttestationOut(
                attestation_id=a.attestation_id,
                kind=a.kind.value,
                code=a.code,
                attested_on=a.attested_on,
                attested_by=a.attested_by,
                document_ref=a.document_ref,
                verified_by=a.verified_by,
                verified_on=a.verified_on,
                counts=a.counts,
            )
            for a in p.prior_attestations.values()
        ],
        version=p.version,
    )


@router.get("/doctors/{doctor_id}", tags=["people"])
def doctor(
    doctor_id: UUID, actor: ActorDep, container: ContainerDep, response: Response
) -> DoctorOut:
    """The doctor's profile with each programme and the curriculum version it follows (R1)."""
    view = queries.read_doctor(container.app, actor, doctor_id)
    response.headers["ETag"] = f'"{view.doctor.version}"'
    return DoctorOut(
        doctor_id=view.doctor.id,
        authorisation_id=view.doctor.authorisation_id,
        name=view.doctor.name,
        email=view.doctor.email,
        cpr_registered=view.doctor.cpr is not None,
        programmes=[
            ProgrammeSummaryOut(
                programme_id=p.id,
                specialty_code=p.specialty_code,
                stage=p.stage.value,
                hiring_date=p.hiring_date,
                curriculum_id=p.curriculum_id,
                curriculum_label=p.curriculum_label,
            )
            for p in view.programmes
        ],
        version=view.doctor.version,
    )


@router.get("/programmes/{programme_id}", tags=["programmes"])
def programme(
    programme_id: UUID, actor: ActorDep, container: ContainerDep, response: Response
) -> ProgrammeOut:
    p = queries.read_programme(container.app, actor, programme_id)
    response.headers["ETag"] = f'"{p.version}"'
    return _programme_out(container.app, p)


@router.get("/programmes/{programme_id}/assessors", tags=["programmes"])
def assessors(programme_id: UUID, actor: ActorDep, container: ContainerDep) -> list[AssessorOut]:
    """Whom the trainee may ask for an assessment today (R4): the UAO/tutor and the supervisors
    with access to them where they are employed today, by name."""
    found = queries.assessors_for(container.app, actor, programme_id)
    return [
        AssessorOut(
            doctor_id=a.doctor_id,
            name=a.name,
            capacity=a.capacity.value,
            department_id=a.department_id,
            department_name=queries.department_name(container.app, a.department_id),
        )
        for a in found
    ]


@router.get("/doctors", tags=["people"])
def find_doctors(
    actor: ActorDep,
    container: ContainerDep,
    search: Annotated[
        str, Query(min_length=1, max_length=100, description="Authorisation id, or part of a name.")
    ],
    after: After = None,
) -> list[DoctorFoundOut]:
    """Registered doctors, also those without a programme (secretariats only), at most 50."""
    queries.authorise_doctor_search(container.app, actor)
    wait_for_read_model(container, after, ["region_register"])
    return [
        DoctorFoundOut.model_validate(r)
        for r in region_register.find_people(container.read_store, search)
    ]
