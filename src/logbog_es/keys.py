"""Ed25519 keys kept in PEM files: the local token signer and the audit chain's checkpoints."""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def load_or_create_ed25519(path: Path) -> Ed25519PrivateKey:
    """The key in `path`; created (readable by its owner only) when there is none. A file
    that holds another kind of key is a ValueError. Processes starting at once (the API's
    workers) end with one key: each writes its own to a file of its own and links it into
    place, which fails for all but the first; they read the first's, whole. (On a file system
    without hard links the key is written in place, created exclusively.)"""
    if path.exists():
        return _load(path)
    if path.is_symlink():
        raise ValueError(_DANGLING.format(path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    mine = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    _write_new(mine, pem)
    try:
        os.link(mine, path)
        return key
    except FileExistsError:
        pass  # another process's key was first
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise
        try:
            _write_new(path, pem)
            return key
        except FileExistsError:
            pass
    finally:
        mine.unlink()
    if not path.exists():  # a link to nothing appeared meanwhile
        raise ValueError(_DANGLING.format(path=path))
    return _load(path)


def _load(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def _write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet (FileExistsError), readable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


_DANGLING = "{path} is a symbolic link to a file that does not exist: remove it, or link the key"
#: What `os.link` raises on file systems that have no hard links (some network and FUSE ones).
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP})
