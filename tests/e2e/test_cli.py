"""The `logbog` command line: tokens, operator commands, the command contract."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest
from typer.testing import CliRunner

from logbog_es.bootstrap import bootstrap
from logbog_es.cli import cli
from logbog_es.settings import Settings
from logbog_es.tokens import TokenVerifier


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOGBOG_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("LOGBOG_LOG_FORMAT", "json")
    monkeypatch.delenv("LOGBOG_DATABASE_URL", raising=False)
    return tmp_path


class TestCli:
    """What an operator or developer types at a terminal."""

    def test_token_verifies(self, env: Path) -> None:
        """`logbog token --sub X` prints a token the service accepts for subject X."""
        result = CliRunner().invoke(cli, ["token", "--sub", "someone"])
        assert result.exit_code == 0, result.output
        token = result.output.strip()
        claims = TokenVerifier(Settings()).verify(token)
        assert claims["sub"] == "someone"
        assert jwt.get_unverified_header(token)["alg"] == "EdDSA"

    def test_grant_staff_records_an_event(self, env: Path) -> None:
        """`logbog admin grant-staff` records the role; a second grant is refused with exit 1."""
        runner = CliRunner()
        args = ["admin", "grant-staff", "--sub", "sek", "--role", "secretariat", "--region", "syd"]
        first = runner.invoke(cli, args)
        assert first.exit_code == 0, first.output
        container = bootstrap(Settings(), with_tokens=False)
        try:
            actor = container.app.resolve_actor("sek")
            assert [str(g) for g in actor.grants] == ["secretariat (syd)"]
        finally:
            container.close()
        again = runner.invoke(cli, args)
        assert again.exit_code == 1
        assert "already holds" in again.output

    def test_grant_staff_bad_role(self, env: Path) -> None:
        """An unknown role is a usage error (exit 2) naming the field."""
        result = CliRunner().invoke(cli, ["admin", "grant-staff", "--sub", "x", "--role", "boss"])
        assert result.exit_code == 2
        assert "role" in result.output

    def test_token_lifetime_must_be_positive(self, env: Path) -> None:
        """A lifetime of zero or less is a usage error, not an already-expired token."""
        result = CliRunner().invoke(cli, ["token", "--sub", "x", "--ttl-hours", "0"])
        assert result.exit_code == 2
        assert "--ttl-hours" in result.output

    def test_audit_trail_filters_and_errors(self, env: Path) -> None:
        """`logbog audit trail` takes the HTTP filters; bad input exits 2, an unknown doctor 1."""
        from logbog_es.demo import load_demo
        from logbog_es.domain.doctor import doctor_id

        container = bootstrap(Settings(), with_tokens=False)
        try:
            load_demo(container.app)
        finally:
            container.close()
        trainee = str(doctor_id("DM001"))
        runner = CliRunner()
        full = runner.invoke(cli, ["audit", "trail", trainee])
        assert full.exit_code == 0, full.output
        lines = full.output.strip().splitlines()
        assert len(lines) > 3
        days = [line.split("effective ")[1][:10] for line in lines]
        window = runner.invoke(
            cli, ["audit", "trail", trainee, "--from", days[-1], "--to", days[-1]]
        )
        assert window.exit_code == 0, window.output
        kept = window.output.strip().splitlines()
        assert kept and len(kept) == days.count(days[-1])
        first = lines[0].split()[0]
        upto = runner.invoke(cli, ["audit", "trail", trainee, "--position", first])
        assert upto.exit_code == 0, upto.output
        assert upto.output.strip().splitlines() == [lines[0]]

        as_csv = runner.invoke(cli, ["audit", "trail", trainee, "--csv"])
        assert as_csv.exit_code == 0, as_csv.output
        csv_lines = as_csv.output.lstrip("\ufeff").splitlines()
        assert csv_lines[0].startswith("Position;Registreret;Gælder fra")  # as over HTTP
        assert len(csv_lines) == len(lines) + 1

        by_authorisation = runner.invoke(cli, ["audit", "trail", "dm001"])
        assert by_authorisation.exit_code == 0, by_authorisation.output
        assert by_authorisation.output == full.output
        assert runner.invoke(cli, ["audit", "trail", "not-an-id"]).exit_code == 2
        bad_day = runner.invoke(cli, ["audit", "trail", trainee, "--from", "1/5/2026"])
        assert bad_day.exit_code == 2
        assert "YYYY-MM-DD" in bad_day.output
        unknown = runner.invoke(cli, ["audit", "trail", "00000000-0000-0000-0000-000000000001"])
        assert unknown.exit_code == 1
        assert "no doctor" in unknown.output
        reversed_period = runner.invoke(
            cli, ["audit", "trail", trainee, "--from", "2026-05-01", "--to", "2026-04-01"]
        )
        assert reversed_period.exit_code == 1
        assert "before it starts" in reversed_period.output

    def test_schemas_check(self) -> None:
        """`logbog schemas check` passes on the committed contract."""
        result = CliRunner().invoke(cli, ["schemas", "check"])
        assert result.exit_code == 0, result.output

    def test_production_refuses_insecure_defaults(
        self, env: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """LOGBOG_ENV=production without IdP keys and cipher key does not start."""
        monkeypatch.setenv("LOGBOG_ENV", "production")
        monkeypatch.setenv("LOGBOG_CIPHER_KEY", "not-to-be-echoed")
        result = CliRunner().invoke(cli, ["token", "--sub", "x"])
        assert result.exit_code == 2
        assert "JWKS" in result.output
        assert "not-to-be-echoed" not in result.output  # the error never repeats the input

    def test_an_unreachable_database_is_one_line(
        self, env: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("LOGBOG_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/test")
        result = CliRunner().invoke(cli, ["projections", "status"])
        assert result.exit_code == 1
        assert result.output.startswith("cannot open the store: ")
        assert "LOGBOG_DATABASE_URL" in result.output
        assert "Traceback" not in result.output

    def test_a_reference_that_differs_is_named_on_the_terminal(self, env: Path) -> None:
        """The reference file's own text (here `[kbu/2019]`) reaches the terminal as written,
        and running the same reference twice is accepted (names are compared as stored)."""
        import json

        from logbog_es.migration.generate import reference

        ref = reference()
        ref["departments"][0]["name"] = "  Medicinsk afdeling  "
        path = env / "reference.json"
        path.write_text(json.dumps(ref), encoding="utf-8")
        export = env / "export.jsonl"
        export.write_text(
            '{"legacy_id": "X1", "doctor": {"authorisation_id": null, "name": "A"}}\n',
            encoding="utf-8",
        )
        args = ["import", "legacy", str(export), "--reference", str(path)]
        for _ in range(2):  # an authorisation id of null fails its line, not the run
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 1, result.output
            assert "line 1: doctor.authorisation_id" in result.output
        ref["curricula"][0]["nominal_duration_months"] += 1
        path.write_text(json.dumps(ref), encoding="utf-8")
        refused = CliRunner().invoke(cli, args)
        assert refused.exit_code == 2
        label = ref["curricula"][0]["label"]
        assert f"reference.curricula[kbu/{label}]: differs" in refused.output

    def test_a_bad_database_url_is_a_configuration_error(
        self, env: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A schema name that is no plain identifier: exit 2, one line, no password echoed."""
        monkeypatch.setenv(
            "LOGBOG_DATABASE_URL", "postgresql://svc:hemmeligt@127.0.0.1/test?schema=my-Schema"
        )
        result = CliRunner().invoke(cli, ["projections", "status"])
        assert result.exit_code == 2
        assert "schema 'my-Schema' must be lower-case letters" in result.output
        assert "hemmeligt" not in result.output
        assert "Traceback" not in result.output
        # A password with an unescaped slash: urlparse takes its first part for the port.
        monkeypatch.setenv("LOGBOG_DATABASE_URL", "postgresql://svc:hemme/ligt@db.example/x")
        result = CliRunner().invoke(cli, ["projections", "status"])
        assert result.exit_code == 2
        assert "percent-encode" in result.output
        assert "hemme" not in result.output


class TestImportCli:
    """`logbog import legacy`: summary, report file, exit code."""

    def test_a_line_not_in_utf8_is_reported_and_not_imported(self, env: Path) -> None:
        """A Latin-1 line is named with its byte offset and nothing of it is imported; the
        other lines are (issue 15, item 7: it was silently 'repaired' before)."""
        import json
        import random

        from logbog_es.migration.generate import logbook, reference

        rng = random.Random(7)
        books = [logbook(i, rng) for i in range(3)]
        encoded = [json.dumps(b, ensure_ascii=False).encode("utf-8") for b in books]
        books[1]["programmes"][0]["approvals"][0]["note"] = "Sikker vurdering på stuegang"
        latin = json.dumps(books[1], ensure_ascii=False).encode("latin-1")
        export = env / "latin.jsonl"
        export.write_bytes(encoded[0] + b"\n" + latin + b"\n" + encoded[2] + b"\n")
        ref = env / "reference.json"
        ref.write_text(json.dumps(reference()), encoding="utf-8")
        report = env / "report.json"
        args = ["import", "legacy", str(export), "--reference", str(ref), "--report", str(report)]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, result.output
        body = json.loads(report.read_text(encoding="utf-8"))
        assert body["summary"]["imported"] == 2
        (failed,) = [line for line in body["lines"] if line["status"] == "failed"]
        assert failed["line"] == 2
        at = next(i for i, byte in enumerate(latin) if byte >= 0x80) + 1  # the first æ, ø, å
        message = failed["errors"][0]["message"]
        assert f"not valid UTF-8 at byte {at} of the line" in message
        assert f"(byte {len(encoded[0]) + 1 + at} of the file)" in message

    def test_import_report_and_exit_code(self, env: Path) -> None:
        """A file with one bad line exits 1 and the report names it; a second run skips."""
        import json
        import random

        from logbog_es.migration.generate import logbook, reference

        rng = random.Random(5)
        books = [logbook(i, rng) for i in range(3)]
        # A line separator inside a JSON string (written unescaped) does not end the line, and
        # Windows line ends are read as well.
        books[1]["programmes"][0]["approvals"][0]["note"] = "første linje\u2028anden linje"
        lines = [json.dumps(b, ensure_ascii=False) for b in books] + ["{broken"]
        export = env / "export.jsonl"
        export.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig", newline="")
        ref = env / "reference.json"
        ref.write_text(json.dumps(reference()), encoding="utf-8")
        report = env / "report.json"
        args = ["import", "legacy", str(export), "--reference", str(ref), "--report", str(report)]
        first = CliRunner().invoke(cli, args)
        assert first.exit_code == 1, first.output
        body = json.loads(report.read_text(encoding="utf-8"))
        assert body["summary"]["imported"] == 3
        assert body["lines"][0]["line"] == 4
        assert "bad JSON" in body["lines"][0]["errors"][0]["message"]
        # Provenance: every imported entry of the history names the file it came from, in the
        # CSV export and the printed trail; a legacy approval is told apart from a Logbog one.
        import csv
        import hashlib
        import io

        source = hashlib.sha256(export.read_bytes()).hexdigest()[:12]
        authorisation = books[0]["doctor"]["authorisation_id"]
        trail = CliRunner().invoke(cli, ["audit", "trail", authorisation, "--csv"])
        assert trail.exit_code == 0, trail.output
        rows = list(csv.DictReader(io.StringIO(trail.output.lstrip("\ufeff")), delimiter=";"))
        origin = "Overført fra den gamle logbog (fil)"
        approvals = [r for r in rows if r["Hændelsestype"].endswith("CompetencyApproved")]
        assert approvals and all(r[origin] == f"export.jsonl ({source})" for r in approvals), (
            approvals[:2]
        )
        printed = CliRunner().invoke(cli, ["audit", "trail", authorisation]).output
        assert f"[imported from the old logbook: export.jsonl ({source})]" in printed
        dry = CliRunner().invoke(
            cli, ["import", "legacy", str(export), "--dry-run", "--report", str(report)]
        )
        assert json.loads(report.read_text(encoding="utf-8"))["summary"]["skipped"] == 3
        assert dry.exit_code == 1
