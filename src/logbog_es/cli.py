"""The `logbog` command line."""

from __future__ import annotations

import getpass
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import typer

from logbog_es.settings import Environment, Settings

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


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(help="Worker processes (production: projections run separately).")
    ] = 1,
) -> None:
    """Serve the HTTP API. One worker runs the projections in-process; with several workers run
    `logbog projections run` beside them."""
    import os
    import shutil

    import uvicorn

    from logbog_es.api.serving import serve_workers
    from logbog_es.bootstrap import bootstrap
    from logbog_es.demo import demo_users, load_demo
    from logbog_es.logging import configure_logging
    from logbog_es.server import create_app
    from logbog_es.tokens import LocalIssuer

    settings = _settings()
    configure_logging(settings)
    if not settings.cipher_key:
        print(
            "warning: LOGBOG_CIPHER_KEY is not set, so names and CPR numbers are stored in"
            " clear text; fine for development, refused in production"
            " (see README, Personal data at rest)",
            file=sys.stderr,
        )
    container = bootstrap(settings)
    loaded = False
    if settings.demo_data and container.app.position() == 0:
        load_demo(container.app)
        loaded = True
    if workers == 1 and settings.in_process_projections:
        from logbog_es.metrics import count_reminders

        container.runner.catch_up()
        container.start_checkpoints()  # the process that runs the projections signs the head
        container.start_reminders(count_reminders)  # and decides and mails the reminders
    base = f"http://{host}:{port}"
    print(f"\nLogbog is serving at {base} ({workers} worker{'s' if workers > 1 else ''})")
    print(f"  web app: {base}/")
    print(f"  API documentation: {base}/docs   (click 'Authorize' and paste a token)")
    storage = settings.storage
    where = storage.sqlite_events if storage.kind == "sqlite" else "PostgreSQL"
    print(f"  event store: {where}")
    if workers > 1:
        print("  projections: not in these processes; run `logbog projections run` beside them")
    if settings.env is Environment.DEVELOPMENT and settings.demo_data:
        issuer = LocalIssuer(settings)
        print(
            "\nDemo users"
            + (" (demo data just loaded)" if loaded else "")
            + "; tokens valid 8 hours:"
        )
        for user in demo_users():
            print(f"  {user.label}:\n    {issuer.issue(user.subject)}")
        print(f"\nIn the web app, log in as any of them at {base}/log-ind (development only).")
        print("A token for any subject: .venv/bin/logbog token --sub SUBJECT")
        print(f"Try: curl -H 'Authorization: Bearer <token>' {base}/me\n")
    if workers == 1:
        uvicorn.run(
            create_app(container, run_projections=settings.in_process_projections),
            host=host,
            port=port,
            log_level="warning",
        )
        return
    container.close()
    metrics_dir = settings.var_dir / "prometheus-multiproc"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    os.environ["LOGBOG_IN_PROCESS_PROJECTIONS"] = "false"
    os.environ["LOGBOG_DEMO_DATA"] = "false"
    serve_workers("logbog_es.server:app_from_env", host=host, port=port, workers=workers)


@cli.command()
def token(
    sub: Annotated[str, typer.Option("--sub", help="The subject: a doctor id or a staff login.")],
    ttl_hours: Annotated[float, typer.Option(help="Lifetime in hours.")] = 8.0,
) -> None:
    """Print a token signed with the local development key."""
    from logbog_es.tokens import LocalIssuer

    settings = _settings()
    if settings.env is Environment.PRODUCTION:
        print("tokens come from the identity provider in production", file=sys.stderr)
        raise typer.Exit(2)
    if ttl_hours <= 0 or ttl_hours > 24 * 366:
        print(
            "--ttl-hours: give a lifetime above 0 and at most a year (8784 hours)", file=sys.stderr
        )
        raise typer.Exit(2)
    print(LocalIssuer(settings).issue(sub, ttl_seconds=max(1, int(ttl_hours * 3600))))


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
    from pathlib import Path

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


@projections.command("status")
def projections_status() -> None:
    """Each read model's generation, position, lag behind the event log (in events and in
    seconds), and the events it could not apply (quarantined), with their errors."""
    container = _container_for_projections()
    try:
        print(
            f"{'read model':<22} {'gen':>4} {'position':>10} {'head':>10} {'lag':>8} "
            f"{'behind s':>9} {'quarantined':>12}"
        )
        for status in container.runner.status():
            print(
                f"{status.name:<22} {status.generation:>4} {status.position:>10} "
                f"{status.head:>10} {status.lag:>8} {status.behind_seconds:>9.1f} "
                f"{status.quarantined:>12}"
            )
        held = container.runner.quarantine()
        if held:
            print("\nquarantined events (fix the cause, then `logbog projections rebuild NAME`):")
            for q in held:
                print(f"  {q.projection} position {q.position} ({q.topic}): {q.error}")
    finally:
        container.close()


@projections.command("run")
def projections_run(
    names: Annotated[
        list[str] | None, typer.Argument(help="Read models to run (default: all).")
    ] = None,
    poll_seconds: Annotated[float, typer.Option(help="Polling interval when idle.")] = 0.5,
    batch_size: Annotated[int, typer.Option(help="Events per transaction.")] = 1000,
) -> None:
    """Keep read models up to date, as a process of its own (stop with Ctrl-C or SIGTERM)."""
    import signal

    import structlog

    container = _container_for_projections(one_shot=False)
    _check_names(container, names or [])
    container.runner.batch_size = batch_size
    log = structlog.get_logger("logbog.projections")

    def stop(*_args: object) -> None:
        container.runner.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("projections running", names=names or list(container.runner.projections))
    try:
        container.start_checkpoints()
        container.runner.run_forever(
            names or None,
            poll_seconds=poll_seconds,
            on_error=lambda e: log.error("projection batch failed", error_type=type(e).__name__),
        )
    finally:
        container.close()


@projections.command("rebuild")
def projections_rebuild(
    name: Annotated[str, typer.Argument(help="The read model to rebuild.")],
) -> None:
    """Rebuild a read model into fresh tables from the first event, then switch over."""
    import time

    container = _container_for_projections()
    try:
        _check_names(container, [name])
        started = time.perf_counter()
        generation = container.runner.rebuild(name)
        took = time.perf_counter() - started
        print(f"{name}: generation {generation} is live ({took:.1f} s)")
    finally:
        container.close()


@cli.command()
def dossier(
    submission_id: Annotated[str, typer.Argument(help="The submission's id.")],
    pdf: Annotated[str | None, typer.Option("--pdf", help="Write the PDF to this file.")] = None,
) -> None:
    """Show a submitted package's hash and whether it is reproducible; optionally write its PDF."""

    from logbog_es import dossier_pdf
    from logbog_es.application import queries
    from logbog_es.domain.errors import LogbogError
    from logbog_es.domain.policy import Actor
    from logbog_es.edge import submission_document

    container = _container_for_projections()
    try:
        try:
            view = queries.read_submission(
                container.app, Actor(subject="operator:cli", operator=True), UUID(submission_id)
            )
        except (LogbogError, ValueError) as error:
            print(getattr(error, "message", str(error)), file=sys.stderr)
            raise typer.Exit(1) from error
        body = submission_document(container, view)
        print(f"submission {submission_id}: {body['kind']} submitted {body['submitted_on']}")
        if view.submission.imported:
            package = view.submission.package
            print(
                f"imported from the old logbook (its id there: {package.get('legacy_id')}; the "
                f"old package's SHA-256: {package.get('legacy_sha256') or 'not known'}); the "
                "document is in the old system's archive, so it is not rebuilt here"
            )
            if pdf:
                print("no PDF: there is no package here to print", file=sys.stderr)
                raise typer.Exit(1)
            return
        print(
            f"sha256 {body['sha256']}; rebuilt from the events: "
            + ("identical" if view.reproducible else "DIFFERENT")
        )
        if pdf:
            from pathlib import Path

            Path(pdf).write_bytes(dossier_pdf.render(body))
            print(f"wrote {pdf}")
        if not view.reproducible:
            raise typer.Exit(1)
    finally:
        container.close()


@audit.command("trail")
def audit_trail(
    doctor_id: Annotated[
        str, typer.Argument(help="The doctor's id, or their authorisation id (e.g. AB12C).")
    ],
    programme: Annotated[str | None, typer.Option(help="Only this programme's entries.")] = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="YYYY-MM-DD: entries in effect from this day.")
    ] = None,
    to: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD: entries in effect up to this day.")
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD: as recorded by that day.")] = None,
    position: Annotated[
        int | None, typer.Option(min=0, help="As recorded up to this log position.")
    ] = None,
    effective_on: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD: what was in force that day.")
    ] = None,
    csv: Annotated[bool, typer.Option("--csv", help="CSV as the HTTP export gives it.")] = False,
) -> None:
    """Print a doctor's full history from the event store (the operator's view, not recorded
    as a read)."""
    from logbog_es.application.history import history
    from logbog_es.domain.errors import LogbogError

    doctor = _parse_doctor("DOCTOR", doctor_id)
    programme_id = _parse_uuid("--programme", programme) if programme else None
    days = {
        name: _parse_day(name, value)
        for name, value in (
            ("--from", from_),
            ("--to", to),
            ("--as-of", as_of),
            ("--effective-on", effective_on),
        )
    }
    container = _container_for_projections()
    try:
        result = history(
            container.app,
            doctor,
            programme_id=programme_id,
            period=(days["--from"], days["--to"]),
            as_of=days["--as-of"],
            as_of_position=position,
            effective_on=days["--effective-on"],
        )
    except LogbogError as error:
        print(error.message, file=sys.stderr)
        raise typer.Exit(1) from error
    finally:
        container.close()
    if csv:
        from dataclasses import asdict

        from logbog_es.exports import HISTORY, csv_text

        sys.stdout.write(csv_text((asdict(e) for e in result.entries), HISTORY))
        return
    for e in result.entries:
        who = e.actor_name or e.actor_id
        origin = f"  [imported from the old logbook: {e.imported_from}]" if e.imported_from else ""
        print(
            f"{e.position:>8}  {e.recorded_at:%Y-%m-%d %H:%M}  effective {e.effective_on}  "
            f"{who} ({e.capacity}): {e.text}{origin}"
        )


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


@audit.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the chain head now and append it to the checkpoints (run it from cron, or let the
    projections' process do it every LOGBOG_CHECKPOINT_MINUTES)."""
    container = _container_for_projections()
    try:
        done = container.checkpoints.at_head(container.app.recorder)
        print(
            f"signed position {done.position} sha256 {done.sha256} with key {done.key_id} "
            f"into {container.checkpoints.path}"
        )
    finally:
        container.close()


@audit.command("verify")
def audit_verify(
    doctor: Annotated[
        str | None,
        typer.Option(help="Only this doctor's streams (id or authorisation id)."),
    ] = None,
) -> None:
    """Recompute the hash chain; name every event altered, removed or inserted. Exit 1 if any."""

    from logbog_es.application.chain import verify
    from logbog_es.application.history import base_streams, broken_anchors, streams_of
    from logbog_es.domain.doctor import Doctor

    doctor_id = _parse_doctor("--doctor", doctor) if doctor else None
    container = _container_for_projections()
    try:
        streams: set[str] | None = None
        if doctor_id:
            found = container.app.find(Doctor, doctor_id)
            if found is None:
                print(f"no doctor with id {doctor_id}", file=sys.stderr)
                raise typer.Exit(2)
            try:
                streams = {str(s) for s in streams_of(container.app, found)[0]}
            except Exception:  # an altered event may not decode at all
                print(
                    "some of the doctor's programme events do not decode; checking the doctor's"
                    " profile, programmes and departments without their submissions",
                    file=sys.stderr,
                )
                streams = {str(s) for s in base_streams(found)}
        result = verify(container.app.recorder, streams)
        for finding in result.findings:
            print(str(finding))
        signed = container.checkpoints.read()
        mismatches = container.checkpoints.check(container.app.recorder)
        for problem in mismatches:
            print(problem)
        broken = broken_anchors(container.app, streams or set()) if doctor_id else []
        for submission in broken:
            print(
                f"submission {submission.id}: the chain head it recorded "
                f"(position {submission.chain_head['position']}) no longer matches"
            )
        scope = f"doctor {doctor_id}" if doctor_id else "the whole log"
        print(
            f"checked {result.checked} events ({scope}); chain head position "
            f"{result.head_position} sha256 {result.head_sha256}"
        )
        print(
            f"{len(signed)} signed checkpoint(s) in {container.checkpoints.path}, "
            f"{len(mismatches)} not matching"
        )
        if result.findings or broken or mismatches:
            print(
                f"{len(result.findings)} finding(s), {len(broken)} submission anchor(s) "
                f"broken, {len(mismatches)} signed checkpoint(s) not matching: the store was "
                "changed behind the service",
                file=sys.stderr,
            )
            raise typer.Exit(1)
        print("intact")
    finally:
        container.close()


@importing.command("legacy")
def import_legacy(
    file: Annotated[str, typer.Argument(help="The legacy export (JSON Lines).")],
    reference: Annotated[
        str | None, typer.Option(help="Companion reference file (departments, curricula).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate everything, write nothing.")
    ] = False,
    batch_size: Annotated[int, typer.Option(help="Doctors per transaction.", min=1)] = 100,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Processes building and saving doctors (PostgreSQL only; default: the number "
            "of CPUs, at most 4).",
            min=1,
        ),
    ] = None,
    report: Annotated[str | None, typer.Option(help="Write the JSON report here.")] = None,
) -> None:
    """Import legacy logbooks: each doctor atomically; a second run imports nothing new."""
    import signal

    from rich.console import Console

    console = Console(stderr=True)

    def stop(_signum: int, _frame: object) -> None:
        # SIGTERM as Ctrl-C: the worker processes are stopped and batches being saved finish,
        # instead of the workers being left running without their parent.
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        _import_legacy(console, file, reference, dry_run, batch_size, workers, report)
    except KeyboardInterrupt:
        console.print(
            "stopped: what was saved stays saved; run the same command again to import the rest"
        )
        raise typer.Exit(130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _import_legacy(
    console: Any,
    file: str,
    reference: str | None,
    dry_run: bool,
    batch_size: int,
    workers: int | None,
    report: str | None,
) -> None:
    import hashlib
    import json
    import os
    import time
    from pathlib import Path

    from pydantic import ValidationError
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.table import Table

    from logbog_es.domain.errors import LogbogError
    from logbog_es.migration.importer import (
        Importer,
        LineRejected,
        decode_lines,
        record_source,
    )
    from logbog_es.migration.legacy import Reference

    path = Path(file)
    if not path.exists():
        console.print(f"no such file: {file}", style="red", markup=False)
        raise typer.Exit(2)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    lines, invalid = decode_lines(data)
    container = _container_for_projections()
    try:
        if not dry_run:
            record_source(container.app, digest, path.name)  # the history names the file
        importer = Importer(
            container.app, file_sha256=digest, dry_run=dry_run, batch_size=batch_size
        )
        if reference:
            try:
                ref = Reference.model_validate(json.loads(Path(reference).read_text("utf-8")))
                done = importer.load_reference(ref)
            except (
                ValidationError,
                json.JSONDecodeError,
                LineRejected,
                LogbogError,
                OSError,
            ) as error:
                why = (
                    "\n  ".join(f"{e.path}: {e.message}" for e in error.errors)
                    if isinstance(error, LineRejected)
                    else str(error)
                )
                console.print(  # the file's own text: never read as markup
                    f"the reference file is not valid: {why}", style="red", markup=False
                )
                raise typer.Exit(2) from error
            if done:
                console.print(
                    f"reference: {'would register' if dry_run else 'registered'} "
                    f"{len(done)} ({', '.join(done[:5])}{', ...' if len(done) > 5 else ''})",
                    markup=False,
                )
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:>8} doctors/s"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        ) as progress:
            total = len(lines) + len(invalid)
            task = progress.add_task("importing", total=total, rate="-")

            started = time.perf_counter()

            def advance(_: object) -> None:
                progress.advance(task)
                done_count = progress.tasks[0].completed
                elapsed = time.perf_counter() - started
                if elapsed > 0:
                    progress.update(task, rate=f"{done_count / elapsed:,.0f}")

            processes = workers or min(os.cpu_count() or 1, 4)
            if importer.parallel(processes, sum(1 for _, text in lines if text.strip())):
                progress.update(task, description=f"importing ({processes} processes)")
            elif workers and workers > 1:
                console.print(
                    f"--workers {workers}: importing with one process (several need PostgreSQL, "
                    "a real run and more lines than one batch)"
                )
            result = importer.run(lines, progress=advance, workers=processes, invalid=invalid)
            progress.update(task, completed=total)
        if report:  # first: the report must not depend on the terminal taking the output
            Path(report).write_text(
                json.dumps(result.as_json(), indent=2, ensure_ascii=False), encoding="utf-8"
            )
        table = Table(title="Dry run: nothing was written" if dry_run else "Import")
        table.add_column("doctors")
        table.add_column("count", justify="right")
        for status in ("would-import" if dry_run else "imported", "skipped", "conflict", "failed"):
            table.add_row(status, str(result.count(status)))
        table.add_row(
            "signers" + (" to register" if dry_run else " registered") + " in advance",
            str(result.signers),
        )
        table.add_row(
            "events" + (" (would be) written" if dry_run else " written"), str(result.events)
        )
        console.print(table)
        problems = [p for line in result.results for p in line.errors]
        for problem in problems[:50]:
            console.print(f"line {problem.line}: {problem.path}: {problem.message}", markup=False)
        if len(problems) > 50:
            more = len(problems) - 50
            where = f"in {report}" if report else "with --report FILE"
            console.print(f"... and {more} more problem(s): see them all {where}", markup=False)
        if report:
            console.print(f"report written to {report}", markup=False)
        if result.failed:
            raise typer.Exit(1)
    finally:
        container.close()


@importing.command("schema")
def import_schema() -> None:
    """Write docs/legacy-format.schema.json from the format's models."""
    import json
    from pathlib import Path

    from logbog_es.migration.legacy import schemas

    out = Path(__file__).resolve().parents[2] / "docs" / "legacy-format.schema.json"
    out.write_text(
        json.dumps(schemas(), indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(out)


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


def main() -> None:
    cli()
