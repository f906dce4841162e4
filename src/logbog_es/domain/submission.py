"""Submissions of documentation to STPS: the package, its hash and the sources it came from.

A package can be rebuilt from the events at any later time: `sources` records the version of
every aggregate it was built from, and those versions never change.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from logbog_es.domain.base import Created, Event, LogbogAggregate, Meta, stable_id
from logbog_es.domain.dossier import package_hash
from logbog_es.domain.readiness import SubmissionKind


def submission_id(command_id: str) -> UUID:
    return stable_id("submission", command_id)


class Submission(LogbogAggregate):
    TOPIC = "logbog:Submission"

    if TYPE_CHECKING:
        programme_id: UUID
        doctor_id: UUID
        kind: SubmissionKind
        submitted_on: date
        package: dict[str, Any]
        sha256: str
        sources: dict[str, int]
        chain_head: dict[str, Any]
        supplements: tuple[dict[str, Any], ...]

    class Submitted(Created):
        TOPIC = "logbog:Submission.Submitted"
        programme_id: UUID
        doctor_id: UUID
        kind: str
        submitted_on: date
        package: dict[str, Any]
        sha256: str
        sources: dict[str, int]
        chain_head: dict[str, Any]

        def apply(self, aggregate: Any) -> None:
            aggregate.chain_head = dict(self.chain_head)
            aggregate.programme_id = self.programme_id
            aggregate.doctor_id = self.doctor_id
            aggregate.kind = SubmissionKind(self.kind)
            aggregate.submitted_on = self.submitted_on
            aggregate.package = self.package
            aggregate.sha256 = self.sha256
            aggregate.sources = dict(self.sources)
            aggregate.supplements = ()

    class SupplementSubmitted(Event):
        TOPIC = "logbog:Submission.SupplementSubmitted"
        supplement_id: UUID
        submitted_on: date
        package: dict[str, Any]
        sha256: str
        sources: dict[str, int]

        def apply(self, aggregate: Any) -> None:
            entry = {
                "supplement_id": self.supplement_id,
                "submitted_on": self.submitted_on,
                "package": self.package,
                "sha256": self.sha256,
                "sources": dict(self.sources),
            }
            aggregate.supplements = (*aggregate.supplements, entry)

    @classmethod
    def submit(
        cls,
        *,
        new_id: UUID,
        programme_id: UUID,
        doctor_id: UUID,
        kind: SubmissionKind,
        submitted_on: date,
        package: dict[str, Any],
        sources: dict[str, int],
        chain_head: tuple[int, str],
        meta: Meta,
    ) -> Submission:
        """`chain_head`: the audit chain's last position and hash when the package was built."""
        return cls._start(
            cls.Submitted,
            new_id,
            meta,
            programme_id=programme_id,
            doctor_id=doctor_id,
            kind=kind.value,
            submitted_on=submitted_on,
            package=package,
            sha256=package_hash(package),
            sources=sources,
            chain_head={"position": chain_head[0], "sha256": chain_head[1]},
        )

    def supplement(
        self,
        *,
        supplement_id: UUID,
        submitted_on: date,
        package: dict[str, Any],
        sources: dict[str, int],
        meta: Meta,
    ) -> None:
        self._record(
            self.SupplementSubmitted,
            meta,
            supplement_id=supplement_id,
            submitted_on=submitted_on,
            package=package,
            sha256=package_hash(package),
            sources=sources,
        )

    @property
    def imported(self) -> bool:
        """Sent from the old logbook and imported: the package here only names it (legacy id,
        the old package's hash if known); the document is in the old system's archive."""
        return self.package.get("format") == "legacy"

    def attested_employments(self) -> set[str]:
        """Employments whose time attestation has been sent (in the package or a supplement)."""
        sent = {
            e["employment_id"]
            for e in self.package.get("employments", [])
            if e.get("time_attestation") is not None
        }
        for supplement in self.supplements:
            sent |= {e["employment_id"] for e in supplement["package"]["employments"]}
        return sent
