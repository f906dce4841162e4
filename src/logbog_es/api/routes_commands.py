"""`POST /commands/{name}`: one route per command, each with its own documented body."""

# No `from __future__ import annotations` here: FastAPI reads each endpoint's body type from
# the annotation built in the loop below.

import re
from typing import Annotated, Any, cast

from fastapi import APIRouter, Header, Request, Response
from starlette.concurrency import run_in_threadpool

from logbog_es.api.deps import ClaimsDep, ContainerDep
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
