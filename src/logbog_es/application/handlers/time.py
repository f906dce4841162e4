"""Handlers of training time: absence, part time, extensions, time attestations (R5-R7, R9)."""

from __future__ import annotations

from fractions import Fraction

from logbog_es.application.handlers.registry import handles
from logbog_es.application.handlers.shared import programme, rosters, trainee
from logbog_es.application.handling import Context, Decided
from logbog_es.commands import (
    AttestEmploymentTime,
    ChangeEmploymentFraction,
    ExtendEmployment,
    RecordAbsence,
)
from logbog_es.domain.base import stable_id
from logbog_es.domain.errors import InvalidInput
from logbog_es.domain.policy import Action, Target


@handles(RecordAbsence)
def record_absence(cmd: RecordAbsence, ctx: Context) -> Decided:
    prog = programme(ctx, cmd.programme_id)
    employment = prog.employment(cmd.employment_id)
    meta = ctx.authorise(
        Action.RECORD_ABSENCE,
        Target(region=prog.region, rosters=rosters(ctx, [employment.department_id])),
    )
    prog.record_absence(
        absence_id=stable_id("absence", ctx.command_id),
        employment_id=cmd.employment_id,
        kind=cmd.kind,
        first_day=cmd.first_day,
        last_day=cmd.last_day,
        meta=meta,
    )
    return Decided((prog,), prog)


@handles(ChangeEmploymentFraction)
def change_employment_fraction(cmd: ChangeEmploymentFraction, ctx: Context) -> Decided:
    prog = programme(ctx, cmd.programme_id)
    meta = ctx.authorise(Action.CHANGE_EMPLOYMENT_FRACTION, Target(region=prog.region))
    if (cmd.percent is None) == (cmd.hours_per_week is None) or cmd.full_time_hours_per_week <= 0:
        raise InvalidInput("time.fraction_input", field="percent")
    fraction = (
        Fraction(cmd.percent) / 100
        if cmd.percent is not None
        else Fraction(cmd.hours_per_week or 0) / Fraction(cmd.full_time_hours_per_week)
    )
    prog.change_fraction(
        employment_id=cmd.employment_id, from_date=cmd.from_date, fraction=fraction, meta=meta
    )
    return Decided((prog,), prog)


@handles(ExtendEmployment)
def extend_employment(cmd: ExtendEmployment, ctx: Context) -> Decided:
    prog = programme(ctx, cmd.programme_id)
    meta = ctx.authorise(Action.EXTEND_EMPLOYMENT, Target(region=prog.region))
    doctor = trainee(ctx, prog)
    doctor.extend_employment(
        prog, employment_id=cmd.employment_id, new_end=cmd.new_end, reason=cmd.reason, meta=meta
    )
    return Decided((prog, doctor), prog)


@handles(AttestEmploymentTime)
def attest_employment_time(cmd: AttestEmploymentTime, ctx: Context) -> Decided:
    """R7: by the UAO/tutor of the employment's department."""
    prog = programme(ctx, cmd.programme_id)
    employment = prog.employment(cmd.employment_id)
    meta = ctx.authorise(
        Action.ATTEST_EMPLOYMENT_TIME, Target(rosters=rosters(ctx, [employment.department_id]))
    )
    assert ctx.actor.doctor_id is not None
    prog.attest_time(
        employment_id=cmd.employment_id,
        attested_by=ctx.actor.doctor_id,
        today=ctx.today,
        meta=meta,
    )
    return Decided((prog,), prog)
