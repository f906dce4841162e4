"""A submitted documentation package as a printable PDF, the package's hash on every page.

Presentation only: it renders the stored package (never the live logbook), so the PDF shows
exactly what was submitted. Danish labels live here in one place.
"""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

KINDS = {
    "independent-practice": "Ansøgning om tilladelse til selvstændigt virke",
    "specialist-recognition": "Ansøgning om speciallægeanerkendelse",
}
CAPACITIES = {
    "uao": "Uddannelsesansvarlig overlæge",
    "tutor": "Tutorlæge",
    "main-supervisor": "Hovedvejleder",
    "supervisor": "Vejleder (delegeret)",
    "secretariat": "Sekretariatet",
}
METHODS = {
    "structured_conversation": "Struktureret vejledersamtale",
    "mini_cex": "Mini-CEX",
    "osats": "OSATS",
    "case_based_discussion": "Casebaseret diskussion",
    "feedback_360": "360-graders feedback",
}
ABSENCES = {
    "sickness": "Sygdom",
    "parental_leave": "Forældreorlov",
    "research_leave": "Orlov til forskning",
    "other": "Andet fravær",
}
DEPARTMENT_KINDS = {"hospital": "Hospitalsafdeling", "general_practice": "Almen praksis"}
STAGES = {"kbu": "KBU", "introduction": "Introduktionsuddannelse", "main": "Hoveduddannelse"}


def _text(value: Any) -> str:
    """Core PDF fonts cover Latin-1 (æ, ø, å); anything else is replaced, never dropped."""
    text = "" if value is None else str(value)
    return (
        text.replace("\u2013", "-")
        .replace("\u2014", "-")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


class _Document(FPDF):
    def __init__(self, sha256: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.sha256 = sha256
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title("Logbog - dokumentation til STPS")
        self.set_creator("Logbog")

    def header(self) -> None:
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90)
        self.cell(
            0,
            5,
            "Logbog - dokumentation til Styrelsen for Patientsikkerhed",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_text_color(0)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("Helvetica", "", 7)
        self.set_text_color(90)
        self.cell(0, 4, f"SHA-256 {self.sha256}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.cell(0, 4, f"Side {self.page_no()} af {{nb}}", align="R")
        self.set_text_color(0)

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font("Helvetica", "B", 11)
        self.cell(0, 7, _text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", "", 9)

    def pairs(self, rows: list[tuple[str, Any]]) -> None:
        for label, value in rows:
            self.set_font("Helvetica", "B", 9)
            self.cell(48, 5, _text(label))
            self.set_font("Helvetica", "", 9)
            self.multi_cell(0, 5, _text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(self, headings: list[str], rows: list[list[Any]], widths: tuple[int, ...]) -> None:
        self.set_font("Helvetica", "", 8)
        with self.table(
            col_widths=widths, text_align="LEFT", line_height=4.5, first_row_as_headings=True
        ) as table:
            table.row([_text(h) for h in headings])
            for row in rows:
                table.row([_text(c) for c in row])
        self.set_font("Helvetica", "", 9)


def _person(person: dict[str, str] | None) -> str:
    if not person:
        return ""
    return f"{person['name']} ({person['authorisation_id']})"


def _employments(pdf: _Document, employments: list[dict[str, Any]]) -> None:
    rows = []
    for e in employments:
        attestation = e["time_attestation"]
        rows.append(
            [
                e["department"]["name"],
                DEPARTMENT_KINDS.get(e["department"]["kind"], e["department"]["kind"]),
                e["start"],
                e["end"],
                f"{e['percent_at_start']} %",
                e["time"]["absence_days"],
                f"{_person(attestation['attested_by'])}, {attestation['attested_on']}"
                if attestation
                else "Eftersendes",
            ]
        )
    pdf.grid(
        ["Afdeling / praksis", "Type", "Fra", "Til", "Andel", "Fravær (dage)", "Tidsattestation"],
        rows,
        (44, 28, 18, 18, 12, 14, 56),
    )
    for e in employments:
        amendments = [
            f"Deltid fra {c['from']}: {c['percent']:g} % ({c['fraction']})"
            for c in e["part_time_changes"]
        ] + [
            f"{ABSENCES.get(a['kind'], a['kind'])} {a['first_day']} - {a['last_day']} "
            f"({a['days']} dage)"
            for a in e["absences"]
        ]
        if e["end"] != e["nominal_end"]:
            amendments.append(f"Forlænget fra {e['nominal_end']} til {e['end']}")
        if amendments:
            pdf.set_font("Helvetica", "I", 8)
            pdf.multi_cell(
                0,
                4.5,
                _text(f"{e['department']['name']}: " + "; ".join(amendments)),
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            pdf.set_font("Helvetica", "", 9)


def render(submission: dict[str, Any], *, compress: bool = True) -> bytes:
    """The PDF of a submission: `package`, `sha256`, `submitted_on` and `supplements`."""
    package = submission["package"]
    pdf = _Document(submission["sha256"])
    pdf.set_compression(compress)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(
        0,
        8,
        _text(KINDS.get(package["kind"], package["kind"])),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_font("Helvetica", "", 9)
    programme, curriculum = package["programme"], package["curriculum"]
    pdf.pairs(
        [
            ("Læge", package["doctor"]["name"]),
            ("Autorisations-ID", package["doctor"]["authorisation_id"]),
            ("Indsendt", package["submitted_on"]),
            (
                "Speciale og trin",
                f"{programme['specialty_code']}, "
                f"{STAGES.get(programme['stage'], programme['stage'])}",
            ),
            ("Ansættelsesdato", programme["hiring_date"]),
            (
                "Målbeskrivelse",
                f"{curriculum['label']} (gældende fra {curriculum['effective_from']})",
            ),
            ("Pakkens SHA-256", submission["sha256"]),
        ]
    )
    checkpoint = submission.get("checkpoint")
    if checkpoint:  # signed outside the database: a rewritten past no longer matches it
        pdf.pairs(
            [
                (
                    "Revisionsspor",
                    f"position {checkpoint['position']}, SHA-256 {checkpoint['sha256']}",
                ),
                (
                    "Signeret kontrolpunkt",
                    f"nøgle {checkpoint['key_id']}, {checkpoint['at']}, "
                    f"Ed25519 {checkpoint['signature']}",
                ),
            ]
        )
    pdf.heading("Oversigt over lægelig ansættelse")
    _employments(pdf, package["employments"])
    if package.get("general_practices"):
        pdf.pairs([("Almen praksis", ", ".join(package["general_practices"]))])
    pdf.heading("Godkendte kompetencer")
    pdf.grid(
        ["Kode", "Kompetence", "Godkendt af", "Funktion", "Metode", "Dato"],
        [
            [
                c["code"],
                c["title"],
                _person(c["approval"]["approved_by"])
                if c["approval"]
                else ("Tidligere attestation" if c["prior_attestation"] else ""),
                (
                    CAPACITIES.get(c["approval"]["capacity"], c["approval"]["capacity"])
                    + (
                        f", delegeret af {_person(c['approval']['delegated_by'])}"
                        if c["approval"]["delegated_by"]
                        else ""
                    )
                )
                if c["approval"]
                else "",
                METHODS.get(c["approval"]["method"], c["approval"]["method"])
                if c["approval"]
                else "",
                c["approval"]["assessed_on"] if c["approval"] else "",
            ]
            for c in package["competencies"]
        ],
        (16, 46, 42, 38, 24, 18),
    )
    pdf.heading("Kurser")
    pdf.grid(
        ["Kode", "Kursus", "Gennemført", "Omfang", "Dokumentation"],
        [
            [
                c["code"],
                c["title"],
                c["completed_on"] or "",
                f"{c['days']} dage" if c["days"] else (f"{c['hours']} timer" if c["hours"] else ""),
                c["evidence_ref"] or "",
            ]
            for c in package["courses"]
        ],
        (18, 62, 24, 20, 60),
    )
    if package["prior_attestations"]:
        pdf.heading("Tidligere attestationer (papir)")
        pdf.grid(
            ["Kode", "Attesteret", "Af", "Verificeret af", "Dato"],
            [
                [
                    p["code"],
                    p["attested_on"],
                    p["attested_by"],
                    _person(p["verified_by"]),
                    p["verified_on"] or "",
                ]
                for p in package["prior_attestations"]
            ],
            (20, 24, 50, 60, 30),
        )
    intro = package.get("introduction_programme")
    if intro:
        pdf.heading("Introduktionsuddannelse")
        pdf.pairs(
            [
                ("Ansættelsesdato", intro["hiring_date"]),
                ("Målbeskrivelse", intro["curriculum_label"]),
            ]
        )
        _employments(pdf, intro["employments"])
    for index, supplement in enumerate(submission.get("supplements", []), start=1):
        pdf.heading(f"Eftersendelse {index} ({supplement['submitted_on']})")
        pdf.pairs([("SHA-256", supplement["sha256"])])
        _employments(pdf, supplement["package"]["employments"])
    return bytes(pdf.output())
