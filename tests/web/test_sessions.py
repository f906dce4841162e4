"""The server-side session store, on every store the read models live in."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from logbog_es.bootstrap import Container
from logbog_es.web.sessions import SessionStore


class TestSessionStore:
    """Sessions are found by their token only, expire, and end when deleted."""

    def test_create_find_delete(self, container: Container) -> None:
        store = SessionStore(container.read_store, timedelta(hours=1))
        session = store.create("doctor-1")
        found = store.get(session.token)
        assert found is not None
        assert found.subject == "doctor-1"
        assert found.csrf_matches(session.csrf)
        assert not found.csrf_matches("another")
        assert store.get("not-a-token") is None
        assert store.get(None) is None
        rows = container.read_store.fetchall("SELECT token_sha256 FROM web_sessions")
        assert [r["token_sha256"] for r in rows] == [
            hashlib.sha256(session.token.encode()).hexdigest()
        ]
        store.delete(session.token)
        assert store.get(session.token) is None

    def test_expired_sessions_are_gone(self, container: Container) -> None:
        expired = SessionStore(container.read_store, timedelta(seconds=-1))
        old = expired.create("doctor-1")
        fresh = SessionStore(container.read_store, timedelta(hours=1)).create("doctor-2")
        rows = container.read_store.fetchall("SELECT subject FROM web_sessions")
        assert [r["subject"] for r in rows] == ["doctor-2"]  # purged by the next login
        assert expired.get(old.token) is None
        assert fresh.token != old.token

    def test_a_login_in_progress_keeps_its_pending_answer(self, container: Container) -> None:
        store = SessionStore(container.read_store, timedelta(hours=1))
        pending = store.create(None, pending={"state": "s", "nonce": "n", "verifier": "v"})
        found = store.get(pending.token)
        assert found is not None
        assert found.subject is None
        assert found.pending == {"state": "s", "nonce": "n", "verifier": "v"}

    def test_idle_sessions_end(self, container: Container) -> None:
        """A session unused for longer than the idle time ends (a shared ward PC)."""
        store = SessionStore(container.read_store, timedelta(hours=1), idle=timedelta(0))
        session = store.create("doctor-1")
        assert store.get(session.token) is None

    def test_id_token_is_encrypted_at_rest(self, container: Container) -> None:
        """With a cipher key the provider's ID token is stored encrypted, and read back."""
        from eventsourcing.cryptography import AESCipher

        store = SessionStore(
            container.read_store, timedelta(hours=1), cipher_key=AESCipher.create_key(32)
        )
        session = store.create("doctor-1", id_token="header.payload.signature")
        stored = container.read_store.fetchall("SELECT id_token FROM web_sessions")
        assert "payload" not in stored[0]["id_token"]
        found = store.get(session.token)
        assert found is not None
        assert found.id_token == "header.payload.signature"
