"""The logbook's entries within a programme: requests, approvals, courses, prior attestations.

Value objects and the rules over them; the Programme aggregate records the events and keeps
these as its state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from logbog_es.domain.curriculum import check_extent
from logbog_es.domain.errors import Conflict, InvalidInput
from logbog_es.domain.values import AssessmentMethod, Capacity

if TYPE_CHECKING:
    from logbog_es.domain.curriculum import CurriculumVersion
    from logbog_es.domain.values import Competency


class RequestStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class AssessmentRequest:
    request_id: UUID
    competency_code: str
    supervisor_id: UUID
    department_id: UUID
    requested_on: date
    status: RequestStatus
    note: str | None = None  # the trainee's words to the supervisor asked


@dataclass(frozen=True, slots=True)
class Approval:
    """R4: who approved, in which capacity, under whose delegation, by which method, when."""

    approval_id: UUID
    competency_code: str
    approver_id: UUID
    capacity: Capacity
    delegated_by: UUID | None
    method: AssessmentMethod
    assessed_on: date
    department_id: UUID
    request_id: UUID | None
    withdrawn: bool = False


@dataclass(frozen=True, slots=True)
class CourseCompletion:
    course_code: str
    completed_on: date
    hours: int | None
    days: int | None
    evidence_ref: str
    recorded_by: str
    capacity: Capacity


class AttestationKind(StrEnum):
    COURSE = "course"
    COMPETENCY = "competency"


@dataclass(frozen=True, slots=True)
class PriorAttestation:
    """R10: a paper attestation from before the doctor or specialty came onto the logbook."""

    attestation_id: UUID
    kind: AttestationKind
    code: str
    attested_on: date
    attested_by: str
    document_ref: str
    verified_by: UUID | None = None
    verified_on: date | None = None

    @property
    def counts(self) -> bool:
        """R10: it counts only once the current UAO/tutor has verified it."""
        return self.verified_by is not None


# -- the rules of the logbook's entries (R4, R10) -----------------------------------------------


def check_competency(curriculum: CurriculumVersion, code: str, label: str) -> Competency:
    """The code must be a competency of the programme's pinned curriculum version (`label`)."""
    competency = curriculum.competency(code)
    if competency is None:
        raise InvalidInput(
            "logbook.unknown_competency", field="competency_code", code=code, label=label
        )
    return competency


def check_request(
    approved: Approval | None, requests: Iterable[AssessmentRequest], code: str, supervisor: UUID
) -> None:
    """A competency is asked about while not approved, once per supervisor at a time."""
    if approved is not None:
        raise Conflict("logbook.already_approved_short", code=code, on=approved.assessed_on)
    for request in requests:
        if (
            request.competency_code == code
            and request.supervisor_id == supervisor
            and request.status is RequestStatus.OPEN
        ):
            raise Conflict("logbook.request_open", code=code, request_id=request.request_id)


def check_approval(
    curriculum: CurriculumVersion,
    label: str,
    code: str,
    method: AssessmentMethod,
    assessed_on: date,
    today: date,
    existing: Approval | None,
) -> None:
    """R4: a competency of the pinned version (`label`), not approved already, by one of its
    assessment methods, not in the future (checked in that order of refusals: date first)."""
    if assessed_on > today:
        raise InvalidInput("date.in_future", field="assessed_on", value=assessed_on, today=today)
    competency = check_competency(curriculum, code, label)
    allowed = [m.method for m in competency.methods]
    if method not in allowed:
        raise InvalidInput(
            "logbook.method_not_allowed",
            field="method",
            method=method.value,
            code=competency.code,
            allowed=", ".join(m.value for m in allowed),
        )
    if existing is not None:
        raise Conflict(
            "logbook.already_approved",
            code=competency.code,
            on=existing.assessed_on,
            by=existing.approver_id,
            capacity=existing.capacity.value,
        )


def answered_request(
    requests: Iterable[AssessmentRequest], code: str, approver: UUID
) -> UUID | None:
    """The open request an approval answers: the approver's own, for the same competency."""
    return next(
        (
            r.request_id
            for r in requests
            if r.competency_code == code
            and r.supervisor_id == approver
            and r.status is RequestStatus.OPEN
        ),
        None,
    )


def check_course(
    curriculum: CurriculumVersion,
    label: str,
    code: str,
    completed_on: date,
    today: date,
    hours: int | None,
    days: int | None,
    done: CourseCompletion | None,
) -> None:
    """A course of the pinned version, with its extent, completed once, not in the future."""
    if curriculum.course(code) is None:
        raise InvalidInput("logbook.unknown_course", field="course_code", code=code, label=label)
    if completed_on > today:
        raise InvalidInput("date.in_future", field="completed_on", value=completed_on, today=today)
    check_extent(hours, days)
    if done is not None:
        raise Conflict("logbook.course_done", code=code, on=done.completed_on)


def check_prior_attestation(
    curriculum: CurriculumVersion,
    label: str,
    kind: AttestationKind,
    code: str,
    attested_on: date,
    logbook_from: date,
    today: date,
) -> None:
    """R10: only attestations from before the doctor or specialty came onto the logbook, of a
    competency or course of the pinned version."""
    known = (
        curriculum.competency(code) is not None
        if kind is AttestationKind.COMPETENCY
        else curriculum.course(code) is not None
    )
    if not known:
        raise InvalidInput(
            "logbook.unknown_code", field="code", kind=kind.value, code=code, label=label
        )
    if attested_on > today:
        raise InvalidInput("date.in_future", field="attested_on", value=attested_on, today=today)
    if attested_on >= logbook_from:
        raise InvalidInput(
            "logbook.not_prior",
            field="attested_on",
            attested_on=attested_on,
            logbook_from=logbook_from,
        )
