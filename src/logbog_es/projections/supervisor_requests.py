"""The supervisor requests read model: assessment requests waiting for each supervisor."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import DomainEventProtocol

from logbog_es.domain.doctor import Doctor
from logbog_es.domain.programme import Programme
from logbog_es.projections.runner import Projection
from logbog_es.projections.store import ReadStore, Row, Tx


class SupervisorRequests(Projection):
    name = "supervisor_requests"
    topics = frozenset(
        {
            "logbog:Doctor.Registered",
            "logbog:Programme.Started",
            "logbog:Programme.AssessmentRequested",
            "logbog:Programme.AssessmentDeclined",
            "logbog:Programme.CompetencyApproved",
        }
    )

    def apply(self, tx: Tx, event: DomainEventProtocol[Any], position: int) -> None:
        if isinstance(event, Doctor.Registered):
            tx.execute(
                "INSERT INTO supervisor_requests_people (doctor_id, name) VALUES (?, ?)",
                (str(event.originator_id), event.name),
            )
        elif isinstance(event, Programme.Started):
            tx.execute(
                "INSERT INTO supervisor_requests_programmes (programme_id, trainee_id) "
                "VALUES (?, ?)",
                (str(event.originator_id), str(event.doctor_id)),
            )
        elif isinstance(event, Programme.AssessmentRequested):
            tx.execute(
                "INSERT INTO supervisor_requests (request_id, supervisor_id, programme_id, "
                "trainee_id, competency_code, department_id, requested_at, requested_position) "
                "SELECT ?, ?, ?, trainee_id, ?, ?, ?, ? FROM supervisor_requests_programmes "
                "WHERE programme_id = ?",
                (
                    str(event.request_id),
                    str(event.supervisor_id),
                    str(event.originator_id),
                    event.competency_code,
                    str(event.department_id),
                    event.timestamp.isoformat(),
                    position,
                    str(event.originator_id),
                ),
            )
        elif isinstance(event, Programme.AssessmentDeclined) or (
            isinstance(event, Programme.CompetencyApproved) and event.request_id is not None
        ):
            tx.execute(
                "DELETE FROM supervisor_requests WHERE request_id = ?", (str(event.request_id),)
            )


def pending_for(
    store: ReadStore, supervisor_id: str, *, limit: int = 100, after_position: int = 0
) -> list[Row]:
    """Pending requests for one supervisor, oldest first (cursor: the request's position)."""
    return store.fetchall(
        "SELECT r.request_id, r.programme_id, r.trainee_id, p.name AS trainee_name, "
        "r.competency_code, r.department_id, r.requested_at, r.requested_position "
        "FROM supervisor_requests r "
        "LEFT JOIN supervisor_requests_people p ON p.doctor_id = r.trainee_id "
        "WHERE r.supervisor_id = ? AND r.requested_position > ? "
        "ORDER BY r.requested_position LIMIT ?",
        (supervisor_id, after_position, limit),
    )


def count_for(store: ReadStore, supervisor_id: str) -> int:
    """How many requests wait for one supervisor (the count beside the inbox)."""
    rows = store.fetchall(
        "SELECT COUNT(*) AS n FROM supervisor_requests WHERE supervisor_id = ?", (supervisor_id,)
    )
    return int(rows[0]["n"]) if rows else 0
