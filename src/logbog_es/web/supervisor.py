"""A supervisor's pages: the inbox of assessment requests, and the trainees they may see.

A supervisor who is also a trainee (common) has both these and their own logbook.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from logbog_es.application import queries
from logbog_es.domain.curriculum import CurriculumVersion
from logbog_es.domain.errors import LogbogError
from logbog_es.domain.programme import Programme
from logbog_es.projections import access_directory, department_overview, supervisor_requests
from logbog_es.projections.paging import Sort
from logbog_es.web.core import Web

INBOX_PAGE = 50


def router(web: Web) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    app = web.container.app
    store = web.container.read_store

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
            for row in found[:INBOX_PAGE]:
                rows.append(
                    {
                        **row,
                        "title": _title(web, row["programme_id"], row["competency_code"]),
                        "department": queries.department_name(app, UUID(row["department_id"])),
                    }
                )
            if len(found) > INBOX_PAGE:
                more = found[INBOX_PAGE - 1]["requested_position"]
        return web.render(page, "inbox.html", rows=rows, more=more)

    @routes.get("/uddannelseslaeger")
    def trainees(request: Request) -> Response:
        """The trainees employed today at the departments where the user has access, as far as
        the policy lets them see (all for a UAO/tutor, their own for a supervisor)."""
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
            for department_id, name in places.items():
                try:
                    view = queries.read_department_view(app, user.actor, UUID(department_id))
                except LogbogError:
                    continue  # access ended since the directory was projected
                listed = department_overview.overview(
                    store,
                    department_id,
                    today=today,
                    scope="now",
                    trainee_ids=frozenset(str(t) for t in view.trainees)
                    if view.trainees is not None
                    else None,
                    sort=Sort.parse("trainee_name", department_overview.SORTS),
                    cursor=None,
                    limit=500,
                )
                groups.append({"department": name, "rows": listed.rows})
        return web.render(page, "trainees.html", groups=groups)

    return routes


def _title(web: Web, programme_id: str, code: str) -> str:
    """The competency's title in the trainee's pinned curriculum version (cached aggregates)."""
    app = web.container.app
    programme = app.find(Programme, UUID(programme_id), shared=True)
    if programme is None:
        return ""
    curriculum = app.find(CurriculumVersion, programme.curriculum_id, shared=True)
    found = curriculum.competency(code) if curriculum is not None else None
    return found.title if found else ""
