"""structlog configuration: JSON in production, console on a terminal.

Log lines carry ids, names of commands and outcomes, never a CPR number, a name or free text
from a logbook; `redact_personal_data` drops such keys should one slip into a call.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from logbog_es.settings import LogFormat, Settings

PERSONAL_KEYS = frozenset({"cpr", "name", "email", "note", "reason", "description", "comment"})


def redact_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in PERSONAL_KEYS & event_dict.keys():
        event_dict[key] = "[redacted]"
    return event_dict


def configure_logging(settings: Settings, *, one_shot: bool = False) -> None:
    """Configure structlog. A one-shot CLI command logs warnings and errors only, unless
    LOGBOG_LOG_LEVEL is set: its output is the answer, not a service's log."""
    fmt = settings.log_format
    if fmt is LogFormat.AUTO:
        fmt = LogFormat.CONSOLE if sys.stderr.isatty() else LogFormat.JSON
    renderer: Any = (
        structlog.dev.ConsoleRenderer()
        if fmt is LogFormat.CONSOLE
        else structlog.processors.JSONRenderer()
    )
    name = settings.log_level
    if one_shot and "log_level" not in settings.model_fields_set:
        name = "WARNING"
    level = logging.getLevelName(name.upper())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_personal_data,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            level if isinstance(level, int) else 20
        ),
        # Looked up on every use, so a redirected or replaced stderr is honoured.
        logger_factory=lambda *_args: structlog.PrintLogger(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
