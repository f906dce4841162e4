"""Import legacy logbooks as events: each doctor atomically, idempotently, with exact errors.

For every line: parse and validate it (JSON, the format, references, the rules of the domain as
the aggregates enforce them); build the doctor's aggregates in memory with the original dates as
effective dates; then save them with an import receipt in one transaction, several doctors per
batch. The receipt's id derives from the old system's doctor id and holds the hash of the line,
so a second run skips what it imported and reports a changed line as a conflict.
Every imported event's command id names its source: `import:<file sha256 prefix>:<line>`.

Reading and planning the file is `reading.py`; building a line's aggregates `building.py`;
the report `report.py`; this module writes (reference data, signers, batches) and decides
what goes where.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import date
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from eventsourcing.postgres import PostgresApplicationRecorder
from pydantic import ValidationError

from logbog_es.application.app import Logbog
from logbog_es.application.chain import head
from logbog_es.application.eventlog import existing_streams
from logbog_es.domain.base import Meta
from logbog_es.domain.doctor import check_authorisation_id, doctor_id
from logbog_es.domain.errors import LogbogError
from logbog_es.domain.import_source import ImportSource, import_source_id
from logbog_es.domain.receipt import CommandReceipt, receipt_id
from logbog_es.domain.values import Capacity
from logbog_es.migration.building import (
    IMPORT_COMMAND,
    Batch,
    Builder,
    SaveFirst,
    programme_stream,
    submission_stream,
)
from logbog_es.migration.legacy import (
    LegacyDoctor,
    LegacyLogbook,
    Person,
    Reference,
)
from logbog_es.migration.reading import Plan, field_path
from logbog_es.migration.report import LineError, LineRejected, LineResult, Report


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
        self._head: tuple[int, str] | None = None  # the chain head before the current batch
        self.builder = Builder(
            app, source=self.source, today=self.today, chain_head=self._chain_head
        )

    # -- reference data ------------------------------------------------------------------------

    def load_reference(self, reference: Reference) -> list[str]:
        """Register what the reference file names and the store lacks, in one transaction;
        returns what it did. A dry run keeps the new reference data in memory only, so the
        lines are validated against it."""
        built, done = self.builder.reference(reference)
        if built and not self.dry_run:
            self.app.save(*built)
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
        return set(self.builder.known_people)

    def adopt_known_people(self, people: set[UUID]) -> None:
        """People known to be in the store (a worker process learns them from the planner)."""
        self.builder.known_people |= people

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
        self.builder.known_people |= existing
        new: list[tuple[str, LegacyDoctor | Person, int, date | None]] = []
        for pid, (auth, number, person) in wanted.items():
            if pid in existing:
                continue
            line, who = plan.doctors.get(auth) or (number, person)
            try:
                self.builder.register(auth, who, line)
            except LogbogError:
                continue  # the doctor's own line reports what is wrong
            new.append((auth, who, line, plan.first_hired.get(auth)))
        registered = 0
        for start in range(0, len(new), 1000):
            people = [self.builder.register(*n) for n in new[start : start + 1000]]
            if self.dry_run:
                for doctor in people:
                    doctor.collect_events()  # as if saved
                    self.builder.staged[doctor.id] = doctor
                registered += len(people)
                continue
            try:
                self.app.save(*people)
                registered += len(people)
            except IntegrityError:  # someone registered one of them meanwhile: one by one
                for one in new[start : start + 1000]:
                    try:
                        self.app.save(self.builder.register(*one))
                        registered += 1
                    except IntegrityError:
                        pass  # registered meanwhile: known all the same
        self.builder.known_people |= {doctor_id(auth) for auth, *_ in new}
        return registered

    def _refers_to_known(self, number: int) -> bool:
        """Whether every curriculum version and department the line names is known."""
        curricula, departments = self._plan.references.get(number, (set(), set()))
        for code, stage, label in curricula:
            specialty = self.builder.specialty(code)
            if specialty is None or not any(
                v.stage is stage and v.label == label for v in specialty.curricula
            ):
                return False
        return all(self.builder.department(code) is not None for code in departments)

    def deferred(self, number: int) -> bool:
        """Whether the line names a signer nobody registered in advance (so the line registers
        them itself, and must not run beside another line that could do the same)."""
        for raw in self._plan.signers_of_line.get(number, ()):
            pid = self.builder.signers.get(raw)
            if pid is None:
                try:
                    pid = self.builder.signers[raw] = doctor_id(check_authorisation_id(raw))
                except LogbogError:
                    continue  # the line fails on it
            if pid not in self.builder.known_people:
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
        batch = Batch()
        for number, text in chunk:
            try:
                result = self._line(number, text, batch)
            except SaveFirst:
                # The line's doctor was registered as a signer by an earlier line of this batch:
                # save those lines first, so this line builds on the stored doctor and a refusal
                # of this line cannot leave its changes on a doctor another line saves.
                self._flush(batch, progress)
                batch = Batch()
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
                    ids.append(programme_stream(programme["legacy_id"]))
                    sent = programme.get("submissions", [])
                    ids += [submission_stream(one["legacy_id"]) for one in sent]
            except (KeyError, TypeError, AttributeError):
                continue
        self.builder.exists = existing_streams(self.app.recorder, ids) if ids else set()

    def _flush(self, batch: Batch, progress: Callable[[LineResult], None] | None) -> None:
        if not batch.lines:
            return
        if self.dry_run:  # as if saved: later batches find these people registered
            for person in batch.new_people.values():
                person.collect_events()
                self.builder.staged[person.id] = person
            self.builder.known_people.update(d.id for d in batch.new_people.values())
        else:
            try:
                self.app.save(*batch.aggregates())
            except IntegrityError:
                self._mark_conflicts(batch)
            else:
                saved = {d.id for d in batch.new_people.values()}
                self.builder.known_people |= saved
                self.builder.exists |= saved
        for result, _ in batch.lines:
            if progress:
                progress(result)

    def _mark_conflicts(self, batch: Batch) -> None:
        """A batch collided with a concurrent writer and nothing of it was saved: every line is
        reported as a conflict, to be imported by running the file again."""
        for result, _ in batch.lines:
            result.status = "conflict"
            result.events = 0
            result.errors.append(
                LineError(result.line, "(line)", "changed concurrently while importing; run again")
            )

    def _line(self, number: int, text: str, batch: Batch) -> LineResult:
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
                errors=[LineError(number, field_path(e["loc"]), e["msg"]) for e in error.errors()],
            )
        result = LineResult(number, logbook.legacy_id, "failed")
        duplicate = self._plan.duplicates.get(number)
        if duplicate:
            result.errors = list(duplicate)
            return result
        receipt = receipt_id(f"{IMPORT_COMMAND}:{logbook.legacy_id}")
        previous = (
            self.app.find(CommandReceipt, receipt) if receipt in self.builder.exists else None
        )
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
            aggregates, events = self.builder.build(number, logbook, digest, batch)
        except LineRejected as rejected:
            for auth in batch.created_by_line:  # never saved: not for later lines to share
                batch.new_people.pop(auth, None)
            result.errors = rejected.errors
            return result
        result.events = events
        result.status = "would-import" if self.dry_run else "imported"
        batch.lines.append((result, aggregates))
        return result
