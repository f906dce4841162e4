"""Generate a realistic event store fast, by driving the aggregates directly (no HTTP, no policy).

Shared by the benchmarks. Per trainee: registration, a programme pinned by R1, two
employments (with trainee access), about twenty approvals, two courses, and a command receipt
for every command, as the service would write them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

from logbog_es.application import Logbog
from logbog_es.domain.base import LogbogAggregate, Meta
from logbog_es.domain.curriculum import CurriculumVersion
from logbog_es.domain.department import Department
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.receipt import CommandReceipt, RecordedEvent
from logbog_es.domain.specialty import Specialty
from logbog_es.domain.values import (
    AssessmentMethod,
    Capacity,
    Competency,
    Course,
    CourseKind,
    DepartmentKind,
    DoctorRole,
    MethodRequirement,
    Region,
    Stage,
)

ROLES = list(DoctorRole)


def _meta(capacity: Capacity = Capacity.SECRETARIAT) -> Meta:
    return Meta("bench", capacity, str(uuid4()))


def _receipt(name: str, aggregates: list[LogbogAggregate], meta: Meta) -> CommandReceipt:
    events = tuple(
        RecordedEvent(type(e).TOPIC, e.originator_id, e.originator_version)  # type: ignore[attr-defined]
        for agg in aggregates
        for e in agg.pending_events
    )
    return CommandReceipt.issue(
        command_name=name, payload_sha256="0" * 64, events=events, meta=meta
    )


def reference(
    app: Logbog, competencies: int = 25, region: Region | None = None
) -> tuple[Specialty, CurriculumVersion, list[Department]]:
    """KBU, its 2019 curriculum and 60 departments (in every region, or all in `region`)."""
    specialty = Specialty.register(
        code="kbu", name="KBU", stages=(Stage.KBU,), on_logbook_from=date(2010, 1, 1), meta=_meta()
    )
    comps = tuple(
        Competency(
            f"K{i}",
            f"Kompetence {i}",
            "Beskrivelse",
            (ROLES[i % 7], ROLES[(i + 3) % 7]),
            (MethodRequirement(AssessmentMethod.MINI_CEX, True),),
        )
        for i in range(competencies)
    )
    courses = tuple(Course(f"C{i}", f"Kursus {i}", CourseKind.GENERAL, None, 2) for i in range(3))
    curriculum = specialty.publish_curriculum(
        stage=Stage.KBU,
        label="2019",
        effective_from=date(2019, 1, 1),
        nominal_duration_months=12,
        competencies=comps,
        courses=courses,
        meta=_meta(),
    )
    departments = [
        Department.register(
            code=f"D{i}",
            name=f"Afdeling {i}",
            kind=DepartmentKind.HOSPITAL,
            region=region or list(Region)[i % 3],
            meta=_meta(),
        )
        for i in range(60)
    ]
    app.save(specialty, curriculum, *departments)
    return specialty, curriculum, departments


def trainee(
    index: int,
    specialty: Specialty,
    curriculum: CurriculumVersion,
    departments: list[Department],
    rng: random.Random,
) -> Iterator[list[LogbogAggregate]]:
    """The commands of one trainee's logbook, each as the aggregates it saves (with a receipt)."""
    meta = _meta()
    doctor = Doctor.register(
        authorisation_id=f"{index:05X}"[-5:].rjust(5, "0"),
        name=f"Læge {index}",
        email=f"l{index}@example.dk",
        cpr=None,
        meta=meta,
    )
    yield [doctor, _receipt("register-doctor", [doctor], meta)]
    hired = date(2020 + index % 6, 1 + index % 12, 1)
    programme_id = uuid4()
    meta = _meta()
    programme = doctor.start_programme(
        programme_id=programme_id,
        specialty_code="kbu",
        stage=Stage.KBU,
        region=Region.NORD,
        hiring_date=hired,
        pinned=specialty.pin(Stage.KBU, hired),
        meta=meta,
    )
    yield [doctor, programme, _receipt("start-programme", [doctor, programme], meta)]
    start = hired
    for _ in range(2):
        meta = _meta()
        end = (start.replace(day=28) + timedelta(days=180)).replace(day=1) - timedelta(days=1)
        department = rng.choice(departments)
        doctor.add_employment(
            programme,
            employment_id=uuid4(),
            department_id=department.id,
            start=start,
            end=end,
            percent=100,
            meta=meta,
        )
        yield [programme, doctor, _receipt("add-employment", [programme, doctor], meta)]
        start = end + timedelta(days=1)
    approver = uuid4()
    for comp in curriculum.competencies[: 16 + index % 9]:
        meta = _meta(Capacity.UAO)
        day = programme.employments[0].start + timedelta(days=rng.randint(0, 300))
        programme.approve(
            approval_id=uuid4(),
            curriculum=curriculum,
            code=comp.code,
            approver_id=approver,
            capacity=Capacity.UAO,
            delegated_by=None,
            method=AssessmentMethod.MINI_CEX,
            assessed_on=day,
            department_id=programme.employments[0].department_id,
            note=None,
            today=date(2030, 1, 1),
            meta=meta,
        )
        yield [programme, _receipt("approve-competency", [programme], meta)]
    for course in curriculum.courses[:2]:
        meta = _meta()
        programme.complete_course(
            curriculum=curriculum,
            code=course.code,
            completed_on=hired + timedelta(days=40),
            hours=None,
            days=2,
            evidence_ref="Bevis",
            today=date(2030, 1, 1),
            meta=meta,
        )
        yield [programme, _receipt("record-course-completion", [programme], meta)]


def fill(app: Logbog, events: int, *, seed: int = 7, chunk: int = 4000) -> int:
    """Write about `events` events; returns the number written."""
    rng = random.Random(seed)
    specialty, curriculum, departments = reference(app)
    written = app.position()
    pending: list[Any] = []
    pending_events = 0
    index = 0
    while written + pending_events < events:
        for aggregates in trainee(index, specialty, curriculum, departments, rng):
            count = sum(len(a.pending_events) for a in aggregates)
            for aggregate in aggregates:
                pending.extend(aggregate.collect_events())
            pending_events += count
        index += 1
        if pending_events >= chunk:
            app.save(*pending)
            written += pending_events
            pending, pending_events = [], 0
    if pending:
        app.save(*pending)
        written += pending_events
    return written
