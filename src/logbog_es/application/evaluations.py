"""Reads about evaluations for the trainee and the department; results are in projections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from logbog_es.application.app import Logbog
from logbog_es.domain.access import DepartmentAccess, department_access_id
from logbog_es.domain.department import Department
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import NotAllowed, NotFound
from logbog_es.domain.evaluation import Evaluation, evaluation_id, evaluation_window
from logbog_es.domain.policy import Action, Actor, Target, require
from logbog_es.domain.programme import Programme


@dataclass(frozen=True, slots=True)
class Due:
    programme_id: UUID
    employment_id: UUID
    department_id: UUID
    department_name: str
    employment_end: date
    opens: date
    closes: date
    done: bool


def my_evaluations(app: Logbog, actor: Actor) -> list[Due]:
    """The caller's employments that may be, or have been, evaluated."""
    if actor.doctor_id is None:
        return []
    doctor = app.find(Doctor, actor.doctor_id)
    if doctor is None:
        return []
    today = app.today()
    result = []
    for ref in doctor.programmes:
        programme = app.find(Programme, ref.programme_id)
        if programme is None:
            continue
        for employment in programme.employments:
            opens, closes = evaluation_window(employment.end, app.evaluation_window_days)
            done = app.find(Evaluation, evaluation_id(employment.employment_id)) is not None
            if not done and not opens <= today <= closes:
                continue
            department = app.find(Department, employment.department_id)
            result.append(
                Due(
                    programme.id,
                    employment.employment_id,
                    employment.department_id,
                    department.name if department else "",
                    employment.end,
                    opens,
                    closes,
                    done,
                )
            )
    return result


def my_evaluation(app: Logbog, actor: Actor, evaluation: UUID) -> Evaluation:
    """An individual evaluation: visible to no one but the trainee who gave it."""
    found = app.find(Evaluation, evaluation)
    if found is None:
        raise NotFound("evaluation.unknown", evaluation_id=evaluation)
    if found.given_by != actor.subject:
        raise NotAllowed("auth.own_evaluation_only")
    return found


def authorise_comments(app: Logbog, actor: Actor, department_id: UUID) -> Department:
    """Comments reach only the department's UAO/tutor (the management's contact here)."""
    department = app.load(
        Department, department_id, message="department.unknown", department_id=department_id
    )
    roster = app.find(DepartmentAccess, department_access_id(department.id))
    require(
        actor,
        Action.READ_EVALUATION_COMMENTS,
        Target(rosters=(roster,) if roster else ()),
        app.today(),
    )
    return department
