"""The benchmark command (`make bench`): commands over HTTP, reads, memory; SQLite and PostgreSQL.

For each store it builds a store of --doctors trainees (default 50,000), starts `logbog serve`
(on PostgreSQL one API worker and a projection process; --workers for more), sends the mix for
--warmup-seconds uncounted (a new server loads each programme it touches once), then measures:
- commands over HTTP with --clients concurrent clients and a realistic mix (approvals,
  assessment requests, absences, employments): commands/s and p50/p95/p99 latency, next to
  the raw rate of single-row INSERT+COMMIT with psycopg (or sqlite3) at the same concurrency;
- the same mix paced at --rate commands/s: p99 latency;
- read queries (region register, programme progress): p50 and p95;
- web pages (a trainee's logbook, a competency, training time; the UAO's inbox and trainees)
  rendered over HTTP with a web session: p50 and p95;
- the server process's peak resident memory.
It prints a table and writes bench-results/bench.json. Targets (2 cores, PostgreSQL beside):
1,000 commands/s; p99 <= 50 ms at 500/s (from the scheduled send time); save to read model
p50 <= 10 ms, p95 <= 50 ms; read p95 <= 20 ms; web page p95 <= 50 ms; memory < 300 MB. The
PostgreSQL database is LOGBOG_BENCH_DATABASE_URL (scripts/bench_common.py), never the tests'.

    .venv/bin/python scripts/bench.py --doctors 50000 --seconds 20
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import psycopg
import structlog

from bench_common import PG_URL, drop_schemas
from bench_data import reference
from bench_wire import Wire
from logbog_es.application.app import copenhagen_today
from logbog_es.bootstrap import bootstrap
from logbog_es.domain.access import DepartmentAccess
from logbog_es.domain.base import Meta
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.staff import StaffMember, check_grant
from logbog_es.domain.values import (
    Capacity,
    DepartmentKind,
    Region,
    StaffRole,
    Stage,
)
from logbog_es.settings import Settings
from logbog_es.tokens import LocalIssuer

CLI = [sys.executable, "-c", "from logbog_es.cli import main; main()"]


def _meta(capacity: Capacity = Capacity.SECRETARIAT) -> Meta:
    return Meta("bench", capacity, str(uuid.uuid4()))


def _month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class World:
    uao: uuid.UUID
    live: list[
        tuple[uuid.UUID, uuid.UUID, uuid.UUID, date, date]
    ]  # trainee, programme, employment, start, end
    programmes: list[uuid.UUID]
    departments: list[uuid.UUID]


def build(app: Any, doctors: int) -> World:
    """Reference data, a UAO, and `doctors` trainees each in the middle of a KBU employment."""
    today = copenhagen_today()
    specialty, _, departments = reference(app, region=Region.NORD)
    uao = Doctor.register(
        authorisation_id="UAO01", name="Ulla UAO", email="u@example.dk", cpr=None, meta=_meta()
    )
    access = DepartmentAccess.open(
        department_id=departments[0].id,
        kind=DepartmentKind.HOSPITAL,
        region=Region.NORD,
        meta=_meta(),
    )
    access.appoint(
        appointment_id=uuid.uuid4(), doctor_id=uao.id, start=date(2020, 1, 1), meta=_meta()
    )
    staff = StaffMember.enrol("bench-sek", _meta(Capacity.OPERATOR))
    staff.grant(check_grant(StaffRole.SECRETARIAT, Region.NORD), _meta(Capacity.OPERATOR))
    app.save(uao, access, staff)
    hired = _month(today, -5)
    end = _month(hired, 12) - timedelta(days=1)
    live, programmes, pending = [], [], []
    for index in range(doctors):
        meta = _meta()
        doctor = Doctor.register(
            authorisation_id=f"{index:05X}"[-5:],
            name=f"Læge {index}",
            email=f"l{index}@example.dk",
            cpr=None,
            meta=meta,
        )
        programme_id = uuid.uuid4()
        programme = doctor.start_programme(
            programme_id=programme_id,
            specialty_code="kbu",
            stage=Stage.KBU,
            region=Region.NORD,
            hiring_date=hired,
            pinned=specialty.pin(Stage.KBU, hired),
            meta=meta,
        )
        employment = doctor.add_employment(
            programme,
            employment_id=uuid.uuid4(),
            department_id=departments[index % 60].id,
            start=hired,
            end=end,
            percent=100,
            meta=meta,
        )
        programmes.append(programme.id)
        if index % 60 == 0:
            live.append((doctor.id, programme.id, employment.employment_id, hired, end))
        pending += [doctor, programme]
        if len(pending) >= 2000:
            app.save(*pending)
            pending = []
    if pending:
        app.save(*pending)
    return World(uao.id, live, programmes, [d.id for d in departments])


def mix(world: World, count: int, seed: int) -> list[tuple[str, str, dict[str, Any]]]:
    """Valid, independent commands: 50 % approvals, 20 % requests, 15 % absences, 15 %
    employments. Each is (command name, acting subject, body)."""
    rng = random.Random(seed)
    today = copenhagen_today()
    # Approvals and requests take different competencies: a request for an approved one is a
    # conflict, and every command of the mix should be accepted.
    approvals = [(t, p, f"K{k}") for t, p, *_ in world.live for k in range(13)]
    rng.shuffle(approvals)
    requests = [(t, p, f"K{k}") for t, p, *_ in world.live for k in range(13, 25)]
    rng.shuffle(requests)
    absence_days = {emp: start for _, _, emp, start, _ in world.live}
    next_start = {p: _month(end + timedelta(days=1), 0) for _, p, _, _, end in world.live}
    commands: list[tuple[str, str, dict[str, Any]]] = []
    while len(commands) < count:
        roll = rng.random()
        if roll < 0.5 and approvals:
            trainee, programme, code = approvals.pop()
            commands.append(
                (
                    "approve-competency",
                    str(world.uao),
                    {
                        "programme_id": str(programme),
                        "competency_code": code,
                        "method": "mini_cex",
                        "assessed_on": (today - timedelta(days=rng.randint(1, 60))).isoformat(),
                    },
                )
            )
        elif roll < 0.7 and requests:
            trainee, programme, code = requests.pop()
            commands.append(
                (
                    "request-assessment",
                    str(trainee),
                    {
                        "programme_id": str(programme),
                        "competency_code": code,
                        "supervisor_id": str(world.uao),
                    },
                )
            )
        elif roll < 0.85:
            trainee, programme, employment, _, end = rng.choice(world.live)
            first = absence_days[employment]
            if first + timedelta(days=2) > end:
                continue
            absence_days[employment] = first + timedelta(days=3)
            commands.append(
                (
                    "record-absence",
                    "bench-sek",
                    {
                        "programme_id": str(programme),
                        "employment_id": str(employment),
                        "kind": "sickness",
                        "first_day": first.isoformat(),
                        "last_day": (first + timedelta(days=1)).isoformat(),
                    },
                )
            )
        else:
            trainee, programme, *_ = rng.choice(world.live)
            start = next_start[programme]
            next_start[programme] = _month(start, 1)
            commands.append(
                (
                    "add-employment",
                    "bench-sek",
                    {
                        "programme_id": str(programme),
                        "department_id": str(rng.choice(world.departments)),
                        "start": start.isoformat(),
                        "end": (_month(start, 1) - timedelta(days=1)).isoformat(),
                    },
                )
            )
    return commands


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0


class Server:
    def __init__(
        self, env: dict[str, str], log: Path, workers: int = 1, *, separate: bool = False
    ) -> None:
        """`separate`: the projections run in a process of their own (the production shape;
        always with several workers)."""
        separate = separate or workers > 1
        if separate:
            env = {**env, "LOGBOG_IN_PROCESS_PROJECTIONS": "false"}
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.handle = log.open("ab")
        self.process = subprocess.Popen(
            [*CLI, "serve", "--port", str(self.port), "--workers", str(workers)],
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
        )
        self.runner: subprocess.Popen[bytes] | None = None
        if separate:
            self.runner = subprocess.Popen(
                [*CLI, "projections", "run", "--poll-seconds", "0.2"],
                env=env,
                stdout=self.handle,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError("the server did not become ready")

    def rss_mb(self) -> float:
        """Resident memory of the server: the largest of its processes (workers included)."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        largest = 0.0
        for pid in pids:
            status = Path(f"/proc/{pid}/status")
            if not status.exists():
                continue
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    largest = max(largest, int(line.split()[1]) / 1024)
        return largest

    def stop(self) -> None:
        if self.runner is not None:
            self.runner.terminate()
            self.runner.wait(timeout=20)
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.handle.close()


def _send(wire: Wire, token: str, name: str, body: dict[str, Any], key: str) -> tuple[int, Any]:
    """One command over HTTP, with its own idempotency key: (status, JSON answer)."""
    return wire.request(
        "POST",
        f"/commands/{name}",
        body,
        {"Authorization": f"Bearer {token}", "Idempotency-Key": f"{key}-{uuid.uuid4().hex[:6]}"},
    )


def run_commands(
    server: Server,
    tokens: dict[str, str],
    commands: list[Any],
    clients: int,
    rate: float | None,
    seconds: float,
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    reasons: dict[str, int] = {}
    lock = threading.Lock()
    queue = iter(enumerate(commands))
    queue_lock = threading.Lock()
    started = time.perf_counter()
    peak = [0.0]

    def worker() -> None:
        wire = Wire(server.base)
        try:
            while True:
                with queue_lock:
                    item = next(queue, None)
                if item is None:
                    return
                index, (name, subject, body) = item
                sent = time.perf_counter()
                if rate:
                    # Paced: latency counts from the scheduled send time, so a server that
                    # falls behind is charged for the queue it builds (no coordinated omission).
                    sent = started + index / rate
                    if sent > time.perf_counter():
                        time.sleep(sent - time.perf_counter())
                if time.perf_counter() - started > seconds:
                    return
                status, answer = _send(wire, tokens[subject], name, body, f"bench-{index}")
                with lock:
                    latencies.append((time.perf_counter() - sent) * 1000)
                    statuses[status] = statuses.get(status, 0) + 1
                    if status != 200:
                        code = f"{name}: {(answer or {}).get('code', status)}"
                        reasons[code] = reasons.get(code, 0) + 1
        finally:
            wire.close()

    def sample_memory() -> None:
        while time.perf_counter() - started < seconds + 1:
            peak[0] = max(peak[0], server.rss_mb())
            time.sleep(0.5)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    sampler = threading.Thread(target=sample_memory, daemon=True)
    sampler.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    achieved = len(latencies) / elapsed
    return {
        "commands_per_s": achieved,
        "rate_held": rate is None or achieved >= 0.95 * rate,
        "p50_ms": _percentile(latencies, 0.5),
        "p95_ms": _percentile(latencies, 0.95),
        "p99_ms": _percentile(latencies, 0.99),
        "ok": statuses.get(200, 0),
        "refused": sum(v for k, v in statuses.items() if k != 200),
        "refusals": reasons,
        "peak_rss_mb": peak[0],
    }


def raw_inserts(store: str, tmp: Path, schema: str, clients: int, seconds: float) -> float:
    """Single-row INSERT + COMMIT per statement at the same concurrency: the database's floor."""
    counts = [0] * clients
    stop = time.perf_counter() + seconds
    if store == "postgres":
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'CREATE TABLE "{schema}".raw (id BIGSERIAL PRIMARY KEY, s TEXT)')

        def pg_worker(n: int) -> None:
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                while time.perf_counter() < stop:
                    conn.execute(f'INSERT INTO "{schema}".raw (s) VALUES (%s)', ("x" * 200,))  # noqa: S608
                    counts[n] += 1

        target = pg_worker
    else:
        path = tmp / "raw.sqlite"
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE raw (id INTEGER PRIMARY KEY, s TEXT)")

        def sqlite_worker(n: int) -> None:
            conn = sqlite3.connect(path, timeout=30)
            while time.perf_counter() < stop:
                conn.execute("INSERT INTO raw (s) VALUES (?)", ("x" * 200,))
                conn.commit()
                counts[n] += 1
            conn.close()

        target = sqlite_worker
    threads = [threading.Thread(target=target, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def run_reads(
    server: Server, token: str, programmes: list[uuid.UUID], count: int
) -> dict[str, float]:
    results = {}
    with httpx.Client(
        base_url=server.base, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        for name, paths in (
            ("region_register", ["/regions/nord/register?limit=50"] * count),
            (
                "programme_progress",
                [f"/programmes/{random.choice(programmes)}/progress" for _ in range(count)],
            ),
        ):
            times = []
            for path in paths:
                sent = time.perf_counter()
                response = client.get(path)
                assert response.status_code == 200, response.text
                times.append((time.perf_counter() - sent) * 1000)
            results[f"{name}_p50_ms"] = _percentile(times, 0.5)
            results[f"{name}_p95_ms"] = _percentile(times, 0.95)
    return results


def run_visibility(
    server: Server, tokens: dict[str, str], commands: list[Any], count: int
) -> dict[str, float]:
    """Save to read model (P6), one command at a time as a user works: from the command's
    answer to the answer of a read of its programme's progress that waits for the command's
    position (`?after=`), i.e. what a person waits for before the page shows what they did."""
    times: list[float] = []
    wire = Wire(server.base)
    # The paced run before this one may have left the projections a backlog (its rate is
    # often not held): let them drain first, as a quiet moment would; this measures a person
    # who saves and then looks, not a queue.
    name, subject, body = commands[0]  # a first command, and a read that waits for it
    _, answer = _send(wire, tokens[subject], name, body, "visible-drain")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, _ = wire.request(
            "GET",
            f"/programmes/{body['programme_id']}/progress?after={answer['position']}",
            None,
            {"Authorization": f"Bearer {tokens['bench-sek']}"},
        )
        if status == 200:
            break
    time.sleep(0.5)
    try:
        for index, (name, subject, body) in enumerate(commands[1 : count + 1]):
            status, answer = _send(wire, tokens[subject], name, body, f"visible-{index}")
            if status != 200:
                continue
            saved = time.perf_counter()
            read_status, read = wire.request(
                "GET",
                f"/programmes/{body['programme_id']}/progress?after={answer['position']}",
                None,
                {"Authorization": f"Bearer {tokens['bench-sek']}"},
            )
            assert read_status == 200, read
            times.append((time.perf_counter() - saved) * 1000)
            time.sleep(0.02)  # a person's pace: the projections are idle when the next comes
    finally:
        wire.close()
    return {
        "visible_p50_ms": _percentile(times, 0.5),
        "visible_p95_ms": _percentile(times, 0.95),
        "visible_n": float(len(times)),
    }


def _web_login(client: httpx.Client, subject: str) -> None:
    """Log in on the web app as a person would in development (the demo login form)."""
    page = client.get("/log-ind")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None, "no login form"
    done = client.post("/log-ind/demo", data={"subject": subject, "csrf_token": token.group(1)})
    assert done.status_code == 303, done.text


def run_pages(server: Server, world: World, count: int) -> dict[str, float]:
    """Web pages as a trainee and as the UAO of the largest department see them: time from
    request to the whole HTML page (server-rendered; the static files are cached)."""
    trainee, programme, *_ = world.live[0]
    results = {}
    for who, paths in (
        (
            str(trainee),
            {
                "logbook": f"/logbog/{programme}",
                "competency": f"/logbog/{programme}/kompetencer/K1",
                "time": f"/logbog/{programme}/tid",
            },
        ),
        (str(world.uao), {"inbox": "/indbakke", "trainees": "/uddannelseslaeger"}),
    ):
        with httpx.Client(base_url=server.base, timeout=30) as client:
            _web_login(client, who)
            for name, path in paths.items():
                times = []
                for _ in range(count):
                    sent = time.perf_counter()
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.status_code)
                    times.append((time.perf_counter() - sent) * 1000)
                results[f"web_{name}_p50_ms"] = _percentile(times, 0.5)
                results[f"web_{name}_p95_ms"] = _percentile(times, 0.95)
    return results


def bench_store(store: str, args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix=f"logbog-bench-{store}-"))
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGBOG_")}
    env.update(
        LOGBOG_VAR_DIR=str(tmp / "var"),
        LOGBOG_DEMO_DATA="false",
        LOGBOG_LOG_FORMAT="json",
        LOGBOG_LOG_LEVEL="WARNING",
    )
    if store == "postgres":
        env["LOGBOG_DATABASE_URL"] = f"{PG_URL}?schema={schema}"
    settings = Settings(
        var_dir=tmp / "var", database_url=env.get("LOGBOG_DATABASE_URL"), demo_data=False
    )
    container = bootstrap(settings, with_tokens=False)
    started = time.perf_counter()
    world = build(container.app, args.doctors)
    print(
        f"[{store}] built {args.doctors:,} doctors ({container.app.position():,} events) in "
        f"{time.perf_counter() - started:.0f} s; catching up read models",
        flush=True,
    )
    container.runner.catch_up()
    container.close()
    issuer = LocalIssuer(settings)
    subjects = {"bench-sek", str(world.uao)} | {str(t) for t, *_ in world.live}
    tokens = {s: issuer.issue(s) for s in subjects}
    workers = args.workers if store == "postgres" else 1  # SQLite has one writer anyway
    server = Server(env, tmp / "server.log", workers, separate=store == "postgres")
    try:
        # One mix for all runs, so no run repeats a command of another. The warm-up is not
        # counted: a server that has just started loads each programme from the store once.
        warm = int(args.warmup_seconds * 2000)
        total = int(args.seconds * 2000)
        paced_count = int(args.rate * args.seconds)
        commands = mix(world, warm + total + paced_count + 301, 1)
        if warm:
            run_commands(server, tokens, commands[:warm], args.clients, None, args.warmup_seconds)
        commands = commands[warm:]
        full = run_commands(server, tokens, commands[:total], args.clients, None, args.seconds)
        paced = run_commands(
            server,
            tokens,
            commands[total : total + paced_count],
            args.clients * 2,
            args.rate,
            args.seconds,
        )
        reads = run_visibility(server, tokens, commands[total + paced_count :], 300)
        reads |= run_reads(server, tokens["bench-sek"], world.programmes, 200)
        reads |= run_pages(server, world, 100)
        rss = server.rss_mb()
    finally:
        server.stop()
    raw = raw_inserts(store, tmp, schema, args.clients, 5)
    result = {
        "full": full,
        "paced": paced,
        "reads": reads,
        "raw_inserts_per_s": raw,
        "server_rss_mb": max(rss, full["peak_rss_mb"], paced["peak_rss_mb"]),
    }
    if store == "postgres":
        drop_schemas(schema, PG_URL)
    return result


def targets(r: dict[str, Any], rate: float) -> list[str]:
    """Each target with the figure measured, met or missed; throughput also as a ratio to the
    raw INSERT+COMMIT rate of the same run (the machine is shared: compare ratios)."""
    full, paced, reads = r["full"], r["paced"], r["reads"]
    raw = r["raw_inserts_per_s"]
    seen = reads["visible_n"]  # accepted commands whose read was timed (none: nothing is met)
    held = "" if paced["rate_held"] else f" (NOT HELD: {paced['commands_per_s']:.0f}/s achieved)"
    rows = [
        (
            f"commands/s >= 1,000: {full['commands_per_s']:.0f} "
            f"(ratio {full['commands_per_s'] / raw:.3f} to raw {raw:.0f}/s; needs "
            f"{1000 / raw:.3f})",
            full["commands_per_s"] >= 1000,
        ),
        (
            f"p99 <= 50 ms paced at {rate:.0f}/s, from the scheduled send time: "
            f"{paced['p99_ms']:.1f} ms{held}",
            paced["rate_held"] and paced["p99_ms"] <= 50,
        ),
        (
            f"save to read model p50 <= 10 ms: {reads['visible_p50_ms']:.1f} ms "
            f"({seen:.0f} commands)",
            seen > 0 and reads["visible_p50_ms"] <= 10,
        ),
        (
            f"save to read model p95 <= 50 ms: {reads['visible_p95_ms']:.1f} ms",
            seen > 0 and reads["visible_p95_ms"] <= 50,
        ),
        (
            f"read p95 <= 20 ms: register {reads['region_register_p95_ms']:.1f}, "
            f"progress {reads['programme_progress_p95_ms']:.1f}",
            max(reads["region_register_p95_ms"], reads["programme_progress_p95_ms"]) <= 20,
        ),
        (f"web page p95 <= 50 ms: worst {_worst_page(reads):.1f}", _worst_page(reads) <= 50),
        (f"memory < 300 MB: {r['server_rss_mb']:.0f} MB", r["server_rss_mb"] < 300),
    ]
    return [f"{'met   ' if ok else 'MISSED'} {text}" for text, ok in rows]


def _worst_page(reads: dict[str, float]) -> float:
    return max(v for k, v in reads.items() if k.startswith("web_") and k.endswith("_p95_ms"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--doctors", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--warmup-seconds",
        type=float,
        default=3,
        help="commands sent first and not counted (a new server loads what they touch)",
    )
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="API worker processes on PostgreSQL, beside a projection process (on two cores one "
        "worker does more than two: issue 16, fourth round)",
    )
    parser.add_argument("--store", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--out", default="bench-results/bench.json")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    report = {store: bench_store(store, args) for store in stores}
    print()
    print(
        f"{'store':<9} {'cmd/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'raw/s':>7} {'ratio':>6} "
        f"{'p99@rate':>9} {'rate/s':>7} {'reg p95':>8} {'prog p95':>9} {'page p95':>9} "
        f"{'RSS MB':>7}"
    )
    for store, r in report.items():
        full, paced, reads = r["full"], r["paced"], r["reads"]
        print(
            f"{store:<9} {full['commands_per_s']:>7.0f} {full['p50_ms']:>6.1f} "
            f"{full['p95_ms']:>6.1f} {full['p99_ms']:>6.1f} {r['raw_inserts_per_s']:>7.0f} "
            f"{full['commands_per_s'] / r['raw_inserts_per_s']:>6.2f} {paced['p99_ms']:>9.1f} "
            f"{paced['commands_per_s']:>7.0f} {reads['region_register_p95_ms']:>8.1f} "
            f"{reads['programme_progress_p95_ms']:>9.1f} {_worst_page(reads):>9.1f} "
            f"{r['server_rss_mb']:>7.0f}"
        )
    for store, r in report.items():
        pages = {k[4:-7]: v for k, v in r["reads"].items() if k.startswith("web_") and "p95" in k}
        print(f"{store}: web page p95 ms: " + ", ".join(f"{k} {v:.1f}" for k, v in pages.items()))
    for store, r in report.items():
        refused = r["full"]["refused"] + r["paced"]["refused"]
        if refused:
            reasons = {**r["full"]["refusals"]}
            for code, count in r["paced"]["refusals"].items():
                reasons[code] = reasons.get(code, 0) + count
            print(f"warning: {store}: {refused} command(s) of the mix were refused: {reasons}")
    for store, r in report.items():
        print(f"\n{store}: targets")
        for line in targets(r, args.rate):
            print("  " + line)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
