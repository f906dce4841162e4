"""CSV exports for spreadsheets: Danish column headings, semicolons, UTF-8 with BOM (Excel).

The headings and cell words are user-facing text, kept here in one place for translation.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from typing import Any

from fastapi.responses import Response

STATUS_DA = {"not_started": "ikke startet", "active": "i gang", "ended": "afsluttet"}
YES_NO = {True: "Ja", False: "Nej"}

REGION_REGISTER: list[tuple[str, str, Callable[[Any], str] | None]] = [
    ("trainee_name", "Navn", None),
    ("authorisation_id", "Autorisations-ID", None),
    ("specialty_code", "Speciale", None),
    ("stage", "Uddannelsestrin", None),
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
]

DEPARTMENT_OVERVIEW: list[tuple[str, str, Callable[[Any], str] | None]] = [
    ("trainee_name", "Navn", None),
    ("specialty_code", "Speciale", None),
    ("stage", "Uddannelsestrin", None),
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
    ("capacity", "Funktion", None),
    ("text", "Hændelse", None),
    ("programme_id", "Uddannelsesforløb", None),
    ("type", "Hændelsestype", None),
]


def wants_csv(accept: str | None) -> bool:
    return bool(accept) and "text/csv" in str(accept).lower()


def csv_text(
    rows: Iterable[dict[str, Any]], columns: list[tuple[str, str, Callable[[Any], str] | None]]
) -> str:
    """The rows as Danish-Excel CSV: BOM, headings, semicolons, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([heading for _, heading, _ in columns])
    for row in rows:
        writer.writerow(
            [
                (fmt(row.get(key)) if fmt else ("" if row.get(key) is None else str(row.get(key))))
                for key, _, fmt in columns
            ]
        )
    return "\ufeff" + buffer.getvalue()


def csv_response(
    rows: Iterable[dict[str, Any]],
    columns: list[tuple[str, str, Callable[[Any], str] | None]],
    filename: str,
) -> Response:
    return Response(
        content=csv_text(rows, columns),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
