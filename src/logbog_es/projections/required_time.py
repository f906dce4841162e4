"""The required end of each employment (R5, R6), for the region register's flag."""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from typing import Any
from uuid import uuid4

from eventsourcing.domain import DomainEventProtocol

from logbog_es.domain.programme import Programme
from logbog_es.domain.training_time import Absence, AbsenceKind, FractionChange, report
from logbog_es.projections.runner import Projection
from logbog_es.projections.store import Row, Tx


def required_end(row: Row) -> date:
    """The rules' end for an employment's row (the same function the programme uses)."""
    start = date.fromisoformat(str(row["start_date"]))
    nominal = date.fromisoformat(str(row["nominal_end"]))
    changes = tuple(
        FractionChange(date.fromisoformat(f), Fraction(n, d))
        for f, n, d in json.loads(str(row["changes"]))
    )
    absences = tuple(
        Absence(uuid4(), AbsenceKind.OTHER, date.fromisoformat(a), date.fromisoformat(b))
        for a, b in json.loads(str(row["absences"]))
    )
    return report(
        start=start,
        nominal_end=nominal,
        recorded_end=nominal,
        initial=Fraction(int(str(row["percent"])), 100),
        changes=changes,
        absences=absences,
        today=start,
    ).required_end


class RequiredTime(Projection):
    name = "required_time"
    topics = frozenset(
        {
            Programme.EmploymentAdded.TOPIC,
            Programme.EmploymentFractionChanged.TOPIC,
            Programme.AbsenceRecorded.TOPIC,
        }
    )

    def apply(self, tx: Tx, event: DomainEventProtocol[Any], position: int) -> None:
        if isinstance(event, Programme.EmploymentAdded):
            row: Row = {
                "employment_id": str(event.employment_id),
                "programme_id": str(event.originator_id),
                "start_date": event.start.isoformat(),
                "nominal_end": event.end.isoformat(),
                "percent": event.percent,
                "changes": "[]",
                "absences": "[]",
            }
            tx.execute(
                "INSERT INTO required_time (employment_id, programme_id, start_date, nominal_end, "
                "percent, changes, absences, required_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*row.values(), required_end(row).isoformat()),
            )
            return
        if not isinstance(event, Programme.EmploymentFractionChanged | Programme.AbsenceRecorded):
            return
        found = tx.fetchall(
            "SELECT * FROM required_time WHERE employment_id = ?", (str(event.employment_id),)
        )
        if not found:
            return
        row = dict(found[0])
        if isinstance(event, Programme.EmploymentFractionChanged):
            changes = json.loads(str(row["changes"]))
            changes.append([event.from_date.isoformat(), event.numerator, event.denominator])
            row["changes"] = json.dumps(changes)
        else:
            absences = json.loads(str(row["absences"]))
            absences.append([event.first_day.isoformat(), event.last_day.isoformat()])
            row["absences"] = json.dumps(absences)
        tx.execute(
            "UPDATE required_time SET changes = ?, absences = ?, required_end = ? "
            "WHERE employment_id = ?",
            (row["changes"], row["absences"], required_end(row).isoformat(), row["employment_id"]),
        )
