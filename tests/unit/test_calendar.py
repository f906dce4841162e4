"""R3: trainee access starts on the first Danish working day of the first employment."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given

from logbog_es.domain.calendar import first_working_day, is_public_holiday, is_working_day
from tests.strategies import dates


class TestFirstWorkingDay:
    """The first hverdag on or after a date: Monday-Friday and not a public holiday."""

    @pytest.mark.parametrize(
        ("start", "expected", "why"),
        [
            (date(2025, 1, 1), date(2025, 1, 2), "New Year's Day (a Wednesday)"),
            (date(2028, 1, 1), date(2028, 1, 3), "New Year's Day on a Saturday, then Sunday"),
            (date(2025, 4, 17), date(2025, 4, 22), "Maundy Thursday to Easter Monday"),
            (date(2025, 4, 21), date(2025, 4, 22), "Easter Monday"),
            (date(2025, 5, 29), date(2025, 5, 30), "Ascension Day"),
            (date(2025, 6, 9), date(2025, 6, 10), "Whit Monday"),
            (date(2025, 12, 25), date(2025, 12, 29), "Christmas Day, Second Day, weekend"),
            (date(2026, 2, 1), date(2026, 2, 2), "a Sunday"),
            (date(2026, 8, 1), date(2026, 8, 3), "a Saturday"),
            (date(2026, 6, 1), date(2026, 6, 1), "an ordinary Monday"),
            (date(2023, 5, 5), date(2023, 5, 8), "Great Prayer Day 2023 (abolished from 2024)"),
            (date(2024, 4, 26), date(2024, 4, 26), "no Great Prayer Day in 2024"),
        ],
    )
    def test_examples(self, start: date, expected: date, why: str) -> None:
        """Worked examples across weekends and Danish public holidays."""
        assert first_working_day(start) == expected, why

    @given(dates)
    def test_never_a_weekend_or_holiday_and_never_early(self, start: date) -> None:
        """The day is a working day, not before the start, and nothing between is one."""
        day = first_working_day(start)
        assert day >= start
        assert day.weekday() < 5
        assert not is_public_holiday(day)
        between = start
        while between < day:
            assert not is_working_day(between)
            between += timedelta(days=1)
