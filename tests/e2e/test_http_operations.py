"""Operations endpoints: readiness follows the read models' lag; metrics count what happened."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from logbog_es.api.app import create_app
from logbog_es.bootstrap import Container
from logbog_es.tokens import LocalIssuer
from tests.conftest import Clock, PgSchemas, make_container
from tests.helpers import World


@pytest.fixture
def idle(tmp_path: Path, clock: Clock, pg_schemas: PgSchemas) -> Iterator[Container]:
    """A service whose projections run only when the test says so."""
    container = make_container("memory", tmp_path, clock, pg_schemas)
    yield container
    container.close()


def _metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    prefix = f"{name}{{{wanted}}} " if labels else f"{name} "
    values = [float(line[len(prefix) :]) for line in text.splitlines() if line.startswith(prefix)]
    assert len(values) <= 1, values
    return values[0] if values else 0.0


def test_readyz_is_503_while_read_models_lag_and_200_once_caught_up(idle: Container) -> None:
    idle.settings.ready_max_lag = 3
    with TestClient(create_app(idle, run_projections=False)) as client:
        world = World(idle.app)
        world.specialty("kbu", ("kbu",))
        world.department("D1", "nord")
        world.department("D2", "nord")
        head = idle.app.position()
        assert head > 3
        lagging = client.get("/readyz")
        assert lagging.status_code == 503
        assert lagging.headers["Retry-After"] == "2"
        body = lagging.json()
        assert body["code"] == "ready.lag"
        assert body["lag"]["catalogue"] == head  # nothing applied yet
        assert body["lag"] == {s.name: s.lag for s in idle.runner.status() if s.lag > 3}
        idle.runner.catch_up()
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"status": "ready", "head": head}


def test_metrics_count_commands_and_show_projection_lag(idle: Container) -> None:
    issuer = LocalIssuer(idle.settings)
    world = World(idle.app)
    world.specialty("kbu", ("kbu",))
    world.curriculum("2019", date(2019, 2, 1))
    doctor = world.doctor("AB123", "Karen Hansen")
    other = world.doctor("CD456", "Ole Olsen")
    with TestClient(create_app(idle, run_projections=False)) as client:
        before = client.get("/metrics").text
        body = {
            "doctor_id": str(doctor),
            "specialty_code": "kbu",
            "stage": "kbu",
            "region": "nord",
            "hiring_date": "2024-02-01",
        }
        headers = {"Authorization": f"Bearer {issuer.issue('sek-nord')}"}
        accepted = client.post("/commands/start-programme", json=body, headers=headers)
        assert accepted.status_code == 200, accepted.text
        refused = client.post(
            "/commands/start-programme",
            json=body | {"doctor_id": str(other)},  # nord's trainee; syd's secretariat
            headers={"Authorization": f"Bearer {issuer.issue('sek-syd')}"},
        )
        assert refused.status_code == 403, refused.text
        after = client.get("/metrics").text
        labels = {"command": "start-programme"}
        for outcome, added in (("accepted", 1), ("refused_403", 1), ("replayed", 0)):
            grown = _metric(after, "logbog_commands_total", **labels, outcome=outcome) - _metric(
                before, "logbog_commands_total", **labels, outcome=outcome
            )
            assert grown == added, (outcome, grown)
        head = idle.app.position()
        assert _metric(after, "logbog_event_log_head") == head
        assert _metric(after, "logbog_projection_lag_events", read_model="catalogue") == head
        idle.runner.catch_up()
        caught_up = client.get("/metrics").text
        assert _metric(caught_up, "logbog_projection_lag_events", read_model="catalogue") == 0
        assert _metric(caught_up, "logbog_projection_position", read_model="catalogue") == head
