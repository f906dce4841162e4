"""Training time (uddannelsestid): part time (R5), absence (R6), and the resulting end date.

Pure functions over one employment. Counting follows the rules:
- R6: 10 % of an employment is counted on a 30-day month / 360-day year (18 days per half year,
  36 per year). Absence above that extends the employment by at least the whole absence;
  sickness (and every recorded kind of absence) counts calendar days. Holiday, mandatory
  courses and meetings are not absence and are never recorded as such.
- R5: part time down to 50 %; the employment is extended to duration / fraction, rounded up to
  the end of that month. Fractions change from the 1st of a month (R9), so each month has one.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction
from uuid import UUID


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
