"""Reading a legacy export: its lines (UTF-8, one JSON object each, a BOM ignored), and the
plan of the whole file made before anything is written (duplicate ids, the signers to register
first, lines that must wait for another line)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from logbog_es.domain.values import Stage
from logbog_es.migration.legacy import (
    LegacyDoctor,
    LegacyLogbook,
    Person,
)
from logbog_es.migration.report import LineError, LineResult


def decode_lines(data: bytes) -> tuple[list[tuple[int, str]], list[LineResult]]:
    """The export's lines, numbered from 1, and a failed result for every line that is not
    valid UTF-8, naming the line and the byte where it breaks: nothing of such a line is
    imported (a Latin-1 export would otherwise have every æ, ø and å silently replaced).

    Only \n ends a line: JSON strings may hold U+2028 and the like. A byte-order mark before
    the first line and a \r before each \n are not part of the line."""
    chunks = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    if chunks and chunks[-1] == b"":
        chunks.pop()
    lines: list[tuple[int, str]] = []
    invalid: list[LineResult] = []
    offset = len(data) - len(data.removeprefix(b"\xef\xbb\xbf"))
    for number, chunk in enumerate(chunks, start=1):
        raw = chunk.removesuffix(b"\r")
        try:
            lines.append((number, raw.decode("utf-8")))
        except UnicodeDecodeError as error:
            message = (
                f"not valid UTF-8 at byte {error.start + 1} of the line (byte "
                f"{offset + error.start + 1} of the file): the export must be written in UTF-8 "
                "(not Latin-1 or Windows-1252); nothing of this line was imported"
            )
            invalid.append(
                LineResult(number, None, "failed", errors=[LineError(number, "(line)", message)])
            )
        offset += len(chunk) + 1
    return lines, invalid


def field_path(loc: Iterable[Any]) -> str:
    parts: list[str] = []
    for item in loc:
        parts.append(f"[{item}]" if isinstance(item, int) else ("." if parts else "") + str(item))
    return "".join(parts) or "(line)"


def _signers_of(logbook: LegacyLogbook) -> Iterator[tuple[str, Person]]:
    """Every person the logbook names as a signer, with the field path."""
    for i, p in enumerate(logbook.programmes):
        for j, emp in enumerate(p.employments):
            if emp.time_attestation is not None:
                where = f"programmes[{i}].employments[{j}].time_attestation.attested_by"
                yield where, emp.time_attestation.attested_by
        for j, approval in enumerate(p.approvals):
            at = f"programmes[{i}].approvals[{j}]"
            if approval.approver is not None:
                yield f"{at}.approver", approval.approver
            if approval.delegated_by is not None:
                yield f"{at}.delegated_by", approval.delegated_by
            if approval.withdrawn is not None and approval.withdrawn.withdrawn_by is not None:
                yield f"{at}.withdrawn.withdrawn_by", approval.withdrawn.withdrawn_by
        for j, paper in enumerate(p.paper_attestations):
            if paper.verified is not None:
                yield (
                    f"programmes[{i}].paper_attestations[{j}].verified.verified_by",
                    (paper.verified.verified_by),
                )


def _inner_ids(logbook: LegacyLogbook) -> Iterator[tuple[str, str]]:
    """Every legacy id inside the logbook, with the field path."""
    for i, p in enumerate(logbook.programmes):
        yield f"programmes[{i}].legacy_id", p.legacy_id
        lists: tuple[tuple[str, list[Any]], ...] = (
            ("employments", p.employments),
            ("approvals", p.approvals),
            ("paper_attestations", p.paper_attestations),
            ("submissions", p.submissions),
        )
        for kind, items in lists:
            for j, item in enumerate(items):
                yield f"programmes[{i}].{kind}[{j}].legacy_id", item.legacy_id


@dataclass
class Plan:
    """What a first pass over the whole file finds, before anything is written: the lines
    refused for duplicate ids (every id must be unique in the file; the first line keeps it),
    the signers every line names (registered before the lines, so that no two batches or
    workers register the same person) and the doctors the file brings (line and details)."""

    duplicates: dict[int, list[LineError]] = field(default_factory=dict)
    signers: dict[str, tuple[int, Person]] = field(default_factory=dict)
    doctors: dict[str, tuple[int, LegacyDoctor]] = field(default_factory=dict)
    signers_of_line: dict[int, set[str]] = field(default_factory=dict)
    first_hired: dict[str, date] = field(default_factory=dict)  # a doctor's first hiring date
    #: per line: the curricula (specialty code, stage, label) and departments it refers to
    references: dict[int, tuple[set[tuple[str, Stage, str]], set[str]]] = field(
        default_factory=dict
    )

    @classmethod
    def of(cls, lines: Iterable[tuple[int, str]]) -> Plan:
        plan = cls()
        first_ids: dict[str, int] = {}
        first_auths: dict[str, int] = {}
        first_inner: dict[str, tuple[int, str]] = {}
        for number, text in lines:
            try:
                logbook = LegacyLogbook.model_validate_json(text)
            except ValidationError:
                continue  # the line itself reports it
            errors: list[LineError] = []
            first = first_ids.setdefault(logbook.legacy_id, number)
            if first != number:
                errors.append(
                    LineError(
                        number,
                        "legacy_id",
                        f"duplicate legacy id {logbook.legacy_id!r} (also line {first})",
                    )
                )
            auth = logbook.doctor.authorisation_id.upper()
            known = first_auths.setdefault(auth, number)
            if known != number:
                errors.append(
                    LineError(
                        number,
                        "doctor.authorisation_id",
                        f"doctor {auth} appears twice (also line {known})",
                    )
                )
            for where, inner in _inner_ids(logbook):
                seen_line, seen_where = first_inner.setdefault(inner, (number, where))
                if (seen_line, seen_where) != (number, where):
                    also = seen_where if seen_line == number else f"line {seen_line} {seen_where}"
                    errors.append(LineError(number, where, f"duplicate id {inner!r} (also {also})"))
            if errors:
                plan.duplicates[number] = errors
                continue
            plan.doctors[auth] = (number, logbook.doctor)
            if logbook.programmes:
                plan.first_hired[auth] = min(p.hiring_date for p in logbook.programmes)
            plan.references[number] = (
                {(p.specialty_code, p.stage, p.curriculum_label) for p in logbook.programmes},
                {e.department_code for p in logbook.programmes for e in p.employments},
            )
            named = plan.signers_of_line[number] = set()
            for _, person in _signers_of(logbook):
                signer = person.authorisation_id.upper()
                named.add(signer)
                plan.signers.setdefault(signer, (number, person))
        return plan


def differences_of(
    where: str, pairs: list[tuple[str, Any, Any]], hint: str = ""
) -> list[LineError]:
    """A reference entry that names something already in the store must say the same: the
    lines are checked against the store's version, so a silent difference would refuse them
    for reasons the reference file does not show."""
    fields = [name for name, stored, given in pairs if stored != given]
    if not fields:
        return []
    return [
        LineError(
            0,
            where,
            f"differs from the one already in the store ({', '.join(fields)}); the reference "
            f"file must match the store{hint}",
        )
    ]
