"""What every edge of the service (the HTTP API, the web pages) does around the application.

- `run_command`: run a command once as an actor, count it in the metrics and wake the
  in-process projection runner, so that a page or a `?after=` query soon sees its effect;
- `wait_for_read_model`: read your writes, waiting (bounded) for the read models to reach a
  position, or `ReadModelBehind` when they do not in time;
- a submission's signed checkpoint, written out of the database when it is accepted, and
  `submission_document`, the submission as both edges show and print it;
- `ResponseHeaders`: headers every answer of an edge carries (no-store, nosniff, the pages' CSP);
- `FreshPerRequest`: the loads of one request share one read of the log's tail.

Both edges are clients of the application exactly alike: they parse and authenticate, then
hand the command model to the application here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from logbog_es import metrics
from logbog_es.application.app import CommandResult, fresh_as_of_now
from logbog_es.application.queries import SubmissionView, submission_body
from logbog_es.bootstrap import Container
from logbog_es.commands import Command
from logbog_es.domain.errors import InvalidInput, LogbogError
from logbog_es.domain.policy import Actor
from logbog_es.domain.submission import Submission


class ReadModelBehind(Exception):
    """The read models did not reach the position asked for within the wait."""

    def __init__(self, position: int, retry_after: int = 1) -> None:
        super().__init__(f"the read model has not yet reached position {position}")
        self.position = position
        self.retry_after = retry_after


def run_command(
    container: Container,
    command: Command,
    actor: Actor,
    *,
    command_id: str | None,
    expected_version: int | None = None,
) -> CommandResult:
    """Execute `command` as `actor` (idempotent under `command_id`), with metrics."""
    started = time.perf_counter()
    outcome = "failed"
    try:
        result = container.app.execute(
            command, actor, command_id=command_id, expected_version=expected_version
        )
        outcome = "replayed" if result.replayed else "accepted"
    except LogbogError as error:
        outcome = f"refused_{error.status}"
        raise
    finally:
        metrics.COMMANDS.labels(command.NAME, outcome).inc()
        metrics.COMMAND_SECONDS.labels(command.NAME).observe(time.perf_counter() - started)
    container.runner.wake()
    if command.NAME == "submit-documentation" and not result.replayed:
        _checkpoint_submission(container, result)
    return result


def _checkpoint_submission(container: Container, result: CommandResult) -> None:
    """Every submission gets a signed checkpoint of the chain head it recorded, written out of
    the database at once (before anyone could rewrite the past it vouches for)."""
    submission_id = next(e.stream_id for e in result.events if e.type == Submission.Submitted.TOPIC)
    submission = container.app.find(Submission, submission_id)
    assert submission is not None
    anchor = submission.chain_head
    container.checkpoints.sign(anchor["position"], anchor["sha256"], str(submission_id))


def submission_document(container: Container, view: SubmissionView) -> dict[str, Any]:
    """A submission as the API and the web show and print it: the package, whether it is
    reproducible, and its signed checkpoint (from outside the database)."""
    body = submission_body(view)
    found = container.checkpoints.for_submission(str(view.submission.id))
    body["checkpoint"] = asdict(found) if found else None
    return body


def wait_for_read_model(container: Container, after: int | None, names: list[str]) -> None:
    """Read your writes: wait (bounded) until the read models `names` have reached `after`.

    A position beyond the log's end is invalid input (the log's end is asked for only when the
    tail this process read has not reached `after`); not reaching it in time is
    `ReadModelBehind` (the API answers 503 with Retry-After)."""
    if after is None or after <= 0:
        return
    seen = container.app.tail.seen
    head = after if seen is not None and seen >= after else container.app.position()
    if after > head:
        raise InvalidInput("read.after_beyond_head", field="after", after=after, head=head)
    timeout = container.settings.read_wait_seconds
    if not container.runner.wait_for(after, timeout, names):
        raise ReadModelBehind(after, retry_after=1)


class FreshPerRequest:
    """ASGI middleware: every load a request makes sees at least what was committed before
    the request began, and they share one read of the log's tail (`Logbog.consistent`; on the
    event loop, so it reaches the worker threads that serve the request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with fresh_as_of_now():
            await self.app(scope, receive, send)


class ResponseHeaders:
    """ASGI middleware that adds headers to every response (where not set already): `choose`
    names them for a request's path. Plain ASGI, so it costs a request nearly nothing."""

    def __init__(self, app: ASGIApp, choose: Callable[[str], dict[str, str]]) -> None:
        self.app = app
        self.choose = choose

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = self.choose(scope["path"])

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
