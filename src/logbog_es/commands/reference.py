"""Commands on reference data: specialties, curricula, departments."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import Field

from logbog_es.commands.base import Command, Input
from logbog_es.domain.values import (
    AssessmentMethod,
    CourseKind,
    DepartmentKind,
    DoctorRole,
    Region,
    Stage,
)


class RegisterSpecialty(Command):
    """Register a specialty (or KBU) as reference data. By a curriculum administrator."""

    NAME: ClassVar[str] = "register-specialty"
    EXAMPLE: ClassVar = {
        "code": "akutmedicin",
        "name": "Akutmedicin",
        "stages": ["introduction", "main"],
        "on_logbook_from": "2018-09-01",
    }

    code: str = Field(description="Stable code, e.g. 'akutmedicin'.", max_length=40)
    name: str = Field(description="Danish name.", max_length=200)
    stages: list[Stage] = Field(description="The stages the specialty has.")
    on_logbook_from: date = Field(description="The date it came onto the electronic logbook (R12).")


class RetireSpecialty(Command):
    """Retire a specialty from a date: nothing new starts in it from then. By a curriculum admin."""

    NAME: ClassVar[str] = "retire-specialty"
    EXAMPLE: ClassVar = {"code": "intern-medicin", "retired_on": "2025-12-31"}

    code: str = Field(max_length=40)
    retired_on: date


class MethodIn(Input):
    method: AssessmentMethod
    mandatory: bool = False


class CompetencyIn(Input):
    code: str = Field(max_length=40)
    title: str = Field(max_length=200)
    description: str = Field(max_length=4000)
    roles: list[DoctorRole] = Field(description="The doctor roles (CanMEDS) it trains.")
    methods: list[MethodIn] = Field(description="Assessment methods; mandatory ones must be used.")


class CourseIn(Input):
    code: str = Field(max_length=40)
    title: str = Field(max_length=200)
    kind: CourseKind
    hours: int | None = Field(default=None, description="Extent in hours (or give days).")
    days: int | None = Field(default=None, description="Extent in working days (or give hours).")


class PublishCurriculum(Command):
    """Publish a curriculum version (målbeskrivelse). It never changes afterwards (R1)."""

    NAME: ClassVar[str] = "publish-curriculum"
    EXAMPLE: ClassVar = {
        "specialty_code": "akutmedicin",
        "stage": "main",
        "label": "2026",
        "effective_from": "2026-03-01",
        "nominal_duration_months": 48,
        "competencies": [
            {
                "code": "AM-1",
                "title": "Den kritisk syge patient",
                "description": "Modtager, vurderer og stabiliserer den kritisk syge patient.",
                "roles": ["medical_expert", "collaborator"],
                "methods": [
                    {"method": "mini_cex", "mandatory": True},
                    {"method": "structured_conversation"},
                ],
            }
        ],
        "courses": [{"code": "SOL1", "title": "SOL 1", "kind": "general", "days": 3}],
    }

    specialty_code: str = Field(max_length=40)
    stage: Stage
    label: str = Field(max_length=80, description="The version's label, e.g. '2026'.")
    effective_from: date = Field(description="Programmes hired on or after this date follow it.")
    nominal_duration_months: int
    competencies: list[CompetencyIn]
    courses: list[CourseIn] = Field(default_factory=list)


class RegisterDepartment(Command):
    """Register a hospital department or a general practice. By the region's secretariat."""

    NAME: ClassVar[str] = "register-department"
    EXAMPLE: ClassVar = {
        "code": "AUH-AKM",
        "name": "Akutafdelingen, Aarhus Universitetshospital",
        "kind": "hospital",
        "region": "nord",
    }

    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    kind: DepartmentKind
    region: Region
