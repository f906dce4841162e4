"""Evaluation results for everyone, without login: per department, half-year, specialty,
region and kind of post, as bars drawn on the server (SVG, each bar with its number written
beside it, so that nothing depends on colour) with how many answered.

The read model publishes only cells of at least the minimum number of evaluations (R13) under
any combination of filters; what it withholds is shown as withheld, never as a bar.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from logbog_es.domain.errors import InvalidInput
from logbog_es.domain.evaluation import check_period, last_closed_period, period_of
from logbog_es.domain.questionnaire import CURRENT
from logbog_es.domain.values import Region, Stage
from logbog_es.projections import catalogue, evaluation_results
from logbog_es.web.core import Web
from logbog_es.web.department import half_years

SCALE = 6  # the questionnaire's answers run 1-6


def bar_width(average: float | None) -> int:
    """A bar's length in per cent of the scale's full length."""
    return round(100 * (average or 0) / SCALE)


def router(web: Web) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    store = web.container.read_store
    app = web.container.app

    @routes.get("/resultater")
    def results(request: Request) -> Response:
        page = web.page(request)
        params = request.query_params
        filters: dict[str, str | None] = dict.fromkeys(evaluation_results.DIMENSIONS)
        departments = catalogue.list_departments(store)
        specialties = catalogue.list_specialties(store)
        given = {
            "department_id": params.get("afdeling", ""),
            "period": params.get("periode", ""),
            "specialty_code": params.get("speciale", ""),
            "region": params.get("region", ""),
            "stage": params.get("trin", ""),
        }
        if given["department_id"] in {str(d["department_id"]) for d in departments}:
            filters["department_id"] = str(UUID(given["department_id"]))
        try:
            filters["period"] = check_period(given["period"]) if given["period"] else None
        except InvalidInput:
            filters["period"] = None
        if given["specialty_code"] in {s["code"] for s in specialties}:
            filters["specialty_code"] = given["specialty_code"]
        if given["region"] in {r.value for r in Region}:
            filters["region"] = given["region"]
        if given["stage"] in {s.value for s in Stage}:
            filters["stage"] = given["stage"]
        body: dict[str, Any] = evaluation_results.results(
            store,
            filters,
            CURRENT.version,
            closed_until=last_closed_period(app.today(), app.evaluation_window_days),
        )
        if body["published"] and filters["department_id"] and filters["period"]:
            body["response"] = evaluation_results.response(
                store, str(filters["department_id"]), str(filters["period"])
            )
        language = page.language
        groups = [
            {
                "title": g["title_da"] if language == "da" else g["title_en"],
                "average": g["average"],
                "answers": g["answers"],
                "width": bar_width(g["average"]),
                "questions": [
                    {
                        "text": q["text_da"] if language == "da" else q["text_en"],
                        "average": q["average"],
                        "answers": q["answers"],
                        "width": bar_width(q["average"]),
                    }
                    for q in body["questions"]
                    if q["group"] == g["code"]
                ],
            }
            for g in body["groups"]
        ]
        shown = {k: v for k, v in given.items() if v}
        return web.render(
            page,
            "results.html",
            body=body,
            groups=groups,
            filters=filters,
            departments=departments,
            specialties=specialties,
            periods=half_years(period_of(app.today()), 6),
            regions=[r.value for r in Region],
            stages=[s.value for s in Stage],
            scale=SCALE,
            query=urlencode(shown),
        )

    return routes
