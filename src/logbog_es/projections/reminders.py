"""The reminders read model: open reminders per person (the in-app list) and the digests with
their delivery (what the mailer still has to send)."""

from __future__ import annotations

import json
from typing import Any

from eventsourcing.domain import DomainEventProtocol

from logbog_es.domain.reminders import Digest, MailChoice, Reminder
from logbog_es.projections.runner import Projection
from logbog_es.projections.store import ReadStore, Row, Tx


class Reminders(Projection):
    name = "reminders"
    topics = frozenset(
        {
            Reminder.Decided.TOPIC,
            Reminder.Resolved.TOPIC,
            Digest.Composed.TOPIC,
            Digest.Delivered.TOPIC,
            Digest.DeliveryFailed.TOPIC,
            MailChoice.Chosen.TOPIC,
            MailChoice.Changed.TOPIC,
        }
    )

    def apply(self, tx: Tx, event: DomainEventProtocol[Any], position: int) -> None:
        if isinstance(event, Reminder.Decided):
            tx.execute(
                "INSERT INTO reminders (reminder_id, reminder_key, kind, recipient, about, link, "
                "decided_on, resolved_on, position) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
                (
                    str(event.originator_id),
                    event.key,
                    event.kind,
                    event.recipient,
                    json.dumps(event.about, sort_keys=True),
                    event.link,
                    event.decided_on.isoformat(),
                    position,
                ),
            )
        elif isinstance(event, Reminder.Resolved):
            tx.execute(
                "UPDATE reminders SET resolved_on = ? WHERE reminder_id = ?",
                (event.resolved_on.isoformat(), str(event.originator_id)),
            )
        elif isinstance(event, Digest.Composed):
            tx.execute(
                "INSERT INTO reminder_digests (digest_id, recipient, day, message_id, reminders, "
                "delivered_at, via, attempts, next_attempt_at, position) "
                "VALUES (?, ?, ?, ?, ?, NULL, NULL, 0, NULL, ?)",
                (
                    str(event.originator_id),
                    event.recipient,
                    event.day.isoformat(),
                    event.message_id,
                    len(event.reminders),
                    position,
                ),
            )
        elif isinstance(event, Digest.Delivered):
            tx.execute(
                "UPDATE reminder_digests SET delivered_at = ?, via = ? WHERE digest_id = ?",
                (event.at.isoformat(), event.via, str(event.originator_id)),
            )
        elif isinstance(event, MailChoice.Chosen):
            tx.execute(
                "INSERT INTO reminder_choices (choice_id, subject, digest, has_address, language) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    str(event.originator_id),
                    event.subject,
                    int(event.digest),
                    int(bool(event.address)),
                    event.language,
                ),
            )
        elif isinstance(event, MailChoice.Changed):
            tx.execute(
                "UPDATE reminder_choices SET digest = ?, has_address = ?, language = ? "
                "WHERE choice_id = ?",
                (
                    int(event.digest),
                    int(bool(event.address)),
                    event.language,
                    str(event.originator_id),
                ),
            )
        elif isinstance(event, Digest.DeliveryFailed):
            tx.execute(
                "UPDATE reminder_digests SET attempts = ?, next_attempt_at = ? WHERE digest_id = ?",
                (event.attempt, event.retry_at.isoformat(), str(event.originator_id)),
            )


def _row(row: Row) -> Row:
    return {**row, "about": json.loads(str(row["about"]))}


def open_for(store: ReadStore, recipients: list[str]) -> list[Row]:
    """The open reminders of these recipients (a person and the roles they hold), oldest first."""
    if not recipients:
        return []
    marks = ", ".join("?" for _ in recipients)
    return [
        _row(r)
        for r in store.fetchall(
            f"SELECT * FROM reminders WHERE recipient IN ({marks}) "  # noqa: S608 - placeholders
            "AND resolved_on IS NULL ORDER BY position",
            recipients,
        )
    ]


def open_all(store: ReadStore) -> list[Row]:
    return [
        _row(r)
        for r in store.fetchall(
            "SELECT * FROM reminders WHERE resolved_on IS NULL ORDER BY position"
        )
    ]


def last_digest(store: ReadStore, recipient: str) -> Row | None:
    rows = store.fetchall(
        "SELECT * FROM reminder_digests WHERE recipient = ? ORDER BY day DESC LIMIT 1",
        (recipient,),
    )
    return rows[0] if rows else None


def undelivered(store: ReadStore) -> list[Row]:
    return store.fetchall(
        "SELECT * FROM reminder_digests WHERE delivered_at IS NULL ORDER BY position"
    )


def count_open(store: ReadStore, recipients: list[str]) -> int:
    if not recipients:
        return 0
    marks = ", ".join("?" for _ in recipients)
    rows = store.fetchall(
        f"SELECT COUNT(*) AS n FROM reminders WHERE recipient IN ({marks}) "  # noqa: S608
        "AND resolved_on IS NULL",
        recipients,
    )
    return int(rows[0]["n"]) if rows else 0
