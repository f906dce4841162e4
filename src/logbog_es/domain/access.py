"""The access chain of one department or general practice (R2, R4).

The secretariat of the department's region appoints the UAO (a tutor in general practice); only
a UAO/tutor of the department grants supervisors access, for all its trainees or named ones,
optionally as a trainee's main supervisor and optionally with the delegated right to approve
competencies. Every appointment and grant has a validity period; decisions about a day ask
which were valid on that day.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from uuid import UUID

from logbog_es.domain.base import CopiedOneLevel, Created, Event, LogbogAggregate, Meta, stable_id
from logbog_es.domain.errors import Conflict, InvalidInput, NotFound
from logbog_es.domain.values import Capacity, DepartmentKind, Region


@lru_cache(maxsize=4096)  # asked on every command about a department (a SHA-1 each)
def department_access_id(department_id: UUID) -> UUID:
    return stable_id("department-access", str(department_id))


@dataclass(frozen=True, slots=True)
class Appointment:
    """A UAO's (or tutor's) appointment; valid from `start` until the day before `until`."""

    appointment_id: UUID
    doctor_id: UUID
    capacity: Capacity  # UAO or TUTOR
    start: date
    until: date | None  # exclusive; None while it lasts

    def valid_on(self, day: date) -> bool:
        return self.start <= day and (self.until is None or day < self.until)


@dataclass(frozen=True, slots=True)
class SupervisorGrant:
    """A supervisor's access; `trainees` None means all the department's trainees."""

    grant_id: UUID
    supervisor_id: UUID
    trainees: frozenset[UUID] | None
    main_supervisor_for: UUID | None
    delegated: bool
    granted_by: UUID
    start: date
    until: date | None  # exclusive

    def valid_on(self, day: date) -> bool:
        return self.start <= day and (self.until is None or day < self.until)

    def covers(self, trainee_id: UUID) -> bool:
        return (
            self.trainees is None
            or trainee_id in self.trainees
            or trainee_id == self.main_supervisor_for
        )


class DepartmentAccess(CopiedOneLevel, LogbogAggregate):
    """Who is UAO/tutor and supervisor at one department, from when to when."""

    TOPIC = "logbog:DepartmentAccess"

    if TYPE_CHECKING:
        department_id: UUID
        kind: DepartmentKind
        region: Region
        appointments: tuple[Appointment, ...]
        grants: tuple[SupervisorGrant, ...]

    class Opened(Created):
        TOPIC = "logbog:DepartmentAccess.Opened"
        department_id: UUID
        kind: str
        region: str

        def apply(self, aggregate: Any) -> None:
            aggregate.department_id = self.department_id
            aggregate.kind = DepartmentKind(self.kind)
            aggregate.region = Region(self.region)
            aggregate.appointments = ()
            aggregate.grants = ()

    class UaoAppointed(Event):
        TOPIC = "logbog:DepartmentAccess.UaoAppointed"
        appointment_id: UUID
        doctor_id: UUID
        capacity: str
        start: date

        def apply(self, aggregate: Any) -> None:
            new = Appointment(
                self.appointment_id, self.doctor_id, Capacity(self.capacity), self.start, None
            )
            aggregate.appointments = (*aggregate.appointments, new)

    class UaoAppointmentEnded(Event):
        TOPIC = "logbog:DepartmentAccess.UaoAppointmentEnded"
        appointment_id: UUID
        last_day: date

        def apply(self, aggregate: Any) -> None:
            aggregate.appointments = tuple(
                replace(a, until=self.last_day + timedelta(days=1))
                if a.appointment_id == self.appointment_id
                else a
                for a in aggregate.appointments
            )

    class SupervisorAccessGranted(Event):
        TOPIC = "logbog:DepartmentAccess.SupervisorAccessGranted"
        grant_id: UUID
        supervisor_id: UUID
        trainee_ids: list[UUID] | None
        main_supervisor_for: UUID | None
        delegated: bool
        granted_by: UUID
        start: date

        def apply(self, aggregate: Any) -> None:
            grant = SupervisorGrant(
                grant_id=self.grant_id,
                supervisor_id=self.supervisor_id,
                trainees=frozenset(self.trainee_ids) if self.trainee_ids is not None else None,
                main_supervisor_for=self.main_supervisor_for,
                delegated=self.delegated,
                granted_by=self.granted_by,
                start=self.start,
                until=None,
            )
            aggregate.grants = (*aggregate.grants, grant)

    class SupervisorAccessRevoked(Event):
        TOPIC = "logbog:DepartmentAccess.SupervisorAccessRevoked"
        grant_id: UUID
        revoked_from: date

        def apply(self, aggregate: Any) -> None:
            aggregate.grants = tuple(
                replace(g, until=self.revoked_from) if g.grant_id == self.grant_id else g
                for g in aggregate.grants
            )

    # -- commands --------------------------------------------------------------------------

    @classmethod
    def open(
        cls, *, department_id: UUID, kind: DepartmentKind, region: Region, meta: Meta
    ) -> DepartmentAccess:
        return cls._start(
            cls.Opened,
            department_access_id(department_id),
            meta,
            department_id=department_id,
            kind=kind.value,
            region=region.value,
        )

    @property
    def uao_capacity(self) -> Capacity:
        """A hospital department has a UAO; a general practice a tutor."""
        return Capacity.TUTOR if self.kind is DepartmentKind.GENERAL_PRACTICE else Capacity.UAO

    def appoint(self, *, appointment_id: UUID, doctor_id: UUID, start: date, meta: Meta) -> None:
        for existing in self.appointments:
            if existing.doctor_id == doctor_id and (
                existing.until is None or existing.until > start
            ):
                raise Conflict(
                    "access.already_appointed",
                    capacity=existing.capacity.value,
                    start=existing.start,
                )
        self._record(
            self.UaoAppointed,
            meta.effective(start),
            appointment_id=appointment_id,
            doctor_id=doctor_id,
            capacity=self.uao_capacity.value,
            start=start,
        )

    def end_appointment(self, *, appointment_id: UUID, last_day: date, meta: Meta) -> None:
        appointment = self._appointment(appointment_id)
        if appointment.until is not None:
            raise Conflict(
                "access.appointment_ended", last_day=appointment.until - timedelta(days=1)
            )
        if last_day < appointment.start - timedelta(days=1):
            raise InvalidInput(
                "access.end_before_start",
                field="last_day",
                last_day=last_day,
                start=appointment.start,
            )
        self._record(
            self.UaoAppointmentEnded,
            meta.effective(last_day),
            appointment_id=appointment_id,
            last_day=last_day,
        )

    def grant(
        self,
        *,
        grant_id: UUID,
        supervisor_id: UUID,
        trainee_ids: tuple[UUID, ...] | None,
        main_supervisor_for: UUID | None,
        delegated: bool,
        granted_by: UUID,
        start: date,
        meta: Meta,
    ) -> None:
        if trainee_ids is not None and not trainee_ids:
            raise InvalidInput("access.empty_trainees", field="trainee_ids")
        if main_supervisor_for is not None and main_supervisor_for == supervisor_id:
            raise InvalidInput("access.self_supervision", field="main_supervisor_for")
        if trainee_ids is not None and supervisor_id in trainee_ids:
            raise InvalidInput("access.self_supervision", field="trainee_ids")
        if main_supervisor_for is not None:
            # One main supervisor at a time: no other's main-supervisor grant may overlap the
            # new one (which lasts until revoked), also one that starts later.
            for current in self.grants:
                if (
                    current.main_supervisor_for == main_supervisor_for
                    and current.supervisor_id != supervisor_id
                    and (current.until is None or current.until > start)
                ):
                    raise Conflict("access.main_supervisor_exists", start=current.start)
        self._record(
            self.SupervisorAccessGranted,
            meta.effective(start),
            grant_id=grant_id,
            supervisor_id=supervisor_id,
            trainee_ids=sorted(trainee_ids, key=str) if trainee_ids is not None else None,
            main_supervisor_for=main_supervisor_for,
            delegated=delegated,
            granted_by=granted_by,
            start=start,
        )

    def revoke(self, *, grant_id: UUID, revoked_from: date, meta: Meta) -> None:
        grant = self._grant(grant_id)
        if grant.until is not None:
            raise Conflict("access.grant_revoked", revoked_from=grant.until)
        if revoked_from < grant.start:
            raise InvalidInput(
                "access.revoke_before_start",
                field="revoked_from",
                revoked_from=revoked_from,
                start=grant.start,
            )
        self._record(
            self.SupervisorAccessRevoked,
            meta.effective(revoked_from),
            grant_id=grant_id,
            revoked_from=revoked_from,
        )

    # -- questions about a day --------------------------------------------------------------

    def uao_on(self, doctor_id: UUID, day: date) -> Appointment | None:
        """The doctor's UAO/tutor appointment valid on `day`, if any."""
        return next(
            (a for a in self.appointments if a.doctor_id == doctor_id and a.valid_on(day)), None
        )

    def supervisor_grant(
        self, doctor_id: UUID, trainee_id: UUID, day: date
    ) -> SupervisorGrant | None:
        """The doctor's grant covering `trainee_id` on `day`; a main-supervisor grant first."""
        grants = [
            g
            for g in self.grants
            if g.supervisor_id == doctor_id and g.valid_on(day) and g.covers(trainee_id)
        ]
        grants.sort(key=lambda g: (g.main_supervisor_for != trainee_id, not g.delegated))
        return grants[0] if grants else None

    def may_assess(self, doctor_id: UUID, trainee_id: UUID, day: date) -> bool:
        """Whether a trainee may ask `doctor_id` to assess them here on `day`: the UAO/tutor,
        or a supervisor whose access covers the trainee (R2, R4)."""
        return (
            self.uao_on(doctor_id, day) is not None
            or self.supervisor_grant(doctor_id, trainee_id, day) is not None
        )

    def assessors(self, trainee_id: UUID, day: date) -> list[tuple[UUID, Capacity]]:
        """Everyone the trainee may ask to assess them here on `day`, each once, with the
        capacity they hold for the trainee: the UAO/tutor first, then the main supervisor,
        then the others in the order they were given access."""
        found: dict[UUID, Capacity] = {}
        for appointment in self.appointments:
            if appointment.valid_on(day):
                found.setdefault(appointment.doctor_id, appointment.capacity)
        for grant in self.grants:
            if grant.valid_on(day) and grant.covers(trainee_id):
                capacity = (
                    Capacity.MAIN_SUPERVISOR
                    if grant.main_supervisor_for == trainee_id
                    else Capacity.SUPERVISOR
                )
                if found.get(grant.supervisor_id) is Capacity.SUPERVISOR:
                    found[grant.supervisor_id] = capacity
                found.setdefault(grant.supervisor_id, capacity)
        order = {Capacity.UAO: 0, Capacity.TUTOR: 0, Capacity.MAIN_SUPERVISOR: 1}
        return sorted(found.items(), key=lambda item: order.get(item[1], 2))

    def main_supervisor(self, trainee_id: UUID, day: date) -> SupervisorGrant | None:
        return next(
            (g for g in self.grants if g.main_supervisor_for == trainee_id and g.valid_on(day)),
            None,
        )

    def _appointment(self, appointment_id: UUID) -> Appointment:
        for appointment in self.appointments:
            if appointment.appointment_id == appointment_id:
                return appointment
        raise NotFound("access.no_appointment", appointment_id=appointment_id)

    def _grant(self, grant_id: UUID) -> SupervisorGrant:
        for grant in self.grants:
            if grant.grant_id == grant_id:
                return grant
        raise NotFound("access.no_grant", grant_id=grant_id)
