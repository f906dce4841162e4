"""Processes starting at once on a new PostgreSQL database (the API's workers): each sets up
the schemas, tables and functions it needs, and none dies of the others' set-up."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest

from logbog_es.bootstrap import Container, bootstrap
from logbog_es.settings import Storage
from logbog_es.web.sessions import SessionStore
from tests.conftest import PgSchemas, make_settings, require_postgres

pytestmark = pytest.mark.postgres


def _start_at_once(storage: Storage, tmp_path: Path, count: int) -> list[BaseException]:
    """`count` workers bootstrapping one store at the same moment, each then making its web
    session table (as `create_app` does); the errors they met."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []
    started: list[Container] = []

    def worker(n: int) -> None:
        barrier.wait()
        try:
            container = bootstrap(make_settings(tmp_path / f"w{n}"), storage=storage)
            started.append(container)
            SessionStore(container.read_store, lifetime=timedelta(hours=8))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for container in started:
        container.close()
    return errors


def test_workers_starting_at_once_on_a_new_database_all_start(
    tmp_path: Path, pg_schemas: PgSchemas
) -> None:
    require_postgres()
    for trial in range(3):
        storage = pg_schemas.storage()  # a schema pair nobody made yet
        errors = _start_at_once(storage, tmp_path / f"trial{trial}", 3)
        assert errors == [], [repr(e) for e in errors]
        container = bootstrap(make_settings(tmp_path / f"after{trial}"), storage=storage)
        try:
            assert container.app.position() == 0
            assert {s.name for s in container.runner.status()} >= {"programme_progress"}
        finally:
            container.close()
