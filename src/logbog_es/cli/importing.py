"""Legacy logbooks imported as events: `logbog import legacy|schema`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    pass

from logbog_es.cli.base import (
    _container_for_projections,
    importing,
)


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
    from logbog_es.migration.importer import Importer, record_source
    from logbog_es.migration.legacy import Reference
    from logbog_es.migration.parallel import import_lines
    from logbog_es.migration.reading import decode_lines
    from logbog_es.migration.report import LineRejected

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
            result = import_lines(
                importer, lines, progress=advance, workers=processes, invalid=invalid
            )
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

    from logbog_es.migration.legacy import schemas

    out = Path(__file__).resolve().parents[2] / "docs" / "legacy-format.schema.json"
    out.write_text(
        json.dumps(schemas(), indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(out)
