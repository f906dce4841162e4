"""The reminder rules over facts and a day: who is reminded of what, from which day to which."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from logbog_es.domain.reminders import (
    AppointmentFacts,
    EmploymentFacts,
    Facts,
    OpenRequest,
    ReadyFacts,
    ReminderKind,
    ReminderRules,
    SubmissionFacts,
    backoff,
    due,
    message_id,
    reminder_id,
)
from logbog_es.reminders import SmtpMailer

DAY = date(2026, 6, 15)
RULES = ReminderRules()


def request(requested_on: date, uaos: tuple[str, ...] = ("uao-1", "uao-2")) -> OpenRequest:
    return OpenRequest(
        "r1", "p1", "Trine", "K1", "Titel", "sup", "d1", "Afdeling", uaos, requested_on
    )


@given(st.integers(min_value=0, max_value=120), st.integers(1, 40), st.integers(1, 60))
def test_assessment_reminders_follow_the_days(waited: int, first: int, second: int) -> None:
    """The supervisor from `assessment_days` of waiting, each UAO from `escalate_days`."""
    rules = ReminderRules(assessment_days=first, escalate_days=second)
    found = due(Facts(requests=[request(DAY - timedelta(days=waited))]), DAY, rules)
    kinds = [(d.kind, d.recipient) for d in found]
    assert ((ReminderKind.ASSESSMENT_WAITING, "sup") in kinds) == (waited >= first)
    escalated = [r for k, r in kinds if k is ReminderKind.ASSESSMENT_ESCALATED]
    assert escalated == (["uao-1", "uao-2"] if waited >= second else [])
    assert len({d.key for d in found}) == len(found)  # one occasion, one key


def employment(
    end: date, *, attested: bool = False, evaluated: bool = False, window: int = 90
) -> EmploymentFacts:
    return EmploymentFacts(
        "e1", "p1", "t1", "Trine", "d1", "Afdeling", ("uao",), end.replace(day=1),
        attested, end.replace(day=1), end + timedelta(days=window), evaluated,
    )  # fmt: skip


@given(st.integers(min_value=-60, max_value=150))
def test_attestation_and_evaluation_windows(offset: int) -> None:
    end = date(2026, 6, 30)
    today = end + timedelta(days=offset)
    found = {d.kind for d in due(Facts(employments=[employment(end)]), today, RULES)}
    in_last_month = today >= date(2026, 6, 1)
    assert (ReminderKind.TIME_ATTESTATION_DUE in found) == in_last_month
    window = date(2026, 6, 1) <= today <= end + timedelta(days=90)
    closing = today >= end + timedelta(days=90 - RULES.evaluation_closing_days)
    assert (ReminderKind.EVALUATION_OPEN in found) == (window and not closing)
    assert (ReminderKind.EVALUATION_CLOSING in found) == (window and closing)


def test_done_things_are_not_due() -> None:
    end = date(2026, 6, 30)
    facts = Facts(employments=[employment(end, attested=True, evaluated=True)])
    assert due(facts, date(2026, 6, 20), RULES) == []


def test_appointment_ending_and_news() -> None:
    facts = Facts(
        appointments=[AppointmentFacts("a1", "d1", "Afd", "syd", "Ole", DAY + timedelta(days=30))],
        ready=[ReadyFacts("p1", "t1", "independent-practice")],
        submissions=[SubmissionFacts("s1", "t1", "independent-practice", DAY)],
    )
    found = {(d.kind, d.recipient) for d in due(facts, DAY, RULES)}
    assert found == {
        (ReminderKind.UAO_ENDING, "secretariat:syd"),
        (ReminderKind.READINESS_REACHED, "t1"),
        (ReminderKind.SUBMISSION_RECEIVED, "t1"),
    }
    later = {d.kind for d in due(facts, DAY - timedelta(days=1), RULES)}
    assert ReminderKind.UAO_ENDING not in later  # 31 days ahead: not yet


def test_no_personal_number_or_free_text_in_what_a_reminder_says() -> None:
    found = due(Facts(requests=[request(DAY - timedelta(days=30))]), DAY, RULES)
    for d in found:
        assert set(d.about) <= {"trainee", "competency", "department", "since"}


def test_ids_backoff_and_message_id() -> None:
    assert reminder_id("assessment:r1") == reminder_id("assessment:r1")
    assert reminder_id("assessment:r1") != reminder_id("assessment:r2")
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 7, 20)] == [1, 2, 4, 60, 60]
    digest = reminder_id("x")
    assert message_id(digest, "logbog.test") == f"<digest-{digest}@logbog.test>"


def test_smtp_url() -> None:
    starttls = SmtpMailer("smtp://user%40x:p%2Fw@mail.example:2525")
    assert (starttls.host, starttls.port, starttls.starttls) == ("mail.example", 2525, True)
    assert (starttls.user, starttls.password) == ("user@x", "p/w")
    implicit = SmtpMailer("smtps://mail.example")
    assert (implicit.port, implicit.implicit_tls, implicit.starttls) == (465, True, False)
    assert SmtpMailer("smtp://mail.example").port == 587
