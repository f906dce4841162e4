"""Queries over the read models: progress, region register, department overview, access."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query

from logbog_es.api import csv_export
from logbog_es.api.deps import ActorDep, ContainerDep, wait_for_read_model
from logbog_es.api.schemas import (
    DepartmentAccessOut,
    DirectoryAppointmentOut,
    DirectoryGrantOut,
    OverviewPage,
    OverviewRowOut,
    ProgressEmploymentOut,
    ProgressOut,
    RegisterPage,
    RegisterRowOut,
    RoleProgressOut,
)
from logbog_es.application import queries
from logbog_es.domain.errors import InvalidInput
from logbog_es.domain.values import Region, Stage
from logbog_es.edge import ReadModelBehind
from logbog_es.projections import (
    access_directory,
    catalogue,
    department_overview,
    programme_progress,
    region_register,
)
from logbog_es.projections.paging import BadCursor, Page, Sort

router = APIRouter()
After = Annotated[
    int | None,
    Query(description="Read your writes: wait until the read model has reached this position."),
]
Limit = Annotated[int, Query(ge=1, le=500, description="Rows per page.")]
Cursor = Annotated[str | None, Query(description="next_cursor from the previous page.")]
Accept = Annotated[str | None, Header(description="text/csv for a spreadsheet (all rows).")]


def _sort(value: str, allowed: dict[str, str]) -> Sort:
    try:
        return Sort.parse(value, allowed)
    except ValueError as error:
        raise InvalidInput("query.sort", field="sort", detail=str(error)) from error


def _page(fetch: Any, **kwargs: Any) -> Page:
    try:
        page: Page = fetch(**kwargs)
    except BadCursor as error:
        raise InvalidInput("query.cursor", field="cursor") from error
    return page


def _specialty_names(container: Any) -> dict[str, str]:
    return {r["code"]: r["name"] for r in catalogue.list_specialties(container.read_store)}


#: Rows read from a read model per query while a CSV answer streams.
CSV_PAGE = 500


def _all_rows(fetch: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every row, a page at a time (the first page is read before the answer starts,
    so a bad cursor or sort is still a 422, not a broken download)."""
    page = _page(fetch, cursor=None, limit=CSV_PAGE, **kwargs)

    def rows() -> Iterator[dict[str, Any]]:
        current = page
        while True:
            yield from current.rows
            if current.next_cursor is None:
                return
            current = _page(fetch, cursor=current.next_cursor, limit=CSV_PAGE, **kwargs)

    return rows()


@router.get("/programmes/{programme_id}/progress", tags=["programmes"])
def progress(
    programme_id: UUID, actor: ActorDep, container: ContainerDep, after: After = None
) -> ProgressOut:
    """Competencies approved of the total (also per doctor role), courses, time served so far."""
    programme = queries.read_programme(container.app, actor, programme_id)
    wait_for_read_model(container, after, ["programme_progress"])
    store = container.read_store
    row = programme_progress.progress(store, str(programme_id))
    if row is None:
        raise ReadModelBehind(container.app.position())
    employments = programme_progress.employments(store, str(programme_id))
    days, full_time = programme.served(container.app.today())
    return ProgressOut(
        **row,
        roles=[
            RoleProgressOut.model_validate(r)
            for r in programme_progress.roles(store, str(programme_id))
        ],
        employments=[
            ProgressEmploymentOut.model_validate(
                {
                    **e,
                    "required_end": report.required_end,
                    "extension_needed": report.extension_missing,
                }
            )
            for e in employments
            for report in [
                programme.time_report(UUID(str(e["employment_id"])), container.app.today())
            ]
        ],
        served_days=days,
        served_full_time_days=round(float(full_time), 1),
    )


@router.get(
    "/regions/{region}/register",
    tags=["secretariat"],
    responses={200: {"content": {"text/csv": {}}}},
)
def register(
    region: Region,
    actor: ActorDep,
    container: ContainerDep,
    specialty_code: str | None = None,
    stage: Stage | None = None,
    status: Annotated[region_register.Status | None, Query(description="Programme status.")] = None,
    department_id: Annotated[UUID | None, Query(description="Current department.")] = None,
    flag: Annotated[
        region_register.Flag | None,
        Query(description="Only flagged rows."),
    ] = None,
    sort: Annotated[
        str, Query(description="trainee_name, hiring_date, current_end, specialty; '-' reverses.")
    ] = "trainee_name",
    cursor: Cursor = None,
    limit: Limit = 100,
    after: After = None,
    accept: Accept = None,
) -> Any:
    """Every trainee of the region: specialty, stage, status, current department, flags."""
    queries.authorise_region(container.app, actor, region)
    wait_for_read_model(container, after, ["region_register", "programme_progress", "catalogue"])
    kwargs: dict[str, Any] = {
        "store": container.read_store,
        "region": region.value,
        "today": container.app.today(),
        "specialty_code": specialty_code,
        "stage": stage.value if stage else None,
        "status": status,
        "department_id": str(department_id) if department_id else None,
        "flag": flag,
        "sort": _sort(sort, region_register.SORTS),
    }
    if csv_export.wants_csv(accept):
        rows = _all_rows(region_register.register, **kwargs)
        return csv_export.csv_response(
            rows,
            csv_export.REGION_REGISTER,
            f"register-{region.value}.csv",
            _specialty_names(container),
        )
    page = _page(region_register.register, cursor=cursor, limit=limit, **kwargs)
    return RegisterPage(
        items=[RegisterRowOut.model_validate(r) for r in page.rows], next_cursor=page.next_cursor
    )


@router.get(
    "/departments/{department_id}/overview",
    tags=["departments"],
    responses={200: {"content": {"text/csv": {}}}},
)
def overview(
    department_id: UUID,
    actor: ActorDep,
    container: ContainerDep,
    scope: Annotated[
        department_overview.Scope,
        Query(description="Which employments."),
    ] = "now_and_soon",
    soon_days: Annotated[int, Query(ge=1, le=730, description="How far ahead 'soon' is.")] = 90,
    sort: Annotated[
        str, Query(description="trainee_name, start_date, end_date; '-' reverses.")
    ] = "trainee_name",
    cursor: Cursor = None,
    limit: Limit = 100,
    after: After = None,
    accept: Accept = None,
) -> Any:
    """Trainees employed at the department now and soon, with their progress."""
    view = queries.read_department_view(container.app, actor, department_id)
    wait_for_read_model(
        container, after, ["department_overview", "programme_progress", "catalogue"]
    )
    kwargs: dict[str, Any] = {
        "store": container.read_store,
        "department_id": str(department_id),
        "today": container.app.today(),
        "scope": scope,
        "soon_days": soon_days,
        "trainee_ids": frozenset(str(t) for t in view.trainees)
        if view.trainees is not None
        else None,
        "sort": _sort(sort, department_overview.SORTS),
    }
    if csv_export.wants_csv(accept):
        rows = _all_rows(department_overview.overview, **kwargs)
        return csv_export.csv_response(
            rows,
            csv_export.DEPARTMENT_OVERVIEW,
            f"afdeling-{view.department.code}.csv",
            _specialty_names(container),
        )
    page = _page(department_overview.overview, cursor=cursor, limit=limit, **kwargs)
    return OverviewPage(
        items=[OverviewRowOut.model_validate(r) for r in page.rows], next_cursor=page.next_cursor
    )


@router.get("/departments/{department_id}/access", tags=["departments"])
def department_access(
    department_id: UUID, actor: ActorDep, container: ContainerDep, after: After = None
) -> DepartmentAccessOut:
    """Who is UAO/tutor and supervisor at the department, from when to when."""
    queries.read_department_view(container.app, actor, department_id)
    wait_for_read_model(container, after, ["access_directory"])
    directory = access_directory.department_directory(container.read_store, str(department_id))
    return DepartmentAccessOut(
        appointments=[DirectoryAppointmentOut.model_validate(a) for a in directory["appointments"]],
        grants=[DirectoryGrantOut.model_validate(g) for g in directory["grants"]],
    )
