"""Evaluation results: aggregated cells, and the only way results are published (R13).

`results()` sums answers over the cells matching the filters, counting only cells that on their
own hold answers of at least MIN_CELL different trainees (read model `evaluation_people`; and,
per question, MIN_CELL different trainees' answers), and only half-years whose evaluations are
all in (`domain.evaluation.last_closed_period`). A cell below that is never published, alone
or inside a sum, and a published figure never changes afterwards, so no combination of
filters, and no difference between two published figures, reveals fewer than MIN_CELL
trainees' answers.
"""

from __future__ import annotations

import hashlib
from typing import Any

from eventsourcing.domain import DomainEventProtocol

from logbog_es.domain.evaluation import MIN_CELL, Evaluation, EvaluationResponse
from logbog_es.domain.questionnaire import QUESTIONNAIRES
from logbog_es.projections.runner import Projection
from logbog_es.projections.store import ReadStore, Row, Tx

DIMENSIONS = ("department_id", "period", "specialty_code", "region", "stage")


def cell_of(event: Any) -> tuple[str, str, str, str, str]:
    """An evaluation's cell: its values of DIMENSIONS, in that order."""
    return (
        str(event.department_id),
        event.period,
        event.specialty_code,
        event.region,
        event.stage,
    )


class EvaluationResults(Projection):
    name = "evaluation_results"
    topics = frozenset(
        {
            Evaluation.Submitted.TOPIC,
            EvaluationResponse.Opened.TOPIC,
            EvaluationResponse.Given.TOPIC,
        }
    )

    def apply(self, tx: Tx, event: DomainEventProtocol[Any], position: int) -> None:
        if isinstance(event, Evaluation.Submitted):
            cell = cell_of(event)
            where = " AND ".join(f"{d} = ?" for d in DIMENSIONS)
            found = tx.fetchall(f"SELECT evaluations FROM evaluation_cells WHERE {where}", cell)  # noqa: S608
            if found:
                tx.execute(
                    f"UPDATE evaluation_cells SET evaluations = evaluations + 1 WHERE {where}",  # noqa: S608
                    cell,
                )
            else:
                tx.execute("INSERT INTO evaluation_cells VALUES (?, ?, ?, ?, ?, 1)", cell)
            for question, value in event.answers.items():
                if value is None:
                    continue
                key = (*cell, question)
                qwhere = where + " AND question = ?"
                if tx.fetchall(f"SELECT answers FROM evaluation_answers WHERE {qwhere}", key):  # noqa: S608
                    tx.execute(
                        "UPDATE evaluation_answers SET answers = answers + 1, total = total + ? "  # noqa: S608
                        f"WHERE {qwhere}",
                        (value, *key),
                    )
                else:
                    tx.execute(
                        "INSERT INTO evaluation_answers VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
                        (*key, value),
                    )
            if event.comment:
                opaque = hashlib.sha256(f"comment:{position}".encode()).hexdigest()[:24]
                tx.execute(
                    "INSERT INTO evaluation_comments VALUES (?, ?, ?, ?)",
                    (opaque, str(event.department_id), event.period, event.comment),
                )
        elif isinstance(event, EvaluationResponse.Opened):
            tx.execute(
                "INSERT INTO evaluation_responses VALUES (?, ?, ?, '', ?)",
                (
                    str(event.originator_id),
                    str(event.department_id),
                    event.period,
                    event.timestamp.isoformat(),
                ),
            )
        elif isinstance(event, EvaluationResponse.Given):
            tx.execute(
                "UPDATE evaluation_responses SET response = ?, responded_at = ? "
                "WHERE response_id = ?",
                (event.text, event.timestamp.isoformat(), str(event.originator_id)),
            )


#: The cell's dimensions matched between an outer table `c` and a people table `p`.
_SAME_CELL = " AND ".join(f"p.{d} = c.{d}" for d in DIMENSIONS)


def results(
    store: ReadStore,
    filters: dict[str, str | None],
    version: str,
    *,
    closed_until: str,
) -> dict[str, Any]:
    """Published averages for the filters; `published` False when too few different trainees
    (R13). Only half-years up to `closed_until` (`domain.evaluation.last_closed_period`) count."""
    where = " AND ".join(f"c.{d} = ?" for d in DIMENSIONS if filters.get(d)) or "1 = 1"
    params = [filters[d] for d in DIMENSIONS if filters.get(d)]
    enough = (
        f"(SELECT COUNT(*) FROM evaluation_cell_people p WHERE {_SAME_CELL}) >= ? "  # noqa: S608
        "AND c.period <= ?"
    )
    cells = store.fetchall(
        f"SELECT SUM(c.evaluations) AS n FROM evaluation_cells c WHERE {where} "  # noqa: S608
        f"AND {enough}",
        [*params, MIN_CELL, closed_until],
    )
    evaluations = int(cells[0]["n"] or 0)
    form = QUESTIONNAIRES[version]
    body: dict[str, Any] = {
        "filters": {k: v for k, v in filters.items() if v},
        "min_evaluations": MIN_CELL,
        "closed_until": closed_until,
    }
    if evaluations < MIN_CELL:
        return body | {"published": False, "evaluations": None, "groups": [], "questions": []}
    same_answer = " AND ".join(f"p.{d} = a.{d}" for d in DIMENSIONS)
    safe = (
        "SELECT a.question, SUM(a.answers) AS answers, SUM(a.total) AS total "  # noqa: S608
        "FROM evaluation_answers a JOIN evaluation_cells c ON "
        + " AND ".join(f"a.{d} = c.{d}" for d in DIMENSIONS)
        + f" WHERE {enough} AND (SELECT COUNT(*) FROM evaluation_answer_people p WHERE "  # noqa: S608 - column names only
        + same_answer
        + " AND p.question = a.question) >= ? "
        + (" AND " + where if params else "")
        + " GROUP BY a.question"
    )
    rows: dict[str, Row] = {
        r["question"]: r for r in store.fetchall(safe, [MIN_CELL, closed_until, MIN_CELL, *params])
    }
    questions: list[dict[str, Any]] = []
    for question in form.questions:
        row = rows.get(question.code)
        count = int(row["answers"]) if row else 0
        questions.append(
            {
                "code": question.code,
                "group": form.group_of(question.code),
                "text_da": question.da,
                "text_en": question.en,
                "answers": count if count >= MIN_CELL else None,
                "average": round(int(row["total"]) / count, 2)
                if row and count >= MIN_CELL
                else None,
            }
        )
    groups = []
    for group in form.groups:
        answered = [q for q in questions if q["group"] == group.code and q["answers"]]
        count = sum(q["answers"] for q in answered)
        total = sum(rows[q["code"]]["total"] for q in answered)
        groups.append(
            {
                "code": group.code,
                "title_da": group.da,
                "title_en": group.en,
                "answers": count or None,
                "average": round(int(total) / count, 2) if count else None,
            }
        )
    return body | {
        "published": True,
        "evaluations": evaluations,
        "groups": groups,
        "questions": questions,
    }


def response(store: ReadStore, department_id: str, period: str) -> str | None:
    rows = store.fetchall(
        "SELECT response FROM evaluation_responses WHERE department_id = ? AND period = ?",
        (department_id, period),
    )
    return str(rows[0]["response"]) if rows and rows[0]["response"] else None


def comments(store: ReadStore, department_id: str, period: str | None) -> list[Row]:
    if period:
        return store.fetchall(
            "SELECT period, comment FROM evaluation_comments WHERE department_id = ? "
            "AND period = ? ORDER BY period, comment_id",
            (department_id, period),
        )
    return store.fetchall(
        "SELECT period, comment FROM evaluation_comments WHERE department_id = ? "
        "ORDER BY period, comment_id",
        (department_id,),
    )
