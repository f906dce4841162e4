"""What a command handler is given and gives back: the small base the handlers build on.

The handlers (`application/handlers/`) import this module, never the application module, and
the application takes its handler table from the composition root (`bootstrap`), so the two
do not import each other (an import-linter contract keeps it so).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from logbog_es.domain.base import LogbogAggregate, Meta
from logbog_es.domain.policy import Actor, Target, require
from logbog_es.domain.values import Capacity

if TYPE_CHECKING:  # for the type only: the application imports this module
    from logbog_es.application.app import Logbog


@dataclass(frozen=True, slots=True)
class Decided:
    """What a handler decided: the aggregates to save and the command's target stream."""

    aggregates: tuple[LogbogAggregate, ...]
    target: LogbogAggregate | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """What a handler knows besides the command: who acts, which command, and today's date."""

    app: Logbog
    actor: Actor
    command_id: str
    today: date

    def meta(self, capacity: Capacity, effective_on: date | None = None) -> Meta:
        return Meta(self.actor.subject, capacity, self.command_id, effective_on)

    def authorise(self, action: Any, target: Target | None = None) -> Meta:
        """Ask the policy; the returned metadata records the capacity the actor acts in."""
        capacity = require(self.actor, action, target or Target(), self.today)
        return self.meta(capacity)


Handler = Callable[[Any, Context], Decided]
