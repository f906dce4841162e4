"""R5 before the last month: after a change of part time the required end shows in the
programme, progress, readiness and the region register (flag, filter, CSV), so the secretariat
extends the employment in time (issue 17, item 1)."""

from __future__ import annotations

from datetime import date

from logbog_es.commands import ChangeEmploymentFraction
from logbog_es.tokens import LocalIssuer
from tests.helpers import Ward
from tests.web.conftest import Site, text_of


def _part_time(site: Site, ward: Ward) -> str:
    """30 of 37 hours from the start of the ward's 12-month employment (2026)."""
    programme = site.container.app.repository.get(ward.programme)
    employment = programme.employments[0].employment_id
    site.world.run(
        ChangeEmploymentFraction.model_validate(
            {
                "programme_id": ward.programme,
                "employment_id": employment,
                "from_date": "2026-01-01",
                "hours_per_week": 30,
                "full_time_hours_per_week": 37,
            }
        ),
        site.world.sek["nord"],
    )
    site.settle()
    required = site.container.app.repository.get(ward.programme).time_report(
        employment, date(2026, 6, 15)
    )
    assert required.extension_missing
    return required.required_end.isoformat()


def test_required_end_everywhere(site: Site, ward: Ward) -> None:
    required = _part_time(site, ward)
    token = LocalIssuer(site.container.settings).issue("sek-nord")
    auth = {"Authorization": f"Bearer {token}"}
    api = site.client
    shown = api.get(f"/programmes/{ward.programme}", headers=auth).json()
    assert shown["employments"][0]["required_end"] == required
    assert shown["employments"][0]["extension_needed"] is True
    progress = api.get(f"/programmes/{ward.programme}/progress", headers=auth).json()
    assert progress["employments"][0]["required_end"] == required
    assert progress["employments"][0]["extension_needed"] is True
    flagged = api.get("/regions/nord/register?flag=extension_needed", headers=auth).json()
    assert [r["trainee_name"] for r in flagged["items"]] == ["Trine Trainee"]
    assert flagged["items"][0]["extension_to"] == required
    csv = api.get("/regions/nord/register", headers=auth | {"Accept": "text/csv"}).text
    assert "Ansættelse skal forlænges til (R5, R6)" in csv and required in csv

    site.login("sek-nord")
    register = text_of(site.get("/sekretariat?flag=extension_needed").text)
    assert "Trine Trainee" in register and "Skal forlænges til" in register

    site.login(ward.trainee)
    readiness = text_of(site.get(f"/logbog/{ward.programme}/parathed").text)
    assert "skal forlænges til" in readiness


def test_no_flag_without_part_time(site: Site, ward: Ward) -> None:
    token = LocalIssuer(site.container.settings).issue("sek-nord")
    flagged = site.client.get(
        "/regions/nord/register?flag=extension_needed",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert flagged["items"] == []
