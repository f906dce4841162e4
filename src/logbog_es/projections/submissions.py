"""The submissions read model: what was sent to STPS, findable by the doctor's authorisation id."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import DomainEventProtocol

from logbog_es.domain.doctor import Doctor
from logbog_es.domain.programme import Programme
from logbog_es.domain.submission import Submission
from logbog_es.projections.runner import Projection
from logbog_es.projections.store import ReadStore, Row, Tx


class Submissions(Projection):
    name = "submissions"
    topics = frozenset(
        {
            Doctor.Registered.TOPIC,
            Programme.Started.TOPIC,
            Submission.Submitted.TOPIC,
            Submission.SupplementSubmitted.TOPIC,
        }
    )

    def apply(self, tx: Tx, event: DomainEventProtocol[Any], position: int) -> None:
        if isinstance(event, Doctor.Registered):
            tx.execute(
                "INSERT INTO submissions_people (doctor_id, name, authorisation_id) "
                "VALUES (?, ?, ?)",
                (str(event.originator_id), event.name, event.authorisation_id),
            )
        elif isinstance(event, Programme.Started):
            tx.execute(
                "INSERT INTO submissions_programmes (programme_id, region) VALUES (?, ?)",
                (str(event.originator_id), event.region),
            )
        elif isinstance(event, Submission.Submitted):
            tx.execute(
                "INSERT INTO submissions (submission_id, programme_id, doctor_id, trainee_name, "
                "authorisation_id, region, kind, submitted_on, sha256, supplements) "
                "SELECT ?, ?, d.doctor_id, d.name, d.authorisation_id, p.region, ?, ?, ?, 0 "
                "FROM submissions_people d, submissions_programmes p "
                "WHERE d.doctor_id = ? AND p.programme_id = ?",
                (
                    str(event.originator_id),
                    str(event.programme_id),
                    event.kind,
                    event.submitted_on.isoformat(),
                    event.sha256,
                    str(event.doctor_id),
                    str(event.programme_id),
                ),
            )
        elif isinstance(event, Submission.SupplementSubmitted):
            tx.execute(
                "UPDATE submissions SET supplements = supplements + 1 WHERE submission_id = ?",
                (str(event.originator_id),),
            )


def find(
    store: ReadStore,
    *,
    authorisation_id: str | None = None,
    doctor_id: str | None = None,
    regions: list[str] | None = None,
) -> list[Row]:
    sql = "SELECT * FROM submissions WHERE 1 = 1"
    params: list[Any] = []
    if authorisation_id is not None:
        sql += " AND authorisation_id = ?"
        params.append(authorisation_id.strip().upper())
    if doctor_id is not None:
        sql += " AND doctor_id = ?"
        params.append(doctor_id)
    if regions is not None:
        if not regions:
            return []
        sql += " AND region IN (" + ", ".join("?" for _ in regions) + ")"
        params += regions
    return store.fetchall(sql + " ORDER BY submitted_on DESC, submission_id", params)
