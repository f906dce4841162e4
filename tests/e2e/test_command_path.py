"""`routes_commands.CommandPath`: a well-formed command answered without FastAPI's route layers,
alike in every respect to the route's answer; all else handed on to the route (issue 16).

The route answers a body sent as `application/vnd.logbog+json` (FastAPI takes any `+json`
type); the path takes only `application/json`, so each case is sent both ways and compared."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from logbog_es.api import routes_commands
from tests.e2e.conftest import Api
from tests.helpers import Ward

PATH = "application/json"
ROUTE = "application/vnd.logbog+json"
SAME_HEADERS = ("content-type", "cache-control", "x-content-type-options", "idempotent-replayed")


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Per command request, whether the path took it (False: handed on to the route)."""
    seen: list[bool] = []
    real = routes_commands.CommandPath._take

    def spied(*args: Any) -> Any:
        answer = real(*args)
        seen.append(answer is not None)
        return answer

    monkeypatch.setattr(routes_commands.CommandPath, "_take", staticmethod(spied))
    return seen


def _send(api: Api, media: str, name: str, subject: str, body: Any, **headers: str) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return api.client.post(
        f"/commands/{name}",
        content=raw,
        headers=api.headers(subject, **headers, **{"Content-Type": media}),
    )


def _approval(ward: Ward, code: str) -> dict[str, Any]:
    return {
        "programme_id": str(ward.programme),
        "competency_code": code,
        "method": "mini_cex",
        "assessed_on": "2026-06-01",
    }


def _headers(response: Any) -> dict[str, str | None]:
    return {name: response.headers.get(name) for name in SAME_HEADERS}


def test_an_accepted_command_and_its_replay_are_answered_alike(api: Api, taken: list[bool]) -> None:
    ward = Ward(api.world)
    answers = {}
    for media, code in ((PATH, "K1"), (ROUTE, "K3")):
        first = _send(
            api,
            media,
            "approve-competency",
            str(ward.main),
            _approval(ward, code),
            **{"Idempotency-Key": f"key-{code}"},
        )
        again = _send(
            api,
            media,
            "approve-competency",
            str(ward.main),
            _approval(ward, code),
            **{"Idempotency-Key": f"key-{code}"},
        )
        assert first.status_code == again.status_code == 200, first.text
        assert again.json() == {**first.json(), "replayed": True}
        answers[media] = (first, again)
    assert taken == [True, True, False, False]
    (path_first, path_again), (route_first, route_again) = answers[PATH], answers[ROUTE]
    assert _headers(path_first) == _headers(route_first)
    assert (
        _headers(path_again) == _headers(route_again)
        and path_again.headers["idempotent-replayed"] == "true"
    )
    mine, theirs = path_first.json(), route_first.json()
    assert mine.keys() == theirs.keys()
    assert mine["command"] == theirs["command"] == "approve-competency"
    assert [e["type"] for e in mine["events"]] == [e["type"] for e in theirs["events"]]
    assert mine["position"] < theirs["position"]
    path_bytes = path_first.content
    assert (
        path_bytes
        == routes_commands.CommandAccepted.model_validate_json(path_bytes)
        .model_dump_json()
        .encode()
    )


@pytest.mark.parametrize(
    ("case", "body", "headers", "status"),
    [
        ("a field missing", {"programme_id": "x"}, {}, 422),
        ("a body that is not JSON", b"{not json", {}, 422),
        ("no body", b"", {}, 422),
        ("JSON nested past the parser's depth", b"[" * 100_000, {}, 400),
        ("a malformed idempotency key", None, {"Idempotency-Key": "no spaces allowed"}, 422),
        ("a malformed If-Match", None, {"If-Match": "yesterday"}, 422),
        ("a stale If-Match", None, {"If-Match": '"0"'}, 412),
        ("not allowed", None, {"as": "plain-other"}, 403),
    ],
)
def test_a_refusal_is_the_same_either_way(
    api: Api, taken: list[bool], case: str, body: Any, headers: dict[str, str], status: int
) -> None:
    ward = Ward(api.world)
    subject = str(ward.other_uao) if headers.pop("as", None) else str(ward.main)
    sent = _approval(ward, "K1") if body is None else body
    before = api.container.app.position()
    path = _send(api, PATH, "approve-competency", subject, sent, **headers)
    route = _send(api, ROUTE, "approve-competency", subject, sent, **headers)
    assert path.status_code == route.status_code == status, (case, path.text)
    assert path.json() == route.json()
    assert _headers(path) == _headers(route)
    assert api.container.app.position() == before  # nothing written
    runs = status in (403, 412)  # well-formed: the path ran it and the app refused it
    assert taken == [runs, False]


def test_an_unexpected_error_is_a_logged_500_either_way(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    ward = Ward(api.world)

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(api.container.app, "execute", broken)
    client = TestClient(api.client.app, raise_server_exceptions=False)
    for media in (PATH, ROUTE):
        with capture_logs() as logs:
            response = client.post(
                "/commands/approve-competency",
                content=json.dumps(_approval(ward, "K1")),
                headers=api.headers(str(ward.main), **{"Content-Type": media}),
            )
        assert response.status_code == 500
        assert response.json()["code"] == "internal" and "a bug" not in response.text
        assert any(line["event"] == "unhandled error" for line in logs)


def test_the_request_log_names_the_route_and_actor(api: Api, taken: list[bool]) -> None:
    ward = Ward(api.world)
    with capture_logs() as logs:
        response = _send(api, PATH, "approve-competency", str(ward.main), _approval(ward, "K1"))
    assert response.status_code == 200 and taken == [True]
    [line] = [line for line in logs if line["event"] == "request"]
    assert line["path"] == "/commands/approve-competency"
    assert line["status"] == 200 and line["actor"] == str(ward.main)


@pytest.mark.parametrize("name", [b"idempotency-key", b"if-match"])
def test_header_bytes_that_are_not_utf8_are_handed_to_the_route(name: bytes) -> None:
    """A server hands header bytes on as sent (the test client re-encodes them, so the path's
    check is called directly): bytes outside UTF-8 go on to the route, which reads them as
    Latin-1 like Starlette and refuses them with a 422, never a 500."""
    scope = {"headers": [(b"content-type", b"application/json"), (name, b"\xff\xfe")]}
    model = routes_commands.COMMANDS["register-specialty"]
    body = json.dumps(model.EXAMPLE).encode()
    assert routes_commands.CommandPath._take(scope, model, body) is None
    scope["headers"] = scope["headers"][:1]
    assert routes_commands.CommandPath._take(scope, model, body) is not None  # the body is fine


@pytest.mark.parametrize("name", [b"idempotency-key", b"if-match", b"content-type"])
def test_a_header_sent_twice_is_handed_to_the_route(name: bytes) -> None:
    """The route reads the first of a repeated header; the path does not choose: it hands
    the request on, so both ways answer alike."""
    model = routes_commands.COMMANDS["register-specialty"]
    body = json.dumps(model.EXAMPLE).encode()
    once = {b"content-type": b"application/json", b"idempotency-key": b"k-1", b"if-match": b'"1"'}
    scope = {"headers": list(once.items())}
    assert routes_commands.CommandPath._take(scope, model, body) is not None
    scope["headers"].append((name, once[name]))
    assert routes_commands.CommandPath._take(scope, model, body) is None
