"""Reads of single entities from the event store, filtered by the policy.

Lists and overviews come from read models (projections/); single aggregates may be read here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from logbog_es.application import chain
from logbog_es.application.app import CommandResult, Logbog
from logbog_es.application.dossier import introduction_of, regenerate, regenerate_supplement
from logbog_es.application.history import History, Present, history
from logbog_es.domain.access import DepartmentAccess, department_access_id
from logbog_es.domain.curriculum import CurriculumVersion
from logbog_es.domain.department import Department
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import Conflict, NotAllowed, NotFound
from logbog_es.domain.logbook import RequestStatus
from logbog_es.domain.messages import MESSAGES
from logbog_es.domain.policy import (
    Action,
    Actor,
    Allowed,
    Target,
    actions_at_department,
    decide,
    require,
    supervised_trainees,
)
from logbog_es.domain.programme import Programme, employment_id
from logbog_es.domain.readiness import Readiness, SubmissionKind, readiness
from logbog_es.domain.readlog import Reading, ReadLog, read_log_id
from logbog_es.domain.receipt import scoped_command_id
from logbog_es.domain.submission import Submission
from logbog_es.domain.values import Capacity, Region, StaffRole

#: The policy action behind each command, for `GET /me`.
COMMAND_ACTIONS: dict[str, Action] = {
    "grant-staff": Action.GRANT_STAFF,
    "revoke-staff": Action.REVOKE_STAFF,
    "register-specialty": Action.REGISTER_SPECIALTY,
    "retire-specialty": Action.RETIRE_SPECIALTY,
    "publish-curriculum": Action.PUBLISH_CURRICULUM,
    "register-department": Action.REGISTER_DEPARTMENT,
    "register-doctor": Action.REGISTER_DOCTOR,
    "start-programme": Action.START_PROGRAMME,
    "add-employment": Action.ADD_EMPLOYMENT,
    "change-curriculum-version": Action.CHANGE_CURRICULUM_VERSION,
    "appoint-uao": Action.APPOINT_UAO,
    "end-uao-appointment": Action.END_UAO_APPOINTMENT,
    "grant-supervisor-access": Action.GRANT_SUPERVISOR_ACCESS,
    "revoke-supervisor-access": Action.REVOKE_SUPERVISOR_ACCESS,
    "request-assessment": Action.REQUEST_ASSESSMENT,
    "approve-competency": Action.APPROVE_COMPETENCY,
    "decline-assessment": Action.DECLINE_ASSESSMENT,
    "withdraw-approval": Action.WITHDRAW_APPROVAL,
    "record-course-completion": Action.RECORD_COURSE_COMPLETION,
    "register-prior-attestation": Action.REGISTER_PRIOR_ATTESTATION,
    "verify-prior-attestation": Action.VERIFY_PRIOR_ATTESTATION,
    "record-absence": Action.RECORD_ABSENCE,
    "change-employment-fraction": Action.CHANGE_EMPLOYMENT_FRACTION,
    "extend-employment": Action.EXTEND_EMPLOYMENT,
    "attest-employment-time": Action.ATTEST_EMPLOYMENT_TIME,
    "submit-documentation": Action.SUBMIT_DOCUMENTATION,
    "submit-supplementary-documentation": Action.SUBMIT_DOCUMENTATION,
    "submit-evaluation": Action.SUBMIT_EVALUATION,
    "respond-to-evaluations": Action.RESPOND_TO_EVALUATIONS,
    "choose-reminder-mail": Action.CHOOSE_REMINDER_MAIL,
    "revoke-identity-link": Action.REVOKE_IDENTITY_LINK,
}


@dataclass(frozen=True, slots=True)
class DoctorView:
    doctor: Doctor
    programmes: tuple[Programme, ...]


def may(
    app: Logbog,
    actor: Actor,
    *,
    uao: bool = False,
    supervisor: bool = False,
    approves: bool = False,
) -> list[str]:
    """The commands `actor` may issue today for at least some target.

    Staff roles and trainee access are decided by the policy; `uao`, `supervisor` and
    `approves` say whether the actor holds an appointment, a grant, and a grant that lets them
    approve (the access directory knows). The policy still decides each command on its target.
    """
    today = app.today()
    names = set()
    for name, action in COMMAND_ACTIONS.items():
        targets = [Target(region=r) for r in Region]
        targets.append(
            Target(trainee_id=actor.doctor_id, trainee_access_from=actor.trainee_access_from)
        )
        if any(isinstance(decide(actor, action, t, today), Allowed) for t in targets):
            names.add(name)
    opened = actions_at_department(uao=uao, supervisor=supervisor, approves=approves)
    names.update(name for name, action in COMMAND_ACTIONS.items() if action in opened)
    return [name for name in COMMAND_ACTIONS if name in names]


def _rosters(app: Logbog, department_ids: list[UUID]) -> tuple[DepartmentAccess, ...]:
    unique = dict.fromkeys(department_ids)
    found = (app.find(DepartmentAccess, department_access_id(d)) for d in unique)
    return tuple(r for r in found if r is not None)


def read_doctor(app: Logbog, actor: Actor, doctor_id: UUID) -> DoctorView:
    doctor = app.load(Doctor, doctor_id, message="doctor.unknown", doctor_id=doctor_id)
    programmes = tuple(
        app.load(
            Programme, p.programme_id, message="programme.unknown", programme_id=p.programme_id
        )
        for p in doctor.programmes
    )
    target = Target(
        doctor_id=doctor.id,
        regions=frozenset(p.region for p in programmes),
        trainee_id=doctor.id,
        rosters=_rosters(app, [b.department_id for b in doctor.employments]),
    )
    require(actor, Action.READ_DOCTOR, target, app.today())
    return DoctorView(doctor, programmes)


def read_programme(app: Logbog, actor: Actor, programme_id: UUID) -> Programme:
    programme = app.load(
        Programme, programme_id, message="programme.unknown", programme_id=programme_id
    )
    doctor = app.find(Doctor, programme.doctor_id)
    target = Target(
        region=programme.region,
        doctor_id=programme.doctor_id,
        trainee_id=programme.doctor_id,
        trainee_access_from=doctor.access_from if doctor is not None else None,
        rosters=_rosters(app, [e.department_id for e in programme.employments]),
    )
    require(actor, Action.READ_PROGRAMME, target, app.today())
    return programme


def read_curriculum(app: Logbog, curriculum_id: UUID) -> CurriculumVersion:
    return app.load(
        CurriculumVersion, curriculum_id, message="curriculum.unknown", curriculum_id=curriculum_id
    )


def read_department(app: Logbog, department_id: UUID) -> Department:
    return app.load(
        Department, department_id, message="department.unknown", department_id=department_id
    )


@dataclass(frozen=True, slots=True)
class DepartmentView:
    department: Department
    trainees: frozenset[UUID] | None  # None: all of the department's trainees


def authorise_region(app: Logbog, actor: Actor, region: Region) -> None:
    require(actor, Action.READ_REGION_REGISTER, Target(region=region), app.today())


def read_department_view(app: Logbog, actor: Actor, department_id: UUID) -> DepartmentView:
    """The department, and which of its trainees `actor` may see (all, or a supervisor's)."""
    department = read_department(app, department_id)
    rosters = _rosters(app, [department.id])
    today = app.today()
    capacity = require(
        actor, Action.READ_DEPARTMENT, Target(region=department.region, rosters=rosters), today
    )
    if capacity is Capacity.SUPERVISOR:
        return DepartmentView(department, supervised_trainees(actor, rosters, today))
    return DepartmentView(department, None)


def read_readiness(
    app: Logbog, actor: Actor, programme_id: UUID, kind: SubmissionKind
) -> Readiness:
    """R8/R11: what is still missing, for whoever may read the programme."""
    programme = read_programme(app, actor, programme_id)
    curriculum = read_curriculum(app, programme.curriculum_id)
    doctor = app.load(
        Doctor, programme.doctor_id, message="doctor.unknown", doctor_id=programme.doctor_id
    )
    introduction = introduction_of(app, doctor, programme)
    return readiness(
        kind, programme, curriculum, app.today(), has_introduction=introduction is not None
    )


@dataclass(frozen=True, slots=True)
class SubmissionView:
    submission: Submission
    reproducible: bool | None  # rebuilt from the events, the same hash; None: imported
    chain_intact: bool  # the audit chain still has the head recorded at submission


def read_submission(app: Logbog, actor: Actor, submission_id: UUID) -> SubmissionView:
    submission = app.find(Submission, submission_id)
    if submission is None:
        raise NotFound("dossier.unknown", submission_id=submission_id)
    programme = app.load(
        Programme,
        submission.programme_id,
        message="programme.unknown",
        programme_id=submission.programme_id,
    )
    require(
        actor,
        Action.READ_SUBMISSION,
        Target(doctor_id=submission.doctor_id, region=programme.region),
        app.today(),
    )
    reproducible: bool | None = None  # an imported submission names a package kept elsewhere
    if not submission.imported:
        _, digest = regenerate(app, submission)
        reproducible = digest == submission.sha256 and all(
            regenerate_supplement(app, submission, i)[1] == s["sha256"]
            for i, s in enumerate(submission.supplements)
        )
    anchor = submission.chain_head
    intact = chain.check_anchor(app.recorder, anchor["position"], anchor["sha256"])
    return SubmissionView(submission, reproducible, intact)


def legacy_pdf_refused(view: SubmissionView) -> None:
    """An imported submission has no package here to print."""
    s = view.submission
    if s.imported:
        raise Conflict(
            "dossier.imported_no_pdf",
            submission_id=s.id,
            legacy_id=s.package.get("legacy_id"),
            legacy_sha256=s.package.get("legacy_sha256") or "not known",
        )


def submission_body(view: SubmissionView) -> dict[str, Any]:
    s = view.submission
    return {
        "submission_id": s.id,
        "programme_id": s.programme_id,
        "doctor_id": s.doctor_id,
        "kind": s.kind,
        "submitted_on": s.submitted_on,
        "sha256": s.sha256,
        "reproducible": view.reproducible,
        "chain_head": s.chain_head,
        "chain_intact": view.chain_intact,
        "package": s.package,
        "supplements": [
            {
                "supplement_id": e["supplement_id"],
                "submitted_on": e["submitted_on"],
                "sha256": e["sha256"],
                "package": e["package"],
            }
            for e in s.supplements
        ],
    }


def submission_filter(actor: Actor) -> tuple[str | None, list[str] | None]:
    """Which submissions `actor` may list: (doctor id or None, regions or None for all)."""
    if actor.holds(StaffRole.AUDITOR):
        return None, None
    regions = sorted(r.value for r in actor.secretariat_regions())
    if regions:
        return None, regions
    if actor.doctor_id is not None:
        return str(actor.doctor_id), None
    raise NotAllowed(
        "auth.read_submission", action=Action.READ_SUBMISSION.value, actor=actor.describe()
    )


def read_history(
    app: Logbog,
    actor: Actor,
    doctor_id: UUID,
    *,
    programme_id: UUID | None = None,
    period: tuple[date | None, date | None] = (None, None),
    as_of: date | None = None,
    as_of_position: int | None = None,
    effective_on: date | None = None,
    messages: Mapping[str, str] = MESSAGES,
    present: Present | None = None,
) -> History:
    """The doctor's history for whoever may read it; a read by someone else is recorded."""
    doctor = app.load(Doctor, doctor_id, message="doctor.unknown", doctor_id=doctor_id)
    programmes = [app.find(Programme, p.programme_id) for p in doctor.programmes]
    found = [p for p in programmes if p is not None]
    target = Target(
        doctor_id=doctor.id,
        regions=frozenset(p.region for p in found),
        has_submission=any(p.submissions for p in found),
    )
    capacity = require(actor, Action.READ_HISTORY, target, app.today())
    result = history(
        app,
        doctor_id,
        programme_id=programme_id,
        period=period,
        as_of=as_of,
        as_of_position=as_of_position,
        effective_on=effective_on,
        messages=messages,
        **({"present": present} if present is not None else {}),
    )
    if actor.doctor_id != doctor_id:
        app.record_read(doctor_id, actor, capacity, "history")
    return result


def read_readers(app: Logbog, actor: Actor, doctor_id: UUID) -> list[Reading]:
    """Who has read the doctor's history; only the doctor may ask."""
    if actor.doctor_id != doctor_id:
        raise NotAllowed("auth.readers_own_only")
    found = app.find(ReadLog, read_log_id(doctor_id))
    return list(found.readings) if found else []


@dataclass(frozen=True, slots=True)
class Assessor:
    doctor_id: UUID
    name: str
    capacity: Capacity
    department_id: UUID


def assessors_for(app: Logbog, actor: Actor, programme_id: UUID) -> list[Assessor]:
    """Whom the trainee may ask today to assess a competency: the UAO/tutor and the supervisors
    with access to them at the department where they are employed today (R2, R4). Empty when
    they are employed nowhere today. For whoever may read the programme."""
    programme = read_programme(app, actor, programme_id)
    today = app.today()
    employment = programme.employment_on(today)
    if employment is None:
        return []
    roster = app.find(DepartmentAccess, department_access_id(employment.department_id), shared=True)
    if roster is None:
        return []
    found = []
    for doctor_id, capacity in roster.assessors(programme.doctor_id, today):
        if doctor_id == programme.doctor_id:
            continue  # nobody assesses themselves
        doctor = app.find(Doctor, doctor_id, shared=True)
        found.append(
            Assessor(doctor_id, doctor.name if doctor else "", capacity, employment.department_id)
        )
    return found


def names(app: Logbog, doctor_ids: list[UUID]) -> dict[UUID, str]:
    """The names of doctors, for showing who did what (unknown ids are left out)."""
    found = {}
    for doctor_id in dict.fromkeys(doctor_ids):
        doctor = app.find(Doctor, doctor_id, shared=True)
        if doctor is not None:
            found[doctor_id] = doctor.name
    return found


@dataclass(frozen=True, slots=True)
class Offers:
    """What `actor` may do in a programme's logbook today, asked of the policy, so that a page
    offers only that (a forced request is still decided by the policy when it is run)."""

    request_assessment: bool  # the trainee, in their own logbook (R3)
    approve: bool  # R4, for an assessment today at the trainee's department today
    decline: frozenset[UUID]  # open requests the actor may decline
    submit: bool  # the trainee may send documentation (readiness decides the rest)


def logbook_offers(app: Logbog, actor: Actor, programme: Programme) -> Offers:
    today = app.today()
    doctor = app.find(Doctor, programme.doctor_id, shared=True)
    own = Target(
        trainee_id=programme.doctor_id,
        trainee_access_from=doctor.access_from if doctor is not None else None,
    )
    own_logbook = isinstance(decide(actor, Action.REQUEST_ASSESSMENT, own, today), Allowed)
    employment = programme.employment_on(today)
    approve = False
    if employment is not None and actor.doctor_id != programme.doctor_id:
        rosters = _rosters(app, [employment.department_id])
        approve = isinstance(
            decide(
                actor,
                Action.APPROVE_COMPETENCY,
                Target(rosters=rosters, trainee_id=programme.doctor_id),
                today,
            ),
            Allowed,
        )
    decline = frozenset(
        r.request_id
        for r in programme.requests.values()
        if r.status is RequestStatus.OPEN
        and isinstance(
            decide(
                actor,
                Action.DECLINE_ASSESSMENT,
                Target(addressed_to=r.supervisor_id, rosters=_rosters(app, [r.department_id])),
                today,
            ),
            Allowed,
        )
    )
    submit = isinstance(decide(actor, Action.SUBMIT_DOCUMENTATION, own, today), Allowed)
    return Offers(own_logbook, approve, decline, submit)


def department_name(app: Logbog, department_id: UUID) -> str:
    """A department's name, for showing where ('' for an unknown id)."""
    found = app.find(Department, department_id, shared=True)
    return found.name if found else ""


def _allowed(app: Logbog, actor: Actor, action: Action, target: Target) -> bool:
    return isinstance(decide(actor, action, target, app.today()), Allowed)


def _offered(
    app: Logbog, actor: Actor, checks: Mapping[str, tuple[Action, Target]]
) -> frozenset[str]:
    """The names whose (action, target) the policy allows `actor` today."""
    return frozenset(
        name for name, (action, target) in checks.items() if _allowed(app, actor, action, target)
    )


def programme_actions(app: Logbog, actor: Actor, programme: Programme) -> frozenset[str]:
    """The staff commands `actor` may issue on `programme` today, decided by the policy with
    the target each handler builds, so that a page offers only those (R1, R2, R5-R7, R10)."""
    region = Target(region=programme.region)
    departments = [e.department_id for e in programme.employments]
    everywhere = Target(region=programme.region, rosters=_rosters(app, departments))
    current = programme.employment_on(app.today())
    here = _rosters(app, [current.department_id]) if current is not None else ()
    doctor = app.find(Doctor, programme.doctor_id, shared=True)
    own = Target(
        trainee_id=programme.doctor_id,
        trainee_access_from=doctor.access_from if doctor is not None else None,
    )
    checks = {
        "register-prior-attestation": (Action.REGISTER_PRIOR_ATTESTATION, own),
        "submit-supplementary-documentation": (Action.SUBMIT_DOCUMENTATION, own),
        "add-employment": (Action.ADD_EMPLOYMENT, region),
        "change-curriculum-version": (Action.CHANGE_CURRICULUM_VERSION, region),
        "change-employment-fraction": (Action.CHANGE_EMPLOYMENT_FRACTION, region),
        "extend-employment": (Action.EXTEND_EMPLOYMENT, region),
        "record-absence": (Action.RECORD_ABSENCE, everywhere),
        "record-course-completion": (Action.RECORD_COURSE_COMPLETION, everywhere),
        "verify-prior-attestation": (Action.VERIFY_PRIOR_ATTESTATION, Target(rosters=here)),
    }
    return _offered(app, actor, checks)


def withdrawable(app: Logbog, actor: Actor, programme: Programme) -> frozenset[UUID]:
    """The approvals `actor` may withdraw today: decided, as the handler does, by the access
    chain of the department where each was given (R2)."""
    return frozenset(
        a.approval_id
        for a in programme.approvals
        if not a.withdrawn
        and _allowed(
            app,
            actor,
            Action.WITHDRAW_APPROVAL,
            Target(rosters=_rosters(app, [a.department_id])),
        )
    )


def attestable(app: Logbog, actor: Actor, programme: Programme) -> frozenset[UUID]:
    """The employments whose time `actor` may attest today (R7: the department's UAO/tutor,
    from the employment's last month; a missing extension is still offered, so that the
    refusal says what to do)."""
    today = app.today()
    return frozenset(
        e.employment_id
        for e in programme.employments
        if e.employment_id not in programme.time_attestations
        and programme.time_report(e.employment_id, today).last_month_starts <= today
        and _allowed(
            app,
            actor,
            Action.ATTEST_EMPLOYMENT_TIME,
            Target(rosters=_rosters(app, [e.department_id])),
        )
    )


def department_actions(app: Logbog, actor: Actor, department: Department) -> frozenset[str]:
    """The commands `actor` may issue at `department` today (R2, R13)."""
    region = Target(region=department.region)
    chain_ = Target(rosters=_rosters(app, [department.id]))
    checks = {
        "appoint-uao": (Action.APPOINT_UAO, region),
        "end-uao-appointment": (Action.END_UAO_APPOINTMENT, region),
        "grant-supervisor-access": (Action.GRANT_SUPERVISOR_ACCESS, chain_),
        "revoke-supervisor-access": (Action.REVOKE_SUPERVISOR_ACCESS, chain_),
        "respond-to-evaluations": (Action.RESPOND_TO_EVALUATIONS, chain_),
        "read-evaluation-comments": (Action.READ_EVALUATION_COMMENTS, chain_),
    }
    return _offered(app, actor, checks)


#: Commands that create something a caller will name next, and the event that holds its id.
_CREATED_STREAMS = {
    "register-doctor": ("doctor_id", "logbog:Doctor.Registered"),
    "start-programme": ("programme_id", "logbog:Programme.Started"),
    "register-department": ("department_id", "logbog:Department.Registered"),
    "publish-curriculum": ("curriculum_id", "logbog:CurriculumVersion.Published"),
}


def created_ids(result: CommandResult, actor: Actor) -> dict[str, UUID]:
    """The ids of what a command created, by name, the same for a replay of it: a new
    stream's id from its first event, or an id derived from the command's key (an
    employment's)."""
    found: dict[str, UUID] = {}
    named = _CREATED_STREAMS.get(result.command)
    if named is not None:
        name, topic = named
        stream = next((e.stream_id for e in result.events if e.type == topic), None)
        if stream is not None:
            found[name] = stream
    if result.command == "add-employment":
        found["employment_id"] = employment_id(scoped_command_id(actor.subject, result.command_id))
    return found


def authorise_doctor_search(app: Logbog, actor: Actor) -> None:
    """Searching all registered doctors (with or without a programme) is the secretariats'
    (to start a programme for one just registered, or for a transfer); the policy decides."""
    require(actor, Action.SEARCH_DOCTORS, Target(), app.today())


def competency_title(app: Logbog, curriculum_id: str, code: str) -> str:
    """A competency's title in a curriculum version ('' when either is unknown)."""
    try:
        found = app.find(CurriculumVersion, UUID(curriculum_id), shared=True)
    except ValueError:
        return ""
    competency = found.competency(code) if found else None
    return competency.title if competency else ""
