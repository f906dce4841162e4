"""Output schemas of the HTTP API (input schemas are the command models)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field


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
    created: dict[str, UUID] = Field(
        default_factory=dict,
        description=(
            "The ids of what the command created, by name: doctor_id (register-doctor), "
            "programme_id (start-programme), employment_id (add-employment), department_id, "
            "curriculum_id; the same on a replay."
        ),
    )


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
    department_name: str
    start: date
    end: date
    percent: int
    required_end: date = Field(description="R5/R6: the last day part time and absence require.")
    extension_needed: bool = Field(description="The recorded end is before the required end.")


class ApprovalOut(BaseModel):
    approval_id: UUID
    competency_code: str
    approver_id: UUID
    approver_name: str
    capacity: str
    delegated_by: UUID | None
    delegated_by_name: str | None
    method: str
    assessed_on: date
    department_id: UUID
    department_name: str
    withdrawn: bool


class RequestOut(BaseModel):
    request_id: UUID
    competency_code: str
    supervisor_id: UUID
    supervisor_name: str
    department_id: UUID
    department_name: str
    status: str
    note: str | None = None


class CourseCompletionOut(BaseModel):
    course_code: str
    completed_on: date
    hours: int | None
    days: int | None
    evidence_ref: str


class PriorAttestationOut(BaseModel):
    attestation_id: UUID
    kind: str
    code: str
    attested_on: date
    attested_by: str
    document_ref: str
    verified_by: UUID | None
    verified_on: date | None
    counts: bool


class ProgrammeOut(BaseModel):
    programme_id: UUID
    doctor_id: UUID
    doctor_name: str
    specialty_code: str
    stage: str
    region: str
    hiring_date: date
    curriculum_id: UUID
    curriculum_label: str
    employments: list[EmploymentOut]
    approvals: list[ApprovalOut]
    requests: list[RequestOut]
    courses: list[CourseCompletionOut]
    prior_attestations: list[PriorAttestationOut]
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


class AppointmentOut(BaseModel):
    appointment_id: UUID
    department_id: UUID
    department_name: str | None
    capacity: str
    start_date: date
    last_day: date | None


class GrantOut(BaseModel):
    grant_id: UUID
    department_id: UUID
    department_name: str | None
    trainee_ids: list[UUID] | None
    main_supervisor_for: UUID | None
    delegated: bool
    start_date: date
    revoked_from: date | None


class MeOut(BaseModel):
    subject: str
    doctor_id: UUID | None
    staff_roles: list[StaffRoleOut]
    trainee_access_from: date | None
    appointments: list[AppointmentOut]
    supervisor_access: list[GrantOut]
    may: list[str]


class PendingRequestOut(BaseModel):
    request_id: UUID
    programme_id: UUID
    trainee_id: UUID
    trainee_name: str | None
    competency_code: str
    competency_title: str
    department_id: UUID
    department_name: str
    requested_at: datetime
    position: int


class PendingRequestsPage(BaseModel):
    items: list[PendingRequestOut]
    next_cursor: int | None


class Health(BaseModel):
    status: str


class RoleProgressOut(BaseModel):
    role: str
    competencies_total: int
    competencies_approved: int


class ProgressEmploymentOut(BaseModel):
    employment_id: UUID
    department_id: UUID
    start_date: date
    end_date: date
    percent: int
    required_end: date = Field(description="R5/R6: the last day part time and absence require.")
    extension_needed: bool = Field(description="The recorded end is before the required end.")


class ProgressOut(BaseModel):
    programme_id: UUID
    trainee_id: UUID
    trainee_name: str
    specialty_code: str
    stage: str
    region: str
    hiring_date: date
    curriculum_id: UUID
    curriculum_label: str
    competencies_total: int
    competencies_approved: int
    courses_total: int
    courses_done: int
    roles: list[RoleProgressOut]
    employments: list[ProgressEmploymentOut]
    served_days: int
    served_full_time_days: float
    last_event_position: int


class RegisterRowOut(BaseModel):
    programme_id: UUID
    trainee_id: UUID
    trainee_name: str
    authorisation_id: str
    specialty_code: str
    stage: str
    hiring_date: date
    curriculum_label: str
    status: str
    first_start: date | None
    last_end: date | None
    current_department_id: UUID | None
    current_department: str | None
    current_end: date | None
    competencies_approved: int
    competencies_total: int
    courses_done: int
    courses_total: int
    ends_soon_unapproved: bool
    all_approved: bool
    extension_to: date | None = Field(
        default=None,
        description="R5/R6: an employment must be extended to this day (None: none needs it).",
    )


class RegisterPage(BaseModel):
    items: list[RegisterRowOut]
    next_cursor: str | None


class OverviewRowOut(BaseModel):
    employment_id: UUID
    programme_id: UUID
    trainee_id: UUID
    trainee_name: str
    specialty_code: str
    stage: str
    start_date: date
    end_date: date
    percent: int
    competencies_approved: int
    competencies_total: int
    courses_done: int
    courses_total: int


class OverviewPage(BaseModel):
    items: list[OverviewRowOut]
    next_cursor: str | None


class DirectoryAppointmentOut(BaseModel):
    appointment_id: UUID
    department_id: UUID
    doctor_id: UUID
    capacity: str
    start_date: date
    last_day: date | None


class DirectoryGrantOut(BaseModel):
    grant_id: UUID
    department_id: UUID
    supervisor_id: UUID
    trainee_ids: list[UUID] | None
    main_supervisor_for: UUID | None
    delegated: bool
    granted_by: UUID
    start_date: date
    revoked_from: date | None


class DepartmentAccessOut(BaseModel):
    appointments: list[DirectoryAppointmentOut]
    grants: list[DirectoryGrantOut]


class AssessorOut(BaseModel):
    """Someone the trainee may ask for an assessment today (R4), and where."""

    doctor_id: UUID
    name: str
    capacity: str
    department_id: UUID
    department_name: str


class DoctorFoundOut(BaseModel):
    doctor_id: UUID
    name: str
    authorisation_id: str
    programmes: int
