"""Benchmark: the audit history of a doctor with about 2,000 events.

Prints the median and 95th percentile of building the history (JSON entries and logbook) next to
the raw time of selecting the same rows, on SQLite and PostgreSQL. Target: median under 50 ms.

    .venv/bin/python scripts/bench_history.py --events 2000 --runs 30
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import structlog

from bench_common import PG_URL, drop_schemas
from bench_data import _meta, reference
from logbog_es.application.eventlog import stream_reader
from logbog_es.application.history import history, streams_of
from logbog_es.bootstrap import bootstrap
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.values import AssessmentMethod, Capacity, Region, Stage
from logbog_es.settings import Settings, Storage


def build(app: object, events: int) -> uuid.UUID:
    specialty, curriculum, departments = reference(app)  # type: ignore[arg-type]
    doctor = Doctor.register(
        authorisation_id="HIST1",
        name="Hanne Historik",
        email="h@example.dk",
        cpr=None,
        meta=_meta(),
    )
    hired = date(2020, 1, 1)
    programme = doctor.start_programme(
        programme_id=uuid.uuid4(),
        specialty_code="kbu",
        stage=Stage.KBU,
        region=Region.NORD,
        hiring_date=hired,
        pinned=specialty.pin(Stage.KBU, hired),
        meta=_meta(),
    )
    doctor.add_employment(
        programme,
        employment_id=uuid.uuid4(),
        department_id=departments[0].id,
        start=hired,
        end=date(2030, 12, 31),
        percent=100,
        meta=_meta(),
    )
    app.save(doctor, programme)  # type: ignore[attr-defined]
    approver = uuid.uuid4()
    count = 0
    while count < events:
        for comp in curriculum.competencies:
            approval = uuid.uuid4()
            programme.approve(
                approval_id=approval,
                curriculum=curriculum,
                code=comp.code,
                approver_id=approver,
                capacity=Capacity.UAO,
                delegated_by=None,
                method=AssessmentMethod.MINI_CEX,
                assessed_on=hired + timedelta(days=count % 3000),
                department_id=departments[0].id,
                note=None,
                today=date(2031, 1, 1),
                meta=_meta(Capacity.UAO),
            )
            programme.withdraw(approval_id=approval, reason="Benchmark", meta=_meta(Capacity.UAO))
            count += 2
            if count >= events:
                break
        app.save(programme)  # type: ignore[attr-defined]
    return doctor.id


def run(store: str, events: int, runs: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="logbog-hist-"))
    schema = f"hist_{uuid.uuid4().hex[:8]}"
    storage = (
        Storage.parse(f"{PG_URL}?schema={schema}", tmp)
        if store == "postgres"
        else Storage.parse(f"sqlite:///{tmp}/events.sqlite", tmp)
    )
    container = bootstrap(
        Settings(var_dir=tmp, demo_data=False), storage=storage, with_tokens=False
    )
    try:
        doctor_id = build(container.app, events)
        doctor = container.app.repository.get(doctor_id)
        streams = streams_of(container.app, doctor)[0]
        container.app.decoded_events._cache.clear()
        started = time.perf_counter()
        count = len(history(container.app, doctor_id).entries)
        cold = (time.perf_counter() - started) * 1000
        raw, full = [], []
        reader = stream_reader(container.app.recorder)
        for _ in range(runs):
            started = time.perf_counter()
            reader(streams)
            raw.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            history(container.app, doctor_id)
            full.append((time.perf_counter() - started) * 1000)
        median = statistics.median(full)
        p95 = sorted(full)[int(len(full) * 0.95) - 1]
        raw_median = statistics.median(raw)
        print(
            f"{store:<9} {count:>6} events  first (cold) {cold:6.1f} ms  "
            f"history median {median:7.1f} ms  p95 {p95:7.1f} ms"
            f"  raw select median {raw_median:6.1f} ms  ratio {median / raw_median:5.1f}"
            f"  target 50 ms: {'met' if median <= 50 else 'MISSED'}"
        )
    finally:
        container.close()
        if store == "postgres":
            drop_schemas(schema, PG_URL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--store", choices=["postgres", "sqlite", "both"], default="both")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    for store in ["sqlite", "postgres"] if args.store == "both" else [args.store]:
        run(store, args.events, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
