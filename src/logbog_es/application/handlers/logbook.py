"""Handlers of the logbook: requests, approvals (R4), courses, prior attestations (R10)."""

from __future__ import annotations

from logbog_es.application.handlers.registry import handles
from logbog_es.application.handlers.shared import curriculum, programme, roster, rosters, trainee
from logbog_es.application.handlers.shared import department as load_department
from logbog_es.application.handlers.shared import specialty as load_specialty
from logbog_es.application.handling import Context, Decided
from logbog_es.commands import (
    ApproveCompetency,
    DeclineAssessment,
    RecordCourseCompletion,
    RegisterPriorAttestation,
    RequestAssessment,
    VerifyPriorAttestation,
    WithdrawApproval,
)
from logbog_es.domain.base import stable_id
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import Conflict, InvalidInput, NotAllowed
from logbog_es.domain.policy import Action, Refused, Target, approver


@handles(RequestAssessment)
def request_assessment(cmd: RequestAssessment, ctx: Context) -> Decided:
    prog = programme(ctx, cmd.programme_id)
    doctor = trainee(ctx, prog)
    meta = ctx.authorise(
        Action.REQUEST_ASSESSMENT,
        Target(trainee_id=prog.doctor_id, trainee_access_from=doctor.access_from),
    )
    employment = prog.employment_on(ctx.today)
    if employment is None:
        raise Conflict("access.not_employed_today")
    access = roster(ctx, employment.department_id, shared=True)
    if access is None or not access.may_assess(cmd.supervisor_id, prog.doctor_id, ctx.today):
        department = load_department(ctx, employment.department_id)
        raise InvalidInput(
            "access.supervisor_no_access", field="supervisor_id", department=department.name
        )
    prog.request_assessment(
        request_id=stable_id("request", ctx.command_id),
        curriculum=curriculum(ctx, prog),
        code=cmd.competency_code,
        supervisor_id=cmd.supervisor_id,
        department_id=employment.department_id,
        meta=meta,
        note=cmd.note,
    )
    return Decided((prog,), prog)


@handles(ApproveCompetency)
def approve_competency(cmd: ApproveCompetency, ctx: Context) -> Decided:
    """R4: the approver holds access on the day assessed, at the trainee's department then."""
    prog = programme(ctx, cmd.programme_id)
    if cmd.assessed_on > ctx.today:
        raise InvalidInput(
            "date.in_future", field="assessed_on", value=cmd.assessed_on, today=ctx.today
        )
    employment = prog.employment_on(cmd.assessed_on)
    if employment is None:
        raise NotAllowed("auth.not_employed", day=cmd.assessed_on)
    access = roster(ctx, employment.department_id, shared=True)
    decision = approver(
        ctx.actor,
        Target(rosters=(access,) if access else (), trainee_id=prog.doctor_id),
        cmd.assessed_on,
    )
    if isinstance(decision, Refused):
        raise NotAllowed(decision.code, **decision.params)
    assert ctx.actor.doctor_id is not None
    existing = prog.active_approval(cmd.competency_code)
    if existing is not None:
        by = ctx.app.find(Doctor, existing.approver_id, shared=True)
        raise Conflict(
            "logbook.already_approved",
            code=cmd.competency_code,
            on=existing.assessed_on,
            by=by.name if by else existing.approver_id,
            capacity=existing.capacity.value,
        )
    prog.approve(
        approval_id=stable_id("approval", ctx.command_id),
        curriculum=curriculum(ctx, prog),
        code=cmd.competency_code,
        approver_id=ctx.actor.doctor_id,
        capacity=decision.capacity,
        delegated_by=decision.delegated_by,
        method=cmd.method,
        assessed_on=cmd.assessed_on,
        department_id=employment.department_id,
        note=cmd.note,
        today=ctx.today,
        meta=ctx.meta(decision.capacity),
    )
    return Decided((prog,), prog)


@handles(DeclineAssessment)
def decline_assessment(cmd: DeclineAssessment, ctx: Context) -> Decided:
    prog = programme(ctx, cmd.programme_id)
    request = prog.open_request(cmd.request_id)
    meta = ctx.authorise(
        Action.DECLINE_ASSESSMENT,
        Target(addressed_to=request.supervisor_id, rosters=rosters(ctx, [request.department_id])),
    )
    prog.decline(request_id=cmd.request_id, reason=cmd.reason, meta=meta)
    return Decided((prog,), prog)


@handles(WithdrawApproval)
def withdraw_approval(cmd: WithdrawApproval, ctx: Context) -> Decided:
    prog = programme(ctx, cmd.programme_id)
    approval = prog.approval(cmd.approval_id)
    meta = ctx.authorise(
        Action.WITHDRAW_APPROVAL, Target(rosters=rosters(ctx, [approval.department_id]))
    )
    prog.withdraw(approval_id=cmd.approval_id, reason=cmd.reason, meta=meta)
    return Decided((prog,), prog)


@handles(RecordCourseCompletion)
def record_course_completion(cmd: RecordCourseCompletion, ctx: Context) -> Decided:
    prog = programme(ctx, cmd.programme_id)
    departments = [e.department_id for e in prog.employments]
    meta = ctx.authorise(
        Action.RECORD_COURSE_COMPLETION,
        Target(region=prog.region, rosters=rosters(ctx, departments)),
    )
    prog.complete_course(
        curriculum=curriculum(ctx, prog),
        code=cmd.course_code,
        completed_on=cmd.completed_on,
        hours=cmd.hours,
        days=cmd.days,
        evidence_ref=cmd.evidence_ref,
        today=ctx.today,
        meta=meta,
    )
    return Decided((prog,), prog)


@handles(RegisterPriorAttestation)
def register_prior_attestation(cmd: RegisterPriorAttestation, ctx: Context) -> Decided:
    prog = programme(ctx, cmd.programme_id)
    doctor = trainee(ctx, prog)
    meta = ctx.authorise(
        Action.REGISTER_PRIOR_ATTESTATION,
        Target(trainee_id=prog.doctor_id, trainee_access_from=doctor.access_from),
    )
    specialty = load_specialty(ctx, prog.specialty_code)
    assert doctor.access_from is not None  # the policy ensured it
    prog.register_prior_attestation(
        attestation_id=stable_id("attestation", ctx.command_id),
        curriculum=curriculum(ctx, prog),
        kind=cmd.kind,
        code=cmd.code,
        attested_on=cmd.attested_on,
        attested_by=cmd.attested_by,
        document_ref=cmd.document_ref,
        logbook_from=specialty.logbook_from(doctor.access_from),
        today=ctx.today,
        meta=meta,
    )
    return Decided((prog,), prog)


@handles(VerifyPriorAttestation)
def verify_prior_attestation(cmd: VerifyPriorAttestation, ctx: Context) -> Decided:
    """R10: the current UAO/tutor: of the department where the trainee is employed today."""
    prog = programme(ctx, cmd.programme_id)
    doctor = trainee(ctx, prog)
    current = next(
        (b for b in doctor.employments if b.period.start <= ctx.today <= b.period.end), None
    )
    if current is None:
        raise Conflict("access.no_current_department")
    meta = ctx.authorise(
        Action.VERIFY_PRIOR_ATTESTATION, Target(rosters=rosters(ctx, [current.department_id]))
    )
    assert ctx.actor.doctor_id is not None
    prog.verify_prior_attestation(
        attestation_id=cmd.attestation_id,
        verified_by=ctx.actor.doctor_id,
        today=ctx.today,
        meta=meta,
    )
    return Decided((prog,), prog)
