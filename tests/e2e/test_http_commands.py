"""Commands over HTTP: authentication, problem+json, idempotency, If-Match, read your writes."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from tests.e2e.conftest import Api

PROBLEM = "application/problem+json"
SPECIALTY = {"code": "kbu", "name": "KBU", "stages": ["kbu"], "on_logbook_from": "2010-01-01"}


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"] and body["title"]
    if code:
        assert body["code"] == code
    return body


class TestAuthentication:
    """Every command and query needs a valid bearer JWT."""

    def test_missing_token(self, api: Api) -> None:
        """No token: 401 with WWW-Authenticate."""
        response = api.client.get("/specialties")
        assert_problem(response, 401, "auth.unauthenticated")
        assert response.headers["www-authenticate"].startswith("Bearer")

    def _claims(self, **overrides: object) -> dict[str, object]:
        now = int(time.time())
        claims: dict[str, object] = {
            "sub": "admin",
            "iss": "logbog-local",
            "aud": "logbog",
            "iat": now,
            "exp": now + 60,
        }
        claims.update(overrides)
        return claims

    @pytest.mark.parametrize(
        ("overrides", "fragment"),
        [
            ({"exp": int(time.time()) - 3600}, "expired"),
            ({"aud": "another-service"}, "not for this service"),
            ({"iss": "somebody-else"}, "not issued by"),
        ],
    )
    def test_bad_claims(self, api: Api, overrides: dict[str, object], fragment: str) -> None:
        """Expired, wrong audience or wrong issuer: 401 naming the problem."""
        token = jwt.encode(self._claims(**overrides), api.issuer.key, algorithm="EdDSA")
        response = api.client.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert fragment in assert_problem(response, 401)["detail"]

    def test_wrong_signature(self, api: Api) -> None:
        """Signed with another key: 401."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        token = jwt.encode(self._claims(), Ed25519PrivateKey.generate(), algorithm="EdDSA")
        response = api.client.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert "signature" in assert_problem(response, 401)["detail"]

    def test_alg_none_is_refused(self, api: Api) -> None:
        """An unsigned token (alg: none) never authenticates."""
        token = jwt.encode(self._claims(), key=None, algorithm="none")
        response = api.client.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert_problem(response, 401)

    def test_shared_secret_algorithm_is_refused(self, api: Api) -> None:
        """An HS256 token (a shared secret, e.g. the public key used as one) is refused."""
        token = jwt.encode(self._claims(), "x" * 32, algorithm="HS256")
        response = api.client.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert_problem(response, 401)

    def test_me(self, api: Api) -> None:
        """GET /me names the subject, its staff roles and the commands it may issue."""
        body = api.get("/me", "sek-nord").json()  # type: ignore[attr-defined]
        assert body["staff_roles"] == [{"role": "secretariat", "region": "nord"}]
        assert "register-doctor" in body["may"] and "publish-curriculum" not in body["may"]


class TestCommands:
    """POST /commands/{name}: results, errors, idempotency and concurrency."""

    def test_accepted_command_names_events_and_position(self, api: Api) -> None:
        """The response lists the events recorded and the global position."""
        response: Any = api.command("register-specialty", "admin", SPECIALTY)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["command"] == "register-specialty" and not body["replayed"]
        assert [e["type"] for e in body["events"]] == ["logbog:Specialty.Registered"]
        assert body["position"] == api.container.app.position()

    def test_idempotency_key_header(self, api: Api) -> None:
        """A retried command with the same Idempotency-Key returns the first result."""
        first: Any = api.command(
            "register-specialty", "admin", SPECIALTY, **{"Idempotency-Key": "k-1"}
        )
        position = api.container.app.position()
        second: Any = api.command(
            "register-specialty", "admin", SPECIALTY, **{"Idempotency-Key": "k-1"}
        )
        assert second.status_code == 200
        assert second.headers["Idempotent-Replayed"] == "true"
        assert second.json()["events"] == first.json()["events"]
        assert api.container.app.position() == position
        other: Any = api.command(
            "register-specialty",
            "admin",
            {**SPECIALTY, "name": "Andet"},
            **{"Idempotency-Key": "k-1"},
        )
        assert_problem(other, 422, "command.idempotency_reuse")
        assert api.container.app.position() == position

    def test_validation_errors_name_each_field_and_echo_nothing(self, api: Api) -> None:
        """Pydantic errors become one problem with a field path per error; inputs are not echoed."""
        body = {
            "specialty_code": "kbu",
            "stage": "kbu",
            "label": "x",
            "effective_from": "2020-01-01",
            "nominal_duration_months": 12,
            "competencies": [
                {
                    "code": "A",
                    "title": "t",
                    "description": "d",
                    "roles": ["healer"],
                    "methods": [{"method": "mini_cex"}],
                }
            ],
        }
        problem = assert_problem(
            api.command("publish-curriculum", "admin", body), 422, "request.invalid"
        )
        fields = [e["field"] for e in problem["errors"]]
        assert "competencies[0].roles[0]" in fields
        doctor = {
            "authorisation_id": "AB123",
            "name": "X",
            "email": "x@example.dk",
            "cpr": "123456-7890-99",
        }
        problem = assert_problem(api.command("register-doctor", "sek-nord", doctor), 422)
        assert "123456-7890-99" not in str(problem)

    def test_domain_error_maps_to_status(self, api: Api) -> None:
        """Forbidden: 403 with the reason; conflict: 409; unknown command: 404."""
        assert_problem(
            api.command("register-specialty", "sek-nord", SPECIALTY),
            403,
            "auth.curriculum_admin_only",
        )
        api.command("register-specialty", "admin", SPECIALTY)
        assert_problem(
            api.command("register-specialty", "admin", SPECIALTY), 409, "specialty.exists"
        )
        unknown = assert_problem(
            api.command("no-such-command", "admin", {}), 404, "command.unknown"
        )
        assert "'no-such-command'" in unknown["detail"]
        assert "register-specialty" in unknown["detail"]  # the known commands are listed

    def test_malformed_json_says_send_json(self, api: Api) -> None:
        """A body that is not JSON gets a 422 that says how to send one; nothing is written."""
        before = api.container.app.position()
        response: Any = api.client.post(
            "/commands/register-specialty",
            content=b"{code: kbu",
            headers={**api.headers("admin"), "Content-Type": "application/json"},
        )
        problem = assert_problem(response, 422, "request.invalid")
        assert "not valid JSON" in problem["detail"]
        assert "Content-Type: application/json" in problem["detail"]
        assert api.container.app.position() == before

    def test_garbage_token_is_named_not_a_jwt(self, api: Api) -> None:
        """A bearer value that is not a JWT at all is told so (401)."""
        response: Any = api.client.get("/me", headers={"Authorization": "Bearer hello"})
        problem = assert_problem(response, 401, "auth.unauthenticated")
        assert "not a JWT" in problem["detail"]

    def test_operator_commands_are_refused_over_http(self, api: Api) -> None:
        """Staff roles are granted by an operator at the server, never over HTTP."""
        body = {"subject": "x", "role": "auditor"}
        problem = assert_problem(
            api.command("grant-staff", "admin", body), 403, "auth.operator_only"
        )
        assert "logbog admin grant-staff" in problem["detail"]
        documented = api.client.get("/openapi.json").json()["paths"]
        assert "/commands/grant-staff" not in documented
        assert "/commands/revoke-staff" not in documented
        assert "/commands/register-doctor" in documented

    def test_if_match(self, api: Api) -> None:
        """A stale If-Match gets 412; the current version succeeds; garbage gets 422."""
        api.command("register-specialty", "admin", SPECIALTY)
        retire = {"code": "kbu", "retired_on": "2030-01-01"}
        assert_problem(api.command("retire-specialty", "admin", retire, **{"If-Match": '"7"'}), 412)
        assert_problem(api.command("retire-specialty", "admin", retire, **{"If-Match": "abc"}), 422)
        response: Any = api.command("retire-specialty", "admin", retire, **{"If-Match": '"1"'})
        assert response.status_code == 200, response.text

    def test_read_your_writes_with_after(self, api: Api) -> None:
        """A query with ?after=POSITION sees the command it follows."""
        response: Any = api.command("register-specialty", "admin", SPECIALTY)
        position = response.json()["position"]
        listed: Any = api.get(f"/specialties?after={position}", "sek-nord")
        assert [s["code"] for s in listed.json()] == ["kbu"]

    def test_after_beyond_the_log_is_refused_at_once(self, api: Api) -> None:
        """A position the log has not reached cannot be waited for: 422 naming the head."""
        head = api.container.app.position()
        response: Any = api.get(f"/specialties?after={head + 1}", "admin")
        assert_problem(response, 422, "read.after_beyond_head")
        assert f"ends at {head}" in response.json()["detail"]

    def test_read_models_behind_is_503_with_retry_after(
        self, api: Api, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Read models that do not reach a recorded position in time: 503 with Retry-After."""
        position = api.command("register-specialty", "admin", SPECIALTY).json()["position"]
        monkeypatch.setattr(api.container.runner, "wait_for", lambda *_args: False)
        response: Any = api.get(f"/specialties?after={position}", "admin")
        assert_problem(response, 503, "read.behind")
        assert response.headers["Retry-After"] == "1"
