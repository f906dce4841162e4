"""Fault tests: killed servers and runners, a database restart, many conflicting writers.

Nothing a user was told is saved may be lost, nothing unanswered may be half-written, and a
retried command is never recorded twice.
"""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx2 as httpx
import psycopg
import pytest

from logbog_es.application.chain import verify
from logbog_es.bootstrap import bootstrap
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.programme import Programme
from logbog_es.domain.receipt import CommandReceipt, receipt_id, scoped_command_id
from logbog_es.settings import Settings
from logbog_es.tokens import LocalIssuer
from tests.conftest import PG_URL, require_postgres
from tests.faults.conftest import CLI, service_env
from tests.helpers import Ward, World, assert_read_models_equal_rebuild


def _settings(env: dict[str, str]) -> Settings:
    return Settings(
        var_dir=Path(env["LOGBOG_VAR_DIR"]),
        database_url=env.get("LOGBOG_DATABASE_URL"),
        demo_data=False,
        log_format="json",
    )


def _prepare(env: dict[str, str], doctors: int) -> list[uuid.UUID]:
    """Staff, a curriculum, a department and doctors waiting for a programme."""
    container = bootstrap(_settings(env), with_tokens=False)
    try:
        world = World(container.app)
        world.specialty("kbu", ("kbu",))
        world.curriculum("2019", date(2019, 2, 1))
        return [world.doctor(f"FT{i:03d}", f"Fejl Test {i}") for i in range(doctors)]
    finally:
        container.close()


def _headers(env: dict[str, str], subject: str, key: str | None = None) -> dict[str, str]:
    token = LocalIssuer(_settings(env)).issue(subject)
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    return headers


def _start_body(doctor: uuid.UUID) -> dict[str, str]:
    return {
        "doctor_id": str(doctor),
        "specialty_code": "kbu",
        "stage": "kbu",
        "region": "nord",
        "hiring_date": "2024-02-01",
    }


def _start_programme(
    base: str, env: dict[str, str], doctor: uuid.UUID, key: str, timeout: float = 5
) -> httpx.Response:
    return httpx.post(
        f"{base}/commands/start-programme",
        json=_start_body(doctor),
        headers=_headers(env, "sek-nord", key),
        timeout=timeout,
    )


def _check_exactly_once(
    env: dict[str, str],
    doctors: list[uuid.UUID],
    keys: dict[uuid.UUID, str],
    acknowledged: set[uuid.UUID],
) -> None:
    container = bootstrap(_settings(env), with_tokens=False)
    try:
        app = container.app
        assert verify(app.recorder).intact
        for doctor_id in doctors:
            doctor = app.repository.get(doctor_id)
            assert isinstance(doctor, Doctor)
            receipt = app.find(
                CommandReceipt, receipt_id(scoped_command_id("sek-nord", keys[doctor_id]))
            )
            if doctor_id in acknowledged:
                assert len(doctor.programmes) == 1, "an acknowledged command was lost"
            # Never half-written: programme, enrolment and receipt exist together or not at all.
            assert len(doctor.programmes) <= 1, "a retried command was recorded twice"
            if doctor.programmes:
                programme = app.find(Programme, doctor.programmes[0].programme_id)
                assert programme is not None
                assert receipt is not None
            else:
                assert receipt is None
    finally:
        container.close()


class TestServerKilled:
    """SIGKILL during a stream of commands; then every client retries with the same key."""

    def test_sigkill_during_a_stream(self, tmp_path: Path, server_factory: Any) -> None:
        """Acknowledged: kept once. Retries: not duplicated. Nothing is half-written."""
        env = service_env(tmp_path)
        doctors = _prepare(env, 60)
        keys = {d: f"start-{d}" for d in doctors}
        server = server_factory(env)
        server.start()
        acknowledged: set[uuid.UUID] = set()
        lock = threading.Lock()
        killed = threading.Event()

        def client(batch: list[uuid.UUID]) -> None:
            for doctor in batch:
                if killed.is_set():
                    return
                try:
                    if _start_programme(server.base, env, doctor, keys[doctor]).status_code == 200:
                        with lock:
                            acknowledged.add(doctor)
                except httpx.HTTPError:
                    return

        threads = [threading.Thread(target=client, args=(doctors[i::3],)) for i in range(3)]
        for thread in threads:
            thread.start()
        while len(acknowledged) < 10:
            time.sleep(0.01)
        server.kill()
        killed.set()
        for thread in threads:
            thread.join()
        assert 10 <= len(acknowledged) < len(doctors)
        server.start()
        for doctor in doctors:  # every client retries what it sent, with the same key
            response = _start_programme(server.base, env, doctor, keys[doctor])
            assert response.status_code == 200, response.text
            if doctor in acknowledged:
                assert response.json()["replayed"] is True
        server.stop()
        _check_exactly_once(env, doctors, keys, set(doctors))


class TestProjectionRunnerKilled:
    """A projection process killed mid-batch: after a restart its read models equal a rebuild."""

    def test_sigkill_runner(self, tmp_path: Path) -> None:
        """Killed at an arbitrary moment with small batches, restarted, caught up, equal."""
        env = service_env(tmp_path)
        env["LOGBOG_IN_PROCESS_PROJECTIONS"] = "false"
        container = bootstrap(_settings(env), with_tokens=False)
        try:
            world = World(container.app)
            world.specialty("kbu", ("kbu",))
            world.curriculum("2019", date(2019, 2, 1))
            department = world.department()
            for i in range(80):
                doctor = world.doctor(f"PK{i:03d}", f"Projektion {i}")
                programme = world.programme(doctor, date(2024, 2, 1))
                world.employ(programme, department, date(2024, 2, 1), date(2024, 7, 31))
        finally:
            container.close()
        log = (tmp_path / "runner.log").open("ab")
        runner = subprocess.Popen(
            [*CLI, "projections", "run", "--batch-size", "3", "--poll-seconds", "0.1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        time.sleep(2.5)
        runner.kill()
        runner.wait(timeout=10)
        container = bootstrap(_settings(env), with_tokens=False)
        try:
            head = container.app.position()
            assert any(s.position < head for s in container.runner.status()), (
                "the runner finished before it was killed; the test proves nothing"
            )
        finally:
            container.close()
        again = subprocess.Popen(
            [*CLI, "projections", "run", "--poll-seconds", "0.1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            container = bootstrap(_settings(env), with_tokens=False)
            while any(s.lag for s in container.runner.status()):
                assert time.monotonic() < deadline, "the restarted runner did not catch up"
                time.sleep(0.2)
        finally:
            again.terminate()
            again.wait(timeout=10)
            log.close()
        try:
            assert_read_models_equal_rebuild(container)
        finally:
            container.close()


@pytest.mark.postgres
class TestDatabaseRestart:
    """PostgreSQL stopped and started under load: 503 with Retry-After, then recovery."""

    def test_postgres_restart(self, tmp_path: Path, server_factory: Any, pg_schemas: Any) -> None:
        """During the outage commands get 503 + Retry-After; after it, all succeed; none lost."""
        require_postgres()
        schema = f"t_{uuid.uuid4().hex[:12]}"
        pg_schemas.created += [schema, f"{schema}_read"]
        env = service_env(tmp_path, f"{PG_URL}?schema={schema}")
        doctors = _prepare(env, 40)
        keys = {d: f"start-{d}" for d in doctors}
        server = server_factory(env)
        server.start()
        acknowledged: set[uuid.UUID] = set()
        statuses: list[int] = []
        retry_after: list[str] = []
        cluster = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]

        def pg(action: str) -> None:
            # Exit status 2 means "already in that state"; anything else is a real failure.
            done = subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", action],
                check=False,
                capture_output=True,
                timeout=60,
            )
            assert done.returncode in (0, 2), done.stderr

        try:
            for index, doctor in enumerate(doctors):
                if index == 10:
                    pg("stop")
                if index == 20:
                    pg("start")
                    _wait_for_postgres()
                try:
                    response = _start_programme(server.base, env, doctor, keys[doctor], 30)
                except httpx.HTTPError:
                    continue  # no answer: the client will retry with the same key
                statuses.append(response.status_code)
                if response.status_code == 200:
                    acknowledged.add(doctor)
                    continue
                assert response.status_code == 503, response.text
                assert response.headers["content-type"].startswith("application/problem+json")
                retry_after.append(response.headers["Retry-After"])
        finally:
            pg("start")
            _wait_for_postgres()
        assert 503 in statuses, "the outage was never seen"
        assert retry_after and all(v.isdigit() for v in retry_after)
        for doctor in doctors:  # clients retry what was refused during the outage
            if doctor in acknowledged:
                continue
            for _attempt in range(30):  # the service heals by itself within a few attempts
                response = _start_programme(server.base, env, doctor, keys[doctor], timeout=30)
                if response.status_code != 503:
                    break
                time.sleep(float(response.headers["Retry-After"]))
            assert response.status_code == 200, response.text
        deadline = time.monotonic() + 30  # ready again once the read models have caught up
        while (ready := httpx.get(f"{server.base}/readyz", timeout=10)).status_code != 200:
            assert ready.status_code == 503, ready.text
            assert time.monotonic() < deadline, f"not ready 30 s after the outage: {ready.text}"
            time.sleep(0.2)
        server.stop()
        _check_exactly_once(env, doctors, keys, set(doctors))


def _wait_for_postgres() -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(PG_URL, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
                return
        except psycopg.Error:
            time.sleep(0.5)
    raise RuntimeError("PostgreSQL did not come back")


class TestConflictingWriters:
    """Many threads approving the same competency over HTTP: one wins, the others get 409."""

    def test_one_wins(self, tmp_path: Path, server_factory: Any) -> None:
        """Twenty concurrent approvals: exactly one 200, nineteen clear 409s."""
        env = service_env(tmp_path)
        container = bootstrap(_settings(env), with_tokens=False, today=lambda: date(2026, 6, 15))
        try:
            ward = Ward(World(container.app), hired=date(2025, 7, 1))
        finally:
            container.close()
        server = server_factory(env)
        server.start()
        results: list[httpx.Response] = []
        lock = threading.Lock()
        go = threading.Barrier(20)

        def approve(n: int) -> None:
            go.wait()
            response = httpx.post(
                f"{server.base}/commands/approve-competency",
                json={
                    "programme_id": str(ward.programme),
                    "competency_code": "K1",
                    "method": "mini_cex",
                    "assessed_on": f"2025-09-{n + 1:02d}",
                },
                headers=_headers(env, str(ward.uao)),
                timeout=30,
            )
            with lock:
                results.append(response)

        threads = [threading.Thread(target=approve, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        codes = sorted(r.status_code for r in results)
        assert codes == [200] + [409] * 19, codes
        for response in results:
            if response.status_code == 409:
                body = response.json()
                assert body["code"] in ("logbook.already_approved", "command.concurrency")
                assert body["detail"]


@pytest.mark.postgres
class TestImportKilled:
    """`logbog import legacy` with several processes, SIGKILLed mid-run and started again."""

    def test_sigkill_parallel_import(self, tmp_path: Path, pg_schemas: Any) -> None:
        """The whole process group (main and workers) is killed while batches are being
        saved; the second run imports the rest: every doctor exactly once, chain intact."""
        import json
        import os
        import random
        import signal

        from logbog_es.migration.generate import logbook, reference

        require_postgres()
        schema = f"t_{uuid.uuid4().hex[:12]}"
        pg_schemas.created += [schema, f"{schema}_read"]
        env = service_env(tmp_path, f"{PG_URL}?schema={schema}")
        doctors = 300
        rng = random.Random(7)
        export = tmp_path / "export.jsonl"
        export.write_text(
            "".join(json.dumps(logbook(i, rng)) + "\n" for i in range(doctors)), encoding="utf-8"
        )
        ref = tmp_path / "reference.json"
        ref.write_text(json.dumps(reference()), encoding="utf-8")
        command = [
            *CLI,
            *("import", "legacy", str(export), "--reference", str(ref)),
            *("--workers", "2", "--batch-size", "5"),
        ]

        def receipts() -> int:
            try:
                with psycopg.connect(PG_URL) as conn:
                    row = conn.execute(
                        f'SELECT count(*) FROM "{schema}".logbog_events '
                        "WHERE topic = 'logbog:CommandReceipt.Issued'"
                    ).fetchone()
                    return int(row[0]) if row else 0
            except psycopg.errors.UndefinedTable:
                return 0

        first = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while receipts() < 40 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.05)
        assert first.poll() is None, "the first run ended before it could be killed"
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = receipts()
        assert 40 <= killed_at < doctors
        report = tmp_path / "report.json"
        second = subprocess.run(
            [*command, "--report", str(report)],
            check=False,
            env=env,
            capture_output=True,
            timeout=300,
        )
        assert second.returncode == 0, second.stderr.decode()[-2000:]
        summary = json.loads(report.read_text())["summary"]
        assert summary["skipped"] == killed_at
        assert summary["imported"] == doctors - killed_at
        with psycopg.connect(PG_URL) as conn:
            twice = conn.execute(
                f'SELECT originator_id FROM "{schema}".logbog_events '
                "WHERE topic = 'logbog:Doctor.Registered' "
                "GROUP BY originator_id HAVING count(*) > 1"
            ).fetchall()
        assert twice == []
        assert receipts() == doctors
        container = bootstrap(_settings(env), with_tokens=False)
        try:
            assert verify(container.app.recorder).intact
        finally:
            container.close()

        # SIGTERM to the main process only (as a service manager sends it): the workers stop
        # with it instead of running on without a parent.
        second_file = tmp_path / "more.jsonl"
        second_file.write_text(
            "".join(json.dumps(logbook(i, rng)) + "\n" for i in range(doctors, 2 * doctors)),
            encoding="utf-8",
        )
        command[command.index(str(export))] = str(second_file)
        third = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        while receipts() < doctors + 40 and time.monotonic() < deadline + 120:
            assert third.poll() is None, "the run ended before it could be stopped"
            time.sleep(0.05)
        third.send_signal(signal.SIGTERM)
        assert third.wait(timeout=60) != 0
        stopped = time.monotonic() + 30
        while True:  # nothing of the import's process group is left
            try:
                os.killpg(third.pid, 0)
            except ProcessLookupError:
                break
            assert time.monotonic() < stopped, "worker processes outlived the import"
            time.sleep(0.1)


@pytest.mark.postgres
class TestSeveralWorkers:
    """The production shape: `serve --workers 2` beside `logbog projections run`."""

    def test_two_workers_beside_a_projection_process(
        self, tmp_path: Path, server_factory: Any, pg_schemas: Any
    ) -> None:
        """Commands over one keep-alive connection are answered by either worker, a read with
        ?after= sees each write once the projection process has it, and /metrics adds up the
        workers' counters."""
        require_postgres()
        schema = f"t_{uuid.uuid4().hex[:12]}"
        pg_schemas.created += [schema, f"{schema}_read"]
        env = service_env(tmp_path, f"{PG_URL}?schema={schema}")
        doctors = _prepare(env, 6)
        server = server_factory(env, "--workers", "2")
        server.start()
        runner = subprocess.Popen(
            [*CLI, "projections", "run"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with httpx.Client(base_url=server.base, timeout=15) as client:
                for doctor in doctors:
                    sent = client.post(
                        "/commands/start-programme",
                        json=_start_body(doctor),
                        headers=_headers(env, "sek-nord", f"start-{doctor}"),
                    )
                    assert sent.status_code == 200, sent.text
                    body = sent.json()
                    programme = next(
                        e["stream_id"]
                        for e in body["events"]
                        if e["type"] == "logbog:Programme.Started"
                    )
                    read = client.get(
                        f"/programmes/{programme}/progress",
                        params={"after": body["position"]},
                        headers=_headers(env, "sek-nord"),
                    )
                    assert read.status_code == 200, read.text
                    assert read.json()["programme_id"] == programme
                metrics = client.get("/metrics").text
            counted = [
                line
                for line in metrics.splitlines()
                if line.startswith("logbog_commands_total{")
                and 'command="start-programme"' in line
                and 'outcome="accepted"' in line
            ]
            assert len(counted) == 1, metrics[-2000:]
            assert float(counted[0].rsplit(" ", 1)[1]) == len(doctors)
        finally:
            runner.terminate()
            runner.wait(timeout=30)
