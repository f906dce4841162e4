"""The logbook's entries within a programme: requests, approvals, courses, prior attestations.

Value objects only; the Programme aggregate records the events and keeps these as its state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from logbog_es.domain.values import AssessmentMethod, Capacity


class RequestStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class AssessmentRequest:
    request_id: UUID
    competency_code: str
    supervisor_id: UUID
    department_id: UUID
    requested_on: date
    status: RequestStatus
    note: str | None = None  # the trainee's words to the supervisor asked


@dataclass(frozen=True, slots=True)
class Approval:
    """R4: who approved, in which capacity, under whose delegation, by which method, when."""

    approval_id: UUID
    competency_code: str
    approver_id: UUID
    capacity: Capacity
    delegated_by: UUID | None
    method: AssessmentMethod
    assessed_on: date
    department_id: UUID
    request_id: UUID | None
    withdrawn: bool = False


@dataclass(frozen=True, slots=True)
class CourseCompletion:
    course_code: str
    completed_on: date
    hours: int | None
    days: int | None
    evidence_ref: str
    recorded_by: str
    capacity: Capacity


class AttestationKind(StrEnum):
    COURSE = "course"
    COMPETENCY = "competency"


@dataclass(frozen=True, slots=True)
class PriorAttestation:
    """R10: a paper attestation from before the doctor or specialty came onto the logbook."""

    attestation_id: UUID
    kind: AttestationKind
    code: str
    attested_on: date
    attested_by: str
    document_ref: str
    verified_by: UUID | None = None
    verified_on: date | None = None

    @property
    def counts(self) -> bool:
        """R10: it counts only once the current UAO/tutor has verified it."""
        return self.verified_by is not None
