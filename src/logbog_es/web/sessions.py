"""Web sessions, kept on the server: the browser holds only a random token in a cookie.

The cookie is HttpOnly (no page script can read it), SameSite=Lax, and Secure outside
development (then also named with the `__Host-` prefix, so no other host can set it). The
table `web_sessions` lives beside the read models but is not one: it is no projection of the
events and is never rebuilt; losing it only logs everyone out. It holds a SHA-256 of each
token, never the token, so reading the table does not let anyone in.

A session is either a login (a subject) or a login in progress (an OpenID Connect
authorization request waiting for its answer: state, nonce and PKCE verifier). Logging in
always starts a new session (no fixation); logging out deletes it.

Every session has a CSRF token: forms carry it in a hidden field, htmx requests in the
`X-CSRF-Token` header, and every state-changing request is refused without it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from logbog_es.projections.store import ReadStore

DDL = """
CREATE TABLE IF NOT EXISTS web_sessions (
    token_sha256 TEXT PRIMARY KEY,  -- SHA-256 (hex) of the session cookie's token
    subject TEXT,                   -- who logged in (a token subject); NULL while logging in
    csrf TEXT NOT NULL,             -- the session's CSRF token
    pending TEXT,                   -- JSON: an OpenID Connect login in progress
    id_token TEXT,                  -- the identity provider's ID token (for its logout)
    created_at TEXT NOT NULL,       -- UTC, ISO 8601
    expires_at TEXT NOT NULL        -- UTC, ISO 8601; the session ends then
);
CREATE INDEX IF NOT EXISTS web_sessions_by_expiry ON web_sessions (expires_at);
"""

PENDING_LIFETIME = timedelta(minutes=10)


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


class SessionStore:
    def __init__(self, store: ReadStore, lifetime: timedelta) -> None:
        self.store = store
        self.lifetime = lifetime
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
        with self.store.transaction() as tx:
            tx.execute("DELETE FROM web_sessions WHERE expires_at < ?", (now.isoformat(),))
            tx.execute(
                "INSERT INTO web_sessions (token_sha256, subject, csrf, pending, id_token, "
                "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    _digest(token),
                    subject,
                    session.csrf,
                    json.dumps(pending) if pending is not None else None,
                    id_token,
                    now.isoformat(),
                    expires.isoformat(),
                ),
            )
        return session

    def get(self, token: str | None) -> Session | None:
        """The session of a cookie's token, or None when unknown or expired."""
        if not token or len(token) > 200:
            return None
        rows = self.store.fetchall(
            "SELECT subject, csrf, pending, id_token, expires_at FROM web_sessions "
            "WHERE token_sha256 = ?",
            (_digest(token),),
        )
        if not rows:
            return None
        row = rows[0]
        expires = datetime.fromisoformat(row["expires_at"])
        if expires <= _now():
            self.delete(token)
            return None
        return Session(
            token,
            row["subject"],
            row["csrf"],
            json.loads(row["pending"]) if row["pending"] else None,
            row["id_token"],
            expires,
        )

    def delete(self, token: str) -> None:
        with self.store.transaction() as tx:
            tx.execute("DELETE FROM web_sessions WHERE token_sha256 = ?", (_digest(token),))
