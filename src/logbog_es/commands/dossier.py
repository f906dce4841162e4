"""Commands sending documentation to STPS (R8, R11)."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from logbog_es.commands.base import Command
from logbog_es.domain.readiness import SubmissionKind


class SubmitDocumentation(Command):
    """The trainee sends the documentation package to STPS; refused while anything is missing."""

    NAME: ClassVar[str] = "submit-documentation"
    EXAMPLE: ClassVar = {
        "programme_id": "5f0c2b7e-8d53-5b8e-9f0e-7a1d4c2e9b10",
        "kind": "independent-practice",
    }

    programme_id: UUID
    kind: SubmissionKind


class SubmitSupplementaryDocumentation(Command):
    """Send what could only be attested later (time attestations) for a submission (R11)."""

    NAME: ClassVar[str] = "submit-supplementary-documentation"
    EXAMPLE: ClassVar = {"submission_id": "8e9f0a1b-2c3d-5e4f-8a9b-0c1d2e3f4a5b"}

    submission_id: UUID
