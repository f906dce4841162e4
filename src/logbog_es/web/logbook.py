"""The logbook and its competencies: ask for an assessment, approve, decline.

A trainee sees their own logbook; a supervisor or UAO/tutor the logbooks of the trainees they
have access to (the policy decides, through the same queries the API uses). Each form builds
the command the API takes and runs it through the same path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from logbog_es.application import queries
from logbog_es.commands import ApproveCompetency, Command, DeclineAssessment, RequestAssessment
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import LogbogError
from logbog_es.domain.programme import Programme
from logbog_es.web.core import Form, FormErrors, Page, Web, WebUser, key_of, post, redirect
from logbog_es.web.reading import Logbooks


@dataclass(frozen=True)
class CompetencyForm:
    """One form of the competency page: where its errors show, the command it builds, the
    read models the next page reads, and the notice shown when it is done."""

    which: str
    build: Callable[[Form], Command]
    read_models: tuple[str, ...]
    notice: str


class CompetencyPages:
    def __init__(self, web: Web) -> None:
        self.web = web
        self.app = web.container.app
        self.books = Logbooks(web)

    def show(
        self,
        page: Page,
        user: WebUser,
        programme_id: str,
        code: str,
        status: int = 200,
        errors: dict[str, FormErrors] | None = None,
        values: Form | None = None,
    ) -> Response:
        programme = self.books.programme(user, programme_id)
        curriculum = self.books.curriculum(programme)
        competency = self.books.competency(curriculum, code)
        offers = queries.logbook_offers(self.app, user.actor, programme)
        done, _ = self.books.credited(programme)
        assessors = (
            queries.assessors_for(self.app, user.actor, programme.id)
            if offers.request_assessment
            else []
        )
        requests = [r for r in programme.requests.values() if r.competency_code == code]
        people = queries.names(self.app, [r.supervisor_id for r in requests])
        errors = errors or {}
        approval = self.books.approval_of(programme, code)
        address = self.address(programme_id, code)
        return self.web.render(
            page,
            "competency.html",
            status,
            address=address if status != 200 else None,
            head=self.books.header(user, programme),
            competency=competency,
            approval=approval,
            may_withdraw=approval is not None
            and approval["approval_id"] in queries.withdrawable(self.app, user.actor, programme),
            credited=code in done,
            requests=[
                {
                    "request_id": r.request_id,
                    "supervisor": people.get(r.supervisor_id, ""),
                    "requested_on": r.requested_on,
                    "status": r.status.value,
                    "note": r.note,
                    "may_decline": r.request_id in offers.decline,
                }
                for r in requests
            ],
            assessors=[
                {
                    "doctor_id": a.doctor_id,
                    "name": a.name,
                    "capacity": a.capacity.value,
                    "department": self.books.department_name(a.department_id),
                }
                for a in assessors
            ],
            may_request=offers.request_assessment and code not in done,
            may_approve=offers.approve and code not in done,
            employed_today=programme.employment_on(self.app.today()) is not None,
            today=self.app.today(),
            errors=errors,
            summary=list(dict.fromkeys(m for e in errors.values() for m in e.values())),
            values=values or {},
        )

    @staticmethod
    def address(programme_id: str, code: str) -> str:
        return f"/logbog/{programme_id}/kompetencer/{code}"

    def run(self, request: Request, form: Form, action: CompetencyForm) -> Response:
        """Run the command the form builds; on refusal show the page again with the error in
        words beside its field (and in the summary at the top), the user's input kept."""
        page, user = self.web.require(request)
        if not self.web.check_csrf(request, form):
            return self.web.csrf_refused(page)
        programme_id = request.path_params["programme_id"]
        code = request.path_params["code"]

        def again(status: int, errors: FormErrors) -> Response:
            return self.show(page, user, programme_id, code, status, {action.which: errors}, form)

        def build() -> Response:
            try:
                command = action.build(form)
            except ValidationError as invalid:
                return again(422, FormErrors.of_validation(invalid))
            try:
                _, caught_up = self.web.run(command, user, key_of(form), list(action.read_models))
            except LogbogError as error:
                return again(error.status, FormErrors.of(error))
            notice = action.notice if caught_up else "saved_not_shown"
            return redirect(self.address(programme_id, code), notice)

        return self.web.guarded(page, build)


def router(web: Web) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    app = web.container.app
    books = Logbooks(web)
    pages = CompetencyPages(web)

    @routes.get("/")
    def home(request: Request) -> Response:
        page, user = web.require(request)
        if user.trainee:
            return redirect("/logbog")
        if user.supervises:
            return redirect("/indbakke")
        if user.secretariat:
            return redirect("/sekretariat")
        if user.auditor:
            return redirect("/stps")
        if user.curriculum_admin:
            return redirect("/maalbeskrivelser")
        return web.render(page, "home.html")

    @routes.get("/logbog")
    def my_logbook(request: Request) -> Response:
        """The trainee's current programme (employed today), else their latest."""
        page, user = web.require(request)
        doctor = (
            app.find(Doctor, user.actor.doctor_id, shared=True) if user.actor.doctor_id else None
        )
        found = (
            [app.find(Programme, p.programme_id, shared=True) for p in doctor.programmes]
            if doctor
            else []
        )
        programmes = [p for p in found if p is not None]
        if not programmes:
            return web.render(page, "home.html")
        today = app.today()
        current = [p for p in programmes if p.employment_on(today) is not None]
        chosen = max(current or programmes, key=lambda p: p.hiring_date)
        return redirect(f"/logbog/{chosen.id}")

    @routes.get("/logbog/{programme_id}")
    def logbook(request: Request, programme_id: str) -> Response:
        page, user = web.require(request)

        def build() -> Response:
            programme = books.programme(user, programme_id)
            curriculum = books.curriculum(programme)
            groups = books.groups(programme, curriculum)
            _, courses = books.credited(programme)
            return web.render(
                page,
                "logbook.html",
                head=books.header(user, programme),
                groups=groups,
                approved=sum(
                    1
                    for g in groups
                    for c in g.competencies
                    if c.status in ("approved", "credited")
                ),
                total=len(curriculum.competencies),
                courses_done=sum(1 for c in curriculum.courses if c.code in courses),
                courses_total=len(curriculum.courses),
            )

        return web.guarded(page, build)

    @routes.get("/logbog/{programme_id}/kompetencer/{code}")
    def competency(request: Request, programme_id: str, code: str) -> Response:
        page, user = web.require(request)
        return web.guarded(page, lambda: pages.show(page, user, programme_id, code))

    def programme_and_code(request: Request) -> dict[str, str]:
        return {
            "programme_id": request.path_params["programme_id"],
            "competency_code": request.path_params["code"],
        }

    @post(routes, "/logbog/{programme_id}/kompetencer/{code}/anmod")
    def request_assessment(request: Request, form: Form) -> Response:
        target = programme_and_code(request)
        return pages.run(
            request,
            form,
            CompetencyForm(
                "request",
                lambda f: RequestAssessment.model_validate(
                    {
                        **target,
                        "supervisor_id": f.get("supervisor_id"),
                        "note": f.get("note", "").strip() or None,
                    }
                ),
                ("supervisor_requests",),
                "requested",
            ),
        )

    @post(routes, "/logbog/{programme_id}/kompetencer/{code}/godkend")
    def approve(request: Request, form: Form) -> Response:
        target = programme_and_code(request)
        return pages.run(
            request,
            form,
            CompetencyForm(
                "approve",
                lambda f: ApproveCompetency.model_validate(
                    {
                        **target,
                        "method": f.get("method"),
                        "assessed_on": f.get("assessed_on"),
                        "note": f.get("note") or None,
                    }
                ),
                ("supervisor_requests", "programme_progress"),
                "approved",
            ),
        )

    @post(routes, "/logbog/{programme_id}/kompetencer/{code}/afvis")
    def decline(request: Request, form: Form) -> Response:
        target = programme_and_code(request)
        return pages.run(
            request,
            form,
            CompetencyForm(
                "decline-" + form.get("request_id", ""),
                lambda f: DeclineAssessment.model_validate(
                    {
                        "programme_id": target["programme_id"],
                        "request_id": f.get("request_id"),
                        "reason": f.get("reason"),
                    }
                ),
                ("supervisor_requests",),
                "declined",
            ),
        )

    return routes
