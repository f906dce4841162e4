"""Handlers for staff roles and reference data: specialties, curricula, departments."""

from __future__ import annotations

from logbog_es.application.handlers.registry import handles
from logbog_es.application.handlers.shared import specialty as load_specialty
from logbog_es.application.handling import Context, Decided
from logbog_es.commands import (
    GrantStaff,
    PublishCurriculum,
    RegisterDepartment,
    RegisterSpecialty,
    RetireSpecialty,
    RevokeStaff,
)
from logbog_es.domain.curriculum import content_of
from logbog_es.domain.department import Department, department_id
from logbog_es.domain.errors import Conflict
from logbog_es.domain.policy import Action, Target
from logbog_es.domain.specialty import Specialty, specialty_id
from logbog_es.domain.staff import StaffMember, check_grant, staff_member_id

# -- staff (operator) -----------------------------------------------------------------------


@handles(GrantStaff)
def grant_staff(cmd: GrantStaff, ctx: Context) -> Decided:
    meta = ctx.authorise(Action.GRANT_STAFF)
    grant = check_grant(cmd.role, cmd.region)
    member = ctx.app.find(StaffMember, staff_member_id(cmd.subject))
    if member is None:
        member = StaffMember.enrol(cmd.subject, meta)
    member.grant(grant, meta)
    return Decided((member,), member)


@handles(RevokeStaff)
def revoke_staff(cmd: RevokeStaff, ctx: Context) -> Decided:
    meta = ctx.authorise(Action.REVOKE_STAFF)
    grant = check_grant(cmd.role, cmd.region)
    member = ctx.app.find(StaffMember, staff_member_id(cmd.subject))
    if member is None:
        raise Conflict("staff.not_granted", subject=cmd.subject, grant=str(grant))
    member.revoke(grant, meta)
    return Decided((member,), member)


# -- reference data -------------------------------------------------------------------------


@handles(RegisterSpecialty)
def registerspecialty(cmd: RegisterSpecialty, ctx: Context) -> Decided:
    meta = ctx.authorise(Action.REGISTER_SPECIALTY)
    if ctx.app.find(Specialty, specialty_id(cmd.code)) is not None:
        raise Conflict("specialty.exists", code=cmd.code)
    specialty = Specialty.register(
        code=cmd.code,
        name=cmd.name,
        stages=tuple(cmd.stages),
        on_logbook_from=cmd.on_logbook_from,
        meta=meta.effective(cmd.on_logbook_from),
    )
    return Decided((specialty,), specialty)


@handles(RetireSpecialty)
def retirespecialty(cmd: RetireSpecialty, ctx: Context) -> Decided:
    meta = ctx.authorise(Action.RETIRE_SPECIALTY)
    specialty = load_specialty(ctx, cmd.code)
    specialty.retire(cmd.retired_on, meta)
    return Decided((specialty,), specialty)


@handles(PublishCurriculum)
def publish_curriculum(cmd: PublishCurriculum, ctx: Context) -> Decided:
    meta = ctx.authorise(Action.PUBLISH_CURRICULUM)
    specialty = load_specialty(ctx, cmd.specialty_code, field="specialty_code")
    competencies, courses = content_of(cmd.competencies, cmd.courses)
    version = specialty.publish_curriculum(
        stage=cmd.stage,
        label=cmd.label,
        effective_from=cmd.effective_from,
        nominal_duration_months=cmd.nominal_duration_months,
        competencies=competencies,
        courses=courses,
        meta=meta,
    )
    return Decided((version, specialty), specialty)


@handles(RegisterDepartment)
def register_department(cmd: RegisterDepartment, ctx: Context) -> Decided:
    meta = ctx.authorise(Action.REGISTER_DEPARTMENT, Target(region=cmd.region))
    if ctx.app.find(Department, department_id(cmd.code)) is not None:
        raise Conflict("department.exists", code=cmd.code)
    department = Department.register(
        code=cmd.code, name=cmd.name, kind=cmd.kind, region=cmd.region, meta=meta
    )
    return Decided((department,), department)
