"""Handlers of the evaluation of training sites. Nothing here touches approvals or access."""

from __future__ import annotations

from logbog_es.application.handlers.registry import handles
from logbog_es.application.handlers.shared import department as load_department
from logbog_es.application.handlers.shared import programme, rosters, trainee
from logbog_es.application.handling import Context, Decided
from logbog_es.commands import RespondToEvaluations, SubmitEvaluation
from logbog_es.domain.errors import Conflict
from logbog_es.domain.evaluation import (
    Evaluation,
    EvaluationResponse,
    check_window,
    evaluation_id,
    questionnaire,
    response_id,
)
from logbog_es.domain.policy import Action, Target


@handles(SubmitEvaluation)
def submit_evaluation(cmd: SubmitEvaluation, ctx: Context) -> Decided:
    prog = programme(ctx, cmd.programme_id)
    doctor = trainee(ctx, prog)
    meta = ctx.authorise(
        Action.SUBMIT_EVALUATION,
        Target(trainee_id=prog.doctor_id, trainee_access_from=doctor.access_from),
    )
    employment = prog.employment(cmd.employment_id)
    check_window(employment.end, ctx.today, ctx.app.evaluation_window_days)
    if ctx.app.find(Evaluation, evaluation_id(employment.employment_id)) is not None:
        raise Conflict("evaluation.done")
    department = load_department(ctx, employment.department_id)
    evaluation = Evaluation.submit(
        employment_id=employment.employment_id,
        department_id=department.id,
        end=employment.end,
        specialty_code=prog.specialty_code,
        region=department.region.value,
        stage=prog.stage.value,
        form=questionnaire(cmd.questionnaire_version),
        answers=cmd.answers,
        comment=cmd.comment,
        meta=meta,
    )
    return Decided((evaluation,), evaluation)


@handles(RespondToEvaluations)
def respond_to_evaluations(cmd: RespondToEvaluations, ctx: Context) -> Decided:
    department = load_department(ctx, cmd.department_id)
    meta = ctx.authorise(
        Action.RESPOND_TO_EVALUATIONS, Target(rosters=rosters(ctx, [department.id]))
    )
    response = ctx.app.find(EvaluationResponse, response_id(department.id, cmd.period))
    if response is None:
        response = EvaluationResponse.open(department.id, cmd.period, meta)
    response.give(cmd.text, meta)
    return Decided((response,), response)
