"""Key files: made once, readable by their owner only, the same key for processes that start at
once (the API's workers each load the checkpoint and token keys at start)."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from logbog_es.keys import load_or_create_ed25519


def _public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def test_a_key_is_created_once_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "checkpoint.pem"
    first = load_or_create_ed25519(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _public(load_or_create_ed25519(path)) == _public(first)
    assert [p.name for p in path.parent.iterdir()] == ["checkpoint.pem"]  # nothing left over


def _all_at_once(path: Path, count: int) -> tuple[list[bytes], list[BaseException]]:
    barrier = threading.Barrier(count)
    keys: list[bytes] = []
    errors: list[BaseException] = []

    def start() -> None:
        barrier.wait()
        try:
            keys.append(_public(load_or_create_ed25519(path)))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return keys, errors


def test_processes_starting_at_once_end_with_one_key(tmp_path: Path) -> None:
    for trial in range(5):
        path = tmp_path / f"key-{trial}.pem"
        keys, errors = _all_at_once(path, 6)
        assert errors == []
        assert len(keys) == 6 and len(set(keys)) == 1
        assert keys[0] == _public(load_or_create_ed25519(path))
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"key-{n}.pem" for n in range(5)]


def test_a_file_with_another_kind_of_key_is_refused(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key

    path = tmp_path / "other.pem"
    path.write_bytes(
        generate_private_key(SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(ValueError, match="Ed25519"):
        load_or_create_ed25519(path)


def test_a_link_to_nothing_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.pem"
    path.symlink_to(tmp_path / "gone.pem")
    with pytest.raises(ValueError, match="does not exist: remove it"):
        load_or_create_ed25519(path)
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pem"]  # nothing left over


def test_without_hard_links_the_key_is_written_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    def no_links(*_args: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "checkpoint.pem"
    first = load_or_create_ed25519(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _public(load_or_create_ed25519(path)) == _public(first)
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pem"]
