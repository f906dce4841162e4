"""The web app in a test client: the whole service on the in-memory store, a settable clock,
a world of reference data, and helpers that read forms the way a browser does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from logbog_es.bootstrap import Container
from logbog_es.server import create_app
from tests.conftest import Clock, PgSchemas, make_container
from tests.helpers import Ward, World


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    """The forms of a page with the values a browser would send unchanged (hidden inputs,
    selected options, checked boxes)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select is not None:
            fields = self.forms[-1].fields
            if "selected" in a or self._select not in fields:
                fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class Site:
    """A browser's view of the service: log in, read pages, send forms."""

    def __init__(self, client: TestClient, container: Container, clock: Clock) -> None:
        self.client = client
        self.container = container
        self.clock = clock
        self.world = World(container.app)

    def settle(self) -> None:
        """Wait until every read model has what was written so far (the world is built by
        commands run directly, which do not wait for the read models as the pages do)."""
        assert self.container.runner.wait_for(self.position(), 10)

    def login(self, subject: str | UUID) -> None:
        self.settle()
        self.client.cookies.clear()
        page = self.client.get("/log-ind")
        form = next(f for f in forms(page.text) if f.action == "/log-ind/demo")
        response = self.client.post(
            "/log-ind/demo", data={**form.fields, "subject": str(subject)}, follow_redirects=False
        )
        assert response.status_code == 303, response.text

    def get(self, path: str) -> Any:
        return self.client.get(path)

    def form(self, path: str, action: str) -> Form:
        """The form on page `path` that posts to `action` (a substring of it)."""
        page = self.client.get(path)
        assert page.status_code == 200, page.text
        found = [f for f in forms(page.text) if action in f.action]
        assert found, f"no form posting to {action!r} on {path}"
        return found[0]

    def submit(self, form: Form, **values: str) -> Any:
        return self.client.post(form.action, data={**form.fields, **values}, follow_redirects=False)

    def position(self) -> int:
        return self.container.app.position()


def text_of(html: str) -> str:
    """The page's words, without tags (for asserting what a person reads)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def site(tmp_path: Path, clock: Clock, pg_schemas: PgSchemas) -> Iterator[Site]:
    container = make_container("memory", tmp_path, clock, pg_schemas)
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield Site(client, container, clock)
    container.close()


@pytest.fixture
def ward(site: Site) -> Ward:
    """A KBU trainee at a department with a UAO and supervisors (see tests/helpers.py)."""
    return Ward(site.world)
