"""Personal data at rest: with a cipher key, event state is encrypted; keys can be rotated."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher

from logbog_es.bootstrap import bootstrap
from logbog_es.commands import RegisterDoctor
from logbog_es.domain.doctor import Doctor, doctor_id
from logbog_es.settings import Settings, Storage
from tests.helpers import World

NAME = "Birgitte Særnavn"
CPR = "010190-4321"


def _container(tmp_path: Path, key: str, previous: str | None = None):  # type: ignore[no-untyped-def]
    settings = Settings(
        var_dir=tmp_path / "var", demo_data=False, cipher_key=key, cipher_previous_keys=previous
    )
    storage = Storage.parse(f"sqlite:///{tmp_path}/events.sqlite", tmp_path)
    return bootstrap(settings, storage=storage, with_tokens=False)


def _raw_state(tmp_path: Path) -> bytes:
    with sqlite3.connect(tmp_path / "events.sqlite") as conn:
        return b"".join(row[0] for row in conn.execute("SELECT state FROM stored_events"))


class TestEncryptionAtRest:
    """LOGBOG_CIPHER_KEY encrypts event state; LOGBOG_CIPHER_PREVIOUS_KEYS reads older events."""

    def test_names_and_cpr_are_not_stored_in_clear(self, tmp_path: Path) -> None:
        """The stored bytes contain neither the name nor the CPR number; reading works."""
        container = _container(tmp_path, AESCipher.create_key(32))
        world = World(container.app)
        world.run(
            RegisterDoctor(authorisation_id="BS001", name=NAME, email="b@example.dk", cpr=CPR),
            world.sek["nord"],
        )
        doctor = container.app.repository.get(doctor_id("BS001"))
        assert isinstance(doctor, Doctor)
        assert doctor.name == NAME
        assert doctor.cpr == CPR
        container.close()
        raw = _raw_state(tmp_path)
        assert NAME.encode() not in raw
        assert b"010190" not in raw
        assert b"sek-nord" not in raw  # actor ids are in the encrypted state too

    def test_rotation_keeps_old_events_readable(self, tmp_path: Path) -> None:
        """Events written under the old key read under the new key with the old one listed."""
        old, new = AESCipher.create_key(32), AESCipher.create_key(32)
        first = _container(tmp_path, old)
        world = World(first.app)
        world.run(
            RegisterDoctor(authorisation_id="BS001", name=NAME, email="b@example.dk"),
            world.sek["nord"],
        )
        first.close()
        without_old = _container(tmp_path, new)
        with pytest.raises(ValueError, match=r"(?i)decrypt|tag|invalid"):
            without_old.app.repository.get(doctor_id("BS001"))
        without_old.close()
        rotated = _container(tmp_path, new, previous=old)
        assert rotated.app.repository.get(doctor_id("BS001")).name == NAME
        rotated.app.execute(
            RegisterDoctor(authorisation_id="BS002", name="Ny Læge", email="n@example.dk"),
            rotated.app.resolve_actor("sek-nord"),
        )
        assert rotated.app.repository.get(doctor_id("BS002")).name == "Ny Læge"
        rotated.close()
