"""Evaluations of training sites: the questionnaire, public results, due lists, comments."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel

from logbog_es.api.deps import ActorDep, ContainerDep, wait_for_read_model
from logbog_es.application import evaluations
from logbog_es.domain.evaluation import check_period, last_closed_period
from logbog_es.domain.evaluation import questionnaire as questionnaire_version
from logbog_es.domain.questionnaire import CURRENT
from logbog_es.domain.values import Region, Stage
from logbog_es.projections import evaluation_results

router = APIRouter(tags=["evaluations"])


class DueOut(BaseModel):
    programme_id: UUID
    employment_id: UUID
    department_id: UUID
    department_name: str
    employment_end: date
    opens: date
    closes: date
    done: bool


class CommentOut(BaseModel):
    period: str
    comment: str


@router.get("/evaluations/questionnaire")
def questionnaire(version: str = CURRENT.version) -> dict[str, Any]:
    """The questionnaire (public): groups and questions in Danish and English."""
    form = questionnaire_version(version)
    return {
        "version": form.version,
        "scale": "1-6 (6 best), or null for not relevant",
        "groups": [
            {
                "code": g.code,
                "title_da": g.da,
                "title_en": g.en,
                "questions": [{"code": q.code, "da": q.da, "en": q.en} for q in g.questions],
            }
            for g in form.groups
        ],
    }


@router.get("/evaluations/results")
def results(
    container: ContainerDep,
    department_id: UUID | None = None,
    period: Annotated[str | None, Query(description="YYYY-H1 or YYYY-H2.")] = None,
    specialty_code: str | None = None,
    region: Region | None = None,
    stage: Annotated[Stage | None, Query(description="Kind of post.")] = None,
    version: str = CURRENT.version,
) -> dict[str, Any]:
    """Published results (public, no login): group and question averages with counts.

    Only cells of at least 3 different trainees count (R13), under any combination of filters,
    and only half-years whose evaluation window has closed (`closed_until`), so a published
    figure never changes and no difference between two reveals an answer."""
    questionnaire_version(version)
    filters = {
        "department_id": str(department_id) if department_id else None,
        "period": check_period(period) if period else None,
        "specialty_code": specialty_code,
        "region": region.value if region else None,
        "stage": stage.value if stage else None,
    }
    app = container.app
    body = evaluation_results.results(
        container.read_store,
        filters,
        version,
        closed_until=last_closed_period(app.today(), app.evaluation_window_days),
    )
    if body["published"] and department_id and period:
        body["response"] = evaluation_results.response(
            container.read_store, str(department_id), period
        )
    return body


@router.get("/me/evaluations")
def my_evaluations(actor: ActorDep, container: ContainerDep) -> list[DueOut]:
    """The caller's evaluations: those due now and those already given."""
    return [
        DueOut.model_validate(d, from_attributes=True)
        for d in evaluations.my_evaluations(container.app, actor)
    ]


@router.get("/evaluations/{evaluation_id}")
def my_evaluation(evaluation_id: UUID, actor: ActorDep, container: ContainerDep) -> dict[str, Any]:
    """One evaluation: only the trainee who gave it may read it."""
    found = evaluations.my_evaluation(container.app, actor, evaluation_id)
    return {
        "evaluation_id": str(found.id),
        "period": found.period,
        "questionnaire_version": found.questionnaire_version,
        "answers": found.answers,
        "comment": found.comment,
    }


@router.get("/departments/{department_id}/evaluation-comments")
def comments(
    department_id: UUID,
    actor: ActorDep,
    container: ContainerDep,
    period: Annotated[str | None, Query(description="YYYY-H1 or YYYY-H2.")] = None,
    after: Annotated[int | None, Query()] = None,
) -> list[CommentOut]:
    """Trainees' comments, without names: for the department's UAO/tutor only."""
    if period:
        check_period(period)
    evaluations.authorise_comments(container.app, actor, department_id)
    wait_for_read_model(container, after, ["evaluation_results"])
    return [
        CommentOut.model_validate(r)
        for r in evaluation_results.comments(container.read_store, str(department_id), period)
    ]
