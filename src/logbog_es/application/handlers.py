"""One handler per command: load aggregates, ask the policy, let the aggregates decide.

A handler returns what to save (`Decided`); it never saves. Cross-aggregate rules are decided
here from aggregates loaded from the event store, never from read models (ARCHITECTURE.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from logbog_es.application.app import Context, Decided, Handler
from logbog_es.commands import (
    AddEmployment,
    ChangeCurriculumVersion,
    Command,
    GrantStaff,
    PublishCurriculum,
    RegisterDepartment,
    RegisterDoctor,
    RegisterSpecialty,
    RetireSpecialty,
    RevokeStaff,
    StartProgramme,
)
from logbog_es.domain.curriculum import CurriculumVersion
from logbog_es.domain.department import Department, department_id
from logbog_es.domain.doctor import Doctor, check_authorisation_id, doctor_id
from logbog_es.domain.errors import Conflict, InvalidInput
from logbog_es.domain.policy import Action, Target
from logbog_es.domain.programme import Programme, employment_id, programme_id
from logbog_es.domain.specialty import Specialty, specialty_id
from logbog_es.domain.staff import StaffMember, check_grant, staff_member_id
from logbog_es.domain.values import Competency, Course, MethodRequirement

HANDLERS: dict[type[Command], Handler] = {}
C = TypeVar("C", bound=Command)


def handles(command: type[C]) -> Callable[[Callable[[C, Context], Decided]], Handler]:
    def register(func: Callable[[C, Context], Decided]) -> Handler:
        HANDLERS[command] = func
        return func

    return register


def _specialty(ctx: Context, code: str, field: str | None = None) -> Specialty:
    return ctx.app.load(
        Specialty, specialty_id(code), message="specialty.unknown", field=field, code=code
    )


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
def register_specialty(cmd: RegisterSpecialty, ctx: Context) -> Decided:
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
def retire_specialty(cmd: RetireSpecialty, ctx: Context) -> Decided:
    meta = ctx.authorise(Action.RETIRE_SPECIALTY)
    specialty = _specialty(ctx, cmd.code)
    specialty.retire(cmd.retired_on, meta)
    return Decided((specialty,), specialty)


@handles(PublishCurriculum)
def publish_curriculum(cmd: PublishCurriculum, ctx: Context) -> Decided:
    meta = ctx.authorise(Action.PUBLISH_CURRICULUM)
    specialty = _specialty(ctx, cmd.specialty_code, field="specialty_code")
    specialty.check_stage(cmd.stage)
    competencies = tuple(
        Competency(
            code=c.code,
            title=c.title,
            description=c.description,
            roles=tuple(c.roles),
            methods=tuple(MethodRequirement(m.method, m.mandatory) for m in c.methods),
        )
        for c in cmd.competencies
    )
    courses = tuple(Course(c.code, c.title, c.kind, c.hours, c.days) for c in cmd.courses)
    version = CurriculumVersion.publish(
        specialty_code=specialty.code,
        stage=cmd.stage,
        label=cmd.label,
        effective_from=cmd.effective_from,
        nominal_duration_months=cmd.nominal_duration_months,
        competencies=competencies,
        courses=courses,
        meta=meta,
    )
    specialty.add_curriculum_version(
        curriculum_id=version.id,
        stage=cmd.stage,
        label=version.label,
        effective_from=cmd.effective_from,
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


# -- doctors and programmes -----------------------------------------------------------------


@handles(RegisterDoctor)
def register_doctor(cmd: RegisterDoctor, ctx: Context) -> Decided:
    meta = ctx.authorise(Action.REGISTER_DOCTOR)
    auth = check_authorisation_id(cmd.authorisation_id)
    if ctx.app.find(Doctor, doctor_id(auth)) is not None:
        raise Conflict("doctor.exists", authorisation_id=auth, doctor_id=doctor_id(auth))
    doctor = Doctor.register(
        authorisation_id=auth, name=cmd.name, email=cmd.email, cpr=cmd.cpr, meta=meta
    )
    return Decided((doctor,), doctor)


@handles(StartProgramme)
def start_programme(cmd: StartProgramme, ctx: Context) -> Decided:
    meta = ctx.authorise(Action.START_PROGRAMME, Target(region=cmd.region))
    doctor = ctx.app.load(
        Doctor, cmd.doctor_id, message="doctor.unknown", field="doctor_id", doctor_id=cmd.doctor_id
    )
    specialty = _specialty(ctx, cmd.specialty_code, field="specialty_code")
    specialty.check_stage(cmd.stage)
    specialty.check_open_on(cmd.hiring_date)
    pinned = specialty.pin(cmd.stage, cmd.hiring_date)  # R1
    new_id = programme_id(ctx.command_id)
    doctor.enrol(
        programme_id=new_id,
        specialty_code=specialty.code,
        stage=cmd.stage,
        hiring_date=cmd.hiring_date,
        meta=meta,
    )
    programme = Programme.start(
        programme_id=new_id,
        doctor_id=doctor.id,
        specialty_code=specialty.code,
        stage=cmd.stage,
        region=cmd.region,
        hiring_date=cmd.hiring_date,
        pinned=pinned,
        meta=meta,
    )
    return Decided((doctor, programme), doctor)


def _programme(ctx: Context, programme: Any) -> Programme:
    return ctx.app.load(Programme, programme, message="programme.unknown", programme_id=programme)


@handles(AddEmployment)
def add_employment(cmd: AddEmployment, ctx: Context) -> Decided:
    programme = _programme(ctx, cmd.programme_id)
    meta = ctx.authorise(Action.ADD_EMPLOYMENT, Target(region=programme.region))
    ctx.app.load(
        Department,
        cmd.department_id,
        message="department.unknown",
        field="department_id",
        department_id=cmd.department_id,
    )
    doctor = ctx.app.load(
        Doctor, programme.doctor_id, message="doctor.unknown", doctor_id=programme.doctor_id
    )
    others = doctor.employments_outside(programme.id)
    employment = programme.add_employment(
        employment_id=employment_id(ctx.command_id),
        department_id=cmd.department_id,
        start=cmd.start,
        end=cmd.end,
        percent=cmd.percent,
        others=others,
        meta=meta,
    )
    doctor.book_employment(programme.id, employment, meta)
    return Decided((programme, doctor), programme)


@handles(ChangeCurriculumVersion)
def change_curriculum_version(cmd: ChangeCurriculumVersion, ctx: Context) -> Decided:
    programme = _programme(ctx, cmd.programme_id)
    meta = ctx.authorise(Action.CHANGE_CURRICULUM_VERSION, Target(region=programme.region))
    version = ctx.app.load(
        CurriculumVersion,
        cmd.curriculum_id,
        message="curriculum.unknown",
        field="curriculum_id",
        curriculum_id=cmd.curriculum_id,
    )
    if version.specialty_code != programme.specialty_code or version.stage != programme.stage:
        raise InvalidInput(
            "curriculum.wrong_programme_kind",
            field="curriculum_id",
            label=version.label,
            code=version.specialty_code,
            stage=version.stage.value,
            programme_code=programme.specialty_code,
            programme_stage=programme.stage.value,
        )
    specialty = _specialty(ctx, programme.specialty_code)
    programme.change_curriculum_version(specialty.curriculum_ref(version.id), cmd.reason, meta)
    return Decided((programme,), programme)
