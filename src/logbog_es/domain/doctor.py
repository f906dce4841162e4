"""Doctors: trainees, supervisors and consultants alike, each with an STPS authorisation id."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from logbog_es.domain.base import CopiedOneLevel, Created, Event, LogbogAggregate, Meta, stable_id
from logbog_es.domain.calendar import first_working_day
from logbog_es.domain.errors import Conflict, InvalidInput
from logbog_es.domain.programme import Programme
from logbog_es.domain.specialty import CurriculumRef
from logbog_es.domain.training_time import Employment, Period
from logbog_es.domain.values import Capacity, Region, Stage, check_text

_AUTH_ID = re.compile(r"^[A-Z0-9]{5}$")
_CPR = re.compile(r"^(\d{2})(\d{2})(\d{2})-?(\d{4})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def doctor_id(authorisation_id: str) -> UUID:
    return stable_id("doctor", authorisation_id)


def check_authorisation_id(value: str, field: str = "authorisation_id") -> str:
    normalised = value.strip().upper()
    if not _AUTH_ID.match(normalised):
        raise InvalidInput("doctor.authorisation_id", field=field, value=value)
    return normalised


def check_cpr(value: str, field: str = "cpr") -> str:
    """DDMMYY-NNNN with a real day and month; returned in that form. Never echoed in errors."""
    match = _CPR.match(value.strip())
    if not match:
        raise InvalidInput("doctor.cpr", field=field)
    day, month, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
    serial = match.group(4)
    if not 1 <= month <= 12:
        raise InvalidInput("doctor.cpr", field=field)
    # Leap years: accept 29 February whenever some century could make it real.
    longest = calendar.monthrange(2000 if year % 4 == 0 else 2001, month)[1]
    if not 1 <= day <= longest:
        raise InvalidInput("doctor.cpr", field=field)
    return f"{match.group(1)}{match.group(2)}{match.group(3)}-{serial}"


def check_email(value: str, field: str = "email") -> str:
    stripped = value.strip()
    if not _EMAIL.match(stripped) or len(stripped) > 254:
        raise InvalidInput("doctor.email", field=field, value=value)
    return stripped


@dataclass(frozen=True, slots=True)
class BookedEmployment:
    programme_id: UUID
    department_id: UUID
    period: Period


@dataclass(frozen=True, slots=True)
class ProgrammeRef:
    programme_id: UUID
    specialty_code: str
    stage: Stage
    hiring_date: date


class Doctor(CopiedOneLevel, LogbogAggregate):
    """A doctor's profile and the list of their programmes."""

    TOPIC = "logbog:Doctor"

    if TYPE_CHECKING:
        authorisation_id: str
        name: str
        email: str
        cpr: str | None
        programmes: tuple[ProgrammeRef, ...]
        employments: tuple[BookedEmployment, ...]
        access_from: date | None
        identity_links: dict[UUID, str]  # logins linked to the doctor: link id -> issuer

    class Registered(Created):
        TOPIC = "logbog:Doctor.Registered"
        authorisation_id: str
        name: str
        email: str
        cpr: str | None

        def apply(self, aggregate: Any) -> None:
            aggregate.authorisation_id = self.authorisation_id
            aggregate.name = self.name
            aggregate.email = self.email
            aggregate.cpr = self.cpr
            aggregate.programmes = ()
            aggregate.employments = ()
            aggregate.access_from = None
            aggregate.identity_links = {}

    class ProgrammeEnrolled(Event):
        TOPIC = "logbog:Doctor.ProgrammeEnrolled"
        programme_id: UUID
        specialty_code: str
        stage: str
        hiring_date: date

        def apply(self, aggregate: Any) -> None:
            ref = ProgrammeRef(
                self.programme_id, self.specialty_code, Stage(self.stage), self.hiring_date
            )
            aggregate.programmes = (*aggregate.programmes, ref)

    class EmploymentBooked(Event):
        """The doctor's side of an employment: a doctor's employments never overlap."""

        TOPIC = "logbog:Doctor.EmploymentBooked"
        programme_id: UUID
        employment_id: UUID
        department_id: UUID
        start: date
        end: date

        def apply(self, aggregate: Any) -> None:
            booked = BookedEmployment(
                self.programme_id,
                self.department_id,
                Period(self.employment_id, self.start, self.end),
            )
            aggregate.employments = (*aggregate.employments, booked)

    class EmploymentExtended(Event):
        """The doctor's side of an extended employment (its days run longer)."""

        TOPIC = "logbog:Doctor.EmploymentExtended"
        employment_id: UUID
        new_end: date

        def apply(self, aggregate: Any) -> None:
            aggregate.employments = tuple(
                replace(b, period=replace(b.period, end=self.new_end))
                if b.period.employment_id == self.employment_id
                else b
                for b in aggregate.employments
            )

    class TraineeAccessGranted(Event):
        """R3: access from the first working day of the first employment, for all programmes."""

        TOPIC = "logbog:Doctor.TraineeAccessGranted"
        access_from: date

        def apply(self, aggregate: Any) -> None:
            aggregate.access_from = self.access_from

    class ContactDetailsRecorded(Event):
        """A doctor first registered from the old logbook as a signer (authorisation id and
        name only) gets the e-mail and CPR number their own logbook gives."""

        TOPIC = "logbog:Doctor.ContactDetailsRecorded"
        email: str
        cpr: str | None

        def apply(self, aggregate: Any) -> None:
            aggregate.email = self.email
            aggregate.cpr = self.cpr

    class TransferRecorded(Event):
        """The doctor, in training in one region, starts a programme in another: the new
        region's secretariat may then read the doctor's history (a transfer, with its reason)."""

        TOPIC = "logbog:Doctor.TransferRecorded"
        from_regions: list[str]
        to_region: str
        reason: str

        def apply(self, aggregate: Any) -> None:
            pass  # the history and the doctor's readers show it; nothing in the state changes

    class IdentityLinked(Event):
        """A login (a provider's subject) acts as this doctor from now on (domain/identity.py)."""

        TOPIC = "logbog:Doctor.IdentityLinked"
        link_id: UUID
        issuer: str
        rule: str

        def apply(self, aggregate: Any) -> None:
            links = dict(getattr(aggregate, "identity_links", {}))
            links[self.link_id] = self.issuer
            aggregate.identity_links = links

    class IdentityLinkRevoked(Event):
        TOPIC = "logbog:Doctor.IdentityLinkRevoked"
        link_id: UUID
        issuer: str
        reason: str

        def apply(self, aggregate: Any) -> None:
            links = dict(getattr(aggregate, "identity_links", {}))
            links.pop(self.link_id, None)
            aggregate.identity_links = links

    def record_identity_link(self, *, link_id: UUID, issuer: str, rule: str, meta: Meta) -> None:
        self._record(self.IdentityLinked, meta, link_id=link_id, issuer=issuer, rule=rule)

    def record_identity_revoked(
        self, *, link_id: UUID, issuer: str, reason: str, meta: Meta
    ) -> None:
        self._record(self.IdentityLinkRevoked, meta, link_id=link_id, issuer=issuer, reason=reason)

    def record_transfer(
        self, *, from_regions: list[Region], to_region: Region, reason: str, meta: Meta
    ) -> None:
        self._record(
            self.TransferRecorded,
            meta,
            from_regions=sorted(r.value for r in from_regions),
            to_region=to_region.value,
            reason=check_text(reason, "transfer_reason", max_length=2000),
        )

    @staticmethod
    def check_details(name: str, email: str | None, cpr: str | None) -> tuple[str, str, str | None]:
        """Name, e-mail ("" when unknown) and CPR number as a registration stores them."""
        return (
            check_text(name, "name"),
            check_email(email) if email is not None else "",
            check_cpr(cpr) if cpr else None,
        )

    @classmethod
    def register(
        cls, *, authorisation_id: str, name: str, email: str | None, cpr: str | None, meta: Meta
    ) -> Doctor:
        """`email` may be unknown (None) only for doctors imported from the old logbook."""
        auth = check_authorisation_id(authorisation_id)
        checked_name, checked_email, checked_cpr = cls.check_details(name, email, cpr)
        return cls._start(
            cls.Registered,
            doctor_id(auth),
            meta,
            authorisation_id=auth,
            name=checked_name,
            email=checked_email,
            cpr=checked_cpr,
        )

    def complete_contact_details(self, *, email: str | None, cpr: str | None, meta: Meta) -> None:
        """Fill in what an import left unknown (a signer's e-mail and CPR); never overwrites."""
        _, checked_email, checked_cpr = self.check_details(self.name, email, cpr)
        new_email = self.email or checked_email
        new_cpr = self.cpr or checked_cpr
        if (new_email, new_cpr) != (self.email, self.cpr):
            self._record(self.ContactDetailsRecorded, meta, email=new_email, cpr=new_cpr)

    def start_programme(
        self,
        *,
        programme_id: UUID,
        specialty_code: str,
        stage: Stage,
        region: Region,
        hiring_date: date,
        pinned: CurriculumRef,
        meta: Meta,
    ) -> Programme:
        """Enrol the doctor and start the programme: one programme per specialty and stage,
        its curriculum version pinned by the hiring date (R1, `pinned`)."""
        for ref in self.programmes:
            if ref.specialty_code == specialty_code and ref.stage == stage:
                raise Conflict(
                    "doctor.programme_exists",
                    stage=stage.value,
                    code=specialty_code,
                    programme_id=ref.programme_id,
                )
        self._record(
            self.ProgrammeEnrolled,
            meta.effective(hiring_date),
            programme_id=programme_id,
            specialty_code=specialty_code,
            stage=stage.value,
            hiring_date=hiring_date,
        )
        return Programme.start(
            programme_id=programme_id,
            doctor_id=self.id,
            specialty_code=specialty_code,
            stage=stage,
            region=region,
            hiring_date=hiring_date,
            pinned=pinned,
            meta=meta,
        )

    def add_employment(
        self,
        programme: Programme,
        *,
        employment_id: UUID,
        department_id: UUID,
        start: date,
        end: date,
        percent: int,
        meta: Meta,
    ) -> Employment:
        """Add an employment to one of the doctor's programmes, checked against the doctor's
        employments in other programmes (no day twice), and book its days here (R3)."""
        employment = programme.add_employment(
            employment_id=employment_id,
            department_id=department_id,
            start=start,
            end=end,
            percent=percent,
            others=self.employments_outside(programme.id),
            meta=meta,
        )
        self.book_employment(programme.id, employment, meta)
        return employment

    def extend_employment(
        self, programme: Programme, *, employment_id: UUID, new_end: date, reason: str, meta: Meta
    ) -> Employment:
        """Extend an employment (R5, R6) and its booking here, as `add_employment` checks."""
        extended = programme.extend(
            employment_id=employment_id,
            new_end=new_end,
            reason=reason,
            others=self.employments_outside(programme.id),
            meta=meta,
        )
        self.extend_booking(extended.employment_id, extended.end, meta)
        return extended

    def employments_outside(self, programme_id: UUID) -> tuple[Period, ...]:
        """The periods of the doctor's employments in programmes other than `programme_id`."""
        return tuple(b.period for b in self.employments if b.programme_id != programme_id)

    def book_employment(self, programme_id: UUID, employment: Employment, meta: Meta) -> None:
        """Book the employment's days; the first employment gives trainee access (R3)."""
        self._record(
            self.EmploymentBooked,
            meta.effective(employment.start),
            programme_id=programme_id,
            employment_id=employment.employment_id,
            department_id=employment.department_id,
            start=employment.start,
            end=employment.end,
        )
        access_from = first_working_day(employment.start)
        if self.access_from is None or access_from < self.access_from:
            automatic = Meta("system", Capacity.SYSTEM, meta.command_id, access_from)
            self._record(self.TraineeAccessGranted, automatic, access_from=access_from)

    def extend_booking(self, employment_id: UUID, new_end: date, meta: Meta) -> None:
        self._record(
            self.EmploymentExtended,
            meta.effective(new_end),
            employment_id=employment_id,
            new_end=new_end,
        )
