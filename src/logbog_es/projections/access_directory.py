"""The access directory read model: appointments and supervisor grants per department (R2)."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import DomainEventProtocol

from logbog_es.domain.access import DepartmentAccess
from logbog_es.projections.runner import Projection
from logbog_es.projections.store import ReadStore, Row, Tx


class AccessDirectory(Projection):
    name = "access_directory"
    topics = frozenset(
        {
            "logbog:DepartmentAccess.Opened",
            "logbog:DepartmentAccess.UaoAppointed",
            "logbog:DepartmentAccess.UaoAppointmentEnded",
            "logbog:DepartmentAccess.SupervisorAccessGranted",
            "logbog:DepartmentAccess.SupervisorAccessRevoked",
        }
    )

    def apply(self, tx: Tx, event: DomainEventProtocol[Any], position: int) -> None:
        if isinstance(event, DepartmentAccess.Opened):
            tx.execute(
                "INSERT INTO access_streams (stream_id, department_id) VALUES (?, ?)",
                (str(event.originator_id), str(event.department_id)),
            )
        elif isinstance(event, DepartmentAccess.UaoAppointed):
            tx.execute(
                "INSERT INTO access_appointments (appointment_id, department_id, doctor_id, "
                "capacity, start_date) VALUES (?, ?, ?, ?, ?)",
                (
                    str(event.appointment_id),
                    str(_department(tx, event)),
                    str(event.doctor_id),
                    event.capacity,
                    event.start.isoformat(),
                ),
            )
        elif isinstance(event, DepartmentAccess.UaoAppointmentEnded):
            tx.execute(
                "UPDATE access_appointments SET last_day = ? WHERE appointment_id = ?",
                (event.last_day.isoformat(), str(event.appointment_id)),
            )
        elif isinstance(event, DepartmentAccess.SupervisorAccessGranted):
            tx.execute(
                "INSERT INTO access_grants (grant_id, department_id, supervisor_id, trainee_ids, "
                "main_supervisor_for, delegated, granted_by, start_date) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    str(event.grant_id),
                    str(_department(tx, event)),
                    str(event.supervisor_id),
                    ",".join(str(t) for t in event.trainee_ids)
                    if event.trainee_ids is not None
                    else None,
                    str(event.main_supervisor_for) if event.main_supervisor_for else None,
                    1 if event.delegated else 0,
                    str(event.granted_by),
                    event.start.isoformat(),
                ),
            )
        elif isinstance(event, DepartmentAccess.SupervisorAccessRevoked):
            tx.execute(
                "UPDATE access_grants SET revoked_from = ? WHERE grant_id = ?",
                (event.revoked_from.isoformat(), str(event.grant_id)),
            )


def _department(tx: Tx, event: DomainEventProtocol[Any]) -> str:
    rows = tx.fetchall(
        "SELECT department_id FROM access_streams WHERE stream_id = ?", (str(event.originator_id),)
    )
    return str(rows[0]["department_id"])


def appointments_of(store: ReadStore, doctor_id: str, on: date) -> list[Row]:
    """The doctor's UAO/tutor appointments valid on `on`, with the department's name."""
    return store.fetchall(
        "SELECT a.appointment_id, a.department_id, d.name AS department_name, a.capacity, "
        "a.start_date, a.last_day FROM access_appointments a "
        "LEFT JOIN catalogue_departments d ON d.department_id = a.department_id "
        "WHERE a.doctor_id = ? AND a.start_date <= ? AND (a.last_day IS NULL OR a.last_day >= ?) "
        "ORDER BY a.start_date",
        (doctor_id, on.isoformat(), on.isoformat()),
    )


def _grant(row: Row) -> Row:
    """A grant row as callers use it: trainee ids as a list (None: every trainee), delegated
    as a bool."""
    ids = row["trainee_ids"]
    return {
        **row,
        "trainee_ids": ids.split(",") if ids else None,
        "delegated": bool(row["delegated"]),
    }


def grants_of(store: ReadStore, doctor_id: str, on: date) -> list[Row]:
    """The doctor's supervisor grants valid on `on`, with the department's name."""
    rows = store.fetchall(
        "SELECT g.grant_id, g.department_id, d.name AS department_name, g.trainee_ids, "
        "g.main_supervisor_for, g.delegated, g.start_date, g.revoked_from "
        "FROM access_grants g "
        "LEFT JOIN catalogue_departments d ON d.department_id = g.department_id "
        "WHERE g.supervisor_id = ? AND g.start_date <= ? "
        "AND (g.revoked_from IS NULL OR g.revoked_from > ?) ORDER BY g.start_date",
        (doctor_id, on.isoformat(), on.isoformat()),
    )
    return [_grant(r) for r in rows]


def department_directory(store: ReadStore, department_id: str) -> dict[str, list[Row]]:
    """Everyone with access at one department, past and present."""
    return {
        "appointments": store.fetchall(
            "SELECT * FROM access_appointments WHERE department_id = ? ORDER BY start_date",
            (department_id,),
        ),
        "grants": [
            _grant(r)
            for r in store.fetchall(
                "SELECT * FROM access_grants WHERE department_id = ? ORDER BY start_date",
                (department_id,),
            )
        ],
    }
