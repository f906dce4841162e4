"""Login in production: OpenID Connect authorization code flow with PKCE (S256).

This is how MitID / NemLog-in brokers are used. The browser is sent to the identity provider
with a fresh `state`, `nonce` and PKCE challenge (kept server-side in a pending session); the
answer's `code` is exchanged at the token endpoint with the verifier, and the ID token is
verified (signature against the provider's JWKS, issuer, audience = our client id, expiry,
nonce). Its subject claim (`sub` unless configured) is the same subject the API's bearer tokens
carry. No token ever reaches the browser: the ID token stays in the server-side session, only
to name it at the provider's logout.
"""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlencode

import httpx2
import jwt
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from logbog_es.settings import Settings

KEYS_TTL_SECONDS = 3600


class LoginFailed(Exception):
    """The identity provider's answer cannot be trusted or used; the message says why."""


class OidcClient:
    """Talks to one identity provider; `transport` lets tests put a fake one in its place."""

    def __init__(self, settings: Settings, transport: httpx2.BaseTransport | None = None) -> None:
        assert settings.oidc_issuer
        assert settings.oidc_client_id
        assert settings.oidc_redirect_url
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id = settings.oidc_client_id
        self.client_secret = settings.oidc_client_secret
        self.redirect_url = settings.oidc_redirect_url
        self.scopes = settings.oidc_scopes
        self.subject_claim = settings.oidc_subject_claim
        self.leeway = settings.jwt_leeway_seconds
        self.algorithms = list(settings.oidc_algorithms)
        self.transport = transport
        self._metadata: dict[str, Any] | None = None
        self._keys: tuple[float, jwt.PyJWKSet] | None = None

    def _http(self) -> httpx2.Client:
        return httpx2.Client(transport=self.transport, timeout=10.0)

    def _get(self, url: str) -> dict[str, Any]:
        """A JSON document of the provider; LoginFailed when it cannot be had."""
        try:
            with self._http() as http:
                response = http.get(url)
        except httpx2.HTTPError as error:
            kind = type(error).__name__
            raise LoginFailed(f"the identity provider cannot be reached ({kind})") from error
        if response.status_code != 200:
            raise LoginFailed(f"the identity provider answered {response.status_code}")
        try:
            found: dict[str, Any] = response.json()
        except ValueError as error:
            raise LoginFailed("the identity provider's answer is not JSON") from error
        return found

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (read once per process)."""
        if self._metadata is None:
            found = self._get(f"{self.issuer}/.well-known/openid-configuration")
            if str(found.get("issuer", "")).rstrip("/") != self.issuer:
                raise LoginFailed("the identity provider's discovery document names another issuer")
            self._metadata = found
        return self._metadata

    def start(self) -> tuple[str, dict[str, str]]:
        """The URL to send the browser to, and what to keep for the answer."""
        meta = self.metadata()
        verifier = secrets.token_urlsafe(64)
        pending = {
            "state": secrets.token_urlsafe(32),
            "nonce": secrets.token_urlsafe(32),
            "verifier": verifier,
        }
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_url,
            "scope": self.scopes,
            "state": pending["state"],
            "nonce": pending["nonce"],
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        return f"{meta['authorization_endpoint']}?{urlencode(query)}", pending

    def finish(
        self, pending: dict[str, str], code: str, state: str
    ) -> tuple[str, str, dict[str, object]]:
        """Exchange the code and verify the ID token: (subject, ID token, its claims)."""
        if not secrets.compare_digest(pending.get("state", ""), state):
            raise LoginFailed("the answer does not belong to this login (state)")
        meta = self.metadata()
        client = OAuth2Client(
            client_id=self.client_id,
            client_secret=self.client_secret,
            token_endpoint_auth_method="client_secret_basic" if self.client_secret else "none",
            redirect_uri=self.redirect_url,
            transport=self.transport,
            timeout=10.0,
        )
        try:
            with client:
                token = client.fetch_token(
                    meta["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=pending["verifier"],
                )
        except Exception as error:  # refused (OAuthError), unreachable (httpx2), malformed
            raise LoginFailed(
                f"the identity provider refused the code ({type(error).__name__})"
            ) from error
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise LoginFailed("the identity provider sent no ID token")
        claims = self._verify(id_token)
        if not secrets.compare_digest(str(claims.get("nonce", "")), pending.get("nonce", "")):
            raise LoginFailed("the ID token does not belong to this login (nonce)")
        subject = claims.get(self.subject_claim)
        if not isinstance(subject, str) or not subject:
            raise LoginFailed(f"the ID token has no {self.subject_claim!r} claim")
        return subject, id_token, dict(claims)

    def _verify(self, id_token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(id_token)
            key = self._key(header.get("kid"))
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key=key,
                algorithms=self.algorithms,
                audience=self.client_id,
                issuer=self.metadata()["issuer"],
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
            )
        except (jwt.PyJWTError, ValueError) as error:
            raise LoginFailed(f"the ID token is not valid ({type(error).__name__})") from error
        return claims

    def _key(self, kid: str | None) -> Any:
        """The provider's signing key `kid`, from its JWKS: read again after an hour (the
        provider may have retired a key) or for an unknown kid (it may have added one), at most
        once a minute."""
        now = time.monotonic()
        for attempt in range(2):
            stale = self._keys is None or now - self._keys[0] > KEYS_TTL_SECONDS
            retry = attempt == 1 and self._keys is not None and now - self._keys[0] > 60
            if stale or retry:
                try:
                    keys = jwt.PyJWKSet.from_dict(self._get(self.metadata()["jwks_uri"]))
                except (jwt.PyJWTError, KeyError) as error:
                    raise LoginFailed("the identity provider's keys cannot be read") from error
                self._keys = (now, keys)
            assert self._keys is not None
            for key in self._keys[1].keys:
                if kid is None or key.key_id == kid:
                    return key.key
        raise LoginFailed("the ID token is signed with a key the identity provider does not list")

    def logout_url(self, id_token: str | None, after: str) -> str | None:
        """The provider's end-session URL, when it has one (RP-initiated logout)."""
        try:
            endpoint = self.metadata().get("end_session_endpoint")
        except LoginFailed:
            return None  # the session here has ended all the same
        if not endpoint:
            return None
        query = {"post_logout_redirect_uri": after, "client_id": self.client_id}
        if id_token:
            query["id_token_hint"] = id_token
        return f"{endpoint}?{urlencode(query)}"
