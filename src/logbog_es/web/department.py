"""A department's pages for its UAO/tutor and its region's secretariat: the trainees now and
coming with their progress and flags, the access chain (who gave whom access, when) with
grant and revoke, and the department's evaluation comments with its response (R2, R13).

What a user may do is asked of the policy (`queries.department_actions`); supervisors with
access to some of the department's trainees see only theirs, as the API's overview does.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from logbog_es.application import evaluations, queries
from logbog_es.domain.evaluation import period_of
from logbog_es.projections import access_directory, department_overview, evaluation_results
from logbog_es.projections.paging import BadCursor, Sort
from logbog_es.projections.region_register import ENDS_SOON_DAYS
from logbog_es.web.core import Web, link
from logbog_es.web.reading import parse_id

OVERVIEW_PAGE = 100


def router(web: Web) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    app = web.container.app
    store = web.container.read_store

    @routes.get("/afdeling/{department_id}")
    def overview(
        request: Request, department_id: str, vis: str = "now_and_soon", efter: str = ""
    ) -> Response:
        page, user = web.require(request)
        scope = vis if vis in ("now", "soon", "now_and_soon", "past") else "now_and_soon"

        def build() -> Response:
            found = parse_id(department_id, "department.unknown", department_id=department_id)
            view = queries.read_department_view(app, user.actor, found)
            department = view.department
            today = app.today()
            try:
                listed = department_overview.overview(
                    store,
                    str(found),
                    today=today,
                    scope=scope,  # type: ignore[arg-type]
                    trainee_ids=frozenset(str(t) for t in view.trainees)
                    if view.trainees is not None
                    else None,
                    sort=Sort.parse("trainee_name", department_overview.SORTS),
                    cursor=efter or None,
                    limit=OVERVIEW_PAGE,
                )
            except BadCursor:
                return web.status_page(page, 422)
            soon = today + timedelta(days=ENDS_SOON_DAYS)
            rows = [
                {
                    **r,
                    "now": date.fromisoformat(str(r["start_date"])) <= today,
                    "ends_soon_unapproved": date.fromisoformat(str(r["end_date"])) <= soon
                    and r["competencies_approved"] < r["competencies_total"],
                }
                for r in listed.rows
            ]
            allowed = queries.department_actions(app, user.actor, department)
            directory = access_directory.department_directory(store, str(found))
            people = queries.names(
                app,
                [
                    UUID(str(x))
                    for x in [
                        *(a["doctor_id"] for a in directory["appointments"]),
                        *(g["supervisor_id"] for g in directory["grants"]),
                        *(g["granted_by"] for g in directory["grants"]),
                        *(g["main_supervisor_for"] or "" for g in directory["grants"]),
                    ]
                    if x
                ],
            )
            by_id = {str(k): v for k, v in people.items()}
            appointments = [
                {
                    **a,
                    "name": by_id.get(str(a["doctor_id"]), ""),
                    "current": _current(a["start_date"], a["last_day"], today, inclusive=True),
                    "end": link(
                        "end-uao-appointment",
                        department_id=found,
                        appointment_id=a["appointment_id"],
                    )
                    if "end-uao-appointment" in allowed and a["last_day"] is None
                    else None,
                }
                for a in directory["appointments"]
            ]
            grants = [
                {
                    **g,
                    "name": by_id.get(str(g["supervisor_id"]), ""),
                    "granted_by_name": by_id.get(str(g["granted_by"]), ""),
                    "main_for_name": by_id.get(str(g["main_supervisor_for"] or ""), ""),
                    "trainee_count": len(g["trainee_ids"])
                    if g["trainee_ids"] is not None
                    else None,
                    "current": _current(g["start_date"], g["revoked_from"], today),
                    "revoke": link(
                        "revoke-supervisor-access", department_id=found, grant_id=g["grant_id"]
                    )
                    if "revoke-supervisor-access" in allowed and g["revoked_from"] is None
                    else None,
                }
                for g in directory["grants"]
            ]
            return web.render(
                page,
                "department.html",
                department=department,
                rows=rows,
                scope=scope,
                more=listed.next_cursor,
                appointments=appointments,
                grants=grants,
                appoint=link("appoint-uao", department_id=found)
                if "appoint-uao" in allowed
                else None,
                grant=link("grant-supervisor-access", department_id=found)
                if "grant-supervisor-access" in allowed
                else None,
                comments="read-evaluation-comments" in allowed,
            )

        return web.guarded(page, build)

    @routes.get("/afdeling/{department_id}/evalueringer")
    def comments(request: Request, department_id: str, periode: str = "") -> Response:
        """The department's evaluation comments of a half-year, and its response (R13)."""
        page, user = web.require(request)

        def build() -> Response:
            found = parse_id(department_id, "department.unknown", department_id=department_id)
            department = evaluations.authorise_comments(app, user.actor, found)
            this = period_of(app.today())
            periods = half_years(this, 6)
            period = periode if periode in periods else this
            allowed = queries.department_actions(app, user.actor, department)
            return web.render(
                page,
                "department_comments.html",
                department=department,
                period=period,
                periods=periods,
                comments=evaluation_results.comments(store, str(found), period),
                response=evaluation_results.response(store, str(found), period),
                respond=link("respond-to-evaluations", department_id=found, period=period)
                if "respond-to-evaluations" in allowed
                else None,
            )

        return web.guarded(page, build)

    return routes


def _current(start: Any, end: Any, today: date, *, inclusive: bool = False) -> bool:
    """Whether a period from `start` holds today: `end` is its last day (inclusive) or the
    first day without it."""
    if date.fromisoformat(str(start)) > today:
        return False
    if end is None:
        return True
    last = date.fromisoformat(str(end))
    return today <= last if inclusive else today < last


def half_years(current: str, count: int) -> list[str]:
    """`current` and the half-years before it, newest first ('2026-H2', '2026-H1', ...)."""
    year, half = int(current[:4]), int(current[-1])
    found = []
    for _ in range(count):
        found.append(f"{year}-H{half}")
        year, half = (year, 1) if half == 2 else (year - 1, 2)
    return found
