"""The whole HTTP service: the API and the web pages on one FastAPI app.

`create_app` is what `logbog serve` runs; `app_from_env` is its uvicorn factory for worker
processes (each builds its own container). The API alone is `api.app.create_app`.
"""

from __future__ import annotations

import httpx2
from fastapi import FastAPI

from logbog_es import web
from logbog_es.api.app import create_app as create_api
from logbog_es.bootstrap import Container, bootstrap
from logbog_es.heap import settle_heap
from logbog_es.logging import configure_logging
from logbog_es.settings import Settings


def create_app(
    container: Container,
    *,
    run_projections: bool = True,
    oidc_transport: httpx2.BaseTransport | None = None,
) -> FastAPI:
    """The API with the web app mounted at `/` (`oidc_transport`: a fake identity provider in
    tests)."""
    app = create_api(container, run_projections=run_projections)
    web.install(app, container, oidc_transport=oidc_transport)
    return app


def app_from_env() -> FastAPI:
    """Build the service from LOGBOG_* settings (used by `logbog serve --workers N`)."""
    settings = Settings()
    configure_logging(settings)
    container = bootstrap(settings)
    app = create_app(container, run_projections=settings.in_process_projections)
    settle_heap()
    return app
