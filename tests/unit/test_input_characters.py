"""Text that cannot be stored or would read otherwise than it is is refused at the command
boundary, with the field named (issue 15, items 1 and 8): control characters (NUL included),
lone surrogates, line separators and bidirectional overrides; tabs and line breaks only in the
free text that documents them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from logbog_es.commands import ApproveCompetency, PublishCurriculum, RegisterDoctor
from logbog_es.domain.values import forbidden_character

FORBIDDEN = st.one_of(
    st.characters(categories=["Cc"]).filter(lambda c: c not in "\n\r\t"),
    st.sampled_from(["\u202e", "\u202d", "\u2066", "\u2069", "\u2028", "\u2029"]),
)
ALLOWED = st.text(
    alphabet=st.characters(
        categories=["L", "N", "Zs", "P", "S", "M"], exclude_characters="\u2028\u2029"
    ),
    min_size=1,
    max_size=40,
).filter(lambda t: t.strip())
APPROVAL = {
    "programme_id": "5f0c2b7e-8d53-5b8e-9f0e-7a1d4c2e9b10",
    "competency_code": "K1",
    "method": "mini_cex",
    "assessed_on": "2026-01-01",
}


class TestTheRule:
    """`forbidden_character` finds exactly the characters text may not hold."""

    @given(ALLOWED)
    def test_ordinary_text_passes(self, text: str) -> None:
        assert forbidden_character(text) is None

    @given(ALLOWED, FORBIDDEN, st.integers(0, 40))
    def test_a_forbidden_character_is_found(self, text: str, bad: str, at: int) -> None:
        at = min(at, len(text))
        found = forbidden_character(text[:at] + bad + text[at:])
        assert found == (at, bad)

    def test_line_breaks_only_where_documented(self) -> None:
        assert forbidden_character("a\r\nb\tc\u2028d", multiline=True) is None
        assert forbidden_character("a\nb") == (1, "\n")
        assert forbidden_character("a\x00b", multiline=True) == (1, "\x00")


class TestAtTheCommandBoundary:
    """Every command refuses them in any text, nested too, naming the field."""

    @given(ALLOWED, FORBIDDEN)
    def test_a_name(self, text: str, bad: str) -> None:
        with pytest.raises(ValidationError) as refused:
            RegisterDoctor(authorisation_id="AB123", name=text + bad, email="a@example.dk")
        (error,) = refused.value.errors()
        assert error["loc"] == ("name",)
        assert error["type"] == "control_character"
        assert f"U+{ord(bad):04X}" in error["msg"]

    def test_a_note_may_have_lines_but_no_nul(self) -> None:
        note = "Første linje\r\nAnden linje\tmed tabulator"
        assert ApproveCompetency.model_validate({**APPROVAL, "note": note}).note == note
        with pytest.raises(ValidationError) as refused:
            ApproveCompetency.model_validate({**APPROVAL, "note": "ok\x00"})
        assert refused.value.errors()[0]["loc"] == ("note",)

    def test_nested_text_is_named(self) -> None:
        body = {
            "specialty_code": "kbu",
            "stage": "kbu",
            "label": "2030",
            "effective_from": "2030-01-01",
            "nominal_duration_months": 12,
            "competencies": [
                {
                    "code": "K1",
                    "title": "Titel\u202eskjult",
                    "description": "Beskrivelse\nmed linjer",
                    "roles": ["medical_expert"],
                    "methods": [{"method": "mini_cex", "mandatory": True}],
                }
            ],
            "courses": [],
        }
        with pytest.raises(ValidationError) as refused:
            PublishCurriculum.model_validate(body)
        assert refused.value.errors()[0]["loc"] == ("competencies", 0, "title")
