"""A real SMTP server on loopback (aiosmtpd) for the reminder tests, and a service wired to it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from logbog_es.bootstrap import Container
from logbog_es.domain.reminders import ReminderRules
from logbog_es.reminders import Delivery, Mailer, ReminderService, SmtpMailer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Inbox:
    """What the SMTP server accepted. `refuse`: how many deliveries to refuse first (451)."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: int = 0
    refused: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refuse > 0:
            self.refuse -= 1
            self.refused += 1
            return "451 4.3.0 Try again later"
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, str]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, f"smtp://127.0.0.1:{port}?tls=none"
    controller.stop()


@dataclass
class Moment:
    """The reminder process's clock: a day, and the time within it (UTC)."""

    day: date

    def now(self) -> datetime:
        return datetime.combine(self.day, time(6, 0), UTC)


def service(
    container: Container, mailer: Mailer, moment: Moment, rules: ReminderRules | None = None
) -> ReminderService:
    def catch_up() -> None:
        container.runner.catch_up()

    return ReminderService(
        container.app,
        container.read_store,
        rules or ReminderRules(),
        mailer,
        Delivery("Logbog <noreply@logbog.test>", "https://logbog.test", "logbog.test"),
        catch_up=catch_up,
        now=moment.now,
    )


def smtp_mailer(url: str) -> SmtpMailer:
    return SmtpMailer(url, timeout=5)


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())
