"""Reads of single entities from the event store, filtered by the policy.

Lists and overviews come from read models (projections/); single aggregates may be read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from logbog_es.application.app import Logbog
from logbog_es.domain.curriculum import CurriculumVersion
from logbog_es.domain.department import Department
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.policy import Action, Actor, Allowed, Target, decide, require
from logbog_es.domain.programme import Programme
from logbog_es.domain.values import Region

#: The policy action behind each command, for `GET /me`.
COMMAND_ACTIONS: dict[str, Action] = {
    "grant-staff": Action.GRANT_STAFF,
    "revoke-staff": Action.REVOKE_STAFF,
    "register-specialty": Action.REGISTER_SPECIALTY,
    "retire-specialty": Action.RETIRE_SPECIALTY,
    "publish-curriculum": Action.PUBLISH_CURRICULUM,
    "register-department": Action.REGISTER_DEPARTMENT,
    "register-doctor": Action.REGISTER_DOCTOR,
    "start-programme": Action.START_PROGRAMME,
    "add-employment": Action.ADD_EMPLOYMENT,
    "change-curriculum-version": Action.CHANGE_CURRICULUM_VERSION,
}


@dataclass(frozen=True, slots=True)
class DoctorView:
    doctor: Doctor
    programmes: tuple[Programme, ...]


def may(app: Logbog, actor: Actor) -> list[str]:
    """The commands `actor` may issue for at least some target."""
    today = app.today()
    names = []
    for name, action in COMMAND_ACTIONS.items():
        targets = [Target(region=r) for r in Region]
        if any(isinstance(decide(actor, action, t, today), Allowed) for t in targets):
            names.append(name)
    return names


def read_doctor(app: Logbog, actor: Actor, doctor_id: UUID) -> DoctorView:
    doctor = app.load(Doctor, doctor_id, message="doctor.unknown", doctor_id=doctor_id)
    programmes = tuple(
        app.load(
            Programme, p.programme_id, message="programme.unknown", programme_id=p.programme_id
        )
        for p in doctor.programmes
    )
    target = Target(doctor_id=doctor.id, regions=frozenset(p.region for p in programmes))
    require(actor, Action.READ_DOCTOR, target, app.today())
    return DoctorView(doctor, programmes)


def read_programme(app: Logbog, actor: Actor, programme_id: UUID) -> Programme:
    programme = app.load(
        Programme, programme_id, message="programme.unknown", programme_id=programme_id
    )
    target = Target(region=programme.region, doctor_id=programme.doctor_id)
    require(actor, Action.READ_PROGRAMME, target, app.today())
    return programme


def read_curriculum(app: Logbog, curriculum_id: UUID) -> CurriculumVersion:
    return app.load(
        CurriculumVersion, curriculum_id, message="curriculum.unknown", curriculum_id=curriculum_id
    )


def read_department(app: Logbog, department_id: UUID) -> Department:
    return app.load(
        Department, department_id, message="department.unknown", department_id=department_id
    )
