"""The operator's commands (`logbog admin ...`) and the command contract (`logbog schemas ...`)."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    pass

from logbog_es.cli.base import (
    _settings,
    admin,
    schemas,
)


def _operator_command(model_name: str, sub: str, role: str, region: str | None) -> None:
    from pydantic import ValidationError

    from logbog_es.bootstrap import bootstrap
    from logbog_es.commands import COMMANDS
    from logbog_es.domain.errors import LogbogError
    from logbog_es.domain.policy import Actor
    from logbog_es.logging import configure_logging

    settings = _settings()
    configure_logging(settings, one_shot=True)
    try:
        command = COMMANDS[model_name].model_validate(
            {"subject": sub, "role": role, "region": region}
        )
    except ValidationError as error:
        for e in error.errors():
            print(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}", file=sys.stderr)
        raise typer.Exit(2) from error
    container = bootstrap(settings, with_tokens=False)
    try:
        result = container.app.execute(
            command, Actor(subject=f"operator:{getpass.getuser()}", operator=True)
        )
    except LogbogError as error:
        print(error.message, file=sys.stderr)
        raise typer.Exit(1) from error
    finally:
        container.close()
    print(f"{model_name}: recorded {len(result.events)} event(s) at position {result.position}")


@admin.command("grant-staff")
def grant_staff(
    sub: Annotated[str, typer.Option("--sub", help="The staff member's login subject.")],
    role: Annotated[str, typer.Option(help="curriculum-admin, secretariat or auditor.")],
    region: Annotated[
        str | None, typer.Option(help="nord, syd or oest (secretariat only).")
    ] = None,
) -> None:
    """Give a login subject a staff role (recorded as an event)."""
    _operator_command("grant-staff", sub, role, region)


@admin.command("revoke-staff")
def revoke_staff(
    sub: Annotated[str, typer.Option("--sub")],
    role: Annotated[str, typer.Option()],
    region: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Take a staff role from a login subject (recorded as an event)."""
    _operator_command("revoke-staff", sub, role, region)


@admin.command("backup")
def backup(
    to: Annotated[str, typer.Argument(help="A folder for the copy (created; never overwritten).")],
) -> None:
    """A consistent copy of the embedded store (events and read models), taken while the
    service runs. On PostgreSQL use pg_dump (README: Backup and restore)."""
    import sqlite3

    settings = _settings()
    storage = settings.storage
    if storage.kind != "sqlite":
        print(
            "the store is PostgreSQL: back it up with pg_dump, e.g. "
            "pg_dump --format=custom --schema=SCHEMA --file=logbog.dump DB "
            "(README: Backup and restore)",
            file=sys.stderr,
        )
        raise typer.Exit(2)
    target = Path(to)
    sources = [p for p in (storage.sqlite_events, storage.sqlite_read) if p is not None]
    clashes = [target / p.name for p in sources if (target / p.name).exists()]
    if clashes:
        print(
            f"{clashes[0]} exists; give a new folder (a backup never overwrites)", file=sys.stderr
        )
        raise typer.Exit(2)
    if not sources[0].exists():
        print(f"there is no store at {sources[0]} to back up", file=sys.stderr)
        raise typer.Exit(2)
    target.mkdir(parents=True, exist_ok=True)
    for source in sources:
        if not source.exists():
            continue
        # SQLite's online backup: a consistent copy while writers go on.
        with sqlite3.connect(source) as live, sqlite3.connect(target / source.name) as copy:
            live.backup(copy)
        print(f"{source} -> {target / source.name}")
    print(
        "keep LOGBOG_CIPHER_KEY (and earlier keys) apart from the copy: without them its "
        "personal data cannot be read; to restore, stop the service and copy the files back"
    )


@admin.command("create-cipher-key")
def create_cipher_key() -> None:
    """Print a new AES-256 key for LOGBOG_CIPHER_KEY."""
    from eventsourcing.cryptography import AESCipher

    print(AESCipher.create_key(32))


@schemas.command("write")
def schemas_write() -> None:
    """Regenerate commands/*.schema.json and *.example.json from the command models."""
    from logbog_es.commands.schema import write_contract

    for path in write_contract():
        print(path)


@schemas.command("check")
def schemas_check() -> None:
    """Exit non-zero when commands/*.json differ from the command models."""
    from logbog_es.commands.schema import stale_files

    stale = stale_files()
    if stale:
        print("stale: " + ", ".join(stale) + " (run `make schemas`)", file=sys.stderr)
        raise typer.Exit(1)
    print("command schemas are up to date")
