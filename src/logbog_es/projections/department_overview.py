"""The department overview read model: who is employed at a department, now and soon."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from eventsourcing.domain import DomainEventProtocol

from logbog_es.domain.doctor import Doctor
from logbog_es.domain.programme import Programme
from logbog_es.projections.paging import Page, Sort, keyset_page
from logbog_es.projections.runner import Projection
from logbog_es.projections.store import ReadStore, Tx


class DepartmentOverview(Projection):
    name = "department_overview"
    topics = frozenset(
        {
            "logbog:Doctor.Registered",
            "logbog:Programme.Started",
            "logbog:Programme.EmploymentAdded",
            "logbog:Programme.EmploymentExtended",
        }
    )

    def apply(self, tx: Tx, event: DomainEventProtocol[Any], position: int) -> None:
        if isinstance(event, Doctor.Registered):
            tx.execute(
                "INSERT INTO overview_people (doctor_id, name) VALUES (?, ?)",
                (str(event.originator_id), event.name),
            )
        elif isinstance(event, Programme.Started):
            tx.execute(
                "INSERT INTO overview_programmes (programme_id, trainee_id, specialty_code, stage) "
                "VALUES (?, ?, ?, ?)",
                (str(event.originator_id), str(event.doctor_id), event.specialty_code, event.stage),
            )
        elif isinstance(event, Programme.EmploymentAdded):
            tx.execute(
                "INSERT INTO overview_employments (employment_id, department_id, programme_id, "
                "trainee_id, trainee_name, specialty_code, stage, start_date, end_date, percent) "
                "SELECT ?, ?, p.programme_id, p.trainee_id, d.name, p.specialty_code, p.stage, "
                "?, ?, ? FROM overview_programmes p JOIN overview_people d "
                "ON d.doctor_id = p.trainee_id WHERE p.programme_id = ?",
                (
                    str(event.employment_id),
                    str(event.department_id),
                    event.start.isoformat(),
                    event.end.isoformat(),
                    event.percent,
                    str(event.originator_id),
                ),
            )
        elif isinstance(event, Programme.EmploymentExtended):
            tx.execute(
                "UPDATE overview_employments SET end_date = ? WHERE employment_id = ?",
                (event.new_end.isoformat(), str(event.employment_id)),
            )


Scope = Literal["now", "soon", "now_and_soon", "past", "all"]
SORTS = {
    "trainee_name": "trainee_name",
    "start_date": "start_date",
    "end_date": "end_date",
}


def overview(
    store: ReadStore,
    department_id: str,
    *,
    today: date,
    scope: Scope = "now_and_soon",
    soon_days: int = 90,
    trainee_ids: frozenset[str] | None = None,
    sort: Sort,
    cursor: str | None,
    limit: int,
) -> Page:
    """Employments at the department in `scope`, with the programme's progress."""
    horizon = (today + timedelta(days=soon_days)).isoformat()
    now = today.isoformat()
    conditions = {
        "now": ("start_date <= ? AND end_date >= ?", [now, now]),
        "soon": ("start_date > ? AND start_date <= ?", [now, horizon]),
        "now_and_soon": ("end_date >= ? AND start_date <= ?", [now, horizon]),
        "past": ("end_date < ?", [now]),
        "all": ("1 = 1", []),
    }
    where, params = conditions[scope]
    base = (
        "SELECT e.employment_id, e.programme_id, e.trainee_id, e.trainee_name, e.specialty_code, "
        "e.stage, e.start_date, e.end_date, e.percent, "
        "COALESCE(p.competencies_approved, 0) AS competencies_approved, "
        "COALESCE(p.competencies_total, 0) AS competencies_total, "
        "COALESCE(p.courses_done, 0) AS courses_done, "
        "COALESCE(p.courses_total, 0) AS courses_total "
        "FROM overview_employments e "
        "LEFT JOIN progress_programmes p ON p.programme_id = e.programme_id "
        "WHERE e.department_id = ?"
    )
    base_params: list[Any] = [department_id]
    if trainee_ids is not None:
        if not trainee_ids:
            return Page([], None)
        base += " AND e.trainee_id IN (" + ", ".join("?" for _ in trainee_ids) + ")"
        base_params += sorted(trainee_ids)
    return keyset_page(
        store,
        base,
        base_params,
        where=where,
        where_params=params,
        sort=sort,
        tiebreak="employment_id",
        cursor=cursor,
        limit=limit,
    )
