"""The documentation package sent to STPS, built from the logbook's state (R8, R11).

STPS cannot read the logbook itself, so the package stands on its own: who the doctor is, the
overview of medical employment with every amendment (absence, part time, extensions; the
general practice named), the time attestations, every approved competency with who approved it,
in which capacity, under whose delegation, by which method and when, the courses, prior paper
attestations and who verified them, and the pinned curriculum version. Its canonical JSON is
hashed (SHA-256); the same state always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from logbog_es.domain.curriculum import CurriculumVersion
from logbog_es.domain.department import Department
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.programme import Programme
from logbog_es.domain.readiness import SubmissionKind
from logbog_es.domain.values import DepartmentKind

PACKAGE_FORMAT = 1


def canonical_json(package: Mapping[str, Any]) -> bytes:
    return json.dumps(package, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def package_hash(package: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(package)).hexdigest()


def _person(doctors: Mapping[UUID, Doctor], doctor_id: UUID | None) -> dict[str, str] | None:
    if doctor_id is None:
        return None
    doctor = doctors.get(doctor_id)
    if doctor is None:
        return {"doctor_id": str(doctor_id), "name": "", "authorisation_id": ""}
    return {
        "doctor_id": str(doctor_id),
        "name": doctor.name,
        "authorisation_id": doctor.authorisation_id,
    }


def _employments(
    programme: Programme,
    departments: Mapping[UUID, Department],
    doctors: Mapping[UUID, Doctor],
    today: date,
) -> list[dict[str, Any]]:
    rows = []
    for employment in programme.employments:
        department = departments[employment.department_id]
        time = programme.time_report(employment.employment_id, today)
        attestation = programme.time_attestations.get(employment.employment_id)
        rows.append(
            {
                "employment_id": str(employment.employment_id),
                "department": {
                    "code": department.code,
                    "name": department.name,
                    "kind": department.kind.value,
                    "region": department.region.value,
                },
                "start": employment.start.isoformat(),
                "nominal_end": programme.nominal_ends[employment.employment_id].isoformat(),
                "end": employment.end.isoformat(),
                "percent_at_start": employment.percent,
                "part_time_changes": [
                    {
                        "from": c.from_date.isoformat(),
                        "fraction": f"{c.fraction.numerator}/{c.fraction.denominator}",
                        "percent": round(float(c.fraction) * 100, 2),
                    }
                    for c in programme.fraction_changes[employment.employment_id]
                ],
                "absences": [
                    {
                        "kind": a.kind.value,
                        "first_day": a.first_day.isoformat(),
                        "last_day": a.last_day.isoformat(),
                        "days": a.days,
                    }
                    for a in programme.absences[employment.employment_id]
                ],
                "time": {
                    "absence_days": time.absence_days,
                    "absence_threshold_days": float(time.absence_threshold),
                    "required_end": time.required_end.isoformat(),
                },
                "time_attestation": None
                if attestation is None
                else {
                    "attested_by": _person(doctors, attestation.attested_by),
                    "capacity": attestation.capacity.value,
                    "attested_on": attestation.attested_on.isoformat(),
                },
            }
        )
    return rows


def build_package(
    *,
    kind: SubmissionKind,
    submitted_on: date,
    doctor: Doctor,
    programme: Programme,
    curriculum: CurriculumVersion,
    departments: Mapping[UUID, Department],
    doctors: Mapping[UUID, Doctor],
    introduction: tuple[Programme, CurriculumVersion] | None = None,
) -> dict[str, Any]:
    """The package as plain JSON values (strings, numbers, lists, dicts)."""
    employments = _employments(programme, departments, doctors, submitted_on)
    competencies = []
    for competency in curriculum.competencies:
        approval = programme.active_approval(competency.code)
        prior = next(
            (
                p
                for p in programme.prior_attestations.values()
                if p.code == competency.code and p.kind.value == "competency" and p.counts
            ),
            None,
        )
        competencies.append(
            {
                "code": competency.code,
                "title": competency.title,
                "approval": None
                if approval is None
                else {
                    "approved_by": _person(doctors, approval.approver_id),
                    "capacity": approval.capacity.value,
                    "delegated_by": _person(doctors, approval.delegated_by),
                    "method": approval.method.value,
                    "assessed_on": approval.assessed_on.isoformat(),
                    "department": departments[approval.department_id].name,
                },
                "prior_attestation": None if prior is None else str(prior.attestation_id),
            }
        )
    courses = [
        {
            "code": course.code,
            "title": course.title,
            "kind": course.kind.value,
            "completed_on": done.completed_on.isoformat() if done else None,
            "hours": done.hours if done else None,
            "days": done.days if done else None,
            "evidence_ref": done.evidence_ref if done else None,
        }
        for course in curriculum.courses
        for done in [programme.courses.get(course.code)]
    ]
    package: dict[str, Any] = {
        "format": PACKAGE_FORMAT,
        "kind": kind.value,
        "submitted_on": submitted_on.isoformat(),
        "doctor": {"name": doctor.name, "authorisation_id": doctor.authorisation_id},
        "programme": {
            "programme_id": str(programme.id),
            "specialty_code": programme.specialty_code,
            "stage": programme.stage.value,
            "region": programme.region.value,
            "hiring_date": programme.hiring_date.isoformat(),
        },
        "curriculum": {
            "curriculum_id": str(curriculum.id),
            "label": curriculum.label,
            "effective_from": curriculum.effective_from.isoformat(),
            "specialty_code": curriculum.specialty_code,
            "stage": curriculum.stage.value,
        },
        "employments": employments,
        "general_practices": [
            e["department"]["name"]
            for e in employments
            if e["department"]["kind"] == DepartmentKind.GENERAL_PRACTICE.value
        ],
        "competencies": competencies,
        "courses": courses,
        "prior_attestations": [
            {
                "attestation_id": str(p.attestation_id),
                "kind": p.kind.value,
                "code": p.code,
                "attested_on": p.attested_on.isoformat(),
                "attested_by": p.attested_by,
                "document_ref": p.document_ref,
                "verified_by": _person(doctors, p.verified_by),
                "verified_on": p.verified_on.isoformat() if p.verified_on else None,
            }
            for p in programme.prior_attestations.values()
        ],
    }
    if kind is SubmissionKind.SPECIALIST_RECOGNITION:
        package["introduction_programme"] = None
        if introduction is not None:
            intro, intro_curriculum = introduction
            package["introduction_programme"] = {
                "programme_id": str(intro.id),
                "specialty_code": intro.specialty_code,
                "hiring_date": intro.hiring_date.isoformat(),
                "curriculum_label": intro_curriculum.label,
                "employments": _employments(intro, departments, doctors, submitted_on),
            }
    return package


def supplement_package(
    *,
    submission_id: UUID,
    submitted_on: date,
    programme: Programme,
    departments: Mapping[UUID, Department],
    doctors: Mapping[UUID, Doctor],
    already: set[str],
) -> dict[str, Any]:
    """R11: the time attestations issued after the submission (`already` lists those sent)."""
    employments = [
        e
        for e in _employments(programme, departments, doctors, submitted_on)
        if e["time_attestation"] is not None and e["employment_id"] not in already
    ]
    return {
        "format": PACKAGE_FORMAT,
        "kind": "supplement",
        "supplements": str(submission_id),
        "submitted_on": submitted_on.isoformat(),
        "employments": employments,
    }
