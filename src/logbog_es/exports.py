"""CSV exports for spreadsheets, shared by the API, the web pages and the CLI: Danish column
headings, semicolons, UTF-8 with BOM (Excel).

The headings and cell words are user-facing text, kept here in one place for translation.
Cells show words, not codes (the training stage in Danish, the specialty's name, the capacity),
and no cell can start a formula: one that begins with `=`, `+`, `-`, `@`, a tab or a carriage
return gets a leading apostrophe, which Excel and LibreOffice show as text (a name such as
`=HYPERLINK(...)` would otherwise run when the file is opened).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

STATUS_DA = {"not_started": "ikke startet", "active": "i gang", "ended": "afsluttet"}
YES_NO = {True: "Ja", False: "Nej"}
STAGE_DA = {"kbu": "KBU", "introduction": "introduktionsuddannelse", "main": "hoveduddannelse"}
CAPACITY_DA = {
    "operator": "drift",
    "system": "systemet",
    "curriculum-admin": "administrator af målbeskrivelser",
    "secretariat": "sekretariat",
    "auditor": "Styrelsen for Patientsikkerhed",
    "uao": "uddannelsesansvarlig overlæge",
    "tutor": "tutorlæge",
    "main-supervisor": "hovedvejleder",
    "supervisor": "vejleder",
    "trainee": "uddannelseslæge",
    "import": "overført fra den gamle logbog",
    "person": "personen selv",
}
#: What a spreadsheet would take for the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _words(table: dict[str, str]) -> Callable[[Any], str]:
    return lambda v: table.get(str(v), "" if v is None else str(v))


def neutral(cell: str) -> str:
    """A cell that cannot start a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


REGION_REGISTER: list[tuple[str, str, Callable[[Any], str] | None]] = [
    ("trainee_name", "Navn", None),
    ("authorisation_id", "Autorisations-ID", None),
    ("specialty_code", "Speciale", None),
    ("stage", "Uddannelsestrin", _words(STAGE_DA)),
    ("hiring_date", "Ansættelsesdato", None),
    ("curriculum_label", "Målbeskrivelse", None),
    ("status", "Status", lambda v: STATUS_DA.get(str(v), str(v))),
    ("current_department", "Nuværende afdeling", None),
    ("current_end", "Nuværende ansættelse slutter", None),
    ("competencies_approved", "Kompetencer godkendt", None),
    ("competencies_total", "Kompetencer i alt", None),
    ("courses_done", "Kurser gennemført", None),
    ("courses_total", "Kurser i alt", None),
    (
        "ends_soon_unapproved",
        "Slutter inden 60 dage med manglende kompetencer",
        lambda v: YES_NO[bool(v)],
    ),
    ("all_approved", "Alle kompetencer og kurser godkendt", lambda v: YES_NO[bool(v)]),
    ("extension_to", "Ansættelse skal forlænges til (R5, R6)", None),
]

DEPARTMENT_OVERVIEW: list[tuple[str, str, Callable[[Any], str] | None]] = [
    ("trainee_name", "Navn", None),
    ("specialty_code", "Speciale", None),
    ("stage", "Uddannelsestrin", _words(STAGE_DA)),
    ("start_date", "Ansættelse start", None),
    ("end_date", "Ansættelse slut", None),
    ("percent", "Andel af fuld tid (%)", None),
    ("competencies_approved", "Kompetencer godkendt", None),
    ("competencies_total", "Kompetencer i alt", None),
    ("courses_done", "Kurser gennemført", None),
    ("courses_total", "Kurser i alt", None),
]


HISTORY: list[tuple[str, str, Callable[[Any], str] | None]] = [
    ("position", "Position", None),
    ("recorded_at", "Registreret", None),
    ("effective_on", "Gælder fra", None),
    ("actor_name", "Udført af", None),
    ("actor_id", "Bruger-id", None),
    ("capacity", "Funktion", _words(CAPACITY_DA)),
    ("text", "Hændelse", None),
    ("imported_from", "Overført fra den gamle logbog (fil)", None),
    ("programme_id", "Uddannelsesforløb", None),
    ("type", "Hændelsestype", None),
]


def csv_text(
    rows: Iterable[dict[str, Any]],
    columns: list[tuple[str, str, Callable[[Any], str] | None]],
    specialties: dict[str, str] | None = None,
) -> str:
    """The rows as Danish-Excel CSV: BOM, headings, semicolons, CRLF; `specialties` names the
    specialty codes (code -> name)."""
    return "".join(csv_chunks(rows, columns, specialties))


def csv_chunks(
    rows: Iterable[dict[str, Any]],
    columns: list[tuple[str, str, Callable[[Any], str] | None]],
    specialties: dict[str, str] | None = None,
    every: int = 500,
) -> Iterator[str]:
    """`csv_text` a piece at a time (`every` rows), for an answer that streams: a region's
    whole register is tens of thousands of rows."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([heading for _, heading, _ in columns])
    named = _words(specialties or {})
    for count, row in enumerate(rows, 1):
        cells = []
        for key, _, fmt in columns:
            value = row.get(key)
            show = named if key == "specialty_code" else fmt
            cells.append(neutral(show(value) if show else ("" if value is None else str(value))))
        writer.writerow(cells)
        if count % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
