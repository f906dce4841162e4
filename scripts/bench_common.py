"""Helpers shared by the benchmark scripts.

The benchmarks' PostgreSQL database is a setting of its own, `LOGBOG_BENCH_DATABASE_URL`
(default: the database `logbog_bench` on the local server, created when missing), never the
database the tests use: a benchmark creates and drops schemas of 50,000 doctors, and its load
must not meet a test run's.
"""

from __future__ import annotations

import os
import sys

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.sql import SQL, Identifier

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/logbog_bench"
TEST_DATABASE = "test"  # what tests/conftest.py uses: never benchmarked on


def bench_database_url() -> str:
    url = os.environ.get("LOGBOG_BENCH_DATABASE_URL", DEFAULT_URL)
    name = conninfo_to_dict(url).get("dbname")
    if name == TEST_DATABASE:
        sys.exit(
            f"LOGBOG_BENCH_DATABASE_URL names the tests' database {TEST_DATABASE!r}; "
            "give the benchmarks a database of their own (default: logbog_bench)"
        )
    return url


def ensure_database(url: str) -> None:
    """Create the benchmarks' database when the server lacks it (no-op when unreachable:
    a SQLite-only run needs no PostgreSQL)."""
    params = conninfo_to_dict(url)
    name = str(params.get("dbname", ""))
    try:
        with psycopg.connect(
            make_conninfo(url, dbname="postgres"), autocommit=True, connect_timeout=2
        ) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not found:
                conn.execute(SQL("CREATE DATABASE {}").format(Identifier(name)))
    except psycopg.OperationalError:
        pass


PG_URL = bench_database_url()
ensure_database(PG_URL)


def drop_schemas(schema: str, url: str = PG_URL) -> None:
    """Remove a benchmark's event-store schema and its read-model schema."""
    with psycopg.connect(url, autocommit=True) as conn:
        for name in (schema, f"{schema}_read"):
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
