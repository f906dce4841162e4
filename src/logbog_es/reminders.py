"""The reminder process: decide what is due from the event log's read models, compose one
digest per person and day, deliver it, and record each step as an event.

One pass (`ReminderService.run_once`):

1. *decide*: the facts (open assessment requests, employments near their end, appointments
   ending, readiness, submissions) and today give the reminders that hold (`domain.reminders.
   due`). A new one is recorded as `Reminder.Decided` (its id is a hash of its occasion, so a
   second process or a retry finds it recorded and records nothing); an open one that no
   longer holds is `Resolved`: reminders stop by themselves.
2. *compose*: each person with an open reminder decided since their last digest, who has not
   chosen "no digest" and has an address, gets one `Digest.Composed` for the day (a hash of
   person and day: at most one a day), listing all their open reminders.
3. *deliver*: each composed, undelivered digest is sent (SMTP, or a maildir file named by the
   digest), then `Delivered` is recorded; a failure is `DeliveryFailed` with the time of the
   next attempt (backoff). A crash after sending and before recording sends the same mail again
   with the same Message-ID on the next pass: at least once at the SMTP boundary, with a
   Message-ID a receiver can drop a copy by; into the maildir exactly once (the file's name is
   the digest's id).

The clock is injected (`today`, `now`), so tests move time through a training year.
"""

from __future__ import annotations

import os
import signal
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit
from uuid import UUID

import structlog
from eventsourcing.persistence import IntegrityError

from logbog_es.application import mail_texts
from logbog_es.application.app import COPENHAGEN, Logbog
from logbog_es.application.dossier import introduction_of
from logbog_es.domain.base import Meta
from logbog_es.domain.curriculum import CurriculumVersion
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.evaluation import Evaluation, evaluation_id, evaluation_window
from logbog_es.domain.programme import Programme
from logbog_es.domain.readiness import REQUIRED_STAGE, readiness
from logbog_es.domain.reminders import (
    AppointmentFacts,
    Digest,
    EmploymentFacts,
    Facts,
    MailChoice,
    OpenRequest,
    ReadyFacts,
    Reminder,
    ReminderRules,
    SubmissionFacts,
    digest_id,
    due,
    mail_choice_id,
    secretariat_of,
)
from logbog_es.domain.values import Capacity, StaffRole
from logbog_es.projections import reminders as reminder_rows
from logbog_es.projections.store import ReadStore

log = structlog.get_logger("logbog.reminders")
SYSTEM = "system:reminders"
RECEIVED_DAYS = 14  # a submission's receipt is told for this long


class Mailer(Protocol):
    via: str

    def send(self, message: EmailMessage, name: str) -> None:
        """Deliver one mail (`name`: a stable file name for it)."""


class MaildirMailer:
    """Mails as files in a maildir (`new/`), named by the digest: writing twice writes once."""

    via = "maildir"

    def __init__(self, root: Path) -> None:
        self.root = root
        for part in ("tmp", "new", "cur"):
            (root / part).mkdir(parents=True, exist_ok=True)

    def send(self, message: EmailMessage, name: str) -> None:
        if (self.root / "new" / name).exists() or (self.root / "cur" / name).exists():
            return
        staged = self.root / "tmp" / name
        staged.write_bytes(message.as_bytes())
        os.replace(staged, self.root / "new" / name)

    def names(self) -> list[str]:
        found = [p for part in ("new", "cur") for p in (self.root / part).iterdir()]
        return sorted(p.name for p in sorted(found, key=lambda p: p.stat().st_mtime))

    def read(self, name: str) -> bytes | None:
        for part in ("new", "cur"):
            path = self.root / part / Path(name).name
            if path.is_file():
                return path.read_bytes()
        return None


class SmtpMailer:
    """SMTP with STARTTLS (`smtp://`) or TLS from the start (`smtps://`), and credentials from
    the URL. `smtp://...?tls=none` (tests on loopback only) sends in clear text."""

    via = "smtp"

    def __init__(self, url: str, timeout: float = 20.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("LOGBOG_SMTP_URL must start with smtp:// or smtps://")
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.starttls = not self.implicit_tls and "tls=none" not in parts.query
        self.timeout = timeout

    def send(self, message: EmailMessage, name: str) -> None:  # noqa: ARG002 - by Message-ID
        context = ssl.create_default_context()
        if self.implicit_tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.starttls:
                client.starttls(context=context)
            if self.user:
                client.login(self.user, self.password or "")
            client.send_message(message)


@dataclass(frozen=True)
class Delivery:
    from_address: str
    public_url: str
    domain: str


@dataclass
class Pass:
    """What one pass did, for logs, metrics and tests."""

    decided: int = 0
    resolved: int = 0
    composed: int = 0
    sent: int = 0
    failed: int = 0


class ReminderService:
    def __init__(
        self,
        app: Logbog,
        store: ReadStore,
        rules: ReminderRules,
        mailer: Mailer,
        delivery: Delivery,
        *,
        catch_up: Callable[[], None],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        count: Callable[[str, int], None] = lambda _what, _n: None,
    ) -> None:
        self.app = app
        self.store = store
        self.rules = rules
        self.mailer = mailer
        self.delivery = delivery
        self.catch_up = catch_up  # bring the read models to the log's head
        self.now = now
        self.count = count  # metrics: ("decided" | "sent" | "failed", n)

    def meta(self, today: date) -> Meta:
        return Meta(SYSTEM, Capacity.SYSTEM, f"reminders:{today.isoformat()}")

    # -- one pass ----------------------------------------------------------------------------

    def run_once(self, today: date | None = None) -> Pass:
        today = today or self.app.today()
        done = Pass()
        self.catch_up()
        self.decide(today, done)
        self.catch_up()
        self.compose(today, done)
        self.catch_up()
        self.deliver(done)
        self.catch_up()
        self.count("decided", done.decided)
        self.count("sent", done.sent)
        self.count("failed", done.failed)
        if done.decided or done.resolved or done.composed or done.sent or done.failed:
            log.info("reminders", **done.__dict__)
        return done

    def decide(self, today: date, done: Pass) -> None:
        holding = {d.key: d for d in due(self.facts(today), today, self.rules)}
        opened = {str(r["reminder_key"]): r for r in reminder_rows.open_all(self.store)}
        meta = self.meta(today)
        for key, found in holding.items():
            if key in opened:
                continue
            try:
                self.app.save(Reminder.decide(found, today, meta))
                done.decided += 1
            except IntegrityError:
                pass  # decided before (by another pass, or resolved since): once is enough
        for key, row in opened.items():
            if key in holding:
                continue
            reminder = self.app.find(Reminder, UUID(str(row["reminder_id"])))
            if reminder is not None and reminder.resolved_on is None:
                reminder.resolve(today, meta)
                self.app.save(reminder)
                done.resolved += 1

    def compose(self, today: date, done: Pass) -> None:
        opened = reminder_rows.open_all(self.store)
        by_recipient: dict[str, list[dict[str, object]]] = {}
        for row in opened:
            by_recipient.setdefault(str(row["recipient"]), []).append(row)
        people: dict[str, list[dict[str, object]]] = {}
        for recipient, rows in by_recipient.items():
            if recipient.startswith("secretariat:"):
                for subject in self._secretariat_staff(recipient):
                    people.setdefault(subject, []).extend(rows)
            else:
                people.setdefault(recipient, []).extend(rows)
        meta = self.meta(today)
        for person, rows in people.items():
            address, language = self.address_of(person)
            if address is None:
                continue
            last = reminder_rows.last_digest(self.store, person)
            if last is not None and (
                str(last["day"]) >= today.isoformat()
                or all(int(str(r["position"])) <= int(str(last["position"])) for r in rows)
            ):
                continue  # one digest a day, and only when something is new
            rows.sort(key=lambda r: int(str(r["position"])))
            try:
                self.app.save(
                    Digest.compose(
                        recipient=person,
                        day=today,
                        address=address,
                        language=language,
                        reminders=[UUID(str(r["reminder_id"])) for r in rows],
                        domain=self.delivery.domain,
                        meta=meta,
                    )
                )
                done.composed += 1
            except IntegrityError:
                pass

    def deliver(self, done: Pass) -> None:
        now = self.now()
        for row in reminder_rows.undelivered(self.store):
            retry = row["next_attempt_at"]
            if retry and datetime.fromisoformat(str(retry)) > now:
                continue
            digest = self.app.find(Digest, UUID(str(row["digest_id"])))
            if digest is None or digest.delivered_at is not None:
                continue
            message = self.message(digest)
            meta = self.meta(digest.day)
            try:
                self.mailer.send(message, f"{digest.id}.eml")
            except (OSError, smtplib.SMTPException) as error:
                reason = type(error).__name__
                code = getattr(error, "smtp_code", None)
                digest.failed(f"{reason} {code}" if code else reason, now, meta)
                self.app.save(digest)
                done.failed += 1
                log.warning(
                    "reminder mail not delivered", error_type=reason, attempt=digest.attempts
                )
                continue
            if os.environ.get("LOGBOG_TEST_KILL_AFTER_SEND") == "1":  # crash tests only
                os.kill(os.getpid(), signal.SIGKILL)
            digest.delivered(self.mailer.via, now, meta)
            self.app.save(digest)
            done.sent += 1

    # -- reading -----------------------------------------------------------------------------

    def address_of(self, person: str) -> tuple[str | None, str]:
        """Where a person's digest goes and in which language; None: no mail (they chose
        none, or no address is known)."""
        choice = self.app.find(MailChoice, mail_choice_id(person), shared=True)
        language = mail_texts.language_of(choice.language if choice else None)
        if choice is not None and not choice.digest:
            return None, language
        if choice is not None and choice.address:
            return choice.address, language
        try:
            doctor = self.app.find(Doctor, UUID(person), shared=True)
        except ValueError:
            return None, language  # a staff login without a chosen address
        return (doctor.email or None) if doctor else None, language

    def _secretariat_staff(self, recipient: str) -> list[str]:
        region = recipient.split(":", 1)[1]
        found = []
        for row in self.store.fetchall("SELECT subject FROM reminder_choices WHERE digest = 1"):
            subject = str(row["subject"])
            actor = self.app.resolve_actor(subject)
            if any(
                g.role is StaffRole.SECRETARIAT and g.region and g.region.value == region
                for g in actor.grants
            ):
                found.append(subject)
        return found

    def message(self, digest: Digest) -> EmailMessage:
        language = mail_texts.language_of(digest.language)
        texts = mail_texts.TEXTS[language]
        base = self.delivery.public_url.rstrip("/")
        lines = [texts["greeting"], ""]
        count = 0
        for reminder_id in digest.reminders:
            reminder = self.app.find(Reminder, UUID(reminder_id), shared=True)
            if reminder is None:
                continue
            count += 1
            lines.append("- " + mail_texts.line(language, reminder.kind.value, reminder.about))
            lines.append("  " + texts["open"].format(url=base + reminder.link))
        lines += ["", texts["footer"].format(url=base + "/paamindelser")]
        message = EmailMessage()
        message["From"] = self.delivery.from_address
        message["To"] = digest.address
        message["Subject"] = texts["subject"].format(count=count)
        message["Message-ID"] = digest.message_id
        message["Date"] = formatdate(self.now().timestamp())
        message.set_content("\n".join(lines) + "\n")
        message["Content-Language"] = language  # after the content: set_content resets it
        return message

    def facts(self, today: date) -> Facts:
        """What the rules read, from the read models and (for a few rows) the aggregates."""
        store = self.store
        facts = Facts()
        uaos = self._uaos(today)
        names: dict[str, str] = {
            str(r["doctor_id"]): str(r["name"])
            for r in store.fetchall("SELECT doctor_id, name FROM supervisor_requests_people")
        }
        departments = {
            str(r["department_id"]): r
            for r in store.fetchall("SELECT department_id, name, region FROM catalogue_departments")
        }
        titles: dict[tuple[str, str], str] = {}
        for r in store.fetchall(
            "SELECT r.request_id, r.supervisor_id, r.programme_id, r.trainee_id, "
            "r.competency_code, r.department_id, r.requested_at, p.curriculum_id "
            "FROM supervisor_requests r "
            "LEFT JOIN progress_programmes p ON p.programme_id = r.programme_id"
        ):
            requested = datetime.fromisoformat(str(r["requested_at"])).astimezone(COPENHAGEN)
            department = str(r["department_id"])
            key = (str(r["curriculum_id"]), str(r["competency_code"]))
            if key not in titles:
                curriculum = (
                    self.app.find(CurriculumVersion, UUID(key[0]), shared=True)
                    if r["curriculum_id"]
                    else None
                )
                found = curriculum.competency(key[1]) if curriculum else None
                titles[key] = found.title if found else ""
            facts.requests.append(
                OpenRequest(
                    request_id=str(r["request_id"]),
                    programme_id=str(r["programme_id"]),
                    trainee_name=names.get(str(r["trainee_id"]), ""),
                    competency_code=str(r["competency_code"]),
                    competency_title=titles[key],
                    supervisor_id=str(r["supervisor_id"]),
                    department_id=department,
                    department_name=str(departments.get(department, {}).get("name", "")),
                    uao_ids=tuple(uaos.get(department, ())),
                    requested_on=requested.date(),
                )
            )
        window = timedelta(days=self.app.evaluation_window_days)
        for e in store.fetchall(
            "SELECT e.employment_id, e.programme_id, e.department_id, e.end_date, "
            "p.trainee_id, p.trainee_name FROM progress_employments e "
            "JOIN progress_programmes p ON p.programme_id = e.programme_id "
            "WHERE e.end_date >= ? AND e.start_date <= ?",
            ((today - window).isoformat(), (today + timedelta(days=31)).isoformat()),
        ):
            end = date.fromisoformat(str(e["end_date"]))
            opens, closes = evaluation_window(end, self.app.evaluation_window_days)
            if not opens <= today <= closes:
                continue  # neither attestation (R7) nor evaluation is due yet, or any more
            programme = self.app.find(Programme, UUID(str(e["programme_id"])), shared=True)
            if programme is None:
                continue
            employment = UUID(str(e["employment_id"]))
            department = str(e["department_id"])
            report = programme.time_report(employment, today)
            facts.employments.append(
                EmploymentFacts(
                    employment_id=str(employment),
                    programme_id=str(e["programme_id"]),
                    trainee_id=str(e["trainee_id"]),
                    trainee_name=str(e["trainee_name"]),
                    department_id=department,
                    department_name=str(departments.get(department, {}).get("name", "")),
                    uao_ids=tuple(uaos.get(department, ())),
                    last_month_starts=report.last_month_starts,
                    attested=employment in programme.time_attestations,
                    evaluation_opens=opens,
                    evaluation_closes=closes,
                    evaluated=self.app.find(Evaluation, evaluation_id(employment)) is not None,
                )
            )
        for a in store.fetchall(
            "SELECT appointment_id, department_id, doctor_id, last_day FROM access_appointments "
            "WHERE last_day IS NOT NULL AND last_day >= ? AND last_day <= ?",
            (
                today.isoformat(),
                (today + timedelta(days=self.rules.uao_ending_days)).isoformat(),
            ),
        ):
            place = departments.get(str(a["department_id"]))
            if place is None:
                continue
            doctor = self.app.find(Doctor, UUID(str(a["doctor_id"])), shared=True)
            facts.appointments.append(
                AppointmentFacts(
                    appointment_id=str(a["appointment_id"]),
                    department_id=str(a["department_id"]),
                    department_name=str(place["name"]),
                    region=str(place["region"]),
                    doctor_name=doctor.name if doctor else "",
                    last_day=date.fromisoformat(str(a["last_day"])),
                )
            )
        facts.ready = self._ready(today)
        for s in store.fetchall(
            "SELECT submission_id, doctor_id, kind, submitted_on FROM submissions "
            "WHERE submitted_on >= ?",
            ((today - timedelta(days=RECEIVED_DAYS)).isoformat(),),
        ):
            facts.submissions.append(
                SubmissionFacts(
                    str(s["submission_id"]),
                    str(s["doctor_id"]),
                    str(s["kind"]),
                    date.fromisoformat(str(s["submitted_on"])),
                )
            )
        return facts

    def _uaos(self, today: date) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for a in self.store.fetchall(
            "SELECT department_id, doctor_id FROM access_appointments "
            "WHERE start_date <= ? AND (last_day IS NULL OR last_day >= ?)",
            (today.isoformat(), today.isoformat()),
        ):
            found.setdefault(str(a["department_id"]), []).append(str(a["doctor_id"]))
        return found

    def _ready(self, today: date) -> list[ReadyFacts]:
        """Programmes with everything approved whose documentation could be sent today and
        has not been (R8, R11); only those rows are read in full."""
        found = []
        for row in self.store.fetchall(
            "SELECT programme_id, trainee_id FROM progress_programmes "
            "WHERE competencies_total > 0 AND competencies_approved = competencies_total "
            "AND courses_done = courses_total"
        ):
            programme = self.app.find(Programme, UUID(str(row["programme_id"])), shared=True)
            if programme is None or programme.submissions:
                continue
            curriculum = self.app.find(CurriculumVersion, programme.curriculum_id, shared=True)
            doctor = self.app.find(Doctor, programme.doctor_id, shared=True)
            if curriculum is None or doctor is None:
                continue
            for kind, stage in REQUIRED_STAGE.items():
                if stage is not programme.stage:
                    continue
                result = readiness(
                    kind,
                    programme,
                    curriculum,
                    today,
                    has_introduction=introduction_of(self.app, doctor, programme) is not None,
                )
                if result.ready:
                    found.append(ReadyFacts(str(programme.id), str(row["trainee_id"]), kind.value))
        return found


def open_reminders(
    app: Logbog, store: ReadStore, doctor_id: UUID | None, subject: str
) -> list[dict[str, object]]:
    """The in-app list: the open reminders of the person and of the roles they hold."""
    recipients = [str(doctor_id)] if doctor_id else []
    actor = app.resolve_actor(subject)
    recipients += [
        secretariat_of(g.region.value)
        for g in actor.grants
        if g.role is StaffRole.SECRETARIAT and g.region
    ]
    return reminder_rows.open_for(store, recipients)


__all__ = [
    "Delivery",
    "MaildirMailer",
    "Mailer",
    "ReminderService",
    "SmtpMailer",
    "digest_id",
]
