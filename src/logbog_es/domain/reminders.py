"""Reminders: what is due for whom, decided from facts and a day; and the outbox that records
what was decided, composed into a daily digest, and delivered.

Pure rules (`due`) over plain facts the application reads from the read models; three
aggregates make it exactly once:

- `Reminder`, one per occasion (its id is a hash of the occasion's key, e.g. the assessment
  request and the rule): `Decided` once, `Resolved` when the thing is done (the request is
  answered, the time attested, the evaluation given), so reminders stop by themselves.
- `Digest`, one per person and day (its id is a hash of both): `Composed` once with the open
  reminders and a Message-ID derived from its id, then `Delivered`, or `DeliveryFailed` with
  the attempt and when to try again.
- `MailChoice`, one per person: a daily digest or none, an address for staff (doctors have
  theirs from registration), and the language of the mail.

A mail names no CPR number and no free text from a logbook: only kinds, dates, the names of
people, departments and competencies, and links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from logbog_es.domain.base import Created, Event, LogbogAggregate, Meta, stable_id


class ReminderKind(StrEnum):
    ASSESSMENT_WAITING = "assessment_waiting"  # to the supervisor asked
    ASSESSMENT_ESCALATED = "assessment_escalated"  # to the department's UAO/tutor
    EVALUATION_OPEN = "evaluation_open"  # to the trainee: the window opened
    EVALUATION_CLOSING = "evaluation_closing"  # to the trainee: a week before it closes
    TIME_ATTESTATION_DUE = "time_attestation_due"  # to the UAO/tutor: the last month began
    UAO_ENDING = "uao_ending"  # to the secretariat of the region
    READINESS_REACHED = "readiness_reached"  # to the trainee
    SUBMISSION_RECEIVED = "submission_received"  # to the trainee


@dataclass(frozen=True, slots=True)
class ReminderRules:
    """The rules' days (settings `LOGBOG_REMIND_*`)."""

    assessment_days: int = 14
    escalate_days: int = 28
    evaluation_closing_days: int = 7
    uao_ending_days: int = 30


# -- facts: what the rules read -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenRequest:
    request_id: str
    programme_id: str
    trainee_name: str
    competency_code: str
    competency_title: str
    supervisor_id: str
    department_id: str
    department_name: str
    uao_ids: tuple[str, ...]  # the department's UAO/tutor(s) today
    requested_on: date


@dataclass(frozen=True, slots=True)
class EmploymentFacts:
    employment_id: str
    programme_id: str
    trainee_id: str
    trainee_name: str
    department_id: str
    department_name: str
    uao_ids: tuple[str, ...]
    last_month_starts: date  # R7: attestation from this day
    attested: bool
    evaluation_opens: date
    evaluation_closes: date
    evaluated: bool


@dataclass(frozen=True, slots=True)
class AppointmentFacts:
    appointment_id: str
    department_id: str
    department_name: str
    region: str
    doctor_name: str
    last_day: date


@dataclass(frozen=True, slots=True)
class ReadyFacts:
    programme_id: str
    trainee_id: str
    kind: str  # a submission kind


@dataclass(frozen=True, slots=True)
class SubmissionFacts:
    submission_id: str
    trainee_id: str
    kind: str
    submitted_on: date


@dataclass
class Facts:
    requests: list[OpenRequest] = field(default_factory=list)
    employments: list[EmploymentFacts] = field(default_factory=list)
    appointments: list[AppointmentFacts] = field(default_factory=list)
    ready: list[ReadyFacts] = field(default_factory=list)
    submissions: list[SubmissionFacts] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Due:
    """A reminder that holds today. `key` names the occasion (stable across days);
    `recipient` a doctor's id or `secretariat:<region>`; `about` what the mail says (names of
    departments and competencies, dates: never a CPR number or free text); `link` the page
    where it is done."""

    key: str
    kind: ReminderKind
    recipient: str
    about: dict[str, str]
    link: str


def secretariat_of(region: str) -> str:
    return f"secretariat:{region}"


def due(facts: Facts, today: date, rules: ReminderRules) -> list[Due]:
    """Every reminder that holds on `today`; one not in the list is done (or not yet due)."""
    found: list[Due] = []
    for r in facts.requests:
        waited = (today - r.requested_on).days
        about = {
            "trainee": r.trainee_name,
            "competency": f"{r.competency_code} {r.competency_title}".strip(),
            "department": r.department_name,
            "since": r.requested_on.isoformat(),
        }
        link = f"/logbog/{r.programme_id}/kompetencer/{r.competency_code}"
        if waited >= rules.assessment_days:
            found.append(
                Due(
                    f"assessment:{r.request_id}",
                    ReminderKind.ASSESSMENT_WAITING,
                    r.supervisor_id,
                    about,
                    link,
                )
            )
        if waited >= rules.escalate_days:
            found += [
                Due(
                    f"assessment-escalated:{r.request_id}:{uao}",
                    ReminderKind.ASSESSMENT_ESCALATED,
                    uao,
                    about,
                    link,
                )
                for uao in r.uao_ids
            ]
    for e in facts.employments:
        about = {"trainee": e.trainee_name, "department": e.department_name}
        if not e.attested and today >= e.last_month_starts:
            found += [
                Due(
                    f"attest:{e.employment_id}:{uao}",
                    ReminderKind.TIME_ATTESTATION_DUE,
                    uao,
                    about | {"from": e.last_month_starts.isoformat()},
                    f"/logbog/{e.programme_id}/tid",
                )
                for uao in e.uao_ids
            ]
        if not e.evaluated and e.evaluation_opens <= today <= e.evaluation_closes:
            closing = e.evaluation_closes - timedelta(days=rules.evaluation_closing_days)
            kind, key = (
                (ReminderKind.EVALUATION_CLOSING, f"evaluation-closing:{e.employment_id}")
                if today >= closing
                else (ReminderKind.EVALUATION_OPEN, f"evaluation:{e.employment_id}")
            )
            found.append(
                Due(
                    key,
                    kind,
                    e.trainee_id,
                    {"department": e.department_name, "until": e.evaluation_closes.isoformat()},
                    f"/evalueringer/{e.employment_id}",
                )
            )
    for a in facts.appointments:
        if today <= a.last_day <= today + timedelta(days=rules.uao_ending_days):
            found.append(
                Due(
                    f"uao-ending:{a.appointment_id}",
                    ReminderKind.UAO_ENDING,
                    secretariat_of(a.region),
                    {
                        "department": a.department_name,
                        "name": a.doctor_name,
                        "last_day": a.last_day.isoformat(),
                    },
                    f"/afdeling/{a.department_id}",
                )
            )
    for ready in facts.ready:
        found.append(
            Due(
                f"ready:{ready.programme_id}:{ready.kind}",
                ReminderKind.READINESS_REACHED,
                ready.trainee_id,
                {"kind": ready.kind},
                f"/logbog/{ready.programme_id}/parathed",
            )
        )
    for s in facts.submissions:
        found.append(
            Due(
                f"received:{s.submission_id}",
                ReminderKind.SUBMISSION_RECEIVED,
                s.trainee_id,
                {"kind": s.kind, "on": s.submitted_on.isoformat()},
                f"/dokumentation/{s.submission_id}",
            )
        )
    return found


def reminder_id(key: str) -> UUID:
    return stable_id("reminder", key)


def digest_id(recipient: str, day: date) -> UUID:
    return stable_id("digest", recipient, day.isoformat())


def mail_choice_id(subject: str) -> UUID:
    return stable_id("mail-choice", subject)


def message_id(digest: UUID, domain: str) -> str:
    """The mail's Message-ID: the same for every attempt, so a receiver can drop a copy."""
    return f"<digest-{digest}@{domain}>"


def backoff(attempt: int) -> timedelta:
    """Wait before attempt `attempt + 1`: 1, 2, 4 ... minutes, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempt - 1)))


class Reminder(LogbogAggregate):
    TOPIC = "logbog:Reminder"

    if TYPE_CHECKING:
        key: str
        kind: ReminderKind
        recipient: str
        about: dict[str, str]
        link: str
        decided_on: date
        resolved_on: date | None

    class Decided(Created):
        TOPIC = "logbog:Reminder.Decided"
        key: str
        kind: str
        recipient: str
        about: dict[str, str]
        link: str
        decided_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.key = self.key
            aggregate.kind = ReminderKind(self.kind)
            aggregate.recipient = self.recipient
            aggregate.about = dict(self.about)
            aggregate.link = self.link
            aggregate.decided_on = self.decided_on
            aggregate.resolved_on = None

    class Resolved(Event):
        TOPIC = "logbog:Reminder.Resolved"
        resolved_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.resolved_on = self.resolved_on

    @classmethod
    def decide(cls, found: Due, today: date, meta: Meta) -> Reminder:
        return cls._start(
            cls.Decided,
            reminder_id(found.key),
            meta,
            key=found.key,
            kind=found.kind.value,
            recipient=found.recipient,
            about=dict(found.about),
            link=found.link,
            decided_on=today,
        )

    def resolve(self, today: date, meta: Meta) -> None:
        if self.resolved_on is None:
            self._record(self.Resolved, meta, resolved_on=today)


class Digest(LogbogAggregate):
    TOPIC = "logbog:Digest"

    if TYPE_CHECKING:
        recipient: str
        day: date
        address: str
        language: str
        reminders: list[str]
        message_id: str
        delivered_at: datetime | None
        attempts: int
        next_attempt_at: datetime | None

    class Composed(Created):
        TOPIC = "logbog:Digest.Composed"
        recipient: str
        day: date
        address: str
        language: str
        reminders: list[str]  # reminder ids, in the order the mail lists them
        message_id: str

        def apply(self, aggregate: Any) -> None:
            aggregate.recipient = self.recipient
            aggregate.day = self.day
            aggregate.address = self.address
            aggregate.language = self.language
            aggregate.reminders = list(self.reminders)
            aggregate.message_id = self.message_id
            aggregate.delivered_at = None
            aggregate.attempts = 0
            aggregate.next_attempt_at = None

    class Delivered(Event):
        TOPIC = "logbog:Digest.Delivered"
        via: str  # smtp | maildir
        at: datetime

        def apply(self, aggregate: Any) -> None:
            aggregate.delivered_at = self.at
            aggregate.attempts += 1

    class DeliveryFailed(Event):
        TOPIC = "logbog:Digest.DeliveryFailed"
        attempt: int
        reason: str  # the error's type and the server's reply code, never the mail
        retry_at: datetime

        def apply(self, aggregate: Any) -> None:
            aggregate.attempts = self.attempt
            aggregate.next_attempt_at = self.retry_at

    @classmethod
    def compose(
        cls,
        *,
        recipient: str,
        day: date,
        address: str,
        language: str,
        reminders: list[UUID],
        domain: str,
        meta: Meta,
    ) -> Digest:
        found = digest_id(recipient, day)
        return cls._start(
            cls.Composed,
            found,
            meta,
            recipient=recipient,
            day=day,
            address=address,
            language=language,
            reminders=[str(r) for r in reminders],
            message_id=message_id(found, domain),
        )

    def delivered(self, via: str, at: datetime, meta: Meta) -> None:
        if self.delivered_at is None:
            self._record(self.Delivered, meta, via=via, at=at)

    def failed(self, reason: str, at: datetime, meta: Meta) -> None:
        attempt = self.attempts + 1
        self._record(
            self.DeliveryFailed,
            meta,
            attempt=attempt,
            reason=reason,
            retry_at=at + backoff(attempt),
        )


class MailChoice(LogbogAggregate):
    TOPIC = "logbog:MailChoice"

    if TYPE_CHECKING:
        subject: str
        digest: bool
        address: str | None
        language: str

    class Chosen(Created):
        TOPIC = "logbog:MailChoice.Chosen"
        subject: str
        digest: bool
        address: str | None
        language: str

        def apply(self, aggregate: Any) -> None:
            aggregate.subject = self.subject
            aggregate.digest = self.digest
            aggregate.address = self.address
            aggregate.language = self.language

    class Changed(Event):
        TOPIC = "logbog:MailChoice.Changed"
        digest: bool
        address: str | None
        language: str

        def apply(self, aggregate: Any) -> None:
            aggregate.digest = self.digest
            aggregate.address = self.address
            aggregate.language = self.language

    @classmethod
    def choose(
        cls, subject: str, digest: bool, address: str | None, language: str, meta: Meta
    ) -> MailChoice:
        return cls._start(
            cls.Chosen,
            mail_choice_id(subject),
            meta,
            subject=subject,
            digest=digest,
            address=address,
            language=language,
        )

    def change(self, digest: bool, address: str | None, language: str, meta: Meta) -> None:
        self._record(self.Changed, meta, digest=digest, address=address, language=language)
