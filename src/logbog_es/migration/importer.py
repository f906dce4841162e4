"""Import legacy logbooks as events: each doctor atomically, idempotently, with exact errors.

For every line: parse and validate it (JSON, the format, references, the rules of the domain as
the aggregates enforce them); build the doctor's aggregates in memory with the original dates as
effective dates; then save them with an import receipt in one transaction, several doctors per
batch. The receipt's id derives from the old system's doctor id and holds the hash of the line,
so a second run skips what it imported and reports a changed line as a conflict.
Every imported event's command id names its source: `import:<file sha256 prefix>:<line>`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from fractions import Fraction
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from eventsourcing.postgres import PostgresApplicationRecorder
from pydantic import ValidationError

from logbog_es.application.app import Logbog
from logbog_es.application.chain import head
from logbog_es.application.cpr import claim_cpr
from logbog_es.application.eventlog import existing_streams
from logbog_es.domain.base import LogbogAggregate, Meta, stable_id
from logbog_es.domain.cpr import CprClaim
from logbog_es.domain.curriculum import CurriculumVersion, content_of
from logbog_es.domain.department import Department, department_id
from logbog_es.domain.doctor import Doctor, check_authorisation_id, doctor_id
from logbog_es.domain.errors import Conflict, LogbogError
from logbog_es.domain.import_source import ImportSource, import_source_id
from logbog_es.domain.programme import Programme
from logbog_es.domain.receipt import CommandReceipt, RecordedEvent, receipt_id
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
from logbog_es.migration.reading import (  # noqa: F401 - the importer's public names
    Plan,
    _differs,
    _inner_ids,
    _path,
    _signers_of,
    decode_lines,
)
from logbog_es.migration.report import LineError, LineRejected, LineResult, Report

IMPORT_COMMAND = "import-legacy"


_USED_BEFORE = (
    "this legacy id was imported before, by another doctor's line (in this or an earlier file); "
    "every legacy id must be unique"
)


def _programme_id(legacy_id: str) -> UUID:
    return stable_id("programme", f"legacy:{legacy_id}")


def _submission_id(legacy_id: str) -> UUID:
    return stable_id("submission", f"legacy:{legacy_id}")


class _SaveFirst(Exception):
    """The line needs the lines before it in the batch saved first."""


class _Batch:
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


def record_source(app: Logbog, file_sha256: str, file_name: str) -> None:
    """Name the file the imported events' `import:<source>` stands for (once per file)."""
    source = file_sha256[:12]
    if app.find(ImportSource, import_source_id(source)) is not None:
        return
    meta = Meta(f"import:{source}", Capacity.IMPORT, f"import:{source}:source")
    with contextlib.suppress(IntegrityError):  # recorded meanwhile by another run
        app.save(ImportSource.record(file_sha256, file_name, meta))


class Importer:
    def __init__(
        self, app: Logbog, *, file_sha256: str, dry_run: bool = False, batch_size: int = 100
    ) -> None:
        self.app = app
        self.file_sha256 = file_sha256
        self.dry_run = dry_run
        self.batch_size = batch_size
        self.today = app.today()
        self.source = file_sha256[:12]
        self._plan = Plan()
        self._staged: dict[UUID, Doctor] = {}  # a dry run's signers, registered in memory only
        self._specialties: dict[str, Specialty | None] = {}
        self._curricula: dict[UUID, CurriculumVersion | None] = {}
        self._departments: dict[str, Department | None] = {}
        self._known_people: set[UUID] = set()  # doctors known to exist in the store
        self._signers: dict[str, UUID] = {}  # authorisation id as written -> person id
        self._exists: set[UUID] = set()  # streams of the current batch found in the store
        self._head: tuple[int, str] | None = None  # the chain head before the current batch

    # -- reference data ------------------------------------------------------------------------

    def load_reference(self, reference: Reference) -> list[str]:
        """Register what the reference file names and the store lacks, in one transaction;
        returns what it did. A dry run keeps the new reference data in memory only, so the
        lines are validated against it."""
        done: list[str] = []
        meta = Meta(f"import:{self.source}", Capacity.IMPORT, f"import:{self.source}:reference")
        changed: dict[UUID, LogbogAggregate] = {}
        differences: list[LineError] = []
        for ref in reference.specialties:
            known = self._specialty(ref.code)
            if known is not None:
                differences += _differs(
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
            stored = self._department(ref_dep.code)
            if stored is not None:
                differences += _differs(
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
            found = self._specialty(ref_cur.specialty_code)
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
                version = self._curriculum(listed.curriculum_id)
                assert version is not None
                where = f"reference.curricula[{ref_cur.specialty_code}/{ref_cur.label}]"
                differences += _differs(
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
        if changed and not self.dry_run:
            self.app.save(*changed.values())
        return done

    # -- lines -----------------------------------------------------------------------------------

    def run(
        self,
        lines: Iterable[tuple[int, str]],
        progress: Callable[[LineResult], None] | None = None,
        *,
        invalid: Iterable[LineResult] = (),
        spread: Callable[[list[tuple[int, str]], Report], None] | None = None,
    ) -> Report:
        """Plan the whole file, register its signers, then import the lines batch by batch.
        `spread`: a way to import the lines that touch disjoint streams elsewhere (several
        processes: `parallel.import_lines` passes it); the others stay here. `invalid`:
        lines already failed (not UTF-8), reported with the rest."""
        numbered = [(number, text) for number, text in lines if text.strip()]
        report = Report(self.file_sha256, self.dry_run, list(invalid))
        report.signers = self.prepare(Plan.of(numbered))
        if spread is not None:
            spread([line for line in numbered if not self._stays_local(line[0])], report)
            numbered = [line for line in numbered if self._stays_local(line[0])]
        for start in range(0, len(numbered), self.batch_size):
            self.import_batch(numbered[start : start + self.batch_size], report, progress)
        report.results.sort(key=lambda r: r.line)
        return report

    def parallel(self, workers: int, lines: int) -> bool:
        """Whether `lines` may be spread over `workers` processes (`parallel.import_lines`)."""
        return (
            workers > 1
            and not self.dry_run
            and isinstance(self.app.recorder, PostgresApplicationRecorder)
            and lines > self.batch_size
        )

    @property
    def known_people(self) -> set[UUID]:
        return set(self._known_people)

    def adopt_known_people(self, people: set[UUID]) -> None:
        """People known to be in the store (a worker process learns them from the planner)."""
        self._known_people |= people

    def _stays_local(self, number: int) -> bool:
        return number in self._plan.duplicates or self.deferred(number)

    def prepare(self, plan: Plan) -> int:
        """Adopt the file's plan and register the signers the store lacks, in transactions of
        a thousand (a dry run keeps them in memory). Returns how many were registered.

        A signer who is also a doctor of the file is registered with their own line's details
        (as from that line); other signers from their authorisation id and name, as from the
        first line naming them. A signer who cannot be registered so is left to the lines."""
        self._plan = plan
        wanted: dict[UUID, tuple[str, int, Person]] = {}
        for number, named in plan.signers_of_line.items():
            if not self._refers_to_known(number):
                continue  # the line fails on its references: its signers are not needed
            for raw in named:
                try:
                    auth = check_authorisation_id(raw)
                except LogbogError:
                    continue  # each line naming them reports it
                pid = doctor_id(auth)
                if pid not in wanted or number < wanted[pid][1]:
                    wanted[pid] = (auth, number, plan.signers[raw][1])
        existing = existing_streams(self.app.recorder, list(wanted)) if wanted else set()
        self._known_people |= existing
        new: list[tuple[str, LegacyDoctor | Person, int, date | None]] = []
        for pid, (auth, number, person) in wanted.items():
            if pid in existing:
                continue
            line, who = plan.doctors.get(auth) or (number, person)
            try:
                self._register(auth, who, line)
            except LogbogError:
                continue  # the doctor's own line reports what is wrong
            new.append((auth, who, line, plan.first_hired.get(auth)))
        registered = 0
        for start in range(0, len(new), 1000):
            people = [self._register(*n) for n in new[start : start + 1000]]
            if self.dry_run:
                for doctor in people:
                    doctor.collect_events()  # as if saved
                    self._staged[doctor.id] = doctor
                registered += len(people)
                continue
            try:
                self.app.save(*people)
                registered += len(people)
            except IntegrityError:  # someone registered one of them meanwhile: one by one
                for one in new[start : start + 1000]:
                    try:
                        self.app.save(self._register(*one))
                        registered += 1
                    except IntegrityError:
                        pass  # registered meanwhile: known all the same
        self._known_people |= {doctor_id(auth) for auth, *_ in new}
        return registered

    def _refers_to_known(self, number: int) -> bool:
        """Whether every curriculum version and department the line names is known."""
        curricula, departments = self._plan.references.get(number, (set(), set()))
        for code, stage, label in curricula:
            specialty = self._specialty(code)
            if specialty is None or not any(
                v.stage is stage and v.label == label for v in specialty.curricula
            ):
                return False
        return all(self._department(code) is not None for code in departments)

    def deferred(self, number: int) -> bool:
        """Whether the line names a signer nobody registered in advance (so the line registers
        them itself, and must not run beside another line that could do the same)."""
        for raw in self._plan.signers_of_line.get(number, ()):
            pid = self._signers.get(raw)
            if pid is None:
                try:
                    pid = self._signers[raw] = doctor_id(check_authorisation_id(raw))
                except LogbogError:
                    continue  # the line fails on it
            if pid not in self._known_people:
                return True
        return False

    def import_batch(
        self,
        chunk: list[tuple[int, str]],
        report: Report,
        progress: Callable[[LineResult], None] | None = None,
    ) -> None:
        """One batch: look up in one query which doctors and receipts exist, build, save."""
        if not chunk:
            return
        self._prefetch(chunk)
        self._head = None
        batch = _Batch()
        for number, text in chunk:
            try:
                result = self._line(number, text, batch)
            except _SaveFirst:
                # The line's doctor was registered as a signer by an earlier line of this batch:
                # save those lines first, so this line builds on the stored doctor and a refusal
                # of this line cannot leave its changes on a doctor another line saves.
                self._flush(batch, progress)
                batch = _Batch()
                self._head = None  # the chain moved on
                result = self._line(number, text, batch)
            report.results.append(result)
            if result.status not in ("imported", "would-import") and progress:
                progress(result)
        self._flush(batch, progress)

    def _chain_head(self) -> tuple[int, str]:
        """The chain head before this batch (what a legacy submission records)."""
        if self._head is None:
            self._head = head(self.app.recorder)
        return self._head

    def _prefetch(self, chunk: list[tuple[int, str]]) -> None:
        ids: list[UUID] = []
        for _, text in chunk:
            try:
                raw = json.loads(text)
                legacy_id = raw["legacy_id"]
                auth = check_authorisation_id(raw["doctor"]["authorisation_id"])
            except (ValueError, RecursionError, KeyError, TypeError, AttributeError, LogbogError):
                continue  # the line reports it
            ids += [receipt_id(f"{IMPORT_COMMAND}:{legacy_id}"), doctor_id(auth)]
            try:  # the streams a line starts: a collision is the line's fault, not the batch's
                for programme in raw["programmes"]:
                    ids.append(_programme_id(programme["legacy_id"]))
                    sent = programme.get("submissions", [])
                    ids += [_submission_id(one["legacy_id"]) for one in sent]
            except (KeyError, TypeError, AttributeError):
                continue
        self._exists = existing_streams(self.app.recorder, ids) if ids else set()

    def _flush(self, batch: _Batch, progress: Callable[[LineResult], None] | None) -> None:
        if not batch.lines:
            return
        if self.dry_run:  # as if saved: later batches find these people registered
            for person in batch.new_people.values():
                person.collect_events()
                self._staged[person.id] = person
            self._known_people.update(d.id for d in batch.new_people.values())
        else:
            try:
                self.app.save(*batch.aggregates())
            except IntegrityError:
                self._mark_conflicts(batch)
            else:
                saved = {d.id for d in batch.new_people.values()}
                self._known_people |= saved
                self._exists |= saved
        for result, _ in batch.lines:
            if progress:
                progress(result)

    def _mark_conflicts(self, batch: _Batch) -> None:
        """A batch collided with a concurrent writer and nothing of it was saved: every line is
        reported as a conflict, to be imported by running the file again."""
        for result, _ in batch.lines:
            result.status = "conflict"
            result.events = 0
            result.errors.append(
                LineError(result.line, "(line)", "changed concurrently while importing; run again")
            )

    def _line(self, number: int, text: str, batch: _Batch) -> LineResult:
        digest = hashlib.sha256(text.strip().encode()).hexdigest()
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            return LineResult(
                number,
                None,
                "failed",
                errors=[
                    LineError(number, "(line)", f"bad JSON: {error.msg} at column {error.colno}")
                ],
            )
        except (ValueError, RecursionError) as error:  # a huge number, nesting too deep
            reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
            return LineResult(
                number, None, "failed", errors=[LineError(number, "(line)", f"bad JSON: {reason}")]
            )
        legacy_id = raw.get("legacy_id") if isinstance(raw, dict) else None
        try:
            logbook = LegacyLogbook.model_validate(raw)
        except ValidationError as error:
            return LineResult(
                number,
                legacy_id if isinstance(legacy_id, str) else None,
                "failed",
                errors=[LineError(number, _path(e["loc"]), e["msg"]) for e in error.errors()],
            )
        result = LineResult(number, logbook.legacy_id, "failed")
        duplicate = self._plan.duplicates.get(number)
        if duplicate:
            result.errors = list(duplicate)
            return result
        receipt = receipt_id(f"{IMPORT_COMMAND}:{logbook.legacy_id}")
        previous = self.app.find(CommandReceipt, receipt) if receipt in self._exists else None
        if previous is not None:
            if previous.payload_sha256 == digest:
                result.status = "skipped"
            else:
                result.status = "conflict"
                result.errors = [
                    LineError(
                        number,
                        "(line)",
                        "this doctor was imported before from different "
                        "content; not imported again (resolve by hand)",
                    )
                ]
            return result
        batch.created_by_line = []
        try:
            aggregates, events = self._build(number, logbook, digest, batch)
        except LineRejected as rejected:
            for auth in batch.created_by_line:  # never saved: not for later lines to share
                batch.new_people.pop(auth, None)
            result.errors = rejected.errors
            return result
        result.events = events
        result.status = "would-import" if self.dry_run else "imported"
        batch.lines.append((result, aggregates))
        return result

    # -- building a doctor's aggregates ------------------------------------------------------------

    def _meta(
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

    def _specialty(self, code: str) -> Specialty | None:
        if code not in self._specialties:
            self._specialties[code] = self.app.find(Specialty, specialty_id(code))
        return self._specialties[code]

    def _department(self, code: str) -> Department | None:
        if code not in self._departments:
            self._departments[code] = self.app.find(Department, department_id(code))
        return self._departments[code]

    def _curriculum(self, curriculum: UUID) -> CurriculumVersion | None:
        if curriculum not in self._curricula:
            self._curricula[curriculum] = self.app.find(CurriculumVersion, curriculum)
        return self._curricula[curriculum]

    def _register(
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
            meta=self._meta(number, since),
        )

    def _person(
        self,
        number: int,
        person: Person,
        batch: _Batch,
        touched: dict[UUID, LogbogAggregate],
        path: str,
    ) -> UUID:
        """A signer by authorisation id: known, new in this batch, or registered now."""
        known = self._signers.get(person.authorisation_id)
        if known is not None and (known in touched or known in self._known_people):
            return known
        with _at(number, path):
            auth = check_authorisation_id(person.authorisation_id)
        pid = self._signers[person.authorisation_id] = doctor_id(auth)
        if pid in touched or pid in self._known_people:
            return pid
        if auth in batch.new_people:
            touched[pid] = batch.new_people[auth]
            return pid
        if self.app.find(Doctor, pid) is not None:
            self._known_people.add(pid)
            return pid
        with _at(number, path):
            doctor = self._register(auth, person, number)
        batch.new_people[auth] = doctor
        batch.created_by_line.append(auth)
        touched[pid] = doctor
        return pid

    def _build(
        self, number: int, logbook: LegacyLogbook, digest: str, batch: _Batch
    ) -> tuple[list[LogbogAggregate], int]:
        """The line's aggregates (with its receipt) and the number of events it adds."""
        touched: dict[UUID, LogbogAggregate] = {}
        before = {a.id: len(a.pending_events) for a in batch.new_people.values()}
        person = logbook.doctor
        with _at(number, "doctor.authorisation_id"):
            auth = check_authorisation_id(person.authorisation_id)
        pid = doctor_id(auth)
        if auth in batch.new_people:
            raise _SaveFirst
        doctor = self.app.find(Doctor, pid) if pid in self._exists else self._staged.get(pid)
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
                email=person.email, cpr=person.cpr, meta=self._meta(number)
            )
        if doctor is None:
            first = min((p.hiring_date for p in logbook.programmes), default=None)
            with _at(number, "doctor"):
                doctor = self._register(auth, person, number, first)
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

    def _claim_cpr(self, number: int, doctor: Doctor, batch: _Batch) -> CprClaim | None:
        """One CPR number, one doctor, as a registration has it (`application.cpr`): the line
        fails when another doctor holds the number, in the store or an earlier line of the
        batch."""
        try:
            return claim_cpr(self.app, doctor, self._meta(number), batch.claims)
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
        batch: _Batch,
        touched: dict[UUID, LogbogAggregate],
    ) -> None:
        specialty = self._specialty(legacy.specialty_code)
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
        curriculum = self._curriculum(ref.curriculum_id)
        assert curriculum is not None
        pid = _programme_id(legacy.legacy_id)
        if pid in self._exists:
            raise LineRejected([LineError(number, f"{where}.legacy_id", _USED_BEFORE)])
        started = self._meta(number, legacy.hiring_date)
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
                    meta=self._meta(number, course.completed_on),
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
                    meta=self._meta(number, paper.attested_on),
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
                        meta=self._meta(number, verified.verified_on, actor=verifier),
                    )
        for k, sent in enumerate(legacy.submissions):
            if _submission_id(sent.legacy_id) in self._exists:
                at = f"{where}.submissions[{k}].legacy_id"
                raise LineRejected([LineError(number, at, _USED_BEFORE)])
            meta = self._meta(number, sent.submitted_on, Capacity.TRAINEE)
            submission = Submission.submit(
                new_id=_submission_id(sent.legacy_id),
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
                chain_head=self._chain_head(),
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
        batch: _Batch,
        touched: dict[UUID, LogbogAggregate],
    ) -> None:
        for j, emp in enumerate(legacy.employments):
            at = f"{where}.employments[{j}]"
            department = self._department(emp.department_code)
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
            meta = self._meta(number, emp.start)
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
                        meta=self._meta(number, change.from_date),
                    )
            if emp.extended_to is not None:
                new_end = emp.extended_to
                with _at(number, f"{at}.extended_to"):
                    doctor.extend_employment(
                        programme,
                        employment_id=eid,
                        new_end=new_end,
                        reason="Forlænget i den tidligere logbog",
                        meta=self._meta(number, new_end),
                    )
            for k, absence in enumerate(emp.absences):
                with _at(number, f"{at}.absences[{k}]"):
                    programme.record_absence(
                        absence_id=stable_id("absence", f"legacy:{emp.legacy_id}:{k}"),
                        employment_id=eid,
                        kind=absence.kind,
                        first_day=absence.first_day,
                        last_day=absence.last_day,
                        meta=self._meta(number, absence.first_day),
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
                    meta=self._meta(
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
        batch: _Batch,
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
                    meta=self._meta(number, approval.assessed_on, capacity, approver),
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
                meta = self._meta(number, withdrawal.withdrawn_on, actor=withdrawer)
                with _at(number, f"{at}.withdrawn"):
                    programme.withdraw(approval_id=approval_id, reason=withdrawal.reason, meta=meta)


@contextmanager
def _at(number: int, path: str) -> Iterator[None]:
    """Turn a domain refusal into a line error at `path`."""
    try:
        yield
    except LogbogError as error:
        raise LineRejected([LineError(number, path, error.message)]) from error
