"""Backup and restore (issue 15, item 9): a copy restored into an empty store passes `audit
verify` and rebuilds every read model to the same answers."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from logbog_es.application.chain import verify
from logbog_es.bootstrap import Container, bootstrap
from logbog_es.cli import cli
from logbog_es.commands import ApproveCompetency
from logbog_es.settings import Settings, Storage
from tests.conftest import PG_URL, Clock, require_postgres
from tests.helpers import Ward, World


def _fill(container: Container) -> None:
    ward = Ward(World(container.app))
    container.app.execute(
        ApproveCompetency.model_validate(
            {
                "programme_id": ward.programme,
                "competency_code": "K1",
                "method": "mini_cex",
                "assessed_on": "2026-02-02",
            }
        ),
        ward.world.actor(ward.uao),
    )
    container.runner.catch_up()


def _answers(container: Container) -> dict[str, Any]:
    """Every row of every read model (what queries answer from)."""
    runner = container.runner
    runner.catch_up()
    return {
        f"{name}.{table}": runner.rows(name, table)
        for name, projection in runner.projections.items()
        for table in projection.tables
    }


class TestEmbeddedBackup:
    """`logbog admin backup DIR` copies the SQLite store while it is in use."""

    def test_backup_restore(self, tmp_path: Path, clock: Clock, monkeypatch: Any) -> None:
        live_dir = tmp_path / "live"
        monkeypatch.setenv("LOGBOG_VAR_DIR", str(live_dir))
        monkeypatch.setenv("LOGBOG_LOG_FORMAT", "json")
        monkeypatch.delenv("LOGBOG_DATABASE_URL", raising=False)
        live = bootstrap(Settings(), today=clock)
        try:
            _fill(live)
            expected = _answers(live)
            copied = CliRunner().invoke(cli, ["admin", "backup", str(tmp_path / "copy")])
            assert copied.exit_code == 0, copied.output  # while the store is open
            again = CliRunner().invoke(cli, ["admin", "backup", str(tmp_path / "copy")])
            assert again.exit_code == 2  # never overwritten
        finally:
            live.close()
        restored = bootstrap(Settings(var_dir=tmp_path / "copy"), today=clock)
        try:
            assert verify(restored.app.recorder).intact
            assert _answers(restored) == expected
            for name in restored.runner.projections:
                restored.runner.rebuild(name)
            assert _answers(restored) == expected
        finally:
            restored.close()


@pytest.mark.postgres
def test_pg_dump_restored_into_an_empty_database(tmp_path: Path, clock: Clock) -> None:
    """pg_dump of the events' schema, pg_restore into a new database: the chain verifies and
    the read models, rebuilt from the restored events, answer as before."""
    require_postgres()
    schema = f"b_{uuid.uuid4().hex[:10]}"
    database = f"restore_{uuid.uuid4().hex[:10]}"
    source = Storage.parse(f"{PG_URL}?schema={schema}", tmp_path)
    settings = Settings(var_dir=tmp_path / "var", demo_data=False, log_format="json")
    live = bootstrap(settings, storage=source, today=clock)
    dump = tmp_path / "logbog.dump"
    admin = psycopg.connect(PG_URL, autocommit=True)
    try:
        _fill(live)
        expected = _answers(live)
        pg = source.pg
        env = {**os.environ, "PGPASSWORD": pg["password"]}
        connection = ["--host", pg["host"], "--port", pg["port"], "--username", pg["user"]]
        subprocess.run(
            [
                "pg_dump",
                *connection,
                "--format=custom",
                f"--schema={schema}",
                f"--file={dump}",
                pg["dbname"],
            ],
            check=True,
            env=env,
        )
        admin.execute(f'CREATE DATABASE "{database}"')
        subprocess.run(
            ["pg_restore", *connection, "--no-owner", f"--dbname={database}", str(dump)],
            check=True,
            env=env,
        )
        base = PG_URL.rsplit("/", 1)[0]
        target = Storage.parse(f"{base}/{database}?schema={schema}", tmp_path)
        restored = bootstrap(settings, storage=target, today=clock)
        try:
            assert verify(restored.app.recorder).intact
            assert restored.app.position() == live.app.position()
            assert _answers(restored) == expected
        finally:
            restored.close()
    finally:
        live.close()
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            for name in (schema, f"{schema}_read"):
                conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.close()


def test_no_backup_of_a_missing_store(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("LOGBOG_VAR_DIR", str(tmp_path / "nothing"))
    monkeypatch.delenv("LOGBOG_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["admin", "backup", str(tmp_path / "copy")])
    assert result.exit_code == 2
    assert "no store" in result.output
