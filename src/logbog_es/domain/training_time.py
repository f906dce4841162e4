"""Training time (uddannelsestid): part time (R5), absence (R6), and the resulting end date.

Pure functions over one employment. Counting follows the rules:
- R6: 10 % of an employment is counted on a 30-day month / 360-day year (18 days per half year,
  36 per year). Absence above that extends the employment by at least the whole absence;
  sickness (and every recorded kind of absence) counts calendar days. Holiday, mandatory
  courses and meetings are not absence and are never recorded as such.
- R5: part time down to 50 %; the employment is extended to duration / fraction, rounded up to
  the end of that month. Fractions change from the 1st of a month (R9), so each month has one.

Also the employments a programme holds and the rules a change of their time must keep (the
Programme aggregate records the events).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction
from uuid import UUID

from logbog_es.domain.errors import Conflict, InvalidInput
from logbog_es.domain.values import Capacity


class AbsenceKind(StrEnum):
    SICKNESS = "sickness"
    PARENTAL_LEAVE = "parental_leave"
    RESEARCH_LEAVE = "research_leave"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Absence:
    absence_id: UUID
    kind: AbsenceKind
    first_day: date
    last_day: date

    @property
    def days(self) -> int:
        """Calendar days, both ends included."""
        return (self.last_day - self.first_day).days + 1


@dataclass(frozen=True, slots=True)
class FractionChange:
    """From `from_date` (the 1st of a month) the employment runs at `fraction` of full time."""

    from_date: date
    fraction: Fraction


@dataclass(frozen=True, slots=True)
class TimeReport:
    start: date
    nominal_end: date
    recorded_end: date
    nominal_days_360: int
    absence_threshold: Fraction
    absence_days: int
    absence_exceeds: bool
    part_time_end: date
    absence_extension_days: int
    required_end: date
    served_days: int

    @property
    def extension_missing(self) -> bool:
        return self.recorded_end < self.required_end

    @property
    def last_month_starts(self) -> date:
        """R7: a time attestation is issued at the earliest on this day."""
        return self.recorded_end.replace(day=1)


def days360(start: date, end_exclusive: date) -> int:
    """Days between two dates on the 30/360 model (European convention)."""
    d1, d2 = min(start.day, 30), min(end_exclusive.day, 30)
    return (
        360 * (end_exclusive.year - start.year)
        + 30 * (end_exclusive.month - start.month)
        + (d2 - d1)
    )


def end_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def absence_threshold(start: date, nominal_end: date) -> Fraction:
    """R6: 10 % of the employment's nominal duration on the 30/360 model."""
    return Fraction(days360(start, nominal_end + timedelta(days=1)), 10)


def part_time_end(
    start: date, nominal_end: date, initial: Fraction, changes: tuple[FractionChange, ...]
) -> date:
    """R5: the end once part time is counted: duration / fraction, up to the end of that month.

    Full time throughout keeps the nominal end. Otherwise months are walked from the start,
    each counting 30 days times its fraction, until the nominal 30/360 duration is reached; the
    employment then ends on the last day of that month.
    """
    schedule = sorted(changes, key=lambda c: c.from_date)
    if initial == 1 and all(c.fraction == 1 for c in schedule):
        return nominal_end
    needed = Fraction(days360(start, nominal_end + timedelta(days=1)))
    done = Fraction(0)
    month = start.replace(day=1)
    first = True
    while True:
        fraction = initial
        for change in schedule:
            if change.from_date <= month:
                fraction = change.fraction
        # The first month may start after its 1st (never under R9, but be exact anyway).
        days = 30 - (min(start.day, 30) - 1) if first else 30
        done += days * fraction
        if done >= needed:
            return max(end_of_month(month), nominal_end)
        month = add_months(month, 1)
        first = False


def full_time_days(
    start: date, last_day: date, initial: Fraction, changes: tuple[FractionChange, ...]
) -> Fraction:
    """R5: the days from `start` to `last_day` (both included), each weighted by the fraction of
    full time in force that day. A later-recorded change on the same date wins."""
    if last_day < start:
        return Fraction(0)
    schedule = sorted(changes, key=lambda c: c.from_date)
    fraction = initial
    for change in schedule:
        if change.from_date <= start:
            fraction = change.fraction
    total = Fraction(0)
    segment_start = start
    for change in schedule:
        if start < change.from_date <= last_day:
            total += (change.from_date - segment_start).days * fraction
            segment_start, fraction = change.from_date, change.fraction
    return total + ((last_day - segment_start).days + 1) * fraction


def report(
    *,
    start: date,
    nominal_end: date,
    recorded_end: date,
    initial: Fraction,
    changes: tuple[FractionChange, ...],
    absences: tuple[Absence, ...],
    today: date,
) -> TimeReport:
    """Everything the rules say about one employment's time, as of `today`."""
    threshold = absence_threshold(start, nominal_end)
    absent = sum(a.days for a in absences)
    exceeds = absent > threshold
    pt_end = part_time_end(start, nominal_end, initial, changes)
    extension = absent if exceeds else 0
    required = pt_end + timedelta(days=extension)
    served = 0 if today < start else (min(today, recorded_end) - start).days + 1
    return TimeReport(
        start=start,
        nominal_end=nominal_end,
        recorded_end=recorded_end,
        nominal_days_360=days360(start, nominal_end + timedelta(days=1)),
        absence_threshold=threshold,
        absence_days=absent,
        absence_exceeds=exceeds,
        part_time_end=pt_end,
        absence_extension_days=extension,
        required_end=required,
        served_days=served,
    )


# -- employments (R5, R9) and their time ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """The days an employment spans, `end` inclusive."""

    employment_id: UUID
    start: date
    end: date

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and start <= self.end


@dataclass(frozen=True, slots=True)
class TimeAttestation:
    """R7: attestation for tidsmæssigt gennemført uddannelseselement."""

    employment_id: UUID
    attested_by: UUID
    capacity: Capacity
    attested_on: date


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


def check_absence(
    employment: Employment, recorded: Iterable[Absence], first_day: date, last_day: date
) -> None:
    """R6: an absence lies within its employment and overlaps no other recorded absence."""
    if last_day < first_day:
        raise InvalidInput("time.absence_order", field="last_day", first=first_day, last=last_day)
    if first_day < employment.start or last_day > employment.end:
        raise InvalidInput(
            "time.absence_outside",
            field="first_day",
            start=employment.start,
            end=employment.end,
        )
    for other in recorded:
        if other.first_day <= last_day and first_day <= other.last_day:
            raise Conflict("time.absence_overlap", first=other.first_day, last=other.last_day)


def check_fraction_change(employment: Employment, from_date: date, fraction: Fraction) -> None:
    """R5 (50-100 %) from the 1st of a month (R9), within the employment."""
    if from_date.day != 1:
        raise InvalidInput(
            "time.fraction_not_first",
            field="from_date",
            value=from_date,
            suggestion=next_first_of_month(from_date),
        )
    if not Fraction(1, 2) <= fraction <= 1:
        raise InvalidInput("time.fraction_range", field="percent", value=float(fraction * 100))
    if not employment.start <= from_date <= employment.end:
        raise InvalidInput(
            "time.fraction_outside",
            field="from_date",
            start=employment.start,
            end=employment.end,
        )


def check_extension(employment: Employment, new_end: date, others: Iterable[Period]) -> None:
    """An extension moves the end later, into no other employment of the doctor."""
    if new_end <= employment.end:
        raise InvalidInput(
            "time.extension_not_later", field="new_end", new_end=new_end, end=employment.end
        )
    for other in others:
        if other.overlaps(employment.start, new_end):
            raise Conflict(
                "time.extension_overlap",
                new_end=new_end,
                other_start=other.start,
                other_id=other.employment_id,
            )


def check_attestable(time: TimeReport, today: date) -> None:
    """R7: not before the first day of the employment's last month, nor while an extension
    the rules require is missing."""
    if today < time.last_month_starts:
        raise Conflict("time.attest_too_early", earliest=time.last_month_starts)
    if time.extension_missing:
        why = (
            f"absence of {time.absence_days} days exceeds 10 % "
            f"({float(time.absence_threshold):g} days on the 30/360 model)"
            if time.absence_exceeds
            else "part time extends it"
        )
        raise Conflict(
            "time.extension_missing",
            why=why,
            required_end=time.required_end,
            end=time.recorded_end,
        )
