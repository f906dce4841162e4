"""Who read whose logbook history: reading another person's history is itself recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from logbog_es.domain.base import Created, Event, LogbogAggregate, Meta, stable_id


def read_log_id(doctor_id: UUID) -> UUID:
    return stable_id("read-log", str(doctor_id))


@dataclass(frozen=True, slots=True)
class Reading:
    reader_id: str
    capacity: str
    what: str
    read_at: datetime


class ReadLog(LogbogAggregate):
    TOPIC = "logbog:ReadLog"

    if TYPE_CHECKING:
        doctor_id: UUID
        readings: list[Reading]

    class Opened(Created):
        TOPIC = "logbog:ReadLog.Opened"
        doctor_id: UUID

        def apply(self, aggregate: Any) -> None:
            aggregate.doctor_id = self.doctor_id
            aggregate.readings = []

    class HistoryRead(Event):
        TOPIC = "logbog:ReadLog.HistoryRead"
        what: str

        def apply(self, aggregate: Any) -> None:
            reading = Reading(self.actor_id, self.actor_capacity, self.what, self.timestamp)
            aggregate.readings.append(reading)

    @classmethod
    def open(cls, doctor_id: UUID, meta: Meta) -> ReadLog:
        return cls._start(cls.Opened, read_log_id(doctor_id), meta, doctor_id=doctor_id)

    def record(self, what: str, meta: Meta) -> None:
        self._record(self.HistoryRead, meta, what=what)
