"""Readiness, submissions to STPS and their PDF."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from logbog_es import dossier_pdf
from logbog_es.api.deps import ActorDep, ContainerDep, wait_for_read_model
from logbog_es.application import queries
from logbog_es.domain.readiness import SubmissionKind
from logbog_es.edge import submission_document
from logbog_es.projections import submissions

router = APIRouter(tags=["documentation for STPS"])


class MissingOut(BaseModel):
    what: str
    item: str
    detail: str


class ReadinessOut(BaseModel):
    kind: SubmissionKind
    ready: bool
    earliest: date | None
    missing: list[MissingOut]


class SupplementOut(BaseModel):
    supplement_id: UUID
    submitted_on: date
    sha256: str
    package: dict[str, Any]


class SubmissionOut(BaseModel):
    submission_id: UUID
    programme_id: UUID
    doctor_id: UUID
    kind: SubmissionKind
    submitted_on: date
    sha256: str
    reproducible: bool | None = Field(
        description="Rebuilding the package from the events gives the stored hash; null for a "
        "submission imported from the old logbook (its document is in the old system's archive)."
    )
    chain_head: dict[str, Any]
    chain_intact: bool
    checkpoint: dict[str, Any] | None = Field(
        default=None,
        description="The chain head signed at submission, outside the database (key id, time, "
        "Ed25519 signature); `logbog audit verify` checks the chain against it.",
    )
    package: dict[str, Any]
    supplements: list[SupplementOut]


class SubmissionRow(BaseModel):
    submission_id: UUID
    programme_id: UUID
    doctor_id: UUID
    trainee_name: str
    authorisation_id: str
    kind: str
    submitted_on: date
    sha256: str
    supplements: int


@router.get("/programmes/{programme_id}/readiness")
def readiness(
    programme_id: UUID,
    kind: SubmissionKind,
    actor: ActorDep,
    container: ContainerDep,
) -> ReadinessOut:
    """Exactly what is still missing under R8 or R11, and the earliest date to apply."""
    result = queries.read_readiness(container.app, actor, programme_id, kind)
    return ReadinessOut(
        kind=result.kind,
        ready=result.ready,
        earliest=result.earliest,
        missing=[MissingOut(what=m.what, item=m.item, detail=m.detail) for m in result.missing],
    )


@router.get(
    "/submissions/{submission_id}",
    responses={200: {"content": {"application/pdf": {}}}},
)
def submission(
    submission_id: UUID,
    actor: ActorDep,
    container: ContainerDep,
    accept: Annotated[str | None, Header()] = None,
) -> Any:
    """The submitted package as stored (JSON), or as a printable PDF (Accept: application/pdf).

    `reproducible` says whether rebuilding the package from the events gives the stored hash.
    """
    view = queries.read_submission(container.app, actor, submission_id)
    body = submission_document(container, view)
    if accept and "application/pdf" in accept.lower():
        queries.legacy_pdf_refused(view)
        return Response(
            content=dossier_pdf.render(body),
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="dokumentation-{submission_id}.pdf"',
                "X-Package-SHA256": view.submission.sha256,
            },
        )
    return SubmissionOut.model_validate(body)


@router.get("/submissions")
def list_submissions(
    actor: ActorDep,
    container: ContainerDep,
    authorisation_id: Annotated[str | None, Query(max_length=20)] = None,
    after: Annotated[int | None, Query()] = None,
) -> list[SubmissionRow]:
    """Submissions the caller may read (an auditor: all; a secretariat: its region; a trainee:
    their own), optionally for one doctor by STPS authorisation id."""
    doctor, regions = queries.submission_filter(actor)
    wait_for_read_model(container, after, ["submissions"])
    rows = submissions.find(
        container.read_store, authorisation_id=authorisation_id, doctor_id=doctor, regions=regions
    )
    return [SubmissionRow.model_validate(r) for r in rows]
