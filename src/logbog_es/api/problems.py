"""Errors as RFC 9457 `application/problem+json`, mapped in this one place.

LogbogError subclasses -> their status (422, 403, 404, 409, 412)
request validation     -> 422 with one entry per field (the input is never echoed back)
NotAuthenticated       -> 401 with WWW-Authenticate
ReadModelBehind        -> 503 with Retry-After
unknown route/method   -> 404/405
anything else          -> 500, logged with its traceback, with no internals in the body
"""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
import structlog
from eventsourcing.persistence import (
    InterfaceError,
    OperationalError,
    PersistenceError,
)
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from logbog_es.commands import COMMANDS
from logbog_es.domain.errors import LogbogError
from logbog_es.domain.messages import render
from logbog_es.edge import ReadModelBehind

_TRANSIENT = (InterfaceError, OperationalError)

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger("logbog.api")

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    415: "Unsupported media type",
    422: "Invalid input",
    500: "Internal error",
    503: "Service unavailable",
}


class NotAuthenticated(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def problem(
    status: int, detail: str, code: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {
        "type": f"urn:logbog:problem:{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts: list[str] = []
    for item in loc:
        if item in ("body", "query", "path", "header") and not parts:
            continue
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(LogbogError)
    def domain_error(_request: Request, error: LogbogError) -> JSONResponse:
        extra: dict[str, Any] = dict(error.extra)
        if error.field:
            extra["errors"] = [{"field": error.field, "message": error.message}]
        return problem(error.status, error.message, error.code, **extra)

    @app.exception_handler(RequestValidationError)
    def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": field_path(e.get("loc", ())),
                "message": render("request.json_invalid", reason=e.get("msg", "invalid"))
                if e.get("type") == "json_invalid"
                else e.get("msg", "invalid"),
            }
            for e in error.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, detail, "request.invalid", errors=errors)

    @app.exception_handler(NotAuthenticated)
    def not_authenticated(_request: Request, error: NotAuthenticated) -> JSONResponse:
        return problem(
            401,
            error.detail,
            "auth.unauthenticated",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )

    @app.exception_handler(ReadModelBehind)
    def read_model_behind(_request: Request, error: ReadModelBehind) -> JSONResponse:
        return problem(
            503,
            f"{error}; try again shortly",
            "read.behind",
            headers={"Retry-After": str(error.retry_after)},
        )

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        path = request.url.path
        if error.status_code == 404 and path.startswith("/commands/"):
            name = path.removeprefix("/commands/")
            detail = render("command.unknown", name=name, known=", ".join(sorted(COMMANDS)))
            return problem(404, detail, "command.unknown")
        detail = str(error.detail) if error.detail else TITLES.get(error.status_code, "Error")
        headers = dict(error.headers) if error.headers else None
        return problem(error.status_code, detail, f"http.{error.status_code}", headers=headers)

    @app.exception_handler(PersistenceError)
    @app.exception_handler(psycopg.OperationalError)
    @app.exception_handler(PoolTimeout)
    @app.exception_handler(sqlite3.OperationalError)
    def unavailable(_request: Request, error: Exception) -> JSONResponse:
        """The database is down, restarting or overloaded: say so, and when to try again."""
        if isinstance(error, PersistenceError) and not isinstance(error, _TRANSIENT):
            log.exception("persistence error", error_type=type(error).__name__)
            return problem(500, "an unexpected error occurred; it has been logged", "internal")
        log.warning("database unavailable", error_type=type(error).__name__)
        return problem(
            503,
            "the database is unavailable for a moment; nothing was recorded, try again",
            "service.unavailable",
            headers={"Retry-After": "2"},
        )

    @app.exception_handler(Exception)
    def unexpected(_request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error", error_type=type(error).__name__)
        return problem(500, "an unexpected error occurred; it has been logged", "internal")
