"""Every aggregate and event class, for fixtures, schema checks and the audit trail."""

from __future__ import annotations

from logbog_es.domain import (
    access,
    cpr,
    curriculum,
    department,
    doctor,
    evaluation,
    identity,
    import_source,
    programme,
    readlog,
    receipt,
    reminders,
    specialty,
    staff,
    submission,
)
from logbog_es.domain.base import LogbogAggregate

AGGREGATES: tuple[type[LogbogAggregate], ...] = (
    specialty.Specialty,
    curriculum.CurriculumVersion,
    department.Department,
    doctor.Doctor,
    programme.Programme,
    staff.StaffMember,
    receipt.CommandReceipt,
    access.DepartmentAccess,
    submission.Submission,
    readlog.ReadLog,
    evaluation.Evaluation,
    evaluation.EvaluationResponse,
    cpr.CprClaim,
    reminders.Reminder,
    reminders.Digest,
    reminders.MailChoice,
    import_source.ImportSource,
    identity.IdentityLink,
)


def event_classes() -> dict[str, type[LogbogAggregate.Event]]:
    """Topic -> event class, for every event of every aggregate."""
    found: dict[str, type[LogbogAggregate.Event]] = {}
    for aggregate in AGGREGATES:
        for name, value in vars(aggregate).items():
            if name == "Event" or not isinstance(value, type):
                continue
            topic = getattr(value, "TOPIC", None)
            if issubclass(value, LogbogAggregate.Event) and isinstance(topic, str):
                found[topic] = value
    return found
