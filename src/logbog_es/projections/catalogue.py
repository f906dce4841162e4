"""The catalogue read model: specialties, curriculum versions and departments."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import DomainEventProtocol

from logbog_es.domain.curriculum import CurriculumVersion
from logbog_es.domain.department import Department
from logbog_es.domain.specialty import Specialty
from logbog_es.projections.runner import Projection
from logbog_es.projections.store import ReadStore, Row, Tx


class Catalogue(Projection):
    name = "catalogue"
    topics = frozenset(
        {
            "logbog:Specialty.Registered",
            "logbog:Specialty.Retired",
            "logbog:Specialty.CurriculumVersionAdded",
            "logbog:CurriculumVersion.Published",
            "logbog:Department.Registered",
        }
    )

    def apply(self, tx: Tx, event: DomainEventProtocol[Any], position: int) -> None:
        if isinstance(event, Specialty.Registered):
            tx.execute(
                "INSERT INTO catalogue_specialties (code, specialty_id, name, stages, "
                "on_logbook_from) VALUES (?, ?, ?, ?, ?)",
                (
                    event.code,
                    str(event.originator_id),
                    event.name,
                    ",".join(event.stages),
                    event.on_logbook_from.isoformat(),
                ),
            )
        elif isinstance(event, Specialty.Retired):
            tx.execute(
                "UPDATE catalogue_specialties SET retired_on = ? WHERE specialty_id = ?",
                (event.retired_on.isoformat(), str(event.originator_id)),
            )
        elif isinstance(event, Specialty.CurriculumVersionAdded):
            tx.execute(
                "UPDATE catalogue_specialties SET curriculum_versions = curriculum_versions + 1 "
                "WHERE specialty_id = ?",
                (str(event.originator_id),),
            )
        elif isinstance(event, CurriculumVersion.Published):
            tx.execute(
                "INSERT INTO catalogue_curricula (curriculum_id, specialty_code, stage, label, "
                "effective_from, nominal_duration_months, competencies, courses, published_at, "
                "published_position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    str(event.originator_id),
                    event.specialty_code,
                    event.stage,
                    event.label,
                    event.effective_from.isoformat(),
                    event.nominal_duration_months,
                    len(event.competencies),
                    len(event.courses),
                    event.timestamp.isoformat(),
                    position,
                ),
            )
        elif isinstance(event, Department.Registered):
            tx.execute(
                "INSERT INTO catalogue_departments (department_id, code, name, kind, region) "
                "VALUES (?, ?, ?, ?, ?)",
                (str(event.originator_id), event.code, event.name, event.kind, event.region),
            )


def list_specialties(store: ReadStore) -> list[Row]:
    return store.fetchall(
        "SELECT code, name, stages, on_logbook_from, retired_on, curriculum_versions "
        "FROM catalogue_specialties ORDER BY code"
    )


def list_curricula(
    store: ReadStore, *, specialty_code: str | None = None, stage: str | None = None
) -> list[Row]:
    sql = (
        "SELECT curriculum_id, specialty_code, stage, label, effective_from, "
        "nominal_duration_months, competencies, courses, published_at "
        "FROM catalogue_curricula WHERE 1 = 1"
    )
    params: list[Any] = []
    if specialty_code is not None:
        sql += " AND specialty_code = ?"
        params.append(specialty_code)
    if stage is not None:
        sql += " AND stage = ?"
        params.append(stage)
    return store.fetchall(sql + " ORDER BY specialty_code, stage, effective_from, label", params)


def list_departments(store: ReadStore, *, region: str | None = None) -> list[Row]:
    if region is None:
        return store.fetchall(
            "SELECT department_id, code, name, kind, region "
            "FROM catalogue_departments ORDER BY code"
        )
    return store.fetchall(
        "SELECT department_id, code, name, kind, region FROM catalogue_departments "
        "WHERE region = ? ORDER BY code",
        (region,),
    )
