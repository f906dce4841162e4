"""The audit trail over HTTP: the doctor's history in words, views back in time, CSV, readers."""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import uuid4

from logbog_es.commands import ApproveCompetency
from tests.e2e.conftest import Api
from tests.helpers import Ward


class TestHistoryOverHttp:
    """GET /doctors/{id}/history and /readers."""

    def test_history_views_csv_and_readers(self, api: Api) -> None:
        """Entries in order and in words; one view at a time; CSV; the secretariat's read shows."""
        ward = Ward(api.world)
        api.world.run(
            ApproveCompetency.model_validate(
                {
                    "programme_id": ward.programme,
                    "competency_code": "K1",
                    "method": "mini_cex",
                    "assessed_on": "2026-03-02",
                }
            ),
            api.world.actor(ward.main),
        )
        body: Any = api.get(f"/doctors/{ward.trainee}/history", str(ward.trainee)).json()  # type: ignore[attr-defined]
        positions = [e["position"] for e in body["entries"]]
        assert positions == sorted(positions)
        texts = [e["text"] for e in body["entries"]]
        assert any("competency K1 approved by Mette Main as main-supervisor" in t for t in texts)
        assert any("Mette Main given supervisor access at Afdeling D1" in t for t in texts)
        approved = next(e for e in body["entries"] if "approved" in e["text"])
        assert approved["effective_on"] == "2026-03-02"
        assert approved["actor_name"] == "Mette Main"
        programme = body["logbook"]["programmes"][str(ward.programme)]
        assert [a["competency_code"] for a in programme["approvals"].values()] == ["K1"]
        employment = next(iter(programme["employments"].values()))
        assert set(employment) == {"department_id", "start", "end"}  # named, not positional

        both: Any = api.get(
            f"/doctors/{ward.trainee}/history?as_of=2026-01-01&effective_on=2026-01-01",
            str(ward.trainee),
        )
        assert both.status_code == 422
        earlier = api.get(
            f"/doctors/{ward.trainee}/history?position={approved['position'] - 1}",
            str(ward.trainee),
        ).json()  # type: ignore[attr-defined]
        assert not earlier["logbook"]["programmes"][str(ward.programme)]["approvals"]

        as_csv: Any = api.get(f"/doctors/{ward.trainee}/history", "sek-nord", Accept="text/csv")
        rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][:3] == ["Position", "Registreret", "Gælder fra"]
        assert len(rows) == len(body["entries"]) + 1

        readers = api.get(f"/doctors/{ward.trainee}/readers", str(ward.trainee)).json()  # type: ignore[attr-defined]
        assert [(r["reader_id"], r["capacity"]) for r in readers] == [("sek-nord", "secretariat")]
        assert api.get(f"/doctors/{ward.trainee}/history", str(ward.uao)).status_code == 403  # type: ignore[attr-defined]

    def test_filters_that_cannot_match_are_refused(self, api: Api) -> None:
        """A period ending before it starts is 422; a programme of someone else is 404."""
        ward = Ward(api.world)
        me = str(ward.trainee)
        reversed_period: Any = api.get(
            f"/doctors/{ward.trainee}/history?from=2026-05-01&to=2026-04-01", me
        )
        assert reversed_period.status_code == 422
        assert "before it starts" in reversed_period.json()["detail"]
        stranger = uuid4()
        other: Any = api.get(f"/doctors/{ward.trainee}/history?programme_id={stranger}", me)
        assert other.status_code == 404
        assert other.json()["code"] == "history.programme_not_doctors"
        own: Any = api.get(f"/doctors/{ward.trainee}/history?programme_id={ward.programme}", me)
        assert own.status_code == 200
        assert {e["programme_id"] for e in own.json()["entries"]} == {str(ward.programme)}
