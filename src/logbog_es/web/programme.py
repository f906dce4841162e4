"""A programme's courses, training time, readiness for STPS and the documents sent."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from logbog_es import dossier_pdf
from logbog_es.application import queries
from logbog_es.commands import SubmitDocumentation
from logbog_es.domain.errors import LogbogError, NotAllowed
from logbog_es.domain.readiness import REQUIRED_STAGE
from logbog_es.domain.submission import Submission
from logbog_es.edge import submission_document
from logbog_es.web import i18n
from logbog_es.web.core import Form, Page, Web, WebUser, key_of, link, post, redirect
from logbog_es.web.reading import Logbooks, parse_id

#: The secretariat's commands on one employment, linked beside it.
EMPLOYMENT_ACTIONS = ("record-absence", "change-employment-fraction", "extend-employment")


def router(web: Web) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    app = web.container.app
    books = Logbooks(web)

    @routes.get("/logbog/{programme_id}/kurser")
    def courses(request: Request, programme_id: str) -> Response:
        page, user = web.require(request)

        def build() -> Response:
            programme = books.programme(user, programme_id)
            curriculum = books.curriculum(programme)
            _, credited = books.credited(programme)
            rows = [
                {
                    "course": course,
                    "done": programme.courses.get(course.code),
                    "credited": course.code in credited,
                }
                for course in curriculum.courses
            ]
            may_verify = "verify-prior-attestation" in queries.programme_actions(
                app, user.actor, programme
            )
            prior = [
                {
                    "attestation": a,
                    "verify": link(
                        "verify-prior-attestation",
                        programme_id=programme.id,
                        attestation_id=a.attestation_id,
                    )
                    if may_verify and not a.counts
                    else None,
                }
                for a in programme.prior_attestations.values()
            ]
            return web.render(
                page,
                "courses.html",
                head=books.header(user, programme),
                rows=rows,
                prior=prior,
            )

        return web.guarded(page, build)

    @routes.get("/logbog/{programme_id}/tid")
    def training_time(request: Request, programme_id: str) -> Response:
        page, user = web.require(request)

        def build() -> Response:
            programme = books.programme(user, programme_id)
            today = app.today()
            attesters = queries.names(
                app, [a.attested_by for a in programme.time_attestations.values()]
            )
            attestable = queries.attestable(app, user.actor, programme)
            allowed = queries.programme_actions(app, user.actor, programme)
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
                        "attested_by": attesters.get(attested.attested_by, "") if attested else "",
                        "current": employment.covers(today),
                        "attest": link(
                            "attest-employment-time", programme_id=programme.id, employment_id=eid
                        )
                        if eid in attestable and attested is None
                        else None,
                        "actions": [
                            (name, link(name, programme_id=programme.id, employment_id=eid))
                            for name in EMPLOYMENT_ACTIONS
                            if name in allowed
                        ],
                    }
                )
            served, full_time = programme.served(today)
            return web.render(
                page,
                "time.html",
                head=books.header(user, programme),
                employments=employments,
                served=served,
                full_time=round(float(full_time)),
            )

        return web.guarded(page, build)

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
                        "detail": item.detail,
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
        found = [app.find(Submission, s, shared=True) for s in programme.submissions]
        return web.render(
            page,
            "readiness.html",
            status,
            address=f"/logbog/{programme_id}/parathed" if status != 200 else None,
            head=books.header(user, programme),
            kinds=kinds,
            may_submit=offers.submit,
            sent=[s for s in found if s is not None],
            error=error,
        )

    @routes.get("/logbog/{programme_id}/parathed")
    def readiness(request: Request, programme_id: str) -> Response:
        page, user = web.require(request)
        return web.guarded(page, lambda: readiness_page(page, user, programme_id))

    @post(routes, "/logbog/{programme_id}/indsend")
    def submit(request: Request, form: Form) -> Response:
        """R8/R11: send the documentation; refused, in words, while anything is missing."""
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
                message = i18n.current().error(error)
                return readiness_page(page, user, programme_id, error.status, message)
            submission = next(
                e.stream_id for e in result.events if e.type == Submission.Submitted.TOPIC
            )
            notice = "submitted" if caught_up else "saved_not_shown"
            return redirect(f"/dokumentation/{submission}", notice)

        return web.guarded(page, build)

    def read_submission(user: WebUser, submission_id: str) -> queries.SubmissionView:
        found = parse_id(submission_id, "dossier.unknown", submission_id=submission_id)
        return queries.read_submission(app, user.actor, found)

    @routes.get("/dokumentation/{submission_id}")
    def submission(request: Request, submission_id: str) -> Response:
        page, user = web.require(request)

        def build() -> Response:
            view = read_submission(user, submission_id)
            try:  # an auditor reads the submission, not the live logbook
                programme = books.programme(user, str(view.submission.programme_id))
                head = books.header(user, programme)
            except NotAllowed:
                head = None
            doctor = view.submission.doctor_id
            return web.render(
                page,
                "submission.html",
                view=view,
                head=head,
                document=submission_document(web.container, view),
                history=f"/laeger/{doctor}/historik" if doctor != user.actor.doctor_id else None,
            )

        return web.guarded(page, build)

    @routes.get("/dokumentation/{submission_id}/pdf")
    def submission_pdf(request: Request, submission_id: str) -> Response:
        page, user = web.require(request)

        def build() -> Response:
            view = read_submission(user, submission_id)
            queries.legacy_pdf_refused(view)
            return Response(
                dossier_pdf.render(submission_document(web.container, view)),
                media_type="application/pdf",
                headers={
                    "Content-Disposition": (
                        f'attachment; filename="dokumentation-{view.submission.id}.pdf"'
                    ),
                    "Cache-Control": "no-store",
                },
            )

        return web.guarded(page, build)

    return routes
