"""Importing with several processes (PostgreSQL only).

The main process has planned the file and registered its signers (`Importer.prepare`), so the
lines sent here touch disjoint streams: each line's own doctor, programmes, submissions and
receipt. Each worker process opens its own connection and builds and saves whole batches, as
the single-process import does; the store's table lock orders their transactions. Lines that
could collide (a signer nobody registered in advance, a duplicate id) stay in the main process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from datetime import date
from functools import partial
from multiprocessing.util import Finalize
from uuid import UUID

from logbog_es.application.handlers import HANDLERS
from logbog_es.migration.importer import Importer
from logbog_es.migration.report import LineResult, Report

_worker: Importer | None = None


def _same_day(day: date) -> date:
    return day


def _start(
    env: dict[str, str],
    today: date,
    file_sha256: str,
    batch_size: int,
    known_people: set[UUID],
) -> None:
    """A worker's set-up: its own application (and connection pool) on the same store."""
    global _worker  # noqa: PLW0603 - one importer per worker process
    from logbog_es.application.app import Logbog  # noqa: PLC0415 - in the worker process

    app = Logbog(
        handlers=HANDLERS, env={**env, "CREATE_TABLE": "n"}, today=partial(_same_day, today)
    )
    Finalize(app, app.close, exitpriority=10)  # close its pool when the worker exits
    _worker = Importer(app, file_sha256=file_sha256, batch_size=batch_size)
    _worker.adopt_known_people(known_people)


def _work(chunk: list[tuple[int, str]]) -> list[LineResult]:
    assert _worker is not None, "worker not started"
    report = Report(_worker.file_sha256, dry_run=False)
    _worker.import_batch(chunk, report)
    return report.results


def import_in_parallel(
    importer: Importer,
    lines: list[tuple[int, str]],
    workers: int,
    report: Report,
    progress: Callable[[LineResult], None] | None,
) -> None:
    """Import `lines` (none of which stays local) in batches spread over `workers` processes."""
    size = importer.batch_size
    chunks = [lines[start : start + size] for start in range(0, len(lines), size)]
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start,
        initargs=(
            dict(importer.app.env),
            importer.today,
            importer.file_sha256,
            size,
            importer.known_people,
        ),
    )
    try:
        futures: list[Future[list[LineResult]]] = [pool.submit(_work, c) for c in chunks]
        for future in as_completed(futures):  # each batch as it is saved, for the progress bar
            for result in future.result():  # a worker's error stops the import here
                report.results.append(result)
                if progress:
                    progress(result)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def import_lines(
    importer: Importer,
    lines: Iterable[tuple[int, str]],
    progress: Callable[[LineResult], None] | None = None,
    *,
    workers: int = 1,
    invalid: Iterable[LineResult] = (),
) -> Report:
    """Import a file's lines with `workers` processes when the store is PostgreSQL, the run is
    real and there is more than a batch (`Importer.parallel`); else in this process."""
    numbered = [(number, text) for number, text in lines if text.strip()]
    if not importer.parallel(workers, len(numbered)):
        return importer.run(numbered, progress, invalid=invalid)

    def spread(away: list[tuple[int, str]], report: Report) -> None:
        import_in_parallel(importer, away, workers, report, progress)

    return importer.run(numbered, progress, invalid=invalid, spread=spread)
