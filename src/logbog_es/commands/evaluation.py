"""Commands of the evaluation of training sites."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import Field

from logbog_es.commands.base import Command
from logbog_es.domain.questionnaire import CURRENT


class SubmitEvaluation(Command):
    """The trainee evaluates an employment's site once: in its last month or soon after."""

    NAME: ClassVar[str] = "submit-evaluation"
    EXAMPLE: ClassVar = {
        "programme_id": "5f0c2b7e-8d53-5b8e-9f0e-7a1d4c2e9b10",
        "employment_id": "6a1b2c3d-4e5f-5a6b-7c8d-9e0f1a2b3c4d",
        "questionnaire_version": CURRENT.version,
        "answers": {q.code: 5 for q in CURRENT.questions} | {"teach_courses": None},
        "comment": "God introduktion, travle vagter.",
    }

    programme_id: UUID
    employment_id: UUID
    questionnaire_version: str = Field(default=CURRENT.version, max_length=20)
    answers: dict[str, int | None] = Field(
        description="Every question's code -> 1-6, or null for not relevant."
    )
    comment: str | None = Field(
        default=None,
        max_length=4000,
        description="Read only by the department's management and UAO/tutor.",
    )


class RespondToEvaluations(Command):
    """The department's UAO/tutor attaches a response to its results for a period."""

    NAME: ClassVar[str] = "respond-to-evaluations"
    EXAMPLE: ClassVar = {
        "department_id": "9a8b7c6d-5e4f-5a1b-8c2d-3e4f5a6b7c8d",
        "period": "2026-H1",
        "text": "Vi har indført faste vejledersamtaler i første uge.",
    }

    department_id: UUID
    period: str = Field(pattern=r"^\d{4}-H[12]$", description="YYYY-H1 or YYYY-H2.")
    text: str = Field(max_length=4000)
