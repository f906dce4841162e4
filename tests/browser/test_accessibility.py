"""Every page passes axe-core with no serious or critical violation, at 375 px and 1280 px, and
is written as a screenshot for a person to look at."""

from __future__ import annotations

from typing import Any

import pytest

from logbog_es.demo import AUDITOR, CURRICULUM_ADMIN, SECRETARIATS
from logbog_es.domain.department import department_id
from logbog_es.domain.doctor import doctor_id
from tests.browser.conftest import WIDTHS, Server, logged_in, login, screenshot
from tests.browser.test_journeys import programme_of


def violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = results.response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def pages(server: Server) -> list[tuple[str, str | None, str]]:
    """(screenshot name, who is logged in (a demo user's button), path)."""
    sofie = programme_of(server, "DM001")
    employment = sofie.employments[0].employment_id
    klara = programme_of(server, "DM007")
    akm = department_id("AUH-AKM")
    return [
        ("login", None, "/log-ind"),
        ("logbook", "Sofie Lund", f"/logbog/{sofie.id}"),
        ("competency-ask", "Sofie Lund", f"/logbog/{sofie.id}/kompetencer/KBU-5"),
        ("courses", "Sofie Lund", f"/logbog/{sofie.id}/kurser"),
        ("training-time", "Sofie Lund", f"/logbog/{sofie.id}/tid"),
        ("readiness-missing", "Sofie Lund", f"/logbog/{sofie.id}/parathed"),
        ("evaluations", "Sofie Lund", "/evalueringer"),
        ("evaluation-form", "Sofie Lund", f"/evalueringer/{employment}"),
        ("history", "Sofie Lund", "/historik"),
        ("readiness-ready", "Klara Klar", f"/logbog/{klara.id}/parathed"),
        ("inbox", "Peter Krogh", "/indbakke"),
        ("trainees", "Peter Krogh", "/uddannelseslaeger"),
        ("competency-approve", "Peter Krogh", f"/logbog/{sofie.id}/kompetencer/KBU-3"),
        ("uao-trainees", "Hanne Bach", "/uddannelseslaeger"),
        ("staff-home", "secretariat", "/"),
        ("register", "secretariat", "/sekretariat?sorter=-hiring_date"),
        ("doctor", "secretariat", f"/sekretariat/laeger/{doctor_id('DM001')}"),
        ("search", "secretariat", "/sekretariat/soeg?q=DM0"),
        ("departments", "secretariat", "/sekretariat/afdelinger"),
        ("form-register-doctor", "secretariat", "/handling/register-doctor"),
        ("form-absence", "secretariat", f"/handling/record-absence?programme_id={sofie.id}"),
        ("staff-history", "secretariat", f"/laeger/{doctor_id('DM001')}/historik"),
        (
            "staff-history-as-shown",
            "secretariat",
            f"/laeger/{doctor_id('DM001')}/historik?visning=as_shown&dato=2026-09-01",
        ),
        ("department", "Hanne Bach", f"/afdeling/{akm}"),
        ("department-comments", "Hanne Bach", f"/afdeling/{akm}/evalueringer"),
        ("form-grant", "Hanne Bach", f"/handling/grant-supervisor-access?department_id={akm}"),
        ("stps", "auditor", "/stps?autorisation=DM007"),
        ("curricula", "curriculum-admin", "/maalbeskrivelser"),
        ("curriculum-upload", "curriculum-admin", "/maalbeskrivelser/ny"),
        ("results", None, "/resultater"),
        ("reminders", "Hanne Bach", "/paamindelser"),
        ("not-found", "Sofie Lund", "/findes-ikke"),
        ("forbidden", "Mads Holm", f"/logbog/{sofie.id}"),
    ]


STAFF = {
    "secretariat": SECRETARIATS["nord"],
    "auditor": AUDITOR,
    "curriculum-admin": CURRICULUM_ADMIN,
}


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page(server: Server, new_page: Any, width: int) -> None:
    problems: dict[str, list[str]] = {}
    by_user: dict[str | None, Any] = {}
    for name, who, path in pages(server):
        if who not in by_user:
            page = new_page(width)
            if who in STAFF:
                page.goto("/log-ind")
                page.get_by_label("Eller log ind som et andet subject").fill(STAFF[who])
                page.get_by_role("button", name="Log ind", exact=True).click()
                logged_in(page)
            elif who is not None:
                login(page, who)
            by_user[who] = page
        page = by_user[who]
        page.goto(path)
        page.wait_for_load_state("networkidle")
        screenshot(page, name)
        found = violations(page)
        if found:
            problems[name] = found
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{name} scrolls sideways at {width} px"
    assert not problems, problems


def test_language_switch_reaches_english(server: Server, new_page: Any) -> None:
    """The switch on every page turns the pages English (and back)."""
    page = new_page()
    login(page, "Sofie Lund")
    page.get_by_role("link", name="English").click()
    page.get_by_role("heading", name="Logbook of Sofie Lund").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    screenshot(page, "logbook-english")
    page.get_by_role("link", name="Dansk").click()
    page.get_by_role("heading", name="Logbog for Sofie Lund").wait_for()
    assert str(doctor_id("DM001")) not in page.content()  # ids stay out of what people read
