"""Queries over HTTP: reference data, profiles and programmes, filtered by the caller's rights."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.e2e.conftest import Api


def _setup(api: Api) -> dict[str, Any]:
    w = api.world
    w.specialty("kbu", ("kbu",))
    old = w.curriculum("2019", date(2019, 2, 1))
    new = w.curriculum("2024", date(2024, 9, 1))
    dep = w.department("D1", "nord")
    doctor = w.doctor("AB123", "Karen Hansen")
    programme = w.programme(doctor, date(2024, 2, 1))
    w.employ(programme, dep, date(2024, 2, 1), date(2024, 7, 31), percent=75)
    return {"old": old, "new": new, "dep": dep, "doctor": doctor, "programme": programme}


class TestReferenceData:
    """Specialties, curricula and departments for any authenticated user."""

    def test_lists_and_details(self, api: Api) -> None:
        """Lists come from the catalogue read model; details from the event store."""
        ids = _setup(api)
        position = api.container.app.position()
        curricula = api.get(f"/curricula?specialty_code=kbu&after={position}", "sek-syd").json()  # type: ignore[attr-defined]
        assert [c["label"] for c in curricula] == ["2019", "2024"]
        detail = api.get(f"/curricula/{ids['new']}", "sek-syd").json()  # type: ignore[attr-defined]
        assert [c["code"] for c in detail["competencies"]] == ["K1", "K2"]
        assert detail["competencies"][0]["methods"] == [{"method": "mini_cex", "mandatory": True}]
        deps = api.get("/departments?region=nord", "sek-syd").json()  # type: ignore[attr-defined]
        assert [d["code"] for d in deps] == ["D1"]
        one = api.get(f"/departments/{ids['dep']}", "sek-syd").json()  # type: ignore[attr-defined]
        assert one["region"] == "nord"
        specialties = api.get("/specialties", "sek-syd").json()  # type: ignore[attr-defined]
        assert specialties[0]["curriculum_versions"] == 2

    def test_unknown_curriculum_is_404(self, api: Api) -> None:
        """An id that names nothing: 404 problem."""
        response: Any = api.get("/curricula/00000000-0000-0000-0000-000000000000", "sek-syd")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")


class TestProfilesAndProgrammes:
    """The doctor's profile shows each programme's pinned version; access follows the policy."""

    def test_own_profile_shows_pinned_version(self, api: Api) -> None:
        """The doctor reads their own profile: the programme follows the 2019 version (R1)."""
        ids = _setup(api)
        response: Any = api.get(f"/doctors/{ids['doctor']}", str(ids["doctor"]))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["programmes"][0]["curriculum_label"] == "2019"
        assert body["cpr_registered"] is False
        assert response.headers["ETag"] == f'"{body["version"]}"'

    def test_secretariat_of_the_region_reads_others_do_not(self, api: Api) -> None:
        """The nord secretariat reads the nord programme; syd gets 403; another doctor gets 403."""
        ids = _setup(api)
        assert api.get(f"/programmes/{ids['programme']}", "sek-nord").status_code == 200  # type: ignore[attr-defined]
        refused: Any = api.get(f"/programmes/{ids['programme']}", "sek-syd")
        assert refused.status_code == 403
        other = api.world.doctor("ZZ999")
        assert api.get(f"/doctors/{ids['doctor']}", str(other)).status_code == 403  # type: ignore[attr-defined]

    def test_programme_shows_employments(self, api: Api) -> None:
        """GET /programmes/{id} lists the employments with their part-time percentage."""
        ids = _setup(api)
        body = api.get(f"/programmes/{ids['programme']}", str(ids["doctor"])).json()  # type: ignore[attr-defined]
        assert body["employments"][0]["percent"] == 75
        assert body["curriculum_id"] == str(ids["old"])


class TestCors:
    """Allowed browser origins are a setting."""

    def test_preflight_from_allowed_origin(
        self, tmp_path: Any, clock: Any, pg_schemas: Any
    ) -> None:
        """A preflight from a configured origin is answered with that origin."""
        from fastapi.testclient import TestClient

        from logbog_es.api.app import create_app
        from tests.conftest import make_container

        container = make_container("memory", tmp_path, clock, pg_schemas)
        container.settings.cors_origins = ["https://logbog.example.dk"]
        with TestClient(create_app(container, run_projections=False)) as client:
            response = client.options(
                "/commands/register-doctor",
                headers={
                    "Origin": "https://logbog.example.dk",
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "Authorization, Idempotency-Key",
                },
            )
        container.close()
        assert response.headers["access-control-allow-origin"] == "https://logbog.example.dk"
