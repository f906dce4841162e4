"""Benchmark: importing a realistic legacy export of 10,000 doctors.

Prints events per second on SQLite and PostgreSQL next to the raw `executemany` rate of the same
number of rows in the same run. Target: at least 20,000 events/s on PostgreSQL, where the import
runs with `--workers` processes (default: the CPUs, at most 4).

    .venv/bin/python scripts/bench_import.py --doctors 10000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import structlog

from bench_common import PG_URL, drop_schemas
from logbog_es.bootstrap import bootstrap
from logbog_es.migration.generate import logbook, reference
from logbog_es.migration.importer import Importer
from logbog_es.migration.legacy import Reference
from logbog_es.migration.parallel import import_lines
from logbog_es.settings import Settings, Storage


def raw_rate(store: str, schema: str, tmp: Path, rows: int) -> float:
    data = [(i, f"stream-{i % 5000}", i % 60, "x" * 300) for i in range(rows)]
    if store == "postgres":
        with psycopg.connect(PG_URL) as conn:
            conn.execute(
                f'CREATE TABLE "{schema}".raw (id BIGINT PRIMARY KEY, s TEXT, v INT, state TEXT)'
            )
            started = time.perf_counter()
            with conn.cursor() as cur:
                for offset in range(0, rows, 5000):
                    cur.executemany(
                        f'INSERT INTO "{schema}".raw VALUES (%s, %s, %s, %s)',  # noqa: S608
                        data[offset : offset + 5000],
                    )
                    conn.commit()
            return rows / (time.perf_counter() - started)
    conn = sqlite3.connect(tmp / "raw.sqlite")
    conn.execute("CREATE TABLE raw (id INTEGER PRIMARY KEY, s TEXT, v INT, state TEXT)")
    started = time.perf_counter()
    for offset in range(0, rows, 5000):
        conn.executemany("INSERT INTO raw VALUES (?, ?, ?, ?)", data[offset : offset + 5000])
        conn.commit()
    conn.close()
    return rows / (time.perf_counter() - started)


def run(store: str, doctors: int, batch: int, workers: int) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="logbog-import-"))
    schema = f"imp_{uuid.uuid4().hex[:8]}"
    storage = (
        Storage.parse(f"{PG_URL}?schema={schema}", tmp)
        if store == "postgres"
        else Storage.parse(f"sqlite:///{tmp}/events.sqlite", tmp)
    )
    rng = random.Random(1)
    lines = [(n, json.dumps(logbook(n, rng), ensure_ascii=False)) for n in range(1, doctors + 1)]
    digest = hashlib.sha256("\n".join(t for _, t in lines).encode()).hexdigest()
    container = bootstrap(
        Settings(var_dir=tmp, demo_data=False), storage=storage, with_tokens=False
    )
    try:
        importer = Importer(container.app, file_sha256=digest, batch_size=batch)
        importer.load_reference(Reference.model_validate(reference()))
        before = container.app.position()
        started = time.perf_counter()
        report = import_lines(importer, lines, workers=workers)
        seconds = time.perf_counter() - started
        events = container.app.position() - before
        rate = events / seconds
        raw = raw_rate(store, schema, tmp, min(events, 300_000))
        print(
            f"{store:<9} {report.count('imported'):>6} doctors  "
            f"{workers if importer.parallel(workers, doctors) else 1} process(es)  "
            f"{events:>8,} events in "
            f"{seconds:6.1f} s  {rate:>9,.0f} events/s  raw executemany {raw:>9,.0f} rows/s  "
            f"ratio {rate / raw:4.2f}  target 20,000/s on PostgreSQL: "
            f"{'n/a' if store != 'postgres' else 'met' if rate >= 20_000 else 'MISSED'}",
            flush=True,
        )
        return {"events_per_s": rate, "raw_rows_per_s": raw, "events": events, "workers": workers}
    finally:
        container.close()
        if store == "postgres":
            drop_schemas(schema, PG_URL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--doctors", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--store", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument(
        "--workers",
        type=int,
        default=min(os.cpu_count() or 1, 4),
        help="import processes on PostgreSQL (SQLite always uses one)",
    )
    parser.add_argument("--out", default="bench-results/import.json")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    results = {store: run(store, args.doctors, args.batch_size, args.workers) for store in stores}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
