"""Reminders through a training year, delivered by a real SMTP server on loopback.

The clock moves; after each pass the test checks exactly which mails each person received,
in which language and with which links; reminders stop by themselves when the thing is done;
a refusing SMTP server loses nothing; a maildir is written once per digest.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from logbog_es.application.app import COPENHAGEN
from logbog_es.bootstrap import Container
from logbog_es.commands import (
    AttestEmploymentTime,
    ChooseReminderMail,
    DeclineAssessment,
    EndUaoAppointment,
    RequestAssessment,
)
from logbog_es.domain.reminders import Digest, digest_id
from logbog_es.domain.training_time import add_months
from logbog_es.projections import reminders as reminder_rows
from logbog_es.reminders import MaildirMailer
from tests.conftest import Clock, PgSchemas, make_container
from tests.helpers import World, competency
from tests.reminder_helpers import Inbox, Moment, service, smtp, smtp_mailer, text_of

__all__ = ["smtp"]


def real_today() -> date:
    """Requests are dated by their event's time: the scenario starts on the real day."""
    from datetime import datetime

    return datetime.now(COPENHAGEN).date()


class Year:
    """A KBU trainee's year at a department with a UAO and a supervisor, and a second
    department whose UAO's appointment ends soon."""

    def __init__(self, container: Container, clock: Clock) -> None:
        self.clock = clock
        self.start = real_today()
        clock.today = self.start
        self.app = container.app
        w = self.world = World(container.app)
        w.specialty("kbu", ("kbu",))
        w.curriculum("2019", date(2019, 2, 1), competencies=[competency("K1"), competency("K2")])
        self.department = w.department("D1", "nord")
        other = w.department("D2", "nord")
        self.hired = self.start.replace(day=1)
        self.end = add_months(self.hired, 12) - timedelta(days=1)
        self.trainee = w.doctor("TR001", "Trine Trainee")
        self.uao = w.doctor("UA001", "Ulla UAO")
        self.supervisor = w.doctor("SV002", "Sara Plain")
        self.leaving = w.doctor("UA002", "Ole Other UAO")
        self.programme = w.programme(self.trainee, self.hired)
        w.employ(self.programme, self.department, self.hired, self.end)
        w.appoint(self.department, self.uao, self.hired - timedelta(days=365))
        appointed = w.appoint(other, self.leaving, self.hired - timedelta(days=365))
        access = self.app.repository.get(appointed.events[-1].stream_id)
        self.leaving_appointment = access.appointments[-1].appointment_id
        self.other = other
        w.grant(self.department, self.uao, self.supervisor, start=self.hired)
        self.sek = w.sek["nord"]
        self.app.execute(
            ChooseReminderMail(digest=True, address="sek-nord@region.test", language="da"),
            self.sek,
        )
        self.app.execute(
            ChooseReminderMail(digest=True, address=None, language="en"), w.actor(self.trainee)
        )

    def on(self, day: date) -> None:
        self.clock.today = day

    def employment(self) -> UUID:
        programme = self.app.repository.get(self.programme)
        return programme.employments[0].employment_id  # type: ignore[no-any-return]


@pytest.fixture
def year(tmp_path: Path, clock: Clock) -> Iterator[tuple[Container, Year]]:
    container = make_container("memory", tmp_path, clock, PgSchemas())
    yield container, Year(container, clock)
    container.close()


def received(inbox: Inbox, since: int) -> dict[str, list[str]]:
    """Mails after the first `since`, by address: each as its subject."""
    found: dict[str, list[str]] = {}
    for message in inbox.messages[since:]:
        found.setdefault(str(message["To"]), []).append(str(message["Subject"]))
    return found


class TestTrainingYear:
    def test_who_gets_what_when(self, year: Any, smtp: tuple[Inbox, str]) -> None:
        container, y = year
        inbox, url = smtp
        moment = Moment(y.start)
        process = service(container, smtp_mailer(url), moment)

        def run(day: date) -> dict[str, list[str]]:
            y.on(day)
            moment.day = day
            before = len(inbox.messages)
            process.run_once(day)
            return received(inbox, before)

        t = y.start
        y.app.execute(
            RequestAssessment(
                programme_id=y.programme, competency_code="K1", supervisor_id=y.supervisor
            ),
            y.world.actor(y.trainee),
        )
        y.app.execute(
            EndUaoAppointment(
                department_id=y.other,
                appointment_id=y.leaving_appointment,
                last_day=t + timedelta(days=20),
            ),
            y.sek,
        )
        # Today: the appointment ending within 30 days, to the secretariat (staff address).
        assert run(t) == {"sek-nord@region.test": ["Logbog: 1 påmindelse(r)"]}
        ending = text_of(inbox.messages[-1])
        assert "Ole Other UAO" in ending and "D2" in ending
        assert "https://logbog.test/afdeling/" in ending
        assert run(t) == {}  # the same day again: nothing twice
        assert run(t + timedelta(days=13)) == {}  # the request has waited 13 days
        # 14 days: the supervisor asked.
        assert run(t + timedelta(days=14)) == {"sv002@example.dk": ["Logbog: 1 påmindelse(r)"]}
        waiting = text_of(inbox.messages[-1])
        assert "Trine Trainee" in waiting and "K1" in waiting
        assert f"https://logbog.test/logbog/{y.programme}/kompetencer/K1" in waiting
        # The appointment has ended: its reminder stops; nobody is mailed for it.
        assert run(t + timedelta(days=21)) == {}
        assert not reminder_rows.open_for(container.read_store, ["secretariat:nord"])
        # 28 days: the UAO too; the supervisor is not mailed again (nothing new for them).
        assert run(t + timedelta(days=28)) == {"ua001@example.dk": ["Logbog: 1 påmindelse(r)"]}
        assert "vejlederen har ikke svaret" in text_of(inbox.messages[-1])
        # The supervisor declines: both reminders stop by themselves.
        y.on(t + timedelta(days=29))
        request = next(iter(y.app.repository.get(y.programme).requests))
        y.app.execute(
            DeclineAssessment(programme_id=y.programme, request_id=request, reason="Ikke nu"),
            y.world.actor(y.supervisor),
        )
        assert run(t + timedelta(days=29)) == {}
        assert not reminder_rows.open_for(container.read_store, [str(y.supervisor), str(y.uao)])
        # The last month: the UAO must attest the time; the trainee may evaluate (in English).
        last_month = y.end.replace(day=1)
        mails = run(last_month)
        assert mails == {
            "ua001@example.dk": ["Logbog: 1 påmindelse(r)"],
            "tr001@example.dk": ["Logbog: 1 reminder(s)"],
        }
        trainee_mail = inbox.to("tr001@example.dk")[-1]
        assert trainee_mail["Content-Language"] == "en"
        assert f"https://logbog.test/evalueringer/{y.employment()}" in text_of(trainee_mail)
        assert "tiden skal attesteres" in text_of(inbox.to("ua001@example.dk")[-1])
        # The UAO attests: the reminder stops.
        y.on(last_month + timedelta(days=1))
        y.app.execute(
            AttestEmploymentTime(programme_id=y.programme, employment_id=y.employment()),
            y.world.actor(y.uao),
        )
        assert run(last_month + timedelta(days=1)) == {}
        assert not reminder_rows.open_for(container.read_store, [str(y.uao)])
        # A week before the evaluation window closes: a last reminder.
        closes = y.end + timedelta(days=container.app.evaluation_window_days)
        assert run(closes - timedelta(days=7)) == {"tr001@example.dk": ["Logbog: 1 reminder(s)"]}
        assert "Less than a week" in text_of(inbox.messages[-1])
        # After it closed: nothing is open any more, and no mail says anything.
        assert run(closes + timedelta(days=1)) == {}
        assert not reminder_rows.open_all(container.read_store)
        # Every mail had a Message-ID of its own, and no CPR number or free text.
        assert len(set(inbox.ids())) == len(inbox.messages)
        assert not any("Ikke nu" in text_of(m) for m in inbox.messages)

    def test_no_digest_chosen_means_no_mail_but_the_list(
        self, year: Any, smtp: tuple[Inbox, str]
    ) -> None:
        container, y = year
        inbox, url = smtp
        y.app.execute(
            ChooseReminderMail(digest=False, address=None, language="da"),
            y.world.actor(y.uao),
        )
        last_month = y.end.replace(day=1)
        y.on(last_month)
        service(container, smtp_mailer(url), Moment(last_month)).run_once(last_month)
        assert not inbox.to("ua001@example.dk")
        assert reminder_rows.open_for(container.read_store, [str(y.uao)])  # still listed


class TestDelivery:
    def test_refusing_server_loses_nothing(self, year: Any, smtp: tuple[Inbox, str]) -> None:
        """451 twice: recorded as failed with backoff, then delivered once; commands never
        wait for the mail server."""
        container, y = year
        inbox, url = smtp
        inbox.refuse = 2
        last_month = y.end.replace(day=1)
        y.on(last_month)
        moment = Moment(last_month)
        process = service(container, smtp_mailer(url), moment)
        first = process.run_once(last_month)
        assert first.composed == 2 and first.failed == 2 and first.sent == 0
        assert process.run_once(last_month).failed == 0  # not before the retry time
        failed = [
            container.app.repository.get(UUID(str(r["digest_id"])))
            for r in reminder_rows.undelivered(container.read_store)
        ]
        assert {d.attempts for d in failed} == {1}
        assert all(d.next_attempt_at is not None for d in failed)
        from datetime import UTC, datetime

        later = datetime.combine(last_month, datetime.min.time(), UTC) + timedelta(hours=7)
        process.now = lambda: later
        again = process.run_once(last_month)
        assert again.sent == 2 and again.failed == 0
        assert sorted(str(m["To"]) for m in inbox.messages) == [
            "tr001@example.dk",
            "ua001@example.dk",
        ]
        assert inbox.refused == 2
        assert not reminder_rows.undelivered(container.read_store)

    def test_maildir_writes_each_digest_once(self, year: Any, tmp_path: Path) -> None:
        container, y = year
        last_month = y.end.replace(day=1)
        y.on(last_month)
        box = MaildirMailer(tmp_path / "mail")
        process = service(container, box, Moment(last_month))
        process.run_once(last_month)
        names = box.names()
        assert len(names) == 2
        digest = container.app.repository.get(digest_id(str(y.uao), last_month))
        assert isinstance(digest, Digest) and digest.delivered_at is not None
        message = process.message(digest)
        box.send(message, f"{digest.id}.eml")  # a crash after writing, before recording
        assert box.names() == names
        raw = box.read(f"{digest.id}.eml")
        assert raw is not None and b"Message-ID: <digest-" in raw
