"""One CPR number, one doctor (issue 15, item 8): a second doctor with a number already held is
refused, naming no number, also across a rotation of the cipher key and in an import."""

from __future__ import annotations

from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher

from logbog_es.bootstrap import Container, bootstrap
from logbog_es.commands import RegisterDoctor
from logbog_es.domain.errors import Conflict
from logbog_es.settings import Settings, Storage
from tests.conftest import Clock
from tests.helpers import World

CPR = "010190-1234"


def _register(world: World, auth: str, cpr: str | None = CPR) -> object:
    return world.run(
        RegisterDoctor(authorisation_id=auth, name=f"Læge {auth}", email=f"{auth}@x.dk", cpr=cpr),
        world.sek["nord"],
    )


class TestOneNumberOneDoctor:
    def test_a_second_doctor_is_refused(self, container: Container) -> None:
        world = World(container.app)
        _register(world, "CP001")
        before = container.app.position()
        with pytest.raises(Conflict) as refused:
            _register(world, "CP002")
        assert refused.value.code == "doctor.cpr_taken"
        assert CPR not in refused.value.message
        assert "010190" not in refused.value.message
        assert container.app.position() == before
        _register(world, "CP003", "020290-1234")  # another number is fine
        _register(world, "CP004", None)  # and none

    def test_the_claim_says_nothing_of_the_number(self, container: Container) -> None:
        world = World(container.app)
        result = _register(world, "CP005")
        claim = next(e for e in result.events if e.type == "logbog:CprClaim.Claimed")  # type: ignore[attr-defined]
        assert CPR.replace("-", "") not in str(claim.stream_id).replace("-", "")
        assert container.app.cpr_indexes(CPR)[0] != container.app.cpr_indexes("020290-1234")[0]


def test_across_a_key_rotation(tmp_path: Path, clock: Clock) -> None:
    """Claims made under an earlier cipher key are still found after the key is rotated."""
    old, new = AESCipher.create_key(32), AESCipher.create_key(32)
    events = f"sqlite:///{tmp_path}/events.sqlite"
    first = bootstrap(Settings(var_dir=tmp_path, database_url=events, cipher_key=old), today=clock)
    _register(World(first.app), "CR001")
    first.close()
    rotated = bootstrap(
        Settings(var_dir=tmp_path, database_url=events, cipher_key=new, cipher_previous_keys=old),
        storage=Storage.parse(events, tmp_path),
        today=clock,
    )
    try:
        world = World.__new__(World)  # the staff roles exist already in this store
        world.app = rotated.app
        world.sek = {r: rotated.app.resolve_actor(f"sek-{r}") for r in ("nord", "syd", "oest")}
        with pytest.raises(Conflict):
            _register(world, "CR002")
    finally:
        rotated.close()
