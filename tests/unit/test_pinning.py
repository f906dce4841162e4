"""R1 version pinning."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from logbog_es.domain.specialty import CurriculumRef, pinned_version
from logbog_es.domain.values import Stage
from tests.strategies import dates, published_versions, stages

A = UUID(int=1)
B = UUID(int=2)


class TestPinnedVersion:
    """The version a programme follows is the newest in effect on its hiring date."""

    @given(published_versions(), stages, dates)
    def test_newest_in_effect_on_hiring_date(
        self, versions: tuple[CurriculumRef, ...], stage: Stage, hired: date
    ) -> None:
        """The pin is in effect on the hiring date; no version of its stage in effect is newer."""
        pinned = pinned_version(versions, stage, hired)
        in_effect = [v for v in versions if v.stage == stage and v.effective_from <= hired]
        if not in_effect:
            assert pinned is None
            return
        assert pinned is not None
        assert pinned.stage == stage
        assert pinned.effective_from <= hired
        for other in in_effect:
            assert (other.effective_from, other.sequence) <= (
                pinned.effective_from,
                pinned.sequence,
            )

    def test_same_day_versions_prefer_the_last_published(self) -> None:
        """Of two versions effective the same day, the one published last wins."""
        a = CurriculumRef(A, Stage.KBU, "a", date(2024, 1, 1), 1)
        b = CurriculumRef(B, Stage.KBU, "b", date(2024, 1, 1), 2)
        assert pinned_version((a, b), Stage.KBU, date(2024, 1, 1)) == b

    @given(st.dates(min_value=date(2018, 1, 2), max_value=date(2030, 1, 1)))
    def test_hired_the_day_before_keeps_the_old_version(self, new_from: date) -> None:
        """Hired the day before a new version takes effect: the old one; on the day: the new."""
        old = CurriculumRef(A, Stage.MAIN, "old", date(2018, 1, 1), 1)
        new = CurriculumRef(B, Stage.MAIN, "new", new_from, 2)
        assert pinned_version((old, new), Stage.MAIN, new_from - timedelta(days=1)) == old
        assert pinned_version((old, new), Stage.MAIN, new_from) == new
