"""`POST /commands/{name}`: one route per command, each with its own documented body.

`CommandPath` answers a well-formed command without FastAPI's routing, dependency and
response layers (about a third of a command's CPU in the API process, issue 16); anything it
does not take (a body or header that does not validate, another content type) goes on to the
route, so every refusal of input comes from one place, as documented in the OpenAPI schema."""

# No `from __future__ import annotations` here: FastAPI reads each endpoint's body type from
# the annotation built in the loop below.

import inspect
import json
import re
from typing import Annotated, Any, cast

from fastapi import APIRouter, FastAPI, Header, Request, Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from logbog_es.api.deps import ClaimsDep, ContainerDep
from logbog_es.api.limits import VERIFIED
from logbog_es.api.schemas import CommandAccepted, EventOut
from logbog_es.application import queries
from logbog_es.application.app import CommandResult
from logbog_es.bootstrap import Container
from logbog_es.commands import COMMANDS, Command
from logbog_es.commands.base import COMMAND_ID_PATTERN
from logbog_es.domain.errors import InvalidInput
from logbog_es.domain.policy import Actor
from logbog_es.edge import run_command

router = APIRouter(prefix="/commands", tags=["commands"])
_VERSION = re.compile(r'^(?:W/)?"?(\d+)"?$')
_KEY = re.compile(COMMAND_ID_PATTERN)


def parse_if_match(value: str | None) -> int | None:
    if value is None:
        return None
    match = _VERSION.match(value.strip())
    if not match:
        raise InvalidInput("command.if_match", field="If-Match", value=value)
    return int(match.group(1))


def _run(
    container: Container,
    subject: str,
    command: Command,
    command_id: str | None,
    expected_version: int | None,
) -> tuple[CommandResult, Actor]:
    """Who is acting, and their command: on one worker thread, as of one read of the log."""
    with container.app.consistent():
        actor = container.app.resolve_actor(subject)
        return run_command(
            container, command, actor, command_id=command_id, expected_version=expected_version
        ), actor


def accepted(result: CommandResult, actor: Actor) -> CommandAccepted:
    return CommandAccepted(
        command_id=result.command_id,
        command=result.command,
        events=[
            EventOut(type=e.type, stream_id=e.stream_id, version=e.version, position=e.position)
            for e in result.events
        ],
        position=result.position,
        replayed=result.replayed,
        created=queries.created_ids(result, actor),
    )


def _make_endpoint(model: type[Command]) -> Any:
    async def endpoint(
        body: model,  # type: ignore[valid-type]
        request: Request,
        claims: ClaimsDep,
        container: ContainerDep,
        response: Response,
        idempotency_key: Annotated[
            str | None,
            Header(
                alias="Idempotency-Key",
                description="A retried command records nothing new and returns the first result.",
            ),
        ] = None,
        if_match: Annotated[
            str | None,
            Header(
                alias="If-Match",
                description="The version of the command's target stream you saw; 412 if stale.",
            ),
        ] = None,
    ) -> CommandAccepted:
        if idempotency_key is not None and not _KEY.match(idempotency_key):
            raise InvalidInput("command.id_malformed", field="Idempotency-Key")
        expected_version = parse_if_match(if_match)
        command = cast(Command, body)
        request.state.actor = claims["sub"]
        # The one hop to a worker thread (the store is read and written with blocking I/O).
        result, actor = await run_in_threadpool(
            _run,
            container,
            claims["sub"],
            command,
            idempotency_key or command.command_id,
            expected_version,
        )
        if result.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return accepted(result, actor)

    endpoint.__name__ = model.NAME.replace("-", "_")
    return endpoint


for _name, _model in COMMANDS.items():
    router.add_api_route(
        f"/{_name}",
        _make_endpoint(_model),
        methods=["POST"],
        response_model=CommandAccepted,
        summary=_name,
        include_in_schema=not _model.OPERATOR_ONLY,
        description=(_model.__doc__ or "").strip(),
        responses={
            401: {"description": "No valid bearer token"},
            403: {"description": "Not allowed (the reason is in the problem's detail)"},
            404: {"description": "The command's target does not exist"},
            409: {"description": "Conflicts with the current state or a concurrent change"},
            412: {"description": "If-Match names a stale version"},
            422: {"description": "Invalid input (each field named)"},
        },
    )


class CommandPath:
    """Plain ASGI for `POST /commands/{name}` with a JSON body that validates, valid headers and
    a token `limits.RequestLimits` verified: the same command run, answer and errors as the
    route's (`_run`, `accepted`, the app's exception handlers), without FastAPI's routing,
    dependency solving and response validation. Anything else goes on to the app, the body
    handed on as read."""

    def __init__(self, app: ASGIApp, *, api: FastAPI, container: Container) -> None:
        self.app = app
        self.api = api
        self.container = container
        self._routes: dict[str, APIRoute] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" else ""
        model = COMMANDS.get(path.removeprefix("/commands/")) if path.startswith("/c") else None
        verified = scope.get("state", {}).get(VERIFIED)
        if model is None or scope["method"] != "POST" or verified is None:
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":  # gone, or past the size limit (413 sent)
                return
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        taken = self._take(scope, model, body)
        if taken is None:
            await self.app(scope, _replay(body, receive), send)
            return
        command, command_id, expected_version = taken
        subject = verified[1]["sub"]
        scope["state"]["actor"] = subject
        scope["route"] = self._route(path)
        try:
            result, actor = await run_in_threadpool(
                _run, self.container, subject, command, command_id, expected_version
            )
        except Exception as error:
            await self._refuse(scope, receive, send, error)
            return
        payload = accepted(result, actor).model_dump_json().encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
        ]
        if result.replayed:
            headers.append((b"idempotent-replayed", b"true"))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    @staticmethod
    def _take(
        scope: Scope, model: type[Command], body: bytes
    ) -> tuple[Command, str | None, int | None] | None:
        """The command and its headers' values, or None when the route should answer (also
        when a header comes twice: which one counts is the route's to say)."""
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in headers:
                return None
            headers[name] = value
        media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        raw_key = headers.get(b"idempotency-key")
        key = None if raw_key is None else raw_key.decode("latin-1")  # as Starlette decodes
        if media != b"application/json" or (key is not None and not _KEY.match(key)):
            return None
        try:
            command = model.model_validate(json.loads(body))  # as FastAPI validates a body
            if_match = headers.get(b"if-match")
            expected_version = parse_if_match(
                None if if_match is None else if_match.decode("latin-1")
            )
        # (UnicodeDecodeError is a ValueError; JSON nested past the interpreter's depth raises
        # RecursionError, which the route answers as a body it cannot parse.)
        except (ValueError, ValidationError, InvalidInput, RecursionError):
            return None
        return command, key if key is not None else command.command_id, expected_version

    def _route(self, path: str) -> APIRoute | None:
        """The route's object, so the request log and metrics name it as for the route."""
        if self._routes is None:
            self._routes = {r.path: r for r in router.routes if isinstance(r, APIRoute)}
        return self._routes.get(path)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, error: Exception) -> None:
        """Answer with the app's handler for `error`, as its exception middleware would; an
        error without one goes up to the server-error handler, as from any route."""
        handler = None
        for kind in type(error).__mro__:
            if kind is Exception:
                break
            handler = self.api.exception_handlers.get(kind)
            if handler is not None:
                break
        if handler is None:
            raise error
        request = Request(scope, receive)
        if inspect.iscoroutinefunction(handler):
            response = await handler(request, error)
        else:
            response = await run_in_threadpool(handler, request, error)
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """`receive` for an app after the body was read: the body once, then what comes."""
    given = False

    async def replayed() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
