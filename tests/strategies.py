"""Hypothesis strategies for Logbog's domain."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from hypothesis import strategies as st

from logbog_es.domain.specialty import CurriculumRef
from logbog_es.domain.values import Stage

dates = st.dates(min_value=date(2005, 1, 1), max_value=date(2040, 12, 31))
first_of_months = st.builds(lambda y, m: date(y, m, 1), st.integers(2005, 2040), st.integers(1, 12))
stages = st.sampled_from(list(Stage))


@st.composite
def published_versions(draw: st.DrawFn) -> tuple[CurriculumRef, ...]:
    """A specialty's curriculum versions in publication order (labels unique per stage)."""
    count = draw(st.integers(0, 8))
    refs = []
    for sequence in range(1, count + 1):
        refs.append(
            CurriculumRef(
                curriculum_id=UUID(int=sequence),
                stage=draw(stages),
                label=f"v{sequence}",
                effective_from=draw(dates),
                sequence=sequence,
            )
        )
    return tuple(refs)


@st.composite
def periods(draw: st.DrawFn) -> tuple[date, date]:
    start = draw(first_of_months)
    return start, start + timedelta(days=draw(st.integers(1, 800)))
