"""Signed checkpoints of the audit chain, kept outside the database (issue 15, item 6).

The hash chain alone is unkeyed: an insider who alters an event and computes every later chain
row again would pass `audit verify`. A checkpoint is the chain's link at a position, signed with
an Ed25519 key the database never holds (`LOGBOG_CHECKPOINT_KEY_FILE`), and appended as a JSON
line to a file outside the database (`LOGBOG_CHECKPOINT_DIR/checkpoints.jsonl`, best on other
storage, copied off the server). One is written on every submission to STPS (and printed in its
PDF) and periodically (`logbog audit checkpoint`, or every `LOGBOG_CHECKPOINT_MINUTES` by the
process that runs the projections). `audit verify` checks each one: its signature, and that the
chain still has its link at its position, so a rewritten past no longer verifies.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from logbog_es.application.chain import head, row_at


@dataclass(frozen=True, slots=True)
class Checkpoint:
    position: int
    sha256: str  # the chain's link at `position`
    at: str  # when it was signed (UTC, ISO 8601)
    submission_id: str | None  # the submission it was written for, if any
    key_id: str  # which key signed it (the start of its public key's SHA-256)
    signature: str  # base64 Ed25519 over the other fields, as canonical JSON

    def signed_part(self) -> bytes:
        fields = {k: v for k, v in asdict(self).items() if k != "signature"}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


class Checkpoints:
    def __init__(self, key: Ed25519PrivateKey, directory: Path) -> None:
        self.key = key
        self.public = key.public_key()
        self.key_id = key_id(self.public)
        self.path = directory / "checkpoints.jsonl"

    def sign(self, position: int, sha256: str, submission_id: str | None = None) -> Checkpoint:
        unsigned = Checkpoint(
            position, sha256, datetime.now(UTC).isoformat(), submission_id, self.key_id, ""
        )
        signature = base64.b64encode(self.key.sign(unsigned.signed_part())).decode()
        checkpoint = Checkpoint(**{**asdict(unsigned), "signature": signature})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(asdict(checkpoint), sort_keys=True) + "\n"
        # One write in append mode: lines of several processes never interleave.
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
        try:
            os.write(descriptor, line.encode())
        finally:
            os.close(descriptor)
        return checkpoint

    def at_head(self, recorder: Any) -> Checkpoint:
        position, sha256 = head(recorder)
        return self.sign(position, sha256)

    def read(self) -> list[Checkpoint]:
        if not self.path.exists():
            return []
        found = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                found.append(Checkpoint(**json.loads(line)))
        return found

    def for_submission(self, submission_id: str) -> Checkpoint | None:
        return next((c for c in self.read() if c.submission_id == submission_id), None)

    def check(self, recorder: Any) -> list[str]:
        """What is wrong with the chain against the checkpoints ([] when nothing)."""
        problems = []
        for checkpoint in self.read():
            where = f"checkpoint of position {checkpoint.position} signed {checkpoint.at}"
            if checkpoint.key_id != self.key_id:
                problems.append(f"{where}: signed by another key ({checkpoint.key_id})")
                continue
            try:
                self.public.verify(base64.b64decode(checkpoint.signature), checkpoint.signed_part())
            except (InvalidSignature, ValueError):
                problems.append(f"{where}: the signature does not verify (the file was altered)")
                continue
            row = row_at(recorder, checkpoint.position) if checkpoint.position else None
            if checkpoint.position and row is None:
                problems.append(f"{where}: the chain has no row there any more")
            elif row is not None and row.chain_sha256 != checkpoint.sha256:
                problems.append(
                    f"{where}: the chain's link there differs from the signed one; events up "
                    "to that position were altered and the chain computed again"
                )
        return problems
