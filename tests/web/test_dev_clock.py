"""LOGBOG_TODAY: a development clock to walk a logbook's year by hand and in end-to-end tests;
refused in production; said on every page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from logbog_es.bootstrap import bootstrap
from logbog_es.server import create_app
from logbog_es.settings import Settings
from tests.web.conftest import Site, text_of
from tests.web.test_login import production_settings


def test_refused_in_production(tmp_path: Path) -> None:
    settings = production_settings(tmp_path)
    with pytest.raises(ValidationError, match="LOGBOG_TODAY is for development"):
        Settings(**{**settings.model_dump(), "today": date(2027, 1, 1)})


def test_the_service_takes_the_day_and_says_so(tmp_path: Path) -> None:
    settings = Settings(
        var_dir=tmp_path / "var", demo_data=False, log_format="json", today=date(2027, 3, 15)
    )
    container = bootstrap(settings)
    try:
        assert container.app.today() == date(2027, 3, 15)
        with TestClient(create_app(container), base_url="http://testserver") as client:
            site = Site(client, container, None)  # type: ignore[arg-type]
            world = site.world
            world.specialty("kbu", ("kbu",))
            world.curriculum("2019", date(2019, 2, 1))
            department = world.department("D1", "nord")
            trainee = world.doctor("TR001", "Trine Trainee")
            programme = world.programme(trainee, date(2026, 4, 1))
            world.employ(programme, department, date(2026, 4, 1), date(2027, 3, 31))
            site.login(trainee)
            page = text_of(site.get(f"/logbog/{programme}/tid").text)
            assert "Udviklingsur: Logbog regner i dag for 15. marts 2027" in page
            # The evaluation window opened in the employment's last month, on the service's day.
            employment = container.app.repository.get(programme).employments[0].employment_id
            assert f"/evalueringer/{employment}" in site.get("/evalueringer").text
    finally:
        container.close()
