"""Bearer tokens: verification (always) and a local issuer (development only).

Signature, expiry, issuer and audience are checked, with algorithms from an allow-list that
never contains `none` or a shared-secret algorithm. In development a local Ed25519 signing key
is created under var/ and `logbog token --sub ID` prints a token; in production the identity
provider's public keys are read from its JWKS URL or a PEM file.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from logbog_es.keys import load_or_create_ed25519
from logbog_es.settings import Settings

LOCAL_KID = "logbog-local"


#: Tokens whose verification is remembered (per process; the oldest are forgotten).
VERIFIED_TOKENS = 10_000


def _in_time(claims: dict[str, Any], now: float, leeway: float) -> bool:
    """Whether a verified token's claims are still within their time limits."""
    expires, not_before = claims.get("exp"), claims.get("nbf")
    if not isinstance(expires, int | float) or now > expires + leeway:
        return False
    return not (isinstance(not_before, int | float) and now < not_before - leeway)


class InvalidToken(Exception):
    """The bearer token is missing, malformed, expired, wrongly signed or not for us."""


def load_or_create_signing_key(path: Path) -> Ed25519PrivateKey:
    try:
        return load_or_create_ed25519(path)
    except ValueError as error:
        raise InvalidToken(str(error)) from error


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.algorithms = list(settings.jwt_algorithms)
        self.leeway = settings.jwt_leeway_seconds
        self._jwks: jwt.PyJWKClient | None = None
        self._key: Any = None
        self._lock = threading.Lock()
        self._verified: OrderedDict[str, dict[str, Any]] = OrderedDict()
        if settings.jwt_jwks_url:
            self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url, cache_keys=True)
        elif settings.jwt_public_key_file:
            self._key = serialization.load_pem_public_key(settings.jwt_public_key_file.read_bytes())
        else:
            self._key = load_or_create_signing_key(settings.signing_key_file).public_key()

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or InvalidToken saying why not. A token verified before is
        not verified again until it expires (a signature check per request cost more than the
        rest of reading a command); its expiry and not-before are checked every time."""
        known = self.remembered(token)
        if known is not None:
            return known
        claims = self._verify(token)
        with self._lock:
            self._verified[token] = claims
            self._verified.move_to_end(token)
            while len(self._verified) > VERIFIED_TOKENS:
                self._verified.popitem(last=False)
        return dict(claims)

    def remembered(self, token: str) -> dict[str, Any] | None:
        """The claims of a token verified before and still within its time limits, else None
        (no signature check, no key fetched: safe on an event loop)."""
        with self._lock:
            known = self._verified.get(token)
        if known is None or not _in_time(known, time.time(), self.leeway):
            return None
        return dict(known)

    def _verify(self, token: str) -> dict[str, Any]:
        try:
            key = self._jwks.get_signing_key_from_jwt(token).key if self._jwks else self._key
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=self.algorithms,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise InvalidToken("the token has expired; get a new one") from error
        except jwt.InvalidAudienceError as error:
            raise InvalidToken(
                f"the token is not for this service (audience {self.audience!r})"
            ) from error
        except jwt.InvalidIssuerError as error:
            raise InvalidToken(f"the token was not issued by {self.issuer!r}") from error
        except jwt.InvalidAlgorithmError as error:
            raise InvalidToken(
                f"the token's algorithm is not allowed; allowed: {', '.join(self.algorithms)}"
            ) from error
        except jwt.InvalidSignatureError as error:
            raise InvalidToken("the token's signature does not verify") from error
        except jwt.DecodeError as error:
            raise InvalidToken(
                "the bearer token is not a JWT (three base64url parts joined by dots); "
                "paste the whole token the identity provider (or `logbog token`) gave you"
            ) from error
        except (jwt.PyJWTError, ValueError) as error:
            raise InvalidToken(f"the token is not valid: {error}") from error
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidToken("the token names no subject ('sub')")
        return claims


class LocalIssuer:
    """Signs tokens with the local development key (never used in production)."""

    def __init__(self, settings: Settings) -> None:
        self.key = load_or_create_signing_key(settings.signing_key_file)
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience

    def issue(self, subject: str, *, ttl_seconds: int = 8 * 3600, **claims: Any) -> str:
        now = int(time.time())
        payload = {
            "sub": subject,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_seconds,
            **claims,
        }
        return jwt.encode(payload, self.key, algorithm="EdDSA", headers={"kid": LOCAL_KID})

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.key.public_key()
