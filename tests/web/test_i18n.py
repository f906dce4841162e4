"""Texts live in the message catalogues, complete in Danish and English; dates as Danes write
them; domain errors in Danish with the same placeholders as the English."""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path

import pytest

from logbog_es.demo import demo_users
from logbog_es.domain.logbook import AttestationKind, RequestStatus
from logbog_es.domain.messages import MESSAGES
from logbog_es.domain.policy import Action
from logbog_es.domain.readiness import SubmissionKind
from logbog_es.domain.training_time import AbsenceKind
from logbog_es.domain.values import (
    AssessmentMethod,
    Capacity,
    CourseKind,
    DepartmentKind,
    DoctorRole,
    Region,
    Stage,
)
from logbog_es.web import i18n
from logbog_es.web.actions import ACTIONS, FIELD_NAMES, HINT_NAMES
from logbog_es.web.core import NOTICES
from logbog_es.web.curricula import VERSION_FIELDS
from logbog_es.web.history import KINDS
from logbog_es.web.secretariat import FLAGS, SORTS, STATUSES

WEB = Path(i18n.__file__).parent
TEMPLATES = sorted((WEB / "templates").glob("*.html"))
_CALL = re.compile(r"""_\(\s*["']([^"']+)["']\s*(~)?""")
_GETTEXT = re.compile(r"""gettext\(\s*f?["']([^"']+)["']""")
#: Keys built from a prefix and a stored value: every value must have its text.
DYNAMIC: dict[str, list[str]] = {
    "capacity.": [c.value for c in Capacity],
    "stage.": [s.value for s in Stage],
    "role.": [r.value for r in DoctorRole],
    "method.": [m.value for m in AssessmentMethod],
    "absence.": [a.value for a in AbsenceKind],
    "course_kind.": [k.value for k in CourseKind],
    "kind.": [k.value for k in SubmissionKind],
    "request_status.": [s.value for s in RequestStatus],
    "competency_status.": ["approved", "credited", "requested", "open"],
    "notice.": sorted(NOTICES),
    "tab.": ["competencies", "courses", "time", "readiness"],
    "missing.": [
        "competency",
        "course",
        "time_attestation",
        "too_early",
        "stage",
        "employment",
        "prior_attestation",
        "introduction_programme",
        "extension",
    ],
    "demo.": [u.key for u in demo_users()],
    "action.": sorted(ACTIONS),
    "submit.": sorted(ACTIONS),
    "intro.": sorted(ACTIONS),
    "field.": sorted({*FIELD_NAMES, *VERSION_FIELDS}),
    "hint.": HINT_NAMES,
    "region.": [r.value for r in Region],
    "department_kind.": [k.value for k in DepartmentKind],
    "status.": list(STATUSES),
    "flag.": list(FLAGS),
    "sort.": list(SORTS),
    "scope.": ["now_and_soon", "now", "soon", "past"],
    "history_kind.": list(KINDS),
    "prior.kind_": [k.value for k in AttestationKind],
}


def used_keys() -> tuple[set[str], set[str]]:
    """(literal keys, dynamic prefixes) used by the templates and the web's Python code."""
    keys: set[str] = {"format.datetime"}
    prefixes: set[str] = set()
    for template in TEMPLATES:
        for key, dynamic in _CALL.findall(template.read_text(encoding="utf-8")):
            (prefixes if dynamic else keys).add(key)
    for module in WEB.glob("*.py"):
        for key in _GETTEXT.findall(module.read_text(encoding="utf-8")):
            if "{" in key:
                prefixes.add(key.split("{")[0])
            else:
                keys.add(key)
    return keys, prefixes


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", text))


class TestWebCatalogues:
    """Every page text is a key present in both catalogues, with the same placeholders."""

    @pytest.mark.parametrize("language", i18n.LANGUAGES)
    def test_every_key_is_translated(self, language: str) -> None:
        catalogue = i18n.catalogue(language, "web")
        keys, prefixes = used_keys()
        assert prefixes <= set(DYNAMIC), f"a dynamic key prefix is not checked: {prefixes}"
        for prefix in prefixes:
            keys |= {prefix + value for value in DYNAMIC[prefix]}
        missing = sorted(k for k in keys if not catalogue.get(k))
        assert not missing, f"{language}: no text for {missing}"
        unused = sorted(set(catalogue) - keys)
        assert not unused, f"{language}: texts no page uses: {unused}"

    def test_placeholders_agree(self) -> None:
        danish, english = i18n.catalogue("da", "web"), i18n.catalogue("en", "web")
        for key, text in danish.items():
            assert placeholders(text) == placeholders(english[key]), key

    def test_texts_format(self) -> None:
        """Each text formats with its placeholders filled (no stray %)."""
        for language in i18n.LANGUAGES:
            translator = i18n.translator(language)
            for key, text in i18n.catalogue(language, "web").items():
                params = dict.fromkeys(placeholders(text), "x")
                shown = translator.text(key, **params) if params else text
                assert "%(" not in shown, (language, key)


class TestNoLiteralTextInTemplates:
    """Templates hold markup and keys only: what a person reads comes from the catalogues."""

    @pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
    def test_template_text(self, template: Path) -> None:
        source = template.read_text(encoding="utf-8")
        source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)
        source = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", source, flags=re.S)
        for attribute in ("aria-label", "title", "placeholder", "alt"):
            for value in re.findall(rf'{attribute}="([^"]*)"', source):
                assert not re.search(r"[A-Za-zÆØÅæøå]", value), (template.name, attribute, value)
        text = re.sub(r"<(script|style)\b.*?</\1>", "", source, flags=re.S)
        text = re.sub(r"<[^>]*>", " ", text)
        words = re.findall(r"[A-Za-zÆØÅæøå]{2,}", text)
        assert not words, f"{template.name}: literal text {words[:10]}"


class TestDomainMessages:
    """Every domain message has a Danish text with exactly the English placeholders, and every
    policy action a Danish phrase (it is put into messages)."""

    @staticmethod
    def fields(template: str) -> set[tuple[str, str | None, str | None]]:
        return {
            (name, conversion, spec)
            for _, name, spec, conversion in string.Formatter().parse(template)
            if name is not None
        }

    def test_every_message_in_danish(self) -> None:
        danish = i18n.catalogue("da", "domain")
        missing = sorted(set(MESSAGES) - set(danish))
        assert not missing
        for code, english in MESSAGES.items():
            assert self.fields(danish[code]) == self.fields(english), code

    def test_every_action_in_danish(self) -> None:
        danish = i18n.catalogue("da", "domain")
        assert all(danish.get(f"action:{a.value}") for a in Action)

    def test_error_in_danish_and_english(self) -> None:
        from logbog_es.domain.errors import NotAllowed

        error = NotAllowed("auth.own_logbook_only", action=Action.REQUEST_ASSESSMENT.value)
        assert i18n.translator("en").error(error) == error.message
        danish = i18n.translator("da").error(error)
        assert danish != error.message
        assert "anmode" in danish or "bede" in danish, danish


class TestDates:
    """Dates as Danish users write them; English by the switch."""

    def test_danish_and_english(self) -> None:
        assert i18n.translator("da").date(date(2026, 12, 1)) == "1. december 2026"
        assert i18n.translator("en").date(date(2026, 12, 1)) == "December 1, 2026"
        assert i18n.translator("da").date("2026-03-05") == "5. marts 2026"

    def test_unknown_language_is_danish(self) -> None:
        assert i18n.negotiate("fr") == "da"
        assert i18n.negotiate(None) == "da"
        assert i18n.negotiate("en") == "en"
