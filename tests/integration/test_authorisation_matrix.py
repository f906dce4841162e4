"""Every role against every command: forbidden ones are refused and write nothing (R2-R4, R10).

The expected permissions are written out here, independently of the policy module, as the spec.
Runs at the application level on the in-memory store (the HTTP layer maps NotAllowed to 403,
tested in tests/e2e); operators act only through the CLI, so they cannot be reached over HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

import pytest

from logbog_es.application import Logbog
from logbog_es.application.handlers import HANDLERS
from logbog_es.commands import (
    COMMANDS,
    AddEmployment,
    AppointUao,
    ApproveCompetency,
    AttestEmploymentTime,
    ChangeCurriculumVersion,
    ChangeEmploymentFraction,
    ChooseReminderMail,
    Command,
    DeclineAssessment,
    EndUaoAppointment,
    ExtendEmployment,
    GrantStaff,
    GrantSupervisorAccess,
    PublishCurriculum,
    RecordAbsence,
    RecordCourseCompletion,
    RegisterDepartment,
    RegisterDoctor,
    RegisterPriorAttestation,
    RegisterSpecialty,
    RequestAssessment,
    RespondToEvaluations,
    RetireSpecialty,
    RevokeIdentityLink,
    RevokeStaff,
    RevokeSupervisorAccess,
    StartProgramme,
    SubmitDocumentation,
    SubmitEvaluation,
    SubmitSupplementaryDocumentation,
    VerifyPriorAttestation,
    WithdrawApproval,
)
from logbog_es.domain.errors import LogbogError, NotAllowed
from logbog_es.domain.policy import Actor
from logbog_es.domain.questionnaire import CURRENT
from tests.helpers import OPERATOR, Ward, World, competency

ROLES = [
    "operator",
    "curriculum-admin",
    "secretariat-nord",
    "secretariat-syd",
    "auditor",
    "uao",
    "other-uao",
    "delegated-supervisor",
    "plain-supervisor",
    "main-supervisor",
    "trainee",
    "other-trainee",
    "nobody",
]

ALLOWED: dict[str, set[str]] = {
    "grant-staff": {"operator"},
    "revoke-staff": {"operator"},
    "register-specialty": {"curriculum-admin"},
    "retire-specialty": {"curriculum-admin"},
    "publish-curriculum": {"curriculum-admin"},
    "register-department": {"secretariat-nord"},
    "register-doctor": {"secretariat-nord", "secretariat-syd"},
    "start-programme": {"secretariat-nord"},
    "add-employment": {"secretariat-nord"},
    "change-curriculum-version": {"secretariat-nord"},
    "appoint-uao": {"secretariat-nord"},
    "end-uao-appointment": {"secretariat-nord"},
    "grant-supervisor-access": {"uao"},
    "revoke-supervisor-access": {"uao"},
    "request-assessment": {"trainee"},
    "approve-competency": {"uao", "delegated-supervisor", "main-supervisor"},
    "decline-assessment": {"uao", "main-supervisor"},
    "withdraw-approval": {"uao"},
    "record-course-completion": {"uao", "secretariat-nord"},
    "register-prior-attestation": {"trainee"},
    "verify-prior-attestation": {"uao"},
    "record-absence": {"uao", "secretariat-nord"},
    "change-employment-fraction": {"secretariat-nord"},
    "extend-employment": {"secretariat-nord"},
    "attest-employment-time": {"uao"},
    "submit-documentation": {"trainee"},
    "submit-supplementary-documentation": {"trainee"},
    "submit-evaluation": {"trainee"},
    "respond-to-evaluations": {"uao"},
    "choose-reminder-mail": set(ROLES) - {"operator", "nobody"},
    "revoke-identity-link": {"secretariat-nord"},
}

#: Allowed, but refused by the domain in this scene (authorisation passed, the rules did not).
DOMAIN_REFUSAL = {
    "submit-documentation": "dossier.not_ready",
    "submit-supplementary-documentation": "dossier.nothing_new",
    "submit-evaluation": "evaluation.too_early",
}


class Scene:
    """A fresh ward with a second trainee, an auditor and one of everything to act on."""

    def __init__(self) -> None:
        self.app = Logbog(
            handlers=HANDLERS,
            env={"PERSISTENCE_MODULE": "logbog_es.application.chain:ChainedPOPOFactory"},
            today=lambda: date(2026, 6, 15),
        )
        self.world = World(self.app)
        self.ward = Ward(self.world)
        w, ward = self.world, self.ward
        self.app.execute(
            GrantStaff.model_validate({"subject": "auditor", "role": "auditor"}), OPERATOR
        )
        self.other_trainee = w.doctor("OT001", "Other Trainee")
        other_programme = w.programme(self.other_trainee, date(2026, 1, 1))
        w.employ(other_programme, ward.other_department, date(2026, 1, 1), date(2026, 12, 31))
        self.second_curriculum = w.curriculum("2026", date(2026, 1, 1))
        self.newcomer = w.doctor("NW001", "New Comer")

    def actor(self, role: str) -> Actor:
        w, ward = self.world, self.ward
        by_doctor = {
            "uao": ward.uao,
            "other-uao": ward.other_uao,
            "delegated-supervisor": ward.delegated,
            "plain-supervisor": ward.plain,
            "main-supervisor": ward.main,
            "trainee": ward.trainee,
            "other-trainee": self.other_trainee,
        }
        if role in by_doctor:
            return w.actor(by_doctor[role])
        return {
            "operator": OPERATOR,
            "curriculum-admin": w.admin,
            "secretariat-nord": w.sek["nord"],
            "secretariat-syd": w.sek["syd"],
            "auditor": self.app.resolve_actor("auditor"),
            "nobody": self.app.resolve_actor("nobody"),
        }[role]

    def as_uao(self, command: Command) -> None:
        self.app.execute(command, self.world.actor(self.ward.uao))

    def programme(self) -> object:
        return self.app.repository.get(self.ward.programme)


def _request(scene: Scene) -> Command:
    scene.app.execute(
        RequestAssessment(
            programme_id=scene.ward.programme, competency_code="K1", supervisor_id=scene.ward.main
        ),
        scene.world.actor(scene.ward.trainee),
    )
    request = next(iter(scene.programme().requests.values()))  # type: ignore[attr-defined]
    return DeclineAssessment(
        programme_id=scene.ward.programme, request_id=request.request_id, reason="Ikke endnu"
    )


def _identity_link(scene: Scene) -> Command:
    """A login linked to the trainee (its first login carried the authorisation id)."""
    from logbog_es.application.identity import login_subject
    from logbog_es.domain.identity import identity_link_id

    login_subject(scene.app, "https://idp.example", "opaque-sub-1", "TR001")
    return RevokeIdentityLink(
        doctor_id=scene.ward.trainee,
        link_id=identity_link_id("https://idp.example", "opaque-sub-1"),
        reason="Ikke lægens login",
    )


def _approval(scene: Scene) -> Command:
    scene.as_uao(
        ApproveCompetency.model_validate(
            {
                "programme_id": scene.ward.programme,
                "competency_code": "K1",
                "method": "mini_cex",
                "assessed_on": "2026-03-02",
            }
        )
    )
    approval = scene.programme().approvals[0]  # type: ignore[attr-defined]
    return WithdrawApproval(
        programme_id=scene.ward.programme, approval_id=approval.approval_id, reason="Fejl"
    )


def _attestation(scene: Scene) -> Command:
    scene.app.execute(
        RegisterPriorAttestation.model_validate(
            {
                "programme_id": scene.ward.programme,
                "kind": "course",
                "code": "C1",
                "attested_on": "2019-03-01",
                "attested_by": "X",
                "document_ref": "Y",
            }
        ),
        scene.world.actor(scene.ward.trainee),
    )
    attestation = next(iter(scene.programme().prior_attestations))  # type: ignore[attr-defined]
    return VerifyPriorAttestation(programme_id=scene.ward.programme, attestation_id=attestation)


def _appointment(scene: Scene) -> Command:
    access = scene.app.repository.get(
        scene.world.appoint(scene.ward.department, scene.newcomer, date(2026, 1, 1))
        .events[-1]
        .stream_id
    )
    return EndUaoAppointment(
        department_id=scene.ward.department,
        appointment_id=access.appointments[-1].appointment_id,
        last_day=date(2026, 6, 30),
    )


def _employment(scene: Scene) -> UUID:
    return scene.programme().employments[0].employment_id  # type: ignore[attr-defined, no-any-return]


def _attestable(scene: Scene) -> Command:
    """A second trainee at the ward whose employment is in its last month today."""
    doctor = scene.world.doctor("AT001", "Anna Attest")
    programme = scene.world.programme(doctor, date(2025, 12, 1))
    scene.world.employ(programme, scene.ward.department, date(2025, 12, 1), date(2026, 6, 30))
    employment = scene.app.repository.get(programme).employments[0].employment_id
    return AttestEmploymentTime(programme_id=programme, employment_id=employment)


def _submitted(scene: Scene) -> Command:
    """A submission of the ward trainee's, built directly (the scene's KBU is not finished)."""
    from logbog_es.domain.base import Meta
    from logbog_es.domain.readiness import SubmissionKind
    from logbog_es.domain.submission import Submission
    from logbog_es.domain.values import Capacity

    submission = Submission.submit(
        new_id=UUID(int=77),
        programme_id=scene.ward.programme,
        doctor_id=scene.ward.trainee,
        kind=SubmissionKind.INDEPENDENT_PRACTICE,
        submitted_on=date(2026, 6, 1),
        package={"employments": []},
        sources={},
        chain_head=(0, "0" * 64),
        meta=Meta("test", Capacity.TRAINEE, "matrix-submission"),
    )
    scene.app.save(submission)
    return SubmitSupplementaryDocumentation(submission_id=submission.id)


BUILD: dict[str, Callable[[Scene], Command]] = {
    "grant-staff": lambda _s: GrantStaff.model_validate({"subject": "x", "role": "auditor"}),
    "revoke-staff": lambda _s: RevokeStaff.model_validate(
        {"subject": "auditor", "role": "auditor"}
    ),
    "register-specialty": lambda _s: RegisterSpecialty.model_validate(
        {"code": "ny", "name": "Ny", "stages": ["main"], "on_logbook_from": "2020-01-01"}
    ),
    "retire-specialty": lambda _s: RetireSpecialty(code="kbu", retired_on=date(2030, 1, 1)),
    "publish-curriculum": lambda _s: PublishCurriculum.model_validate(
        {
            "specialty_code": "kbu",
            "stage": "kbu",
            "label": "2030",
            "effective_from": "2030-01-01",
            "nominal_duration_months": 12,
            "competencies": [competency("Z1")],
        }
    ),
    "register-department": lambda _s: RegisterDepartment.model_validate(
        {"code": "D9", "name": "Ny afdeling", "kind": "hospital", "region": "nord"}
    ),
    "register-doctor": lambda _s: RegisterDoctor(
        authorisation_id="ZZ999", name="Z", email="z@example.dk"
    ),
    "start-programme": lambda s: StartProgramme.model_validate(
        {
            "doctor_id": s.newcomer,
            "specialty_code": "kbu",
            "stage": "kbu",
            "region": "nord",
            "hiring_date": "2026-05-01",
        }
    ),
    "add-employment": lambda s: AddEmployment(
        programme_id=s.ward.programme,
        department_id=s.ward.department,
        start=date(2027, 1, 1),
        end=date(2027, 6, 30),
    ),
    "change-curriculum-version": lambda s: ChangeCurriculumVersion(
        programme_id=s.ward.programme, curriculum_id=s.second_curriculum, reason="Aftalt"
    ),
    "appoint-uao": lambda s: AppointUao(
        department_id=s.ward.department, doctor_id=s.newcomer, start=date(2026, 7, 1)
    ),
    "end-uao-appointment": _appointment,
    "grant-supervisor-access": lambda s: GrantSupervisorAccess(
        department_id=s.ward.department, supervisor_id=s.newcomer
    ),
    "revoke-supervisor-access": lambda s: RevokeSupervisorAccess(
        department_id=s.ward.department, grant_id=s.ward.plain_grant
    ),
    "request-assessment": lambda s: RequestAssessment(
        programme_id=s.ward.programme, competency_code="K2", supervisor_id=s.ward.main
    ),
    "approve-competency": lambda s: ApproveCompetency.model_validate(
        {
            "programme_id": s.ward.programme,
            "competency_code": "K1",
            "method": "mini_cex",
            "assessed_on": "2026-03-02",
        }
    ),
    "decline-assessment": _request,
    "withdraw-approval": _approval,
    "record-course-completion": lambda s: RecordCourseCompletion.model_validate(
        {
            "programme_id": s.ward.programme,
            "course_code": "C1",
            "completed_on": "2026-02-02",
            "days": 2,
            "evidence_ref": "Bevis",
        }
    ),
    "register-prior-attestation": lambda s: RegisterPriorAttestation.model_validate(
        {
            "programme_id": s.ward.programme,
            "kind": "competency",
            "code": "K3",
            "attested_on": "2019-03-01",
            "attested_by": "X",
            "document_ref": "Y",
        }
    ),
    "verify-prior-attestation": _attestation,
    "record-absence": lambda s: RecordAbsence.model_validate(
        {
            "programme_id": s.ward.programme,
            "employment_id": _employment(s),
            "kind": "sickness",
            "first_day": "2026-02-02",
            "last_day": "2026-02-04",
        }
    ),
    "change-employment-fraction": lambda s: ChangeEmploymentFraction.model_validate(
        {
            "programme_id": s.ward.programme,
            "employment_id": _employment(s),
            "from_date": "2026-03-01",
            "percent": 75,
        }
    ),
    "extend-employment": lambda s: ExtendEmployment.model_validate(
        {
            "programme_id": s.ward.programme,
            "employment_id": _employment(s),
            "new_end": "2027-01-31",
            "reason": "Deltid",
        }
    ),
    "attest-employment-time": _attestable,
    "submit-documentation": lambda s: SubmitDocumentation.model_validate(
        {"programme_id": s.ward.programme, "kind": "independent-practice"}
    ),
    "submit-supplementary-documentation": _submitted,
    "submit-evaluation": lambda s: SubmitEvaluation.model_validate(
        {
            "programme_id": s.ward.programme,
            "employment_id": _employment(s),
            "answers": {q.code: 4 for q in CURRENT.questions},
        }
    ),
    "respond-to-evaluations": lambda s: RespondToEvaluations(
        department_id=s.ward.department, period="2026-H1", text="Tak for svarene."
    ),
    "choose-reminder-mail": lambda _s: ChooseReminderMail(
        digest=True, address="mig@example.dk", language="da"
    ),
    "revoke-identity-link": _identity_link,
}


def test_the_matrix_covers_every_command() -> None:
    """A new command must be added to the matrix with its expected roles."""
    assert set(ALLOWED) == set(COMMANDS) == set(BUILD)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_role_against_command(name: str, role: str) -> None:
    """Allowed: the command succeeds. Forbidden: NotAllowed (403) and the position is unchanged."""
    scene = Scene()
    command = BUILD[name](scene)
    before = scene.app.position()
    if role in ALLOWED[name] and name in DOMAIN_REFUSAL:
        with pytest.raises(LogbogError) as refused_by_rules:
            scene.app.execute(command, scene.actor(role))
        assert refused_by_rules.value.code == DOMAIN_REFUSAL[name]
        assert scene.app.position() == before
    elif role in ALLOWED[name]:
        result = scene.app.execute(command, scene.actor(role))
        assert result.events
        assert scene.app.position() > before
    else:
        with pytest.raises(NotAllowed) as refused:
            scene.app.execute(command, scene.actor(role))
        assert refused.value.status == 403
        assert refused.value.message
        assert scene.app.position() == before
