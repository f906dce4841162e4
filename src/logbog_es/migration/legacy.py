"""The legacy export format: JSON Lines, one doctor's whole logbook per line.

These pydantic models are the format's definition; docs/legacy-format.schema.json is generated
from them (`logbog import schema`), and docs/legacy-format.md explains it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from logbog_es.commands.base import Input
from logbog_es.domain.logbook import AttestationKind
from logbog_es.domain.readiness import SubmissionKind
from logbog_es.domain.training_time import AbsenceKind
from logbog_es.domain.values import (
    AssessmentMethod,
    CourseKind,
    DepartmentKind,
    DoctorRole,
    Region,
    Stage,
)


class _Strict(Input):
    """Strict, and text refused as commands refuse it (no control characters, no NUL)."""


class Person(_Strict):
    """Someone who signed: identified by STPS authorisation id; the name is for the record."""

    authorisation_id: str = Field(min_length=5, max_length=5)
    name: str = Field(min_length=1, max_length=200)


class LegacyDoctor(_Strict):
    authorisation_id: str = Field(min_length=5, max_length=5)
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    cpr: str | None = Field(default=None, max_length=11)


class PartTime(_Strict):
    from_date: date = Field(description="The 1st of a month.")
    percent: Decimal = Field(ge=50, le=100, max_digits=5, decimal_places=2)


class LegacyAbsence(_Strict):
    kind: AbsenceKind
    first_day: date
    last_day: date


class TimeAttestation(_Strict):
    attested_by: Person
    capacity: Literal["uao", "tutor"]
    attested_on: date


class LegacyEmployment(_Strict):
    legacy_id: str = Field(min_length=1, max_length=80)
    department_code: str = Field(max_length=40)
    start: date
    end: date
    percent: int = Field(default=100, ge=50, le=100)
    part_time_changes: list[PartTime] = Field(default_factory=list)
    absences: list[LegacyAbsence] = Field(default_factory=list)
    extended_to: date | None = None
    time_attestation: TimeAttestation | None = None


class Withdrawal(_Strict):
    withdrawn_on: date
    reason: str = Field(min_length=1, max_length=2000)
    withdrawn_by: Person | None = None


class LegacyApproval(_Strict):
    legacy_id: str = Field(min_length=1, max_length=80)
    competency_code: str = Field(max_length=40)
    approver: Person | None = None
    capacity: Literal["uao", "tutor", "main-supervisor", "supervisor"]
    delegated_by: Person | None = None
    method: AssessmentMethod
    assessed_on: date
    note: str | None = Field(default=None, max_length=4000)
    withdrawn: Withdrawal | None = None


class LegacyCourse(_Strict):
    course_code: str = Field(max_length=40)
    completed_on: date
    hours: int | None = Field(default=None, gt=0)
    days: int | None = Field(default=None, gt=0)
    evidence_ref: str = Field(min_length=1, max_length=500)


class Verification(_Strict):
    verified_by: Person
    verified_on: date


class PaperAttestation(_Strict):
    legacy_id: str = Field(min_length=1, max_length=80)
    kind: AttestationKind
    code: str = Field(max_length=40)
    attested_on: date
    attested_by: str = Field(min_length=1, max_length=200)
    document_ref: str = Field(min_length=1, max_length=500)
    verified: Verification | None = None


class LegacySubmission(_Strict):
    legacy_id: str = Field(min_length=1, max_length=80)
    kind: SubmissionKind
    submitted_on: date
    sha256: str | None = Field(default=None, pattern="^[0-9a-f]{64}$")


class LegacyProgramme(_Strict):
    legacy_id: str = Field(min_length=1, max_length=80)
    specialty_code: str = Field(max_length=40)
    stage: Stage
    region: Region
    curriculum_label: str = Field(max_length=80)
    hiring_date: date
    employments: list[LegacyEmployment] = Field(default_factory=list)
    approvals: list[LegacyApproval] = Field(default_factory=list)
    courses: list[LegacyCourse] = Field(default_factory=list)
    paper_attestations: list[PaperAttestation] = Field(default_factory=list)
    submissions: list[LegacySubmission] = Field(default_factory=list)


class LegacyLogbook(_Strict):
    """One line of the export: one doctor's whole logbook."""

    legacy_id: str = Field(min_length=1, max_length=80, description="The old system's doctor id.")
    doctor: LegacyDoctor
    programmes: list[LegacyProgramme] = Field(default_factory=list)


# -- the companion reference file ---------------------------------------------------------------


class RefDepartment(_Strict):
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    kind: DepartmentKind
    region: Region


class RefSpecialty(_Strict):
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    stages: list[Stage]
    on_logbook_from: date


class RefMethod(_Strict):
    method: AssessmentMethod
    mandatory: bool = False


class RefCompetency(_Strict):
    code: str = Field(max_length=40)
    title: str = Field(max_length=200)
    description: str = Field(max_length=4000)
    roles: list[DoctorRole]
    methods: list[RefMethod]


class RefCourse(_Strict):
    code: str = Field(max_length=40)
    title: str = Field(max_length=200)
    kind: CourseKind
    hours: int | None = None
    days: int | None = None


class RefCurriculum(_Strict):
    specialty_code: str = Field(max_length=40)
    stage: Stage
    label: str = Field(max_length=80)
    effective_from: date
    nominal_duration_months: int
    competencies: list[RefCompetency]
    courses: list[RefCourse] = Field(default_factory=list)


class Reference(_Strict):
    """Departments, specialties and curricula the export refers to that may not exist yet."""

    departments: list[RefDepartment] = Field(default_factory=list)
    specialties: list[RefSpecialty] = Field(default_factory=list)
    curricula: list[RefCurriculum] = Field(default_factory=list)


def schemas() -> dict[str, Any]:
    return {
        "logbook_line": LegacyLogbook.model_json_schema(),
        "reference_file": Reference.model_json_schema(),
    }
