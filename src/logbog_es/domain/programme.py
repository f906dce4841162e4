"""Programmes (uddannelsesforløb): one trainee, one specialty, one stage; with employments.

R1: the curriculum version a programme follows is pinned when it starts and moves only by a
secretariat's `change_curriculum_version`, with a reason. R5: part time 50-100 %. R9: changes
between employments fall on the 1st of a month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from logbog_es.domain.base import Created, Event, LogbogAggregate, Meta, stable_id
from logbog_es.domain.errors import Conflict, InvalidInput
from logbog_es.domain.specialty import CurriculumRef
from logbog_es.domain.values import Region, Stage, check_text


def programme_id(command_id: str) -> UUID:
    return stable_id("programme", command_id)


def employment_id(command_id: str) -> UUID:
    return stable_id("employment", command_id)


@dataclass(frozen=True, slots=True)
class Period:
    """The days an employment spans, `end` inclusive."""

    employment_id: UUID
    start: date
    end: date

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and start <= self.end


@dataclass(frozen=True, slots=True)
class Employment:
    """An ansættelse at a department or general practice; `end` is the last day (inclusive)."""

    employment_id: UUID
    department_id: UUID
    start: date
    end: date
    percent: int

    @property
    def period(self) -> Period:
        return Period(self.employment_id, self.start, self.end)

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


def next_first_of_month(day: date) -> date:
    if day.day == 1:
        return day
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def check_employment(
    *,
    start: date,
    end: date,
    percent: int,
    hiring_date: date,
    others: tuple[Period, ...],
) -> None:
    """R9 (start on the 1st), R5 (50-100 %), order and no overlap with the doctor's others."""
    if start.day != 1:
        raise InvalidInput(
            "employment.start_not_first",
            field="start",
            start=start,
            suggestion=next_first_of_month(start),
        )
    if end <= start:
        raise InvalidInput("employment.end_before_start", field="end", start=start, end=end)
    if not 50 <= percent <= 100:
        raise InvalidInput("employment.percent", field="percent", percent=percent)
    if start < hiring_date:
        raise InvalidInput(
            "employment.before_hiring", field="start", start=start, hiring_date=hiring_date
        )
    for other in others:
        if other.overlaps(start, end):
            raise Conflict(
                "employment.overlap",
                start=start,
                end=end,
                other_start=other.start,
                other_end=other.end,
                other_id=other.employment_id,
            )


class Programme(LogbogAggregate):
    """An uddannelsesforløb."""

    TOPIC = "logbog:Programme"

    if TYPE_CHECKING:
        doctor_id: UUID
        specialty_code: str
        stage: Stage
        region: Region
        hiring_date: date
        curriculum_id: UUID
        curriculum_label: str
        employments: tuple[Employment, ...]

    class Started(Created):
        TOPIC = "logbog:Programme.Started"
        doctor_id: UUID
        specialty_code: str
        stage: str
        region: str
        hiring_date: date

        def apply(self, aggregate: Any) -> None:
            aggregate.doctor_id = self.doctor_id
            aggregate.specialty_code = self.specialty_code
            aggregate.stage = Stage(self.stage)
            aggregate.region = Region(self.region)
            aggregate.hiring_date = self.hiring_date
            aggregate.employments = ()

    class CurriculumVersionPinned(Event):
        """R1: the version in effect on the hiring date, pinned when the programme starts."""

        TOPIC = "logbog:Programme.CurriculumVersionPinned"
        curriculum_id: UUID
        label: str
        effective_from: date

        def apply(self, aggregate: Any) -> None:
            aggregate.curriculum_id = self.curriculum_id
            aggregate.curriculum_label = self.label

    class CurriculumVersionChanged(Event):
        """R1: a secretariat moved the programme to another version, with a reason."""

        TOPIC = "logbog:Programme.CurriculumVersionChanged"
        from_curriculum_id: UUID
        to_curriculum_id: UUID
        label: str
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.curriculum_id = self.to_curriculum_id
            aggregate.curriculum_label = self.label

    class EmploymentAdded(Event):
        TOPIC = "logbog:Programme.EmploymentAdded"
        employment_id: UUID
        department_id: UUID
        start: date
        end: date
        percent: int

        def apply(self, aggregate: Any) -> None:
            new = Employment(
                self.employment_id, self.department_id, self.start, self.end, self.percent
            )
            aggregate.employments = tuple(
                sorted((*aggregate.employments, new), key=lambda e: e.start)
            )

    @classmethod
    def start(
        cls,
        *,
        programme_id: UUID,
        doctor_id: UUID,
        specialty_code: str,
        stage: Stage,
        region: Region,
        hiring_date: date,
        pinned: CurriculumRef,
        meta: Meta,
    ) -> Programme:
        programme = cls._start(
            cls.Started,
            programme_id,
            meta.effective(hiring_date),
            doctor_id=doctor_id,
            specialty_code=specialty_code,
            stage=stage.value,
            region=region.value,
            hiring_date=hiring_date,
        )
        programme._record(
            cls.CurriculumVersionPinned,
            meta.effective(hiring_date),
            curriculum_id=pinned.curriculum_id,
            label=pinned.label,
            effective_from=pinned.effective_from,
        )
        return programme

    def change_curriculum_version(self, to: CurriculumRef, reason: str, meta: Meta) -> None:
        if to.stage != self.stage:
            raise InvalidInput(
                "curriculum.wrong_programme_kind",
                field="curriculum_id",
                label=to.label,
                code=self.specialty_code,
                stage=to.stage.value,
                programme_code=self.specialty_code,
                programme_stage=self.stage.value,
            )
        if to.curriculum_id == self.curriculum_id:
            raise Conflict("curriculum.already_pinned", label=to.label)
        self._record(
            self.CurriculumVersionChanged,
            meta,
            from_curriculum_id=self.curriculum_id,
            to_curriculum_id=to.curriculum_id,
            label=to.label,
            reason=check_text(reason, "reason", max_length=2000),
        )

    def add_employment(
        self,
        *,
        employment_id: UUID,
        department_id: UUID,
        start: date,
        end: date,
        percent: int,
        others: tuple[Period, ...],
        meta: Meta,
    ) -> Employment:
        """Add an employment; `others` are the doctor's employments in other programmes."""
        check_employment(
            start=start,
            end=end,
            percent=percent,
            hiring_date=self.hiring_date,
            others=(*(e.period for e in self.employments), *others),
        )
        self._record(
            self.EmploymentAdded,
            meta.effective(start),
            employment_id=employment_id,
            department_id=department_id,
            start=start,
            end=end,
            percent=percent,
        )
        return self.employments[[e.employment_id for e in self.employments].index(employment_id)]
