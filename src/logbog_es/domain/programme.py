"""Programmes (uddannelsesforløb): one trainee, one specialty, one stage; with employments.

R1: the curriculum version a programme follows is pinned when it starts and moves only by a
secretariat's `change_curriculum_version`, with a reason. R5: part time 50-100 %. R9: changes
between employments fall on the 1st of a month.

The aggregate holds the events (the library wants them nested in their aggregate class) and the
state they build; the rules of each family live beside its pure module: the logbook's entries
(requests, approvals, courses, prior attestations) in `logbook.py`, employments and training
time (absence, part time, extensions, time attestations) in `training_time.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any
from uuid import UUID

from logbog_es.domain.base import (
    CopiedOneLevel,
    Created,
    Event,
    LogbogAggregate,
    Meta,
    stable_id,
)
from logbog_es.domain.errors import Conflict, InvalidInput, NotFound
from logbog_es.domain.logbook import (
    Approval,
    AssessmentRequest,
    AttestationKind,
    CourseCompletion,
    PriorAttestation,
    RequestStatus,
    answered_request,
    check_approval,
    check_competency,
    check_course,
    check_prior_attestation,
    check_request,
)
from logbog_es.domain.specialty import CurriculumRef
from logbog_es.domain.training_time import (
    Absence,
    AbsenceKind,
    Employment,
    FractionChange,
    Period,
    TimeAttestation,
    TimeReport,
    check_absence,
    check_attestable,
    check_employment,
    check_extension,
    check_fraction_change,
    full_time_days,
    report,
)
from logbog_es.domain.values import AssessmentMethod, Capacity, Region, Stage, check_text

if TYPE_CHECKING:
    from logbog_es.domain.curriculum import CurriculumVersion
    from logbog_es.domain.values import Competency


def programme_id(command_id: str) -> UUID:
    return stable_id("programme", command_id)


def employment_id(command_id: str) -> UUID:
    return stable_id("employment", command_id)


class Programme(CopiedOneLevel, LogbogAggregate):
    """An uddannelsesforløb."""

    TOPIC = "logbog:Programme"

    if TYPE_CHECKING:
        doctor_id: UUID
        specialty_code: str
        stage: Stage
        region: Region
        hiring_date: date
        curriculum_id: UUID
        curriculum_label: str
        employments: tuple[Employment, ...]
        requests: dict[UUID, AssessmentRequest]
        approval_map: dict[UUID, Approval]  # in the order given
        active_by_code: dict[str, UUID]  # competency code -> its approval that counts
        courses: dict[str, CourseCompletion]
        prior_attestations: dict[UUID, PriorAttestation]
        nominal_ends: dict[UUID, date]
        fraction_changes: dict[UUID, tuple[FractionChange, ...]]
        absences: dict[UUID, tuple[Absence, ...]]
        time_attestations: dict[UUID, TimeAttestation]
        submissions: tuple[UUID, ...]

    class Started(Created):
        TOPIC = "logbog:Programme.Started"
        doctor_id: UUID
        specialty_code: str
        stage: str
        region: str
        hiring_date: date

        def apply(self, aggregate: Any) -> None:
            aggregate.doctor_id = self.doctor_id
            aggregate.specialty_code = self.specialty_code
            aggregate.stage = Stage(self.stage)
            aggregate.region = Region(self.region)
            aggregate.hiring_date = self.hiring_date
            aggregate.employments = ()
            aggregate.requests = {}
            aggregate.approval_map = {}
            aggregate.active_by_code = {}
            aggregate.courses = {}
            aggregate.prior_attestations = {}
            aggregate.nominal_ends = {}
            aggregate.fraction_changes = {}
            aggregate.absences = {}
            aggregate.time_attestations = {}
            aggregate.submissions = ()

    class CurriculumVersionPinned(Event):
        """R1: the version in effect on the hiring date, pinned when the programme starts."""

        TOPIC = "logbog:Programme.CurriculumVersionPinned"
        curriculum_id: UUID
        label: str
        effective_from: date

        def apply(self, aggregate: Any) -> None:
            aggregate.curriculum_id = self.curriculum_id
            aggregate.curriculum_label = self.label

    class CurriculumVersionChanged(Event):
        """R1: a secretariat moved the programme to another version, with a reason."""

        TOPIC = "logbog:Programme.CurriculumVersionChanged"
        from_curriculum_id: UUID
        to_curriculum_id: UUID
        label: str
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.curriculum_id = self.to_curriculum_id
            aggregate.curriculum_label = self.label

    class EmploymentAdded(Event):
        TOPIC = "logbog:Programme.EmploymentAdded"
        employment_id: UUID
        department_id: UUID
        start: date
        end: date
        percent: int

        def apply(self, aggregate: Any) -> None:
            new = Employment(
                self.employment_id, self.department_id, self.start, self.end, self.percent
            )
            aggregate.employments = tuple(
                sorted((*aggregate.employments, new), key=lambda e: e.start)
            )
            aggregate.nominal_ends[self.employment_id] = self.end
            aggregate.fraction_changes[self.employment_id] = ()
            aggregate.absences[self.employment_id] = ()

    class DocumentationSubmitted(Event):
        """The trainee sent documentation to STPS (R8, R11); the package is in the submission."""

        TOPIC = "logbog:Programme.DocumentationSubmitted"
        submission_id: UUID
        kind: str

        def apply(self, aggregate: Any) -> None:
            aggregate.submissions = (*aggregate.submissions, self.submission_id)

    class AssessmentRequested(Event):
        TOPIC = "logbog:Programme.AssessmentRequested"
        # v2 added `note` (the trainee's words to the supervisor); v1 had none.
        class_version = 2
        request_id: UUID
        competency_code: str
        supervisor_id: UUID
        department_id: UUID
        note: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["note"] = None

        def apply(self, aggregate: Any) -> None:
            aggregate.requests[self.request_id] = AssessmentRequest(
                self.request_id,
                self.competency_code,
                self.supervisor_id,
                self.department_id,
                self.timestamp.date(),
                RequestStatus.OPEN,
                self.note,
            )

    class AssessmentDeclined(Event):
        TOPIC = "logbog:Programme.AssessmentDeclined"
        request_id: UUID
        reason: str

        def apply(self, aggregate: Any) -> None:
            request = aggregate.requests[self.request_id]
            aggregate.requests[self.request_id] = _with_status(request, RequestStatus.DECLINED)

    class CompetencyApproved(Event):
        """R4: records who, in which capacity, under whose delegation, how and when."""

        TOPIC = "logbog:Programme.CompetencyApproved"
        approval_id: UUID
        competency_code: str
        approver_id: UUID
        capacity: str
        delegated_by: UUID | None
        method: str
        assessed_on: date
        department_id: UUID
        request_id: UUID | None
        note: str | None

        def apply(self, aggregate: Any) -> None:
            approval = Approval(
                approval_id=self.approval_id,
                competency_code=self.competency_code,
                approver_id=self.approver_id,
                capacity=Capacity(self.capacity),
                delegated_by=self.delegated_by,
                method=AssessmentMethod(self.method),
                assessed_on=self.assessed_on,
                department_id=self.department_id,
                request_id=self.request_id,
            )
            aggregate.approval_map[self.approval_id] = approval
            aggregate.active_by_code[self.competency_code] = self.approval_id
            if self.request_id is not None:
                request = aggregate.requests[self.request_id]
                aggregate.requests[self.request_id] = _with_status(request, RequestStatus.APPROVED)

    class ApprovalWithdrawn(Event):
        TOPIC = "logbog:Programme.ApprovalWithdrawn"
        approval_id: UUID
        reason: str

        def apply(self, aggregate: Any) -> None:
            withdrawn = replace(aggregate.approval_map[self.approval_id], withdrawn=True)
            aggregate.approval_map[self.approval_id] = withdrawn
            if aggregate.active_by_code.get(withdrawn.competency_code) == self.approval_id:
                del aggregate.active_by_code[withdrawn.competency_code]

    class CourseCompleted(Event):
        TOPIC = "logbog:Programme.CourseCompleted"
        course_code: str
        completed_on: date
        hours: int | None
        days: int | None
        evidence_ref: str

        def apply(self, aggregate: Any) -> None:
            aggregate.courses[self.course_code] = CourseCompletion(
                self.course_code,
                self.completed_on,
                self.hours,
                self.days,
                self.evidence_ref,
                self.actor_id,
                Capacity(self.actor_capacity),
            )

    class PriorAttestationRegistered(Event):
        """R10: registered by the trainee; counts only once verified."""

        TOPIC = "logbog:Programme.PriorAttestationRegistered"
        attestation_id: UUID
        kind: str
        code: str
        attested_on: date
        attested_by: str
        document_ref: str

        def apply(self, aggregate: Any) -> None:
            aggregate.prior_attestations[self.attestation_id] = PriorAttestation(
                self.attestation_id,
                AttestationKind(self.kind),
                self.code,
                self.attested_on,
                self.attested_by,
                self.document_ref,
            )

    class PriorAttestationVerified(Event):
        TOPIC = "logbog:Programme.PriorAttestationVerified"
        attestation_id: UUID
        verified_by: UUID
        verified_on: date

        def apply(self, aggregate: Any) -> None:
            old = aggregate.prior_attestations[self.attestation_id]
            aggregate.prior_attestations[self.attestation_id] = replace(
                old, verified_by=self.verified_by, verified_on=self.verified_on
            )

    class AbsenceRecorded(Event):
        """R6: absence within an employment (sickness counts calendar days)."""

        TOPIC = "logbog:Programme.AbsenceRecorded"
        absence_id: UUID
        employment_id: UUID
        kind: str
        first_day: date
        last_day: date

        def apply(self, aggregate: Any) -> None:
            absence = Absence(
                self.absence_id, AbsenceKind(self.kind), self.first_day, self.last_day
            )
            current = aggregate.absences[self.employment_id]
            aggregate.absences[self.employment_id] = (*current, absence)

    class EmploymentFractionChanged(Event):
        """R5: from the 1st of a month the employment runs at numerator/denominator of full time."""

        TOPIC = "logbog:Programme.EmploymentFractionChanged"
        employment_id: UUID
        from_date: date
        numerator: int
        denominator: int

        def apply(self, aggregate: Any) -> None:
            change = FractionChange(self.from_date, Fraction(self.numerator, self.denominator))
            current = aggregate.fraction_changes[self.employment_id]
            aggregate.fraction_changes[self.employment_id] = (*current, change)

    class EmploymentExtended(Event):
        """The secretariat records the extension the rules require (R5, R6)."""

        TOPIC = "logbog:Programme.EmploymentExtended"
        employment_id: UUID
        new_end: date
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.employments = tuple(
                replace(e, end=self.new_end) if e.employment_id == self.employment_id else e
                for e in aggregate.employments
            )

    class EmploymentTimeAttested(Event):
        """R7: the UAO/tutor attests that the employment's time was completed."""

        TOPIC = "logbog:Programme.EmploymentTimeAttested"
        employment_id: UUID
        attested_by: UUID
        attested_on: date
        absence_days: int
        required_end: date

        def apply(self, aggregate: Any) -> None:
            aggregate.time_attestations[self.employment_id] = TimeAttestation(
                self.employment_id,
                self.attested_by,
                Capacity(self.actor_capacity),
                self.attested_on,
            )

    @classmethod
    def start(
        cls,
        *,
        programme_id: UUID,
        doctor_id: UUID,
        specialty_code: str,
        stage: Stage,
        region: Region,
        hiring_date: date,
        pinned: CurriculumRef,
        meta: Meta,
    ) -> Programme:
        programme = cls._start(
            cls.Started,
            programme_id,
            meta.effective(hiring_date),
            doctor_id=doctor_id,
            specialty_code=specialty_code,
            stage=stage.value,
            region=region.value,
            hiring_date=hiring_date,
        )
        programme._record(
            cls.CurriculumVersionPinned,
            meta.effective(hiring_date),
            curriculum_id=pinned.curriculum_id,
            label=pinned.label,
            effective_from=pinned.effective_from,
        )
        return programme

    def change_curriculum_version(self, to: CurriculumRef, reason: str, meta: Meta) -> None:
        if to.stage != self.stage:
            raise InvalidInput(
                "curriculum.wrong_programme_kind",
                field="curriculum_id",
                label=to.label,
                code=self.specialty_code,
                stage=to.stage.value,
                programme_code=self.specialty_code,
                programme_stage=self.stage.value,
            )
        if to.curriculum_id == self.curriculum_id:
            raise Conflict("curriculum.already_pinned", label=to.label)
        self._record(
            self.CurriculumVersionChanged,
            meta,
            from_curriculum_id=self.curriculum_id,
            to_curriculum_id=to.curriculum_id,
            label=to.label,
            reason=check_text(reason, "reason", max_length=2000),
        )

    def add_employment(
        self,
        *,
        employment_id: UUID,
        department_id: UUID,
        start: date,
        end: date,
        percent: int,
        others: tuple[Period, ...],
        meta: Meta,
    ) -> Employment:
        """Add an employment; `others` are the doctor's employments in other programmes."""
        check_employment(
            start=start,
            end=end,
            percent=percent,
            hiring_date=self.hiring_date,
            others=(*(e.period for e in self.employments), *others),
        )
        self._record(
            self.EmploymentAdded,
            meta.effective(start),
            employment_id=employment_id,
            department_id=department_id,
            start=start,
            end=end,
            percent=percent,
        )
        return self.employments[[e.employment_id for e in self.employments].index(employment_id)]

    # -- the logbook -------------------------------------------------------------------------

    def employment_on(self, day: date) -> Employment | None:
        """The employment the trainee had on `day` (employments never overlap)."""
        return next((e for e in self.employments if e.covers(day)), None)

    @property
    def approvals(self) -> tuple[Approval, ...]:
        """Every approval ever given, withdrawn ones included, in the order given."""
        return tuple(self.approval_map.values())

    def active_approval(self, code: str) -> Approval | None:
        approval_id = self.active_by_code.get(code)
        return None if approval_id is None else self.approval_map[approval_id]

    def check_competency(self, curriculum: CurriculumVersion, code: str) -> Competency:
        """The code must be a competency of the programme's pinned curriculum version."""
        return check_competency(curriculum, code, self.curriculum_label)

    def request_assessment(
        self,
        *,
        request_id: UUID,
        curriculum: CurriculumVersion,
        code: str,
        supervisor_id: UUID,
        department_id: UUID,
        meta: Meta,
        note: str | None = None,
    ) -> None:
        self.check_competency(curriculum, code)
        note = check_text(note, "note", max_length=2000) if note and note.strip() else None
        check_request(self.active_approval(code), self.requests.values(), code, supervisor_id)
        self._record(
            self.AssessmentRequested,
            meta,
            request_id=request_id,
            competency_code=code,
            supervisor_id=supervisor_id,
            department_id=department_id,
            note=note,
        )

    def open_request(self, request_id: UUID) -> AssessmentRequest:
        request = self.requests.get(request_id)
        if request is None:
            raise NotFound("logbook.no_request", request_id=request_id)
        if request.status is not RequestStatus.OPEN:
            raise Conflict("logbook.request_closed", status=request.status.value)
        return request

    def decline(self, *, request_id: UUID, reason: str, meta: Meta) -> None:
        self.open_request(request_id)
        self._record(
            self.AssessmentDeclined,
            meta,
            request_id=request_id,
            reason=check_text(reason, "reason", max_length=2000),
        )

    def approve(
        self,
        *,
        approval_id: UUID,
        curriculum: CurriculumVersion,
        code: str,
        approver_id: UUID,
        capacity: Capacity,
        delegated_by: UUID | None,
        method: AssessmentMethod,
        assessed_on: date,
        department_id: UUID,
        note: str | None,
        today: date,
        meta: Meta,
    ) -> None:
        """R4: approve a competency of the pinned version by one of its assessment methods."""
        check_approval(
            curriculum,
            self.curriculum_label,
            code,
            method,
            assessed_on,
            today,
            self.active_approval(code),
        )
        request_id = answered_request(self.requests.values(), code, approver_id)
        self._record(
            self.CompetencyApproved,
            meta.effective(assessed_on),
            approval_id=approval_id,
            competency_code=code,
            approver_id=approver_id,
            capacity=capacity.value,
            delegated_by=delegated_by,
            method=method.value,
            assessed_on=assessed_on,
            department_id=department_id,
            request_id=request_id,
            note=check_text(note, "note", max_length=4000) if note else None,
        )

    def approval(self, approval_id: UUID) -> Approval:
        if approval_id in self.approval_map:
            return self.approval_map[approval_id]
        raise NotFound("logbook.no_approval", approval_id=approval_id)

    def withdraw(self, *, approval_id: UUID, reason: str, meta: Meta) -> None:
        """The original approval stays in the history; it no longer counts."""
        approval = self.approval(approval_id)
        if approval.withdrawn:
            raise Conflict("logbook.already_withdrawn", code=approval.competency_code)
        self._record(
            self.ApprovalWithdrawn,
            meta,
            approval_id=approval_id,
            reason=check_text(reason, "reason", max_length=2000),
        )

    def complete_course(
        self,
        *,
        curriculum: CurriculumVersion,
        code: str,
        completed_on: date,
        hours: int | None,
        days: int | None,
        evidence_ref: str,
        today: date,
        meta: Meta,
    ) -> None:
        check_course(
            curriculum,
            self.curriculum_label,
            code,
            completed_on,
            today,
            hours,
            days,
            self.courses.get(code),
        )
        self._record(
            self.CourseCompleted,
            meta.effective(completed_on),
            course_code=code,
            completed_on=completed_on,
            hours=hours,
            days=days,
            evidence_ref=check_text(evidence_ref, "evidence_ref", max_length=500),
        )

    def register_prior_attestation(
        self,
        *,
        attestation_id: UUID,
        curriculum: CurriculumVersion,
        kind: AttestationKind,
        code: str,
        attested_on: date,
        attested_by: str,
        document_ref: str,
        logbook_from: date,
        today: date,
        meta: Meta,
    ) -> None:
        """R10: only attestations from before the doctor or specialty came onto the logbook."""
        check_prior_attestation(
            curriculum, self.curriculum_label, kind, code, attested_on, logbook_from, today
        )
        self._record(
            self.PriorAttestationRegistered,
            meta.effective(attested_on),
            attestation_id=attestation_id,
            kind=kind.value,
            code=code,
            attested_on=attested_on,
            attested_by=check_text(attested_by, "attested_by"),
            document_ref=check_text(document_ref, "document_ref", max_length=500),
        )

    def verify_prior_attestation(
        self, *, attestation_id: UUID, verified_by: UUID, today: date, meta: Meta
    ) -> None:
        attestation = self.prior_attestations.get(attestation_id)
        if attestation is None:
            raise NotFound("logbook.no_attestation", attestation_id=attestation_id)
        if attestation.verified_by is not None:
            raise Conflict("logbook.attestation_verified", on=attestation.verified_on)
        self._record(
            self.PriorAttestationVerified,
            meta,
            attestation_id=attestation_id,
            verified_by=verified_by,
            verified_on=today,
        )

    def record_submission(self, submission_id: UUID, kind: str, meta: Meta) -> None:
        self._record(self.DocumentationSubmitted, meta, submission_id=submission_id, kind=kind)

    # -- training time (R5, R6, R7, R9) --------------------------------------------------------

    def employment(self, employment_id: UUID) -> Employment:
        for employment in self.employments:
            if employment.employment_id == employment_id:
                return employment
        raise NotFound("time.no_employment", employment_id=employment_id)

    def served(self, today: date) -> tuple[int, Fraction]:
        """Calendar days served up to and including `today`, and their full-time equivalent
        (R5: each day weighted by the part-time fraction in force)."""
        days, equivalent = 0, Fraction(0)
        for employment in self.employments:
            served = self.time_report(employment.employment_id, today).served_days
            if served:
                days += served
                last_day = employment.start + timedelta(days=served - 1)
                equivalent += full_time_days(
                    employment.start,
                    last_day,
                    Fraction(employment.percent, 100),
                    self.fraction_changes[employment.employment_id],
                )
        return days, equivalent

    def _check_not_attested(self, employment_id: UUID) -> None:
        """An attested employment's time is final (R7): nothing changes it afterwards."""
        if employment_id in self.time_attestations:
            raise Conflict(
                "time.already_attested", on=self.time_attestations[employment_id].attested_on
            )

    def time_report(self, employment_id: UUID, today: date) -> TimeReport:
        employment = self.employment(employment_id)
        return report(
            start=employment.start,
            nominal_end=self.nominal_ends[employment_id],
            recorded_end=employment.end,
            initial=Fraction(employment.percent, 100),
            changes=self.fraction_changes[employment_id],
            absences=self.absences[employment_id],
            today=today,
        )

    def record_absence(
        self,
        *,
        absence_id: UUID,
        employment_id: UUID,
        kind: AbsenceKind,
        first_day: date,
        last_day: date,
        meta: Meta,
    ) -> None:
        check_absence(
            self.employment(employment_id), self.absences[employment_id], first_day, last_day
        )
        self._check_not_attested(employment_id)
        self._record(
            self.AbsenceRecorded,
            meta.effective(first_day),
            absence_id=absence_id,
            employment_id=employment_id,
            kind=kind.value,
            first_day=first_day,
            last_day=last_day,
        )

    def change_fraction(
        self, *, employment_id: UUID, from_date: date, fraction: Fraction, meta: Meta
    ) -> None:
        """R5 (50-100 %) from the 1st of a month (R9)."""
        check_fraction_change(self.employment(employment_id), from_date, fraction)
        self._check_not_attested(employment_id)
        self._record(
            self.EmploymentFractionChanged,
            meta.effective(from_date),
            employment_id=employment_id,
            from_date=from_date,
            numerator=fraction.numerator,
            denominator=fraction.denominator,
        )

    def extend(
        self,
        *,
        employment_id: UUID,
        new_end: date,
        reason: str,
        others: tuple[Period, ...],
        meta: Meta,
    ) -> Employment:
        mine = (e.period for e in self.employments if e.employment_id != employment_id)
        check_extension(self.employment(employment_id), new_end, (*mine, *others))
        self._check_not_attested(employment_id)
        self._record(
            self.EmploymentExtended,
            meta.effective(new_end),
            employment_id=employment_id,
            new_end=new_end,
            reason=check_text(reason, "reason", max_length=2000),
        )
        return self.employment(employment_id)

    def import_time_attestation(
        self, *, employment_id: UUID, attested_by: UUID, attested_on: date, meta: Meta
    ) -> None:
        """A time attestation issued in the old logbook, recorded as it was (R7 was checked
        there); only a second attestation of the same employment is refused."""
        self._check_not_attested(employment_id)
        time = self.time_report(employment_id, attested_on)
        self._record(
            self.EmploymentTimeAttested,
            meta.effective(attested_on),
            employment_id=employment_id,
            attested_by=attested_by,
            attested_on=attested_on,
            absence_days=time.absence_days,
            required_end=time.required_end,
        )

    def attest_time(
        self, *, employment_id: UUID, attested_by: UUID, today: date, meta: Meta
    ) -> None:
        """R7: not before the first day of the employment's last month, nor while an extension
        the rules require is missing."""
        self._check_not_attested(employment_id)
        time = self.time_report(employment_id, today)
        check_attestable(time, today)
        self._record(
            self.EmploymentTimeAttested,
            meta,
            employment_id=employment_id,
            attested_by=attested_by,
            attested_on=today,
            absence_days=time.absence_days,
            required_end=time.required_end,
        )


def _with_status(request: AssessmentRequest, status: RequestStatus) -> AssessmentRequest:
    return replace(request, status=status)


def training_elsewhere(programmes: Iterable[Programme], region: Region, on: date) -> list[Region]:
    """The other regions where the doctor is in training on `on` (a programme there with no
    employment yet, or one that has not ended): starting a programme in `region` then is a
    transfer, which must be stated with its reason, as it lets `region`'s secretariat read the
    doctor's whole history (issue 15, item 4)."""
    found = {
        p.region
        for p in programmes
        if p.region is not region and (not p.employments or max(e.end for e in p.employments) >= on)
    }
    return sorted(found)
