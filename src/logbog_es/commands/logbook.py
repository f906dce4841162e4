"""Commands of the approval work flow, courses and prior attestations (R4, R10)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from logbog_es.commands.base import Command
from logbog_es.domain.logbook import AttestationKind
from logbog_es.domain.values import AssessmentMethod

_PROG = "5f0c2b7e-8d53-5b8e-9f0e-7a1d4c2e9b10"


class RequestAssessment(Command):
    """The trainee asks a named supervisor to assess a competency of their programme."""

    NAME: ClassVar[str] = "request-assessment"
    EXAMPLE: ClassVar = {
        "programme_id": _PROG,
        "competency_code": "KBU-1",
        "supervisor_id": "0b6d1d3e-3c0a-5f59-8a43-0d2f3d7c1a11",
    }

    programme_id: UUID
    competency_code: str = Field(max_length=40)
    supervisor_id: UUID
    note: str | None = Field(
        default=None, max_length=2000, description="Words to the supervisor asked (optional)."
    )


class ApproveCompetency(Command):
    """Approve a competency (R4): delegated supervisor, main supervisor or UAO/tutor."""

    NAME: ClassVar[str] = "approve-competency"
    EXAMPLE: ClassVar = {
        "programme_id": _PROG,
        "competency_code": "KBU-1",
        "method": "mini_cex",
        "assessed_on": "2026-03-12",
        "note": "Sikker ABCDE-vurdering i modtagelsen.",
    }

    programme_id: UUID
    competency_code: str = Field(max_length=40)
    method: AssessmentMethod = Field(description="One of the competency's assessment methods.")
    assessed_on: date = Field(description="The day it was assessed; not in the future.")
    note: str | None = Field(default=None, max_length=4000)


class DeclineAssessment(Command):
    """Close an assessment request without approval, with a reason. The supervisor asked."""

    NAME: ClassVar[str] = "decline-assessment"
    EXAMPLE: ClassVar = {
        "programme_id": _PROG,
        "request_id": "1d2e3f4a-5b6c-5d7e-8f9a-0b1c2d3e4f5a",
        "reason": "Vi har ikke set nok patienter sammen endnu.",
    }

    programme_id: UUID
    request_id: UUID
    reason: str = Field(max_length=2000)


class WithdrawApproval(Command):
    """Withdraw an approval, with a reason; it stays in the history. Only the UAO/tutor."""

    NAME: ClassVar[str] = "withdraw-approval"
    EXAMPLE: ClassVar = {
        "programme_id": _PROG,
        "approval_id": "2e3f4a5b-6c7d-5e8f-9a0b-1c2d3e4f5a6b",
        "reason": "Godkendt på forkert grundlag.",
    }

    programme_id: UUID
    approval_id: UUID
    reason: str = Field(max_length=2000)


class RecordCourseCompletion(Command):
    """Record a completed course of the curriculum. By the UAO/tutor or the secretariat."""

    NAME: ClassVar[str] = "record-course-completion"
    EXAMPLE: ClassVar = {
        "programme_id": _PROG,
        "course_code": "KBU-K1",
        "completed_on": "2026-02-20",
        "days": 2,
        "evidence_ref": "Kursusbevis 2026-117",
    }

    programme_id: UUID
    course_code: str = Field(max_length=40)
    completed_on: date
    hours: int | None = None
    days: int | None = None
    evidence_ref: str = Field(max_length=500, description="Reference to the course certificate.")


class RegisterPriorAttestation(Command):
    """The trainee registers a paper attestation from before the logbook (R10)."""

    NAME: ClassVar[str] = "register-prior-attestation"
    EXAMPLE: ClassVar = {
        "programme_id": _PROG,
        "kind": "competency",
        "code": "KBU-3",
        "attested_on": "2011-05-02",
        "attested_by": "Overlæge (papirattestation)",
        "document_ref": "Scannet attestation, side 4",
    }

    programme_id: UUID
    kind: AttestationKind
    code: str = Field(max_length=40)
    attested_on: date
    attested_by: str = Field(max_length=200, description="Who signed the paper attestation.")
    document_ref: str = Field(max_length=500)


class VerifyPriorAttestation(Command):
    """Verify a prior attestation so that it counts (R10). The trainee's current UAO/tutor."""

    NAME: ClassVar[str] = "verify-prior-attestation"
    EXAMPLE: ClassVar = {
        "programme_id": _PROG,
        "attestation_id": "3f4a5b6c-7d8e-5f9a-0b1c-2d3e4f5a6b7c",
    }

    programme_id: UUID
    attestation_id: UUID
