"""Evaluations of training sites (the evaluation site's successor).

After an employment the trainee answers the questionnaire about the site. An evaluation never
affects approvals or access (an import rule keeps the policy and approval code away from this
module). Who evaluated what is visible to no one but the trainee: published results are only
aggregates over cells of at least `MIN_CELL` evaluations (R13).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from logbog_es.domain.base import Created, Event, LogbogAggregate, Meta, stable_id
from logbog_es.domain.errors import Conflict, InvalidInput
from logbog_es.domain.questionnaire import QUESTIONNAIRES, Questionnaire
from logbog_es.domain.values import check_text

#: R13: results are published only from cells of at least this many evaluations.
MIN_CELL = 3


def evaluation_id(employment_id: UUID) -> UUID:
    return stable_id("evaluation", str(employment_id))


def response_id(department_id: UUID, period: str) -> UUID:
    return stable_id("evaluation-response", str(department_id), period)


def period_of(day: date) -> str:
    """Half-year periods: results never name a date finer than this."""
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def check_period(value: str, field: str = "period") -> str:
    year, _, half = value.partition("-H")
    if not (year.isdigit() and len(year) == 4 and half in ("1", "2")):
        raise InvalidInput("evaluation.period", field=field, value=value)
    return value


def evaluation_window(end: date, window_days: int) -> tuple[date, date]:
    """The first and last day an employment ending on `end` may be evaluated: from the first
    day of its last month until `window_days` after its end."""
    return end.replace(day=1), end + timedelta(days=window_days)


def last_closed_period(today: date, window_days: int) -> str:
    """The latest half-year whose evaluations are all in on `today`: every employment that ended
    in it is past its window. Later half-years are not published yet, so a published figure
    never changes and a difference of two never reveals an answer (R13)."""
    year, half = today.year, 1 if today.month <= 6 else 2
    while True:
        end = date(year, 6, 30) if half == 1 else date(year, 12, 31)
        if evaluation_window(end, window_days)[1] < today:
            return f"{year}-H{half}"
        year, half = (year, 1) if half == 2 else (year - 1, 2)


def check_window(end: date, today: date, window_days: int) -> None:
    """From the first day of the employment's last month until `window_days` after its end."""
    earliest, latest = evaluation_window(end, window_days)
    if today < earliest:
        raise Conflict("evaluation.too_early", earliest=earliest)
    if today > latest:
        raise Conflict("evaluation.too_late", latest=latest)


def questionnaire(version: str) -> Questionnaire:
    found = QUESTIONNAIRES.get(version)
    if found is None:
        raise InvalidInput(
            "evaluation.version",
            field="questionnaire_version",
            version=version,
            known=", ".join(QUESTIONNAIRES),
        )
    return found


def check_answers(form: Questionnaire, answers: dict[str, int | None]) -> dict[str, int | None]:
    """Every question answered 1-6 or null ("not relevant"); no unknown questions."""
    known = {q.code for q in form.questions}
    for code in answers:
        if code not in known:
            raise InvalidInput("evaluation.unknown_question", field=f"answers.{code}", code=code)
    for code in known:
        if code not in answers:
            raise InvalidInput("evaluation.unanswered", field=f"answers.{code}")
        value = answers[code]
        if value is not None and not 1 <= value <= 6:
            raise InvalidInput("evaluation.scale", field=f"answers.{code}", value=value)
    return {q.code: answers[q.code] for q in form.questions}


class Evaluation(LogbogAggregate):
    """One trainee's evaluation of one employment (one per employment)."""

    TOPIC = "logbog:Evaluation"

    if TYPE_CHECKING:
        employment_id: UUID
        department_id: UUID
        period: str
        questionnaire_version: str
        answers: dict[str, int | None]
        comment: str | None
        given_by: str

    class Submitted(Created):
        TOPIC = "logbog:Evaluation.Submitted"
        employment_id: UUID
        department_id: UUID
        period: str
        specialty_code: str
        region: str
        stage: str
        questionnaire_version: str
        answers: dict[str, int | None]
        comment: str | None

        def apply(self, aggregate: Any) -> None:
            aggregate.employment_id = self.employment_id
            aggregate.department_id = self.department_id
            aggregate.period = self.period
            aggregate.questionnaire_version = self.questionnaire_version
            aggregate.answers = dict(self.answers)
            aggregate.comment = self.comment
            aggregate.given_by = self.actor_id

    @classmethod
    def submit(
        cls,
        *,
        employment_id: UUID,
        department_id: UUID,
        end: date,
        specialty_code: str,
        region: str,
        stage: str,
        form: Questionnaire,
        answers: dict[str, int | None],
        comment: str | None,
        meta: Meta,
    ) -> Evaluation:
        return cls._start(
            cls.Submitted,
            evaluation_id(employment_id),
            meta,
            employment_id=employment_id,
            department_id=department_id,
            period=period_of(end),
            specialty_code=specialty_code,
            region=region,
            stage=stage,
            questionnaire_version=form.version,
            answers=check_answers(form, answers),
            comment=check_text(comment, "comment", max_length=4000) if comment else None,
        )


class EvaluationResponse(LogbogAggregate):
    """The department's response to its published results for a period."""

    TOPIC = "logbog:EvaluationResponse"

    if TYPE_CHECKING:
        department_id: UUID
        period: str
        text: str

    class Opened(Created):
        TOPIC = "logbog:EvaluationResponse.Opened"
        department_id: UUID
        period: str

        def apply(self, aggregate: Any) -> None:
            aggregate.department_id = self.department_id
            aggregate.period = self.period
            aggregate.text = ""

    class Given(Event):
        TOPIC = "logbog:EvaluationResponse.Given"
        text: str

        def apply(self, aggregate: Any) -> None:
            aggregate.text = self.text

    @classmethod
    def open(cls, department_id: UUID, period: str, meta: Meta) -> EvaluationResponse:
        return cls._start(
            cls.Opened,
            response_id(department_id, period),
            meta,
            department_id=department_id,
            period=check_period(period),
        )

    def give(self, text: str, meta: Meta) -> None:
        self._record(self.Given, meta, text=check_text(text, "text", max_length=4000))
