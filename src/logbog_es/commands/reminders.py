"""How a person's reminders are mailed (issue: reminders)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from logbog_es.commands.base import Command


class ChooseReminderMail(Command):
    """A daily digest of one's reminders by mail, or none; the address (staff have none
    recorded; a doctor's registered address is used when none is given) and the language."""

    NAME: ClassVar[str] = "choose-reminder-mail"
    EXAMPLE: ClassVar = {"digest": True, "address": None, "language": "da"}

    digest: bool = Field(default=True, description="A daily digest (true) or no mail (false).")
    address: str | None = Field(
        default=None, max_length=254, description="Where to; default: the registered address."
    )
    language: Literal["da", "en"] = "da"
