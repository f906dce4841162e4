"""The logbook's pages: a programme's competencies, one competency (ask, approve, decline),
courses, training time, readiness and submission to STPS, and the documents sent.

A trainee sees their own logbook; a supervisor or UAO/tutor the logbooks of the trainees they
have access to (the policy decides, through the same queries the API uses).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from logbog_es import dossier_pdf
from logbog_es.application import queries
from logbog_es.commands import (
    ApproveCompetency,
    DeclineAssessment,
    RequestAssessment,
    SubmitDocumentation,
)
from logbog_es.domain.curriculum import CurriculumVersion
from logbog_es.domain.department import Department
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import LogbogError, NotFound
from logbog_es.domain.logbook import RequestStatus
from logbog_es.domain.programme import Programme
from logbog_es.domain.readiness import REQUIRED_STAGE
from logbog_es.domain.specialty import Specialty, specialty_id
from logbog_es.domain.submission import Submission
from logbog_es.domain.values import Competency, DoctorRole
from logbog_es.web import i18n
from logbog_es.web.core import Form, FormErrors, Page, Web, WebUser, key_of, post, redirect


@dataclass
class CompetencyRow:
    code: str
    title: str
    status: str  # approved | requested | open
    approval: dict[str, Any] | None
    waiting_for: list[str] = field(default_factory=list)


@dataclass
class Group:
    role: str
    competencies: list[CompetencyRow]


def _programme_id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise NotFound("programme.unknown", programme_id=value) from None


class Logbooks:
    """Reading a logbook for a page, through the application's queries."""

    def __init__(self, web: Web) -> None:
        self.web = web
        self.app = web.container.app

    def programme(self, user: WebUser, programme_id: str) -> Programme:
        return queries.read_programme(self.app, user.actor, _programme_id(programme_id))

    def curriculum(self, programme: Programme) -> CurriculumVersion:
        return queries.read_curriculum(self.app, programme.curriculum_id)

    def header(self, programme: Programme) -> dict[str, Any]:
        """Whose logbook, which specialty and stage, and the curriculum version it follows."""
        doctor = self.app.find(Doctor, programme.doctor_id, shared=True)
        specialty = self.app.find(Specialty, specialty_id(programme.specialty_code), shared=True)
        others = []
        if doctor is not None:
            for ref in doctor.programmes:
                other = self.app.find(Programme, ref.programme_id, shared=True)
                if other is not None:
                    others.append(
                        {
                            "programme_id": other.id,
                            "stage": other.stage.value,
                            "specialty": self._specialty_name(other.specialty_code),
                            "current": other.id == programme.id,
                        }
                    )
        return {
            "programme_id": programme.id,
            "trainee_name": doctor.name if doctor else "",
            "trainee_id": programme.doctor_id,
            "specialty": specialty.name if specialty else programme.specialty_code,
            "stage": programme.stage.value,
            "curriculum_label": programme.curriculum_label,
            "programmes": others,
        }

    def _specialty_name(self, code: str) -> str:
        found = self.app.find(Specialty, specialty_id(code), shared=True)
        return found.name if found else code

    def department_name(self, department_id: UUID) -> str:
        found = self.app.find(Department, department_id, shared=True)
        return found.name if found else ""

    def approval_of(self, programme: Programme, code: str) -> dict[str, Any] | None:
        approval = programme.active_approval(code)
        if approval is None:
            return None
        ids = [approval.approver_id, *([approval.delegated_by] if approval.delegated_by else [])]
        people = queries.names(self.app, ids)
        return {
            "approver": people.get(approval.approver_id, ""),
            "capacity": approval.capacity.value,
            "delegated_by": people.get(approval.delegated_by) if approval.delegated_by else None,
            "method": approval.method.value,
            "assessed_on": approval.assessed_on,
            "department": self.department_name(approval.department_id),
        }

    def groups(self, programme: Programme, curriculum: CurriculumVersion) -> list[Group]:
        """Competencies grouped by the doctor role each trains first, in the curriculum's order
        (a curriculum version lists no other grouping)."""
        waiting: dict[str, list[UUID]] = {}
        for request in programme.requests.values():
            if request.status is RequestStatus.OPEN:
                waiting.setdefault(request.competency_code, []).append(request.supervisor_id)
        people = queries.names(self.app, [s for ids in waiting.values() for s in ids])
        by_role: dict[DoctorRole, list[CompetencyRow]] = {}
        for competency in curriculum.competencies:
            approval = self.approval_of(programme, competency.code)
            asked = [people.get(s, "") for s in waiting.get(competency.code, [])]
            status = "approved" if approval else "requested" if asked else "open"
            row = CompetencyRow(competency.code, competency.title, status, approval, asked)
            by_role.setdefault(competency.roles[0], []).append(row)
        return [Group(role.value, by_role[role]) for role in DoctorRole if role in by_role]


def _competency(curriculum: CurriculumVersion, code: str) -> Competency:
    found = curriculum.competency(code)
    if found is None:
        raise NotFound("logbook.unknown_competency", code=code, label=curriculum.label)
    return found


def router(web: Web) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    books = Logbooks(web)
    app = web.container.app

    def guarded(page: Page, build: Any) -> Response:
        try:
            response: Response = build()
        except LogbogError as error:
            return web.error_page(page, error)
        return response

    @routes.get("/")
    def home(request: Request) -> Response:
        page, user = web.require(request)
        if user.trainee:
            return redirect("/logbog")
        if user.supervises:
            return redirect("/indbakke")
        return web.render(page, "home.html")

    @routes.get("/logbog")
    def my_logbook(request: Request) -> Response:
        page, user = web.require(request)
        doctor = (
            app.find(Doctor, user.actor.doctor_id, shared=True) if user.actor.doctor_id else None
        )
        if doctor is None or not doctor.programmes:
            return web.render(page, "home.html")
        today = app.today()
        found = [app.find(Programme, p.programme_id, shared=True) for p in doctor.programmes]
        programmes = [p for p in found if p is not None]
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
            approved = sum(1 for g in groups for c in g.competencies if c.status == "approved")
            return web.render(
                page,
                "logbook.html",
                head=books.header(programme),
                groups=groups,
                approved=approved,
                total=len(curriculum.competencies),
                courses_done=sum(1 for c in curriculum.courses if c.code in programme.courses),
                courses_total=len(curriculum.courses),
                own=user.actor.doctor_id == programme.doctor_id,
            )

        return guarded(page, build)

    def competency_page(
        page: Page,
        user: WebUser,
        programme_id: str,
        code: str,
        status: int = 200,
        errors: dict[str, FormErrors] | None = None,
        values: dict[str, str] | None = None,
    ) -> Response:
        programme = books.programme(user, programme_id)
        curriculum = books.curriculum(programme)
        competency = _competency(curriculum, code)
        offers = queries.logbook_offers(app, user.actor, programme)
        assessors = (
            queries.assessors_for(app, user.actor, programme.id)
            if offers.request_assessment
            else []
        )
        requests = [r for r in programme.requests.values() if r.competency_code == code]
        people = queries.names(app, [r.supervisor_id for r in requests])
        approval = books.approval_of(programme, code)
        return web.render(
            page,
            "competency.html",
            status,
            head=books.header(programme),
            competency=competency,
            approval=approval,
            requests=[
                {
                    "request_id": r.request_id,
                    "supervisor": people.get(r.supervisor_id, ""),
                    "requested_on": r.requested_on,
                    "status": r.status.value,
                    "may_decline": r.request_id in offers.decline,
                }
                for r in requests
            ],
            assessors=[
                {
                    "doctor_id": a.doctor_id,
                    "name": a.name,
                    "capacity": a.capacity.value,
                    "department": books.department_name(a.department_id),
                }
                for a in assessors
            ],
            may_request=offers.request_assessment and approval is None,
            may_approve=offers.approve and approval is None,
            employed_today=programme.employment_on(app.today()) is not None,
            today=app.today(),
            errors=errors or {},
            values=values or {},
        )

    @routes.get("/logbog/{programme_id}/kompetencer/{code}")
    def competency(request: Request, programme_id: str, code: str) -> Response:
        page, user = web.require(request)
        return guarded(page, lambda: competency_page(page, user, programme_id, code))

    def run_form(
        request: Request,
        form: Form,
        programme_id: str,
        code: str,
        which: str,
        build_command: Any,
        read_models: list[str],
        notice: str,
        fields: dict[str, str] | None = None,
    ) -> Response:
        """Run the command a competency page's form builds; on refusal, show the page again
        with the error beside the field and the user's input kept."""
        page, user = web.require(request)
        if not web.check_csrf(request, form):
            return web.csrf_refused(page)

        def build() -> Response:
            try:
                command = build_command(form)
            except ValidationError as invalid:
                return competency_page(
                    page,
                    user,
                    programme_id,
                    code,
                    422,
                    {which: FormErrors.of_validation(invalid)},
                    form,
                )
            try:
                _result, caught_up = web.run(command, user, key_of(form), read_models)
            except LogbogError as error:
                return competency_page(
                    page,
                    user,
                    programme_id,
                    code,
                    error.status,
                    {which: FormErrors.of(error, fields)},
                    form,
                )
            target = f"/logbog/{programme_id}/kompetencer/{code}"
            return redirect(target, notice if caught_up else "saved_not_shown")

        return guarded(page, build)

    @post(routes, "/logbog/{programme_id}/kompetencer/{code}/anmod")
    def request_assessment(request: Request, form: Form) -> Response:
        programme_id, code = request.path_params["programme_id"], request.path_params["code"]
        return run_form(
            request,
            form,
            programme_id,
            code,
            "request",
            lambda f: RequestAssessment(
                programme_id=programme_id,
                competency_code=code,
                supervisor_id=f.get("supervisor_id"),
            ),
            ["supervisor_requests"],
            "requested",
        )

    @post(routes, "/logbog/{programme_id}/kompetencer/{code}/godkend")
    def approve(request: Request, form: Form) -> Response:
        programme_id, code = request.path_params["programme_id"], request.path_params["code"]
        return run_form(
            request,
            form,
            programme_id,
            code,
            "approve",
            lambda f: ApproveCompetency.model_validate(
                {
                    "programme_id": programme_id,
                    "competency_code": code,
                    "method": f.get("method"),
                    "assessed_on": f.get("assessed_on"),
                    "note": f.get("note") or None,
                }
            ),
            ["supervisor_requests", "programme_progress"],
            "approved",
        )

    @post(routes, "/logbog/{programme_id}/kompetencer/{code}/afvis")
    def decline(request: Request, form: Form) -> Response:
        programme_id, code = request.path_params["programme_id"], request.path_params["code"]
        return run_form(
            request,
            form,
            programme_id,
            code,
            "decline-" + form.get("request_id", ""),
            lambda f: DeclineAssessment.model_validate(
                {
                    "programme_id": programme_id,
                    "request_id": f.get("request_id"),
                    "reason": f.get("reason"),
                }
            ),
            ["supervisor_requests"],
            "declined",
        )

    @routes.get("/logbog/{programme_id}/kurser")
    def courses(request: Request, programme_id: str) -> Response:
        page, user = web.require(request)

        def build() -> Response:
            programme = books.programme(user, programme_id)
            curriculum = books.curriculum(programme)
            rows = []
            for course in curriculum.courses:
                done = programme.courses.get(course.code)
                rows.append({"course": course, "done": done})
            prior = [a for a in programme.prior_attestations.values() if a.kind.value == "course"]
            return web.render(
                page, "courses.html", head=books.header(programme), rows=rows, prior=prior
            )

        return guarded(page, build)

    @routes.get("/logbog/{programme_id}/tid")
    def training_time(request: Request, programme_id: str) -> Response:
        page, user = web.require(request)

        def build() -> Response:
            programme = books.programme(user, programme_id)
            today = app.today()
            employments = []
            for employment in programme.employments:
                eid = employment.employment_id
                report = programme.time_report(eid, today)
                attested = programme.time_attestations.get(eid)
                employments.append(
                    {
                        "employment": employment,
                        "department": books.department_name(employment.department_id),
                        "report": report,
                        "threshold_days": int(report.absence_threshold),
                        "changes": programme.fraction_changes[eid],
                        "absences": programme.absences[eid],
                        "attested": attested,
                        "attested_by": queries.names(app, [attested.attested_by]).get(
                            attested.attested_by, ""
                        )
                        if attested
                        else None,
                        "current": employment.covers(today),
                    }
                )
            served, full_time = programme.served(today)
            return web.render(
                page,
                "time.html",
                head=books.header(programme),
                employments=employments,
                served=served,
                full_time=round(float(full_time)),
            )

        return guarded(page, build)

    def readiness_page(
        page: Page, user: WebUser, programme_id: str, status: int = 200, error: str | None = None
    ) -> Response:
        programme = books.programme(user, programme_id)
        curriculum = books.curriculum(programme)
        titles = {c.code: c.title for c in curriculum.competencies} | {
            c.code: c.title for c in curriculum.courses
        }
        employments = {str(e.employment_id): e for e in programme.employments}
        kinds = []
        for kind, stage in REQUIRED_STAGE.items():
            if stage is not programme.stage:
                continue
            result = queries.read_readiness(app, user.actor, programme.id, kind)
            missing = []
            for item in result.missing:
                employment = employments.get(item.item)
                missing.append(
                    {
                        "what": item.what,
                        "item": item.item,
                        "title": titles.get(item.item, ""),
                        "employment": employment,
                        "department": books.department_name(employment.department_id)
                        if employment
                        else "",
                    }
                )
            kinds.append({"kind": kind.value, "readiness": result, "missing": missing})
        offers = queries.logbook_offers(app, user.actor, programme)
        sent = []
        for submission_id in programme.submissions:
            found = app.find(Submission, submission_id, shared=True)
            if found is not None:
                sent.append(found)
        return web.render(
            page,
            "readiness.html",
            status,
            head=books.header(programme),
            kinds=kinds,
            may_submit=offers.submit,
            sent=sent,
            error=error,
        )

    @routes.get("/logbog/{programme_id}/parathed")
    def readiness(request: Request, programme_id: str) -> Response:
        page, user = web.require(request)
        return guarded(page, lambda: readiness_page(page, user, programme_id))

    @post(routes, "/logbog/{programme_id}/indsend")
    def submit(request: Request, form: Form) -> Response:
        page, user = web.require(request)
        programme_id = request.path_params["programme_id"]
        if not web.check_csrf(request, form):
            return web.csrf_refused(page)

        def build() -> Response:
            try:
                command = SubmitDocumentation.model_validate(
                    {"programme_id": programme_id, "kind": form.get("kind")}
                )
            except ValidationError:
                return readiness_page(
                    page, user, programme_id, 422, i18n.gettext("error.field_invalid")
                )
            try:
                result, caught_up = web.run(command, user, key_of(form), ["submissions"])
            except LogbogError as error:
                return readiness_page(
                    page, user, programme_id, error.status, i18n.current().error(error)
                )
            submission = next(
                e.stream_id for e in result.events if e.type == Submission.Submitted.TOPIC
            )
            return redirect(
                f"/dokumentation/{submission}", "submitted" if caught_up else "saved_not_shown"
            )

        return guarded(page, build)

    @routes.get("/dokumentation/{submission_id}")
    def submission(request: Request, submission_id: str) -> Response:
        page, user = web.require(request)

        def build() -> Response:
            view = queries.read_submission(app, user.actor, _submission_id(submission_id))
            programme = app.find(Programme, view.submission.programme_id, shared=True)
            return web.render(
                page,
                "submission.html",
                view=view,
                head=books.header(programme) if programme else None,
            )

        return guarded(page, build)

    @routes.get("/dokumentation/{submission_id}/pdf")
    def submission_pdf(request: Request, submission_id: str) -> Response:
        page, user = web.require(request)

        def build() -> Response:
            view = queries.read_submission(app, user.actor, _submission_id(submission_id))
            queries.legacy_pdf_refused(view)
            return Response(
                dossier_pdf.render(queries.submission_body(view)),
                media_type="application/pdf",
                headers={
                    "Content-Disposition": (
                        f'attachment; filename="dokumentation-{view.submission.id}.pdf"'
                    ),
                    "Cache-Control": "no-store",
                },
            )

        return guarded(page, build)

    return routes


def _submission_id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise NotFound("dossier.unknown", submission_id=value) from None
