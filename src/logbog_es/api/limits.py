"""Limits before a request body is read: its size, and for commands the bearer token.

A request body is never read whole before it is known to be small enough and, for a command, to
come with a valid token: a 200 MB unauthenticated POST once raised a worker to 717 MB.

- A declared `Content-Length` above `LOGBOG_MAX_BODY_BYTES` is refused with 413 at once; a body
  sent in chunks is counted as it is read and refused (413) when it passes the limit.
- `POST /commands/...` without a valid bearer token is refused with 401 before its body is
  read; the verified claims are handed on, so the token is verified once.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from logbog_es.tokens import InvalidToken, TokenVerifier

VERIFIED = "logbog.verified_token"  # scope["state"] key: (token, claims)


def _problem(status: int, code: str, detail: str, headers: list[tuple[bytes, bytes]]) -> Any:
    body = json.dumps(
        {"type": f"urn:logbog:problem:{code}", "status": status, "detail": detail, "code": code}
    ).encode()
    return (
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        },
        {"type": "http.response.body", "body": body},
    )


class RequestLimits:
    def __init__(self, app: ASGIApp, *, max_body: int, verifier: TokenVerifier | None) -> None:
        self.app = app
        self.max_body = max_body
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await self._refuse(
                send,
                413,
                "request.too_large",
                f"the request body may be at most {self.max_body} bytes (LOGBOG_MAX_BODY_BYTES)",
            )
            return
        if scope["path"].startswith("/commands/") and self.verifier is not None:
            refusal = await self._token(scope, headers.get(b"authorization"))
            if refusal is not None:
                await self._refuse(
                    send,
                    401,
                    "auth.unauthenticated",
                    refusal,
                    [(b"www-authenticate", b'Bearer error="invalid_token"')],
                )
                return
        await self._counted(scope, receive, send)

    async def _token(self, scope: Scope, value: bytes | None) -> str | None:
        """None when the bearer token verifies (its claims handed on), else why not. A token
        not verified before is checked on a worker thread (it may fetch the key set)."""
        scheme, _, token = (value or b"").decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return (
                "send a bearer token: 'Authorization: Bearer <JWT>' "
                "(locally: `logbog token --sub ID`)"
            )
        assert self.verifier is not None
        try:
            claims = self.verifier.remembered(token.strip()) or await run_in_threadpool(
                self.verifier.verify, token.strip()
            )
        except InvalidToken as error:
            return str(error)
        scope.setdefault("state", {})[VERIFIED] = (token.strip(), claims)
        return None

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app, counting the body as it reads it: past the limit the client gets 413
        and the app a disconnect (whatever it answers then is dropped)."""
        seen = 0
        refused = False

        async def counted() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    refused = True
                    await self._refuse(
                        send,
                        413,
                        "request.too_large",
                        f"the request body may be at most {self.max_body} bytes "
                        "(LOGBOG_MAX_BODY_BYTES)",
                    )
                    return {"type": "http.disconnect"}
            return message

        async def answered(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counted, answered)

    @staticmethod
    async def _refuse(
        send: Send,
        status: int,
        code: str,
        detail: str,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        start, body = _problem(status, code, detail, [(b"connection", b"close"), *(headers or [])])
        await send(start)
        await send(body)
