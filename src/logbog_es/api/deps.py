"""Typed FastAPI dependencies: the container, the authenticated actor."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from logbog_es.api.limits import VERIFIED
from logbog_es.api.problems import NotAuthenticated
from logbog_es.bootstrap import Container
from logbog_es.domain.policy import Actor
from logbog_es.edge import wait_for_read_model
from logbog_es.tokens import InvalidToken

bearer = HTTPBearer(auto_error=False, description="A JWT from the identity provider.")


async def get_container(request: Request) -> Container:
    """(async: no I/O, so it runs on the event loop, not on a thread of its own)"""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


async def get_claims(
    request: Request,
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> dict[str, Any]:
    """The claims of the request's bearer token, verified (401 if it is missing or does not
    verify). On the event loop when the token was verified before (by `limits.RequestLimits`
    for a command, or remembered by the verifier); else the signature check, which may fetch
    the identity provider's key set, runs on a worker thread."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated(
            "send a bearer token: 'Authorization: Bearer <JWT>' (locally: `logbog token --sub ID`)"
        )
    verifier = container.verifier
    assert verifier is not None
    token = credentials.credentials
    verified = request.scope.get("state", {}).get(VERIFIED)
    if verified is not None and verified[0] == token:
        claims: dict[str, Any] = verified[1]
        return claims
    remembered = verifier.remembered(token)
    if remembered is not None:
        return remembered
    try:
        return await run_in_threadpool(verifier.verify, token)
    except InvalidToken as error:
        raise NotAuthenticated(str(error)) from error


ClaimsDep = Annotated[dict[str, Any], Depends(get_claims)]


def get_actor(request: Request, container: ContainerDep, claims: ClaimsDep) -> Actor:
    actor = container.app.resolve_actor(claims["sub"])
    request.state.actor = actor.subject
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]


__all__ = [
    "ActorDep",
    "ClaimsDep",
    "ContainerDep",
    "get_actor",
    "get_container",
    "wait_for_read_model",
]
