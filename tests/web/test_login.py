"""Login and sessions: OpenID Connect with PKCE against a fake identity provider, the
development picker (never in production), cookies, CSRF on logout, and logout ending the
session."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from eventsourcing.cryptography import AESCipher
from fastapi.testclient import TestClient

from logbog_es.bootstrap import bootstrap
from logbog_es.server import create_app
from logbog_es.settings import Settings, Storage
from tests.conftest import Clock
from tests.helpers import World
from tests.web.conftest import forms

ISSUER = "https://idp.example"
CLIENT_ID = "logbog-web"
REDIRECT = "https://testserver/log-ind/oidc/svar"


@dataclass
class FakeIdp:
    """An OpenID Connect provider: discovery, JWKS, a token endpoint checking PKCE, logout."""

    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    audience: str = CLIENT_ID
    nonce_override: str | None = None
    jwks_status: int = 200
    token_requests: list[dict[str, list[str]]] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)  # more claims in the next ID tokens

    def authorize(self, url: str, subject: str) -> str:
        """What the provider does after the user logs in: a code for the redirect URI."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert query["code_challenge_method"] == "S256"
        assert query["client_id"] == CLIENT_ID
        code = f"code-{len(self.codes)}"
        self.codes[code] = {**query, "subject": subject}
        return code

    def id_token(self, grant: dict[str, str]) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": self.audience,
            "sub": grant["subject"],
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce_override or grant["nonce"],
            **self.extra,
        }
        return jwt.encode(claims, self.key, algorithm="EdDSA", headers={"kid": "k1"})

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        path = request.url.path
        if path == "/.well-known/openid-configuration":
            return httpx2.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "jwks_uri": f"{ISSUER}/jwks",
                    "end_session_endpoint": f"{ISSUER}/logout",
                },
            )
        if path == "/jwks":
            if self.jwks_status != 200:
                return httpx2.Response(self.jwks_status)
            raw = self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
            x = base64.urlsafe_b64encode(raw).decode().rstrip("=")
            return httpx2.Response(
                200, json={"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x, "kid": "k1"}]}
            )
        if path == "/token":
            form = parse_qs(request.content.decode())
            self.token_requests.append(form)
            grant = self.codes.pop(form["code"][0], None)
            if grant is None:
                return httpx2.Response(400, json={"error": "invalid_grant"})
            verifier = form["code_verifier"][0].encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).decode()
            if challenge.rstrip("=") != grant["code_challenge"]:
                return httpx2.Response(400, json={"error": "invalid_grant"})
            return httpx2.Response(
                200,
                json={
                    "access_token": "at",
                    "token_type": "Bearer",
                    "id_token": self.id_token(grant),
                },
            )
        return httpx2.Response(404)


@pytest.fixture
def idp() -> FakeIdp:
    return FakeIdp()


def production_settings(tmp_path: Path) -> Settings:
    """Production as it would run, with the identity provider of the tests."""
    public = tmp_path / "idp.pem"
    public.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    checkpoint_key = tmp_path / "checkpoint-key.pem"
    checkpoint_key.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
    )
    return Settings(
        env="production",
        var_dir=tmp_path / "var",
        checkpoint_key_file=checkpoint_key,
        jwt_issuer=ISSUER + "/",
        jwt_public_key_file=public,
        cipher_key=AESCipher.create_key(32),
        demo_data=False,
        log_format="json",
        oidc_issuer=ISSUER,
        oidc_client_id=CLIENT_ID,
        oidc_redirect_url=REDIRECT,
    )


@dataclass
class Service:
    client: TestClient
    world: World


@pytest.fixture
def production(tmp_path: Path, clock: Clock, idp: FakeIdp) -> Iterator[Service]:
    settings = production_settings(tmp_path)
    storage = Storage("memory", sqlite_read=tmp_path / "read.sqlite")
    container = bootstrap(settings, storage=storage, today=clock)
    app = create_app(container, oidc_transport=httpx2.MockTransport(idp.handle))
    with TestClient(app, base_url="https://testserver") as client:
        yield Service(client, World(container.app))
    container.close()


def oidc_login(service: Service, idp: FakeIdp, subject: str) -> httpx2.Response:
    start = service.client.get("/log-ind/oidc", follow_redirects=False)
    assert start.status_code == 303
    location = start.headers["location"]
    assert location.startswith(f"{ISSUER}/authorize?")
    code = idp.authorize(location, subject)
    state = parse_qs(urlsplit(location).query)["state"][0]
    return service.client.get(
        f"/log-ind/oidc/svar?code={code}&state={state}", follow_redirects=False
    )


class TestOpenIdConnect:
    """Authorization code flow with PKCE; the ID token's subject is the API's subject."""

    def test_login_and_logout(self, production: Service, idp: FakeIdp) -> None:
        trainee = production.world.doctor("OI001", "Olga Oidc")
        answer = oidc_login(production, idp, str(trainee))
        assert answer.status_code == 303
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith("__Host-logbog_session=")
        for flag in ("HttpOnly", "Secure", "SameSite=lax", "Path=/"):
            assert flag.lower() in cookie.lower()
        # PKCE: the verifier went to the token endpoint, the challenge to the browser only.
        (request,) = idp.token_requests
        assert "code_verifier" in request
        assert request["client_id"] == [CLIENT_ID]
        home = production.client.get("/")
        assert "Logget ind som Olga Oidc" in home.text
        assert "id_token" not in home.text  # no token ever reaches the page
        token = production.client.cookies.get("__Host-logbog_session")
        assert token is not None

        csrf = next(f for f in forms(home.text) if f.action == "/log-ud").fields["csrf_token"]
        out = production.client.post("/log-ud", data={"csrf_token": csrf}, follow_redirects=False)
        assert out.status_code == 303
        assert out.headers["location"].startswith(f"{ISSUER}/logout?")
        assert "id_token_hint=" in out.headers["location"]
        # The old cookie no longer opens anything: the session ended on the server.
        production.client.cookies.set("__Host-logbog_session", token)
        after = production.client.get("/logbog", follow_redirects=False)
        assert after.status_code == 303
        assert after.headers["location"].startswith("/log-ind")

    def test_logout_needs_the_csrf_token(self, production: Service, idp: FakeIdp) -> None:
        trainee = production.world.doctor("OI002", "Otto Oidc")
        oidc_login(production, idp, str(trainee))
        refused = production.client.post("/log-ud", data={}, follow_redirects=False)
        assert refused.status_code == 403
        assert "Logget ind som Otto Oidc" in production.client.get("/").text

    def test_state_must_match(self, production: Service, idp: FakeIdp) -> None:
        start = production.client.get("/log-ind/oidc", follow_redirects=False)
        code = idp.authorize(start.headers["location"], "someone")
        answer = production.client.get(
            f"/log-ind/oidc/svar?code={code}&state=forged", follow_redirects=False
        )
        assert answer.status_code == 400
        assert production.client.get("/logbog", follow_redirects=False).status_code == 303

    def test_nonce_must_match(self, production: Service, idp: FakeIdp) -> None:
        idp.nonce_override = "another-login"
        assert oidc_login(production, idp, "someone").status_code == 400

    def test_audience_must_be_us(self, production: Service, idp: FakeIdp) -> None:
        idp.audience = "another-client"
        assert oidc_login(production, idp, "someone").status_code == 400

    def test_callback_without_a_login_in_progress(self, production: Service) -> None:
        answer = production.client.get("/log-ind/oidc/svar?code=x&state=y")
        assert answer.status_code == 400
        assert "Start forfra" in answer.text

    def test_idp_cancellation(self, production: Service) -> None:
        production.client.get("/log-ind/oidc", follow_redirects=False)
        answer = production.client.get("/log-ind/oidc/svar?error=access_denied&state=z")
        assert answer.status_code == 400


class TestDevelopmentLogin:
    """The demo user picker exists only in development."""

    def test_refused_in_production(self, production: Service) -> None:
        page = production.client.get("/log-ind")
        assert "/log-ind/demo" not in page.text
        assert "/log-ind/oidc" in page.text
        forced = production.client.post("/log-ind/demo", data={"subject": "x"})
        assert forced.status_code == 404

    def test_needs_its_csrf_cookie(self, tmp_path: Path, clock: Clock) -> None:
        """A login form posted from elsewhere (no matching cookie) logs nobody in."""
        settings = Settings(var_dir=tmp_path / "var", demo_data=False, log_format="json")
        storage = Storage("memory", sqlite_read=tmp_path / "read.sqlite")
        container = bootstrap(settings, storage=storage, today=clock)
        with TestClient(create_app(container)) as client:
            refused = client.post("/log-ind/demo", data={"subject": "x", "csrf_token": "guess"})
            assert refused.status_code == 403
            assert "logbog_session" not in refused.headers.get("set-cookie", "")
            page = client.get("/log-ind")
            cookie = page.headers["set-cookie"]
            assert "HttpOnly" in cookie
            assert "Secure" not in cookie  # development runs on plain http
        container.close()


def test_session_table_holds_no_tokens(production: Service, idp: FakeIdp) -> None:
    """The server keeps a digest of the cookie's token, never the token itself."""
    trainee = production.world.doctor("OI003", "Oda Oidc")
    oidc_login(production, idp, str(trainee))
    token = production.client.cookies.get("__Host-logbog_session")
    web: Any = production.client.app.state.web  # type: ignore[attr-defined]
    rows = web.container.read_store.fetchall("SELECT token_sha256 FROM web_sessions")
    assert token not in json.dumps(rows)
    assert hashlib.sha256(token.encode()).hexdigest() in {r["token_sha256"] for r in rows}


class TestWhenTheProviderFails:
    """An unreachable or broken identity provider is a page that says so, never a 500."""

    def test_discovery_unreachable(self, tmp_path: Path, clock: Clock) -> None:
        def down(request: httpx2.Request) -> httpx2.Response:
            raise httpx2.ConnectError("refused", request=request)

        settings = production_settings(tmp_path)
        storage = Storage("memory", sqlite_read=tmp_path / "read.sqlite")
        container = bootstrap(settings, storage=storage, today=clock)
        app = create_app(container, oidc_transport=httpx2.MockTransport(down))
        with TestClient(app, base_url="https://testserver") as client:
            answer = client.get("/log-ind/oidc", follow_redirects=False)
            assert answer.status_code == 503
            assert "MitID-login kan ikke nås" in answer.text
        container.close()

    def test_keys_unreachable(self, production: Service, idp: FakeIdp) -> None:
        """The provider's keys cannot be read: the login fails in words, nobody is logged in."""
        idp.jwks_status = 502
        answer = oidc_login(production, idp, "someone")
        assert answer.status_code == 400
        assert "Login kunne ikke gennemføres" in answer.text
        assert production.client.get("/logbog", follow_redirects=False).status_code == 303


class TestWhereTheLoginLeads:
    """After logging in the browser goes back to the page it was sent from."""

    def test_next_after_oidc(self, production: Service, idp: FakeIdp) -> None:
        trainee = production.world.doctor("OI004", "Olaf Oidc")
        start = production.client.get("/historik", follow_redirects=False)
        assert start.headers["location"] == "/log-ind?next=%2Fhistorik"
        page = production.client.get(start.headers["location"])
        link = next(a for a in page.text.split('"') if a.startswith("/log-ind/oidc?next="))
        begin = production.client.get(link, follow_redirects=False)
        code = idp.authorize(begin.headers["location"], str(trainee))
        state = parse_qs(urlsplit(begin.headers["location"]).query)["state"][0]
        answer = production.client.get(
            f"/log-ind/oidc/svar?code={code}&state={state}", follow_redirects=False
        )
        assert answer.headers["location"] == "/historik"

    def test_next_never_leaves_the_site(self, production: Service, idp: FakeIdp) -> None:
        begin = production.client.get(
            "/log-ind/oidc?next=https://evil.example/", follow_redirects=False
        )
        code = idp.authorize(begin.headers["location"], "someone")
        state = parse_qs(urlsplit(begin.headers["location"]).query)["state"][0]
        answer = production.client.get(
            f"/log-ind/oidc/svar?code={code}&state={state}", follow_redirects=False
        )
        assert answer.headers["location"] == "/"


class TestBehindAProxy:
    """Behind a TLS proxy the service sees http and an internal host; the browser's Origin is
    compared with the public origin (that of LOGBOG_OIDC_REDIRECT_URL)."""

    def test_public_origin(self, tmp_path: Path, clock: Clock, idp: FakeIdp) -> None:
        settings = production_settings(tmp_path)
        storage = Storage("memory", sqlite_read=tmp_path / "read.sqlite")
        container = bootstrap(settings, storage=storage, today=clock)
        app = create_app(container, oidc_transport=httpx2.MockTransport(idp.handle))
        # The proxy terminates TLS: the service sees https only in the cookie's world, so the
        # client keeps https (the Secure cookie) while the check must not use the Host header.
        with TestClient(app, base_url="https://internal:8000") as client:
            service = Service(client, World(container.app))
            trainee = service.world.doctor("PX001", "Pia Proxy")
            oidc_login(service, idp, str(trainee))
            home = client.get("/")
            csrf = next(f for f in forms(home.text) if f.action == "/log-ud").fields["csrf_token"]
            refused = client.post(
                "/log-ud",
                data={"csrf_token": csrf},
                headers={"Origin": "https://internal:8000"},
                follow_redirects=False,
            )
            assert refused.status_code == 403  # not the public origin
            accepted = client.post(
                "/log-ud",
                data={"csrf_token": csrf},
                headers={"Origin": "https://testserver"},
                follow_redirects=False,
            )
            assert accepted.status_code == 303
            assert (
                "post_logout_redirect_uri=https%3A%2F%2Ftestserver%2F"
                in accepted.headers["location"]
            )
        container.close()


class TestPagesForBrowsers:
    """What a browser can reach by hand on the web's paths answers a page."""

    def test_wrong_method_and_missing_token(self, production: Service, idp: FakeIdp) -> None:
        trainee = production.world.doctor("OI005", "Oline Oidc")
        oidc_login(production, idp, str(trainee))
        wrong = production.client.get("/log-ud")
        assert wrong.status_code == 405
        assert wrong.headers["content-type"].startswith("text/html")
        refused = production.client.post("/log-ud", data={})
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
        assert "Intet er registreret" in refused.text

    def test_no_demo_login_beside_a_real_one(self, tmp_path: Path, clock: Clock) -> None:
        """In development with an identity provider configured there is no password-less
        picker: a test or staging server with real users must not offer it."""
        settings = Settings(
            var_dir=tmp_path / "var",
            demo_data=False,
            log_format="json",
            oidc_issuer=ISSUER,
            oidc_client_id=CLIENT_ID,
            oidc_redirect_url=REDIRECT,
        )
        storage = Storage("memory", sqlite_read=tmp_path / "read.sqlite")
        container = bootstrap(settings, storage=storage, today=clock)
        with TestClient(create_app(container)) as client:
            page = client.get("/log-ind")
            assert "/log-ind/demo" not in page.text
            assert client.post("/log-ind/demo", data={"subject": "x"}).status_code == 404
        container.close()
