"""The domain rules live in the project (docs/domain-rules.md): every rule R1-R13 is described,
and every file the page points to exists, so the page cannot silently drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "docs" / "domain-rules.md"


def test_every_rule_is_described() -> None:
    text = RULES.read_text(encoding="utf-8")
    described = {int(n) for n in re.findall(r"\*\*R(\d+)\b", text)}
    assert described == set(range(1, 14))


def test_every_file_named_exists() -> None:
    text = RULES.read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:[\w/]+/)?[\w]+\.py)`", text))
    assert named, "the page names the code that decides each rule"
    missing = [
        n
        for n in sorted(named)
        if not (ROOT / n).exists() and not (ROOT / "src" / "logbog_es" / n).exists()
    ]
    assert not missing


def test_the_readme_points_to_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/domain-rules.md" in readme
    assert "shared/DOMAIN.md" not in readme and "shared `DOMAIN.md`" not in readme
