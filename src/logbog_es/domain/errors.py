"""The domain's error hierarchy, drawn once.

    LogbogError                  every error a user can cause; carries a message code and its params
    ├── InvalidInput             422: the input breaks a rule of the domain (names the field)
    ├── NotAllowed               403: the actor may not do this (says why)
    ├── NotFound                 404: an id that names nothing
    ├── Conflict                 409: the command conflicts with the current state
    │   └── ConcurrencyConflict  409: other writers kept winning; retry the command
    ├── StaleVersion             412: the client's If-Match version is not the current one
    └── IdempotencyKeyReused     422: an idempotency key sent again with another payload

The text shown to users comes from `messages.MESSAGES`, one place, so it can be translated.
The API maps each class to one HTTP status in one handler (api/problems.py).
"""

from __future__ import annotations

from typing import Any

from logbog_es.domain.messages import render


class LogbogError(Exception):
    """An error a user can cause. `code` keys the message catalogue."""

    status: int = 400

    def __init__(
        self,
        code: str,
        /,
        *,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        self.code = code
        self.field = field
        self.params = params
        self.extra = extra or {}  # machine-readable detail for the problem body
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = render(self.code, **self.params)
        return f"{self.field}: {text}" if self.field else text


class InvalidInput(LogbogError):
    """The input breaks a rule of the domain; `field` names where."""

    status = 422


class NotAllowed(LogbogError):
    """The actor may not do this; the message says why."""

    status = 403


class NotFound(LogbogError):
    """An id that names nothing known."""

    status = 404


class Conflict(LogbogError):
    """The command conflicts with the current state (already done, duplicate, overlap)."""

    status = 409


class ConcurrencyConflict(Conflict):
    """Concurrent writers kept changing the same records; the command was not applied."""


class StaleVersion(LogbogError):
    """The version the client saw (If-Match) is no longer the current one."""

    status = 412


class IdempotencyKeyReused(LogbogError):
    """An idempotency key was sent again with a different command or payload."""

    status = 422
