"""The trainee's evaluations of their training sites: what is due, and the questionnaire.

Answers are anonymous to everyone but the trainee (R13); the page says so. An evaluation is
never an input to any approval.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from logbog_es.application import evaluations
from logbog_es.commands import SubmitEvaluation
from logbog_es.domain.errors import LogbogError, NotFound
from logbog_es.domain.questionnaire import CURRENT
from logbog_es.web.core import Form, FormErrors, Page, Web, WebUser, key_of, post, redirect

NOT_RELEVANT = "na"


def answers_of(form: Form) -> dict[str, int | None]:
    """The questionnaire's answers as the command takes them: 1-6, None for not relevant; a
    question left out stays out (the domain names it as unanswered)."""
    answers: dict[str, int | None] = {}
    for question in CURRENT.questions:
        value = form.get(f"answers.{question.code}", "")
        if value == NOT_RELEVANT:
            answers[question.code] = None
        elif value.isdigit():
            answers[question.code] = int(value)
    return answers


def router(web: Web) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    app = web.container.app

    @routes.get("/evalueringer")
    def due(request: Request) -> Response:
        page, user = web.require(request)
        items = evaluations.my_evaluations(app, user.actor)
        return web.render(page, "evaluations.html", items=items)

    def form_page(
        page: Page,
        user: WebUser,
        employment_id: str,
        status: int = 200,
        errors: FormErrors | None = None,
        values: dict[str, str] | None = None,
    ) -> Response:
        item = _due(web, user, employment_id)
        return web.render(
            page,
            "evaluation.html",
            status,
            item=item,
            form=CURRENT,
            errors=errors or FormErrors(),
            summary=list(dict.fromkeys((errors or {}).values())),
            values=values or {},
            not_relevant=NOT_RELEVANT,
        )

    @routes.get("/evalueringer/{employment_id}")
    def questionnaire(request: Request, employment_id: str) -> Response:
        page, user = web.require(request)
        try:
            return form_page(page, user, employment_id)
        except LogbogError as error:
            return web.error_page(page, error)

    @post(routes, "/evalueringer/{employment_id}")
    def submit(request: Request, form: Form) -> Response:
        page, user = web.require(request)
        employment_id = request.path_params["employment_id"]
        if not web.check_csrf(request, form):
            return web.csrf_refused(page)
        try:
            item = _due(web, user, employment_id)
            try:
                command = SubmitEvaluation(
                    programme_id=item.programme_id,
                    employment_id=item.employment_id,
                    answers=answers_of(form),
                    comment=form.get("comment") or None,
                )
            except ValidationError as invalid:
                return form_page(
                    page, user, employment_id, 422, FormErrors.of_validation(invalid), form
                )
            try:
                _result, caught_up = web.run(command, user, key_of(form), ["evaluation_results"])
            except LogbogError as error:
                return form_page(
                    page, user, employment_id, error.status, FormErrors.of(error), form
                )
        except LogbogError as error:
            return web.error_page(page, error)
        return redirect("/evalueringer", "evaluated" if caught_up else "saved_not_shown")

    return routes


def _due(web: Web, user: WebUser, employment_id: str) -> Any:
    """One of the user's own evaluations (due or given); anything else is not found."""
    for item in evaluations.my_evaluations(web.container.app, user.actor):
        if str(item.employment_id) == employment_id:
            return item
    raise NotFound("time.no_employment", employment_id=employment_id)
