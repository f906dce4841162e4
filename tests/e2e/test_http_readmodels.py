"""Read-model queries over HTTP: filters, sorting, cursor pagination, CSV, rights."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest

from logbog_es.commands import ApproveCompetency, ChangeEmploymentFraction, ExtendEmployment
from tests.e2e.conftest import Api
from tests.helpers import Ward


def _ward_with_more(api: Api) -> Ward:
    """The ward (today 2026-06-15) plus trainees starting later and one that has ended."""
    ward = Ward(api.world)
    w = api.world
    for index, (start, end) in enumerate(
        [(date(2026, 8, 1), date(2027, 1, 31)), (date(2025, 1, 1), date(2025, 12, 31))]
    ):
        doctor = w.doctor(f"XT00{index}", f"Anden Læge {index}")
        programme = w.programme(doctor, start)
        w.employ(programme, ward.department, start, end)
    w.run(
        ApproveCompetency.model_validate(
            {
                "programme_id": ward.programme,
                "competency_code": "K1",
                "method": "mini_cex",
                "assessed_on": "2026-03-02",
            }
        ),
        w.actor(ward.uao),
    )
    return ward


class TestRegionRegister:
    """The secretariat's register of its region."""

    def test_rows_status_filters_and_rights(self, api: Api) -> None:
        """Three programmes with their status; filter by status; syd may not read nord."""
        _ward_with_more(api)
        position = api.container.app.position()
        body = api.get(f"/regions/nord/register?after={position}", "sek-nord").json()  # type: ignore[attr-defined]
        by_name = {r["trainee_name"]: r for r in body["items"]}
        assert by_name["Trine Trainee"]["status"] == "active"
        assert by_name["Trine Trainee"]["current_department"] == "Afdeling D1"
        assert by_name["Trine Trainee"]["competencies_approved"] == 1
        assert by_name["Anden Læge 0"]["status"] == "not_started"
        assert by_name["Anden Læge 1"]["status"] == "ended"
        active = api.get("/regions/nord/register?status=active", "sek-nord").json()  # type: ignore[attr-defined]
        assert [r["trainee_name"] for r in active["items"]] == ["Trine Trainee"]
        assert api.get("/regions/nord/register", "sek-syd").status_code == 403  # type: ignore[attr-defined]
        assert api.get("/regions/nord/register?sort=shoe_size", "sek-nord").status_code == 422  # type: ignore[attr-defined]

    def test_cursor_pagination_visits_every_row_once(self, api: Api) -> None:
        """Pages of one row, in name order, end with no next cursor."""
        _ward_with_more(api)
        api.container.runner.catch_up()
        seen: list[str] = []
        cursor = None
        while True:
            url = "/regions/nord/register?limit=1&sort=-trainee_name"
            page = api.get(url + (f"&cursor={cursor}" if cursor else ""), "sek-nord").json()  # type: ignore[attr-defined]
            seen += [r["trainee_name"] for r in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == sorted(seen, reverse=True)
        assert len(seen) == len(set(seen)) == 3
        bad: Any = api.get("/regions/nord/register?cursor=garbage", "sek-nord")
        assert bad.status_code == 422

    def test_csv_has_danish_headings(self, api: Api) -> None:
        """Accept: text/csv gives a semicolon CSV with Danish headings and Danish words."""
        _ward_with_more(api)
        api.container.runner.catch_up()
        response: Any = api.get("/regions/nord/register", "sek-nord", Accept="text/csv")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        text = response.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert rows[0][:3] == ["Navn", "Autorisations-ID", "Speciale"]
        assert "Nuværende afdeling" in rows[0]
        statuses = {r[rows[0].index("Status")] for r in rows[1:]}
        assert statuses == {"i gang", "ikke startet", "afsluttet"}

    def test_csv_streams_every_page(self, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
        """The CSV streams the register a page at a time: with pages of one row it still holds
        every row once, in the order asked for, as the JSON pages do."""
        from logbog_es.api import routes_readmodels

        _ward_with_more(api)
        api.container.runner.catch_up()
        monkeypatch.setattr(routes_readmodels, "CSV_PAGE", 1)
        response: Any = api.get(
            "/regions/nord/register?sort=-trainee_name", "sek-nord", Accept="text/csv"
        )
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        names = [r[0] for r in rows[1:]]
        assert len(names) == 3
        assert names == sorted(names, reverse=True)


class TestDepartmentOverview:
    """The UAO's overview of the department; a supervisor sees only their trainees."""

    def test_now_and_soon(self, api: Api) -> None:
        """Now and soon: the current trainee and the one starting in August, not the past one."""
        ward = _ward_with_more(api)
        api.container.runner.catch_up()
        body = api.get(f"/departments/{ward.department}/overview", str(ward.uao)).json()  # type: ignore[attr-defined]
        assert sorted(r["trainee_name"] for r in body["items"]) == ["Anden Læge 0", "Trine Trainee"]
        past = api.get(f"/departments/{ward.department}/overview?scope=past", str(ward.uao)).json()  # type: ignore[attr-defined]
        assert [r["trainee_name"] for r in past["items"]] == ["Anden Læge 1"]

    def test_supervisor_sees_only_their_trainees_and_others_nothing(self, api: Api) -> None:
        """The main supervisor of Trine sees Trine only; another department's UAO gets 403."""
        ward = _ward_with_more(api)
        api.container.runner.catch_up()
        body = api.get(f"/departments/{ward.department}/overview", str(ward.main)).json()  # type: ignore[attr-defined]
        assert [r["trainee_name"] for r in body["items"]] == ["Trine Trainee"]
        denied: Any = api.get(f"/departments/{ward.department}/overview", str(ward.other_uao))
        assert denied.status_code == 403

    def test_csv(self, api: Api) -> None:
        """The overview as CSV for the secretariat."""
        ward = _ward_with_more(api)
        api.container.runner.catch_up()
        response: Any = api.get(
            f"/departments/{ward.department}/overview?scope=all", "sek-nord", Accept="text/csv"
        )
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][0] == "Navn"
        assert len(rows) == 4


class TestProgressAndAccess:
    """Programme progress per doctor role; the department's access directory."""

    def test_progress(self, api: Api) -> None:
        """One of three competencies approved, per role too, and time served so far."""
        ward = _ward_with_more(api)
        api.container.runner.catch_up()
        body = api.get(f"/programmes/{ward.programme}/progress", str(ward.trainee)).json()  # type: ignore[attr-defined]
        assert (body["competencies_approved"], body["competencies_total"]) == (1, 3)
        assert body["roles"] == [
            {"role": "medical_expert", "competencies_total": 3, "competencies_approved": 1}
        ]
        # 2026-01-01 .. 2026-06-15 inclusive, full time.
        assert body["served_days"] == 166
        assert body["served_full_time_days"] == 166.0

    def test_part_time_and_extension_reach_every_read_model(self, api: Api) -> None:
        """Half time from March counts half (R5); an extension moves the end in all three models."""
        ward = _ward_with_more(api)
        programme = api.container.app.repository.get(ward.programme)
        employment = programme.employments[0].employment_id
        secretariat = api.world.sek["nord"]
        api.world.run(
            ChangeEmploymentFraction.model_validate(
                {
                    "programme_id": ward.programme,
                    "employment_id": employment,
                    "from_date": "2026-03-01",
                    "percent": 50,
                }
            ),
            secretariat,
        )
        api.world.run(
            ExtendEmployment.model_validate(
                {
                    "programme_id": ward.programme,
                    "employment_id": employment,
                    "new_end": "2027-12-31",
                    "reason": "Deltid",
                }
            ),
            secretariat,
        )
        api.container.runner.catch_up()
        body = api.get(f"/programmes/{ward.programme}/progress", str(ward.trainee)).json()  # type: ignore[attr-defined]
        # 2026-01-01 .. 2026-02-28 full time (59 days), 2026-03-01 .. 2026-06-15 half (107 days).
        assert body["served_days"] == 166
        assert body["served_full_time_days"] == 59 + 107 / 2
        assert [e["end_date"] for e in body["employments"]] == ["2027-12-31"]
        register = api.get("/regions/nord/register", "sek-nord").json()  # type: ignore[attr-defined]
        row = next(r for r in register["items"] if r["programme_id"] == str(ward.programme))
        assert row["current_end"] == "2027-12-31"
        overview = api.get(f"/departments/{ward.department}/overview", str(ward.uao)).json()  # type: ignore[attr-defined]
        mine = next(r for r in overview["items"] if r["trainee_name"] == "Trine Trainee")
        assert mine["end_date"] == "2027-12-31"

    def test_access_directory(self, api: Api) -> None:
        """The UAO and the three supervisors of the ward, with delegation and main supervisor."""
        ward = Ward(api.world)
        api.container.runner.catch_up()
        body = api.get(f"/departments/{ward.department}/access", str(ward.uao)).json()  # type: ignore[attr-defined]
        assert [a["doctor_id"] for a in body["appointments"]] == [str(ward.uao)]
        grants = {g["supervisor_id"]: g for g in body["grants"]}
        assert grants[str(ward.delegated)]["delegated"] is True
        assert grants[str(ward.main)]["main_supervisor_for"] == str(ward.trainee)
