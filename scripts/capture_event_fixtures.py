"""Write a stored JSON fixture for every event class that has none yet.

Events are forever: once a fixture is written it is never rewritten. A changed event class gets a
new `class_version`, hence a new fixture file, and the old fixture keeps proving (through its
upcaster) that the old stored form still loads.

Run: .venv/bin/python scripts/capture_event_fixtures.py
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import date
from pathlib import Path

import structlog

from logbog_es.application import Logbog
from logbog_es.application.handlers import HANDLERS
from logbog_es.commands import (
    AppointUao,
    ApproveCompetency,
    AttestEmploymentTime,
    ChangeCurriculumVersion,
    ChangeEmploymentFraction,
    DeclineAssessment,
    EndUaoAppointment,
    ExtendEmployment,
    GrantStaff,
    GrantSupervisorAccess,
    RecordAbsence,
    RecordCourseCompletion,
    RegisterDoctor,
    RegisterPriorAttestation,
    RespondToEvaluations,
    RevokeStaff,
    RevokeSupervisorAccess,
    SubmitDocumentation,
    SubmitEvaluation,
    VerifyPriorAttestation,
    WithdrawApproval,
)
from logbog_es.demo import load_demo
from logbog_es.domain.base import Meta, stable_id
from logbog_es.domain.curriculum import curriculum_id
from logbog_es.domain.department import department_id
from logbog_es.domain.doctor import Doctor, doctor_id
from logbog_es.domain.policy import Actor
from logbog_es.domain.questionnaire import CURRENT
from logbog_es.domain.registry import event_classes
from logbog_es.domain.values import Capacity, Region, Stage

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "events"


def fixture_path(topic: str, class_version: int) -> Path:
    return FIXTURES / f"{topic.replace(':', '__')}.v{class_version}.json"


def sample_store() -> Logbog:
    """An in-memory store in which every event class occurs at least once."""
    app = Logbog(
        handlers=HANDLERS,
        env={"PERSISTENCE_MODULE": "logbog_es.application.chain:ChainedPOPOFactory"},
        today=lambda: date(2026, 6, 15),
    )
    load_demo(app)
    operator = Actor(subject="operator:fixtures", operator=True)
    app.execute(GrantStaff.model_validate({"subject": "tmp", "role": "auditor"}), operator)
    app.execute(RevokeStaff.model_validate({"subject": "tmp", "role": "auditor"}), operator)
    nord = app.resolve_actor("demo-sekretariat-nord")
    sofie = app.repository.get(doctor_id("DM001")).programmes[0].programme_id
    app.execute(
        ChangeCurriculumVersion(
            programme_id=sofie,
            curriculum_id=curriculum_id("kbu", Stage.KBU, "2019"),
            reason="Demo: flyttet efter aftale",
        ),
        nord,
    )
    auh = department_id("AUH-AKM")
    second = app.execute(
        AppointUao(department_id=auh, doctor_id=doctor_id("DM005"), start=date(2026, 1, 1)), nord
    )
    appointment = app.repository.get(second.events[-1].stream_id).appointments[-1]
    app.execute(
        EndUaoAppointment(
            department_id=auh, appointment_id=appointment.appointment_id, last_day=date(2026, 3, 31)
        ),
        nord,
    )
    uao = app.resolve_actor(str(doctor_id("DM004")))
    granted = app.execute(
        GrantSupervisorAccess(department_id=auh, supervisor_id=doctor_id("DM002")), uao
    )
    grant = app.repository.get(granted.events[-1].stream_id).grants[-1]
    app.execute(RevokeSupervisorAccess(department_id=auh, grant_id=grant.grant_id), uao)
    programme = app.repository.get(sofie)
    request = next(iter(programme.requests.values()))
    supervisor = app.resolve_actor(str(doctor_id("DM003")))
    app.execute(
        DeclineAssessment(programme_id=sofie, request_id=request.request_id, reason="Ikke endnu"),
        supervisor,
    )
    approval = programme.approvals[0]
    app.execute(
        WithdrawApproval(programme_id=sofie, approval_id=approval.approval_id, reason="Demo"), uao
    )
    trainee = app.resolve_actor(str(doctor_id("DM001")))
    app.execute(
        RegisterPriorAttestation.model_validate(
            {
                "programme_id": sofie,
                "kind": "competency",
                "code": "KBU-2",
                "attested_on": "2011-05-02",
                "attested_by": "Overlæge (papir)",
                "document_ref": "Scanning side 4",
            }
        ),
        trainee,
    )
    attestation = next(iter(app.repository.get(sofie).prior_attestations))
    app.execute(VerifyPriorAttestation(programme_id=sofie, attestation_id=attestation), uao)
    _time_and_submission(app)
    imported = Meta("import:fixtures", Capacity.IMPORT, "import:fixtures:1")
    signer = Doctor.register(
        authorisation_id="FX001", name="Fixtur Underskriver", email=None, cpr=None, meta=imported
    )
    signer.complete_contact_details(email="fx001@example.dk", cpr="010190-1234", meta=imported)
    app.save(signer)
    app.execute(  # with a CPR number: its claim (one CPR number, one doctor)
        RegisterDoctor(
            authorisation_id="FX002", name="Fixtur Læge", email="fx2@example.dk", cpr="020290-1234"
        ),
        app.resolve_actor("demo-sekretariat-nord"),
    )
    jonas = app.repository.get(doctor_id("DM005"))
    jonas.record_transfer(
        from_regions=[Region.NORD],
        to_region=Region.SYD,
        reason="Fortsætter hoveduddannelsen i Syd",
        meta=Meta("demo-sekretariat-syd", Capacity.SECRETARIAT, "fixtures:transfer"),
    )
    app.save(jonas)
    _reminders(app)
    from logbog_es.migration.importer import record_source

    record_source(app, "ab" * 32, "eksport-2026.jsonl")
    from logbog_es.application.identity import login_subject
    from logbog_es.commands import RevokeIdentityLink
    from logbog_es.domain.identity import identity_link_id

    login_subject(app, "https://mitid.example", "opaque-subject", "DM005")
    app.execute(
        RevokeIdentityLink(
            doctor_id=doctor_id("DM005"),
            link_id=identity_link_id("https://mitid.example", "opaque-subject"),
            reason="Login tilhører en anden",
        ),
        app.resolve_actor("demo-sekretariat-nord"),
    )
    return app


def _reminders(app: Logbog) -> None:
    """A reminder decided and resolved, a digest composed, failed once and delivered, a mail
    choice made and changed."""
    from datetime import UTC, datetime

    from logbog_es.commands import ChooseReminderMail
    from logbog_es.domain.reminders import Digest, Due, Reminder, ReminderKind

    system = Meta("system:reminders", Capacity.SYSTEM, "reminders:2026-06-15")
    found = Due(
        "attest:fixture",
        ReminderKind.TIME_ATTESTATION_DUE,
        str(doctor_id("DM004")),
        {"trainee": "Sofie Lund", "department": "Akutafdelingen", "from": "2026-06-01"},
        "/logbog/x/tid",
    )
    reminder = Reminder.decide(found, date(2026, 6, 15), system)
    app.save(reminder)
    digest = Digest.compose(
        recipient=str(doctor_id("DM004")),
        day=date(2026, 6, 15),
        address="hanne.bach@example.dk",
        language="da",
        reminders=[reminder.id],
        domain="logbog.localhost",
        meta=system,
    )
    at = datetime(2026, 6, 15, 6, 0, tzinfo=UTC)
    digest.failed("SMTPServerDisconnected", at, system)
    digest.delivered("smtp", at, system)
    app.save(digest)
    reminder.resolve(date(2026, 6, 20), system)
    app.save(reminder)
    hanne = app.resolve_actor(str(doctor_id("DM004")))
    app.execute(ChooseReminderMail(digest=True, address=None, language="da"), hanne)
    app.execute(ChooseReminderMail(digest=False, address=None, language="en"), hanne)


def _time_and_submission(app: Logbog) -> None:
    """Mads's KBU (2024-02-01 to 2025-01-31): time, attestations, submission, a supplement."""
    nord = app.resolve_actor("demo-sekretariat-nord")
    mads = app.repository.get(doctor_id("DM002")).programmes[0].programme_id
    rhv = department_id("RHV-MED")
    app.execute(
        AppointUao(department_id=rhv, doctor_id=doctor_id("DM004"), start=date(2024, 1, 1)), nord
    )
    uao = app.resolve_actor(str(doctor_id("DM004")))
    tutor = app.resolve_actor(str(doctor_id("DM006")))
    first, second = app.repository.get(mads).employments
    app.execute(
        RecordAbsence.model_validate(
            {
                "programme_id": mads,
                "employment_id": first.employment_id,
                "kind": "sickness",
                "first_day": "2024-03-04",
                "last_day": "2024-03-08",
            }
        ),
        uao,
    )
    app.execute(
        ChangeEmploymentFraction.model_validate(
            {
                "programme_id": mads,
                "employment_id": second.employment_id,
                "from_date": "2024-11-01",
                "percent": 80,
            }
        ),
        nord,
    )
    app.execute(
        ExtendEmployment.model_validate(
            {
                "programme_id": mads,
                "employment_id": second.employment_id,
                "new_end": "2025-02-28",
                "reason": "Deltid 80 % fra november",
            }
        ),
        nord,
    )
    for number in range(1, 6):
        app.execute(
            ApproveCompetency.model_validate(
                {
                    "programme_id": mads,
                    "competency_code": f"KBU-{number}",
                    "method": "structured_conversation" if number != 2 else "case_based_discussion",
                    "assessed_on": f"2024-0{number + 1}-1{number}",
                }
            ),
            uao,
        )
    for course in ("KBU-K1", "KBU-K2", "KBU-K3"):
        app.execute(
            RecordCourseCompletion.model_validate(
                {
                    "programme_id": mads,
                    "course_code": course,
                    "completed_on": "2024-06-03",
                    "days": 2,
                    "evidence_ref": "Kursusbevis",
                }
            ),
            nord,
        )
    app.execute(AttestEmploymentTime(programme_id=mads, employment_id=first.employment_id), uao)
    app.execute(AttestEmploymentTime(programme_id=mads, employment_id=second.employment_id), tutor)
    trainee = app.resolve_actor(str(doctor_id("DM002")))
    result = app.execute(
        SubmitDocumentation.model_validate({"programme_id": mads, "kind": "independent-practice"}),
        trainee,
    )
    # A supplement can only follow a later attestation; record one directly for its fixture.
    submission = app.repository.get(result.events[0].stream_id)
    submission.supplement(
        supplement_id=stable_id("supplement", "fixture"),
        submitted_on=date(2026, 6, 15),
        package={
            "format": 1,
            "kind": "supplement",
            "supplements": str(submission.id),
            "submitted_on": "2026-06-15",
            "employments": [],
        },
        sources={},
        meta=Meta("fixture", Capacity.TRAINEE, "fixture-supplement"),
    )
    app.save(submission)
    # Reading another person's history is recorded.
    from logbog_es.application import queries

    queries.read_history(app, nord, doctor_id("DM002"))
    # An evaluation of Sofie's first employment (in its last month) and the UAO's response.
    sofie = app.repository.get(doctor_id("DM001")).programmes[0].programme_id
    first = app.repository.get(sofie).employments[0]
    app.execute(
        SubmitEvaluation.model_validate(
            {
                "programme_id": sofie,
                "employment_id": first.employment_id,
                "answers": {q.code: 5 for q in CURRENT.questions},
                "comment": "Godt sted at lære.",
            }
        ),
        app.resolve_actor(str(doctor_id("DM001"))),
    )
    app.execute(
        RespondToEvaluations.model_validate(
            {
                "department_id": first.department_id,
                "period": "2026-H1",
                "text": "Tak for tilbagemeldingerne.",
            }
        ),
        app.resolve_actor(str(doctor_id("DM004"))),
    )


def main() -> int:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    app = sample_store()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    wanted = event_classes()
    written = 0
    for notification in app.recorder.select_notifications(start=1, limit=1_000_000):
        cls = wanted.get(notification.topic)
        if cls is None:
            continue
        path = fixture_path(notification.topic, getattr(cls, "class_version", 1))
        if path.exists():
            continue
        path.write_text(
            json.dumps(
                {
                    "topic": notification.topic,
                    "class_version": getattr(cls, "class_version", 1),
                    "originator_id": str(notification.originator_id),
                    "originator_version": notification.originator_version,
                    "state": json.loads(notification.state),
                },
                indent=2,
                ensure_ascii=False,
                sort_keys=True,
            )
            + "\n",
            encoding="utf-8",
        )
        written += 1
        print(f"wrote {path.relative_to(FIXTURES.parents[2])}")
    missing = [
        t for t, c in wanted.items() if not fixture_path(t, getattr(c, "class_version", 1)).exists()
    ]
    if missing:
        print("no sample for: " + ", ".join(missing), file=sys.stderr)
        return 1
    print(f"{written} new fixture(s); every event class has one")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
