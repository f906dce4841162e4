"""Hostile input over HTTP and through the web's forms is refused in words, writing nothing."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Api


class TestControlCharacters:
    """A NUL (or another character that cannot be stored) in any text is a 422 naming the
    field, before anything is decided or written (it once stopped the read models for good)."""

    def test_command_with_nul(self, api: Api) -> None:
        before = api.container.app.position()
        response: Any = api.command(
            "register-doctor",
            "sek-nord",
            {"authorisation_id": "NU001", "name": "Ann\u0000a", "email": "a@example.dk"},
        )
        assert response.status_code == 422
        body = response.json()
        assert body["errors"][0]["field"] == "name"
        assert "U+0000" in body["errors"][0]["message"]
        assert api.container.app.position() == before

    def test_evaluation_comment_with_nul(self, api: Api) -> None:
        """The attack as a trainee would make it: an evaluation comment (a multi-line field:
        line breaks pass, NUL does not)."""
        response: Any = api.command(
            "submit-evaluation",
            "sek-nord",
            {
                "programme_id": "5f0c2b7e-8d53-5b8e-9f0e-7a1d4c2e9b10",
                "employment_id": "6a1b2c3d-4e5f-5a6b-7c8d-9e0f1a2b3c4d",
                "answers": {},
                "comment": "God afdeling\r\nmen\u0000",
            },
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "comment"


class TestCsvFormulaInjection:
    """No cell of a CSV export can start a formula, and cells show words, not codes."""

    def test_register_csv(self, api: Api) -> None:
        import csv
        import io
        from datetime import date

        w = api.world
        w.specialty("kbu", ("kbu",))
        w.curriculum("2019", date(2019, 2, 1))
        department = w.department("D1", "nord")
        names = ['=HYPERLINK("http://evil.example","klik")', "+1+1", "-2", "@SUM(A1)", "Almindelig"]
        for i, name in enumerate(names):
            doctor = w.doctor(f"CS{i:03d}", name)
            programme = w.programme(doctor, date(2026, 1, 1))
            w.employ(programme, department, date(2026, 1, 1), date(2026, 6, 30))
        response: Any = api.get(
            f"/regions/nord/register?after={api.container.app.position()}",
            "sek-nord",
            Accept="text/csv",
        )
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
        header, body = rows[0], rows[1:]
        cells = [cell for row in body for cell in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
        shown = {row[header.index("Navn")] for row in body}
        assert '\'=HYPERLINK("http://evil.example","klik")' in shown
        assert "Almindelig" in shown
        assert {row[header.index("Uddannelsestrin")] for row in body} == {"KBU"}
        assert {row[header.index("Speciale")] for row in body} == {"Kbu"}  # the name, not the code


def test_neutral_cells_property() -> None:
    """Any text: the cell starts no formula, and only a dangerous start is changed."""
    from hypothesis import given
    from hypothesis import strategies as st

    from logbog_es.exports import FORMULA_STARTS, neutral

    @given(st.text(max_size=20))
    def check(text: str) -> None:
        cell = neutral(text)
        assert not cell.startswith(FORMULA_STARTS)
        assert cell == text or cell == "'" + text

    check()


class TestBodyLimits:
    """A body is refused before it is read when it is too large, or when a command comes
    without a valid token (issue 15, item 2)."""

    def test_declared_size_over_the_limit(self, api: Api) -> None:
        limit = api.container.settings.max_body_bytes
        response: Any = api.client.post(
            "/commands/register-doctor",
            content=b"x" * (limit + 1),
            headers=api.headers("sek-nord", **{"Content-Type": "application/json"}),
        )
        assert response.status_code == 413
        assert response.json()["code"] == "request.too_large"

    def test_chunked_body_over_the_limit(self, api: Api) -> None:
        limit = api.container.settings.max_body_bytes
        before = api.container.app.position()

        def chunks() -> Any:
            for _ in range(limit // 65536 + 2):
                yield b" " * 65536

        response: Any = api.client.post(
            "/commands/register-doctor",
            content=chunks(),
            headers=api.headers("sek-nord", **{"Content-Type": "application/json"}),
        )
        assert response.status_code == 413
        assert api.container.app.position() == before

    def test_no_token_no_body_read(self, api: Api) -> None:
        read: list[int] = []

        def chunks() -> Any:
            for i in range(100):
                read.append(i)
                yield b" " * 1024

        response: Any = api.client.post(
            "/commands/register-doctor",
            content=chunks(),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 401
        assert len(read) <= 1  # at most the first chunk was produced, none consumed as body
        forged: Any = api.client.post(
            "/commands/register-doctor",
            json={"authorisation_id": "AB123", "name": "A", "email": "a@example.dk"},
            headers={"Authorization": "Bearer not.a.token"},
        )
        assert forged.status_code == 401

    def test_web_forms_too(self, api: Api) -> None:
        """A web form over the limit is a page that says so, not a worker full of memory."""
        limit = api.container.settings.max_body_bytes
        response: Any = api.client.post(
            "/log-ind/demo",
            content=b"subject=" + b"x" * (limit + 10),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 413, (response.headers, response.text[:300])


class TestHeadersMetricsAndDocs:
    """Answers are not cached or sniffed; metrics need their token; the documentation works
    without internet (issue 15, item 8)."""

    def test_private_answers(self, api: Api) -> None:
        response: Any = api.get("/me", "sek-nord")
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"

    def test_docs_from_the_package(self, api: Api) -> None:
        page: Any = api.client.get("/docs")
        assert page.status_code == 200
        assert "cdn" not in page.text.lower()
        assets = [a for a in page.text.split('"') if a.startswith("/docs-assets/")]
        assert len(assets) >= 2
        for asset in assets:
            served: Any = api.client.get(asset)
            assert served.status_code == 200, asset
            assert "no-store" not in served.headers.get("Cache-Control", "")

    def test_metrics_token(self, api: Api) -> None:
        settings = api.container.settings
        settings.metrics_token = "s3cret-metrics"
        try:
            assert api.client.get("/metrics").status_code == 401
            wrong: Any = api.client.get("/metrics", headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
            right: Any = api.client.get(
                "/metrics", headers={"Authorization": "Bearer s3cret-metrics"}
            )
            assert right.status_code == 200
            assert "logbog_projection_position" in right.text
        finally:
            settings.metrics_token = None

    def test_no_metrics_in_production_without_a_token(self, api: Api) -> None:
        from logbog_es.settings import Environment

        settings = api.container.settings
        settings.env = Environment.PRODUCTION
        try:
            assert api.client.get("/metrics").status_code == 403
        finally:
            settings.env = Environment.DEVELOPMENT
