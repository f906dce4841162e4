"""The app as a uvicorn factory, for worker processes: each builds its own container."""

from __future__ import annotations

from fastapi import FastAPI

from logbog_es.api.app import create_app
from logbog_es.bootstrap import bootstrap
from logbog_es.logging import configure_logging
from logbog_es.settings import Settings


def app_from_env() -> FastAPI:
    """Build the service from LOGBOG_* settings (used by `logbog serve --workers N`)."""
    settings = Settings()
    configure_logging(settings)
    container = bootstrap(settings)
    return create_app(container, run_projections=settings.in_process_projections)
