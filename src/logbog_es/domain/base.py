"""The base of every aggregate and event, and the metadata every event carries.

Every event records who caused it (`actor_id`, `actor_capacity`), the command that caused it
(`command_id`) and, where the real-world date differs from the recording time, the date it took
effect (`effective_on`). The recording time is the library's `timestamp` (UTC).

Event classes are declared explicitly with a stable `TOPIC` (never a module path) so that
modules can move without breaking stored events. Once an event class has landed, its stored
form never changes: a change is a new `class_version` with an `upcast_vN_vM` static method, and
tests/fixtures/events keeps the old form (STYLE.md habit 7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Self
from uuid import UUID, uuid5
from weakref import WeakValueDictionary

from eventsourcing.domain import AggregateCreated, AggregateEvent, BaseAggregate

from logbog_es.domain.values import Capacity

#: Namespace of Logbog's deterministic ids (uuid5). Never change it: ids derive from it.
LOGBOG_NAMESPACE = UUID("6b1f3c52-5d0e-4f7e-9a43-2f6f3a1c9e10")


def stable_id(kind: str, *parts: str) -> UUID:
    """A deterministic id for `kind` named by `parts` (a code, a command id, ...)."""
    return uuid5(LOGBOG_NAMESPACE, f"{kind}:" + "|".join(parts))


@dataclass(frozen=True, slots=True)
class Meta:
    """Who caused an event, in which capacity, by which command, and when it took effect."""

    actor_id: str
    capacity: Capacity
    command_id: str
    effective_on: date | None = None

    def effective(self, on: date | None) -> Meta:
        """The same metadata with another effective date."""
        return Meta(self.actor_id, self.capacity, self.command_id, on)

    def fields(self) -> dict[str, Any]:
        return {
            "actor_id": self.actor_id,
            "actor_capacity": self.capacity.value,
            "command_id": self.command_id,
            "effective_on": self.effective_on,
        }


class LogbogAggregate(BaseAggregate[UUID]):
    """Base aggregate: state is built only by events' `apply` methods."""

    TOPIC: ClassVar[str]

    class Event(AggregateEvent):
        actor_id: str
        actor_capacity: str
        command_id: str
        effective_on: date | None

    @classmethod
    def _start(
        cls, event_class: type[Created], aggregate_id: UUID, meta: Meta, **fields: Any
    ) -> Self:
        return cls._create(event_class, id=aggregate_id, **meta.fields(), **fields)

    def _record(self, event_class: type[LogbogAggregate.Event], meta: Meta, **fields: Any) -> None:
        if _SHARED.get(id(self)) is self:
            raise SharedAggregateChanged(type(self).__name__)
        self.trigger_event(event_class, **meta.fields(), **fields)


class CopiedOneLevel:
    """For an aggregate whose state is immutable values (frozen dataclasses, tuples, dates,
    UUIDs) at most one dict, list or set deep, and whose events replace values rather than
    change them in place: copying that one level is a deep copy in effect, at a fraction of
    `copy.deepcopy`'s cost (the repository copies its cached aggregate for every command).
    tests/integration/test_aggregate_copies.py checks the shape on every such aggregate."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        clone = object.__new__(type(self))
        for key, value in self.__dict__.items():
            clone.__dict__[key] = value.copy() if isinstance(value, dict | list | set) else value
        return clone


#: Aggregates handed out for reading only (a repository cache's own instances), by identity.
_SHARED: WeakValueDictionary[int, LogbogAggregate] = WeakValueDictionary()


def mark_shared(aggregate: LogbogAggregate) -> None:
    """From now on `aggregate` refuses to change (its copies may)."""
    _SHARED[id(aggregate)] = aggregate


class SharedAggregateChanged(RuntimeError):
    """A programming error: an aggregate loaded for reading only (the repository cache's own
    instance, not a copy) was about to change. Load it for a command instead."""


class Created(LogbogAggregate.Event, AggregateCreated):
    """Base of the first event of every aggregate."""


Event = LogbogAggregate.Event
