"""Fuzzing the HTTP API from its own OpenAPI schema (a bounded number of examples per operation).

For every generated request: no 5xx, every error is application/problem+json, and a refused
command writes nothing.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from logbog_es.api.app import create_app
from logbog_es.bootstrap import bootstrap
from logbog_es.commands import GrantStaff
from logbog_es.settings import Settings, Storage
from logbog_es.tokens import LocalIssuer
from tests.helpers import OPERATOR, Ward, World

_tmp = Path(tempfile.mkdtemp(prefix="logbog-fuzz-"))
# A generated ?after= at or below the log's head waits for the projection thread as long as in
# production (read_wait_seconds), so a busy CI machine never turns a catch-up into a 503.
_container = bootstrap(
    Settings(var_dir=_tmp / "var", demo_data=False, log_format="json"),
    storage=Storage("memory", sqlite_read=_tmp / "read.sqlite"),
    today=lambda: date(2026, 6, 15),
)
_ward = Ward(World(_container.app))
for grant in (
    {"subject": "fuzzer", "role": "curriculum-admin"},
    {"subject": "fuzzer", "role": "secretariat", "region": "nord"},
    {"subject": "fuzzer", "role": "auditor"},
):
    _container.app.execute(GrantStaff.model_validate(grant), OPERATOR)
_container.runner.start(poll_seconds=0.05)
_app = create_app(_container, run_projections=False)
_token = LocalIssuer(_container.settings).issue("fuzzer")

schema = schemathesis.openapi.from_asgi("/openapi.json", _app)


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors_and_problem_json(case: Any) -> None:
    """Any request: below 500; errors as problem+json; a refused command writes nothing."""
    before = _container.app.position()
    response = case.call(headers={"Authorization": f"Bearer {_token}"})
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", "")
        if isinstance(content_type, list):  # schemathesis gives header values as lists
            content_type = content_type[0] if content_type else ""
        assert content_type.startswith("application/problem+json"), (case.path, content_type)
        body = response.json()
        assert body["status"] == response.status_code
        assert body["detail"]
        if case.method.upper() == "POST":
            assert _container.app.position() == before, (case.path, "a refused command wrote")
