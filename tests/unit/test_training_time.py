"""Training time: part time (R5), absence (R6) and the resulting end date."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logbog_es.domain.training_time import (
    Absence,
    AbsenceKind,
    FractionChange,
    absence_threshold,
    add_months,
    end_of_month,
    full_time_days,
    part_time_end,
    report,
)

starts = st.builds(lambda y, m: date(y, m, 1), st.integers(2015, 2035), st.integers(1, 12))
lengths = st.integers(1, 60)
fractions = st.fractions(min_value=Fraction(1, 2), max_value=1, max_denominator=100)


def _end(start: date, months: int) -> date:
    return add_months(start, months) - timedelta(days=1)


@st.composite
def absences(draw: st.DrawFn, start: date, end: date) -> tuple[Absence, ...]:
    result = []
    day = start
    for n in range(draw(st.integers(0, 5))):
        first = day + timedelta(days=draw(st.integers(0, 60)))
        last = first + timedelta(days=draw(st.integers(0, 40)))
        if last > end:
            break
        result.append(Absence(UUID(int=n + 1), AbsenceKind.SICKNESS, first, last))
        day = last + timedelta(days=1)
    return tuple(result)


class TestPartTime:
    """R5: duration / fraction, rounded up to the end of that month."""

    def test_worked_example_30_of_37_hours(self) -> None:
        """12 months at 30/37 hours: the end of the month reached after 14 months and 24 days."""
        start = date(2025, 1, 1)
        end = part_time_end(start, _end(start, 12), Fraction(30, 37), ())
        landed = add_months(start, 14) + timedelta(days=24)
        assert end == end_of_month(landed) == date(2026, 3, 31)

    @given(starts, lengths)
    def test_full_time_needs_no_extension(self, start: date, months: int) -> None:
        """Full time and no absence: the employment ends when it was planned to."""
        end = _end(start, months)
        result = report(
            start=start,
            nominal_end=end,
            recorded_end=end,
            initial=Fraction(1),
            changes=(),
            absences=(),
            today=start,
        )
        assert result.required_end == end
        assert not result.extension_missing

    @given(starts, lengths, fractions)
    def test_part_time_ends_on_a_month_end_never_earlier(
        self, start: date, months: int, fraction: Fraction
    ) -> None:
        """Any fraction: never shorter than planned; below 100 % it ends on a month's last day."""
        end = _end(start, months)
        result = part_time_end(start, end, fraction, ())
        assert result >= end
        if fraction < 1:
            assert result == end_of_month(result)
            # And not a month later than needed: the month before falls short.
            needed = months * 30
            served_months = (result.year - start.year) * 12 + result.month - start.month
            assert served_months * 30 * fraction < needed <= (served_months + 1) * 30 * fraction

    @given(starts, lengths, st.lists(st.tuples(st.integers(0, 59), fractions), max_size=4))
    def test_changes_never_shorten(
        self, start: date, months: int, changes: list[tuple[int, Fraction]]
    ) -> None:
        """Part-time changes from the 1st of months: the end is never before the planned end."""
        end = _end(start, months)
        schedule = tuple(FractionChange(add_months(start, m % months), f) for m, f in changes)
        assert part_time_end(start, end, Fraction(1), schedule) >= end


class TestAbsence:
    """R6: above 10 % on the 30/360 model, the employment extends by the whole absence."""

    @pytest.mark.parametrize(("months", "days"), [(6, 18), (12, 36), (3, 9), (24, 72)])
    def test_threshold_on_the_30_360_model(self, months: int, days: int) -> None:
        """18 days per half year, 36 per year, whatever the calendar month lengths."""
        for start in (date(2025, 1, 1), date(2025, 2, 1), date(2024, 2, 1)):
            assert absence_threshold(start, _end(start, months)) == days

    @given(starts, st.integers(1, 36), st.data())
    def test_extension_never_shortens_and_covers_the_absence(
        self, start: date, months: int, data: st.DataObject
    ) -> None:
        """Above 10 %: at least the whole absence is added; at or below: nothing is."""
        end = _end(start, months)
        away = data.draw(absences(start, end))
        result = report(
            start=start,
            nominal_end=end,
            recorded_end=end,
            initial=Fraction(1),
            changes=(),
            absences=away,
            today=end,
        )
        total = sum(a.days for a in away)
        assert result.required_end >= end
        if total > Fraction(months * 30, 10):
            assert result.absence_exceeds
            assert result.required_end >= end + timedelta(days=total)
        else:
            assert result.required_end == end

    def test_eighteen_days_in_half_a_year_is_not_above(self) -> None:
        """Exactly 10 % (18 days in 6 months) needs no extension; 19 days does."""
        start, end = date(2025, 1, 1), date(2025, 6, 30)

        def required(days: int) -> date:
            away = (
                Absence(
                    UUID(int=1),
                    AbsenceKind.SICKNESS,
                    date(2025, 2, 1),
                    date(2025, 2, 1) + timedelta(days=days - 1),
                ),
            )
            return report(
                start=start,
                nominal_end=end,
                recorded_end=end,
                initial=Fraction(1),
                changes=(),
                absences=away,
                today=end,
            ).required_end

        assert required(18) == end
        assert required(19) == end + timedelta(days=19)


class TestFullTimeDays:
    """R5: served days weighted by the part-time fraction in force each day."""

    @given(
        starts,
        st.integers(0, 400),
        fractions,
        st.lists(st.tuples(st.integers(0, 24), fractions), max_size=4),
    )
    def test_equals_the_day_by_day_sum(
        self,
        start: date,
        length: int,
        initial: Fraction,
        raw_changes: list[tuple[int, Fraction]],
    ) -> None:
        """Summing segments equals weighting every single day by the latest change before it."""
        changes = tuple(FractionChange(add_months(start, m), f) for m, f in raw_changes)
        last_day = start + timedelta(days=length)
        expected = Fraction(0)
        day = start
        while day <= last_day:
            fraction = initial
            for change in sorted(changes, key=lambda c: c.from_date):
                if change.from_date <= day:
                    fraction = change.fraction
            expected += fraction
            day += timedelta(days=1)
        assert full_time_days(start, last_day, initial, changes) == expected

    def test_nothing_served_before_the_start(self) -> None:
        """A last day before the first day counts nothing."""
        start = date(2026, 3, 1)
        assert full_time_days(start, start - timedelta(days=1), Fraction(1), ()) == 0
