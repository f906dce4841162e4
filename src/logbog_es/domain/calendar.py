"""Danish working days (hverdage): Monday to Friday and not a public holiday (R3).

Public holidays come from the maintained `holidays` library, not a hand-written table.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=256)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DK", years=year).keys())


def is_public_holiday(day: date) -> bool:
    return day in _public_holidays(day.year)


def is_working_day(day: date) -> bool:
    """A hverdag: Monday-Friday and not a Danish public holiday."""
    return day.weekday() < 5 and not is_public_holiday(day)


def first_working_day(on_or_after: date) -> date:
    """The first Danish working day on or after `on_or_after`."""
    day = on_or_after
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
