"""The audit trail: tamper evidence on SQLite and PostgreSQL, views back in time, who read what."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from logbog_es.application import Logbog
from logbog_es.application.app import COPENHAGEN
from logbog_es.application.chain import verify
from logbog_es.application.handlers import HANDLERS
from logbog_es.application.history import history, logbook_from_aggregates
from logbog_es.bootstrap import Container
from logbog_es.cli import cli
from logbog_es.commands import ApproveCompetency, WithdrawApproval
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import LogbogError
from logbog_es.domain.programme import Programme
from tests.conftest import PG_URL, Clock
from tests.helpers import Ward, World


def _approve(ward: Ward, code: str, on: str) -> Any:
    return ward.world.run(
        ApproveCompetency.model_validate(
            {
                "programme_id": ward.programme,
                "competency_code": code,
                "method": "mini_cex",
                "assessed_on": on,
            }
        ),
        ward.world.actor(ward.uao),
    )


@pytest.fixture
def ward(container: Container) -> Ward:
    ward = Ward(World(container.app))
    _approve(ward, "K1", "2026-02-02")
    _approve(ward, "K2", "2026-03-03")
    return ward


class Tamper:
    """Direct changes to the stored events, as an intruder with database access would make."""

    def __init__(self, container: Container) -> None:
        recorder: Any = container.app.recorder
        self.kind = type(recorder).__name__
        self.recorder = recorder
        self.table = recorder.events_table_name

    def _sqlite(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.recorder.datastore.pool.db_name)
        conn.execute(f"DROP TRIGGER IF EXISTS {self.table}_no_update")
        conn.execute(f"DROP TRIGGER IF EXISTS {self.table}_no_delete")
        return conn

    def _pg(self) -> psycopg.Connection[Any]:
        conn = psycopg.connect(PG_URL, autocommit=True)
        conn.execute(
            f'ALTER TABLE "{self.recorder.datastore.schema}"."{self.table}" '
            "DISABLE TRIGGER logbog_append_only"
        )
        return conn

    def alter(self, position: int) -> None:
        if "SQLite" in self.kind:
            with self._sqlite() as conn:
                conn.execute(
                    f"UPDATE {self.table} SET state = state || x'20' WHERE rowid = ?", (position,)
                )
        else:
            with self._pg() as conn:
                conn.execute(
                    f'UPDATE "{self.recorder.datastore.schema}"."{self.table}" '
                    "SET state = state || '\\x20'::bytea WHERE notification_id = %s",
                    (position,),
                )

    def remove(self, position: int) -> None:
        if "SQLite" in self.kind:
            with self._sqlite() as conn:
                conn.execute(f"DELETE FROM {self.table} WHERE rowid = ?", (position,))
        else:
            with self._pg() as conn:
                conn.execute(
                    f'DELETE FROM "{self.recorder.datastore.schema}"."{self.table}" '
                    "WHERE notification_id = %s",
                    (position,),
                )

    def insert(self, stream: UUID, version: int, topic: str, state: bytes) -> None:
        if "SQLite" in self.kind:
            with self._sqlite() as conn:
                conn.execute(
                    f"INSERT INTO {self.table} VALUES (?, ?, ?, ?)",
                    (stream.hex, version, topic, state),
                )
        else:
            with self._pg() as conn:
                conn.execute(
                    f'INSERT INTO "{self.recorder.datastore.schema}"."{self.table}" '
                    "(originator_id, originator_version, topic, state) "
                    "VALUES (%s, %s, %s, %s)",
                    (stream, version, topic, state),
                )


@pytest.mark.parametrize(
    "container", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
class TestTamperEvidence:
    """Changing, deleting or inserting a stored event directly is named by verify."""

    def test_untouched_store_is_intact(self, container: Container, ward: Ward) -> None:
        """A store written only by the service verifies clean."""
        result = verify(container.app.recorder)
        assert result.intact
        assert result.checked == container.app.position()

    def test_both_append_paths_chain_alike(self, container: Container, ward: Ward) -> None:
        """PostgreSQL appends a command's few events through a database function that hashes
        the links in SQL, and big batches by COPY with the links hashed in Python: mixed, the
        chain verifies (the SQL hash is `link`, byte for byte)."""
        from logbog_es.application.chain import SMALL_APPEND
        from logbog_es.domain.base import Meta
        from logbog_es.domain.values import Capacity

        meta = Meta("test", Capacity.SECRETARIAT, "batch")
        many = [
            Doctor.register(
                authorisation_id=f"X{n:04d}", name=f"Læge {n}", email=None, cpr=None, meta=meta
            )
            for n in range(SMALL_APPEND + 1)
        ]
        container.app.save(*many)  # one append bigger than SMALL_APPEND
        _approve(ward, "K3", "2026-02-02")  # then a small one again
        result = verify(container.app.recorder)
        assert result.intact, result.findings
        assert result.checked == container.app.position()

    def test_the_store_refuses_updates_and_deletes(self, container: Container, ward: Ward) -> None:
        """The service's own connections cannot change, delete or truncate a stored event or
        its chain row; the store is as it was."""
        recorder: Any = container.app.recorder
        before = verify(recorder)
        if "SQLite" in type(recorder).__name__:
            for table in (recorder.events_table_name, "event_chain"):
                for statement in (f"DELETE FROM {table}", f"UPDATE {table} SET topic = 'x'"):
                    with (
                        pytest.raises(sqlite3.DatabaseError, match="append-only"),
                        sqlite3.connect(recorder.datastore.pool.db_name) as conn,
                    ):
                        conn.execute(statement)
        else:
            schema = recorder.datastore.schema
            for table in (recorder.events_table_name, "event_chain"):
                name = f'"{schema}"."{table}"'
                for statement in (
                    f"DELETE FROM {name}",
                    f"UPDATE {name} SET topic = 'x'",
                    f"TRUNCATE {name}",
                ):
                    with (
                        pytest.raises(psycopg.Error, match="append-only"),
                        psycopg.connect(PG_URL, autocommit=True) as conn,
                    ):
                        conn.execute(statement)
        after = verify(recorder)
        assert after.intact
        assert (after.checked, after.head_sha256) == (before.checked, before.head_sha256)
        assert after.checked == container.app.position() > 0

    def test_altered_removed_and_inserted_are_each_named(
        self, container: Container, ward: Ward
    ) -> None:
        """One of each: verify names all three with their positions and exits non-zero."""
        tamper = Tamper(container)
        head = container.app.position()
        tamper.alter(5)
        tamper.remove(9)
        approvals = container.app.repository.get(ward.programme)
        tamper.insert(
            ward.programme, approvals.version + 1, "logbog:Programme.CourseCompleted", b"{}"
        )
        findings = {(f.kind, f.position) for f in verify(container.app.recorder).findings}
        assert ("altered", 5) in findings
        assert ("removed", 9) in findings
        assert ("inserted", head + 1) in findings
        assert len(findings) == 3

    def test_verify_for_one_doctor(self, container: Container, ward: Ward) -> None:
        """With --doctor, only findings in that doctor's streams are reported."""
        from logbog_es.application.history import streams_of

        doctor = container.app.repository.get(ward.trainee)
        mine = {str(s) for s in streams_of(container.app, doctor)[0]}
        other = container.app.repository.get(ward.uao)
        theirs = {str(s) for s in streams_of(container.app, other)[0]}
        programme_event = next(p for p, s in _positions(container) if s == ward.programme)
        Tamper(container).alter(programme_event)
        assert [f.position for f in verify(container.app.recorder, mine).findings] == [
            programme_event
        ]
        assert verify(container.app.recorder, theirs).intact

    def test_a_submission_whose_anchor_moved_is_named(
        self, container: Container, ward: Ward
    ) -> None:
        """A submission's recorded chain head must still be in the chain; one that is not is
        named, even when the chain itself verifies (history rewritten and re-chained)."""
        from logbog_es.application.chain import head
        from logbog_es.application.history import broken_anchors
        from logbog_es.domain.base import Meta
        from logbog_es.domain.readiness import SubmissionKind
        from logbog_es.domain.submission import Submission
        from logbog_es.domain.values import Capacity

        position, sha = head(container.app.recorder)

        def submit(number: int, anchor: tuple[int, str]) -> Submission:
            submission = Submission.submit(
                new_id=UUID(int=number),
                programme_id=ward.programme,
                doctor_id=ward.trainee,
                kind=SubmissionKind.INDEPENDENT_PRACTICE,
                submitted_on=date(2026, 6, 1),
                package={"employments": []},
                sources={},
                chain_head=anchor,
                meta=Meta("test", Capacity.TRAINEE, f"anchor-{number}"),
            )
            container.app.save(submission)
            return submission

        kept = submit(1, (position, sha))
        moved = submit(2, (position, "f" * 64))
        streams = {str(kept.id), str(moved.id), str(ward.trainee)}
        assert verify(container.app.recorder).intact
        assert [s.id for s in broken_anchors(container.app, streams)] == [moved.id]


def _positions(container: Container) -> list[tuple[int, UUID]]:
    return [
        (n.id, n.originator_id)
        for n in container.app.recorder.select_notifications(start=1, limit=100_000)
    ]


class TestVerifyCommand:
    """`logbog audit verify` exits 0 on an untouched store and 1 after tampering."""

    def test_cli_exit_codes(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Untouched: exit 0, 'intact'. Altered: exit 1, naming the position."""
        monkeypatch.setenv("LOGBOG_VAR_DIR", str(tmp_path / "var"))
        monkeypatch.setenv("LOGBOG_LOG_FORMAT", "json")
        monkeypatch.delenv("LOGBOG_DATABASE_URL", raising=False)
        from logbog_es.bootstrap import bootstrap
        from logbog_es.settings import Settings

        container = bootstrap(Settings(), with_tokens=False)
        ward = Ward(World(container.app))
        doctor = str(ward.trainee)
        runner = CliRunner()
        clean = runner.invoke(cli, ["audit", "verify"])
        assert clean.exit_code == 0, clean.output
        assert "intact" in clean.output
        one = runner.invoke(cli, ["audit", "verify", "--doctor", doctor])
        assert one.exit_code == 0, one.output
        assert f"(doctor {doctor})" in one.output
        assert runner.invoke(cli, ["audit", "verify", "--doctor", "nobody"]).exit_code == 2
        Tamper(container).alter(3)
        container.close()
        broken = runner.invoke(cli, ["audit", "verify"])
        assert broken.exit_code == 1
        assert "altered: position 3" in broken.output
        trail = runner.invoke(cli, ["audit", "trail", doctor])
        assert trail.exit_code == 0
        assert "logbook access from the first working day" in trail.output


class TestViewsBackInTime:
    """as_of (recorded time) and effective_on (effective time) are different questions."""

    @settings(max_examples=25, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.sampled_from(["approve", "withdraw"]),
                st.sampled_from(["K1", "K2", "K3"]),
                st.integers(1, 150),
            ),
            max_size=12,
        ),
        st.data(),
    )
    def test_logbook_as_of_position_equals_replay_of_first_n_events(
        self, steps: list[tuple[str, str, int]], data: st.DataObject
    ) -> None:
        """For any N: the history's logbook at position N equals aggregates replayed to N."""
        app = Logbog(
            handlers=HANDLERS,
            env={"PERSISTENCE_MODULE": "logbog_es.application.chain:ChainedPOPOFactory"},
            today=lambda: date(2026, 6, 15),
        )
        ward = Ward(World(app))
        for action, code, day in steps:
            programme = app.repository.get(ward.programme)
            try:
                if action == "approve":
                    _approve(
                        ward, code, date.fromordinal(date(2026, 1, 1).toordinal() + day).isoformat()
                    )
                else:
                    active = [a for a in programme.approvals if not a.withdrawn]
                    if active:
                        ward.world.run(
                            WithdrawApproval(
                                programme_id=ward.programme,
                                approval_id=active[0].approval_id,
                                reason="x",
                            ),
                            ward.world.actor(ward.uao),
                        )
            except LogbogError:  # refused by the rules; a refused command writes nothing
                pass
        head = app.position()
        n = data.draw(st.integers(0, head))
        view = history(app, ward.trainee, as_of_position=n).logbook
        assert view == _replayed_to(app, ward.trainee, n)

    def test_as_of_versus_effective_on(self, memory_container: Container, clock: Clock) -> None:
        """An approval recorded after the programme, for an assessment in March: in force from
        March (effective time), but the logbook as recorded just before it did not show it."""
        app = memory_container.app
        ward = Ward(World(app))
        before_approval = app.position()
        _approve(ward, "K1", "2026-03-02")
        programme = str(ward.programme)

        as_recorded = history(app, ward.trainee, as_of_position=before_approval).logbook
        assert programme in as_recorded.programmes
        assert not as_recorded.programmes[programme].approvals
        in_force = history(app, ward.trainee, effective_on=date(2026, 3, 31)).logbook
        assert [a.competency_code for a in in_force.programmes[programme].approvals.values()] == [
            "K1"
        ]
        before = history(app, ward.trainee, effective_on=date(2026, 3, 1)).logbook
        assert not before.programmes[programme].approvals

        # Recorded time is the wall clock of recording: nothing before that day, all of it after.
        recorded_on = app.repository.get(ward.programme).modified_on.astimezone(COPENHAGEN).date()
        assert not history(
            app, ward.trainee, as_of=recorded_on - timedelta(days=1)
        ).logbook.programmes
        now = history(app, ward.trainee, as_of=recorded_on).logbook
        assert [a.competency_code for a in now.programmes[programme].approvals.values()] == ["K1"]


def _replayed_to(app: Logbog, doctor_id: UUID, n: int) -> Any:
    """Aggregates replayed by the library from the first n events of the log."""
    versions: dict[UUID, int] = {}
    for notification in app.recorder.select_notifications(start=1, limit=1_000_000):
        if notification.id <= n:
            versions[notification.originator_id] = notification.originator_version
    doctor = (
        app.repository.get(doctor_id, version=versions[doctor_id])
        if doctor_id in versions
        else None
    )
    programmes = []
    if isinstance(doctor, Doctor):
        current = app.repository.get(doctor_id)
        for ref in current.programmes:
            if ref.programme_id in versions:
                found = app.repository.get(ref.programme_id, version=versions[ref.programme_id])
                assert isinstance(found, Programme)
                programmes.append(found)
    return logbook_from_aggregates(doctor if isinstance(doctor, Doctor) else None, programmes)


class TestWhoReadWhat:
    """Reading another person's history is recorded; the doctor sees who read it."""

    def test_reads_are_recorded(self, memory_container: Container) -> None:
        """The secretariat reads the history; the doctor's own reads are not recorded."""
        from logbog_es.application import queries

        ward = Ward(World(memory_container.app))
        app = memory_container.app
        queries.read_history(app, ward.world.actor(ward.trainee), ward.trainee)
        assert queries.read_readers(app, ward.world.actor(ward.trainee), ward.trainee) == []
        queries.read_history(app, ward.world.sek["nord"], ward.trainee)
        readers = queries.read_readers(app, ward.world.actor(ward.trainee), ward.trainee)
        assert [(r.reader_id, r.capacity, r.what) for r in readers] == [
            ("sek-nord", "secretariat", "history")
        ]
        from logbog_es.domain.errors import NotAllowed

        with pytest.raises(NotAllowed):
            queries.read_history(app, ward.world.actor(ward.uao), ward.trainee)
        with pytest.raises(NotAllowed):
            queries.read_readers(app, ward.world.sek["nord"], ward.trainee)


class TestHistoryReads:
    """Issue 16: a history call reads the store a fixed number of times, however many
    approvals were withdrawn (each withdrawal once cost a read of the programme)."""

    @staticmethod
    def reads(container: Container, ward: Ward) -> int:
        recorder: Any = container.app.recorder
        counted = {"n": 0}
        original = recorder.select_events

        def counting(*args: Any, **kwargs: Any) -> Any:
            counted["n"] += 1
            return original(*args, **kwargs)

        recorder.select_events = counting
        try:
            history(container.app, ward.trainee)
        finally:
            recorder.select_events = original
        return counted["n"]

    def test_withdrawals_add_no_reads(self, memory_container: Container) -> None:
        app = memory_container.app
        ward = Ward(World(app))
        app.repository.cache = None  # every find reads the store, as after a restart
        withdrawn = 0
        counts = []
        for round_ in range(3):
            for code in ("K1", "K2", "K3"):
                _approve(ward, code, f"2026-0{round_ + 2}-0{withdrawn % 9 + 1}")
                approval = app.repository.get(ward.programme).active_approval(code)
                ward.world.run(
                    WithdrawApproval(
                        programme_id=ward.programme, approval_id=approval.approval_id, reason="x"
                    ),
                    ward.world.actor(ward.uao),
                )
                withdrawn += 1
            counts.append(self.reads(memory_container, ward))
        assert counts[0] == counts[-1], counts  # 3, then 9 withdrawals: the same reads
