"""Reference vocabularies and value objects shared by the aggregates.

Enum values are the stored and published form (events, JSON Schemas, read models): never rename
one; add a new member instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from logbog_es.domain.errors import InvalidInput


class Stage(StrEnum):
    """Uddannelsestrin."""

    KBU = "kbu"
    INTRODUCTION = "introduction"
    MAIN = "main"


class Region(StrEnum):
    """Videreuddannelsesregion, each with its secretariat."""

    NORD = "nord"
    SYD = "syd"
    OEST = "oest"


class DepartmentKind(StrEnum):
    """Afdeling (hospital) or praksis (general practice)."""

    HOSPITAL = "hospital"
    GENERAL_PRACTICE = "general_practice"


class DoctorRole(StrEnum):
    """The seven doctor roles (CanMEDS) a competency trains."""

    MEDICAL_EXPERT = "medical_expert"
    COMMUNICATOR = "communicator"
    COLLABORATOR = "collaborator"
    LEADER = "leader"
    HEALTH_ADVOCATE = "health_advocate"
    SCHOLAR = "scholar"
    PROFESSIONAL = "professional"


class AssessmentMethod(StrEnum):
    """Kompetencevurderingsmetoder."""

    STRUCTURED_CONVERSATION = "structured_conversation"
    MINI_CEX = "mini_cex"
    OSATS = "osats"
    CASE_BASED_DISCUSSION = "case_based_discussion"
    FEEDBACK_360 = "feedback_360"


class CourseKind(StrEnum):
    GENERAL = "general"
    SPECIALTY = "specialty"
    RESEARCH = "research"


class StaffRole(StrEnum):
    """Roles an operator registers for staff (issue: foundation, item 6)."""

    CURRICULUM_ADMIN = "curriculum-admin"
    SECRETARIAT = "secretariat"
    AUDITOR = "auditor"


class Capacity(StrEnum):
    """The capacity an actor acted in; recorded on every event."""

    OPERATOR = "operator"
    SYSTEM = "system"
    CURRICULUM_ADMIN = "curriculum-admin"
    SECRETARIAT = "secretariat"
    AUDITOR = "auditor"
    UAO = "uao"
    TUTOR = "tutor"
    MAIN_SUPERVISOR = "main-supervisor"
    SUPERVISOR = "supervisor"
    TRAINEE = "trainee"
    IMPORT = "import"
    PERSON = "person"  # the person themselves, in their own settings (reminder mail)


@dataclass(frozen=True, slots=True)
class MethodRequirement:
    """An assessment method a competency may be assessed by; `mandatory` ones must be used."""

    method: AssessmentMethod
    mandatory: bool


@dataclass(frozen=True, slots=True)
class Competency:
    """A kompetencemål of a curriculum version."""

    code: str
    title: str
    description: str
    roles: tuple[DoctorRole, ...]
    methods: tuple[MethodRequirement, ...]


@dataclass(frozen=True, slots=True)
class Course:
    """A course a curriculum version requires; its extent is in hours or in (working) days."""

    code: str
    title: str
    kind: CourseKind
    hours: int | None
    days: int | None


_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


def check_code(value: str, field: str) -> str:
    """A reference code: 1-40 letters, digits, '.', '_' or '-', starting with a letter or digit."""
    if not _CODE.match(value):
        raise InvalidInput("code.malformed", field=field, value=value)
    return value


#: Free-text fields that may hold line breaks (notes, reasons, comments, descriptions).
MULTILINE_FIELDS = frozenset({"note", "reason", "comment", "text", "description"})
_LINE_BREAKS = frozenset("\n\r\t\u2028\u2029")
#: Bidirectional embeddings, overrides and isolates: they make text read otherwise than it is.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def forbidden_character(text: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """The first character that text in the logbook may not hold, with its index, or None.

    Control characters (U+0000 NUL included: PostgreSQL text cannot store it), lone
    surrogates, line and paragraph separators and bidirectional overrides are refused; tabs and
    line breaks (U+2028 and U+2029 too) only in free text that documents them (`multiline`)."""
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if char in _LINE_BREAKS and multiline:
            continue
        if category in ("Cc", "Cs", "Zl", "Zp") or char in _BIDI_CONTROLS:
            return index, char
    return None


def check_text(value: str, field: str, *, max_length: int = 200) -> str:
    """Non-blank text of at most `max_length` characters, stripped."""
    stripped = value.strip()
    if not stripped:
        raise InvalidInput("text.blank", field=field)
    if len(stripped) > max_length:
        raise InvalidInput("text.too_long", field=field, max_length=max_length)
    return stripped


def first_of_month(day: date) -> bool:
    return day.day == 1
