"""The web app's pages and forms, through the same handlers, policy and receipts as the API."""

from __future__ import annotations

from datetime import date
from typing import Any

from logbog_es.domain.programme import Programme
from tests.helpers import Ward
from tests.web.conftest import Site, forms, text_of


def _competency_page(ward: Ward, code: str = "K1") -> str:
    return f"/logbog/{ward.programme}/kompetencer/{code}"


class TestLoginRequired:
    """Every page of the logbook needs a login; the browser is sent to the login page."""

    def test_pages_redirect_to_login(self, site: Site, ward: Ward) -> None:
        """Without a session, each page redirects to /log-ind and names where to go back."""
        for path in ("/", "/logbog", f"/logbog/{ward.programme}", "/indbakke", "/historik"):
            response = site.client.get(path, follow_redirects=False)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/log-ind?next=")

    def test_htmx_request_is_redirected_by_header(self, site: Site) -> None:
        """An htmx request gets HX-Redirect, so the whole page goes to the login."""
        response = site.client.get("/logbog", headers={"HX-Request": "true"})
        assert response.headers["HX-Redirect"].startswith("/log-ind")


class TestTraineeLogbook:
    """The trainee's logbook: the pinned curriculum version, competencies by role, status."""

    def test_logbook_shows_curriculum_and_competencies(self, site: Site, ward: Ward) -> None:
        """The page names the version the programme follows and every competency of it."""
        site.login(ward.trainee)
        page = site.client.get("/logbog")
        assert page.status_code == 200
        words = text_of(page.text)
        assert "Logbog for Trine Trainee" in words
        assert "målbeskrivelse 2019" in words
        for code in ("K1", "K2", "K3"):
            assert f"{code} Kompetence {code}" in words
        assert "0 af 3 kompetencer godkendt" in words

    def test_english_by_the_switch(self, site: Site, ward: Ward) -> None:
        """The language switch sets a cookie; the same page then reads in English."""
        site.login(ward.trainee)
        switched = site.client.get(
            f"/sprog/en?next=/logbog/{ward.programme}", follow_redirects=False
        )
        assert switched.headers["location"] == f"/logbog/{ward.programme}"
        page = site.client.get(f"/logbog/{ward.programme}")
        assert 'lang="en"' in page.text
        assert "0 of 3 competencies approved" in text_of(page.text)

    def test_switch_never_leaves_the_site(self, site: Site) -> None:
        """`next` pointing elsewhere is replaced by the start page (no open redirect)."""
        for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
            response = site.client.get(f"/sprog/en?next={target}", follow_redirects=False)
            assert response.headers["location"] == "/"

    def test_another_trainees_logbook_is_refused(self, site: Site, ward: Ward) -> None:
        """A trainee reading someone else's programme gets 403 in words, not data."""
        other = site.world.doctor("TR999", "Anden Trainee")
        site.login(other)
        page = site.client.get(f"/logbog/{ward.programme}")
        assert page.status_code == 403
        assert "Trine Trainee" not in page.text
        assert "Traceback" not in page.text


class TestAssessmentJourney:
    """A trainee asks for an assessment; the supervisor approves it from the inbox; the trainee
    sees it approved with the supervisor's name and capacity."""

    def test_request_approve_and_see(self, site: Site, ward: Ward) -> None:
        site.login(ward.trainee)
        form = site.form(_competency_page(ward), "/anmod")
        choices = text_of(site.get(_competency_page(ward)).text)
        assert "Mette Main (hovedvejleder" in choices  # only those with access to the trainee
        assert "Ole Other UAO" not in choices
        before = site.position()
        sent = site.submit(form, supervisor_id=str(ward.main))
        assert sent.status_code == 303
        assert "ok=requested" in sent.headers["location"]
        assert site.position() > before

        site.login(ward.main)
        inbox = site.get("/indbakke")
        assert 'class="badge"' in inbox.text
        assert ">1</span>" in inbox.text  # the count on every page
        assert "Trine Trainee: K1 Kompetence K1" in text_of(inbox.text)
        link = f"/logbog/{ward.programme}/kompetencer/K1"
        assert link in inbox.text
        approve = site.form(link, "/godkend")
        done = site.submit(approve, method="mini_cex", assessed_on="2026-06-10", note="Fint")
        assert done.status_code == 303
        assert ">0</span>" in site.get("/indbakke").text

        site.login(ward.trainee)
        words = text_of(site.get(f"/logbog/{ward.programme}").text)
        assert "Godkendt af Mette Main (hovedvejleder) 10. juni 2026" in words

    def test_decline_with_a_reason(self, site: Site, ward: Ward) -> None:
        """The supervisor asked may decline; the request shows as declined to the trainee."""
        site.login(ward.trainee)
        site.submit(
            site.form(_competency_page(ward, "K2"), "/anmod"), supervisor_id=str(ward.plain)
        )
        site.login(ward.plain)
        decline = site.form(_competency_page(ward, "K2"), "/afvis")
        assert site.submit(decline, reason="Vi har ikke set nok endnu").status_code == 303
        site.login(ward.trainee)
        assert "afvist" in text_of(site.get(_competency_page(ward, "K2")).text)

    def test_double_submit_records_once(self, site: Site, ward: Ward) -> None:
        """The same rendered form sent twice (double click, resubmit) records one event."""
        site.login(ward.trainee)
        form = site.form(_competency_page(ward), "/anmod")
        first = site.submit(form, supervisor_id=str(ward.main))
        after_first = site.position()
        second = site.submit(form, supervisor_id=str(ward.main))
        assert first.status_code == second.status_code == 303
        assert site.position() == after_first
        programme = site.container.app.repository.get(ward.programme)
        assert isinstance(programme, Programme)
        assert len(programme.requests) == 1

    def test_error_is_shown_beside_the_field(self, site: Site, ward: Ward) -> None:
        """An assessment date in the future is refused (422), in words beside the date field,
        with the input kept; nothing is written."""
        site.login(ward.uao)
        form = site.form(_competency_page(ward), "/godkend")
        before = site.position()
        refused = site.submit(form, method="mini_cex", assessed_on="2026-07-01", note="Min note")
        assert refused.status_code == 422
        assert site.position() == before
        assert 'id="assessed_on"' in refused.text
        assert 'aria-invalid="true" aria-describedby="assessed-error"' in refused.text
        assert "i fremtiden" in text_of(refused.text)
        assert "Min note" in refused.text

    def test_a_character_that_cannot_be_stored(self, site: Site, ward: Ward) -> None:
        """A NUL in a note is named beside the note, in Danish; nothing is written."""
        site.login(ward.uao)
        form = site.form(_competency_page(ward), "/godkend")
        before = site.position()
        refused = site.submit(form, method="mini_cex", assessed_on="2026-06-10", note="ok\x00")
        assert refused.status_code == 422
        assert 'aria-describedby="note-error"' in refused.text
        assert "indeholder et tegn, der ikke kan gemmes (U+0000 på plads 3)" in refused.text
        assert site.position() == before

    def test_malformed_input_is_refused_in_words(self, site: Site, ward: Ward) -> None:
        """A value the command model refuses (not a date) is a 422 beside its field."""
        site.login(ward.uao)
        form = site.form(_competency_page(ward), "/godkend")
        refused = site.submit(form, assessed_on="not-a-date")
        assert refused.status_code == 422
        assert "Udfyld feltet korrekt" in refused.text


class TestWhatIsNotAllowed:
    """What a user may not do is not offered; a forced request is refused and writes nothing."""

    def test_trainee_is_not_offered_approval(self, site: Site, ward: Ward) -> None:
        site.login(ward.trainee)
        page = site.get(_competency_page(ward))
        assert "/godkend" not in page.text
        assert "/anmod" in page.text

    def test_plain_supervisor_is_not_offered_approval(self, site: Site, ward: Ward) -> None:
        """R4: a day-to-day supervisor without the delegated right cannot approve."""
        site.login(ward.plain)
        page = site.get(_competency_page(ward))
        assert page.status_code == 200
        assert "/godkend" not in page.text
        assert "/anmod" not in page.text

    def test_paper_attestation_counts_as_readiness_counts_it(self, site: Site, ward: Ward) -> None:
        """R10: a verified paper attestation credits the competency on every page, as readiness
        counts it, and nobody is offered to ask for it or approve it again."""
        from logbog_es.commands import RegisterPriorAttestation, VerifyPriorAttestation

        app = site.container.app
        registered = app.execute(
            RegisterPriorAttestation.model_validate(
                {
                    "programme_id": ward.programme,
                    "kind": "competency",
                    "code": "K3",
                    "attested_on": "2025-05-02",
                    "attested_by": "Overlæge (papir)",
                    "document_ref": "Scannet side 4",
                }
            ),
            site.world.actor(ward.trainee),
        )
        attestation = app.repository.get(ward.programme).prior_attestations
        (attestation_id,) = attestation
        app.execute(
            VerifyPriorAttestation(programme_id=ward.programme, attestation_id=attestation_id),
            site.world.actor(ward.uao),
        )
        assert registered.events
        site.login(ward.trainee)
        words = text_of(site.get(f"/logbog/{ward.programme}").text)
        assert "1 af 3 kompetencer godkendt" in words
        assert "Godkendt (verificeret papirattestation)" in words
        page = site.get(_competency_page(ward, "K3"))
        assert "/anmod" not in page.text
        site.login(ward.uao)
        assert "/godkend" not in site.get(_competency_page(ward, "K3")).text

    def test_forced_approval_is_refused(self, site: Site, ward: Ward) -> None:
        """The trainee posts an approval by hand with a valid session and CSRF token: the
        policy refuses it (403) and the store is unchanged."""
        site.login(ward.trainee)
        own = site.form(_competency_page(ward), "/anmod")
        before = site.position()
        forced = site.client.post(
            f"/logbog/{ward.programme}/kompetencer/K1/godkend",
            data={
                "csrf_token": own.fields["csrf_token"],
                "idempotency_key": "web-forced-1",
                "method": "mini_cex",
                "assessed_on": "2026-06-10",
            },
        )
        assert forced.status_code == 403
        assert site.position() == before
        assert "Traceback" not in forced.text
        summary = text_of(forced.text)
        assert "Det blev ikke registreret:" in summary  # in words, though no form is offered
        assert "adgang" in summary  # R4: the approver had no access to the trainee

    def test_post_without_csrf_token_writes_nothing(self, site: Site, ward: Ward) -> None:
        """A state-changing request without the session's CSRF token is refused."""
        site.login(ward.trainee)
        form = site.form(_competency_page(ward), "/anmod")
        before = site.position()
        data = {**form.fields, "supervisor_id": str(ward.main)}
        del data["csrf_token"]
        assert site.client.post(form.action, data=data).status_code == 403
        wrong = {**data, "csrf_token": "not-the-token"}
        assert site.client.post(form.action, data=wrong).status_code == 403
        other_site = {**form.fields, "supervisor_id": str(ward.main)}
        refused = site.client.post(
            form.action, data=other_site, headers={"Origin": "https://evil.example"}
        )
        assert refused.status_code == 403
        assert site.position() == before

    def test_idempotency_key_reused_for_another_command(self, site: Site, ward: Ward) -> None:
        """A key from one form sent with another command is refused, in words."""
        site.login(ward.trainee)
        form = site.form(_competency_page(ward), "/anmod")
        site.submit(form, supervisor_id=str(ward.main))
        other = site.form(_competency_page(ward, "K2"), "/anmod")
        reused = site.submit(
            other, supervisor_id=str(ward.main), idempotency_key=form.fields["idempotency_key"]
        )
        assert reused.status_code == 422
        assert "idempotens" in text_of(reused.text).lower()


class TestTrainingTimeAndCourses:
    """Training time (employments, part time, absence, required end, attestation) and courses."""

    def test_time_page(self, site: Site, ward: Ward) -> None:
        site.login(ward.trainee)
        words = text_of(site.get(f"/logbog/{ward.programme}/tid").text)
        assert "Afdeling D1" in words
        assert "1. januar 2026 til 31. december 2026" in words
        assert "100 % af fuld tid fra start" in words
        assert "kan tidligst attesteres 1. december 2026" in words

    def test_courses_page(self, site: Site, ward: Ward) -> None:
        site.login(ward.trainee)
        words = text_of(site.get(f"/logbog/{ward.programme}/kurser").text)
        assert "C1 Kursus" in words
        assert "Ikke gennemført" in words


class TestSupervisorsTrainees:
    """A supervisor sees the trainees they have access to, and their logbooks."""

    def test_main_supervisor_lists_and_reads(self, site: Site, ward: Ward) -> None:
        site.login(ward.main)
        page = site.get("/uddannelseslaeger")
        assert "Trine Trainee" in page.text
        assert f"/logbog/{ward.programme}" in page.text
        assert site.get(f"/logbog/{ward.programme}").status_code == 200

    def test_supervisor_elsewhere_cannot_read(self, site: Site, ward: Ward) -> None:
        site.login(ward.other_uao)
        assert "Trine Trainee" not in site.get("/uddannelseslaeger").text
        assert site.get(f"/logbog/{ward.programme}").status_code == 403


class TestPagesAndHeaders:
    """Pages are not cached, say what they are, and unknown pages are pages too."""

    def test_headers(self, site: Site, ward: Ward) -> None:
        site.login(ward.trainee)
        page = site.get(f"/logbog/{ward.programme}")
        assert page.headers["Cache-Control"] == "no-store"
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        assert "<script>" not in page.text  # no inline script (the CSP forbids it)

    def test_unknown_page_is_html_and_api_stays_json(self, site: Site) -> None:
        page = site.get("/findes-ikke")
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        api = site.get("/programmes/not-a-uuid/x")
        assert api.status_code == 404
        assert api.headers["content-type"].startswith("application/problem+json")


class TestHistoryPage:
    """The trainee's own history, in Danish, newest first."""

    def test_history_in_words(self, site: Site, ward: Ward) -> None:
        """Codes and dates read as words in the reader's language (the API keeps them)."""
        site.login(ward.main)
        approve = site.form(_competency_page(ward), "/godkend")
        assert site.submit(approve, method="mini_cex", assessed_on="2026-06-10").status_code == 303
        site.login(ward.trainee)
        words = text_of(site.get("/historik").text)
        assert "Trine Trainee blev registreret som læge" in words
        assert "som sekretariat" in words
        assert (
            "kompetencen K1 godkendt af Mette Main som hovedvejleder, metode: Mini-CEX, "
            "vurderet 10. juni 2026"
        ) in words
        site.client.get("/sprog/en")
        english = text_of(site.get("/historik").text)
        assert "main supervisor" in english
        assert "June 10, 2026" in english

    def test_bad_period_is_explained(self, site: Site, ward: Ward) -> None:
        site.login(ward.trainee)
        response = site.get("/historik?fra=2026-13-01")
        assert response.status_code == 422
        assert "åååå-mm-dd" in response.text
        reversed_ = site.get("/historik?fra=2026-06-01&til=2026-01-01")
        assert reversed_.status_code == 422


def test_form_helper_reads_selected_options() -> None:
    """The test's own form reader sends what a browser sends (selected option, hidden)."""
    html = (
        '<form action="/x" method="post"><input type="hidden" name="a" value="1">'
        '<select name="s"><option value="p">P</option><option value="q" selected>Q</option>'
        '</select><input type="radio" name="r" value="1"><input type="radio" name="r" '
        'value="2" checked></form>'
    )
    (form,) = forms(html)
    assert form.fields == {"a": "1", "s": "q", "r": "2"}


class TestEvaluations:
    """The trainee evaluates an employment's site in its last month: every question 1-6 or
    not relevant; a missing answer is named beside its question."""

    def test_answer_the_questionnaire(self, site: Site, ward: Ward) -> None:
        from logbog_es.domain.questionnaire import CURRENT

        site.clock.today = date(2026, 12, 10)
        site.login(ward.trainee)
        listed = site.get("/evalueringer")
        assert "Evaluér Afdeling D1" in text_of(listed.text)
        employment = site.container.app.repository.get(ward.programme).employments[0]
        path = f"/evalueringer/{employment.employment_id}"
        form = site.form(path, path)
        answers = {f"answers.{q.code}": "5" for q in CURRENT.questions}
        first = CURRENT.questions[0].code
        missing = {k: v for k, v in answers.items() if k != f"answers.{first}"}
        before = site.position()
        refused = site.submit(form, **missing)
        assert refused.status_code == 422
        assert f'aria-describedby="error-{first}"' in refused.text
        assert site.position() == before
        answers[f"answers.{CURRENT.questions[1].code}"] = "na"
        done = site.submit(form, **answers, comment="Travle vagter, god vejledning.")
        assert done.status_code == 303
        assert "ok=evaluated" in done.headers["location"]
        assert "Evalueret. Tak." in site.get("/evalueringer").text

    def test_not_due_is_not_found(self, site: Site, ward: Ward) -> None:
        """Before the employment's last month there is nothing to answer."""
        site.login(ward.trainee)
        employment = site.container.app.repository.get(ward.programme).employments[0]
        page = site.get(f"/evalueringer/{employment.employment_id}")
        assert page.status_code == 404


class TestTraineeWhoSupervises:
    """A supervisor who is also a trainee (common) sees both their logbook and their inbox."""

    def test_both_in_the_navigation(self, site: Site, ward: Ward) -> None:
        world = site.world
        both = world.doctor("DB001", "Dorte Begge")
        own = world.programme(both, date(2026, 1, 1))
        world.employ(own, ward.other_department, date(2026, 1, 1), date(2026, 12, 31))
        world.grant(ward.department, ward.uao, both, start=date(2026, 1, 1), delegated=True)
        site.login(both)
        page = site.client.get("/", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"] == "/logbog"
        logbook = site.client.get("/logbog", follow_redirects=True)
        assert "Logbog for Dorte Begge" in logbook.text
        assert 'href="/indbakke"' in logbook.text
        assert 'href="/uddannelseslaeger"' in logbook.text
        assert "Trine Trainee" in site.get("/uddannelseslaeger").text


class TestFailuresArePages:
    """A database outage or an unexpected error on a page answers a page in words (with the
    API's status and Retry-After), never a trace or problem+json."""

    def test_database_unavailable(self, site: Site, ward: Ward, monkeypatch: Any) -> None:
        import sqlite3

        from logbog_es.projections import supervisor_requests

        site.login(ward.trainee)

        def down(*_args: Any, **_kwargs: Any) -> int:
            raise sqlite3.OperationalError("database is locked")

        monkeypatch.setattr(supervisor_requests, "count_for", down)
        page = site.get(f"/logbog/{ward.programme}")
        assert page.status_code == 503
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["Retry-After"] == "2"
        assert "Intet er registreret" in page.text
        api = site.get("/healthz")
        assert api.headers["content-type"].startswith("application/json")

    def test_unexpected_error(self, site: Site, ward: Ward, monkeypatch: Any) -> None:
        from fastapi.testclient import TestClient

        from logbog_es.projections import supervisor_requests

        site.login(ward.trainee)

        def broken(*_args: Any, **_kwargs: Any) -> int:
            raise RuntimeError("a bug")

        monkeypatch.setattr(supervisor_requests, "count_for", broken)
        client = TestClient(site.client.app, raise_server_exceptions=False)
        client.cookies = site.client.cookies
        page = client.get(f"/logbog/{ward.programme}")
        assert page.status_code == 500
        assert "uventet fejl" in page.text
        assert "a bug" not in page.text
        assert "Traceback" not in page.text

    def test_bad_query_value(self, site: Site, ward: Ward) -> None:
        site.login(ward.main)
        page = site.get("/indbakke?efter=abc")
        assert page.status_code == 422
        assert "Adressen er ikke gyldig" in page.text


class TestLongLists:
    """The UAO of a big department gets the trainees a page at a time, every one reachable."""

    def test_trainees_a_page_at_a_time(self, site: Site, ward: Ward, monkeypatch: Any) -> None:
        from logbog_es.web import supervisor

        world = site.world
        other = world.doctor("TR002", "Anna Andersen")
        programme = world.programme(other, date(2026, 1, 1))
        world.employ(programme, ward.department, date(2026, 1, 1), date(2026, 12, 31))
        monkeypatch.setattr(supervisor, "TRAINEES_PAGE", 1)
        site.login(ward.uao)
        first = site.get("/uddannelseslaeger")
        assert "Anna Andersen" in first.text
        assert "Trine Trainee" not in first.text
        more = next(
            f for f in first.text.split('"') if f.startswith("/uddannelseslaeger?afdeling=")
        )
        second = site.get(more.replace("&amp;", "&"))
        assert "Trine Trainee" in second.text
        assert "Anna Andersen" not in second.text
        garbage = f"/uddannelseslaeger?afdeling={ward.department}&efter=garbage"
        assert site.get(garbage).status_code == 422

    def test_inbox_a_page_at_a_time(self, site: Site, ward: Ward, monkeypatch: Any) -> None:
        from logbog_es.web import supervisor

        site.login(ward.trainee)
        for code in ("K1", "K2"):
            site.submit(
                site.form(_competency_page(ward, code), "/anmod"), supervisor_id=str(ward.main)
            )
        monkeypatch.setattr(supervisor, "INBOX_PAGE", 1)
        site.login(ward.main)
        first = site.get("/indbakke")
        assert "K1 Kompetence K1" in text_of(first.text)
        assert "K2" not in text_of(first.text)
        more = next(f for f in first.text.split('"') if f.startswith("/indbakke?efter="))
        assert "K2 Kompetence K2" in text_of(site.get(more).text)


class TestRequestNote:
    """Issue 17, item 6: the trainee adds a note to a request; the supervisor asked reads it."""

    def test_note_reaches_the_supervisor(self, site: Site, ward: Ward) -> None:
        site.login(ward.trainee)
        form = site.form(_competency_page(ward), "/anmod")
        sent = site.submit(form, supervisor_id=str(ward.main), note="Jeg har haft tre patienter")
        assert sent.status_code == 303
        site.login(ward.main)
        assert "Jeg har haft tre patienter" in text_of(site.get(_competency_page(ward)).text)
        request = next(iter(site.container.app.repository.get(ward.programme).requests.values()))
        assert request.note == "Jeg har haft tre patienter"

    def test_an_empty_note_is_none(self, site: Site, ward: Ward) -> None:
        site.login(ward.trainee)
        form = site.form(_competency_page(ward), "/anmod")
        assert site.submit(form, supervisor_id=str(ward.main), note="  ").status_code == 303
        request = next(iter(site.container.app.repository.get(ward.programme).requests.values()))
        assert request.note is None
