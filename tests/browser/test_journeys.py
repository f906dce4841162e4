"""The journeys of trainees and supervisors in a real browser (Debian's Chromium)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from logbog_es.domain.doctor import Doctor, doctor_id
from logbog_es.domain.programme import Programme
from tests.browser.conftest import Server, login, screenshot


def programme_of(server: Server, authorisation_id: str) -> Programme:
    app = server.container.app
    doctor = app.find(Doctor, doctor_id(authorisation_id))
    assert doctor is not None
    found = app.find(Programme, doctor.programmes[0].programme_id)
    assert found is not None
    return found


def requests_for(server: Server, authorisation_id: str, code: str) -> int:
    return sum(
        1
        for r in programme_of(server, authorisation_id).requests.values()
        if r.competency_code == code
    )


class TestAssessmentJourney:
    """A trainee asks for an assessment; the supervisor approves it from the inbox; the trainee
    sees it approved with the supervisor's name and capacity."""

    def test_ask_approve_see(self, server: Server, new_page: Any) -> None:
        trainee = new_page()
        login(trainee, "Sofie Lund")
        trainee.get_by_role("link", name="KBU-2 Den kronisk syge patient").click()
        trainee.get_by_label("Hvem skal vurdere dig?").select_option(label=None, index=1)
        chosen = trainee.get_by_label("Hvem skal vurdere dig?").input_value()
        assert chosen == str(doctor_id("DM003"))  # Peter Krogh, after the UAO
        trainee.get_by_role("button", name="Send anmodning").click()
        trainee.get_by_role("status").get_by_text("Din anmodning om vurdering er sendt.").wait_for()

        supervisor = new_page(375)  # on a phone at the ward
        login(supervisor, "Peter Krogh")
        badge = supervisor.locator(".badge")
        assert int(badge.inner_text()) >= 1
        supervisor.get_by_role("link", name="Indbakke").click()
        supervisor.get_by_role("link", name="Sofie Lund: KBU-2 Den kronisk syge patient").click()
        supervisor.get_by_label("Kompetencevurderingsmetode").select_option("case_based_discussion")
        supervisor.get_by_label("Bemærkning (valgfri)").fill("God plan for udredningen.")
        screenshot(supervisor, "journey-approve-form")
        supervisor.get_by_role("button", name="Godkend").click()
        supervisor.get_by_role("status").get_by_text("Kompetencen er godkendt.").wait_for()

        trainee.goto(f"/logbog/{programme_of(server, 'DM001').id}")
        line = trainee.locator("li", has_text="KBU-2 Den kronisk syge patient")
        assert "Godkendt af Peter Krogh (hovedvejleder)" in line.inner_text()

    def test_double_submit_records_once(self, server: Server, new_page: Any) -> None:
        """A double click, and the same form sent again as a retry would, record one request."""
        page = new_page()
        login(page, "Sofie Lund")
        page.goto(f"/logbog/{programme_of(server, 'DM001').id}/kompetencer/KBU-4")
        before = requests_for(server, "DM001", "KBU-4")
        statuses = page.evaluate(
            """async () => {
                const form = document.querySelector('form[action$="/anmod"]');
                const send = () => fetch(form.action, {method: 'POST', body: new FormData(form),
                                                      redirect: 'manual'});
                const [a, b] = await Promise.all([send(), send()]);
                const c = await send();
                return [a.type, b.type, c.type];
            }"""
        )
        assert statuses == ["opaqueredirect"] * 3  # each answered with the redirect (303)
        assert requests_for(server, "DM001", "KBU-4") == before + 1

    def test_forced_forbidden_post_writes_nothing(self, server: Server, new_page: Any) -> None:
        """The trainee forges an approval of their own competency with a valid session and
        CSRF token: refused by the policy (403), and nothing is written."""
        page = new_page()
        login(page, "Sofie Lund")
        programme = programme_of(server, "DM001").id
        page.goto(f"/logbog/{programme}/kompetencer/KBU-6")
        before = server.position()
        status = page.evaluate(
            """async (action) => {
                const csrf = document.querySelector('input[name=csrf_token]').value;
                const body = new URLSearchParams({csrf_token: csrf, idempotency_key: 'web-forged-1',
                    method: 'mini_cex', assessed_on: '2026-11-19'});
                const response = await fetch(action, {method: 'POST', body});
                return response.status;
            }""",
            f"/logbog/{programme}/kompetencer/KBU-6/godkend",
        )
        assert status == 403
        assert server.position() == before


class TestKeyboardOnly:
    """The trainee journey with the keyboard alone: log in, open a competency, ask."""

    @staticmethod
    def tab_to(page: Any, text: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                "() => (document.activeElement.innerText || document.activeElement.value || '')"
            )
            if text in focused:
                return
        raise AssertionError(f"{text!r} cannot be reached with Tab")

    @staticmethod
    def focus_moved(page: Any) -> None:
        """After an in-page change the page moves focus to its new content (for screen
        readers); a keyboard user goes on from there."""
        # Polled from here: wait_for_function evaluates a string in the page, which the
        # page's Content-Security-Policy (no eval) refuses.
        for _ in range(100):
            if page.evaluate("() => document.activeElement && document.activeElement.id") == "main":
                return
            page.wait_for_timeout(50)
        raise AssertionError("focus never moved to the new content")

    def test_keyboard_journey(self, server: Server, new_page: Any) -> None:
        page = new_page()
        page.goto("/log-ind")
        self.tab_to(page, "Jonas Friis")
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Logbog for Jonas Friis").wait_for()
        self.focus_moved(page)
        self.tab_to(page, "AKM-3 Prioritering i akutmodtagelsen")
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="AKM-3 Prioritering i akutmodtagelsen").wait_for()
        self.focus_moved(page)
        self.tab_to(page, "Hanne Bach")  # the select, showing its first choice
        page.keyboard.press("ArrowDown")  # the next person with access
        self.tab_to(page, "Send anmodning")
        page.keyboard.press("Enter")
        page.get_by_role("status").get_by_text("Din anmodning om vurdering er sendt.").wait_for()
        assert requests_for(server, "DM005", "AKM-3") == 1


class TestSubmission:
    """Readiness to submission to the PDF: the trainee sends the documentation to STPS."""

    def test_ready_submit_download(self, server: Server, new_page: Any) -> None:
        page = new_page()
        login(page, "Klara Klar")
        page.get_by_role("link", name="Ansøgning til STPS").click()
        page.get_by_text("Alt er på plads. Du kan sende dokumentationen.").wait_for()
        page.get_by_role("button", name="Send dokumentationen").click()
        page.get_by_role("status").get_by_text("Dokumentationen er sendt").wait_for()
        assert "Ja: genskabt fra hændelserne giver den samme kontrolsum." in page.content()
        screenshot(page, "submission")
        with page.expect_download() as download:
            page.get_by_role("button", name="Hent som PDF").click()
        path = download.value.path()
        assert path is not None
        assert Path(path).read_bytes().startswith(b"%PDF")
        submission = UUID(page.url.split("?")[0].rsplit("/", 1)[-1])
        assert submission in programme_of(server, "DM007").submissions
