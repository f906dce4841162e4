"""The staff's pages: the secretariat, the UAO/tutor, the STPS caseworker, the curriculum
administrator and the public results, through forms as a browser sends them.

Every form is a command through the same path as the API; what a user may not do is not
offered, and a forced post is refused in words with nothing written.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

import pytest

from logbog_es.domain.doctor import doctor_id
from logbog_es.web.actions import ACTIONS
from logbog_es.web.curricula import check_lines, read_csv, read_json
from tests.helpers import Ward
from tests.web.conftest import Site, forms, text_of


def _rows_of_csv(body: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))


def _action(site: Site, name: str, **context: str) -> Any:
    """The form of a staff command, as its page shows it."""
    query = "&".join(f"{k}={v}" for k, v in context.items())
    return site.form(f"/handling/{name}" + (f"?{query}" if query else ""), f"/handling/{name}")


class TestSecretariat:
    """A secretariat registers a doctor, starts a programme, adds an employment, and finds the
    doctor in the register and in the CSV of exactly what is on screen."""

    def test_register_doctor_to_register_and_csv(self, site: Site, ward: Ward) -> None:
        site.login("sek-nord")
        assert site.client.get("/", follow_redirects=False).headers["location"] == "/sekretariat"
        register = text_of(site.get("/sekretariat").text)
        assert "Trine Trainee" in register

        sent = site.submit(
            _action(site, "register-doctor"),
            authorisation_id="nd123",
            name="Nina Ny",
            email="nina@example.dk",
        )
        assert sent.status_code == 303, text_of(sent.text)
        new = doctor_id("ND123")
        assert sent.headers["location"].startswith(f"/sekretariat/laeger/{new}")
        page = text_of(site.get(f"/sekretariat/laeger/{new}").text)
        assert "Nina Ny" in page and "ND123" in page
        assert "intet forløb endnu" in text_of(site.get("/sekretariat/soeg?q=nina").text)

        start = _action(site, "start-programme", doctor_id=str(new))
        sent = site.submit(start, specialty_code="kbu", stage="kbu", hiring_date="2026-07-01")
        assert sent.status_code == 303, text_of(sent.text)
        doctor_page = site.get(f"/sekretariat/laeger/{new}").text
        programme = re.findall(
            r"/handling/add-employment\?programme_id=([0-9a-f-]{36})", doctor_page
        )
        assert programme, "the new programme offers add-employment"
        add = _action(site, "add-employment", programme_id=programme[0])
        sent = site.submit(
            add,
            department_id=str(ward.department),
            start="2026-07-01",
            end="2027-06-30",
            percent="100",
        )
        assert sent.status_code == 303, text_of(sent.text)
        assert sent.headers["location"] == f"/logbog/{programme[0]}/tid?ok=done"

        shown = site.get("/sekretariat?sorter=-hiring_date")
        assert "Nina Ny" in text_of(shown.text)
        names_on_screen = re.findall(r'/sekretariat/laeger/[0-9a-f-]{36}">([^<]+)<', shown.text)
        download = site.get("/sekretariat/register.csv?sorter=-hiring_date")
        assert download.headers["content-type"].startswith("text/csv")
        assert [r["Navn"] for r in _rows_of_csv(download.text)] == names_on_screen
        filtered = site.get("/sekretariat/register.csv?status=active")
        assert [r["Navn"] for r in _rows_of_csv(filtered.text)] == ["Trine Trainee"]

    def test_refused_form_keeps_input_and_writes_nothing(self, site: Site, ward: Ward) -> None:
        site.login("sek-nord")
        form = _action(site, "register-doctor")
        before = site.position()
        answer = site.submit(form, authorisation_id="not an id", name="Ole", email="ole@x.dk")
        assert answer.status_code == 422
        assert site.position() == before
        words = text_of(answer.text)
        assert "autorisations-ID" in words
        assert 'value="Ole"' in answer.text  # the input is kept
        assert 'id="f-authorisation_id-error"' in answer.text  # beside its field

    def test_register_paging_and_sort(self, site: Site, ward: Ward, monkeypatch: Any) -> None:
        from logbog_es.web import secretariat

        monkeypatch.setattr(secretariat, "REGISTER_PAGE", 1)
        other = site.world.doctor("AA111", "Anders And")
        site.world.programme(other, date(2026, 2, 1))
        site.login("sek-nord")
        first = site.get("/sekretariat")
        assert "Anders And" in first.text and "Trine Trainee" not in first.text
        more = re.search(r'href="(/sekretariat\?[^"]*efter=[^"]+)"', first.text)
        assert more
        second = site.get(more.group(1).replace("&amp;", "&"))
        assert "Trine Trainee" in second.text and "Anders And" not in second.text
        csv_link = re.search(r'href="(/sekretariat/register\.csv\?[^"]+)"', second.text)
        assert csv_link
        rows = _rows_of_csv(site.get(csv_link.group(1).replace("&amp;", "&")).text)
        assert [r["Navn"] for r in rows] == ["Trine Trainee"]  # the page shown, not all

    def test_another_region_is_refused_and_nothing_written(self, site: Site, ward: Ward) -> None:
        """A secretariat of another region reaches neither the doctor's page nor the forms of
        their programme; a forced post is refused in words and writes nothing."""
        site.login("sek-syd")
        assert "Trine Trainee" not in site.get("/sekretariat").text
        assert site.get(f"/sekretariat/laeger/{ward.trainee}").status_code == 403
        page = site.get(f"/handling/add-employment?programme_id={ward.programme}")
        assert page.status_code == 403
        site.login("sek-nord")  # a form as the right region would see it ...
        form = _action(site, "extend-employment", programme_id=str(ward.programme))
        site.login("sek-syd")  # ... sent by the wrong one, with its own session's token
        token = forms(site.get("/sekretariat").text)
        before = site.position()
        csrf = next(f.fields["csrf_token"] for f in token if "csrf_token" in f.fields)
        answer = site.submit(
            form,
            csrf_token=csrf,
            new_end="2027-03-31",
            reason="forced",
        )
        assert answer.status_code == 403
        assert site.position() == before
        assert site.get(f"/logbog/{ward.programme}/tid").status_code == 403

    def test_not_a_secretariat(self, site: Site, ward: Ward) -> None:
        site.login(ward.trainee)
        assert site.get("/sekretariat").status_code == 403
        assert site.get("/handling/register-doctor").status_code == 403


class TestDepartment:
    """A UAO sees the department's trainees and the access chain, grants access, and the
    supervisor then sees the trainee; revoking takes it away."""

    def test_grant_then_supervisor_sees_then_revoke(self, site: Site, ward: Ward) -> None:
        newcomer = site.world.doctor("NY001", "Niels Nyvejleder")
        site.login(ward.uao)
        overview = text_of(site.get(f"/afdeling/{ward.department}").text)
        assert "Trine Trainee" in overview
        assert "Mette Main" in overview and "af Ulla UAO" in overview  # who gave whom access
        form = _action(site, "grant-supervisor-access", department_id=str(ward.department))
        sent = site.submit(form, supervisor_id="ny001", **{f"trainee_ids.{ward.trainee}": "on"})
        assert sent.status_code == 303, text_of(sent.text)

        site.login(newcomer)
        assert "Trine Trainee" in text_of(site.get("/uddannelseslaeger").text)
        assert site.get(f"/logbog/{ward.programme}").status_code == 200

        site.login(ward.uao)
        page = site.get(f"/afdeling/{ward.department}").text
        revoke = re.findall(r'href="(/handling/revoke-supervisor-access\?[^"]+)"', page)
        assert len(revoke) == 4  # three from the ward, one new
        newest = revoke[-1].replace("&amp;", "&")
        sent = site.submit(site.form(newest, "/handling/revoke"), revoked_from="")
        assert sent.status_code == 303, text_of(sent.text)
        site.login(newcomer)
        assert site.get(f"/logbog/{ward.programme}").status_code == 403

    def test_unknown_authorisation_id_beside_the_field(self, site: Site, ward: Ward) -> None:
        site.login(ward.uao)
        form = _action(site, "grant-supervisor-access", department_id=str(ward.department))
        before = site.position()
        answer = site.submit(form, supervisor_id="ZZ999")
        assert answer.status_code == 422
        assert site.position() == before
        assert "ZZ999" in text_of(answer.text)
        assert 'id="f-supervisor_id-error"' in answer.text

    def test_supervisor_is_not_offered_the_chain(self, site: Site, ward: Ward) -> None:
        site.login(ward.main)
        page = site.get(f"/afdeling/{ward.department}")
        assert page.status_code == 200
        assert "/handling/grant-supervisor-access" not in page.text
        assert "/handling/revoke-supervisor-access" not in page.text
        refused = site.get(f"/handling/grant-supervisor-access?department_id={ward.department}")
        assert refused.status_code == 403

    def test_attest_time_in_the_last_month(self, site: Site, ward: Ward) -> None:
        """R7: offered in the employment's last month, not before; then shown as attested."""
        site.login(ward.uao)
        assert (
            "/handling/attest-employment-time" not in site.get(f"/logbog/{ward.programme}/tid").text
        )
        site.clock.today = date(2026, 12, 10)
        page = site.get(f"/logbog/{ward.programme}/tid").text
        found = re.search(r'href="(/handling/attest-employment-time\?[^"]+)"', page)
        assert found
        address = found.group(1).replace("&amp;", "&")
        sent = site.submit(site.form(address, "/handling/attest"))
        assert sent.status_code == 303, text_of(sent.text)
        words = text_of(site.get(f"/logbog/{ward.programme}/tid").text)
        assert "Ulla UAO" in words
        assert (
            "/handling/attest-employment-time" not in site.get(f"/logbog/{ward.programme}/tid").text
        )

    def test_attest_refused_when_extension_missing(self, site: Site, ward: Ward) -> None:
        """R5: part time makes the required end later; attesting is refused, in words."""
        site.login("sek-nord")
        form = _action(site, "change-employment-fraction", programme_id=str(ward.programme))
        employment = form.fields["employment_id"]  # the only one, chosen
        assert employment
        sent = site.submit(form, from_date="2026-02-01", percent="50")
        assert sent.status_code == 303, text_of(sent.text)
        site.clock.today = date(2026, 12, 10)
        site.login(ward.uao)
        address = (
            f"/handling/attest-employment-time?programme_id={ward.programme}"
            f"&employment_id={employment}"
        )
        before = site.position()
        answer = site.submit(site.form(address, "/handling/attest"))
        assert answer.status_code in (409, 422)
        assert site.position() == before
        assert "forlæng" in text_of(answer.text).lower()


class TestAuditor:
    """An STPS caseworker finds a submission by authorisation id and sees plainly that it is
    reproducible and the chain matches; the PDF; the doctor's history."""

    def test_find_and_verify_a_submission(self, site: Site) -> None:
        from logbog_es.demo import AUDITOR, load_demo

        site.clock.today = date(2026, 11, 20)
        load_demo(site.container.app)
        klara = doctor_id("DM007")
        site.login(klara)
        readiness = site.get("/logbog").headers.get("location") or ""
        book = site.client.get("/logbog", follow_redirects=True)
        programme = re.search(r"/logbog/([0-9a-f-]{36})", str(book.url))
        assert programme, readiness
        submit = site.form(f"/logbog/{programme.group(1)}/parathed", "/indsend")
        sent = site.submit(submit)
        assert sent.status_code == 303, text_of(sent.text)

        # R11: the trainee is offered supplementary documentation; with nothing attested since,
        # it is refused in words and nothing is written.
        document = sent.headers["location"].split("?")[0]
        supplement = re.search(
            r'href="(/handling/submit-supplementary-documentation\?[^"]+)"', site.get(document).text
        )
        assert supplement
        address = supplement.group(1).replace("&amp;", "&")
        before = site.position()
        refused = site.submit(site.form(address, "/handling/submit-supplementary"))
        assert refused.status_code == 409
        assert site.position() == before

        site.login(AUDITOR)
        assert site.client.get("/", follow_redirects=False).headers["location"] == "/stps"
        found = site.get("/stps?autorisation=dm007")
        link = re.search(r'href="(/dokumentation/[0-9a-f-]{36})"', found.text)
        assert link, text_of(found.text)
        page = site.get(link.group(1))
        words = text_of(page.text)
        assert "Ja: genskabt fra hændelserne giver den samme kontrolsum." in words
        assert "check-ok" in page.text
        assert "check-bad" not in page.text
        assert "Klara Klar" in words  # the package as sent
        pdf = site.get(link.group(1) + "/pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        history = site.get(f"/laeger/{klara}/historik")
        assert history.status_code == 200
        assert "Historik for Klara Klar" in text_of(history.text)
        assert site.get("/stps?autorisation=DM001").status_code == 200
        assert "Ingen indsendt dokumentation" in text_of(site.get("/stps?autorisation=DM001").text)


class TestPaperAttestation:
    """R10: the trainee registers a paper attestation; the UAO verifies it; it then counts."""

    def test_register_then_verify(self, site: Site, ward: Ward) -> None:
        site.login(ward.trainee)
        courses = site.get(f"/logbog/{ward.programme}/kurser").text
        assert "/handling/verify-prior-attestation" not in courses
        form = _action(site, "register-prior-attestation", programme_id=str(ward.programme))
        sent = site.submit(
            form,
            kind="competency",
            code="K1",
            attested_on="2025-05-01",
            attested_by="Dr. Papir",
            document_ref="arkiv-17",
        )
        assert sent.status_code == 303, text_of(sent.text)
        assert "afventer verifikation" in text_of(site.get(f"/logbog/{ward.programme}/kurser").text)

        site.login(ward.uao)
        courses = site.get(f"/logbog/{ward.programme}/kurser").text
        assert "/handling/register-prior-attestation" not in courses  # the trainee's own
        verify = re.search(r'href="(/handling/verify-prior-attestation\?[^"]+)"', courses)
        assert verify
        address = verify.group(1).replace("&amp;", "&")
        sent = site.submit(site.form(address, "/handling/verify"))
        assert sent.status_code == 303, text_of(sent.text)
        words = text_of(site.get(f"/logbog/{ward.programme}").text)
        assert "verificeret papirattestation" in words


class TestCurricula:
    CSV_BAD = (
        "type;code;title;description;roles;methods;kind;hours;days\n"
        "competency;N1;Ny kompetence;Beskrivelse;medical_expert;mini_cex*\n"
        "competency;N2;Anden;Beskrivelse;wizard;osats\n"
        "competency;N1;Igen;Beskrivelse;scholar;osats\n"
        "course;C1;Kursus;;;;general;;\n"
        "thing;X;;;;;;;\n"
    )
    CSV_GOOD = (
        "type;code;title;description;roles;methods;kind;hours;days\n"
        "competency;N1;Ny kompetence;Beskrivelse;medical_expert,scholar;mini_cex*,osats\n"
        "competency;N2;Anden;Beskrivelse;communicator;structured_conversation\n"
        "course;C1;Kursus;;;;general;16;\n"
    )

    def _upload(self, site: Site, body: str, **values: str) -> Any:
        page = site.get("/maalbeskrivelser/ny")
        form = next(f for f in forms(page.text) if f.action == "/maalbeskrivelser/ny")
        data = {
            **{k: v for k, v in form.fields.items() if k != "file"},
            "specialty_code": "kbu",
            "stage": "kbu",
            "label": "2027",
            "effective_from": "2027-01-01",
            "nominal_duration_months": "12",
            **values,
        }
        return site.client.post(
            "/maalbeskrivelser/ny",
            data=data,
            files={"file": ("curriculum.csv", body.encode(), "text/csv")},
            follow_redirects=False,
        )

    def test_every_error_by_line_and_nothing_written(self, site: Site, ward: Ward) -> None:
        site.login("admin")
        before = site.position()
        answer = self._upload(site, self.CSV_BAD)
        assert answer.status_code == 422
        words = text_of(answer.text)
        assert "Linje 3" in words and "wizard" in words
        assert "Linje 4: koden N1 står også på linje 2" in words
        assert "Linje 5" in words  # a course with neither hours nor days
        assert "Linje 6: type skal være competency eller course" in words
        assert "/maalbeskrivelser/udgiv" not in answer.text  # nothing to publish
        assert site.position() == before

    def test_preview_then_publish(self, site: Site, ward: Ward) -> None:
        site.login("admin")
        before = site.position()
        preview = self._upload(site, self.CSV_GOOD)
        assert preview.status_code == 200, text_of(preview.text)
        assert site.position() == before  # a preview writes nothing
        words = text_of(preview.text)
        assert "2 kompetencer og 1 kurser" in words
        publish = next(f for f in forms(preview.text) if f.action == "/maalbeskrivelser/udgiv")
        sent = site.client.post(
            publish.action,
            data=publish.fields,
            files={"x": ("", b"", "text/plain")},
            follow_redirects=False,
        )
        assert sent.status_code == 303, text_of(sent.text)
        listed = text_of(site.get("/maalbeskrivelser").text)
        assert "2027" in listed and "2 kompetencer, 1 kurser, 12 måneder" in listed
        again = site.client.post(
            publish.action,
            data=publish.fields,
            files={"x": ("", b"", "text/plain")},
            follow_redirects=False,
        )
        assert again.status_code == 303  # the same key: recorded once
        assert listed.count("2027") == text_of(site.get("/maalbeskrivelser").text).count("2027")

    def test_whole_command_refused_in_preview(self, site: Site, ward: Ward) -> None:
        """The label already published for the stage: found in the preview, nothing written."""
        site.login("admin")
        before = site.position()
        answer = self._upload(site, self.CSV_GOOD, label="2019", effective_from="2019-02-01")
        assert answer.status_code == 409
        assert "2019" in text_of(answer.text)
        assert site.position() == before

    def test_not_an_administrator(self, site: Site, ward: Ward) -> None:
        site.login("sek-nord")
        assert site.get("/maalbeskrivelser/ny").status_code == 403
        assert "/maalbeskrivelser/ny" not in site.get("/maalbeskrivelser").text


class TestFileReading:
    def test_json_lines(self) -> None:
        text = (
            '{\n  "competencies": [\n    {"code": "A", "title": "a", "description": "d",\n'
            '     "roles": ["medical_expert"], "methods": [{"method": "osats"}]},\n'
            '    {"code": "B", "title": "", "description": "d",\n'
            '     "roles": ["medical_expert"], "methods": [{"method": "osats"}]}\n  ]\n}\n'
        )
        lines, errors = read_json(text)
        assert not errors
        assert [line.number for line in lines] == [3, 5]
        checked = check_lines(lines, 12)
        assert [number for number, _ in checked.errors] == [5]

    def test_comma_separated_with_bom_is_read(self) -> None:
        lines, errors = read_csv(
            "type,code,title,description,roles,methods\r\n"
            'competency,A,"a, b",d,medical_expert|scholar,osats*\r\n'
        )
        assert not errors
        assert lines[0].data["roles"] == ["medical_expert", "scholar"]
        assert lines[0].data["methods"] == [{"method": "osats", "mandatory": True}]


class TestPublicResults:
    """R13 on the public page: bars only for cells of 3 or more, under every filter."""

    def cell(self, ward: Ward, stage: str = "kbu") -> dict[str, str]:
        return {
            "department_id": str(ward.department),
            "period": "2026-H1",
            "specialty_code": "kbu",
            "region": "nord",
            "stage": stage,
        }

    def test_without_login_and_withheld(self, site: Site, ward: Ward) -> None:
        from tests.integration.test_evaluations import evaluate

        for _ in range(2):
            evaluate(site.container, self.cell(ward), 2)
        site.settle()
        site.client.cookies.clear()
        for query in ("", f"?afdeling={ward.department}", "?periode=2026-H1&region=nord"):
            page = site.get("/resultater" + query)
            assert page.status_code == 200
            assert "Tilbageholdt" in text_of(page.text), query
            assert "<svg" not in page.text

    def test_bars_with_their_numbers(self, site: Site, ward: Ward) -> None:
        from tests.integration.test_evaluations import evaluate

        site.clock.today = date(2026, 12, 1)  # 2026-H1's evaluation window has closed
        for score in (3, 4, 5):
            evaluate(site.container, self.cell(ward), score)
        for _ in range(2):
            evaluate(site.container, self.cell(ward, "main"), 1)  # a small cell elsewhere
        site.settle()
        site.client.cookies.clear()
        page = site.get(f"/resultater?afdeling={ward.department}&periode=2026-H1")
        words = text_of(page.text)
        assert "3 evalueringer" in words
        assert "4.0 af 6 (3 svar)" in words  # the number beside every bar
        widths = set(re.findall(r'class="bar-fill"', page.text))
        assert widths and 'width="67"' in page.text  # 4.0 of 6 is two thirds of the bar
        english = site.client.get("/sprog/en?next=/resultater", follow_redirects=True)
        assert english.status_code == 200
        assert "Withheld" not in text_of(site.get("/resultater?trin=kbu").text)
        assert "Withheld" in text_of(site.get("/resultater?trin=main").text)


class TestHistoryForStaff:
    def test_secretariat_reads_and_filters(self, site: Site, ward: Ward) -> None:
        site.login("sek-nord")
        page = text_of(site.get(f"/laeger/{ward.trainee}/historik").text)
        assert "Historik for Trine Trainee" in page
        assert "Overført fra den gamle logbog" not in page  # all given in Logbog
        only_access = text_of(site.get(f"/laeger/{ward.trainee}/historik?slags=Doctor").text)
        assert 0 < only_access.count("registreret ") < page.count("registreret ")

    def test_as_shown_on_a_past_day(self, site: Site, ward: Ward) -> None:
        site.login("sek-nord")
        then = text_of(
            site.get(f"/laeger/{ward.trainee}/historik?visning=as_shown&dato=2025-01-01").text
        )
        assert "Logbogen som vist den 1. januar 2025" in then
        assert "Intet forløb på den dag" in then

    def test_another_region_cannot_read(self, site: Site, ward: Ward) -> None:
        site.login("sek-syd")
        assert site.get(f"/laeger/{ward.trainee}/historik").status_code == 403


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_every_action_form_needs_login(site: Site, name: str) -> None:
    answer = site.client.get(f"/handling/{name}", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/log-ind")


class TestWithdrawOffer:
    """A withdrawal is offered by the access chain of the department where the approval was
    given, as the handler decides it, not by where the trainee is employed today."""

    def test_offered_to_the_approving_departments_uao(self, site: Site, ward: Ward) -> None:
        from logbog_es.commands import ApproveCompetency

        site.world.run(
            ApproveCompetency.model_validate(
                {
                    "programme_id": ward.programme,
                    "competency_code": "K1",
                    "method": "mini_cex",
                    "assessed_on": "2026-03-02",
                }
            ),
            site.world.actor(ward.uao),
        )
        site.world.employ(
            ward.programme, ward.other_department, date(2027, 1, 1), date(2027, 6, 30)
        )
        site.clock.today = date(2027, 2, 1)  # now at the other department
        page = f"/logbog/{ward.programme}/kompetencer/K1"
        site.login(ward.other_uao)
        assert site.get(page).status_code == 200
        assert "/handling/withdraw-approval" not in site.get(page).text
        site.login(ward.uao)
        assert "/handling/withdraw-approval" in site.get(page).text
