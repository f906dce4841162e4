"""The access chain and the approval work flow over HTTP; no personal data in log lines."""

from __future__ import annotations

from typing import Any

from structlog.testing import capture_logs

from tests.e2e.conftest import Api
from tests.helpers import Ward


class TestWorkflowOverHttp:
    """A trainee asks, the supervisor sees the request, approves; /me says who may do what."""

    def test_request_list_and_approval(self, api: Api) -> None:
        """The pending list shows the request with the trainee's name until it is approved."""
        ward = Ward(api.world)
        asked: Any = api.command(
            "request-assessment",
            str(ward.trainee),
            {
                "programme_id": str(ward.programme),
                "competency_code": "K1",
                "supervisor_id": str(ward.main),
            },
        )
        assert asked.status_code == 200, asked.text
        position = asked.json()["position"]
        page = api.get(f"/supervisors/me/requests?after={position}", str(ward.main)).json()  # type: ignore[attr-defined]
        assert [(i["competency_code"], i["trainee_name"]) for i in page["items"]] == [
            ("K1", "Trine Trainee")
        ]
        approved: Any = api.command(
            "approve-competency",
            str(ward.main),
            {
                "programme_id": str(ward.programme),
                "competency_code": "K1",
                "method": "mini_cex",
                "assessed_on": "2026-06-01",
                "note": "Fint forløb",
            },
        )
        assert approved.status_code == 200, approved.text
        page = api.get(
            f"/supervisors/me/requests?after={approved.json()['position']}", str(ward.main)
        ).json()  # type: ignore[attr-defined]
        assert page["items"] == []
        again: Any = api.command(
            "approve-competency",
            str(ward.uao),
            {
                "programme_id": str(ward.programme),
                "competency_code": "K1",
                "method": "mini_cex",
                "assessed_on": "2026-06-02",
            },
        )
        assert again.status_code == 409
        assert "2026-06-01 by Mette Main" in again.json()["detail"]
        programme = api.get(f"/programmes/{ward.programme}", str(ward.main)).json()  # type: ignore[attr-defined]
        assert programme["approvals"][0]["capacity"] == "main-supervisor"
        assert programme["requests"][0]["status"] == "approved"

    def test_me_lists_access_and_commands(self, api: Api) -> None:
        """The UAO sees the appointment; the plain supervisor may decline but not approve."""
        ward = Ward(api.world)
        position = api.container.app.position()
        uao = api.get(f"/me?after={position}", str(ward.uao)).json()  # type: ignore[attr-defined]
        assert [a["department_name"] for a in uao["appointments"]] == ["Afdeling D1"]
        assert "grant-supervisor-access" in uao["may"]
        plain = api.get("/me", str(ward.plain)).json()  # type: ignore[attr-defined]
        assert plain["supervisor_access"][0]["delegated"] is False
        assert "decline-assessment" in plain["may"]
        assert "approve-competency" not in plain["may"]
        trainee = api.get("/me", str(ward.trainee)).json()  # type: ignore[attr-defined]
        assert trainee["trainee_access_from"] == "2026-01-02"
        assert "request-assessment" in trainee["may"]

    def test_forbidden_is_403_with_reason(self, api: Api) -> None:
        """A plain supervisor approving: 403 saying the right was not delegated."""
        ward = Ward(api.world)
        before = api.container.app.position()
        refused: Any = api.command(
            "approve-competency",
            str(ward.plain),
            {
                "programme_id": str(ward.programme),
                "competency_code": "K1",
                "method": "mini_cex",
                "assessed_on": "2026-06-01",
            },
        )
        assert refused.status_code == 403
        assert "delegated" in refused.json()["detail"]
        assert api.container.app.position() == before


class TestNoPersonalDataInLogs:
    """Log lines carry ids and outcomes, never a CPR number, a name or free text."""

    def test_register_doctor_and_approve_log_no_personal_data(self, api: Api) -> None:
        """CPR, name, e-mail and the approval note appear in no captured log line."""
        ward = Ward(api.world)
        with capture_logs() as logs:
            registered: Any = api.command(
                "register-doctor",
                "sek-nord",
                {
                    "authorisation_id": "PD001",
                    "name": "Hemmelig Hansen",
                    "email": "hemmelig@example.dk",
                    "cpr": "020290-1234",
                },
            )
            refused: Any = api.command(  # refused input is not logged either
                "register-doctor",
                "sek-nord",
                {
                    "authorisation_id": "PD002",
                    "name": "Hemmelig Jensen",
                    "email": "hemmelig-jensen@",
                    "cpr": "020290-5678",
                },
            )
            approved: Any = api.command(
                "approve-competency",
                str(ward.main),
                {
                    "programme_id": str(ward.programme),
                    "competency_code": "K1",
                    "method": "mini_cex",
                    "assessed_on": "2026-06-01",
                    "note": "Privat bemærkning om patienten",
                },
            )
        assert registered.status_code == 200, registered.text
        assert refused.status_code == 422, refused.text
        assert approved.status_code == 200, approved.text
        text = repr(logs)
        assert len(logs) >= 3, "expected a log line per command"
        for secret in ("020290", "Hemmelig", "hemmelig", "Jensen", "Privat bemærkning"):
            assert secret not in text
