"""R1 through the application: pins follow the rule and never move on later publications."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from logbog_es.application import Logbog
from logbog_es.application.handlers import HANDLERS
from logbog_es.domain.errors import Conflict
from tests.helpers import World

dates = st.dates(min_value=date(2010, 1, 1), max_value=date(2040, 12, 31))
version_dates = st.lists(dates, min_size=1, max_size=5)


class TestPinningThroughCommands:
    """start-programme pins by R1; publish-curriculum afterwards never moves a pin."""

    @given(version_dates, dates, version_dates)
    def test_pin_is_newest_in_effect_and_stays(
        self, first: list[date], hired: date, later: list[date]
    ) -> None:
        """For any versions and hiring date: the newest in effect; unchanged by later ones."""
        world = World(
            Logbog(
                handlers=HANDLERS,
                env={"PERSISTENCE_MODULE": "logbog_es.application.chain:ChainedPOPOFactory"},
            )
        )
        world.specialty("kbu", ("kbu",))
        published = [(world.curriculum(f"a{i}", d), d) for i, d in enumerate(first)]
        doctor = world.doctor()
        in_effect = [(vid, d) for vid, d in published if d <= hired]
        if not in_effect:
            try:
                world.programme(doctor, hired)
            except Conflict:
                return
            raise AssertionError("a programme started with no version in effect")
        expected = max(in_effect, key=lambda pair: (pair[1], published.index(pair)))[0]
        programme = world.programme(doctor, hired)
        assert world.app.repository.get(programme).curriculum_id == expected
        for i, d in enumerate(later):
            world.curriculum(f"b{i}", d)
        assert world.app.repository.get(programme).curriculum_id == expected
