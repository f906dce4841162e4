"""Reminders and their mail: `logbog reminders once|run`, `logbog mail list|show`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from logbog_es.settings import Environment

if TYPE_CHECKING:
    pass

from logbog_es.cli.base import (
    _container_for_projections,
    _parse_day,
    _settings,
    mail,
    reminders,
)


@reminders.command("once")
def reminders_once(
    today: Annotated[
        str | None,
        typer.Option(help="Decide as of this day (YYYY-MM-DD; development and trials only)."),
    ] = None,
) -> None:
    """One pass: decide what is due, compose today's digests, deliver them; prints the counts.
    Safe to run again or beside `reminders run`: each step is recorded once."""
    from logbog_es.metrics import count_reminders

    day = _parse_day("--today", today)
    container = _container_for_projections()
    try:
        if day is not None and container.settings.env is not Environment.DEVELOPMENT:
            print("--today is for development and trials only", file=sys.stderr)
            raise typer.Exit(2)
        done = container.reminder_service(count_reminders).run_once(day)
        print(
            f"decided {done.decided}, resolved {done.resolved}, composed {done.composed}, "
            f"sent {done.sent}, failed {done.failed}"
        )
    finally:
        container.close()


@reminders.command("run")
def reminders_run() -> None:
    """Keep deciding and mailing reminders every LOGBOG_REMINDER_MINUTES, as a process of its
    own (stop with Ctrl-C or SIGTERM). `logbog serve` with one worker runs it in-process."""
    import signal
    import threading

    from logbog_es.metrics import count_reminders

    container = _container_for_projections(one_shot=False)
    service = container.reminder_service(count_reminders)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_a: stop.set())
    signal.signal(signal.SIGINT, lambda *_a: stop.set())
    try:
        while not stop.is_set():
            try:
                service.run_once()
            except Exception as error:  # the database or the mail server: try again later
                print(f"reminder pass failed: {type(error).__name__}", file=sys.stderr)
            stop.wait(container.settings.reminder_minutes * 60)
    finally:
        container.close()


def _maildir() -> Path:
    from logbog_es.reminders import MaildirMailer

    settings = _settings()
    if settings.smtp_url:
        print("mail goes to LOGBOG_SMTP_URL, not to a local maildir", file=sys.stderr)
        raise typer.Exit(2)
    return MaildirMailer(Path(settings.var_dir) / "mail").root


@mail.command("list")
def mail_list() -> None:
    """The mails written to the maildir, oldest first: name, date, recipient, subject."""
    from email import message_from_bytes, policy

    from logbog_es.reminders import MaildirMailer

    box = MaildirMailer(_maildir())
    names = box.names()
    if not names:
        print("no mail")
    for name in names:
        raw = box.read(name) or b""
        message = message_from_bytes(raw, policy=policy.default)
        print(f"{name}  {message['Date']}  {message['To']}  {message['Subject']}")


@mail.command("show")
def mail_show(name: Annotated[str, typer.Argument(help="A name from `logbog mail list`.")]) -> None:
    """One mail as it was written (headers and text)."""
    from logbog_es.reminders import MaildirMailer

    raw = MaildirMailer(_maildir()).read(name)
    if raw is None:
        print(f"no mail named {name}; see `logbog mail list`", file=sys.stderr)
        raise typer.Exit(1)
    sys.stdout.write(raw.decode("utf-8", errors="replace"))
