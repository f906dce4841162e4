"""The in-app reminders and the choice of a daily digest, as a browser sends them."""

from __future__ import annotations

from datetime import date

from logbog_es.domain.reminders import MailChoice, mail_choice_id
from logbog_es.reminders import MaildirMailer
from tests.helpers import Ward
from tests.reminder_helpers import Moment, service
from tests.web.conftest import Site, text_of


def _pass(site: Site, day: date) -> None:
    site.clock.today = day
    mailer = MaildirMailer(site.container.settings.var_dir / "mail")
    service(site.container, mailer, Moment(day)).run_once(day)


class TestRemindersPage:
    def test_the_list_and_the_count(self, site: Site, ward: Ward) -> None:
        _pass(site, date(2026, 12, 1))  # the ward's employment is in its last month
        site.login(ward.uao)
        page = site.get("/paamindelser")
        words = text_of(page.text)
        assert "Ansættelsen for Trine Trainee" in words and "tiden skal attesteres" in words
        assert f'href="/logbog/{ward.programme}/tid"' in page.text
        assert "1 påmindelser" in words  # the count beside the menu link
        site.login(ward.trainee)
        assert "Evaluér dit uddannelsessted" in text_of(site.get("/paamindelser").text)

    def test_choose_none_then_an_address(self, site: Site, ward: Ward) -> None:
        site.login(ward.uao)
        form = site.form("/paamindelser", "/paamindelser")
        sent = site.submit(form, digest="off")
        assert sent.status_code == 303
        choice = site.container.app.repository.get(mail_choice_id(str(ward.uao)))
        assert isinstance(choice, MailChoice) and choice.digest is False
        form = site.form("/paamindelser", "/paamindelser")
        refused = site.submit(form, digest="on", address="ikke en adresse")
        assert refused.status_code == 422
        assert 'id="address-error"' in refused.text
        sent = site.submit(
            site.form("/paamindelser", "/paamindelser"),
            digest="on",
            address="ulla@hospital.test",
            language="en",
        )
        assert sent.status_code == 303
        choice = site.container.app.repository.get(mail_choice_id(str(ward.uao)))
        assert (choice.digest, choice.address, choice.language) == (
            True,
            "ulla@hospital.test",
            "en",
        )

    def test_staff_must_give_an_address(self, site: Site, ward: Ward) -> None:
        site.login("sek-nord")
        before = site.position()
        refused = site.submit(site.form("/paamindelser", "/paamindelser"), digest="on")
        assert refused.status_code == 422
        assert "angiv den adresse" in text_of(refused.text)
        assert site.position() == before


class TestMissingAddressFlag:
    def test_register_flags_a_doctor_without_email(self, site: Site, ward: Ward) -> None:
        from logbog_es.domain.base import Meta
        from logbog_es.domain.doctor import Doctor
        from logbog_es.domain.values import Capacity

        app = site.container.app
        imported = Doctor.register(
            authorisation_id="NO001",
            name="Uden Mail",
            email=None,
            cpr=None,
            meta=Meta("import:test", Capacity.IMPORT, "import:test:1"),
        )
        app.save(imported)
        site.world.programme(imported.id, date(2026, 2, 1))
        site.login("sek-nord")
        rows = site.get("/sekretariat").text.split("<tr>")
        flagged = [r for r in rows if "Uden Mail" in r]
        assert flagged and "Ingen e-mail" in flagged[0]
        assert "Ingen e-mail" not in next(r for r in rows if "Trine Trainee" in r)
