"""Texts in the user's language: message catalogues (gettext .po files, read with Babel).

Danish first, English by a switch. Every text a page shows is a key in `locale/<lang>/
LC_MESSAGES/web.po` (`%(name)s` placeholders); errors from the domain are keyed by their
message code in `domain.po` (`{name}` placeholders, as `domain/messages.py` writes them), and
English falls back to `domain/messages.py` itself. The catalogues are read once per process.

Dates are written as Danish users write them (1. december 2026), by Babel's CLDR data.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po

from logbog_es.domain.errors import LogbogError
from logbog_es.domain.messages import MESSAGES
from logbog_es.domain.policy import Action

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
_ACTIONS = {a.value for a in Action}
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@cache
def catalogue(language: str, domain: str) -> Mapping[str, str]:
    """msgid -> msgstr of one catalogue (empty translations left out)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        parsed = read_po(handle, locale=language)
    return {
        str(m.id): str(m.string)
        for m in parsed
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string
    }


class Translator:
    """The texts of one language."""

    def __init__(self, language: str) -> None:
        if language not in LANGUAGES:
            language = DEFAULT_LANGUAGE
        self.language = language
        self.web = catalogue(language, "web")
        self.domain = catalogue(language, "domain")

    def text(self, key: str, /, **params: Any) -> str:
        """The page text for `key`; a missing key shows as itself (tests forbid that)."""
        template = self.web.get(key, key)
        return template % params if params else template

    def error(self, error: LogbogError) -> str:
        """A domain error in words, without the field name (shown beside the field)."""
        return self.message(error.code, **error.params)

    def message(self, code: str, /, **params: Any) -> str:
        template = self.domain.get(code) or MESSAGES.get(code, code)
        action = params.get("action")
        if action in _ACTIONS:
            params = {**params, "action": self.domain.get(f"action:{action}", action)}
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            return MESSAGES.get(code, code).format(**params)

    def messages(self) -> Mapping[str, str]:
        """Domain message templates in this language (English where none is translated)."""
        return {**MESSAGES, **self.domain}

    def date(self, value: date | str | None, style: str = "long") -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        return format_date(value, format=style, locale=self.language)

    def datetime(self, value: datetime | str | None) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        pattern = self.text("format.datetime")  # a CLDR pattern, per language
        return format_datetime(value, format=pattern, tzinfo=COPENHAGEN, locale=self.language)


def local_date(value: datetime) -> date:
    """The calendar day in Copenhagen of a moment (events are stamped in UTC)."""
    return value.astimezone(COPENHAGEN).date()


@cache
def translator(language: str) -> Translator:
    return Translator(language)


_current: ContextVar[Translator] = ContextVar("logbog_translator")


def use(language: str) -> Translator:
    """Make `language` the language of what is rendered next in this context."""
    found = translator(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    _current.set(found)
    return found


def current() -> Translator:
    return _current.get(None) or translator(DEFAULT_LANGUAGE)


def gettext(key: str, /, **params: Any) -> str:
    """`_()` in templates and in the web's Python code."""
    return current().text(key, **params)


def negotiate(cookie: str | None) -> str:
    """The language chosen by the switch (a cookie), else Danish: the users are Danish doctors,
    whatever language their browser was installed in."""
    return cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE
