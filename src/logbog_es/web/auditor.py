"""The STPS caseworker's pages: find the documentation a doctor has sent by authorisation id;
each submission opens on `/dokumentation/{id}` (the package as sent, whether it is still
reproducible and the audit chain still matches, the PDF) and the doctor's history.

Which submissions a user may list is the API's rule (`queries.submission_filter`): an auditor
all, a secretariat its region's, a trainee their own.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from logbog_es.application import queries
from logbog_es.projections import submissions
from logbog_es.web.core import Web


def router(web: Web) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    store = web.container.read_store

    @routes.get("/stps")
    def find(request: Request, autorisation: str = "") -> Response:
        page, user = web.require(request)

        def build() -> Response:
            doctor, regions = queries.submission_filter(user.actor)
            wanted = autorisation.strip().upper()[:20]
            rows = (
                submissions.find(store, authorisation_id=wanted, doctor_id=doctor, regions=regions)
                if wanted
                else []
            )
            return web.render(page, "stps.html", autorisation=wanted, rows=rows)

        return web.guarded(page, build)

    return routes
