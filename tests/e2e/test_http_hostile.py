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

    from logbog_es.api.csv_export import FORMULA_STARTS, neutral

    @given(st.text(max_size=20))
    def check(text: str) -> None:
        cell = neutral(text)
        assert not cell.startswith(FORMULA_STARTS)
        assert cell == text or cell == "'" + text

    check()
