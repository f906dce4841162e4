"""Importing legacy logbooks: atomic per doctor, idempotent, every bad line reported exactly."""

from __future__ import annotations

import copy
import json
import random
from datetime import date
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from logbog_es.application.chain import verify
from logbog_es.application.history import history
from logbog_es.bootstrap import Container
from logbog_es.domain.base import stable_id
from logbog_es.domain.department import department_id
from logbog_es.domain.doctor import Doctor, doctor_id
from logbog_es.domain.programme import Programme
from logbog_es.migration.generate import logbook, reference
from logbog_es.migration.importer import Importer
from logbog_es.migration.legacy import Reference
from logbog_es.migration.parallel import import_lines
from logbog_es.migration.report import LineError, LineRejected, Report
from logbog_es.projections import programme_progress


def _lines(books: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [(n, json.dumps(b, ensure_ascii=False)) for n, b in enumerate(books, start=1)]


def _import(
    container: Container,
    lines: list[tuple[int, str]],
    *,
    dry_run: bool = False,
    batch_size: int = 3,
) -> Report:
    importer = Importer(
        container.app, file_sha256="ab" * 32, dry_run=dry_run, batch_size=batch_size
    )
    importer.load_reference(Reference.model_validate(reference()))
    return importer.run(lines)


def _signer_ids(books: list[dict[str, Any]]) -> set[str]:
    """Every authorisation id named below the books' programmes (the signers)."""
    named: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "authorisation_id" in node:
                named.add(node["authorisation_id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk([b["programmes"] for b in books])
    return named


def _books(count: int, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [logbook(i, rng) for i in range(count)]


class TestBadLines:
    """A file with every kind of bad line imports its good lines and reports each bad one."""

    def _bad_file(self) -> list[tuple[int, str]]:
        good = _books(4)
        bad: list[dict[str, Any]] = []
        for index, change in enumerate(
            [
                lambda b: b["programmes"][0].__setitem__("specialty_code", "ortopaedi"),
                lambda b: b["programmes"][0]["employments"][0].__setitem__(
                    "department_code", "NOPE"
                ),
                lambda b: b["programmes"][0].__setitem__("curriculum_label", "1999"),
                lambda b: b["programmes"][0]["approvals"][0].__setitem__(
                    "assessed_on", "2001-01-01"
                ),
                lambda b: b["programmes"][0]["approvals"][1].pop("approver"),
                lambda b: b["programmes"][0]["approvals"][1].__setitem__(
                    "legacy_id", b["programmes"][0]["approvals"][0]["legacy_id"]
                ),
                lambda b: b["doctor"].pop("name"),
            ]
        ):
            book = copy.deepcopy(_books(20 + index, seed=index)[-1])
            book["legacy_id"] = f"BAD-{index}"
            book["doctor"]["authorisation_id"] = f"B{index:04d}"
            change(book)
            bad.append(book)
        dup_legacy = copy.deepcopy(good[0])
        dup_legacy["doctor"]["authorisation_id"] = "DUP01"
        dup_auth = copy.deepcopy(good[1])
        dup_auth["legacy_id"] = "OTHER-ID"
        lines = _lines([good[0], good[1], *bad, good[2], good[3], dup_legacy, dup_auth])
        lines.insert(3, (len(lines) + 1, "{not json"))
        return [(n, text) for n, (_, text) in enumerate(lines, start=1)]

    def test_good_lines_in_bad_lines_reported_second_run_writes_nothing(
        self, container: Container
    ) -> None:
        """Exactly the good lines are imported; each bad line names its line, path and fault."""
        lines = self._bad_file()
        report = _import(container, lines)
        by_line = {r.line: r for r in report.results}
        assert report.count("imported") == 4
        expected = {
            4: ("(line)", "bad JSON"),
            3: ("programmes[0].specialty_code", "unknown specialty 'ortopaedi'"),
            5: ("programmes[0].employments[0].department_code", "unknown department 'NOPE'"),
            6: ("programmes[0].curriculum_label", "labelled '1999'"),
            7: ("programmes[0].approvals[0].assessed_on", "outside every employment"),
            8: ("programmes[0].approvals[1].approver", "cannot be identified"),
            9: ("programmes[0].approvals[1].legacy_id", "duplicate id"),
            10: ("doctor.name", "Field required"),
            13: ("legacy_id", "duplicate legacy id 'LB-000000' (also line 1)"),
            14: ("doctor.authorisation_id", "appears twice (also line 2)"),
        }
        for line, (path, fragment) in expected.items():
            result = by_line[line]
            assert result.status == "failed", (line, result)
            assert any(e.path == path and fragment in e.message for e in result.errors), (
                line,
                result.errors,
            )
        position = container.app.position()
        again = _import(container, lines)
        assert container.app.position() == position
        assert again.count("skipped") == 4
        assert again.count("imported") == 0
        assert verify(container.app.recorder).intact

    def test_a_changed_line_is_a_conflict(self, container: Container) -> None:
        """The same doctor with different content is never imported twice."""
        books = _books(2)
        _import(container, _lines(books))
        books[1]["programmes"][0]["courses"].pop()
        report = _import(container, _lines(books))
        assert [r.status for r in report.results] == ["skipped", "conflict"]

    def test_dry_run_writes_nothing(self, container: Container) -> None:
        """A dry run validates everything and reports what it would do."""
        before = container.app.position()
        report = Importer(container.app, file_sha256="cd" * 32, dry_run=True).run(_lines(_books(3)))
        # Without the reference the curricula are unknown: reported, nothing written.
        assert report.count("failed") == 3
        assert container.app.position() == before

    def test_without_the_reference_nothing_is_written(self, container: Container) -> None:
        """Forgetting --reference on a fresh store: every line fails on its unknown specialty,
        and no signer is registered for lines that cannot be imported."""
        before = container.app.position()
        report = Importer(container.app, file_sha256="cd" * 32).run(_lines(_books(3)))
        assert [r.status for r in report.results] == ["failed"] * 3
        assert "unknown specialty 'kbu'" in report.results[0].errors[0].message
        assert report.signers == 0
        assert container.app.position() == before

    def test_dry_run_on_a_fresh_store_validates_against_the_reference(
        self, container: Container
    ) -> None:
        """With a reference file, a dry run on an empty store says what it would import, then
        the real run imports exactly that; the dry run writes nothing."""
        before = container.app.position()
        books = _books(3)
        dry = _import(container, _lines(books), dry_run=True)
        assert [r.status for r in dry.results] == ["would-import"] * 3
        assert container.app.position() == before
        real = _import(container, _lines(books))
        assert [r.status for r in real.results] == ["imported"] * 3
        assert real.events == dry.events

    def test_a_bad_reference_curriculum_is_rejected_whole(self, container: Container) -> None:
        """A curriculum the domain refuses names where it is and writes no reference data."""
        bad = reference()
        bad["curricula"][0]["effective_from"] = "1990-01-01"  # before the specialty's logbook
        importer = Importer(container.app, file_sha256="ef" * 32)
        before = container.app.position()
        with pytest.raises(LineRejected) as rejected:
            importer.load_reference(Reference.model_validate(bad))
        assert rejected.value.errors[0].path.startswith("reference.curricula[")
        assert container.app.position() == before


class TestPlan:
    """A first pass over the whole file: ids unique in the file, signers registered first."""

    def test_an_id_used_by_two_lines_fails_the_second(self, memory_container: Container) -> None:
        """Every legacy id must be unique in the file; the first line keeps it, the second
        names both places (never two doctors' aggregates under one id)."""
        books = _books(3)
        books[2]["programmes"][0]["approvals"][0]["legacy_id"] = books[0]["programmes"][0][
            "approvals"
        ][3]["legacy_id"]
        report = _import(memory_container, _lines(books))
        assert [r.status for r in report.results] == ["imported", "imported", "failed"]
        assert report.results[2].errors == [
            LineError(
                3,
                "programmes[0].approvals[0].legacy_id",
                f"duplicate id {books[0]['programmes'][0]['approvals'][3]['legacy_id']!r} "
                "(also line 1 programmes[0].approvals[3].legacy_id)",
            )
        ]

    def test_a_signer_who_is_a_doctor_of_the_file_keeps_their_own_details(
        self, memory_container: Container
    ) -> None:
        """A trainee of line 2 approved something on line 1: they are registered once, from
        their own line (e-mail and CPR kept), whatever the order of the lines."""
        books = _books(2)
        colleague = books[1]["doctor"]
        colleague["cpr"] = "010190-1234"
        books[0]["programmes"][0]["approvals"][0]["approver"] = {
            "authorisation_id": colleague["authorisation_id"],
            "name": "Name as the approval spells it",
        }
        report = _import(memory_container, _lines(books), batch_size=1)
        assert [r.status for r in report.results] == ["imported", "imported"]
        doctor = memory_container.app.repository.get(doctor_id(colleague["authorisation_id"]))
        assert isinstance(doctor, Doctor)
        assert (doctor.name, doctor.email) == (colleague["name"], colleague["email"])
        assert doctor.cpr is not None
        named = _signer_ids(books)
        assert colleague["authorisation_id"] in named
        assert report.signers == len(named)
        registered = [
            s
            for s in memory_container.app.recorder.select_events(doctor.id)
            if s.topic == "logbog:Doctor.Registered"
        ]
        assert len(registered) == 1


class TestEdges:
    """Found in review: each of these lost or mixed up data before."""

    def test_a_refused_line_leaves_nothing_on_its_doctor(self, container: Container) -> None:
        """Line 2's doctor (blank name: cannot be registered in advance) signs line 1 in the
        same batch; line 2 is refused, and its programme is not left on the doctor."""
        books = _books(2)
        books[1]["doctor"]["name"] = " "
        books[0]["programmes"][0]["approvals"][0]["approver"] = {
            "authorisation_id": books[1]["doctor"]["authorisation_id"],
            "name": "Kollega",
        }
        report = _import(container, _lines(books))
        assert [r.status for r in report.results] == ["imported", "failed"]
        assert report.results[1].errors[0].path == "doctor"
        doctor = container.app.repository.get(doctor_id(books[1]["doctor"]["authorisation_id"]))
        assert isinstance(doctor, Doctor)
        assert doctor.programmes == ()
        books[1]["doctor"]["name"] = "Rettet Navn"
        again = _import(container, _lines(books))
        assert [r.status for r in again.results] == ["skipped", "imported"]

    def test_a_signer_of_an_earlier_file_gets_their_contact_details(
        self, container: Container
    ) -> None:
        """A doctor registered as a signer by an earlier file (no e-mail, no CPR) gets both
        from their own line in a later file; an invalid CPR there fails that line."""
        books = _books(2)
        colleague = books[1]["doctor"]
        books[0]["programmes"][0]["approvals"][0]["approver"] = {
            "authorisation_id": colleague["authorisation_id"],
            "name": colleague["name"],
        }
        _import(container, _lines(books[:1]))
        pid = doctor_id(colleague["authorisation_id"])
        signer = container.app.repository.get(pid)
        assert (signer.email, signer.cpr) == ("", None)
        colleague["cpr"] = "not a cpr"
        refused = _import(container, _lines(books[1:]))
        assert refused.results[0].status == "failed"
        assert refused.results[0].errors[0].path == "doctor"
        colleague["cpr"] = "010190-1234"
        later = _import(container, _lines(books[1:]))
        assert later.results[0].status == "imported"
        doctor = container.app.repository.get(pid)
        assert (doctor.email, doctor.cpr) == (colleague["email"], "010190-1234")
        told = history(container.app, pid)
        assert "logbog:Doctor.ContactDetailsRecorded" in {e.type for e in told.entries}
        other = copy.deepcopy(books[1])  # the same authorisation id with another CPR number
        other["legacy_id"] = "LB-elsewhere"
        other["doctor"]["cpr"] = "020290-5678"
        mixed_up = _import(container, _lines([other]))
        assert mixed_up.results[0].status == "failed"
        assert mixed_up.results[0].errors[0].path == "doctor.cpr"
        assert "020290" not in mixed_up.results[0].errors[0].message
        assert container.app.repository.get(pid).cpr == "010190-1234"

    def test_a_line_refused_as_a_duplicate_registers_nobody(self, container: Container) -> None:
        """Line 2 repeats line 1's legacy id with another doctor, whom line 3 names as a
        signer: that doctor is registered from line 3's signer entry, not from line 2."""
        books = _books(3)
        books[1]["legacy_id"] = books[0]["legacy_id"]
        books[2]["programmes"][0]["approvals"][0]["approver"] = {
            "authorisation_id": books[1]["doctor"]["authorisation_id"],
            "name": "Som underskriver",
        }
        books[1]["programmes"][0]["legacy_id"] = "PR-other"
        report = _import(container, _lines(books))
        assert [r.status for r in report.results] == ["imported", "failed", "imported"]
        doctor = container.app.repository.get(doctor_id(books[1]["doctor"]["authorisation_id"]))
        assert (doctor.name, doctor.email, doctor.cpr) == ("Som underskriver", "", None)

    def test_a_dry_run_counts_what_the_real_run_writes(self, container: Container) -> None:
        """A signer who is registered by a line (not in advance) counts once, in both."""
        books = _books(5)
        books[4]["doctor"]["name"] = " "  # cannot be registered in advance ...
        for book in books[:4]:  # ... and signs in every batch
            book["programmes"][0]["approvals"][0]["approver"] = {
                "authorisation_id": books[4]["doctor"]["authorisation_id"],
                "name": "Kollega",
            }
        dry = _import(container, _lines(books), dry_run=True, batch_size=2)
        real = _import(container, _lines(books), batch_size=2)
        assert [(r.status, r.events) for r in dry.results] == [
            ("would-import" if r.status == "imported" else r.status, r.events) for r in real.results
        ]
        assert dry.events == real.events

    def test_lines_the_json_parser_refuses_are_reported(self, container: Container) -> None:
        """A number of 5,000 digits and nesting 100,000 deep fail their lines only."""
        books = _books(1)
        lines = [
            (1, '{"legacy_id": ' + "9" * 5000 + "}"),
            (2, "[" * 100_000 + "]" * 100_000),
            (3, json.dumps(books[0])),
        ]
        report = _import(container, lines)
        assert [r.status for r in report.results] == ["failed", "failed", "imported"]
        assert all(r.errors[0].message.startswith("bad JSON") for r in report.results[:2])

    def test_an_id_imported_by_another_file_fails_only_its_line(self, container: Container) -> None:
        """A programme's legacy id already imported (from another doctor's line in an earlier
        file) refuses that line; the other lines of its batch are imported."""
        books = _books(4)
        _import(container, _lines(books[:1]))
        books[2]["programmes"][0]["legacy_id"] = books[0]["programmes"][0]["legacy_id"]
        report = _import(container, _lines(books[1:]), batch_size=10)
        assert [r.status for r in report.results] == ["imported", "failed", "imported"]
        assert report.results[1].errors[0].path == "programmes[0].legacy_id"


def test_a_signer_registered_meanwhile_does_not_stop_the_others(
    memory_container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone registers one of the file's signers between the check and the save: the other
    signers are still registered, one by one, and every line is imported."""
    from logbog_es.domain.base import Meta
    from logbog_es.domain.values import Capacity
    from logbog_es.migration import importer as module

    books = _books(3)
    signer = books[0]["programmes"][0]["approvals"][0]["approver"]
    meta = Meta("someone", Capacity.SECRETARIAT, "elsewhere")
    memory_container.app.save(
        Doctor.register(
            authorisation_id=signer["authorisation_id"],
            name=signer["name"],
            email="set@example.dk",
            cpr=None,
            meta=meta,
        )
    )
    monkeypatch.setattr(module, "existing_streams", lambda *_: set())
    report = _import(memory_container, _lines(books))
    assert [r.status for r in report.results] == ["imported"] * 3
    assert report.signers == len(_signer_ids(books)) - 1  # not the one registered meanwhile
    doctor = memory_container.app.repository.get(doctor_id(signer["authorisation_id"]))
    assert doctor.email == "set@example.dk"


def test_an_imported_submission_and_withdrawal_read_well(memory_container: Container) -> None:
    """An auditor reads an imported submission (not rebuilt: its document is in the old
    archive; no PDF, a 409 that says why) and the history names it and the withdrawn
    competency."""
    from fastapi.testclient import TestClient

    from logbog_es.api.app import create_app
    from logbog_es.commands import GrantStaff
    from logbog_es.tokens import LocalIssuer
    from tests.helpers import OPERATOR

    books = _books(4)  # line 1 withdraws an approval, line 4 was sent to STPS
    sent = books[3]["programmes"][0]["submissions"][0]
    withdrawn = next(a for a in books[0]["programmes"][0]["approvals"] if "withdrawn" in a)
    report = _import(memory_container, _lines(books))
    assert report.count("imported") == 4
    app = memory_container.app
    app.execute(GrantStaff.model_validate({"subject": "stps", "role": "auditor"}), OPERATOR)
    submission_id = stable_id("submission", f"legacy:{sent['legacy_id']}")
    auth = {"Authorization": f"Bearer {LocalIssuer(memory_container.settings).issue('stps')}"}
    with TestClient(create_app(memory_container, run_projections=False)) as client:
        shown = client.get(f"/submissions/{submission_id}", headers=auth)
        assert shown.status_code == 200, shown.text
        assert shown.json()["reproducible"] is None
        assert shown.json()["package"]["legacy_id"] == sent["legacy_id"]
        pdf = client.get(
            f"/submissions/{submission_id}", headers=auth | {"Accept": "application/pdf"}
        )
        assert pdf.status_code == 409, pdf.text
        assert sent["legacy_id"] in pdf.json()["detail"]
        assert "old system's archive" in pdf.json()["detail"]
    trainee = doctor_id(books[3]["doctor"]["authorisation_id"])
    texts = [e.text for e in history(app, trainee).entries]
    assert any(
        "submitted through the old logbook" in t and sent["legacy_id"] in t for t in texts
    ), texts
    first = doctor_id(books[0]["doctor"]["authorisation_id"])
    assert any(
        f"approval of competency {withdrawn['competency_code']} withdrawn" in e.text
        for e in history(app, first).entries
    )


@pytest.mark.postgres
def test_parallel_import_writes_what_one_process_writes(
    tmp_path: Any, clock: Any, pg_schemas: Any
) -> None:
    """Two worker processes import the same streams and versions as one process does, every
    doctor once, the chain intact; lines that could collide (a doctor of the file who signs,
    a duplicate id) are imported by the main process; a second run skips everything."""
    from tests.conftest import make_container

    books = _books(24)
    books[5]["programmes"][0]["approvals"][0]["approver"] = {
        "authorisation_id": books[17]["doctor"]["authorisation_id"],
        "name": "Kollega",
    }
    books[9]["doctor"]["cpr"] = "not a cpr"  # cannot register in advance: line 10 fails
    books[3]["programmes"][0]["approvals"][1]["approver"] = {
        "authorisation_id": books[9]["doctor"]["authorisation_id"],
        "name": "Kollega med fejl",
    }
    books[20]["programmes"][0]["legacy_id"] = books[2]["programmes"][0]["legacy_id"]
    lines = _lines(books)
    stores = [make_container("postgres", tmp_path / f"s{i}", clock, pg_schemas) for i in (1, 2)]
    try:
        reports = []
        for container, workers in zip(stores, (1, 2), strict=True):
            importer = Importer(container.app, file_sha256="ab" * 32, batch_size=4)
            importer.load_reference(Reference.model_validate(reference()))
            assert importer.parallel(workers, len(lines)) == (workers == 2)
            reports.append(import_lines(importer, lines, workers=workers))
        serial, parallel = reports
        assert [(r.line, r.status, r.events) for r in parallel.results] == [
            (r.line, r.status, r.events) for r in serial.results
        ]
        assert {r.line for r in parallel.results if r.status == "failed"} == {10, 21}
        assert parallel.count("imported") == 22

        def events(container: Container) -> set[tuple[str, int, str]]:
            return {
                (str(n.originator_id), n.originator_version, n.topic)
                for n in container.app.recorder.select_notifications(1, 1_000_000)
            }

        assert events(stores[1]) == events(stores[0])
        assert verify(stores[1].app.recorder).intact
        position = stores[1].app.position()
        importer = Importer(stores[1].app, file_sha256="ab" * 32, batch_size=4)
        again = import_lines(importer, lines, workers=2)
        assert again.count("skipped") == 22
        assert stores[1].app.position() == position
    finally:
        for container in stores:
            container.close()


def test_a_reference_that_differs_from_the_store_is_refused(memory_container: Container) -> None:
    """A reference curriculum or department that the store already has in another form is
    named, and nothing is written (the lines would otherwise be checked against the store's
    version and refused for reasons the reference file does not show)."""
    from logbog_es.demo import load_demo

    load_demo(memory_container.app)
    before = memory_container.app.position()
    changed = reference()
    changed["departments"][0]["name"] = "Et andet navn"
    importer = Importer(memory_container.app, file_sha256="ab" * 32)
    with pytest.raises(LineRejected) as refused:
        importer.load_reference(Reference.model_validate(changed))
    paths = {e.path: e.message for e in refused.value.errors}
    assert "competencies" in paths["reference.curricula[kbu/2019]"]  # the demo's KBU 2019
    assert memory_container.app.position() == before
    same = Importer(memory_container.app, file_sha256="ab" * 32)
    unchanged = reference()
    unchanged["curricula"] = [c for c in unchanged["curricula"] if c["label"] != "2019"]
    done = same.load_reference(Reference.model_validate(unchanged))
    assert done  # what the store lacks is registered once nothing differs
    again = Importer(memory_container.app, file_sha256="ab" * 32)
    assert again.load_reference(Reference.model_validate(unchanged)) == []
    changed_department = copy.deepcopy(unchanged)
    code = changed_department["departments"][0]["code"]
    changed_department["departments"][0]["name"] = "Et andet navn"
    with pytest.raises(LineRejected) as refused:
        again.load_reference(Reference.model_validate(changed_department))
    assert (
        "(name)"
        in {e.path: e.message for e in refused.value.errors}[f"reference.departments[{code}]"]
    )


class TestRestart:
    """A run killed halfway and started again imports every doctor exactly once."""

    def test_killed_halfway(self, container: Container) -> None:
        """Batches saved before the kill are skipped; the rest are imported once."""
        lines = _lines(_books(10))

        class Killed(Exception):
            pass

        importer = Importer(container.app, file_sha256="ef" * 32, batch_size=3)
        importer.load_reference(Reference.model_validate(reference()))
        seen = 0

        def die(_: object) -> None:
            nonlocal seen
            seen += 1
            if seen == 5:
                raise Killed

        with pytest.raises(Killed):
            importer.run(lines, progress=die)
        report = _import(container, lines)
        assert report.count("skipped") + report.count("imported") == 10
        assert report.count("skipped") >= 3
        for n in range(10):
            registered = list(container.app.recorder.select_events(doctor_id(f"T{n:04X}"[-5:])))
            assert registered[0].originator_version == 1
            assert sum(1 for s in registered if s.topic == "logbog:Doctor.Registered") == 1
        assert verify(container.app.recorder).intact


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 5000), st.integers(0, 2**16))
@example(0, 1)  # index 0: an absence, a withdrawn approval, a verified paper attestation
def test_imported_facts_read_back(index: int, seed: int) -> None:
    """Approvals (code, date, approver, capacity), courses and time attestations of a generated
    logbook read back the same from the aggregates, the history and the progress read model."""
    import tempfile
    from pathlib import Path

    from logbog_es.bootstrap import bootstrap
    from logbog_es.settings import Settings, Storage

    tmp = Path(tempfile.mkdtemp())
    container = bootstrap(
        Settings(var_dir=tmp, demo_data=False),
        storage=Storage("memory", sqlite_read=tmp / "read.sqlite"),
        today=lambda: date(2026, 6, 15),
        with_tokens=False,
    )
    try:
        book = logbook(index, random.Random(seed))
        report = _import(container, _lines([book]))
        assert report.count("imported") == 1, report.results
        legacy = book["programmes"][0]
        trainee = container.app.repository.get(doctor_id(book["doctor"]["authorisation_id"]))
        assert isinstance(trainee, Doctor)
        programme = container.app.repository.get(trainee.programmes[0].programme_id)
        assert isinstance(programme, Programme)
        expected = {
            (
                a["competency_code"],
                a["assessed_on"],
                a["approver"]["authorisation_id"],
                a["capacity"],
            )
            for a in legacy["approvals"]
            if "withdrawn" not in a
        }
        actual = set()
        for approval in programme.approvals:
            if approval.withdrawn:
                continue
            approver = container.app.repository.get(approval.approver_id)
            actual.add(
                (
                    approval.competency_code,
                    approval.assessed_on.isoformat(),
                    approver.authorisation_id,
                    approval.capacity.value,
                )
            )
        assert actual == expected
        assert {c: v.completed_on.isoformat() for c, v in programme.courses.items()} == {
            c["course_code"]: c["completed_on"] for c in legacy["courses"]
        }
        attested = {e["legacy_id"] for e in legacy["employments"] if e.get("time_attestation")}
        assert len(programme.time_attestations) == len(attested)
        told = history(container.app, trainee.id)
        registered = [e for e in told.entries if e.type == "logbog:Doctor.Registered"]
        assert [e.effective_on.isoformat() for e in registered] == [
            min(p["hiring_date"] for p in book["programmes"])
        ]
        actors = {
            topic: sorted(e.actor_id for e in told.entries if e.type == f"logbog:Programme.{topic}")
            for topic in ("CompetencyApproved", "EmploymentTimeAttested")
        }
        assert actors["CompetencyApproved"] == sorted(
            str(doctor_id(a["approver"]["authorisation_id"])) for a in legacy["approvals"]
        )
        assert actors["EmploymentTimeAttested"] == sorted(
            str(doctor_id(e["time_attestation"]["attested_by"]["authorisation_id"]))
            for e in legacy["employments"]
            if e.get("time_attestation")
        )
        withdrawn = [
            (e.actor_id, e.actor_name)
            for e in told.entries
            if e.type == "logbog:Programme.ApprovalWithdrawn"
        ]
        assert sorted(withdrawn) == sorted(
            (
                str(doctor_id(a["withdrawn"]["withdrawn_by"]["authorisation_id"])),
                a["withdrawn"]["withdrawn_by"]["name"],
            )
            if a["withdrawn"].get("withdrawn_by")
            else ("import:" + "ab" * 6, None)
            for a in legacy["approvals"]
            if "withdrawn" in a
        )
        view = told.logbook.programmes[str(programme.id)]
        assert {(a.competency_code, a.assessed_on) for a in view.approvals.values()} == {
            (e[0], e[1]) for e in expected
        }
        container.runner.catch_up()
        row = programme_progress.progress(container.read_store, str(programme.id))
        assert row is not None
        codes = {e[0] for e in expected}
        papers = {p["code"] for p in legacy["paper_attestations"] if p.get("verified")}
        assert row["competencies_approved"] == len(codes | papers)
        assert row["courses_done"] == len(legacy["courses"])
        # Time: each employment's department, dates (an extension moves the end) and absences,
        # and who attested it, as in the old logbook.
        departments = {d["code"]: department_id(d["code"]) for d in reference()["departments"]}
        assert {
            (e.department_id, e.start.isoformat(), e.end.isoformat(), e.percent)
            for e in programme.employments
        } == {
            (
                departments[e["department_code"]],
                e["start"],
                e.get("extended_to") or e["end"],
                e.get("percent", 100),
            )
            for e in legacy["employments"]
        }
        assert sorted(
            (a.first_day.isoformat(), a.last_day.isoformat())
            for spells in programme.absences.values()
            for a in spells
        ) == sorted(
            (a["first_day"], a["last_day"])
            for e in legacy["employments"]
            for a in e.get("absences", [])
        )
        assert {
            (t.attested_by, t.attested_on.isoformat()) for t in programme.time_attestations.values()
        } == {
            (
                doctor_id(e["time_attestation"]["attested_by"]["authorisation_id"]),
                e["time_attestation"]["attested_on"],
            )
            for e in legacy["employments"]
            if e.get("time_attestation")
        }
    finally:
        container.close()


class TestDecodingLines:
    """The export's bytes into numbered lines (issue 15, item 7)."""

    def test_lines_bom_crlf_and_separators(self) -> None:
        from logbog_es.migration.reading import decode_lines

        data = '\ufeff{"a": "x\u2028y"}\r\n\n{"b": 1}\n'.encode()
        lines, invalid = decode_lines(data)
        assert lines == [(1, '{"a": "x\u2028y"}'), (2, ""), (3, '{"b": 1}')]
        assert invalid == []

    def test_invalid_bytes_name_line_and_offset(self) -> None:
        from logbog_es.migration.reading import decode_lines

        data = b'{"ok": 1}\n{"name": "S\xf8ren"}\n{"ok": 2}'
        lines, invalid = decode_lines(data)
        assert [n for n, _ in lines] == [1, 3]
        (bad,) = invalid
        assert bad.line == 2
        assert bad.status == "failed"
        assert "byte 12 of the line (byte 22 of the file)" in bad.errors[0].message


class TestCprOnce:
    """One CPR number, one doctor, in an import as in a registration (issue 15, item 8)."""

    @pytest.mark.parametrize("batch_size", [2, 3])  # the holder in an earlier batch, or this one
    def test_the_second_line_with_a_held_number_fails(
        self, memory_container: Container, batch_size: int
    ) -> None:
        books = _books(3, seed=11)
        books[2]["doctor"]["cpr"] = books[0]["doctor"]["cpr"] = "030390-1234"
        report = _import(memory_container, _lines(books), batch_size=batch_size)
        statuses = [r.status for r in report.results]
        assert statuses == ["imported", "imported", "failed"]
        (error,) = report.results[2].errors
        assert error.path == "doctor.cpr"
        assert "030390" not in error.message
        assert (
            memory_container.app.find(Doctor, doctor_id(books[2]["doctor"]["authorisation_id"]))
            is None
        )
