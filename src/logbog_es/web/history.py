"""A doctor's history in words: the trainee's own (`/historik`) and, for those the policy lets
read it (the region's secretariat, an auditor once the doctor has submitted), any doctor's
(`/laeger/{id}/historik`). Each event says what happened, who did it in which capacity,
when it was recorded and from when it holds; filters by period and kind of event; and the two
ways back in time: as the logbook was shown on a day, or what was in force on a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from logbog_es.application import queries
from logbog_es.application.history import History, ProgrammeView
from logbog_es.domain.errors import LogbogError
from logbog_es.web import i18n
from logbog_es.web.core import Page, Web, WebUser
from logbog_es.web.reading import parse_id

#: Kinds of event a reader can filter by (the first part of an event's type).
KINDS = ("Doctor", "Programme", "DepartmentAccess", "Submission", "ReadLog")
VIEWS = ("as_shown", "in_force")


@dataclass
class Filters:
    fra: str = ""
    til: str = ""
    slags: str = ""
    visning: str = ""  # as_shown | in_force
    dato: str = ""

    @classmethod
    def of(cls, request: Request) -> Filters:
        params = request.query_params
        given = cls(*(params.get(k, "")[:20] for k in ("fra", "til", "slags", "visning", "dato")))
        if given.slags not in KINDS:
            given.slags = ""
        if given.visning not in VIEWS:
            given.visning = ""
        return given


def router(web: Web) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    app = web.container.app

    def show(page: Page, user: WebUser, doctor_id: UUID, own: bool, filters: Filters) -> Response:
        context: dict[str, Any] = {
            "filters": filters,
            "own": own,
            "kinds": KINDS,
            "action": "/historik" if own else f"/laeger/{doctor_id}/historik",
            "entries": [],
            "name": "",
            "logbook": None,
        }

        def refused(status: int, message: str) -> Response:
            return web.render(page, "history.html", status, period_error=message, **context)

        try:
            period = (_day(filters.fra), _day(filters.til))
            day = _day(filters.dato) if filters.visning else None
        except ValueError:
            return refused(422, i18n.gettext("history.period_invalid"))
        try:
            found = queries.read_history(
                app,
                user.actor,
                doctor_id,
                period=period,
                as_of=day if filters.visning == "as_shown" else None,
                effective_on=day if filters.visning == "in_force" else None,
                messages=i18n.current().messages(),
                present=_present,
            )
        except LogbogError as error:
            if error.field in ("from", "to", "as_of"):
                return refused(error.status, i18n.current().error(error))
            return web.error_page(page, error)
        entries = [
            e
            for e in found.entries
            if not filters.slags or e.type.startswith(f"logbog:{filters.slags}.")
        ]
        context["entries"] = list(reversed(entries))  # newest first, as people read a story
        context["name"] = _name(app, doctor_id)
        if day is not None:
            context["logbook"] = _logbook(found)
        return web.render(page, "history.html", **context)

    @routes.get("/historik")
    def my_history(request: Request) -> Response:
        page, user = web.require(request)
        if user.actor.doctor_id is None:
            return web.render(page, "home.html")
        return show(page, user, user.actor.doctor_id, True, Filters.of(request))

    @routes.get("/laeger/{doctor_id}/historik")
    def doctor_history(request: Request, doctor_id: str) -> Response:
        page, user = web.require(request)

        def build() -> Response:
            found = parse_id(doctor_id, "doctor.unknown", doctor_id=doctor_id)
            own = found == user.actor.doctor_id
            return show(page, user, found, own, Filters.of(request))

        return web.guarded(page, build)

    return routes


def _name(app: Any, doctor_id: UUID) -> str:
    return queries.names(app, [doctor_id]).get(doctor_id, "")


def _logbook(found: History) -> list[dict[str, Any]]:
    """What the logbook held in the view asked for, per programme, in numbers a reader checks
    against the entries."""
    programmes: list[ProgrammeView] = list(found.logbook.programmes.values())
    return [
        {
            "specialty_code": p.specialty_code,
            "stage": p.stage,
            "curriculum_label": p.curriculum_label,
            "employments": len(p.employments),
            "approvals": len(p.approvals),
            "courses": len(p.courses),
            "time_attestations": len(p.time_attestations),
            "submissions": len(p.submissions),
        }
        for p in programmes
    ]


#: Values of events that are codes of a vocabulary, shown by their words (the first that has
#: a text: `kind` is an absence's or a submission's).
_LABELS = {
    "capacity": ("capacity.",),
    "method": ("method.",),
    "stage": ("stage.",),
    "kind": ("absence.", "kind."),
}


def _present(name: str, value: object) -> object:
    """An event's value as the reader writes it: dates in words, codes by their names."""
    translator = i18n.current()
    if isinstance(value, date):
        return translator.date(value)
    if isinstance(value, str) and name in _LABELS:
        for prefix in _LABELS[name]:
            if prefix + value in translator.web:
                return translator.text(prefix + value)
    return value


def _day(value: str) -> date | None:
    return date.fromisoformat(value) if value else None
