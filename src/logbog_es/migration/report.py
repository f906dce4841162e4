"""What an import reports: each line's outcome, its errors by path, and the totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    path: str
    message: str


@dataclass
class LineResult:
    line: int
    legacy_id: str | None
    status: str  # imported, would-import, skipped, conflict, failed
    events: int = 0
    errors: list[LineError] = field(default_factory=list)


@dataclass
class Report:
    file_sha256: str
    dry_run: bool
    results: list[LineResult] = field(default_factory=list)
    signers: int = 0  # signers registered (or, in a dry run, to be registered) before the lines

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def events(self) -> int:
        """Events written (or to be written): the lines' and the signers' registrations."""
        lines = sum(r.events for r in self.results if r.status in ("imported", "would-import"))
        return lines + self.signers

    @property
    def failed(self) -> bool:
        return any(r.status in ("failed", "conflict") for r in self.results)

    def as_json(self) -> dict[str, Any]:
        return {
            "file_sha256": self.file_sha256,
            "dry_run": self.dry_run,
            "summary": {
                status: self.count(status)
                for status in ("imported", "would-import", "skipped", "conflict", "failed")
            }
            | {"signers_registered": self.signers, "events": self.events},
            "lines": [
                {
                    "line": r.line,
                    "legacy_id": r.legacy_id,
                    "status": r.status,
                    "events": r.events,
                    "errors": [{"path": e.path, "message": e.message} for e in r.errors],
                }
                for r in self.results
                if r.status != "imported" or r.errors
            ],
        }


class LineRejected(Exception):
    def __init__(self, errors: list[LineError]) -> None:
        super().__init__("; ".join(f"{e.path}: {e.message}" for e in errors))
        self.errors = errors
