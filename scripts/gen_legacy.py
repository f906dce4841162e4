"""Generate a realistic legacy export (JSON Lines) and its reference file.

.venv/bin/python scripts/gen_legacy.py --doctors 10000 --out var/legacy.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from logbog_es.migration.generate import logbook, reference


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--doctors", type=int, default=10_000)
    parser.add_argument("--out", default="var/legacy.jsonl")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    with out.open("w", encoding="utf-8") as handle:
        for index in range(args.doctors):
            handle.write(json.dumps(logbook(index, rng), ensure_ascii=False) + "\n")
    ref = out.with_name(out.stem + "-reference.json")
    ref.write_text(json.dumps(reference(), ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {out} ({args.doctors} doctors) and {ref}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
