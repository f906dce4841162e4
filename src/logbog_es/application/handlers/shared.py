"""Loading helpers shared by the handlers."""

from __future__ import annotations

from uuid import UUID

from logbog_es.application.handling import Context
from logbog_es.domain.access import DepartmentAccess, department_access_id
from logbog_es.domain.curriculum import CurriculumVersion
from logbog_es.domain.department import Department
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.programme import Programme
from logbog_es.domain.specialty import Specialty, specialty_id


def specialty(ctx: Context, code: str, field: str | None = None) -> Specialty:
    return ctx.app.load(
        Specialty, specialty_id(code), message="specialty.unknown", field=field, code=code
    )


def department(ctx: Context, department_id: UUID, field: str | None = None) -> Department:
    return ctx.app.load(
        Department,
        department_id,
        message="department.unknown",
        field=field,
        department_id=department_id,
    )


def programme(ctx: Context, programme_id: UUID) -> Programme:
    return ctx.app.load(
        Programme, programme_id, message="programme.unknown", programme_id=programme_id
    )


def trainee(ctx: Context, prog: Programme) -> Doctor:
    return ctx.app.load(Doctor, prog.doctor_id, message="doctor.unknown", doctor_id=prog.doctor_id)


def curriculum(ctx: Context, prog: Programme) -> CurriculumVersion:
    return ctx.app.load(  # published versions never change: read the cached one
        CurriculumVersion,
        prog.curriculum_id,
        message="curriculum.unknown",
        curriculum_id=prog.curriculum_id,
        shared=True,
    )


def roster(ctx: Context, department_id: UUID, *, shared: bool = False) -> DepartmentAccess | None:
    """A department's access chain; `shared=True` when it is only read (a policy target)."""
    return ctx.app.find(DepartmentAccess, department_access_id(department_id), shared=shared)


def rosters(ctx: Context, department_ids: list[UUID]) -> tuple[DepartmentAccess, ...]:
    """The access chains of departments, for reading (policy targets)."""
    found = (roster(ctx, d, shared=True) for d in dict.fromkeys(department_ids))
    return tuple(r for r in found if r is not None)
