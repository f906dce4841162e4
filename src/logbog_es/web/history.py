"""The trainee's own history: every event that concerns them, in words, in their language."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from logbog_es.application import queries
from logbog_es.domain.errors import LogbogError
from logbog_es.web import i18n
from logbog_es.web.core import Web


def router(web: Web) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    app = web.container.app

    @routes.get("/historik")
    def my_history(request: Request, fra: str = "", til: str = "") -> Response:
        page, user = web.require(request)
        if user.actor.doctor_id is None:
            return web.render(page, "home.html")
        try:
            period = (_day(fra), _day(til))
        except ValueError:
            return web.render(
                page,
                "history.html",
                422,
                entries=[],
                period_error=i18n.gettext("history.period_invalid"),
                fra=fra,
                til=til,
            )
        try:
            found = queries.read_history(
                app,
                user.actor,
                user.actor.doctor_id,
                period=period,
                messages=i18n.current().messages(),
                present=_present,
            )
        except LogbogError as error:
            if error.field in ("from", "to"):
                return web.render(
                    page,
                    "history.html",
                    error.status,
                    entries=[],
                    period_error=i18n.current().error(error),
                    fra=fra,
                    til=til,
                )
            return web.error_page(page, error)
        entries = list(reversed(found.entries))  # newest first, as people read a story
        return web.render(page, "history.html", entries=entries, fra=fra, til=til)

    return routes


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
