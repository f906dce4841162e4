"""The Logbog application: load, decide, save, once per command, with a receipt.

`execute()` is the only way a command changes the store. For each command it:
1. runs the command's handler, which loads aggregates, asks the policy and the aggregates to
   decide, and returns the aggregates with new events;
2. checks the client's If-Match version of the command's target stream (StaleVersion, 412);
3. saves the aggregates and a CommandReceipt (its id from the command id) in one transaction.
   A concurrent writer makes the save fail on a stale version: the handler runs again on fresh
   state, a bounded number of times (ConcurrencyConflict, 409, when they are used up);
4. when the command id was seen before, the first run's receipt is found when this run is
   refused (by the state the first run left) or its save collides with that receipt: then it
   returns the first result (same command and payload), or refuses a reused id with another
   payload (IdempotencyKeyReused). Nothing of the second run is saved.
A refused command raises before anything is saved, so it writes nothing. Loads within an
attempt share one read of the log's tail (`consistent`, `application.freshness`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from copy import deepcopy
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import structlog
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import IntegrityError, JSONTranscoder

from logbog_es.application.cipher import CURRENT_KEY, PREVIOUS_KEYS
from logbog_es.application.eventlog import DecodedEvents
from logbog_es.application.freshness import Tail
from logbog_es.application.handling import Context, Decided, Handler
from logbog_es.application.positions import position_lookup, tail_lookup
from logbog_es.application.transcodings import DateAsISO
from logbog_es.commands import Command
from logbog_es.domain.base import LogbogAggregate, Meta, mark_shared
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    InvalidInput,
    LogbogError,
    NotFound,
    StaleVersion,
)
from logbog_es.domain.policy import Actor
from logbog_es.domain.receipt import (
    CommandReceipt,
    RecordedEvent,
    receipt_id,
    scoped_command_id,
)
from logbog_es.domain.staff import StaffMember, staff_member_id
from logbog_es.domain.values import Capacity

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
DEVELOPMENT_INDEX_KEY = "logbog-development-cpr-index"
MAX_ATTEMPTS = 5
RETRY_PAUSE_SECONDS = 0.002

A = TypeVar("A", bound=LogbogAggregate)
log = structlog.get_logger("logbog.command")


def copenhagen_today() -> date:
    """Dates are calendar dates in Europe/Copenhagen (ARCHITECTURE.md)."""
    return datetime.now(COPENHAGEN).date()


@dataclass(frozen=True, slots=True)
class EventRef:
    type: str
    stream_id: UUID
    version: int
    position: int


@dataclass(frozen=True, slots=True)
class CommandResult:
    command_id: str
    command: str
    events: tuple[EventRef, ...]
    position: int
    replayed: bool


__all__ = ["CommandResult", "Context", "Decided", "EventRef", "Handler", "Logbog"]


#: The moment every load must be at least as fresh as (`Logbog.consistent`); None: each load
#: is fresh as of itself.
NOT_BEFORE: ContextVar[float | None] = ContextVar("logbog_not_before", default=None)


@contextmanager
def fresh_as_of_now() -> Iterator[None]:
    """Loads within see every event committed before now (and share one read of the log)."""
    token = NOT_BEFORE.set(time.monotonic())
    try:
        yield
    finally:
        NOT_BEFORE.reset(token)


def _project(aggregate: Any, events: Iterable[Any]) -> Any:
    """The library's projector without its per-event check against a runtime protocol (an
    isinstance against a Protocol class cost a few per cent of a command)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def payload_sha256(command: Command, actor: Actor) -> str:
    payload = command.model_dump(mode="json", exclude={"command_id"})
    canonical = json.dumps(
        {"command": command.NAME, "actor": actor.subject, "payload": payload},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class Logbog(Application[UUID]):
    """The event-sourced logbook."""

    name = "logbog"
    snapshot_class = Snapshot

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        today: Callable[[], date] = copenhagen_today,
        evaluation_window_days: int = 90,
        handlers: Mapping[type[Command], Handler],
    ) -> None:
        """`handlers`: the command -> handler table, from the composition root
        (`application.handlers.HANDLERS`)."""
        super().__init__(env)
        self.today = today
        self.evaluation_window_days = evaluation_window_days
        self._position_of = position_lookup(self.recorder)
        self.tail = Tail(tail_lookup(self.recorder), self.position)
        self.decoded_events = DecodedEvents(self.mapper)
        self._handlers: Mapping[type[Command], Handler] = handlers

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # -- loading ---------------------------------------------------------------------------

    def load(
        self,
        cls: type[A],
        aggregate_id: UUID,
        *,
        message: str,
        field: str | None = None,
        shared: bool = False,
        **params: Any,
    ) -> A:
        """Load an aggregate of type `cls`; unknown is 404, or 422 naming `field` when given.
        `shared`: for reading only (see `_get`)."""
        aggregate = self._get(aggregate_id, shared=shared)
        if not isinstance(aggregate, cls):
            if field is not None:
                raise InvalidInput(message, field=field, **params)
            raise NotFound(message, **params)
        return aggregate

    def find(self, cls: type[A], aggregate_id: UUID, *, shared: bool = False) -> A | None:
        aggregate = self._get(aggregate_id, shared=shared)
        return aggregate if isinstance(aggregate, cls) else None

    @contextmanager
    def consistent(self) -> Iterator[None]:
        """Loads in this block see at least every event committed before it began; they share
        one read of the log's tail (`application.freshness`). Outside a block each load is
        fresh on its own. Nested blocks keep the outer one's start. The start is a context
        variable, so a block opened on the event loop (a whole request, `fresh_as_of_now`)
        reaches the worker threads that serve the request."""
        if NOT_BEFORE.get() is not None:
            yield
            return
        with fresh_as_of_now():
            yield

    def _get(self, aggregate_id: UUID, *, shared: bool = False) -> object:
        """The aggregate, brought up to date. A command gets its own copy of the cached one (a
        refused command must not leave changes in the cache); `shared=True` hands out the
        cache's own instance, for reading only: copying a big aggregate cost about half of a
        command's time. Changing a shared one raises SharedAggregateChanged.

        Up to date without a query when the log's tail shows the cached version is the latest,
        or that the stream has no events (`application.freshness`); else the library loads
        it, fast-forwarding a cached one."""
        tail = self.tail
        tail.catch_up(NOT_BEFORE.get() or time.monotonic())
        latest = tail.latest(aggregate_id)
        if latest == 0:
            return None
        found: object = None
        cache = self.repository.cache
        if latest is not None and cache is not None:
            try:
                cached = cache.get(aggregate_id)
            except KeyError:
                cached = None
            if cached is not None and getattr(cached, "version", None) == latest:
                found = cached if shared else deepcopy(cached)
        if found is None:
            found = self._load(aggregate_id, shared=shared)
        if shared and isinstance(found, LogbogAggregate):
            mark_shared(found)
        return found

    def _load(self, aggregate_id: UUID, *, shared: bool) -> object:
        """Load from the store through the library's repository, and tell the tail what was
        found."""
        # The library types get() with an unbound type variable; mypy reads it as Never.
        repository: Any = self.repository
        token = self.tail.loading(aggregate_id)
        version: int | None = None
        try:
            found: object = repository.get(
                aggregate_id, deepcopy_from_cache=not shared, projector_func=_project
            )
            version = int(getattr(found, "version", 0))
        except AggregateNotFoundError:
            version = 0
            return None
        finally:
            self.tail.loaded(aggregate_id, version, token)
        return found

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """The library's save; the tail learns the versions this process wrote. When a version
        was taken by another writer, what the tail knew of these streams is old: it forgets
        them, so whoever decides again (any caller's retry) loads them from the store."""
        try:
            recordings = super().save(*objs, **kwargs)
        except IntegrityError:
            for obj in objs:
                stream = getattr(obj, "id", None) or getattr(obj, "originator_id", None)
                if isinstance(stream, UUID):
                    self.tail.forget_stream(stream)
            raise
        for recording in recordings:
            event = recording.domain_event
            self.tail.saved(event.originator_id, event.originator_version)
        return recordings

    def _keep_saved(self, aggregates: Iterable[LogbogAggregate]) -> None:
        """Put the aggregates a command saved into the cache (the library does not when it
        fast-forwards), so the next command finds them current without a query. A newer
        cached one stays."""
        cache = self.repository.cache
        if cache is None:
            return
        for aggregate in aggregates:
            try:
                cached = cache.get(aggregate.id)
            except KeyError:
                cached = None
            if cached is None or getattr(cached, "version", 0) < aggregate.version:
                cache.put(aggregate.id, aggregate)

    def cpr_indexes(self, cpr: str) -> list[str]:
        """The blind index of a CPR number under the current cipher key, then under each
        earlier one (claims made before a rotation are still found). Without a cipher key (in
        development) a fixed key stands in."""
        keys = [self.env.get(CURRENT_KEY) or "", *(self.env.get(PREVIOUS_KEYS) or "").split(",")]
        keys = [k.strip() for k in keys if k.strip()] or [DEVELOPMENT_INDEX_KEY]
        return [hmac.new(k.encode(), cpr.encode(), hashlib.sha256).hexdigest() for k in keys]

    def position(self) -> int:
        """The global position: the id of the last event in the log (0 when empty)."""
        return self.recorder.max_notification_id() or 0

    # -- who is acting -----------------------------------------------------------------------

    def resolve_actor(self, subject: str) -> Actor:
        """Who a token's subject is: the doctor it names (if any) and the staff roles it holds."""
        try:
            candidate: UUID | None = UUID(subject)
        except ValueError:
            candidate = None
        with self.consistent():
            doctor = self.find(Doctor, candidate, shared=True) if candidate is not None else None
            staff = self.find(StaffMember, staff_member_id(subject), shared=True)
        return Actor(
            subject=subject,
            doctor_id=doctor.id if doctor is not None else None,
            grants=staff.grants if staff is not None else frozenset(),
            trainee_access_from=doctor.access_from if doctor is not None else None,
        )

    # -- commands ----------------------------------------------------------------------------

    def execute(
        self,
        command: Command,
        actor: Actor,
        *,
        command_id: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Run `command` as `actor` once; see the module docstring."""
        started = time.perf_counter()
        key = command_id or command.command_id or str(uuid4())
        outcome = "accepted"
        try:
            result = self._execute(command, actor, key, expected_version)
            if result.replayed:
                outcome = "replayed"
            return replace(result, command_id=key)  # the client's key, as it sent it
        except LogbogError as error:
            outcome = f"refused:{error.code}"
            raise
        except Exception:
            outcome = "failed"
            raise
        finally:
            log.info(
                "command",
                command=command.NAME,
                command_id=key,
                actor=actor.subject,
                outcome=outcome,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )

    def check(self, command: Command, actor: Actor) -> None:
        """Decide `command` as `actor` today and record nothing: raises the refusal it would
        get now (a preview before a user confirms; the command itself is decided again)."""
        handler = self._handlers[type(command)]
        with self.consistent():
            handler(command, Context(self, actor, f"check/{uuid4()}", self.today()))

    def _execute(
        self, command: Command, actor: Actor, client_key: str, expected_version: int | None
    ) -> CommandResult:
        key = scoped_command_id(actor.subject, client_key)
        digest = payload_sha256(command, actor)
        handler = self._handlers[type(command)]
        # The receipt of an earlier run under this key is not looked up first (a query, and
        # nearly always there is none): a retry either is refused by the state its first run
        # left, or its save collides with the first run's receipt; both look it up then.
        for attempt in range(MAX_ATTEMPTS):
            # The first attempt may share an enclosing block's read of the log (the actor was
            # resolved in it); a retry after a conflict reads anew, to see the writer that won.
            with self.consistent() if attempt == 0 else fresh_as_of_now():
                context = Context(self, actor, key, self.today())
                try:
                    decided = handler(command, context)
                    self._check_expected_version(decided, expected_version)
                except LogbogError:
                    # A first run under this key (a double click, a retry after a lost
                    # answer) may have left the state that refuses this one: the retry gets
                    # the first result, not the refusal.
                    previous = self._receipt(key, command, digest)
                    if previous is not None:
                        return previous
                    raise
            pending = [e for agg in decided.aggregates for e in agg.pending_events]
            recorded = tuple(
                RecordedEvent(
                    getattr(type(e), "TOPIC", type(e).__name__),
                    e.originator_id,
                    e.originator_version,
                )
                for e in pending
            )
            assert pending, f"{command.NAME} decided to record nothing"
            capacity = Capacity(pending[0].actor_capacity)  # type: ignore[attr-defined]
            receipt = CommandReceipt.issue(
                command_name=command.NAME,
                payload_sha256=digest,
                events=recorded,
                meta=context.meta(capacity),
            )
            try:
                recordings = self.save(*decided.aggregates, receipt)
            except IntegrityError:
                # The key's receipt exists (a first run saved meanwhile), or a concurrent
                # writer won: decide again on fresh state.
                previous = self._receipt(key, command, digest)
                if previous is not None:
                    return previous
                # A short random pause, longer each time: commands that collided (often in
                # one group commit) do not collide again in lockstep.
                time.sleep(random.uniform(0, RETRY_PAUSE_SECONDS * (attempt + 1)))  # noqa: S311
                continue
            self._keep_saved(decided.aggregates)
            positions = {
                (r.notification.originator_id, r.notification.originator_version): r.notification.id
                for r in recordings
            }
            refs = tuple(
                EventRef(e.type, e.stream_id, e.version, positions[(e.stream_id, e.version)])
                for e in recorded
            )
            return CommandResult(
                command_id=key,
                command=command.NAME,
                events=refs,
                position=max(r.notification.id for r in recordings),
                replayed=False,
            )
        raise ConcurrencyConflict("command.concurrency", attempts=MAX_ATTEMPTS)

    def _receipt(self, key: str, command: Command, digest: str) -> CommandResult | None:
        with fresh_as_of_now():  # a twin may have saved a moment ago
            receipt = self.find(CommandReceipt, receipt_id(key))
        if receipt is None:
            return None
        if receipt.command_name != command.NAME or receipt.payload_sha256 != digest:
            raise IdempotencyKeyReused(  # the key is the caller's own (keys are per subject)
                "command.idempotency_reuse",
                command_id=key.split("/", 1)[-1],
                first=receipt.command_name,
            )
        refs = tuple(
            EventRef(e.type, e.stream_id, e.version, self._position_of(e.stream_id, e.version) or 0)
            for e in receipt.events
        )
        own = self._position_of(receipt.id, 1) or 0
        return CommandResult(
            command_id=key,
            command=command.NAME,
            events=refs,
            position=max([own, *(r.position for r in refs)]),
            replayed=True,
        )

    def record_read(self, doctor_id: UUID, actor: Actor, capacity: Capacity, what: str) -> None:
        """Reading another person's history is itself recorded (who, whose, when)."""
        from logbog_es.domain.readlog import ReadLog, read_log_id  # noqa: PLC0415

        for _attempt in range(MAX_ATTEMPTS):
            meta = Meta(actor.subject, capacity, f"read:{uuid4()}")
            log_ = self.find(ReadLog, read_log_id(doctor_id)) or ReadLog.open(doctor_id, meta)
            log_.record(what, meta)
            try:
                self.save(log_)
                return
            except IntegrityError:
                continue
        raise ConcurrencyConflict("command.concurrency", attempts=MAX_ATTEMPTS)

    @staticmethod
    def _check_expected_version(decided: Decided, expected: int | None) -> None:
        if expected is None or decided.target is None:
            return
        target = decided.target
        seen = target.version - len(target.pending_events)
        if seen != expected:
            raise StaleVersion(
                "command.stale_version",
                stream=f"{type(target).__name__} {target.id}",
                actual=seen,
                expected=expected,
            )
