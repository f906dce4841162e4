"""Handlers for doctors, programmes and employments (R1, R3, R5, R9)."""

from __future__ import annotations

from logbog_es.application.cpr import claim_cpr
from logbog_es.application.handlers.registry import handles
from logbog_es.application.handlers.shared import department as load_department
from logbog_es.application.handlers.shared import programme as load_programme
from logbog_es.application.handlers.shared import specialty as load_specialty
from logbog_es.application.handling import Context, Decided
from logbog_es.commands import (
    AddEmployment,
    ChangeCurriculumVersion,
    RegisterDoctor,
    StartProgramme,
)
from logbog_es.domain.base import LogbogAggregate
from logbog_es.domain.curriculum import CurriculumVersion
from logbog_es.domain.doctor import Doctor, check_authorisation_id, doctor_id
from logbog_es.domain.errors import Conflict, InvalidInput
from logbog_es.domain.policy import Action, Target
from logbog_es.domain.programme import employment_id, programme_id, training_elsewhere
from logbog_es.domain.readlog import ReadLog, read_log_id

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
    claim = claim_cpr(ctx.app, doctor, meta)  # one CPR number, one doctor
    return Decided((doctor, *([claim] if claim else [])), doctor)


@handles(StartProgramme)
def start_programme(cmd: StartProgramme, ctx: Context) -> Decided:
    meta = ctx.authorise(Action.START_PROGRAMME, Target(region=cmd.region))
    doctor = ctx.app.load(
        Doctor, cmd.doctor_id, message="doctor.unknown", field="doctor_id", doctor_id=cmd.doctor_id
    )
    specialty = load_specialty(ctx, cmd.specialty_code, field="specialty_code")
    specialty.check_stage(cmd.stage)
    specialty.check_open_on(cmd.hiring_date)
    pinned = specialty.pin(cmd.stage, cmd.hiring_date)  # R1
    others = [load_programme(ctx, ref.programme_id) for ref in doctor.programmes]
    elsewhere = training_elsewhere(others, cmd.region, cmd.hiring_date)
    saved: tuple[LogbogAggregate, ...] = ()
    if elsewhere:
        if not cmd.transfer_reason:
            raise Conflict(
                "programme.transfer_needed",
                regions=", ".join(r.value for r in elsewhere),
                region=cmd.region.value,
            )
        doctor.record_transfer(
            from_regions=elsewhere, to_region=cmd.region, reason=cmd.transfer_reason, meta=meta
        )
        readers = ctx.app.find(ReadLog, read_log_id(doctor.id)) or ReadLog.open(doctor.id, meta)
        readers.record(f"transfer to region {cmd.region.value}: history readable", meta)
        saved = (readers,)
    programme = doctor.start_programme(
        programme_id=programme_id(ctx.command_id),
        specialty_code=specialty.code,
        stage=cmd.stage,
        region=cmd.region,
        hiring_date=cmd.hiring_date,
        pinned=pinned,
        meta=meta,
    )
    return Decided((doctor, programme, *saved), doctor)


@handles(AddEmployment)
def add_employment(cmd: AddEmployment, ctx: Context) -> Decided:
    programme = load_programme(ctx, cmd.programme_id)
    meta = ctx.authorise(Action.ADD_EMPLOYMENT, Target(region=programme.region))
    load_department(ctx, cmd.department_id, field="department_id")
    doctor = ctx.app.load(
        Doctor, programme.doctor_id, message="doctor.unknown", doctor_id=programme.doctor_id
    )
    doctor.add_employment(
        programme,
        employment_id=employment_id(ctx.command_id),
        department_id=cmd.department_id,
        start=cmd.start,
        end=cmd.end,
        percent=cmd.percent,
        meta=meta,
    )
    return Decided((programme, doctor), programme)


@handles(ChangeCurriculumVersion)
def change_curriculum_version(cmd: ChangeCurriculumVersion, ctx: Context) -> Decided:
    programme = load_programme(ctx, cmd.programme_id)
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
    specialty = load_specialty(ctx, programme.specialty_code)
    programme.change_curriculum_version(specialty.curriculum_ref(version.id), cmd.reason, meta)
    return Decided((programme,), programme)
