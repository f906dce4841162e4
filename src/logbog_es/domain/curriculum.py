"""Curriculum versions (målbeskrivelser). A published version never changes (R1)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from logbog_es.domain.base import Created, LogbogAggregate, Meta, stable_id
from logbog_es.domain.errors import InvalidInput
from logbog_es.domain.values import (
    AssessmentMethod,
    Competency,
    Course,
    CourseKind,
    DoctorRole,
    MethodRequirement,
    Stage,
    check_code,
    check_text,
)


def curriculum_id(specialty_code: str, stage: Stage, label: str) -> UUID:
    return stable_id("curriculum", specialty_code, stage.value, label)


def check_extent(hours: int | None, days: int | None, where: str = "") -> None:
    """A course lasts hours or days: exactly one of them, and more than zero. `where` prefixes
    the field named in an error (a course of a curriculum; empty for a completed course)."""
    if (hours is None and days is None) or (hours is not None and days is not None):
        raise InvalidInput("curriculum.course_extent", field=where or "hours")
    name, extent = ("hours", hours) if hours is not None else ("days", days)
    if extent is None or extent <= 0:
        raise InvalidInput("curriculum.extent_positive", field=f"{where}.{name}" if where else name)


def validate_content(
    competencies: tuple[Competency, ...], courses: tuple[Course, ...], nominal_months: int
) -> None:
    """Refuse bad curriculum content with a message naming the field."""
    if not competencies:
        raise InvalidInput("curriculum.no_competencies", field="competencies")
    seen: set[str] = set()
    for i, comp in enumerate(competencies):
        where = f"competencies[{i}]"
        check_code(comp.code, f"{where}.code")
        if comp.code in seen:
            raise InvalidInput(
                "curriculum.duplicate_competency", field=f"{where}.code", code=comp.code
            )
        seen.add(comp.code)
        check_text(comp.title, f"{where}.title")
        check_text(comp.description, f"{where}.description", max_length=4000)
        if not comp.roles:
            raise InvalidInput("curriculum.no_roles", field=f"{where}.roles")
        if len(set(comp.roles)) != len(comp.roles):
            dup = next(r for r in comp.roles if comp.roles.count(r) > 1)
            raise InvalidInput("curriculum.duplicate_role", field=f"{where}.roles", role=dup.value)
        if not comp.methods:
            raise InvalidInput("curriculum.no_methods", field=f"{where}.methods")
        methods = [m.method for m in comp.methods]
        if len(set(methods)) != len(methods):
            dup_m = next(m for m in methods if methods.count(m) > 1)
            raise InvalidInput(
                "curriculum.duplicate_method", field=f"{where}.methods", method=dup_m.value
            )
    seen_courses: set[str] = set()
    for i, course in enumerate(courses):
        where = f"courses[{i}]"
        check_code(course.code, f"{where}.code")
        if course.code in seen_courses:
            raise InvalidInput(
                "curriculum.duplicate_course", field=f"{where}.code", code=course.code
            )
        seen_courses.add(course.code)
        check_text(course.title, f"{where}.title")
        check_extent(course.hours, course.days, where)
    if not 1 <= nominal_months <= 120:
        raise InvalidInput(
            "curriculum.duration", field="nominal_duration_months", months=nominal_months
        )


def _competency_to_json(c: Competency) -> dict[str, Any]:
    return {
        "code": c.code,
        "title": c.title,
        "description": c.description,
        "roles": [r.value for r in c.roles],
        "methods": [{"method": m.method.value, "mandatory": m.mandatory} for m in c.methods],
    }


def _competency_from_json(d: dict[str, Any]) -> Competency:
    return Competency(
        code=d["code"],
        title=d["title"],
        description=d["description"],
        roles=tuple(DoctorRole(r) for r in d["roles"]),
        methods=tuple(
            MethodRequirement(AssessmentMethod(m["method"]), bool(m["mandatory"]))
            for m in d["methods"]
        ),
    )


def _course_to_json(c: Course) -> dict[str, Any]:
    return {
        "code": c.code,
        "title": c.title,
        "kind": c.kind.value,
        "hours": c.hours,
        "days": c.days,
    }


def _course_from_json(d: dict[str, Any]) -> Course:
    return Course(d["code"], d["title"], CourseKind(d["kind"]), d["hours"], d["days"])


class CurriculumVersion(LogbogAggregate):
    """One published version of a specialty's (or KBU's) curriculum for one stage."""

    TOPIC = "logbog:CurriculumVersion"

    if TYPE_CHECKING:
        specialty_code: str
        stage: Stage
        label: str
        effective_from: date
        nominal_duration_months: int
        competencies: tuple[Competency, ...]
        courses: tuple[Course, ...]

    class Published(Created):
        TOPIC = "logbog:CurriculumVersion.Published"
        specialty_code: str
        stage: str
        label: str
        effective_from: date
        nominal_duration_months: int
        competencies: list[dict[str, Any]]
        courses: list[dict[str, Any]]

        def apply(self, aggregate: Any) -> None:
            aggregate.specialty_code = self.specialty_code
            aggregate.stage = Stage(self.stage)
            aggregate.label = self.label
            aggregate.effective_from = self.effective_from
            aggregate.nominal_duration_months = self.nominal_duration_months
            aggregate.competencies = tuple(_competency_from_json(c) for c in self.competencies)
            aggregate.courses = tuple(_course_from_json(c) for c in self.courses)

    @classmethod
    def publish(
        cls,
        *,
        specialty_code: str,
        stage: Stage,
        label: str,
        effective_from: date,
        nominal_duration_months: int,
        competencies: tuple[Competency, ...],
        courses: tuple[Course, ...],
        meta: Meta,
    ) -> CurriculumVersion:
        label = check_text(label, "label", max_length=80)
        validate_content(competencies, courses, nominal_duration_months)
        return cls._start(
            cls.Published,
            curriculum_id(specialty_code, stage, label),
            meta.effective(effective_from),
            specialty_code=specialty_code,
            stage=stage.value,
            label=label,
            effective_from=effective_from,
            nominal_duration_months=nominal_duration_months,
            competencies=[_competency_to_json(c) for c in competencies],
            courses=[_course_to_json(c) for c in courses],
        )

    def competency(self, code: str) -> Competency | None:
        return next((c for c in self.competencies if c.code == code), None)

    def course(self, code: str) -> Course | None:
        return next((c for c in self.courses if c.code == code), None)


class _MethodLike(Protocol):
    method: AssessmentMethod
    mandatory: bool


class _CompetencyLike(Protocol):
    code: str
    title: str
    description: str

    @property
    def roles(self) -> Sequence[DoctorRole]: ...

    @property
    def methods(self) -> Sequence[_MethodLike]: ...


class _CourseLike(Protocol):
    code: str
    title: str
    kind: CourseKind
    hours: int | None
    days: int | None


def content_of(
    competencies: Iterable[_CompetencyLike], courses: Iterable[_CourseLike]
) -> tuple[tuple[Competency, ...], tuple[Course, ...]]:
    """Value objects from any input shaped like a curriculum (a command, a reference file)."""
    return (
        tuple(
            Competency(
                code=c.code,
                title=c.title,
                description=c.description,
                roles=tuple(c.roles),
                methods=tuple(MethodRequirement(m.method, m.mandatory) for m in c.methods),
            )
            for c in competencies
        ),
        tuple(Course(c.code, c.title, c.kind, c.hours, c.days) for c in courses),
    )
