"""Benchmark: catch-up of each read model from a large generated event store.

Prints events per second per read model next to the raw rate of inserting the same number of
rows with psycopg `executemany` in the same run (PostgreSQL) or sqlite3 `executemany` (SQLite),
and their ratio, because these machines are shared and noisy. Writes JSON to bench-results/.

    .venv/bin/python scripts/bench_projections.py --events 1000000 --store postgres
"""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import structlog

from bench_common import PG_URL, drop_schemas
from bench_data import fill
from logbog_es.bootstrap import bootstrap
from logbog_es.settings import Settings, Storage


def raw_rate_pg(url: str, schema: str, rows: int) -> float:
    with psycopg.connect(url, autocommit=False) as conn:
        conn.execute(f'CREATE TABLE "{schema}".raw_rows (id BIGINT PRIMARY KEY, a TEXT, b TEXT)')
        data = [(i, f"programme-{i % 5000}", f"K{i % 25}") for i in range(rows)]
        started = time.perf_counter()
        with conn.cursor() as cur:
            for offset in range(0, rows, 1000):
                cur.executemany(
                    f'INSERT INTO "{schema}".raw_rows (id, a, b) VALUES (%s, %s, %s)',  # noqa: S608
                    data[offset : offset + 1000],
                )
                conn.commit()
        return rows / (time.perf_counter() - started)


def raw_rate_sqlite(path: Path, rows: int) -> float:
    conn = sqlite3.connect(path / "raw.sqlite")
    conn.execute("CREATE TABLE raw_rows (id INTEGER PRIMARY KEY, a TEXT, b TEXT)")
    data = [(i, f"programme-{i % 5000}", f"K{i % 25}") for i in range(rows)]
    started = time.perf_counter()
    for offset in range(0, rows, 1000):
        conn.executemany("INSERT INTO raw_rows VALUES (?, ?, ?)", data[offset : offset + 1000])
        conn.commit()
    rate = rows / (time.perf_counter() - started)
    conn.close()
    return rate


def run(store: str, events: int, pg_url: str) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="logbog-bench-"))
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    if store == "postgres":
        storage = Storage.parse(f"{pg_url}?schema={schema}", tmp)
    else:
        storage = Storage.parse(f"sqlite:///{tmp}/events.sqlite", tmp)
    settings = Settings(var_dir=tmp / "var", demo_data=False, log_format="json")
    container = bootstrap(settings, storage=storage, with_tokens=False)
    try:
        started = time.perf_counter()
        written = fill(container.app, events)
        fill_seconds = time.perf_counter() - started
        print(f"[{store}] generated {written:,} events in {fill_seconds:.0f} s", flush=True)
        results = {}
        for name in container.runner.projections:
            started = time.perf_counter()
            generation = container.runner.rebuild(name, swap=False)
            seconds = time.perf_counter() - started
            container.runner.discard(name, generation)
            results[name] = written / seconds
            print(f"[{store}] {name:<22} {written / seconds:>10,.0f} events/s", flush=True)
        raw = (
            raw_rate_pg(pg_url, schema, min(written, 200_000))
            if store == "postgres"
            else raw_rate_sqlite(tmp, min(written, 200_000))
        )
        print(f"[{store}] raw executemany         {raw:>10,.0f} rows/s", flush=True)
        return {"events": written, "read_models": results, "raw_executemany_rows_per_s": raw}
    finally:
        container.close()
        if store == "postgres":
            drop_schemas(schema, pg_url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--store", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--out", default="bench-results/projections.json")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    stores = ["postgres", "sqlite"] if args.store == "both" else [args.store]
    report = {store: run(store, args.events, args.pg_url) for store in stores}
    print()
    print(f"{'store':<9} {'read model':<22} {'events/s':>10} {'raw rows/s':>11} {'ratio':>6}")
    for store, result in report.items():
        raw = float(result["raw_executemany_rows_per_s"])  # type: ignore[arg-type]
        for name, rate in result["read_models"].items():  # type: ignore[attr-defined]
            print(f"{store:<9} {name:<22} {rate:>10,.0f} {raw:>11,.0f} {rate / raw:>6.2f}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
