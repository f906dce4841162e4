"""Logging in and out, and the language switch.

- Production: OpenID Connect (see `oidc.py`) when `LOGBOG_OIDC_*` is configured.
- Development only (refused with `LOGBOG_ENV=production`): a page to pick a demo user, or any
  subject, with no password. Its form is protected by a double-submit CSRF cookie, as there is
  no session yet.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from logbog_es.application.identity import login_subject
from logbog_es.demo import demo_users
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import NotAllowed
from logbog_es.web import i18n
from logbog_es.web.core import (
    CSRF_FIELD,
    LANGUAGE_COOKIE,
    LOGIN_CSRF_COOKIE,
    Form,
    Web,
    no_store,
    post,
    redirect,
)
from logbog_es.web.oidc import LoginFailed, OidcClient

log = structlog.get_logger("logbog.web")


def local_path(value: str | None, default: str = "/") -> str:
    """Only a path on this site may be gone back to (no open redirect)."""
    if not value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return default
    if "\\" in value:
        return default
    return value


def router(web: Web, oidc: OidcClient | None) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    settings = web.container.settings

    def set_session_cookie(response: Response, token: str) -> None:
        """A browser-session cookie (no Max-Age: closing the browser forgets it); the server
        ends the session after its lifetime or idle time in any case."""
        response.set_cookie(
            web.session_cookie,
            token,
            httponly=True,
            secure=web.secure,
            samesite="lax",
            path="/",
        )

    def end_session(request: Request) -> None:
        old = web.session(request)
        if old is not None:
            web.sessions.delete(old.token)

    def login_page(request: Request, status: int = 200, error: str | None = None) -> Response:
        page = web.page(request)
        after = local_path(request.query_params.get("next"))
        if page.user is not None and error is None:
            return redirect(after)
        demo = []
        login_csrf = ""
        if settings.demo_login:
            app = web.container.app
            for user in demo_users():
                actor = app.resolve_actor(user.subject)
                if actor.doctor_id is None and not actor.grants:
                    continue  # the demo data is not loaded in this store
                doctor = app.find(Doctor, actor.doctor_id, shared=True) if actor.doctor_id else None
                demo.append(
                    {
                        "subject": user.subject,
                        "name": doctor.name if doctor else None,
                        "role": i18n.gettext(f"demo.{user.key}"),
                    }
                )
            login_csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
        response = web.render(
            page,
            "login.html",
            status,
            demo=demo,
            development=settings.demo_login,
            oidc=oidc is not None,
            login_csrf=login_csrf,
            error=error,
            after=after,
        )
        if login_csrf:
            response.set_cookie(
                LOGIN_CSRF_COOKIE,
                login_csrf,
                httponly=True,
                secure=web.secure,
                samesite="strict",
                path="/log-ind",
            )
        return response

    @routes.get("/log-ind")
    def login(request: Request) -> Response:
        return login_page(request)

    @post(routes, "/log-ind/demo")
    def demo_login(request: Request, form: Form) -> Response:
        if not settings.demo_login:
            return web.not_found(request)
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
        given = form.get(CSRF_FIELD, "")
        if not (cookie and given and secrets.compare_digest(cookie, given)):
            return login_page(request, 403, i18n.gettext("login.csrf"))
        if not web.same_site(request):
            return login_page(request, 403, i18n.gettext("login.csrf"))
        subject = form.get("subject", "").strip()
        if not subject or len(subject) > 200:
            return login_page(request, 422, i18n.gettext("login.subject_missing"))
        end_session(request)
        session = web.sessions.create(subject)
        log.info("web login", method="development", actor=subject)
        response = redirect(local_path(form.get("next")))
        set_session_cookie(response, session.token)
        return response

    @routes.get("/log-ind/oidc")
    def oidc_start(request: Request, next: str = "/") -> Response:
        if oidc is None:
            return web.not_found(request)
        try:
            url, pending = oidc.start()
        except LoginFailed as error:
            log.warning("oidc start failed", reason=str(error))
            return login_page(request, 503, i18n.gettext("login.idp_unreachable"))
        end_session(request)  # a new login replaces whoever was logged in here
        session = web.sessions.create(None, pending={**pending, "next": local_path(next)})
        response = RedirectResponse(url, status_code=303, headers=no_store())
        set_session_cookie(response, session.token)
        return response

    @routes.get("/log-ind/oidc/svar")
    def oidc_callback(
        request: Request, code: str = "", state: str = "", error: str = ""
    ) -> Response:
        if oidc is None:
            return web.not_found(request)
        pending_session = web.session(request)
        if pending_session is None or pending_session.pending is None:
            return login_page(request, 400, i18n.gettext("login.expired"))
        web.sessions.delete(pending_session.token)
        if error or not code:
            return login_page(request, 400, i18n.gettext("login.refused_at_idp"))
        try:
            subject, id_token, claims = oidc.finish(pending_session.pending, code, state)
        except LoginFailed as failure:
            log.warning("oidc login failed", reason=str(failure))
            return login_page(request, 400, i18n.gettext("login.failed"))
        claim = web.container.settings.oidc_authorisation_claim
        try:  # a provider's subject acts as the doctor it is linked to (README: Identity)
            subject = login_subject(
                web.container.app,
                web.container.settings.oidc_issuer or "",
                subject,
                claims.get(claim) if claim else None,
            )
        except NotAllowed as refused:
            log.warning("oidc login refused: link revoked")
            i18n.use(web.language(request))
            return login_page(request, 403, i18n.current().error(refused))
        session = web.sessions.create(subject, id_token=id_token)
        log.info("web login", method="oidc", actor=subject)
        response = redirect(local_path(pending_session.pending.get("next")))
        set_session_cookie(response, session.token)
        return response

    @post(routes, "/log-ud")
    def logout(request: Request, form: Form) -> Response:
        session = web.session(request)
        if session is None:
            return redirect("/log-ind")
        if not web.check_csrf(request, form):
            return web.csrf_refused(web.page(request))
        web.sessions.delete(session.token)
        after = "/log-ind?ok=logged_out"
        target = after
        if oidc is not None and session.id_token:
            target = oidc.logout_url(session.id_token, web.origin(request) + after) or after
        response = RedirectResponse(target, status_code=303, headers=no_store())
        response.delete_cookie(web.session_cookie, path="/", secure=web.secure, httponly=True)
        return response

    @routes.get("/sprog/{language}")
    def language(language: str, next: str = "/") -> Response:
        response = RedirectResponse(local_path(next), status_code=303)
        if language in i18n.LANGUAGES:
            response.set_cookie(
                LANGUAGE_COOKIE,
                language,
                max_age=365 * 24 * 3600,
                httponly=True,
                secure=web.secure,
                samesite="lax",
                path="/",
            )
        return response

    return routes
