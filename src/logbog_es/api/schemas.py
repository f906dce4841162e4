"""Output schemas of the HTTP API (input schemas are the command models)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel


class EventOut(BaseModel):
    type: str
    stream_id: UUID
    version: int
    position: int


class CommandAccepted(BaseModel):
    command_id: str
    command: str
    events: list[EventOut]
    position: int
    replayed: bool


class SpecialtyOut(BaseModel):
    code: str
    name: str
    stages: list[str]
    on_logbook_from: date
    retired_on: date | None
    curriculum_versions: int


class CurriculumSummaryOut(BaseModel):
    curriculum_id: UUID
    specialty_code: str
    stage: str
    label: str
    effective_from: date
    nominal_duration_months: int
    competencies: int
    courses: int
    published_at: datetime


class MethodOut(BaseModel):
    method: str
    mandatory: bool


class CompetencyOut(BaseModel):
    code: str
    title: str
    description: str
    roles: list[str]
    methods: list[MethodOut]


class CourseOut(BaseModel):
    code: str
    title: str
    kind: str
    hours: int | None
    days: int | None


class CurriculumOut(BaseModel):
    curriculum_id: UUID
    specialty_code: str
    stage: str
    label: str
    effective_from: date
    nominal_duration_months: int
    competencies: list[CompetencyOut]
    courses: list[CourseOut]


class DepartmentOut(BaseModel):
    department_id: UUID
    code: str
    name: str
    kind: str
    region: str


class EmploymentOut(BaseModel):
    employment_id: UUID
    department_id: UUID
    start: date
    end: date
    percent: int


class ProgrammeOut(BaseModel):
    programme_id: UUID
    doctor_id: UUID
    specialty_code: str
    stage: str
    region: str
    hiring_date: date
    curriculum_id: UUID
    curriculum_label: str
    employments: list[EmploymentOut]
    version: int


class ProgrammeSummaryOut(BaseModel):
    programme_id: UUID
    specialty_code: str
    stage: str
    hiring_date: date
    curriculum_id: UUID
    curriculum_label: str


class DoctorOut(BaseModel):
    doctor_id: UUID
    authorisation_id: str
    name: str
    email: str
    cpr_registered: bool
    programmes: list[ProgrammeSummaryOut]
    version: int


class StaffRoleOut(BaseModel):
    role: str
    region: str | None


class MeOut(BaseModel):
    subject: str
    doctor_id: UUID | None
    staff_roles: list[StaffRoleOut]
    may: list[str]


class Health(BaseModel):
    status: str
