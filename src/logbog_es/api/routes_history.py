"""The audit trail: a doctor's full history from the event store, and who has read it."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query
from pydantic import BaseModel

from logbog_es.api import csv_export
from logbog_es.api.deps import ActorDep, ContainerDep
from logbog_es.application import queries

router = APIRouter(tags=["audit"])


class EntryOut(BaseModel):
    position: int
    recorded_at: datetime
    effective_on: date
    stream_id: UUID
    stream: str
    version: int
    type: str
    programme_id: UUID | None
    actor_id: str
    actor_name: str | None
    capacity: str
    text: str
    imported_from: str | None = None  # from the old logbook: file name (SHA-256 prefix)


class HistoryOut(BaseModel):
    doctor_id: UUID
    view: str
    head_position: int
    logbook: dict[str, Any]
    entries: list[EntryOut]


class ReadingOut(BaseModel):
    reader_id: str
    capacity: str
    what: str
    read_at: datetime


@router.get("/doctors/{doctor_id}/history", responses={200: {"content": {"text/csv": {}}}})
def doctor_history(
    doctor_id: UUID,
    actor: ActorDep,
    container: ContainerDep,
    programme_id: UUID | None = None,
    from_: Annotated[
        date | None, Query(alias="from", description="Period start (effective).")
    ] = None,
    to: Annotated[date | None, Query(description="Period end (effective).")] = None,
    as_of: Annotated[
        date | None,
        Query(description="As the system showed it at the end of this day (recorded time)."),
    ] = None,
    position: Annotated[
        int | None, Query(ge=0, description="As the system showed it at this log position.")
    ] = None,
    effective_on: Annotated[
        date | None,
        Query(description="What was in force on this day, counting entries recorded later."),
    ] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Any:
    """Every event concerning the doctor, in order, in words; and the logbook at that view.

    `as_of`/`position` look back in *recorded* time; `effective_on` in *effective* time. They
    answer different questions, so only one of them may be given.
    """
    result = queries.read_history(
        container.app,
        actor,
        doctor_id,
        programme_id=programme_id,
        period=(from_, to),
        as_of=as_of,
        as_of_position=position,
        effective_on=effective_on,
    )
    rows = [asdict(e) for e in result.entries]
    if csv_export.wants_csv(accept):
        return csv_export.csv_response(rows, csv_export.HISTORY, f"historik-{doctor_id}.csv")
    view = (
        f"as_of {as_of}"
        if as_of
        else f"position {position}"
        if position is not None
        else f"effective_on {effective_on}"
        if effective_on
        else "now"
    )
    return HistoryOut(
        doctor_id=result.doctor_id,
        view=view,
        head_position=result.head_position,
        logbook=asdict(result.logbook),
        entries=[EntryOut.model_validate(r) for r in rows],
    )


@router.get("/doctors/{doctor_id}/readers")
def doctor_readers(doctor_id: UUID, actor: ActorDep, container: ContainerDep) -> list[ReadingOut]:
    """Who has read the doctor's history, and when (only the doctor may ask)."""
    return [
        ReadingOut(reader_id=r.reader_id, capacity=r.capacity, what=r.what, read_at=r.read_at)
        for r in queries.read_readers(container.app, actor, doctor_id)
    ]
