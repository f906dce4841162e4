"""The journeys of the staff in a real browser: the secretariat, the UAO, the STPS caseworker
and the curriculum administrator, and a secretariat kept out of another region."""

from __future__ import annotations

from typing import Any

from logbog_es.commands import SubmitDocumentation
from logbog_es.demo import AUDITOR, CURRICULUM_ADMIN, SECRETARIATS
from logbog_es.domain.department import department_id
from logbog_es.domain.doctor import doctor_id
from tests.browser.conftest import Server, logged_in, login, screenshot
from tests.browser.test_journeys import programme_of

BAD_CSV = (
    "type;code;title;description;roles;methods;kind;hours;days\n"
    "competency;B1;Første;Beskrivelse;medical_expert;mini_cex*\n"
    "competency;B2;Anden;Beskrivelse;troldmand;osats\n"
    "competency;B1;Tredje;Beskrivelse;scholar;osats\n"
)
GOOD_CSV = (
    "type;code;title;description;roles;methods;kind;hours;days\n"
    "competency;B1;Første;Beskrivelse;medical_expert,scholar;mini_cex*,osats\n"
    "competency;B2;Anden;Beskrivelse;communicator;structured_conversation\n"
    "course;BK1;Kursus;;;;general;16;\n"
)


def login_as(page: Any, subject: str) -> None:
    """Log in by subject (staff and doctors without a demo button)."""
    page.goto("/log-ind")
    page.get_by_label("Eller log ind som et andet subject").fill(subject)
    page.get_by_role("button", name="Log ind", exact=True).click()
    logged_in(page)


def done(page: Any) -> None:
    page.get_by_role("status").get_by_text("Det er registreret.").wait_for()


class TestSecretariatJourney:
    def test_register_doctor_then_register_and_csv(self, server: Server, new_page: Any) -> None:
        page = new_page(375)  # also on a phone
        login_as(page, SECRETARIATS["nord"])
        page.get_by_role("heading", name="Uddannelseslæger i Region Nord").wait_for()
        page.get_by_role("button", name="Registrér en læge").first.click()
        page.get_by_label("Autorisations-ID").fill("BR001")
        page.get_by_label("Navn", exact=True).fill("Bent Browser")
        page.get_by_label("E-mail").fill("bent@example.dk")
        screenshot(page, "secretariat-register-doctor")
        page.get_by_role("button", name="Registrér lægen").click()
        page.get_by_role("heading", name="Bent Browser").wait_for()
        page.get_by_role("button", name="Start et uddannelsesforløb").click()
        page.get_by_label("Speciale").select_option("kbu")
        page.get_by_label("Uddannelsestrin").select_option("kbu")
        page.get_by_label("Ansættelsesdato").fill("2027-01-01")
        page.get_by_role("button", name="Start forløbet").click()
        done(page)
        page.get_by_role("link", name="Tilføj en ansættelse").click()
        page.get_by_label("Afdeling").select_option(str(department_id("AUH-AKM")))
        page.get_by_label("Første dag").fill("2027-01-01")
        page.get_by_label("Sidste dag").fill("2027-06-30")
        page.get_by_role("button", name="Tilføj ansættelsen").click()
        done(page)

        page.get_by_role("link", name="Register", exact=True).click()
        page.get_by_label("Sortér efter").select_option("-hiring_date")
        page.get_by_role("button", name="Vis", exact=True).click()
        page.get_by_role("link", name="Bent Browser").wait_for()
        screenshot(page, "secretariat-register")
        href = page.get_by_role("link", name="Hent det viste som regneark (CSV)").get_attribute(
            "href"
        )
        body = page.context.request.get(href).text()
        assert "Bent Browser" in body
        names = page.locator("tbody tr td:first-child a").all_inner_texts()
        assert [line.split(";")[0] for line in body.lstrip("\ufeff").splitlines()[1:]] == names


class TestUaoJourney:
    def test_grant_access_then_the_supervisor_sees_the_trainee(
        self, server: Server, new_page: Any
    ) -> None:
        lise = str(doctor_id("DM006"))
        supervisor = new_page()
        login_as(supervisor, lise)
        supervisor.goto("/uddannelseslaeger")
        before = supervisor.locator("main").inner_text()

        uao = new_page()
        login(uao, "Hanne Bach")
        uao.get_by_role("link", name="Akutafdelingen, Aarhus Universitetshospital").first.click()
        uao.get_by_role("heading", name="Adgang til afdelingens uddannelseslæger").wait_for()
        uao.get_by_role("button", name="Giv en vejleder adgang").click()
        uao.get_by_label("Vejlederens autorisations-ID").fill("dm006")
        uao.get_by_label("Sofie Lund").check()
        screenshot(uao, "uao-grant")
        uao.get_by_role("button", name="Giv adgang").click()
        done(uao)
        row = uao.locator("tr", has_text="Lise Kjær")
        assert "af Hanne Bach" in row.inner_text()  # the chain: who gave whom access
        screenshot(uao, "uao-department")

        supervisor.goto("/uddannelseslaeger")
        supervisor.get_by_role("link", name="Sofie Lund").wait_for()
        assert "Sofie Lund" not in before


class TestAuditorJourney:
    def test_find_and_verify_a_submission(self, server: Server, new_page: Any) -> None:
        app = server.container.app
        klara = programme_of(server, "DM007")
        app.execute(
            SubmitDocumentation.model_validate(
                {"programme_id": str(klara.id), "kind": "independent-practice"}
            ),
            app.resolve_actor(str(doctor_id("DM007"))),
        )
        server.container.runner.wait_for(app.position(), 10)
        page = new_page()
        login_as(page, AUDITOR)
        page.get_by_label("Autorisations-ID").fill("dm007")
        page.get_by_role("button", name="Søg").click()
        page.locator("table a").first.click()
        page.get_by_role("heading", name="Kontrol").wait_for()
        text = page.locator("main").inner_text()
        assert "Ja: genskabt fra hændelserne giver den samme kontrolsum." in text
        assert "Uændret siden indsendelsen." in text
        assert "Klara Klar" in text  # the package as sent
        screenshot(page, "auditor-submission")
        with page.expect_download() as download:
            page.get_by_role("button", name="Hent som PDF").click()
        assert download.value.path().read_bytes().startswith(b"%PDF")
        page.get_by_role("button", name="Historik").first.click()
        page.get_by_role("heading", name="Historik for Klara Klar").wait_for()


class TestCurriculumJourney:
    def _upload(self, page: Any, body: str) -> None:
        page.get_by_label("Speciale").select_option("kbu")
        page.get_by_label("Uddannelsestrin").select_option("kbu")
        page.get_by_label("Versionens navn").fill("2027-B")
        page.get_by_label("Gælder fra").fill("2027-03-01")
        page.get_by_label("Varighed i måneder").fill("12")
        page.get_by_label("Fil (CSV eller JSON)").set_input_files(
            files=[{"name": "maal.csv", "mimeType": "text/csv", "buffer": body.encode()}]
        )
        page.get_by_role("button", name="Kontrollér filen").click()

    def test_refused_by_line_then_published(self, server: Server, new_page: Any) -> None:
        page = new_page()
        login_as(page, CURRICULUM_ADMIN)
        page.get_by_role("button", name="Udgiv en ny målbeskrivelse").click()
        before = server.position()
        self._upload(page, BAD_CSV)
        alert = page.get_by_role("alert").filter(has_text="Filen blev ikke udgivet").inner_text()
        assert "Linje 3" in alert and "troldmand" in alert
        assert "Linje 4: koden B1 står også på linje 2" in alert
        assert server.position() == before
        screenshot(page, "curriculum-errors")
        self._upload(page, GOOD_CSV)
        page.get_by_role("heading", name="Forhåndsvisning: 2 kompetencer og 1 kurser").wait_for()
        assert server.position() == before
        screenshot(page, "curriculum-preview")
        page.get_by_role("button", name="Udgiv målbeskrivelsen").click()
        done(page)
        assert "2027-B" in page.locator("main").inner_text()


class TestRegionWall:
    def test_another_region_is_refused_and_nothing_written(
        self, server: Server, new_page: Any
    ) -> None:
        sofie = programme_of(server, "DM001")
        page = new_page()
        login_as(page, SECRETARIATS["syd"])
        answer = page.goto(f"/sekretariat/laeger/{doctor_id('DM001')}")
        assert answer is not None and answer.status == 403
        assert "Sofie Lund" not in page.locator("main").inner_text()
        answer = page.goto(f"/handling/extend-employment?programme_id={sofie.id}")
        assert answer is not None and answer.status == 403
        page.goto("/sekretariat")
        token = page.locator("input[name=csrf_token]").first.get_attribute("value")
        before = server.position()
        forced = page.context.request.post(
            "/handling/extend-employment",
            form={
                "csrf_token": token,
                "idempotency_key": "web-forced-by-another-region",
                "programme_id": str(sofie.id),
                "employment_id": str(sofie.employments[0].employment_id),
                "new_end": "2030-01-31",
                "reason": "forced",
            },
            headers={"Origin": server.base},
        )
        assert forced.status == 403
        assert server.position() == before


class TestPublicResults:
    def test_bars_readable_without_colour(self, server: Server, new_page: Any) -> None:
        """Three evaluations of a department publish its cell: bars with their numbers, for
        anyone, at a phone's width too; axe finds nothing serious."""
        from tests.browser.test_accessibility import violations
        from tests.integration.test_evaluations import evaluate

        akm = str(department_id("AUH-AKM"))
        cell = {
            "department_id": akm,
            "period": "2026-H1",
            "specialty_code": "kbu",
            "region": "nord",
            "stage": "kbu",
        }
        for score in (4, 5, 6):
            evaluate(server.container, cell, score)
        server.container.runner.wait_for(server.position(), 10)
        for width in (375, 1280):
            page = new_page(width)
            page.goto(f"/resultater?afdeling={akm}&periode=2026-H1")
            page.get_by_text("3 evalueringer").wait_for()
            assert page.locator("svg.bar").count() > 0
            assert "5.0 af 6 (3 svar)" in page.locator("main").inner_text()
            screenshot(page, "results-bars")
            assert not violations(page)
