"""Commands on doctors, staff roles and programmes."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from logbog_es.commands.base import Command
from logbog_es.domain.values import Region, StaffRole, Stage


class RegisterDoctor(Command):
    """Register a doctor by STPS authorisation id. By a secretariat."""

    NAME: ClassVar[str] = "register-doctor"
    EXAMPLE: ClassVar = {
        "authorisation_id": "A1B2C",
        "name": "Karen Jensen",
        "email": "karen.jensen@example.dk",
    }

    authorisation_id: str = Field(max_length=20, description="STPS autorisations-ID (5 chars).")
    name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    cpr: str | None = Field(
        default=None,
        max_length=11,
        description=(
            "Optional CPR number DDMMYY-NNNN. Encrypted at rest when LOGBOG_CIPHER_KEY is set "
            "(required in production); never shown again."
        ),
    )


class StartProgramme(Command):
    """Start a programme for a doctor; the curriculum version is pinned by R1."""

    NAME: ClassVar[str] = "start-programme"
    EXAMPLE: ClassVar = {
        "doctor_id": "0b6d1d3e-3c0a-5f59-8a43-0d2f3d7c1a11",
        "specialty_code": "akutmedicin",
        "stage": "main",
        "region": "nord",
        "hiring_date": "2026-03-01",
    }

    doctor_id: UUID
    specialty_code: str = Field(max_length=40)
    stage: Stage
    region: Region = Field(description="The training region whose secretariat runs it.")
    hiring_date: date
    transfer_reason: str | None = Field(
        default=None,
        max_length=2000,
        description="Needed when the doctor is in training in another region on the hiring "
        "date: the transfer is recorded, with this reason, and shown to the doctor.",
    )


class AddEmployment(Command):
    """Add an employment to a programme (starts on the 1st of a month, R9; 50-100 %, R5)."""

    NAME: ClassVar[str] = "add-employment"
    EXAMPLE: ClassVar = {
        "programme_id": "5f0c2b7e-8d53-5b8e-9f0e-7a1d4c2e9b10",
        "department_id": "9a8b7c6d-5e4f-5a1b-8c2d-3e4f5a6b7c8d",
        "start": "2026-03-01",
        "end": "2027-02-28",
        "percent": 100,
    }

    programme_id: UUID
    department_id: UUID
    start: date
    end: date = Field(description="The last day of the employment.")
    percent: int = Field(default=100, description="Percentage of full time, 50-100 (R5).")


class ChangeCurriculumVersion(Command):
    """Move a programme to another version of its curriculum, with a reason (R1). Secretariat."""

    NAME: ClassVar[str] = "change-curriculum-version"
    EXAMPLE: ClassVar = {
        "programme_id": "5f0c2b7e-8d53-5b8e-9f0e-7a1d4c2e9b10",
        "curriculum_id": "1c2d3e4f-5a6b-5c7d-8e9f-0a1b2c3d4e5f",
        "reason": "Efter aftale med den uddannelsessøgende: overgang til ny målbeskrivelse.",
    }

    programme_id: UUID
    curriculum_id: UUID
    reason: str = Field(max_length=2000)


class GrantStaff(Command):
    """Give a login subject a staff role. Operators only (`logbog admin grant-staff`)."""

    NAME: ClassVar[str] = "grant-staff"
    OPERATOR_ONLY: ClassVar[bool] = True
    EXAMPLE: ClassVar = {"subject": "sekretariat-nord-1", "role": "secretariat", "region": "nord"}

    subject: str = Field(min_length=1, max_length=200)
    role: StaffRole
    region: Region | None = None


class RevokeStaff(Command):
    """Take a staff role from a login subject. Operators only (`logbog admin revoke-staff`)."""

    NAME: ClassVar[str] = "revoke-staff"
    OPERATOR_ONLY: ClassVar[bool] = True
    EXAMPLE: ClassVar = {"subject": "sekretariat-nord-1", "role": "secretariat", "region": "nord"}

    subject: str = Field(min_length=1, max_length=200)
    role: StaffRole
    region: Region | None = None


class RevokeIdentityLink(Command):
    """A secretariat ends a login's link to a doctor (the next login by it is refused)."""

    NAME: ClassVar[str] = "revoke-identity-link"
    EXAMPLE: ClassVar = {
        "doctor_id": "0d3c2b1a-9f8e-5d7c-8b6a-5a4f3e2d1c0b",
        "link_id": "1e2d3c4b-5a69-5788-9a0b-1c2d3e4f5a6b",
        "reason": "The login belongs to another person",
    }

    doctor_id: UUID
    link_id: UUID
    reason: str = Field(max_length=2000)
