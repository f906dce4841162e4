"""Web sessions, kept on the server: the browser holds only a random token in a cookie.

The cookie is HttpOnly (no page script can read it), SameSite=Lax, a browser-session cookie
(closing the browser forgets it), and Secure outside development (then also named with the
`__Host-` prefix, so no other host can set it). A session ends at the latest after
`LOGBOG_WEB_SESSION_HOURS`, and after `LOGBOG_WEB_IDLE_MINUTES` without a request (a shared
ward PC); logging out deletes it.

The table `web_sessions` lives beside the read models but is not one: it is no projection of the
events and is never rebuilt; losing it only logs everyone out. It holds a SHA-256 of each token,
never the token, so reading the table does not let anyone in; the identity provider's ID token
(kept only to name the session at the provider's logout) is encrypted with the cipher key when
one is set (production requires it).

A session is either a login (a subject) or a login in progress (an OpenID Connect authorization
request waiting for its answer: state, nonce and PKCE verifier). Logging in always starts a new
session (no fixation). Every session has a CSRF token: forms carry it in a hidden field, htmx
requests may send it in the `X-CSRF-Token` header, and every state-changing request is refused
without it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from logbog_es.projections.store import ReadStore

DDL = """
CREATE TABLE IF NOT EXISTS web_sessions (
    token_sha256 TEXT PRIMARY KEY,  -- SHA-256 (hex) of the session cookie's token
    subject TEXT,                   -- who logged in (a token subject); NULL while logging in
    csrf TEXT NOT NULL,             -- the session's CSRF token
    pending TEXT,                   -- JSON: an OpenID Connect login in progress
    id_token TEXT,                  -- the provider's ID token (encrypted with a cipher key)
    created_at TEXT NOT NULL,       -- UTC, ISO 8601
    expires_at TEXT NOT NULL,       -- UTC, ISO 8601; the session ends then at the latest
    seen_at TEXT NOT NULL           -- UTC, ISO 8601; the last request (to within a minute)
);
CREATE INDEX IF NOT EXISTS web_sessions_by_expiry ON web_sessions (expires_at);
"""

PENDING_LIFETIME = timedelta(minutes=10)
#: `seen_at` is written again only when older than this: not a write per page view.
SEEN_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Session:
    token: str
    subject: str | None
    csrf: str
    pending: dict[str, Any] | None
    id_token: str | None
    expires_at: datetime

    def csrf_matches(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(self.csrf, given)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


class _Sealed:
    """AES-GCM with the service's cipher key (no key: kept as it is, as in development)."""

    def __init__(self, key: str | None) -> None:
        self.aead = AESGCM(base64.b64decode(key)) if key else None

    def seal(self, value: str | None) -> str | None:
        if value is None or self.aead is None:
            return value
        nonce = os.urandom(12)
        return base64.b64encode(nonce + self.aead.encrypt(nonce, value.encode(), None)).decode()

    def open(self, value: str | None) -> str | None:
        if value is None or self.aead is None:
            return value
        raw = base64.b64decode(value)
        return self.aead.decrypt(raw[:12], raw[12:], None).decode()


class SessionStore:
    def __init__(
        self,
        store: ReadStore,
        lifetime: timedelta,
        idle: timedelta = timedelta(hours=1),
        cipher_key: str | None = None,
    ) -> None:
        self.store = store
        self.lifetime = lifetime
        self.idle = idle
        self.sealed = _Sealed(cipher_key)
        store.executescript(DDL)

    def create(
        self,
        subject: str | None,
        *,
        pending: dict[str, Any] | None = None,
        id_token: str | None = None,
    ) -> Session:
        """A new session with a fresh token and CSRF token (expired ones are purged)."""
        token = secrets.token_urlsafe(32)
        now = _now()
        expires = now + (self.lifetime if subject is not None else PENDING_LIFETIME)
        session = Session(token, subject, secrets.token_urlsafe(32), pending, id_token, expires)
        with self.store.transaction(durable=True) as tx:
            tx.execute(
                "DELETE FROM web_sessions WHERE expires_at < ? OR seen_at < ?",
                (now.isoformat(), (now - self.idle).isoformat()),
            )
            tx.execute(
                "INSERT INTO web_sessions (token_sha256, subject, csrf, pending, id_token, "
                "created_at, expires_at, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _digest(token),
                    subject,
                    session.csrf,
                    json.dumps(pending) if pending is not None else None,
                    self.sealed.seal(id_token),
                    now.isoformat(),
                    expires.isoformat(),
                    now.isoformat(),
                ),
            )
        return session

    def get(self, token: str | None) -> Session | None:
        """The session of a cookie's token, or None when unknown, expired or idle too long."""
        if not token or len(token) > 200:
            return None
        rows = self.store.fetchall(
            "SELECT subject, csrf, pending, id_token, expires_at, seen_at FROM web_sessions "
            "WHERE token_sha256 = ?",
            (_digest(token),),
        )
        if not rows:
            return None
        row = rows[0]
        now = _now()
        expires = datetime.fromisoformat(row["expires_at"])
        seen = datetime.fromisoformat(row["seen_at"])
        if expires <= now or now - seen > self.idle:
            self.delete(token)
            return None
        if now - seen > SEEN_RESOLUTION:
            with self.store.transaction(durable=True) as tx:
                tx.execute(
                    "UPDATE web_sessions SET seen_at = ? WHERE token_sha256 = ?",
                    (now.isoformat(), _digest(token)),
                )
        return Session(
            token,
            row["subject"],
            row["csrf"],
            json.loads(row["pending"]) if row["pending"] else None,
            self.sealed.open(row["id_token"]),
            expires,
        )

    def delete(self, token: str) -> None:
        with self.store.transaction(durable=True) as tx:
            tx.execute("DELETE FROM web_sessions WHERE token_sha256 = ?", (_digest(token),))
