"""Signed checkpoints of the audit chain, kept outside the database (issue 15, item 6): an
insider who alters an event and computes the chain again passes the chain's own check, but not
the signed checkpoints."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from logbog_es.application.chain import CHAIN_TABLE, GENESIS, link, row_at, state_hash, verify
from logbog_es.bootstrap import Container, bootstrap
from logbog_es.cli import cli
from logbog_es.settings import Settings
from tests.conftest import Clock
from tests.helpers import Ward, World


def _rewrite_history(container: Container, position: int) -> None:
    """What an insider with the database (but not the checkpoint key) can do: change a stored
    event and compute every later chain row again, so that the chain checks out."""
    recorder: Any = container.app.recorder
    events = recorder.events_table_name
    with sqlite3.connect(recorder.datastore.pool.db_name) as conn:
        for table in (events, CHAIN_TABLE):
            for op in ("update", "delete"):
                conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
        conn.execute(f"UPDATE {events} SET state = state || x'20' WHERE rowid = ?", (position,))
        before = row_at(recorder, position - 1) if position > 1 else None
        previous = before.chain_sha256 if before else GENESIS
        rows = conn.execute(
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {events} "
            "WHERE rowid >= ? ORDER BY rowid",
            (position,),
        ).fetchall()
        for rowid, stream, version, topic, state in rows:
            digest = state_hash(state)
            previous = link(previous, rowid, stream, version, topic, digest)
            conn.execute(
                f"UPDATE {CHAIN_TABLE} SET state_sha256 = ?, chain_sha256 = ? WHERE position = ?",
                (digest, previous, rowid),
            )


@pytest.fixture
def store(tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("LOGBOG_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("LOGBOG_LOG_FORMAT", "json")
    monkeypatch.delenv("LOGBOG_DATABASE_URL", raising=False)
    container = bootstrap(Settings(), today=clock)
    Ward(World(container.app))
    yield container
    container.close()


class TestSignedCheckpoints:
    def test_an_honest_store_matches(self, store: Container) -> None:
        signed = store.checkpoints.at_head(store.app.recorder)
        assert signed.position == store.app.position()
        assert store.checkpoints.check(store.app.recorder) == []
        line = json.loads(store.checkpoints.path.read_text().splitlines()[-1])
        assert line["signature"] == signed.signature

    def test_a_rewritten_past_is_caught(self, store: Container) -> None:
        store.checkpoints.at_head(store.app.recorder)
        _rewrite_history(store, 5)
        assert verify(store.app.recorder).intact  # the unkeyed chain alone is fooled
        problems = store.checkpoints.check(store.app.recorder)
        assert len(problems) == 1
        assert "differs from the signed one" in problems[0]
        result = CliRunner().invoke(cli, ["audit", "verify"])
        assert result.exit_code == 1
        assert "not matching" in result.output

    def test_an_altered_checkpoint_file_is_caught(self, store: Container) -> None:
        store.checkpoints.at_head(store.app.recorder)
        path = store.checkpoints.path
        entry = json.loads(path.read_text())
        entry["position"] -= 1
        path.write_text(json.dumps(entry) + "\n")
        (problem,) = store.checkpoints.check(store.app.recorder)
        assert "signature does not verify" in problem

    def test_cli_signs_and_verifies(self, store: Container) -> None:
        signed = CliRunner().invoke(cli, ["audit", "checkpoint"])
        assert signed.exit_code == 0, signed.output
        checked = CliRunner().invoke(cli, ["audit", "verify"])
        assert checked.exit_code == 0, checked.output
        assert "1 signed checkpoint(s)" in checked.output
