"""One handler per command: load aggregates, ask the policy, let the aggregates decide.

A handler returns what to save (`Decided`); it never saves. Cross-aggregate rules are decided
here from aggregates loaded from the event store, never from read models (ARCHITECTURE.md).
"""

from logbog_es.application.handlers import (
    access,
    dossier,
    evaluation,
    identity,
    logbook,
    people,
    reference,
    reminders,
    time,
)
from logbog_es.application.handlers.registry import HANDLERS

__all__ = [
    "HANDLERS",
    "access",
    "dossier",
    "evaluation",
    "identity",
    "logbook",
    "people",
    "reference",
    "reminders",
    "time",
]
