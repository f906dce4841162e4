"""The `logbog` command line: its command groups and what they share."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

import typer

from logbog_es.settings import Settings

if TYPE_CHECKING:
    from logbog_es.bootstrap import Container

cli = typer.Typer(
    help="Logbog: the event-sourced logbook for Danish medical training.", no_args_is_help=True
)
admin = typer.Typer(help="Operator commands (run on the server).", no_args_is_help=True)
schemas = typer.Typer(
    help="The published command contract (commands/*.json).", no_args_is_help=True
)
projections = typer.Typer(help="Read models: run, status, rebuild.", no_args_is_help=True)
audit = typer.Typer(help="The audit trail and tamper evidence.", no_args_is_help=True)
importing = typer.Typer(help="Import legacy logbooks as events.", no_args_is_help=True)
cli.add_typer(importing, name="import")
cli.add_typer(audit, name="audit")
cli.add_typer(admin, name="admin")
cli.add_typer(schemas, name="schemas")
cli.add_typer(projections, name="projections")
reminders = typer.Typer(help="Reminders: decide, compose and mail them.", no_args_is_help=True)
mail = typer.Typer(
    help="The mails in the local maildir (without LOGBOG_SMTP_URL).", no_args_is_help=True
)
cli.add_typer(reminders, name="reminders")
cli.add_typer(mail, name="mail")


def _settings() -> Settings:
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as error:
        # Only the messages: pydantic's text repeats the input, which may hold secrets.
        for problem in error.errors():
            where = ".".join(str(p) for p in problem["loc"])
            text = problem["msg"].removeprefix("Value error, ")
            print(f"configuration error: {where + ': ' if where else ''}{text}", file=sys.stderr)
        raise typer.Exit(2) from error
    except ValueError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        raise typer.Exit(2) from error


def _container_for_projections(*, one_shot: bool = True) -> Container:
    import psycopg
    from eventsourcing.persistence import InterfaceError, OperationalError

    from logbog_es.bootstrap import bootstrap
    from logbog_es.logging import configure_logging

    settings = _settings()
    configure_logging(settings, one_shot=one_shot)
    try:
        return bootstrap(settings, with_tokens=False)
    except (psycopg.OperationalError, OperationalError, InterfaceError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(
            f"cannot open the store: {first}; check LOGBOG_DATABASE_URL and that the database "
            "is running",
            file=sys.stderr,
        )
        raise typer.Exit(1) from error


def _check_names(container: Container, names: list[str]) -> None:
    known = list(container.runner.projections)
    unknown = [n for n in names if n not in known]
    if unknown:
        print(
            f"unknown read model(s): {', '.join(unknown)}; known: {', '.join(known)}",
            file=sys.stderr,
        )
        raise typer.Exit(2)


def _parse_uuid(name: str, value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError as error:
        print(
            f"{name}: {value!r} is not an id; ids look like 1b4e28ba-2fa1-11d2-883f-0016d3cca427",
            file=sys.stderr,
        )
        raise typer.Exit(2) from error


def _parse_doctor(name: str, value: str) -> UUID:
    """A doctor by id, or by STPS authorisation id (five letters and digits)."""
    from logbog_es.domain.doctor import check_authorisation_id, doctor_id
    from logbog_es.domain.errors import LogbogError

    if len(value.strip()) == 5:
        try:
            return doctor_id(check_authorisation_id(value))
        except LogbogError:
            pass
    try:
        return UUID(value)
    except ValueError as error:
        print(
            f"{name}: {value!r} is neither a doctor's id (like 1b4e28ba-2fa1-11d2-883f-"
            "0016d3cca427) nor an authorisation id (five letters and digits, like AB12C)",
            file=sys.stderr,
        )
        raise typer.Exit(2) from error


def _parse_day(name: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        print(f"{name}: {value!r} is not a date; write YYYY-MM-DD", file=sys.stderr)
        raise typer.Exit(2) from error
