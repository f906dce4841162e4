"""An HTTP client against the real app, wired on the in-memory store, with local tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from logbog_es.api.app import create_app
from logbog_es.bootstrap import Container
from logbog_es.tokens import LocalIssuer
from tests.conftest import Clock, PgSchemas, make_container
from tests.helpers import World


class Api:
    """A test client plus a token issuer and the world's reference data."""

    def __init__(self, client: TestClient, container: Container, issuer: LocalIssuer) -> None:
        self.client = client
        self.container = container
        self.issuer = issuer
        self.world = World(container.app)

    def headers(self, subject: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.issuer.issue(subject)}", **extra}

    def command(self, name: str, subject: str, body: dict[str, object], **headers: str) -> object:
        return self.client.post(
            f"/commands/{name}", json=body, headers=self.headers(subject, **headers)
        )

    def get(self, path: str, subject: str, **headers: str) -> object:
        return self.client.get(path, headers=self.headers(subject, **headers))


@pytest.fixture
def api(tmp_path: Path, clock: Clock, pg_schemas: PgSchemas) -> Iterator[Api]:
    container = make_container("memory", tmp_path, clock, pg_schemas)
    with TestClient(create_app(container)) as client:
        yield Api(client, container, LocalIssuer(container.settings))
    container.close()
