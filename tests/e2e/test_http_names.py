"""Answers people can act on (issue 17, item 6): names beside ids, the ids a command created,
whom a trainee may ask, and a search for doctors without a programme."""

from __future__ import annotations

from typing import Any

from logbog_es.commands import ApproveCompetency, RequestAssessment
from logbog_es.domain.doctor import doctor_id
from tests.e2e.conftest import Api
from tests.helpers import Ward


def _json(response: object) -> Any:
    return response.json()  # type: ignore[attr-defined]


class TestCreatedIds:
    def test_register_doctor_start_programme_add_employment(self, api: Api) -> None:
        ward = Ward(api.world)
        registered = api.command(
            "register-doctor",
            "sek-nord",
            {"authorisation_id": "NM001", "name": "Nina Navn", "email": "nina@example.dk"},
            **{"Idempotency-Key": "reg-nm001"},
        )
        assert _json(registered)["created"] == {"doctor_id": str(doctor_id("NM001"))}
        again = api.command(
            "register-doctor",
            "sek-nord",
            {"authorisation_id": "NM001", "name": "Nina Navn", "email": "nina@example.dk"},
            **{"Idempotency-Key": "reg-nm001"},
        )
        assert _json(again)["created"] == _json(registered)["created"]  # a replay says the same
        started = _json(
            api.command(
                "start-programme",
                "sek-nord",
                {
                    "doctor_id": str(doctor_id("NM001")),
                    "specialty_code": "kbu",
                    "stage": "kbu",
                    "region": "nord",
                    "hiring_date": "2026-07-01",
                },
            )
        )
        programme = started["created"]["programme_id"]
        added = _json(
            api.command(
                "add-employment",
                "sek-nord",
                {
                    "programme_id": programme,
                    "department_id": str(ward.department),
                    "start": "2026-07-01",
                    "end": "2026-12-31",
                },
                **{"Idempotency-Key": "add-nm001"},
            )
        )
        shown = _json(api.get(f"/programmes/{programme}", "sek-nord"))
        assert added["created"] == {"employment_id": shown["employments"][0]["employment_id"]}


class TestNames:
    def test_programme_inbox_and_assessors_name_people(self, api: Api) -> None:
        ward = Ward(api.world)
        w = api.world
        w.run(
            ApproveCompetency.model_validate(
                {
                    "programme_id": ward.programme,
                    "competency_code": "K1",
                    "method": "mini_cex",
                    "assessed_on": "2026-03-02",
                }
            ),
            w.actor(ward.delegated),
        )
        w.run(
            RequestAssessment(
                programme_id=ward.programme, competency_code="K2", supervisor_id=ward.plain
            ),
            w.actor(ward.trainee),
        )
        shown = _json(api.get(f"/programmes/{ward.programme}", str(ward.trainee)))
        assert shown["doctor_name"] == "Trine Trainee"
        assert shown["employments"][0]["department_name"] == "Afdeling D1"
        approval = shown["approvals"][0]
        assert (approval["approver_name"], approval["department_name"]) == (
            "Søren Delegated",
            "Afdeling D1",
        )
        assert approval["delegated_by_name"] == "Ulla UAO"
        assert shown["requests"][0]["supervisor_name"] == "Sara Plain"

        inbox = _json(
            api.get(
                f"/supervisors/me/requests?after={api.container.app.position()}", str(ward.plain)
            )
        )
        item = inbox["items"][0]
        assert (item["trainee_name"], item["competency_code"]) == ("Trine Trainee", "K2")
        assert item["competency_title"] == "Kompetence K2"
        assert item["department_name"] == "Afdeling D1"

        asked = _json(api.get(f"/programmes/{ward.programme}/assessors", str(ward.trainee)))
        names = {a["name"] for a in asked}
        assert {"Ulla UAO", "Mette Main", "Søren Delegated", "Sara Plain"} <= names
        assert "Ole Other UAO" not in names  # no access to the trainee
        assert all(a["department_name"] == "Afdeling D1" for a in asked)


class TestDoctorSearch:
    def test_secretariat_finds_a_doctor_without_a_programme(self, api: Api) -> None:
        api.world.doctor("SO001", "Solo Uden Forløb")
        found = _json(
            api.get(f"/doctors?search=solo&after={api.container.app.position()}", "sek-syd")
        )
        assert [(d["name"], d["programmes"]) for d in found] == [("Solo Uden Forløb", 0)]
        by_id = _json(api.get("/doctors?search=so001", "sek-nord"))
        assert by_id[0]["doctor_id"] == str(doctor_id("SO001"))
        refused = api.get("/doctors?search=solo", "admin")
        assert refused.status_code == 403  # type: ignore[attr-defined]
