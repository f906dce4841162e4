"""Commands of training time (R5, R6, R7, R9)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from logbog_es.commands.base import Command
from logbog_es.domain.training_time import AbsenceKind

_PROG = "5f0c2b7e-8d53-5b8e-9f0e-7a1d4c2e9b10"
_EMP = "6a1b2c3d-4e5f-5a6b-7c8d-9e0f1a2b3c4d"


class RecordAbsence(Command):
    """Record absence within an employment (R6). By the UAO/tutor or the secretariat."""

    NAME: ClassVar[str] = "record-absence"
    EXAMPLE: ClassVar = {
        "programme_id": _PROG,
        "employment_id": _EMP,
        "kind": "sickness",
        "first_day": "2026-02-09",
        "last_day": "2026-02-20",
    }

    programme_id: UUID
    employment_id: UUID
    kind: AbsenceKind
    first_day: date
    last_day: date = Field(description="The last day of absence (included).")


class ChangeEmploymentFraction(Command):
    """Change an employment's part time from the 1st of a month (R5, R9). By the secretariat."""

    NAME: ClassVar[str] = "change-employment-fraction"
    EXAMPLE: ClassVar = {
        "programme_id": _PROG,
        "employment_id": _EMP,
        "from_date": "2026-03-01",
        "hours_per_week": 30,
        "full_time_hours_per_week": 37,
    }

    programme_id: UUID
    employment_id: UUID
    from_date: date = Field(description="The 1st of a month.")
    percent: Decimal | None = Field(
        default=None, max_digits=5, decimal_places=2, description="50-100 % of full time."
    )
    hours_per_week: Decimal | None = Field(
        default=None, max_digits=5, decimal_places=2, description="Or: weekly hours ..."
    )
    full_time_hours_per_week: Decimal = Field(
        default=Decimal(37), max_digits=5, decimal_places=2, description="... of this full time."
    )


class ExtendEmployment(Command):
    """Record the extension of an employment the rules require (R5, R6). By the secretariat."""

    NAME: ClassVar[str] = "extend-employment"
    EXAMPLE: ClassVar = {
        "programme_id": _PROG,
        "employment_id": _EMP,
        "new_end": "2027-03-31",
        "reason": "Forlænget pga. deltid 30/37 timer.",
    }

    programme_id: UUID
    employment_id: UUID
    new_end: date = Field(description="The employment's new last day.")
    reason: str = Field(max_length=2000)


class AttestEmploymentTime(Command):
    """Attest that an employment's time was completed (R7). The department's UAO/tutor."""

    NAME: ClassVar[str] = "attest-employment-time"
    EXAMPLE: ClassVar = {"programme_id": _PROG, "employment_id": _EMP}

    programme_id: UUID
    employment_id: UUID
