"""Building a legacy doctor's aggregates in memory, from one line of an old logbook.

The builder knows what the import has learnt so far (reference data, the people and streams
found in the store, the signers registered in advance) and turns a validated line into the
doctor's aggregates as the domain's own methods decide them, with the original dates as
effective dates and the named signers as actors. It reads the store and never writes:
`importer.py` saves what it builds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from fractions import Fraction
from uuid import UUID

from logbog_es.application.app import Logbog
from logbog_es.application.cpr import claim_cpr
from logbog_es.domain.base import LogbogAggregate, Meta, stable_id
from logbog_es.domain.cpr import CprClaim
from logbog_es.domain.curriculum import CurriculumVersion, content_of
from logbog_es.domain.department import Department, department_id
from logbog_es.domain.doctor import Doctor, check_authorisation_id, doctor_id
from logbog_es.domain.errors import Conflict, LogbogError
from logbog_es.domain.programme import Programme
from logbog_es.domain.receipt import CommandReceipt, RecordedEvent
from logbog_es.domain.specialty import Specialty, specialty_id
from logbog_es.domain.submission import Submission
from logbog_es.domain.values import Capacity
from logbog_es.migration.legacy import (
    LegacyDoctor,
    LegacyLogbook,
    LegacyProgramme,
    Person,
    Reference,
)
from logbog_es.migration.reading import differences_of
from logbog_es.migration.report import LineError, LineRejected, LineResult

IMPORT_COMMAND = "import-legacy"

_USED_BEFORE = (
    "this legacy id was imported before, by another doctor's line (in this or an earlier file); "
    "every legacy id must be unique"
)


def programme_stream(legacy_id: str) -> UUID:
    """The programme an old logbook's programme becomes (the same on every run)."""
    return stable_id("programme", f"legacy:{legacy_id}")


def submission_stream(legacy_id: str) -> UUID:
    """The submission an old logbook's submission becomes (the same on every run)."""
    return stable_id("submission", f"legacy:{legacy_id}")


class SaveFirst(Exception):
    """The line needs the lines before it in the batch saved first."""


class Batch:
    """Aggregates decided for the lines of one batch, saved together."""

    def __init__(self) -> None:
        self.lines: list[tuple[LineResult, list[LogbogAggregate]]] = []
        self.new_people: dict[str, Doctor] = {}
        self.created_by_line: list[str] = []  # approvers registered by the line being built
        self.claims: dict[UUID, UUID] = {}  # CPR claims of the batch's lines -> their doctors

    def aggregates(self) -> list[LogbogAggregate]:
        unique: dict[UUID, LogbogAggregate] = {}
        for _, aggregates in self.lines:
            for aggregate in aggregates:
                unique[aggregate.id] = aggregate
        return list(unique.values())


class Builder:
    """A line's aggregates from what the import knows (see the module's docstring)."""

    def __init__(
        self, app: Logbog, *, source: str, today: date, chain_head: Callable[[], tuple[int, str]]
    ) -> None:
        self.app = app
        self.source = source
        self.today = today
        self.chain_head = chain_head  # the chain head a legacy submission records
        self.staged: dict[UUID, Doctor] = {}  # a dry run's signers, registered in memory only
        self.known_people: set[UUID] = set()  # doctors known to exist in the store
        self.signers: dict[str, UUID] = {}  # authorisation id as written -> person id
        self.exists: set[UUID] = set()  # streams of the current batch found in the store
        self._specialties: dict[str, Specialty | None] = {}
        self._curricula: dict[UUID, CurriculumVersion | None] = {}
        self._departments: dict[str, Department | None] = {}

    # -- reference data ------------------------------------------------------------------------

    def reference(self, reference: Reference) -> tuple[list[LogbogAggregate], list[str]]:
        """What the reference file names and the store lacks, built in memory (and known from
        now on, so the lines are validated against it), with a line saying what each is.
        Reference data that differs from the store's is refused, all differences at once."""
        done: list[str] = []
        meta = Meta(f"import:{self.source}", Capacity.IMPORT, f"import:{self.source}:reference")
        changed: dict[UUID, LogbogAggregate] = {}
        differences: list[LineError] = []
        for ref in reference.specialties:
            known = self.specialty(ref.code)
            if known is not None:
                differences += differences_of(
                    f"reference.specialties[{ref.code}]",
                    [
                        ("on_logbook_from", known.on_logbook_from, ref.on_logbook_from),
                        ("stages", set(known.stages), set(ref.stages)),
                    ],
                )
            else:
                specialty = Specialty.register(
                    code=ref.code,
                    name=ref.name,
                    stages=tuple(ref.stages),
                    on_logbook_from=ref.on_logbook_from,
                    meta=meta,
                )
                self._specialties[ref.code] = changed[specialty.id] = specialty
                done.append(f"specialty {ref.code}")
        for ref_dep in reference.departments:
            stored = self.department(ref_dep.code)
            if stored is not None:
                differences += differences_of(
                    f"reference.departments[{ref_dep.code}]",
                    [
                        ("name", stored.name, ref_dep.name.strip()),
                        ("kind", stored.kind, ref_dep.kind),
                        ("region", stored.region, ref_dep.region),
                    ],
                )
            else:
                department = Department.register(
                    code=ref_dep.code,
                    name=ref_dep.name,
                    kind=ref_dep.kind,
                    region=ref_dep.region,
                    meta=meta,
                )
                self._departments[ref_dep.code] = changed[department.id] = department
                done.append(f"department {ref_dep.code}")
        for ref_cur in reference.curricula:
            found = self.specialty(ref_cur.specialty_code)
            if found is None:
                raise LineRejected(
                    [
                        LineError(
                            0,
                            "reference.curricula",
                            f"unknown specialty {ref_cur.specialty_code!r}",
                        )
                    ]
                )
            specialty = found
            content = content_of(ref_cur.competencies, ref_cur.courses)
            listed = next(
                (
                    v
                    for v in specialty.curricula
                    if v.stage is ref_cur.stage and v.label == ref_cur.label.strip()
                ),
                None,
            )
            if listed is not None:
                version = self.curriculum(listed.curriculum_id)
                assert version is not None
                where = f"reference.curricula[{ref_cur.specialty_code}/{ref_cur.label}]"
                differences += differences_of(
                    where,
                    [
                        ("effective_from", version.effective_from, ref_cur.effective_from),
                        (
                            "nominal_duration_months",
                            version.nominal_duration_months,
                            ref_cur.nominal_duration_months,
                        ),
                        ("competencies", version.competencies, content[0]),
                        ("courses", version.courses, content[1]),
                    ],
                    " (a changed curriculum needs a label of its own)",
                )
                continue
            try:
                version = specialty.publish_curriculum(
                    stage=ref_cur.stage,
                    label=ref_cur.label,
                    effective_from=ref_cur.effective_from,
                    nominal_duration_months=ref_cur.nominal_duration_months,
                    competencies=content[0],
                    courses=content[1],
                    meta=meta,
                )
            except LogbogError as error:
                where = f"reference.curricula[{ref_cur.specialty_code}/{ref_cur.label}]"
                raise LineRejected([LineError(0, where, error.message)]) from error
            self._curricula[version.id] = changed[version.id] = version
            changed[specialty.id] = specialty
            done.append(
                f"curriculum {ref_cur.specialty_code}/{ref_cur.stage.value}/{ref_cur.label}"
            )
        if differences:
            raise LineRejected(differences)
        return list(changed.values()), done

    # -- building a doctor's aggregates ------------------------------------------------------------

    def meta(
        self,
        number: int,
        effective_on: date | None = None,
        capacity: Capacity = Capacity.IMPORT,
        actor: UUID | None = None,
    ) -> Meta:
        """The source line is the command id; the actor is the person the old logbook names
        as having done it (approver, attester, verifier, withdrawer), else the import."""
        return Meta(
            str(actor) if actor else f"import:{self.source}",
            capacity,
            f"import:{self.source}:{number}",
            effective_on,
        )

    def specialty(self, code: str) -> Specialty | None:
        if code not in self._specialties:
            self._specialties[code] = self.app.find(Specialty, specialty_id(code))
        return self._specialties[code]

    def department(self, code: str) -> Department | None:
        if code not in self._departments:
            self._departments[code] = self.app.find(Department, department_id(code))
        return self._departments[code]

    def curriculum(self, curriculum: UUID) -> CurriculumVersion | None:
        if curriculum not in self._curricula:
            self._curricula[curriculum] = self.app.find(CurriculumVersion, curriculum)
        return self._curricula[curriculum]

    def register(
        self, auth: str, who: LegacyDoctor | Person, number: int, since: date | None = None
    ) -> Doctor:
        """Someone of the old logbook, as from line `number`: a doctor of the file with their
        details, in effect `since` their first hiring date (so a view of an earlier day has
        them with their programmes); a signer by authorisation id and name (e-mail unknown)."""
        doctor = who if isinstance(who, LegacyDoctor) else None
        return Doctor.register(
            authorisation_id=auth,
            name=who.name,
            email=doctor.email if doctor else None,
            cpr=doctor.cpr if doctor else None,
            meta=self.meta(number, since),
        )

    def _person(
        self,
        number: int,
        person: Person,
        batch: Batch,
        touched: dict[UUID, LogbogAggregate],
        path: str,
    ) -> UUID:
        """A signer by authorisation id: known, new in this batch, or registered now."""
        known = self.signers.get(person.authorisation_id)
        if known is not None and (known in touched or known in self.known_people):
            return known
        with _at(number, path):
            auth = check_authorisation_id(person.authorisation_id)
        pid = self.signers[person.authorisation_id] = doctor_id(auth)
        if pid in touched or pid in self.known_people:
            return pid
        if auth in batch.new_people:
            touched[pid] = batch.new_people[auth]
            return pid
        if self.app.find(Doctor, pid) is not None:
            self.known_people.add(pid)
            return pid
        with _at(number, path):
            doctor = self.register(auth, person, number)
        batch.new_people[auth] = doctor
        batch.created_by_line.append(auth)
        touched[pid] = doctor
        return pid

    def build(
        self, number: int, logbook: LegacyLogbook, digest: str, batch: Batch
    ) -> tuple[list[LogbogAggregate], int]:
        """The line's aggregates (with its receipt) and the number of events it adds."""
        touched: dict[UUID, LogbogAggregate] = {}
        before = {a.id: len(a.pending_events) for a in batch.new_people.values()}
        person = logbook.doctor
        with _at(number, "doctor.authorisation_id"):
            auth = check_authorisation_id(person.authorisation_id)
        pid = doctor_id(auth)
        if auth in batch.new_people:
            raise SaveFirst
        doctor = self.app.find(Doctor, pid) if pid in self.exists else self.staged.get(pid)
        if doctor is not None:  # registered before, as a signer: the line's details must hold
            with _at(number, "doctor"):
                _, _, cpr = Doctor.check_details(person.name, person.email, person.cpr)
            if cpr and doctor.cpr and cpr != doctor.cpr:  # never echoed: personal data
                raise LineRejected(
                    [
                        LineError(
                            number,
                            "doctor.cpr",
                            "differs from the CPR number registered for this authorisation id; "
                            "check that the line names the right doctor",
                        )
                    ]
                )
            doctor.complete_contact_details(
                email=person.email, cpr=person.cpr, meta=self.meta(number)
            )
        if doctor is None:
            first = min((p.hiring_date for p in logbook.programmes), default=None)
            with _at(number, "doctor"):
                doctor = self.register(auth, person, number, first)
        touched[doctor.id] = doctor
        for i, legacy in enumerate(logbook.programmes):
            self._programme(number, f"programmes[{i}]", legacy, doctor, batch, touched)
        claim = self._claim_cpr(number, doctor, batch)
        if claim is not None:
            touched[claim.id] = claim
        meta = Meta(
            f"import:{self.source}", Capacity.IMPORT, f"{IMPORT_COMMAND}:{logbook.legacy_id}"
        )
        recorded = tuple(
            RecordedEvent(getattr(type(e), "TOPIC", ""), e.originator_id, e.originator_version)
            for a in touched.values()
            for e in a.pending_events[before.get(a.id, 0) :]
        )
        receipt = CommandReceipt.issue(
            command_name=IMPORT_COMMAND, payload_sha256=digest, events=recorded, meta=meta
        )
        return [*touched.values(), receipt], len(recorded) + 1

    def _claim_cpr(self, number: int, doctor: Doctor, batch: Batch) -> CprClaim | None:
        """One CPR number, one doctor, as a registration has it (`application.cpr`): the line
        fails when another doctor holds the number, in the store or an earlier line of the
        batch."""
        try:
            return claim_cpr(self.app, doctor, self.meta(number), batch.claims)
        except Conflict:
            raise LineRejected(  # never echoed: personal data
                [
                    LineError(
                        number, "doctor.cpr", "this CPR number is registered for another doctor"
                    )
                ]
            ) from None

    def _programme(
        self,
        number: int,
        where: str,
        legacy: LegacyProgramme,
        doctor: Doctor,
        batch: Batch,
        touched: dict[UUID, LogbogAggregate],
    ) -> None:
        specialty = self.specialty(legacy.specialty_code)
        if specialty is None:
            raise LineRejected(
                [
                    LineError(
                        number,
                        f"{where}.specialty_code",
                        f"unknown specialty {legacy.specialty_code!r} (neither in the store "
                        "nor in the reference file given with --reference)",
                    )
                ]
            )
        with _at(number, f"{where}.stage"):
            specialty.check_stage(legacy.stage)
        ref = next(
            (
                v
                for v in specialty.curricula
                if v.stage is legacy.stage and v.label == legacy.curriculum_label
            ),
            None,
        )
        if ref is None:
            labels = ", ".join(v.label for v in specialty.curricula if v.stage is legacy.stage)
            raise LineRejected(
                [
                    LineError(
                        number,
                        f"{where}.curriculum_label",
                        f"no {legacy.stage.value} curriculum version labelled "
                        f"{legacy.curriculum_label!r} in {specialty.code!r} "
                        f"(known: {labels or 'none'})",
                    )
                ]
            )
        curriculum = self.curriculum(ref.curriculum_id)
        assert curriculum is not None
        pid = programme_stream(legacy.legacy_id)
        if pid in self.exists:
            raise LineRejected([LineError(number, f"{where}.legacy_id", _USED_BEFORE)])
        started = self.meta(number, legacy.hiring_date)
        with _at(number, where):
            programme = doctor.start_programme(
                programme_id=pid,
                specialty_code=specialty.code,
                stage=legacy.stage,
                region=legacy.region,
                hiring_date=legacy.hiring_date,
                pinned=ref,
                meta=started,
            )
        touched[programme.id] = programme
        self._employments(number, where, legacy, programme, doctor, batch, touched)
        self._approvals(number, where, legacy, programme, curriculum, batch, touched)
        for j, course in enumerate(legacy.courses):
            with _at(number, f"{where}.courses[{j}]"):
                programme.complete_course(
                    curriculum=curriculum,
                    code=course.course_code,
                    completed_on=course.completed_on,
                    hours=course.hours,
                    days=course.days,
                    evidence_ref=course.evidence_ref,
                    today=self.today,
                    meta=self.meta(number, course.completed_on),
                )
        logbook_from = specialty.logbook_from(doctor.access_from)
        for j, paper in enumerate(legacy.paper_attestations):
            at = f"{where}.paper_attestations[{j}]"
            tid = stable_id("attestation", f"legacy:{paper.legacy_id}")
            with _at(number, at):
                programme.register_prior_attestation(
                    attestation_id=tid,
                    curriculum=curriculum,
                    kind=paper.kind,
                    code=paper.code,
                    attested_on=paper.attested_on,
                    attested_by=paper.attested_by,
                    document_ref=paper.document_ref,
                    logbook_from=logbook_from,
                    today=self.today,
                    meta=self.meta(number, paper.attested_on),
                )
            if paper.verified is not None:
                verified = paper.verified
                verifier = self._person(
                    number, verified.verified_by, batch, touched, f"{at}.verified.verified_by"
                )
                with _at(number, f"{at}.verified"):
                    programme.verify_prior_attestation(
                        attestation_id=tid,
                        verified_by=verifier,
                        today=verified.verified_on,
                        meta=self.meta(number, verified.verified_on, actor=verifier),
                    )
        for k, sent in enumerate(legacy.submissions):
            if submission_stream(sent.legacy_id) in self.exists:
                at = f"{where}.submissions[{k}].legacy_id"
                raise LineRejected([LineError(number, at, _USED_BEFORE)])
            meta = self.meta(number, sent.submitted_on, Capacity.TRAINEE)
            submission = Submission.submit(
                new_id=submission_stream(sent.legacy_id),
                programme_id=programme.id,
                doctor_id=doctor.id,
                kind=sent.kind,
                submitted_on=sent.submitted_on,
                package={
                    "format": "legacy",
                    "legacy_id": sent.legacy_id,
                    "kind": sent.kind.value,
                    "submitted_on": sent.submitted_on.isoformat(),
                    "legacy_sha256": sent.sha256,
                },
                sources={},
                chain_head=self.chain_head(),
                meta=meta,
            )
            programme.record_submission(submission.id, sent.kind.value, meta)
            touched[submission.id] = submission

    def _employments(
        self,
        number: int,
        where: str,
        legacy: LegacyProgramme,
        programme: Programme,
        doctor: Doctor,
        batch: Batch,
        touched: dict[UUID, LogbogAggregate],
    ) -> None:
        for j, emp in enumerate(legacy.employments):
            at = f"{where}.employments[{j}]"
            department = self.department(emp.department_code)
            if department is None:
                raise LineRejected(
                    [
                        LineError(
                            number,
                            f"{at}.department_code",
                            f"unknown department {emp.department_code!r} (neither in the store "
                            "nor in the reference file given with --reference)",
                        )
                    ]
                )
            eid = stable_id("employment", f"legacy:{emp.legacy_id}")
            meta = self.meta(number, emp.start)
            with _at(number, at):
                doctor.add_employment(
                    programme,
                    employment_id=eid,
                    department_id=department.id,
                    start=emp.start,
                    end=emp.end,
                    percent=emp.percent,
                    meta=meta,
                )
            for k, change in enumerate(emp.part_time_changes):
                with _at(number, f"{at}.part_time_changes[{k}]"):
                    programme.change_fraction(
                        employment_id=eid,
                        from_date=change.from_date,
                        fraction=Fraction(change.percent) / 100,
                        meta=self.meta(number, change.from_date),
                    )
            if emp.extended_to is not None:
                new_end = emp.extended_to
                with _at(number, f"{at}.extended_to"):
                    doctor.extend_employment(
                        programme,
                        employment_id=eid,
                        new_end=new_end,
                        reason="Forlænget i den tidligere logbog",
                        meta=self.meta(number, new_end),
                    )
            for k, absence in enumerate(emp.absences):
                with _at(number, f"{at}.absences[{k}]"):
                    programme.record_absence(
                        absence_id=stable_id("absence", f"legacy:{emp.legacy_id}:{k}"),
                        employment_id=eid,
                        kind=absence.kind,
                        first_day=absence.first_day,
                        last_day=absence.last_day,
                        meta=self.meta(number, absence.first_day),
                    )
        for j, emp in enumerate(legacy.employments):
            attestation = emp.time_attestation
            if attestation is None:
                continue
            at = f"{where}.employments[{j}].time_attestation"
            signer = self._person(
                number, attestation.attested_by, batch, touched, f"{at}.attested_by"
            )
            with _at(number, at):
                programme.import_time_attestation(
                    employment_id=stable_id("employment", f"legacy:{emp.legacy_id}"),
                    attested_by=signer,
                    attested_on=attestation.attested_on,
                    meta=self.meta(
                        number, attestation.attested_on, Capacity(attestation.capacity), signer
                    ),
                )

    def _approvals(
        self,
        number: int,
        where: str,
        legacy: LegacyProgramme,
        programme: Programme,
        curriculum: CurriculumVersion,
        batch: Batch,
        touched: dict[UUID, LogbogAggregate],
    ) -> None:
        for j, approval in enumerate(legacy.approvals):
            at = f"{where}.approvals[{j}]"
            if approval.approver is None:
                raise LineRejected(
                    [
                        LineError(
                            number,
                            f"{at}.approver",
                            "the approver cannot be identified: the old logbook gives no "
                            "authorisation id",
                        )
                    ]
                )
            approver = self._person(number, approval.approver, batch, touched, f"{at}.approver")
            delegated = (
                self._person(number, approval.delegated_by, batch, touched, f"{at}.delegated_by")
                if approval.delegated_by
                else None
            )
            employment = programme.employment_on(approval.assessed_on)
            if employment is None:
                raise LineRejected(
                    [
                        LineError(
                            number,
                            f"{at}.assessed_on",
                            f"{approval.assessed_on} is outside every employment of the programme",
                        )
                    ]
                )
            approval_id = stable_id("approval", f"legacy:{approval.legacy_id}")
            capacity = Capacity(approval.capacity)
            with _at(number, at):
                programme.approve(
                    approval_id=approval_id,
                    curriculum=curriculum,
                    code=approval.competency_code,
                    approver_id=approver,
                    capacity=capacity,
                    delegated_by=delegated,
                    method=approval.method,
                    assessed_on=approval.assessed_on,
                    department_id=employment.department_id,
                    note=approval.note,
                    today=self.today,
                    meta=self.meta(number, approval.assessed_on, capacity, approver),
                )
            withdrawal = approval.withdrawn
            if withdrawal is not None:
                withdrawer = (
                    self._person(
                        number,
                        withdrawal.withdrawn_by,
                        batch,
                        touched,
                        f"{at}.withdrawn.withdrawn_by",
                    )
                    if withdrawal.withdrawn_by is not None
                    else None
                )
                meta = self.meta(number, withdrawal.withdrawn_on, actor=withdrawer)
                with _at(number, f"{at}.withdrawn"):
                    programme.withdraw(approval_id=approval_id, reason=withdrawal.reason, meta=meta)


@contextmanager
def _at(number: int, path: str) -> Iterator[None]:
    """Turn a domain refusal into a line error at `path`."""
    try:
        yield
    except LogbogError as error:
        raise LineRejected([LineError(number, path, error.message)]) from error
