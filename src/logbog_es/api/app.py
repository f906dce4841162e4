"""The FastAPI app factory."""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import structlog
from fastapi import FastAPI, Header, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from logbog_es import __version__, metrics
from logbog_es.api import (
    problems,
    routes_commands,
    routes_dossier,
    routes_evaluations,
    routes_history,
    routes_queries,
    routes_readmodels,
)
from logbog_es.api.limits import RequestLimits
from logbog_es.api.schemas import Health
from logbog_es.bootstrap import Container
from logbog_es.edge import FreshPerRequest, ResponseHeaders

log = structlog.get_logger("logbog.request")
DOCS_ASSETS = Path(__file__).parent / "static"
SWAGGER_UI = "5.35.0"


class CanonicalLogLine:
    """One log line and one latency observation per request: method, route, status, duration
    and the acting subject (no personal data). Plain ASGI: the decorator form of middleware
    ran every request in a task of its own with its body passed through streams."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def noted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noted)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            elapsed = time.perf_counter() - started
            metrics.REQUEST_SECONDS.labels(scope["method"], path, str(status)).observe(elapsed)
            log.info(
                "request",
                method=scope["method"],
                path=path,
                status=status,
                duration_ms=round(elapsed * 1000, 2),
                actor=scope.get("state", {}).get("actor"),
            )


def private_answers(path: str) -> dict[str, str]:
    """Answers hold personal data: no cache may keep them, and no browser may guess their
    type. (Static files and the documentation's assets may be cached.)"""
    if path.startswith(("/static/", "/docs-assets/")):
        return {"X-Content-Type-Options": "nosniff"}
    return {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


DESCRIPTION = """
Logbog: the event-sourced logbook for Danish postgraduate medical training.

Every change is a command (`POST /commands/{name}`) recorded as immutable events; reads come from
read models projected from those events. Authenticate with a bearer JWT (locally:
`logbog token --sub ID`). Errors are `application/problem+json`.
"""


def create_app(container: Container, *, run_projections: bool = True) -> FastAPI:
    """Build the HTTP app around a bootstrapped container."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if run_projections:
            container.runner.start(
                on_error=lambda e: log.error(
                    "projection runner failed", error_type=type(e).__name__
                )
            )
        yield
        container.runner.stop()

    app = FastAPI(
        title="Logbog",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served below from the package's own copy of Swagger UI
        redoc_url=None,
    )
    app.state.container = container
    problems.install(app)
    app.add_middleware(routes_commands.CommandPath, api=app, container=container)
    app.add_middleware(
        RequestLimits, max_body=container.settings.max_body_bytes, verifier=container.verifier
    )
    app.add_middleware(ResponseHeaders, choose=private_answers)
    app.mount("/docs-assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        """The API documentation (Swagger UI), with no file fetched from elsewhere."""
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="Logbog API",
            swagger_js_url=f"/docs-assets/swagger-ui-bundle-{SWAGGER_UI}.js",
            swagger_css_url=f"/docs-assets/swagger-ui-{SWAGGER_UI}.css",
            swagger_favicon_url="/docs-assets/swagger-favicon-32x32.png",
        )

    if container.settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=container.settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match"],
            expose_headers=["ETag", "Idempotent-Replayed", "Retry-After"],
        )

    app.add_middleware(FreshPerRequest)
    app.add_middleware(CanonicalLogLine)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> Health:
        """The process is alive."""
        return Health(status="ok")

    @app.get("/readyz", tags=["operations"], responses={503: {"description": "Not ready"}})
    def readyz() -> Response:
        """Ready to serve: the event store and read models answer, and projections keep up."""
        bound = container.settings.ready_max_lag
        try:
            statuses = container.runner.status()
        except Exception as error:
            log.warning("not ready", error_type=type(error).__name__)
            return problems.problem(
                503,
                "the database cannot be reached",
                "ready.database",
                headers={"Retry-After": "2"},
            )
        seconds = container.settings.ready_max_behind_seconds
        behind = {s.name: s.lag for s in statuses if s.lag > bound or s.behind_seconds > seconds}
        if behind:
            return problems.problem(
                503,
                f"read models are more than {bound} events or {seconds:g} s behind",
                "ready.lag",
                headers={"Retry-After": "2"},
                lag=behind,
                behind_seconds={
                    s.name: round(s.behind_seconds, 1) if math.isfinite(s.behind_seconds) else None
                    for s in statuses
                },
            )
        body: dict[str, object] = {"status": "ready", "head": statuses[0].head if statuses else 0}
        held = {s.name: s.quarantined for s in statuses if s.quarantined}
        if held:  # ready (nothing waits), but some events are missing: see projections status
            body["quarantined"] = held
        return JSONResponse(body)

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    def prometheus(authorization: Annotated[str | None, Header()] = None) -> Response:
        """Prometheus metrics: with LOGBOG_METRICS_TOKEN set, only for `Authorization: Bearer
        <that token>`; in production they are not served without one."""
        expected = container.settings.metrics_token
        if expected:
            given = (authorization or "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), expected.encode()):
                return problems.problem(
                    401,
                    "send the metrics token: 'Authorization: Bearer <LOGBOG_METRICS_TOKEN>'",
                    "metrics.token",
                    headers={"WWW-Authenticate": "Bearer"},
                )
        elif not container.settings.development:
            return problems.problem(
                403,
                "metrics are not served in production without LOGBOG_METRICS_TOKEN",
                "metrics.no_token",
            )
        body, content_type = metrics.render(container.runner)
        return Response(body, media_type=content_type)

    app.include_router(routes_commands.router)
    app.include_router(routes_queries.router)
    app.include_router(routes_readmodels.router)
    app.include_router(routes_dossier.router)
    app.include_router(routes_history.router)
    app.include_router(routes_evaluations.router)
    return app
