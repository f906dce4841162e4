"""Mounting the web app on the service's FastAPI app."""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx2
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from logbog_es.bootstrap import Container
from logbog_es.domain.errors import LogbogError
from logbog_es.edge import ResponseHeaders
from logbog_es.web import (
    actions,
    auditor,
    auth,
    curricula,
    department,
    evaluations,
    history,
    logbook,
    programme,
    reminders,
    results,
    secretariat,
    supervisor,
)
from logbog_es.web.core import LoginRequired, Web
from logbog_es.web.oidc import OidcClient

STATIC = Path(__file__).parent / "static"
#: Where the API lives: a browser's 404 there stays problem+json.
API_PREFIXES = (
    "/commands",
    "/me",
    "/supervisors",
    "/specialties",
    "/curricula",
    "/departments",
    "/doctors",
    "/programmes",
    "/regions",
    "/submissions",
    "/evaluations",
    "/docs",
    "/docs-assets",
    "/openapi.json",
    "/healthz",
    "/readyz",
    "/metrics",
)
#: Pages load scripts and styles only from this site; no inline script, no framing.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def page_headers(path: str) -> dict[str, str]:
    """On the web's pages: the Content-Security-Policy, no framing, no referrer to other
    sites (nosniff and no-store are the API's own, see api/app.py)."""
    if is_api(path):
        return {}
    return {
        "Content-Security-Policy": CSP,
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }


def _as_page(web: Web, api_handler: Any) -> Any:
    """The API's handler for an error, answering a page instead on the web's paths: the same
    status and headers (Retry-After), in words, never a trace or a bare code."""

    async def handle(request: Request, error: Exception) -> Response:
        answer = api_handler(request, error)
        if isinstance(answer, Awaitable):
            answer = await answer
        if is_api(request.url.path):
            return answer  # type: ignore[no-any-return]
        page = web.plain_page(request)
        if isinstance(error, LogbogError):
            return web.error_page(page, error)
        response = web.status_page(page, answer.status_code)
        if "retry-after" in answer.headers:
            response.headers["Retry-After"] = answer.headers["retry-after"]
        return response

    return handle


def is_api(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in API_PREFIXES)


def install(
    app: FastAPI, container: Container, *, oidc_transport: httpx2.BaseTransport | None = None
) -> Web:
    """Add the web pages, their static files and their error pages to `app`."""
    web = Web(container)
    settings = container.settings
    oidc = OidcClient(settings, oidc_transport) if settings.oidc_issuer else None
    app.state.web = web
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(auth.router(web, oidc))
    app.include_router(logbook.router(web))
    app.include_router(programme.router(web))
    app.include_router(evaluations.router(web))
    app.include_router(history.router(web))
    app.include_router(supervisor.router(web))
    app.include_router(actions.router(web))
    app.include_router(secretariat.router(web))
    app.include_router(department.router(web))
    app.include_router(auditor.router(web))
    app.include_router(curricula.router(web))
    app.include_router(results.router(web))
    app.include_router(reminders.router(web))

    @app.exception_handler(LoginRequired)
    def login_required(request: Request, _error: LoginRequired) -> Response:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = "/log-ind?next=" + quote(path, safe="")
        if request.headers.get("hx-request"):
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    api_not_found = app.exception_handlers.get(StarletteHTTPException)

    async def not_found(request: Request, error: Exception) -> Response:
        """A page that does not exist is a page, for a browser; the API answers as before."""
        assert isinstance(error, StarletteHTTPException)
        if not is_api(request.url.path):
            return web.status_page(web.plain_page(request), error.status_code)
        assert api_not_found is not None
        result = api_not_found(request, error)
        if isinstance(result, Awaitable):
            return await result
        return result

    app.add_exception_handler(StarletteHTTPException, not_found)
    for error_class, handler in list(app.exception_handlers.items()):
        if error_class not in (LoginRequired, StarletteHTTPException):
            app.add_exception_handler(error_class, _as_page(web, handler))

    app.add_middleware(ResponseHeaders, choose=page_headers)
    return web
