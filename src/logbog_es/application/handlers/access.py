"""Handlers of the access chain (R2): appointments by the secretariat, grants by the UAO/tutor."""

from __future__ import annotations

from uuid import UUID

from logbog_es.application.handlers.registry import handles
from logbog_es.application.handlers.shared import department as load_department
from logbog_es.application.handlers.shared import roster
from logbog_es.application.handling import Context, Decided
from logbog_es.commands import (
    AppointUao,
    EndUaoAppointment,
    GrantSupervisorAccess,
    RevokeSupervisorAccess,
)
from logbog_es.domain.access import DepartmentAccess
from logbog_es.domain.base import stable_id
from logbog_es.domain.department import Department
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import NotFound
from logbog_es.domain.policy import Action, Target


def _doctor(ctx: Context, doctor_id: UUID, field: str) -> Doctor:
    return ctx.app.load(
        Doctor, doctor_id, message="doctor.unknown", field=field, doctor_id=doctor_id
    )


def _existing_roster(ctx: Context, department: Department) -> DepartmentAccess:
    found = roster(ctx, department.id)
    if found is None:
        raise NotFound("access.no_roster", department_id=department.id)
    return found


@handles(AppointUao)
def appoint_uao(cmd: AppointUao, ctx: Context) -> Decided:
    department = load_department(ctx, cmd.department_id)
    meta = ctx.authorise(Action.APPOINT_UAO, Target(region=department.region))
    _doctor(ctx, cmd.doctor_id, "doctor_id")
    access = roster(ctx, department.id) or DepartmentAccess.open(
        department_id=department.id, kind=department.kind, region=department.region, meta=meta
    )
    access.appoint(
        appointment_id=stable_id("appointment", ctx.command_id),
        doctor_id=cmd.doctor_id,
        start=cmd.start,
        meta=meta,
    )
    return Decided((access,), access)


@handles(EndUaoAppointment)
def end_uao_appointment(cmd: EndUaoAppointment, ctx: Context) -> Decided:
    department = load_department(ctx, cmd.department_id)
    meta = ctx.authorise(Action.END_UAO_APPOINTMENT, Target(region=department.region))
    access = _existing_roster(ctx, department)
    access.end_appointment(appointment_id=cmd.appointment_id, last_day=cmd.last_day, meta=meta)
    return Decided((access,), access)


@handles(GrantSupervisorAccess)
def grant_supervisor_access(cmd: GrantSupervisorAccess, ctx: Context) -> Decided:
    department = load_department(ctx, cmd.department_id)
    access = roster(ctx, department.id)
    meta = ctx.authorise(
        Action.GRANT_SUPERVISOR_ACCESS, Target(rosters=(access,) if access else ())
    )
    assert access is not None  # the policy ensured it
    assert ctx.actor.doctor_id is not None
    _doctor(ctx, cmd.supervisor_id, "supervisor_id")
    for index, trainee_id in enumerate(cmd.trainee_ids or ()):
        _doctor(ctx, trainee_id, f"trainee_ids[{index}]")
    if cmd.main_supervisor_for is not None:
        _doctor(ctx, cmd.main_supervisor_for, "main_supervisor_for")
    access.grant(
        grant_id=stable_id("grant", ctx.command_id),
        supervisor_id=cmd.supervisor_id,
        trainee_ids=tuple(cmd.trainee_ids) if cmd.trainee_ids is not None else None,
        main_supervisor_for=cmd.main_supervisor_for,
        delegated=cmd.delegated_approval,
        granted_by=ctx.actor.doctor_id,
        start=cmd.start or ctx.today,
        meta=meta,
    )
    return Decided((access,), access)


@handles(RevokeSupervisorAccess)
def revoke_supervisor_access(cmd: RevokeSupervisorAccess, ctx: Context) -> Decided:
    department = load_department(ctx, cmd.department_id)
    access = roster(ctx, department.id)
    meta = ctx.authorise(
        Action.REVOKE_SUPERVISOR_ACCESS, Target(rosters=(access,) if access else ())
    )
    assert access is not None
    access.revoke(grant_id=cmd.grant_id, revoked_from=cmd.revoked_from or ctx.today, meta=meta)
    return Decided((access,), access)
