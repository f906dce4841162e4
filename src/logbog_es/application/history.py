"""A doctor's full history, replayed from the event store (never from read models).

One chronological account across every stream that concerns the doctor: profile, programmes
(curriculum versions, employments, requests, approvals, withdrawals, courses, absences, time,
submissions), the submissions themselves, and the access others were given to them (UAO/tutor
appointments and supervisor grants at their departments).

Two ways to look back, never to be confused:
- `as_of` (a date or a position): the logbook as the system showed it then, counting only what
  had been *recorded* by that moment;
- `effective_on` (a date): what was in force on that day, counting entries recorded later with
  an earlier effective date (an approval entered last week for an assessment a month ago).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from logbog_es.application.app import COPENHAGEN, Logbog
from logbog_es.application.chain import check_anchor
from logbog_es.application.eventlog import stream_reader
from logbog_es.domain.access import DepartmentAccess, department_access_id
from logbog_es.domain.department import Department
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import InvalidInput, NotFound
from logbog_es.domain.import_source import ImportSource, import_source_id, source_of
from logbog_es.domain.messages import MESSAGES
from logbog_es.domain.programme import Programme
from logbog_es.domain.submission import Submission


@dataclass(slots=True)
class Entry:
    position: int
    recorded_at: datetime
    effective_on: date
    stream_id: UUID
    stream: str
    version: int
    type: str
    programme_id: UUID | None
    actor_id: str
    actor_name: str | None
    capacity: str
    text: str
    # Imported from the old logbook (not given in Logbog): the file's name and the first 12
    # hex of its SHA-256; None for what was recorded in Logbog.
    imported_from: str | None = None


@dataclass(frozen=True, slots=True)
class EmploymentView:
    """An employment in the logbook view: where and from when to when (ISO dates)."""

    department_id: str
    start: str
    end: str


@dataclass(frozen=True, slots=True)
class ApprovalView:
    """An approval that counts in the logbook view."""

    competency_code: str
    approver_id: str
    assessed_on: str


@dataclass
class ProgrammeView:
    programme_id: str
    specialty_code: str = ""
    stage: str = ""
    curriculum_id: str = ""
    curriculum_label: str = ""
    employments: dict[str, EmploymentView] = field(default_factory=dict)  # by employment id
    approvals: dict[str, ApprovalView] = field(default_factory=dict)  # by approval id
    courses: dict[str, str] = field(default_factory=dict)
    time_attestations: list[str] = field(default_factory=list)
    submissions: list[str] = field(default_factory=list)


@dataclass
class LogbookView:
    """The logbook's content: what counts, per programme."""

    trainee_access_from: str | None = None
    programmes: dict[str, ProgrammeView] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class History:
    doctor_id: UUID
    entries: tuple[Entry, ...]
    logbook: LogbookView
    head_position: int


def _recorded_on(event: Any) -> date:
    recorded: date = event.timestamp.astimezone(COPENHAGEN).date()
    return recorded


def effective(event: Any) -> date:
    """The day an event took effect: its effective date, else the day it was recorded."""
    on = getattr(event, "effective_on", None)
    return on if isinstance(on, date) else _recorded_on(event)


class _Context:
    """Names for the ids the history mentions, loaded once each."""

    def __init__(self, app: Logbog) -> None:
        self.app = app
        self.names: dict[str, str | None] = {}
        self.departments: dict[UUID, str] = {}
        self.sources: dict[str, str] = {}
        self.approvals: dict[UUID, str] = {}  # approval id -> competency code, from the events
        self.programmes: dict[UUID, Programme | None] = {}

    def competency(self, programme_id: UUID, approval_id: UUID) -> str | None:
        """The competency an approval was for (a withdrawal names only the approval): from the
        approvals among the history's own events, else (an approval outside the view) from
        the programme, read once per programme, not once per withdrawal."""
        if approval_id in self.approvals:
            return self.approvals[approval_id]
        if programme_id not in self.programmes:
            self.programmes[programme_id] = self.app.find(Programme, programme_id, shared=True)
        programme = self.programmes[programme_id]
        approval = programme.approval_map.get(approval_id) if programme else None
        return approval.competency_code if approval else None

    def source(self, command_id: str) -> str | None:
        """`<file name> (<sha256 prefix>)` for an imported event; None otherwise."""
        found = source_of(command_id)
        if found is None:
            return None
        if found not in self.sources:
            record = self.app.find(ImportSource, import_source_id(found), shared=True)
            self.sources[found] = f"{record.file_name} ({found})" if record else found
        return self.sources[found]

    def name(self, subject: str | UUID | None) -> str | None:
        if subject is None:
            return None
        key = str(subject)
        if key not in self.names:
            try:
                doctor = self.app.find(Doctor, UUID(key))
            except ValueError:
                doctor = None
            self.names[key] = doctor.name if doctor else None
        return self.names[key]

    def department(self, department_id: UUID) -> str:
        if department_id not in self.departments:
            found = self.app.find(Department, department_id)
            self.departments[department_id] = found.name if found else str(department_id)
        return self.departments[department_id]


_DOCTOR_FIELDS = ("supervisor", "doctor", "approver")


#: Shows a value of an event in a reader's words: (name of the value, the value) -> text.
Present = Callable[[str, Any], Any]


def _as_stored(_name: str, value: Any) -> Any:
    return value


def _words(
    event: Any,
    ctx: _Context,
    department: UUID | None,
    messages: Mapping[str, str],
    present: Present = _as_stored,
) -> str:
    """The event in words, from the message templates of the reader's language; `present`
    shows codes and dates as the reader writes them (the API keeps them as stored)."""

    def say(code: str, **params: Any) -> str:
        return messages.get(code, MESSAGES[code]).format(**params)

    topic = getattr(type(event), "TOPIC", type(event).__name__)
    template = messages.get(f"history.{topic}")
    if template is None:
        return say("history.unknown", type=topic)
    fields = event.__dict__
    params: dict[str, Any] = dict(fields)
    params["code"] = (
        fields.get("competency_code") or fields.get("course_code") or fields.get("code")
    )
    if topic == Programme.ApprovalWithdrawn.TOPIC:
        params["code"] = ctx.competency(event.originator_id, fields["approval_id"])
    if topic == Submission.Submitted.TOPIC and fields["package"].get("format") == "legacy":
        package = fields["package"]
        return say(
            "history.imported_submission",
            kind=fields.get("kind"),
            legacy_id=package.get("legacy_id"),
            legacy_sha256=package.get("legacy_sha256") or say("history.not_known"),
        )
    if "{subject}" in template:
        params["subject"] = ctx.name(event.originator_id) or say("history.the_doctor")
    if "{specialty}" in template:
        params["specialty"] = fields.get("specialty_code")
    if "{department}" in template:
        department_id = fields.get("department_id") or department
        params["department"] = ctx.department(department_id) if department_id else ""
    for key in _DOCTOR_FIELDS:
        if "{" + key + "}" in template:
            ref = fields.get(f"{key}_id")
            params[key] = ctx.name(ref) or (str(ref) if ref else "")
    if "{delegation}" in template:
        delegated = fields.get("delegated_by")
        params["delegation"] = (
            say("history.delegation", name=ctx.name(delegated)) if delegated else ""
        )
    if "numerator" in fields:
        params["percent"] = round(100 * fields["numerator"] / fields["denominator"], 2)
    if topic == "logbog:DepartmentAccess.SupervisorAccessGranted":
        params["main"] = (
            say("history.as_main_supervisor") if fields.get("main_supervisor_for") else ""
        )
        params["delegated"] = say("history.with_approval_right") if fields.get("delegated") else ""
    try:
        shown = {
            k: ", ".join(str(present(k, x)) for x in v) if isinstance(v, list) else present(k, v)
            for k, v in params.items()
        }
        return template.format_map(shown)
    except (KeyError, IndexError):
        return say("history.unknown", type=topic)


def streams_of(app: Logbog, doctor: Doctor) -> tuple[list[UUID], dict[UUID, UUID]]:
    """Every stream concerning the doctor, and department-access streams' departments."""
    base, departments = _base_streams(doctor)
    programme_events = stream_reader(app.recorder)([r.programme_id for r in doctor.programmes])
    submissions = [
        _submission_of(app, stored)
        for _, stored in programme_events
        if stored.topic == Programme.DocumentationSubmitted.TOPIC
    ]
    return base + submissions, departments


def broken_anchors(app: Logbog, streams: set[str]) -> list[Submission]:
    """The submissions among `streams` whose recorded chain head no longer matches the chain:
    history before them was rewritten, even if the chain itself was recomputed to hide it."""
    broken = []
    for stream in sorted(streams):
        submission = app.find(Submission, UUID(stream))
        if submission is None:
            continue
        anchor = submission.chain_head
        if not check_anchor(app.recorder, anchor["position"], anchor["sha256"]):
            broken.append(submission)
    return broken


def _submission_of(app: Logbog, stored: Any) -> UUID:
    event: Any = app.mapper.to_domain_event(stored)
    submission: UUID = event.submission_id
    return submission


def _base_streams(doctor: Doctor) -> tuple[list[UUID], dict[UUID, UUID]]:
    departments = {
        department_access_id(b.department_id): b.department_id for b in doctor.employments
    }
    streams = [doctor.id, *(r.programme_id for r in doctor.programmes), *departments]
    return streams, departments


def base_streams(doctor: Doctor) -> list[UUID]:
    """The doctor's profile, programmes and department-access streams (no submissions)."""
    return _base_streams(doctor)[0]


def _concerns(event: Any, doctor_id: UUID, grants: set[UUID]) -> bool:
    """Of a department's access chain: appointments, and grants that covered this doctor."""
    if isinstance(event, DepartmentAccess.Opened):
        return False
    if isinstance(event, DepartmentAccess.SupervisorAccessGranted):
        covered = (
            event.trainee_ids is None
            or doctor_id in event.trainee_ids
            or event.main_supervisor_for == doctor_id
        )
        if covered:
            grants.add(event.grant_id)
        return covered
    if isinstance(event, DepartmentAccess.SupervisorAccessRevoked):
        return event.grant_id in grants
    return True


def history(
    app: Logbog,
    doctor_id: UUID,
    *,
    programme_id: UUID | None = None,
    period: tuple[date | None, date | None] = (None, None),
    as_of: date | None = None,
    as_of_position: int | None = None,
    effective_on: date | None = None,
    messages: Mapping[str, str] = MESSAGES,
    present: Present = _as_stored,
) -> History:
    """The doctor's history; `messages` are the templates of the reader's language."""
    if sum(v is not None for v in (as_of, as_of_position, effective_on)) > 1:
        raise InvalidInput("history.one_view", field="as_of")
    start, end = period
    if start is not None and end is not None and start > end:
        raise InvalidInput("history.period_reversed", field="from", start=start, end=end)
    doctor = app.load(Doctor, doctor_id, message="doctor.unknown", doctor_id=doctor_id)
    if programme_id is not None and all(r.programme_id != programme_id for r in doctor.programmes):
        raise NotFound("history.programme_not_doctors", programme_id=programme_id)
    streams, departments = _base_streams(doctor)
    read = stream_reader(app.recorder)
    decode = app.decoded_events.decode
    decoded = [(position, decode(position, stored)) for position, stored in read(streams)]
    submissions = [
        e.submission_id for _, e in decoded if isinstance(e, Programme.DocumentationSubmitted)
    ]
    if submissions:
        decoded += [(p, decode(p, s)) for p, s in read(submissions)]
        decoded.sort(key=lambda pair: pair[0])
    ctx = _Context(app)
    ctx.approvals = {
        e.approval_id: e.competency_code
        for _, e in decoded
        if isinstance(e, Programme.CompetencyApproved)
    }
    grants: set[UUID] = set()
    selected: list[tuple[int, Any]] = []
    for position, event in decoded:
        if isinstance(event, DepartmentAccess.Event) and not _concerns(event, doctor_id, grants):
            continue
        if as_of_position is not None and position > as_of_position:
            continue
        if as_of is not None and _recorded_on(event) > as_of:
            continue
        if effective_on is not None and effective(event) > effective_on:
            continue
        selected.append((position, event))
    logbook = build_logbook(event for _, event in selected)
    entries = []
    for position, event in selected:
        stream_id = event.originator_id
        prog = _programme_of(event, stream_id)
        if programme_id is not None and prog != programme_id:
            continue
        day = effective(event)
        if (start and day < start) or (end and day > end):
            continue
        entries.append(
            Entry(
                position=position,
                recorded_at=event.timestamp,
                effective_on=day,
                stream_id=stream_id,
                stream=_stream_kind(event),
                version=event.originator_version,
                type=getattr(type(event), "TOPIC", type(event).__name__),
                programme_id=prog,
                actor_id=event.actor_id,
                actor_name=ctx.name(event.actor_id),
                capacity=event.actor_capacity,
                text=_words(event, ctx, departments.get(stream_id), messages, present),
                imported_from=ctx.source(event.command_id),
            )
        )
    return History(doctor_id, tuple(entries), logbook, decoded[-1][0] if decoded else 0)


def _stream_kind(event: Any) -> str:
    topic = getattr(type(event), "TOPIC", "")
    return {
        "Doctor": "doctor",
        "Programme": "programme",
        "Submission": "submission",
        "DepartmentAccess": "department access",
    }.get(topic.split(":")[-1].split(".")[0], "other")


def _programme_of(event: Any, stream_id: UUID) -> UUID | None:
    if isinstance(event, Programme.Event):
        return stream_id
    if isinstance(event, Submission.Submitted):
        programme: UUID = event.programme_id
        return programme
    if isinstance(event, Doctor.ProgrammeEnrolled | Doctor.EmploymentBooked):
        found: UUID = event.programme_id
        return found
    return None


def build_logbook(events: Any) -> LogbookView:
    """The logbook's content from a sequence of events (any subset, in position order)."""
    view = LogbookView()
    for event in events:
        pid = str(event.originator_id)
        if isinstance(event, Doctor.TraineeAccessGranted):
            view.trainee_access_from = event.access_from.isoformat()
            continue
        if not isinstance(event, Programme.Event):
            continue
        if isinstance(event, Programme.Started):
            view.programmes[pid] = ProgrammeView(pid, event.specialty_code, event.stage)
            continue
        programme = view.programmes.get(pid)
        if programme is None:  # not started by this view's cut-off
            continue
        _apply_to_view(programme, event)
    return view


def _apply_to_view(programme: ProgrammeView, event: Any) -> None:
    if isinstance(event, Programme.CurriculumVersionPinned):
        programme.curriculum_id, programme.curriculum_label = str(event.curriculum_id), event.label
    elif isinstance(event, Programme.CurriculumVersionChanged):
        programme.curriculum_id = str(event.to_curriculum_id)
        programme.curriculum_label = event.label
    elif isinstance(event, Programme.EmploymentAdded):
        programme.employments[str(event.employment_id)] = EmploymentView(
            str(event.department_id), event.start.isoformat(), event.end.isoformat()
        )
    elif isinstance(event, Programme.EmploymentExtended):
        key = str(event.employment_id)
        if key in programme.employments:
            found = programme.employments[key]
            programme.employments[key] = replace(found, end=event.new_end.isoformat())
    elif isinstance(event, Programme.CompetencyApproved):
        programme.approvals[str(event.approval_id)] = ApprovalView(
            event.competency_code, str(event.approver_id), event.assessed_on.isoformat()
        )
    elif isinstance(event, Programme.ApprovalWithdrawn):
        programme.approvals.pop(str(event.approval_id), None)
    elif isinstance(event, Programme.CourseCompleted):
        programme.courses[event.course_code] = event.completed_on.isoformat()
    elif isinstance(event, Programme.EmploymentTimeAttested):
        programme.time_attestations.append(str(event.employment_id))
    elif isinstance(event, Programme.DocumentationSubmitted):
        programme.submissions.append(str(event.submission_id))


def logbook_from_aggregates(doctor: Doctor | None, programmes: list[Programme]) -> LogbookView:
    """The same view, from aggregates replayed by the library (for cross-checking)."""
    view = LogbookView(
        trainee_access_from=doctor.access_from.isoformat()
        if doctor is not None and doctor.access_from
        else None
    )
    for p in programmes:
        pv = ProgrammeView(str(p.id), p.specialty_code, p.stage.value)
        pv.curriculum_id = str(getattr(p, "curriculum_id", "") or "")
        pv.curriculum_label = getattr(p, "curriculum_label", "") or ""
        pv.employments = {
            str(e.employment_id): EmploymentView(
                str(e.department_id), e.start.isoformat(), e.end.isoformat()
            )
            for e in p.employments
        }
        pv.approvals = {
            str(a.approval_id): ApprovalView(
                a.competency_code, str(a.approver_id), a.assessed_on.isoformat()
            )
            for a in p.approvals
            if not a.withdrawn
        }
        pv.courses = {code: c.completed_on.isoformat() for code, c in p.courses.items()}
        pv.time_attestations = [str(k) for k in p.time_attestations]
        pv.submissions = [str(s) for s in p.submissions]
        view.programmes[str(p.id)] = pv
    return view
