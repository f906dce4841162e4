"""The required end of each employment (R5, R6), for the region register's flag."""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from logbog_es.domain.programme import Programme
from logbog_es.domain.training_time import Absence, AbsenceKind, FractionChange, report
from logbog_es.projections.runner import Batch, Projection
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
        Absence(_NO_ID, AbsenceKind.OTHER, date.fromisoformat(a), date.fromisoformat(b))
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
        self.apply_batch(tx, [(event, position)])

    def apply_batch(self, tx: Tx, batch: Batch) -> None:
        """A batch at once: the rows its events change read in one query, each row written
        once (a query and a write per event took a quarter of the projection process's CPU)."""
        followed = [e for e, _ in batch if isinstance(e, _FOLLOWED)]
        if not followed:
            return
        wanted = sorted({str(e.employment_id) for e in followed if not isinstance(e, _ADDED)})
        rows: dict[str, dict[str, Any]] = {}
        for start in range(
            0, len(wanted), ROWS_PER_STATEMENT
        ):  # parameters per statement are limited
            chunk = wanted[start : start + ROWS_PER_STATEMENT]
            marks = ", ".join("?" for _ in chunk)
            rows |= {
                str(r["employment_id"]): dict(r)
                for r in tx.fetchall(
                    f"SELECT * FROM required_time WHERE employment_id IN ({marks})",  # noqa: S608
                    chunk,
                )
            }
        added: list[str] = []
        changed: set[str] = set()
        for event in followed:
            key = str(event.employment_id)
            if isinstance(event, _ADDED):
                rows[key] = {
                    "employment_id": key,
                    "programme_id": str(event.originator_id),
                    "start_date": event.start.isoformat(),
                    "nominal_end": event.end.isoformat(),
                    "percent": event.percent,
                    "changes": "[]",
                    "absences": "[]",
                }
                added.append(key)
                continue
            row = rows.get(key)
            if row is None:  # an employment this read model never saw added
                continue
            if isinstance(event, Programme.EmploymentFractionChanged):
                changes = json.loads(str(row["changes"]))
                changes.append([event.from_date.isoformat(), event.numerator, event.denominator])
                row["changes"] = json.dumps(changes)
            elif isinstance(event, Programme.AbsenceRecorded):
                absences = json.loads(str(row["absences"]))
                absences.append([event.first_day.isoformat(), event.last_day.isoformat()])
                row["absences"] = json.dumps(absences)
            changed.add(key)
        if added:
            tx.executemany(
                "INSERT INTO required_time (employment_id, programme_id, start_date, nominal_end, "
                "percent, changes, absences, required_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(*rows[k].values(), required_end(rows[k]).isoformat()) for k in added],
            )
        updated = sorted(changed.difference(added))
        for start in range(0, len(updated), ROWS_PER_STATEMENT):
            chunk = updated[start : start + ROWS_PER_STATEMENT]
            tx.execute(  # one statement for all (a pipeline of updates cost 3x the CPU)
                "UPDATE required_time SET changes = v.column2, absences = v.column3, "  # noqa: S608
                "required_end = v.column4 "
                f"FROM (VALUES {', '.join(['(?, ?, ?, date(?))'] * len(chunk))}) AS v "
                "WHERE required_time.employment_id = v.column1",
                [
                    value
                    for k in chunk
                    for value in (
                        k,
                        rows[k]["changes"],
                        rows[k]["absences"],
                        required_end(rows[k]).isoformat(),
                    )
                ],
            )


#: The absences of a row are counted, never named: one id for all (a random id each took a
#: system call per absence per update).
_NO_ID = UUID(int=0)

#: Rows per statement: an UPDATE takes four parameters per row, a SELECT one (well inside
#: SQLite's and PostgreSQL's limits on parameters, whatever the batch size).
ROWS_PER_STATEMENT = 500

_ADDED = Programme.EmploymentAdded
_FOLLOWED = (
    Programme.EmploymentAdded,
    Programme.EmploymentFractionChanged,
    Programme.AbsenceRecorded,
)
