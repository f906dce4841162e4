"""Command receipts: idempotency for every command.

A receipt's id derives from the command id, and it is saved in the same transaction as the
command's events, so a command is recorded at most once: a second save with the same id fails
on the store's unique key, and the first result is returned instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from logbog_es.domain.base import Created, LogbogAggregate, Meta, stable_id


def receipt_id(command_id: str) -> UUID:
    return stable_id("receipt", command_id)


def scoped_command_id(subject: str, key: str) -> str:
    """The command id a client's idempotency key stands for: keys are scoped per subject, so
    one user's key never meets another's (issue 15, item 5). It names the command in the
    events it records, and the ids derived from it (a programme's, an approval's)."""
    return f"{subject}/{key}"


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event a command recorded: its type (topic), stream and version."""

    type: str
    stream_id: UUID
    version: int


class CommandReceipt(LogbogAggregate):
    TOPIC = "logbog:CommandReceipt"

    if TYPE_CHECKING:
        command_name: str
        payload_sha256: str
        events: tuple[RecordedEvent, ...]

    class Issued(Created):
        TOPIC = "logbog:CommandReceipt.Issued"
        command_name: str
        payload_sha256: str
        events: list[dict[str, Any]]

        def apply(self, aggregate: Any) -> None:
            aggregate.command_name = self.command_name
            aggregate.payload_sha256 = self.payload_sha256
            aggregate.events = tuple(
                RecordedEvent(e["type"], UUID(e["stream_id"]), int(e["version"]))
                for e in self.events
            )

    @classmethod
    def issue(
        cls,
        *,
        command_name: str,
        payload_sha256: str,
        events: tuple[RecordedEvent, ...],
        meta: Meta,
    ) -> CommandReceipt:
        return cls._start(
            cls.Issued,
            receipt_id(meta.command_id),
            meta,
            command_name=command_name,
            payload_sha256=payload_sha256,
            events=[
                {"type": e.type, "stream_id": str(e.stream_id), "version": e.version}
                for e in events
            ],
        )
