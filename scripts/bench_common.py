"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

import psycopg

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def drop_schemas(schema: str, url: str = PG_URL) -> None:
    """Remove a benchmark's event-store schema and its read-model schema."""
    with psycopg.connect(url, autocommit=True) as conn:
        for name in (schema, f"{schema}_read"):
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
