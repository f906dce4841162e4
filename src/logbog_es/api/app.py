"""The FastAPI app factory."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

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
from logbog_es.api.schemas import Health
from logbog_es.bootstrap import Container

log = structlog.get_logger("logbog.request")

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
    )
    app.state.container = container
    problems.install(app)
    if container.settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=container.settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match"],
            expose_headers=["ETag", "Idempotent-Replayed", "Retry-After"],
        )

    @app.middleware("http")
    async def canonical_log_line(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = request.scope.get("route")
            path = getattr(route, "path", "unmatched")
            elapsed = time.perf_counter() - started
            metrics.REQUEST_SECONDS.labels(request.method, path, str(status)).observe(elapsed)
            log.info(
                "request",
                method=request.method,
                path=path,
                status=status,
                duration_ms=round(elapsed * 1000, 2),
                actor=getattr(request.state, "actor", None),
            )

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
    def prometheus() -> Response:
        body, content_type = metrics.render(container.runner)
        return Response(body, media_type=content_type)

    app.include_router(routes_commands.router)
    app.include_router(routes_queries.router)
    app.include_router(routes_readmodels.router)
    app.include_router(routes_dossier.router)
    app.include_router(routes_history.router)
    app.include_router(routes_evaluations.router)
    return app
