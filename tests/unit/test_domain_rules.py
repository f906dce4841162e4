"""Rules the aggregates enforce on their own: curricula, employments, doctors, staff."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logbog_es.domain.base import Meta
from logbog_es.domain.curriculum import check_extent, validate_content
from logbog_es.domain.doctor import check_authorisation_id, check_cpr
from logbog_es.domain.errors import Conflict, InvalidInput
from logbog_es.domain.staff import check_grant
from logbog_es.domain.training_time import Period, check_employment, next_first_of_month
from logbog_es.domain.values import (
    AssessmentMethod,
    Capacity,
    Competency,
    Course,
    CourseKind,
    DoctorRole,
    MethodRequirement,
    Region,
    StaffRole,
)
from tests.strategies import dates, first_of_months

META = Meta("tester", Capacity.SECRETARIAT, "cmd-1")


def comp(code: str, **kw: object) -> Competency:
    values: dict[str, object] = {
        "code": code,
        "title": "T",
        "description": "D",
        "roles": (DoctorRole.MEDICAL_EXPERT,),
        "methods": (MethodRequirement(AssessmentMethod.MINI_CEX, True),),
    }
    values.update(kw)
    return Competency(**values)  # type: ignore[arg-type]


class TestCurriculumContent:
    """Bad curriculum content is refused with a message naming the field."""

    def test_valid_content_passes(self) -> None:
        """A well-formed version raises nothing."""
        validate_content(
            (comp("A"), comp("B")), (Course("C", "K", CourseKind.GENERAL, None, 2),), 12
        )

    @pytest.mark.parametrize(
        ("competencies", "courses", "months", "field", "code"),
        [
            ((), (), 12, "competencies", "curriculum.no_competencies"),
            (
                (comp("A"), comp("A")),
                (),
                12,
                "competencies[1].code",
                "curriculum.duplicate_competency",
            ),
            ((comp("A", roles=()),), (), 12, "competencies[0].roles", "curriculum.no_roles"),
            ((comp("A", methods=()),), (), 12, "competencies[0].methods", "curriculum.no_methods"),
            ((comp("bad code!"),), (), 12, "competencies[0].code", "code.malformed"),
            ((comp("A", title="  "),), (), 12, "competencies[0].title", "text.blank"),
            (
                (comp("A"),),
                (Course("C", "K", CourseKind.GENERAL, 3, 2),),
                12,
                "courses[0]",
                "curriculum.course_extent",
            ),
            (
                (comp("A"),),
                (Course("C", "K", CourseKind.GENERAL, None, 0),),
                12,
                "courses[0].days",
                "curriculum.extent_positive",
            ),
            (
                (comp("A"),),
                (
                    Course("C", "K", CourseKind.GENERAL, None, 1),
                    Course("C", "K", CourseKind.GENERAL, None, 1),
                ),
                12,
                "courses[1].code",
                "curriculum.duplicate_course",
            ),
            ((comp("A"),), (), 0, "nominal_duration_months", "curriculum.duration"),
        ],
    )
    def test_refusals_name_the_field(
        self,
        competencies: tuple[Competency, ...],
        courses: tuple[Course, ...],
        months: int,
        field: str,
        code: str,
    ) -> None:
        """Each kind of bad content gives its own message code and the field path."""
        with pytest.raises(InvalidInput) as raised:
            validate_content(competencies, courses, months)
        assert raised.value.code == code
        assert raised.value.field == field
        assert raised.value.message.startswith(f"{field}: ")


class TestEmployments:
    """R9 start on the 1st, R5 50-100 %, no overlaps."""

    @given(dates)
    def test_start_must_be_first_of_month(self, start: date) -> None:
        """Any start but the 1st is refused, and the message suggests the next 1st."""
        if start.day == 1:
            check_employment(
                start=start,
                end=start + timedelta(days=30),
                percent=100,
                hiring_date=start,
                others=(),
            )
            return
        with pytest.raises(InvalidInput) as raised:
            check_employment(
                start=start,
                end=start + timedelta(days=30),
                percent=100,
                hiring_date=date(2000, 1, 1),
                others=(),
            )
        assert raised.value.code == "employment.start_not_first"
        suggestion = next_first_of_month(start)
        assert suggestion.day == 1 and suggestion > start
        assert str(suggestion) in raised.value.message

    @given(st.integers(-10, 200))
    def test_percent_between_50_and_100(self, percent: int) -> None:
        """R5: 50-100 % is accepted, anything else refused."""
        start = date(2025, 1, 1)
        if 50 <= percent <= 100:
            check_employment(
                start=start, end=date(2025, 6, 30), percent=percent, hiring_date=start, others=()
            )
        else:
            with pytest.raises(InvalidInput, match="R5"):
                check_employment(
                    start=start,
                    end=date(2025, 6, 30),
                    percent=percent,
                    hiring_date=start,
                    others=(),
                )

    @given(first_of_months, st.integers(1, 400), first_of_months, st.integers(1, 400))
    def test_overlap_is_refused_exactly_when_periods_share_a_day(
        self, s1: date, d1: int, s2: date, d2: int
    ) -> None:
        """Two employments conflict exactly when they share at least one day."""
        e1, e2 = s1 + timedelta(days=d1), s2 + timedelta(days=d2)
        other = Period(UUID(int=9), s1, e1)
        share = max(s1, s2) <= min(e1, e2)
        if share:
            with pytest.raises(Conflict):
                check_employment(
                    start=s2, end=e2, percent=100, hiring_date=date(2000, 1, 1), others=(other,)
                )
        else:
            check_employment(
                start=s2, end=e2, percent=100, hiring_date=date(2000, 1, 1), others=(other,)
            )

    def test_end_after_start_and_not_before_hiring(self) -> None:
        """The end must follow the start, and the start may not precede the hiring date."""
        with pytest.raises(InvalidInput, match="not after"):
            check_employment(
                start=date(2025, 1, 1),
                end=date(2025, 1, 1),
                percent=100,
                hiring_date=date(2025, 1, 1),
                others=(),
            )
        with pytest.raises(InvalidInput, match="hiring date"):
            check_employment(
                start=date(2025, 1, 1),
                end=date(2025, 6, 30),
                percent=100,
                hiring_date=date(2025, 2, 1),
                others=(),
            )


class TestDoctorIdentifiers:
    """STPS authorisation ids and CPR numbers."""

    def test_authorisation_id_is_normalised(self) -> None:
        """Lower case and spaces are accepted and normalised."""
        assert check_authorisation_id(" ab12c ") == "AB12C"

    @pytest.mark.parametrize("value", ["AB12", "AB12CD", "AB-2C", ""])
    def test_bad_authorisation_ids(self, value: str) -> None:
        """Anything but 5 letters or digits is refused."""
        with pytest.raises(InvalidInput):
            check_authorisation_id(value)

    @pytest.mark.parametrize(
        ("value", "expected"), [("0101901234", "010190-1234"), ("290200-1234", "290200-1234")]
    )
    def test_good_cpr(self, value: str, expected: str) -> None:
        """CPR numbers with a real date are accepted, with or without the dash."""
        assert check_cpr(value) == expected

    @pytest.mark.parametrize(
        "value", ["320190-1234", "011390-1234", "310490-1234", "abc", "0101901"]
    )
    def test_bad_cpr_never_echoes_the_value(self, value: str) -> None:
        """A bad CPR number is refused without repeating it in the message."""
        with pytest.raises(InvalidInput) as raised:
            check_cpr(value)
        assert value not in raised.value.message


class TestStaffGrants:
    """A secretariat belongs to one region; the other staff roles are national."""

    def test_secretariat_needs_region(self) -> None:
        """No region: refused."""
        with pytest.raises(InvalidInput):
            check_grant(StaffRole.SECRETARIAT, None)

    def test_national_roles_take_no_region(self) -> None:
        """A curriculum administrator with a region: refused."""
        with pytest.raises(InvalidInput):
            check_grant(StaffRole.CURRICULUM_ADMIN, Region.NORD)


@pytest.mark.parametrize(
    ("hours", "days", "where", "field", "code"),
    [
        (0, None, "", "hours", "curriculum.extent_positive"),
        (None, 0, "", "days", "curriculum.extent_positive"),
        (None, -1, "courses[2]", "courses[2].days", "curriculum.extent_positive"),
        (3, 2, "", "hours", "curriculum.course_extent"),
        (None, None, "courses[0]", "courses[0]", "curriculum.course_extent"),
    ],
)
def test_course_extent_names_the_field_at_fault(
    hours: int | None, days: int | None, where: str, field: str, code: str
) -> None:
    """One extent rule for curricula and completed courses; the error names the wrong field."""
    with pytest.raises(InvalidInput) as raised:
        check_extent(hours, days, where)
    assert (raised.value.field, raised.value.code) == (field, code)
    check_extent(None, 2, where)  # a valid extent passes


class _Curriculum:
    """A curriculum version with one course, C1, and no competency (for the order of refusals)."""

    def competency(self, code: str) -> None:
        return None

    def course(self, code: str) -> object | None:
        return object() if code == "C1" else None


class TestOrderOfRefusals:
    """The logbook's rules refuse in the order the aggregate always did: a person fixing one
    error at a time sees the same message first."""

    def test_an_approval_in_the_future_is_refused_before_its_competency_is_looked_up(
        self,
    ) -> None:
        from typing import Any

        from logbog_es.domain.logbook import check_approval
        from logbog_es.domain.values import AssessmentMethod

        curriculum: Any = _Curriculum()
        today = date(2026, 5, 1)
        with pytest.raises(InvalidInput) as future:
            check_approval(
                curriculum, "2019", "K9", AssessmentMethod.MINI_CEX, date(2026, 5, 2), today, None
            )
        assert future.value.code == "date.in_future"
        with pytest.raises(InvalidInput) as unknown:
            check_approval(curriculum, "2019", "K9", AssessmentMethod.MINI_CEX, today, today, None)
        assert unknown.value.code == "logbook.unknown_competency"

    def test_a_course_with_a_bad_extent_is_refused_before_it_is_found_done(self) -> None:
        from typing import Any

        from logbog_es.domain.logbook import CourseCompletion, check_course
        from logbog_es.domain.values import Capacity

        curriculum: Any = _Curriculum()
        today = date(2026, 5, 1)
        done = CourseCompletion("C1", today, None, 2, "ref", "x", Capacity.TRAINEE)
        with pytest.raises(InvalidInput) as extent:
            check_course(curriculum, "2019", "C1", today, today, 0, None, done)
        assert extent.value.code == "curriculum.extent_positive"
        with pytest.raises(Conflict) as twice:
            check_course(curriculum, "2019", "C1", today, today, None, 2, done)
        assert twice.value.code == "logbook.course_done"
