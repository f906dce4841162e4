"""The web layer's plumbing: who is logged in, rendering a page, running a form's command.

The web app is a client of the application exactly like the HTTP API: every form builds the
same pydantic command model and runs it through `edge.run_command` (handler, policy, receipt);
every page reads the read models or the same queries the API uses. Nothing here decides a rule
of the domain.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import structlog
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError

from logbog_es.application.app import CommandResult
from logbog_es.bootstrap import Container
from logbog_es.commands import Command
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import LogbogError
from logbog_es.domain.policy import Actor
from logbog_es.domain.values import StaffRole
from logbog_es.edge import run_command, wait_for_read_model
from logbog_es.projections import access_directory, supervisor_requests
from logbog_es.projections import reminders as reminder_rows
from logbog_es.web import i18n
from logbog_es.web.sessions import Session, SessionStore

TEMPLATES = Path(__file__).parent / "templates"
log = structlog.get_logger("logbog.web")
SESSION_COOKIE = "logbog_session"
SECURE_SESSION_COOKIE = "__Host-logbog_session"
LANGUAGE_COOKIE = "logbog_lang"
LOGIN_CSRF_COOKIE = "logbog_login_csrf"
CSRF_FIELD = "csrf_token"
KEY_FIELD = "idempotency_key"
#: Notices a page may show after a redirect (`?ok=`): only these keys, never free text.
NOTICES = frozenset(
    {
        "requested",
        "approved",
        "declined",
        "submitted",
        "evaluated",
        "logged_out",
        "saved_not_shown",
        "done",
    }
)


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["_"] = i18n.gettext
    env.globals["form_key"] = Page.new_key
    env.filters["localdate"] = i18n.local_date
    env.filters["date"] = lambda value, style="long": i18n.current().date(value, style)
    env.filters["datetime"] = lambda value: i18n.current().datetime(value)
    return env


class LoginRequired(Exception):
    """The page needs a logged-in user; the app sends the browser to the login page."""


@dataclass
class WebUser:
    """Who is logged in, and what the navigation offers them."""

    actor: Actor
    name: str
    trainee: bool  # has a programme and logbook access (R3)
    supervises: bool  # holds supervisor access or a UAO/tutor appointment today
    inbox_count: int
    staff: bool
    departments: list[tuple[str, str]]  # (id, name) where a UAO/tutor today
    secretariat: bool = False
    auditor: bool = False
    curriculum_admin: bool = False
    reminders: int = 0  # open reminders for the person and their roles


@dataclass
class Page:
    """Everything a template needs besides its own data."""

    request: Request
    user: WebUser | None
    session: Session | None
    language: str
    notice: str | None = None

    @property
    def csrf(self) -> str:
        return self.session.csrf if self.session else ""

    @staticmethod
    def new_key() -> str:
        """A fresh idempotency key for one rendered form: a double click, a browser resubmit
        or a retry records once."""
        return f"web-{uuid.uuid4()}"


class Web:
    """The web app's shared services, built once per app."""

    def __init__(self, container: Container) -> None:
        self.container = container
        settings = container.settings
        self.sessions = SessionStore(
            container.read_store,
            timedelta(hours=settings.web_session_hours),
            timedelta(minutes=settings.web_idle_minutes),
            settings.cipher_key,
        )
        self.env = environment()
        self.env.globals["fixed_today"] = settings.today  # a development clock: said on every page
        self.secure = not settings.development
        self.session_cookie = SECURE_SESSION_COOKIE if self.secure else SESSION_COOKIE
        # Behind a proxy the request's own scheme and host may be internal ones: the public
        # origin is the one the identity provider sends browsers back to, when it is known.
        redirect = urlsplit(settings.oidc_redirect_url or "")
        self.public_origin = f"{redirect.scheme}://{redirect.netloc}" if redirect.netloc else None

    # -- who is asking ---------------------------------------------------------------------

    def session(self, request: Request) -> Session | None:
        if "web_session" in request.state._state:
            cached: Session | None = request.state.web_session
            return cached
        found = self.sessions.get(request.cookies.get(self.session_cookie))
        request.state.web_session = found
        return found

    def user(self, request: Request) -> WebUser | None:
        session = self.session(request)
        if session is None or session.subject is None:
            return None
        app = self.container.app
        actor = app.resolve_actor(session.subject)
        request.state.actor = actor.subject
        today = app.today()
        name, trainee, supervises, inbox = session.subject, False, False, 0
        departments: list[tuple[str, str]] = []
        if actor.doctor_id is not None:
            doctor = app.find(Doctor, actor.doctor_id, shared=True)
            if doctor is not None:
                name = doctor.name
                trainee = bool(doctor.programmes)
            store = self.container.read_store
            me = str(actor.doctor_id)
            appointed = access_directory.appointments_of(store, me, today)
            departments = [(str(a["department_id"]), a["department_name"]) for a in appointed]
            supervises = bool(appointed or access_directory.grants_of(store, me, today))
            inbox = supervisor_requests.count_for(store, me)
        recipients = [str(actor.doctor_id)] if actor.doctor_id else []
        recipients += [f"secretariat:{r.value}" for r in actor.secretariat_regions()]
        return WebUser(
            actor,
            name,
            trainee,
            supervises,
            inbox,
            bool(actor.grants),
            departments,
            secretariat=actor.holds(StaffRole.SECRETARIAT),
            auditor=actor.holds(StaffRole.AUDITOR),
            curriculum_admin=actor.holds(StaffRole.CURRICULUM_ADMIN),
            reminders=reminder_rows.count_open(self.container.read_store, recipients),
        )

    def language(self, request: Request) -> str:
        return i18n.negotiate(request.cookies.get(LANGUAGE_COOKIE))

    def page(self, request: Request, user: WebUser | None = None) -> Page:
        language = self.language(request)
        i18n.use(language)
        notice = request.query_params.get("ok")
        return Page(
            request,
            user if user is not None else self.user(request),
            self.session(request),
            language,
            notice if notice in NOTICES else None,
        )

    def plain_page(self, request: Request) -> Page:
        """A page that reads nothing (an error page while the database may be down)."""
        language = self.language(request)
        i18n.use(language)
        return Page(request, None, None, language)

    # -- rendering -------------------------------------------------------------------------

    def render(
        self,
        page: Page,
        template: str,
        status: int = 200,
        *,
        address: str | None = None,
        **data: Any,
    ) -> HTMLResponse:
        """The page. `address`: the page's own address when it answers a form post (a refusal
        shown again), so that the address bar does not show where the form was sent."""
        i18n.use(page.language)
        html = self.env.get_template(template).render({"page": page, "user": page.user, **data})
        headers = no_store()
        if address is not None:
            headers["HX-Replace-Url"] = address
        return HTMLResponse(html, status_code=status, headers=headers)

    def guarded(self, page: Page, build: Callable[[], Response]) -> Response:
        """Build a page; a refusal of the domain (not allowed, not found) is a page in words."""
        try:
            return build()
        except LogbogError as error:
            return self.error_page(page, error)

    def require(self, request: Request) -> tuple[Page, WebUser]:
        """The page of a logged-in user, or LoginRequired."""
        page = self.page(request)
        if page.user is None:
            raise LoginRequired
        return page, page.user

    def error_page(self, page: Page, error: LogbogError) -> HTMLResponse:
        """A refusal (not allowed, not found, conflict) in words, with the status it has."""
        return self.render(page, "error.html", error.status, message=i18n.current().error(error))

    def status_page(self, page: Page, status: int) -> HTMLResponse:
        """An error the user did not cause by a rule of the domain: its status in words."""
        if status == 404:
            message = i18n.gettext("error.page_not_found")
        elif status < 500:
            message = i18n.gettext("error.bad_address")
        elif status == 503:
            message = i18n.gettext("error.unavailable")
        else:
            message = i18n.gettext("error.unexpected")
        return self.render(page, "error.html", status, message=message)

    def csrf_refused(self, page: Page) -> HTMLResponse:
        """A form without its session's CSRF token (or from another site) writes nothing."""
        return self.render(page, "error.html", 403, message=i18n.gettext("error.csrf"))

    def not_found(self, request: Request) -> HTMLResponse:
        page = self.page(request)
        return self.render(page, "error.html", 404, message=i18n.gettext("error.page_not_found"))

    # -- forms -----------------------------------------------------------------------------

    def check_csrf(self, request: Request, form: Mapping[str, Any]) -> bool:
        """A state-changing request carries its session's CSRF token (form field or htmx
        header) and, when the browser says where it comes from, comes from this site."""
        session = self.session(request)
        if session is None:
            return False
        if not self.same_site(request):
            return False
        given = request.headers.get("x-csrf-token") or form.get(CSRF_FIELD)
        return session.csrf_matches(given if isinstance(given, str) else None)

    def origin(self, request: Request) -> str:
        """This site as browsers see it (scheme and host)."""
        if self.public_origin:
            return self.public_origin
        return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"

    def same_site(self, request: Request) -> bool:
        """Whether a request says it comes from this site (a browser that names no Origin is
        judged by its CSRF token alone)."""
        origin = request.headers.get("origin")
        return origin is None or origin == self.origin(request)

    def run(
        self, command: Command, user: WebUser, key: str | None, read_models: list[str]
    ) -> tuple[CommandResult, bool]:
        """Run a form's command and wait until the read models the next page reads have it
        (read your writes). Returns the result and whether they caught up in time."""
        result = run_command(self.container, command, user.actor, command_id=key)
        try:
            wait_for_read_model(self.container, result.position, read_models)
        except Exception:  # behind, or the read store failed: the command is saved all the same
            log.warning("read models not caught up after a web command", command=command.NAME)
            return result, False
        return result, True


class FormErrors(dict[str, str]):
    """Messages by form field ('' for the form as a whole), in the user's language."""

    @classmethod
    def of(cls, error: LogbogError, fields: Mapping[str, str] | None = None) -> FormErrors:
        """The error beside the field it names (`fields` maps command fields to form fields)."""
        text = i18n.current().error(error)
        name = error.field or ""
        name = (fields or {}).get(name, name)
        return cls({name: text})

    @classmethod
    def of_validation(cls, error: ValidationError) -> FormErrors:
        """Input the command model refuses, beside its field: a character that cannot be
        stored is named; anything else asks for the field to be filled in correctly."""
        found = cls()
        for problem in error.errors():
            where = ".".join(str(p) for p in problem["loc"][:2]) if problem["loc"] else ""
            if problem["type"] == "control_character":
                text = i18n.current().message("text.control_character", **problem.get("ctx", {}))
            else:
                text = i18n.gettext("error.field_invalid")
            found.setdefault(where, text)
        return found


Form = dict[str, str]
FormHandler = Callable[[Request, Form], Response]


def post(routes: APIRouter, path: str) -> Callable[[FormHandler], FormHandler]:
    """Register a form handler for POST `path`: the form is read here (bounded: no files, at
    most 200 fields of 64 KiB), then the handler runs in the thread pool, as the application is
    synchronous."""

    def register(handler: FormHandler) -> FormHandler:
        async def endpoint(request: Request) -> Response:
            form: Form = {}
            # Without a session there is nothing to read a body for (but a login): the handler
            # sends the browser to the login page.
            if path.startswith("/log-ind") or _has_session_cookie(request):
                parsed = await request.form(max_files=0, max_fields=200, max_part_size=65_536)
                form = {k: v for k, v in parsed.items() if isinstance(v, str)}
            return await run_in_threadpool(handler, request, form)

        endpoint.__name__ = handler.__name__
        routes.add_api_route(path, endpoint, methods=["POST"], include_in_schema=False)
        return handler

    return register


def _has_session_cookie(request: Request) -> bool:
    return any(name in request.cookies for name in (SESSION_COOKIE, SECURE_SESSION_COOKIE))


def key_of(form: Mapping[str, Any]) -> str | None:
    value = form.get(KEY_FIELD)
    return value if isinstance(value, str) and value.startswith("web-") else None


def redirect(url: str, notice: str | None = None) -> Response:
    """After a command: see the result on a fresh page (a reload does not post again)."""
    if notice:
        url += ("&" if "?" in url else "?") + urlencode({"ok": notice})
    return RedirectResponse(url, status_code=303, headers=no_store())


def no_store() -> dict[str, str]:
    """Pages hold personal data: no cache keeps them."""
    return {"Cache-Control": "no-store"}


def link(name: str, **context: object) -> str:
    """The address of the staff form of command `name` for `context` (the ids it concerns;
    see actions.py)."""
    return f"/handling/{name}" + (f"?{urlencode(context)}" if context else "")
