"""Realistic legacy exports, generated: for the benchmark, the tests and trying the importer."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

ROLES = [
    "medical_expert",
    "communicator",
    "collaborator",
    "leader",
    "health_advocate",
    "scholar",
    "professional",
]
METHODS = ["structured_conversation", "mini_cex", "case_based_discussion", "osats"]
COMPETENCIES = 25


def reference() -> dict[str, Any]:
    """Specialties, curricula and departments a generated export refers to."""
    return {
        "specialties": [
            {
                "code": "kbu",
                "name": "Klinisk basisuddannelse",
                "stages": ["kbu"],
                "on_logbook_from": "2012-09-01",
            },
        ],
        "curricula": [
            {
                "specialty_code": "kbu",
                "stage": "kbu",
                "label": label,
                "effective_from": effective,
                "nominal_duration_months": 12,
                "competencies": [
                    {
                        "code": f"KBU-{i}",
                        "title": f"Kompetence {i}",
                        "description": "Beskrevet i den tidligere logbog.",
                        "roles": [ROLES[i % 7], ROLES[(i + 2) % 7]],
                        "methods": [{"method": m} for m in METHODS],
                    }
                    for i in range(1, COMPETENCIES + 1)
                ],
                "courses": [
                    {"code": f"KBU-K{i}", "title": f"KBU-kursus {i}", "kind": "general", "days": 2}
                    for i in range(1, 4)
                ],
            }
            for label, effective in (("2013", "2013-01-01"), ("2019", "2019-02-01"))
        ],
        "departments": [
            {
                "code": f"LEG-{i:03d}",
                "name": f"Afdeling {i}",
                "kind": "general_practice" if i % 4 == 0 else "hospital",
                "region": ["nord", "syd", "oest"][i % 3],
            }
            for i in range(60)
        ],
    }


def _auth(prefix: str, n: int) -> str:
    return f"{prefix}{n:04X}"[-5:]


def _person(rng: random.Random, pool: int) -> dict[str, str]:
    n = rng.randrange(pool)
    return {"authorisation_id": _auth("V", n), "name": f"Vejleder {n}"}


def logbook(index: int, rng: random.Random, approvers: int = 200) -> dict[str, Any]:
    """One doctor's KBU logbook as the old system would export it."""
    hired = date(2014 + index % 10, 1 + (index * 7) % 12, 1)
    label = "2019" if hired >= date(2019, 2, 1) else "2013"
    first_end = (hired.replace(day=28) + timedelta(days=170)).replace(day=1) - timedelta(days=1)
    second_start = first_end + timedelta(days=1)
    second_end = (second_start.replace(day=28) + timedelta(days=170)).replace(day=1) - timedelta(
        days=1
    )
    hospital = f"LEG-{(index * 3) % 60:03d}"
    if int(hospital[-3:]) % 4 == 0:  # codes divisible by 4 are general practices
        hospital = f"LEG-{(int(hospital[-3:]) + 1) % 60:03d}"
    practice = f"LEG-{(index * 4) % 60:03d}"
    employments: list[dict[str, Any]] = [
        {
            "legacy_id": f"E{index}-1",
            "department_code": hospital,
            "start": hired.isoformat(),
            "end": first_end.isoformat(),
            "percent": 100,
            "absences": [
                {
                    "kind": "sickness",
                    "first_day": (hired + timedelta(days=40)).isoformat(),
                    "last_day": (hired + timedelta(days=43)).isoformat(),
                }
            ]
            if index % 5 == 0
            else [],
            "time_attestation": {
                "attested_by": _person(rng, approvers),
                "capacity": "uao",
                "attested_on": first_end.replace(day=10).isoformat(),
            },
        },
        {
            "legacy_id": f"E{index}-2",
            "department_code": practice,
            "start": second_start.isoformat(),
            "end": second_end.isoformat(),
            "percent": 100 if index % 7 else 80,
            "time_attestation": {
                "attested_by": _person(rng, approvers),
                "capacity": "tutor",
                "attested_on": second_end.replace(day=10).isoformat(),
            }
            if index % 7
            else None,
        },
    ]
    if index % 7 == 0:  # part time 80 %: six months take 7.5, so the employment runs 8
        month_after = (second_start.replace(day=28) + timedelta(days=235)).replace(day=1)
        employments[1]["extended_to"] = (month_after - timedelta(days=1)).isoformat()
    approvals = []
    for i in range(1, COMPETENCIES + 1 - index % 4):
        day = hired + timedelta(days=rng.randrange(0, (second_end - hired).days))
        approval: dict[str, Any] = {
            "legacy_id": f"A{index}-{i}",
            "competency_code": f"KBU-{i}",
            "approver": _person(rng, approvers),
            "capacity": rng.choice(["uao", "main-supervisor", "supervisor"]),
            "method": rng.choice(METHODS),
            "assessed_on": day.isoformat(),
        }
        if approval["capacity"] == "supervisor":
            approval["delegated_by"] = _person(rng, approvers)
        if i == 3 and index % 6 == 0:
            approval["withdrawn"] = {
                "withdrawn_on": (day + timedelta(days=5)).isoformat(),
                "reason": "Godkendt ved en fejl",
                "withdrawn_by": dict(approval["approver"]),  # who approved takes it back
            }
        approvals.append(approval)
    courses = [
        {
            "course_code": f"KBU-K{i}",
            "completed_on": (hired + timedelta(days=60 * i)).isoformat(),
            "days": 2,
            "evidence_ref": f"Kursusbevis {index}-{i}",
        }
        for i in range(1, 4)
    ]
    papers = []
    if index % 9 == 0:
        papers.append(
            {
                "legacy_id": f"P{index}",
                "kind": "competency",
                "code": "KBU-25",
                "attested_on": "2011-06-01",
                "attested_by": "Overlæge (papir)",
                "document_ref": "Scannet attestation",
                "verified": {
                    "verified_by": _person(rng, approvers),
                    "verified_on": (hired + timedelta(days=20)).isoformat(),
                },
            }
        )
    submissions = []
    if index % 7 and index % 3 == 0:
        submissions.append(
            {
                "legacy_id": f"S{index}",
                "kind": "independent-practice",
                "submitted_on": second_end.replace(day=15).isoformat(),
            }
        )
    return {
        "legacy_id": f"LB-{index:06d}",
        "doctor": {
            "authorisation_id": _auth("T", index),
            "name": f"Uddannelseslæge {index}",
            "email": f"ul{index}@example.dk",
        },
        "programmes": [
            {
                "legacy_id": f"PR-{index}",
                "specialty_code": "kbu",
                "stage": "kbu",
                "region": ["nord", "syd", "oest"][index % 3],
                "curriculum_label": label,
                "hiring_date": hired.isoformat(),
                "employments": employments,
                "approvals": approvals,
                "courses": courses,
                "paper_attestations": papers,
                "submissions": submissions,
            }
        ],
    }
