"""The words of the reminder mails, Danish and English, in one place for translation.

Templates are `str.format` strings over a reminder's `about` (names of departments and
competencies, dates already written in the mail's language) and never hold a CPR number or
free text from a logbook.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

TEXTS: dict[str, dict[str, str]] = {
    "da": {
        "subject": "Logbog: {count} påmindelse(r)",
        "greeting": "Dette er dine påmindelser fra Logbog i dag.",
        "assessment_waiting": (
            "{trainee} har siden {since} ventet på din vurdering af {competency} ({department})."
        ),
        "assessment_escalated": (
            "{trainee} har siden {since} ventet på en vurdering af {competency} ({department}); "
            "vejlederen har ikke svaret."
        ),
        "evaluation_open": "Evaluér dit uddannelsessted {department} senest {until}.",
        "evaluation_closing": ("Der er under en uge til at evaluere {department}: senest {until}."),
        "time_attestation_due": (
            "Ansættelsen for {trainee} på {department} er i sin sidste måned (fra {from}): "
            "tiden skal attesteres (R7)."
        ),
        "uao_ending": (
            "Udnævnelsen af {name} som uddannelsesansvarlig på {department} slutter {last_day}."
        ),
        "readiness_reached": "Din dokumentation er klar: {kind} kan sendes.",
        "submission_received": "Din dokumentation ({kind}) blev modtaget {on}.",
        "open": "Åbn: {url}",
        "footer": (
            "Du får denne mail, fordi du har valgt en daglig oversigt. Vælg fra eller skift "
            "adresse her: {url}"
        ),
        "independent-practice": "ansøgning om tilladelse til selvstændigt virke",
        "specialist-recognition": "ansøgning om speciallægeanerkendelse",
    },
    "en": {
        "subject": "Logbog: {count} reminder(s)",
        "greeting": "These are your reminders from Logbog today.",
        "assessment_waiting": (
            "{trainee} has waited since {since} for your assessment of {competency} ({department})."
        ),
        "assessment_escalated": (
            "{trainee} has waited since {since} for an assessment of {competency} "
            "({department}); the supervisor has not answered."
        ),
        "evaluation_open": "Evaluate your training site {department} by {until}.",
        "evaluation_closing": "Less than a week is left to evaluate {department}: by {until}.",
        "time_attestation_due": (
            "The employment of {trainee} at {department} is in its last month (from {from}): "
            "its time must be attested (R7)."
        ),
        "uao_ending": (
            "The appointment of {name} as training-responsible consultant at {department} ends "
            "on {last_day}."
        ),
        "readiness_reached": "Your documentation is ready: the {kind} can be sent.",
        "submission_received": "Your documentation ({kind}) was received on {on}.",
        "open": "Open: {url}",
        "footer": (
            "You receive this mail because you chose a daily digest. Opt out or change the "
            "address here: {url}"
        ),
        "independent-practice": "application for permission to practise independently",
        "specialist-recognition": "application for specialist recognition",
    },
}
LANGUAGES = tuple(TEXTS)


def language_of(value: str | None) -> str:
    return value if value in TEXTS else "da"


def day_in(language: str, value: str) -> str:
    """An ISO date as the mail's readers write it."""
    return format_date(date.fromisoformat(value), format="long", locale=language)


def line(language: str, kind: str, about: dict[str, str]) -> str:
    """One reminder in words."""
    texts = TEXTS[language]
    shown = dict(about)
    for name in ("since", "until", "from", "last_day", "on"):
        if name in shown:
            shown[name] = day_in(language, shown[name])
    if "kind" in shown:
        shown["kind"] = texts.get(shown["kind"], shown["kind"])
    return texts[kind].format(**shown)
