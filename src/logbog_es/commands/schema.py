"""Render the published command contract: one JSON Schema and one example per command."""

from __future__ import annotations

import json
from pathlib import Path

from logbog_es.commands import COMMANDS

CONTRACT_DIR = Path(__file__).resolve().parents[3] / "commands"


def _dump(obj: object) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def render_contract() -> dict[str, str]:
    """File name -> content for every command's schema and example."""
    files: dict[str, str] = {}
    for name, model in COMMANDS.items():
        schema = model.model_json_schema()
        schema["$id"] = f"urn:logbog:command:{name}"
        schema["title"] = name
        files[f"{name}.schema.json"] = _dump(schema)
        files[f"{name}.example.json"] = _dump(model.EXAMPLE)
    return files


def write_contract(directory: Path = CONTRACT_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    wanted = render_contract()
    for stale in directory.glob("*.json"):
        if stale.name not in wanted:
            stale.unlink()
    for filename, content in wanted.items():
        path = directory / filename
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


def stale_files(directory: Path = CONTRACT_DIR) -> list[str]:
    """Names of contract files that differ from what the models generate (or are missing/extra)."""
    wanted = render_contract()
    present = {p.name: p.read_text(encoding="utf-8") for p in directory.glob("*.json")}
    stale = [name for name, content in wanted.items() if present.get(name) != content]
    stale += [name for name in present if name not in wanted]
    return sorted(stale)
