"""Shared fixtures: the stores every scenario runs against, a settable clock, Hypothesis profiles.

PostgreSQL: tests marked `postgres` use LOGBOG_TEST_POSTGRES_URL (default: the local server). When
the CI variable is set, a missing PostgreSQL is an error; on a laptop without it they skip and
say why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg
import pytest
import structlog
from hypothesis import HealthCheck, settings

from logbog_es.bootstrap import Container, bootstrap
from logbog_es.settings import Settings, Storage

settings.register_profile(
    "default",
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    deadline=None,
    max_examples=100,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "default")

PG_URL = os.environ.get("LOGBOG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
_pg_state: dict[str, str | None] = {}


def postgres_unavailable() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    if "reason" not in _pg_state:
        try:
            with psycopg.connect(PG_URL, connect_timeout=3) as conn:
                conn.execute("SELECT 1")
            _pg_state["reason"] = None
        except psycopg.Error as error:
            _pg_state["reason"] = f"PostgreSQL at {PG_URL} is not reachable: {error}"
    return _pg_state["reason"]


def require_postgres() -> None:
    reason = postgres_unavailable()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: PostgreSQL tests must run, not skip)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _reset_logging() -> Iterator[None]:
    """A test that configures logging (the CLI does) must not leak it into the next test."""
    yield
    structlog.reset_defaults()


@dataclass
class Clock:
    """A settable 'today' for the application (Europe/Copenhagen calendar dates)."""

    today: date = date(2026, 6, 15)

    def __call__(self) -> date:
        return self.today


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_settings(tmp_path: Path) -> Settings:
    return Settings(
        var_dir=tmp_path / "var",
        database_url=None,
        demo_data=False,
        log_format="json",
    )


class PgSchemas:
    """Creates a fresh schema pair per test and drops it afterwards."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def storage(self) -> Storage:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        self.created += [schema, f"{schema}_read"]
        return Storage.parse(f"{PG_URL}?schema={schema}", Path("unused"))

    def drop(self) -> None:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            for schema in self.created:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def make_container(kind: str, tmp_path: Path, clock: Clock, pg: PgSchemas) -> Container:
    cfg = make_settings(tmp_path)
    if kind == "memory":
        storage = Storage("memory", sqlite_read=tmp_path / "read.sqlite")
    elif kind == "sqlite":
        storage = Storage.parse(f"sqlite:///{tmp_path}/events.sqlite", tmp_path)
    else:
        require_postgres()
        storage = pg.storage()
    return bootstrap(cfg, storage=storage, today=clock)


@pytest.fixture
def pg_schemas() -> Iterator[PgSchemas]:
    schemas = PgSchemas()
    yield schemas
    if schemas.created:
        schemas.drop()


STORES = [
    "memory",
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=STORES)
def container(
    request: pytest.FixtureRequest, tmp_path: Path, clock: Clock, pg_schemas: PgSchemas
) -> Iterator[Container]:
    """The whole service wired on each store: in memory, SQLite and PostgreSQL."""
    built = make_container(request.param, tmp_path, clock, pg_schemas)
    yield built
    built.close()


@pytest.fixture
def memory_container(tmp_path: Path, clock: Clock, pg_schemas: PgSchemas) -> Iterator[Container]:
    built = make_container("memory", tmp_path, clock, pg_schemas)
    yield built
    built.close()
