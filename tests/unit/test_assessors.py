"""Whom a trainee may ask to assess them (R2, R4): one rule, `DepartmentAccess.may_assess`, and
its list, `assessors`, agree for any access chain and any day."""

from __future__ import annotations

import uuid
from contextlib import suppress
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from logbog_es.domain.access import DepartmentAccess
from logbog_es.domain.base import Meta
from logbog_es.domain.errors import LogbogError
from logbog_es.domain.values import Capacity, DepartmentKind, Region

META = Meta("tester", Capacity.SECRETARIAT, "cmd-1")
PEOPLE = [uuid.UUID(int=i + 1) for i in range(6)]
TRAINEE = PEOPLE[0]
START = date(2026, 1, 1)

appointment = st.tuples(st.sampled_from(PEOPLE[1:]), st.integers(0, 60))
grant = st.tuples(
    st.sampled_from(PEOPLE[1:]),  # supervisor
    st.sampled_from(["all", "trainee", "other"]),  # whom the grant covers
    st.booleans(),  # main supervisor for the trainee
    st.booleans(),  # delegated
    st.integers(0, 60),  # start, days after START
    st.one_of(st.none(), st.integers(1, 60)),  # revoked after so many days
)


def build(appointments: list[tuple[uuid.UUID, int]], grants: list[tuple]) -> DepartmentAccess:  # type: ignore[type-arg]
    access = DepartmentAccess.open(
        department_id=uuid.uuid4(), kind=DepartmentKind.HOSPITAL, region=Region.NORD, meta=META
    )
    for doctor, offset in appointments:
        with suppress(LogbogError):  # refused by the aggregate's own rules: not in the chain
            access.appoint(
                appointment_id=uuid.uuid4(),
                doctor_id=doctor,
                start=START + timedelta(days=offset),
                meta=META,
            )
    for supervisor, covers, main, delegated, offset, revoked in grants:
        grant_id = uuid.uuid4()
        try:
            access.grant(
                grant_id=grant_id,
                supervisor_id=supervisor,
                trainee_ids=None
                if covers == "all"
                else (TRAINEE,)
                if covers == "trainee"
                else (PEOPLE[5],),
                main_supervisor_for=TRAINEE if main else None,
                delegated=delegated,
                granted_by=PEOPLE[1],
                start=START + timedelta(days=offset),
                meta=META,
            )
            if revoked is not None:
                access.revoke(
                    grant_id=grant_id,
                    revoked_from=START + timedelta(days=offset + revoked),
                    meta=META,
                )
        except LogbogError:
            pass
    return access


class TestAssessors:
    """The list and the yes/no question give the same answer, for everyone, every day."""

    @given(
        st.lists(appointment, max_size=3),
        st.lists(grant, max_size=6),
        st.integers(-5, 130),
    )
    def test_list_agrees_with_the_rule(
        self,
        appointments: list[tuple[uuid.UUID, int]],
        grants: list[tuple],
        day: int,  # type: ignore[type-arg]
    ) -> None:
        access = build(appointments, grants)
        on = START + timedelta(days=day)
        listed = access.assessors(TRAINEE, on)
        ids = [doctor for doctor, _ in listed]
        assert len(ids) == len(set(ids)), "each person once"
        for person in PEOPLE[1:]:
            assert access.may_assess(person, TRAINEE, on) == (person in ids)
        capacities = [capacity for _, capacity in listed]
        ranks = [
            0 if c in (Capacity.UAO, Capacity.TUTOR) else 1 if c is Capacity.MAIN_SUPERVISOR else 2
            for c in capacities
        ]
        assert ranks == sorted(ranks), "UAO/tutor first, then the main supervisor"
        for doctor, capacity in listed:
            if capacity is Capacity.MAIN_SUPERVISOR:
                main = access.main_supervisor(TRAINEE, on)
                assert main is not None
                assert main.supervisor_id == doctor

    def test_one_main_supervisor_at_a_time(self) -> None:
        """R4: a second supervisor cannot become main supervisor while another's grant lasts,
        also when the new grant would start before the existing one (found by the property
        test above: both were then main supervisor from the later start)."""
        access = build([], [(PEOPLE[2], "trainee", True, False, 10, None)])
        for start in (0, 10, 30):
            with suppress(LogbogError):
                access.grant(
                    grant_id=uuid.uuid4(),
                    supervisor_id=PEOPLE[3],
                    trainee_ids=(TRAINEE,),
                    main_supervisor_for=TRAINEE,
                    delegated=False,
                    granted_by=PEOPLE[1],
                    start=START + timedelta(days=start),
                    meta=META,
                )
        assert [g.supervisor_id for g in access.grants] == [PEOPLE[2]]

    def test_a_revoked_grant_is_not_listed(self) -> None:
        access = build([], [(PEOPLE[2], "all", False, False, 0, 10)])
        assert [d for d, _ in access.assessors(TRAINEE, START + timedelta(days=5))] == [PEOPLE[2]]
        assert access.assessors(TRAINEE, START + timedelta(days=10)) == []
