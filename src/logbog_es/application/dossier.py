"""Assembling documentation packages from the event store, and rebuilding them later.

`gather()` loads everything a package names (departments, the doctors who approved, delegated,
attested or verified) and records each aggregate's version as the package's `sources`.
`regenerate()` loads exactly those versions again and rebuilds the package, so a caseworker can
check years later that the bytes, and so the SHA-256, are the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from logbog_es.application.app import Logbog
from logbog_es.domain.base import LogbogAggregate
from logbog_es.domain.curriculum import CurriculumVersion
from logbog_es.domain.department import Department
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.dossier import build_package, package_hash, supplement_package
from logbog_es.domain.programme import Programme
from logbog_es.domain.readiness import SubmissionKind
from logbog_es.domain.submission import Submission
from logbog_es.domain.values import Stage


@dataclass
class Sources:
    """Aggregates loaded for a package, each at one version."""

    loaded: dict[UUID, LogbogAggregate] = field(default_factory=dict)

    def add(self, aggregate: LogbogAggregate) -> None:
        self.loaded[aggregate.id] = aggregate

    def versions(self) -> dict[str, int]:
        return {
            str(k): v.version for k, v in sorted(self.loaded.items(), key=lambda kv: str(kv[0]))
        }

    def departments(self) -> dict[UUID, Department]:
        return {k: v for k, v in self.loaded.items() if isinstance(v, Department)}

    def doctors(self) -> dict[UUID, Doctor]:
        return {k: v for k, v in self.loaded.items() if isinstance(v, Doctor)}


def _people_of(programme: Programme) -> set[UUID]:
    ids: set[UUID] = set()
    for approval in programme.approvals:
        ids.add(approval.approver_id)
        if approval.delegated_by is not None:
            ids.add(approval.delegated_by)
    ids |= {a.attested_by for a in programme.time_attestations.values()}
    ids |= {p.verified_by for p in programme.prior_attestations.values() if p.verified_by}
    return ids


def introduction_of(app: Logbog, doctor: Doctor, programme: Programme) -> Programme | None:
    """R11: the doctor's introduction programme in the same specialty, if any."""
    for ref in doctor.programmes:
        if ref.stage is Stage.INTRODUCTION and ref.specialty_code == programme.specialty_code:
            return app.find(Programme, ref.programme_id)
    return None


def gather(
    app: Logbog,
    programme: Programme,
    doctor: Doctor,
    curriculum: CurriculumVersion,
    introduction: Programme | None,
) -> Sources:
    sources = Sources()
    for aggregate in (programme, doctor, curriculum):
        sources.add(aggregate)
    programmes = [programme] + ([introduction] if introduction else [])
    if introduction is not None:
        sources.add(introduction)
        sources.add(
            app.load(
                CurriculumVersion,
                introduction.curriculum_id,
                message="curriculum.unknown",
                curriculum_id=introduction.curriculum_id,
            )
        )
    for prog in programmes:
        for employment in prog.employments:
            sources.add(
                app.load(
                    Department,
                    employment.department_id,
                    message="department.unknown",
                    department_id=employment.department_id,
                )
            )
        for approval in prog.approvals:
            sources.add(
                app.load(
                    Department,
                    approval.department_id,
                    message="department.unknown",
                    department_id=approval.department_id,
                )
            )
        for person in _people_of(prog):
            found = app.find(Doctor, person)
            if found is not None:
                sources.add(found)
    return sources


def package_for(
    kind: SubmissionKind,
    submitted_on: date,
    sources: Sources,
    programme: Programme,
    doctor: Doctor,
    curriculum: CurriculumVersion,
    introduction: Programme | None,
) -> dict[str, Any]:
    intro = None
    if introduction is not None:
        intro_curriculum = sources.loaded[introduction.curriculum_id]
        assert isinstance(intro_curriculum, CurriculumVersion)
        intro = (introduction, intro_curriculum)
    return build_package(
        kind=kind,
        submitted_on=submitted_on,
        doctor=doctor,
        programme=programme,
        curriculum=curriculum,
        departments=sources.departments(),
        doctors=sources.doctors(),
        introduction=intro,
    )


def _at_versions(app: Logbog, versions: dict[str, int]) -> Sources:
    sources = Sources()
    repository: Any = app.repository
    for stream, version in versions.items():
        sources.add(repository.get(UUID(stream), version=version))
    return sources


def regenerate(app: Logbog, submission: Submission) -> tuple[dict[str, Any], str]:
    """Rebuild the submitted package from the events, at the versions it was built from."""
    sources = _at_versions(app, submission.sources)
    programme = sources.loaded[submission.programme_id]
    doctor = sources.loaded[submission.doctor_id]
    curriculum = sources.loaded[UUID(submission.package["curriculum"]["curriculum_id"])]
    assert isinstance(programme, Programme)
    assert isinstance(doctor, Doctor)
    assert isinstance(curriculum, CurriculumVersion)
    intro_data = submission.package.get("introduction_programme")
    introduction = None
    if intro_data:
        found = sources.loaded[UUID(intro_data["programme_id"])]
        assert isinstance(found, Programme)
        introduction = found
    package = package_for(
        submission.kind,
        submission.submitted_on,
        sources,
        programme,
        doctor,
        curriculum,
        introduction,
    )
    return package, package_hash(package)


def regenerate_supplement(
    app: Logbog, submission: Submission, index: int
) -> tuple[dict[str, Any], str]:
    entry = submission.supplements[index]
    sources = _at_versions(app, entry["sources"])
    programme = sources.loaded[submission.programme_id]
    assert isinstance(programme, Programme)
    already = _sent_before(submission, index)
    package = supplement_package(
        submission_id=submission.id,
        submitted_on=entry["submitted_on"],
        programme=programme,
        departments=sources.departments(),
        doctors=sources.doctors(),
        already=already,
    )
    return package, package_hash(package)


def _sent_before(submission: Submission, index: int) -> set[str]:
    sent = {
        e["employment_id"]
        for e in submission.package.get("employments", [])
        if e.get("time_attestation") is not None
    }
    for entry in submission.supplements[:index]:
        sent |= {e["employment_id"] for e in entry["package"]["employments"]}
    return sent
