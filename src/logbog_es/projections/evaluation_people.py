"""Different trainees per cell and per question of the evaluation results (R13)."""

from __future__ import annotations

import hashlib
from typing import Any

from eventsourcing.domain import DomainEventProtocol

from logbog_es.domain.evaluation import Evaluation
from logbog_es.projections.evaluation_results import cell_of
from logbog_es.projections.runner import Projection
from logbog_es.projections.store import Tx


class EvaluationPeople(Projection):
    name = "evaluation_people"
    topics = frozenset({Evaluation.Submitted.TOPIC})

    def apply(self, tx: Tx, event: DomainEventProtocol[Any], position: int) -> None:
        if not isinstance(event, Evaluation.Submitted):
            return
        cell = cell_of(event)
        person = hashlib.sha256("|".join((*cell, event.actor_id)).encode()).hexdigest()[:32]
        tx.execute(
            "INSERT INTO evaluation_cell_people VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (*cell, person),
        )
        for question, value in event.answers.items():
            if value is not None:
                tx.execute(
                    "INSERT INTO evaluation_answer_people VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (*cell, question, person),
                )
