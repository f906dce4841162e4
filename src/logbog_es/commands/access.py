"""Commands of the access chain (R2)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from logbog_es.commands.base import Command

_DEP = "9a8b7c6d-5e4f-5a1b-8c2d-3e4f5a6b7c8d"
_DOC = "0b6d1d3e-3c0a-5f59-8a43-0d2f3d7c1a11"
_TRAINEE = "3acaa258-7777-5b84-97d8-c6e0d677e9b7"


class AppointUao(Command):
    """Appoint the UAO (tutor in general practice) of a department from a date. Secretariat."""

    NAME: ClassVar[str] = "appoint-uao"
    EXAMPLE: ClassVar = {"department_id": _DEP, "doctor_id": _DOC, "start": "2026-01-01"}

    department_id: UUID
    doctor_id: UUID = Field(description="The doctor appointed.")
    start: date = Field(description="The first day of the appointment.")


class EndUaoAppointment(Command):
    """End a UAO/tutor appointment on its last day. By the secretariat of the region."""

    NAME: ClassVar[str] = "end-uao-appointment"
    EXAMPLE: ClassVar = {
        "department_id": _DEP,
        "appointment_id": "5b1c6a0e-2f8d-5e7a-9c3b-4d2e1f0a9b8c",
        "last_day": "2026-12-31",
    }

    department_id: UUID
    appointment_id: UUID
    last_day: date = Field(description="The last day the appointment holds.")


class GrantSupervisorAccess(Command):
    """Give a supervisor access at the department. Only the department's UAO/tutor (R2)."""

    NAME: ClassVar[str] = "grant-supervisor-access"
    EXAMPLE: ClassVar = {
        "department_id": _DEP,
        "supervisor_id": _DOC,
        "trainee_ids": [_TRAINEE],
        "main_supervisor_for": _TRAINEE,
        "delegated_approval": False,
        "start": "2026-03-01",
    }

    department_id: UUID
    supervisor_id: UUID
    trainee_ids: list[UUID] | None = Field(
        default=None, description="Named trainees; leave out for all trainees of the department."
    )
    main_supervisor_for: UUID | None = Field(
        default=None, description="The trainee whose main supervisor (hovedvejleder) this is."
    )
    delegated_approval: bool = Field(
        default=False, description="Delegated right to approve single competencies (R4)."
    )
    start: date | None = Field(default=None, description="First day of access; default today.")


class RevokeSupervisorAccess(Command):
    """End a supervisor's access from a date (default today). Only the department's UAO/tutor."""

    NAME: ClassVar[str] = "revoke-supervisor-access"
    EXAMPLE: ClassVar = {
        "department_id": _DEP,
        "grant_id": "7c2d3e4f-5a6b-5c7d-8e9f-0a1b2c3d4e5f",
        "revoked_from": "2026-06-01",
    }

    department_id: UUID
    grant_id: UUID
    revoked_from: date | None = Field(
        default=None, description="The first day without access; default today."
    )
