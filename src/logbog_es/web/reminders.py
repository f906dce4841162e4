"""The in-app list of a person's reminders, and their choice of a daily digest by mail.

The list shows the same reminders the digest mails (the reminder process decides them; see
`logbog_es.reminders`), in the same words (`application/mail_texts.py`), each with a link to
where it is done. The choice is the command `choose-reminder-mail`, through the same path as
every form.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from logbog_es.application import mail_texts
from logbog_es.commands import ChooseReminderMail
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import LogbogError
from logbog_es.domain.reminders import MailChoice, mail_choice_id
from logbog_es.reminders import open_reminders
from logbog_es.web.core import Form, FormErrors, Page, Web, WebUser, key_of, post, redirect


def _about(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def person_of(user: WebUser) -> str:
    """Whose choice: a doctor's id, else the staff login's subject."""
    return str(user.actor.doctor_id) if user.actor.doctor_id else user.actor.subject


def router(web: Web) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    app = web.container.app
    store = web.container.read_store

    def show(
        page: Page,
        user: WebUser,
        status: int = 200,
        errors: FormErrors | None = None,
        values: Form | None = None,
    ) -> Response:
        language = mail_texts.language_of(page.language)
        rows = open_reminders(app, store, user.actor.doctor_id, user.actor.subject)
        items = [
            {
                "text": mail_texts.line(language, str(r["kind"]), _about(r["about"])),
                "link": r["link"],
            }
            for r in rows
        ]
        choice = app.find(MailChoice, mail_choice_id(person_of(user)), shared=True)
        doctor = (
            app.find(Doctor, user.actor.doctor_id, shared=True) if user.actor.doctor_id else None
        )
        current = {
            "digest": "on" if (choice.digest if choice else True) else "off",
            "address": (choice.address or "") if choice else "",
            "language": choice.language if choice else page.language,
        }
        return web.render(
            page,
            "reminders.html",
            status,
            address="/paamindelser" if status != 200 else None,
            items=items,
            chosen=choice is not None,
            registered=doctor.email if doctor else None,
            values=values or current,
            errors=errors or {},
            summary=list(dict.fromkeys((errors or {}).values())),
        )

    @routes.get("/paamindelser")
    def reminders(request: Request) -> Response:
        page, user = web.require(request)
        return web.guarded(page, lambda: show(page, user))

    @post(routes, "/paamindelser")
    def choose(request: Request, form: Form) -> Response:
        page, user = web.require(request)
        if not web.check_csrf(request, form):
            return web.csrf_refused(page)

        def build() -> Response:
            try:
                command = ChooseReminderMail.model_validate(
                    {
                        "digest": form.get("digest") != "off",
                        "address": form.get("address", "").strip() or None,
                        "language": form.get("language") or page.language,
                    }
                )
            except ValidationError as invalid:
                return show(page, user, 422, FormErrors.of_validation(invalid), form)
            try:
                _, caught_up = web.run(command, user, key_of(form), ["reminders"])
            except LogbogError as error:
                return show(page, user, error.status, FormErrors.of(error), form)
            return redirect("/paamindelser", "done" if caught_up else "saved_not_shown")

        return web.guarded(page, build)

    return routes
