"""A supervisor's pages: the inbox of assessment requests, and the trainees they may see.

A supervisor who is also a trainee (common) has both these and their own logbook. Both pages
read read models (a page at a time), so they stay fast for a UAO of a department with hundreds
of trainees.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from logbog_es.application import queries
from logbog_es.domain.errors import LogbogError
from logbog_es.projections import (
    access_directory,
    department_overview,
    programme_progress,
    supervisor_requests,
)
from logbog_es.projections.paging import BadCursor, Sort
from logbog_es.web.core import Web
from logbog_es.web.reading import CompetencyTitles

INBOX_PAGE = 50
TRAINEES_PAGE = 100


def router(web: Web) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    app = web.container.app
    store = web.container.read_store
    titles = CompetencyTitles(web)

    @routes.get("/indbakke")
    def inbox(request: Request, efter: int = 0) -> Response:
        """Requests waiting for the logged-in supervisor, oldest first, a page at a time."""
        page, user = web.require(request)
        rows: list[dict[str, Any]] = []
        more = None
        if user.actor.doctor_id is not None:
            found = supervisor_requests.pending_for(
                store, str(user.actor.doctor_id), limit=INBOX_PAGE + 1, after_position=max(efter, 0)
            )
            shown = found[:INBOX_PAGE]
            curricula = programme_progress.curricula_of(store, [r["programme_id"] for r in shown])
            departments: dict[str, str] = {}
            for row in shown:
                department = row["department_id"]
                if department not in departments:
                    departments[department] = queries.department_name(app, UUID(department))
                curriculum = curricula.get(row["programme_id"])
                rows.append(
                    {
                        **row,
                        "title": titles.title(UUID(curriculum), row["competency_code"])
                        if curriculum
                        else "",
                        "department": departments[department],
                    }
                )
            if len(found) > INBOX_PAGE:
                more = shown[-1]["requested_position"]
        return web.render(page, "inbox.html", rows=rows, more=more)

    @routes.get("/uddannelseslaeger")
    def trainees(request: Request, afdeling: str = "", efter: str | None = None) -> Response:
        """The trainees employed today at the departments where the user has access, as far as
        the policy lets them see (all for a UAO/tutor, their own for a supervisor); a page of
        each department, or the next page of one (`afdeling`, `efter`)."""
        page, user = web.require(request)
        groups = []
        if user.actor.doctor_id is not None:
            today = app.today()
            me = str(user.actor.doctor_id)
            places = {
                row["department_id"]: row["department_name"]
                for row in [
                    *access_directory.appointments_of(store, me, today),
                    *access_directory.grants_of(store, me, today),
                ]
            }
            if afdeling:
                places = {k: v for k, v in places.items() if k == afdeling}
            for department_id, name in places.items():
                try:
                    view = queries.read_department_view(app, user.actor, UUID(department_id))
                except LogbogError:
                    continue  # access ended since the directory was projected
                try:
                    listed = department_overview.overview(
                        store,
                        department_id,
                        today=today,
                        scope="now",
                        trainee_ids=frozenset(str(t) for t in view.trainees)
                        if view.trainees is not None
                        else None,
                        sort=Sort.parse("trainee_name", department_overview.SORTS),
                        cursor=efter if afdeling else None,
                        limit=TRAINEES_PAGE,
                    )
                except BadCursor:
                    return web.status_page(page, 422)
                groups.append(
                    {
                        "department_id": department_id,
                        "department": name,
                        "rows": listed.rows,
                        "more": listed.next_cursor,
                    }
                )
        return web.render(page, "trainees.html", groups=groups, one=bool(afdeling))

    return routes
