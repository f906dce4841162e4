"""A real browser against the real service: Playwright driving Debian's Chromium.

The service runs in this process on a free port (uvicorn in a thread) on an embedded store with
the demo data, on a fixed day. No browser is downloaded: Chromium is launched from its system
path (`LOGBOG_CHROMIUM`, else `chromium` on PATH). Without it (or without Playwright) the tests
skip and say why, except with `CI` set, where that is an error (`.ci/run` installs it).

Screenshots of every page at 375 px and 1280 px go to `test-results/screenshots/` (ignored by
git), for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from logbog_es.bootstrap import Container, bootstrap
from logbog_es.demo import load_demo
from logbog_es.server import create_app
from logbog_es.settings import Settings
from tests.conftest import Clock

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
WIDTHS = (375, 1280)
TODAY = date(2026, 11, 20)
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the browser tests must run; .ci/run installs chromium)")
    pytest.skip(reason)


def chromium_path() -> str:
    found = os.environ.get("LOGBOG_CHROMIUM") or shutil.which("chromium")
    if not found:
        _unavailable("no Chromium: install Debian's `chromium` or set LOGBOG_CHROMIUM")
    assert found is not None
    return found


@dataclass
class Server:
    base: str
    container: Container

    def position(self) -> int:
        return self.container.app.position()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("browser")
    settings = Settings(var_dir=tmp / "var", demo_data=True, log_format="json", log_level="WARNING")
    container = bootstrap(settings, today=Clock(TODAY))
    load_demo(container.app)
    container.runner.catch_up()
    port = _free_port()
    config = uvicorn.Config(
        create_app(container), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not instance.started:
        if time.monotonic() > deadline:
            pytest.fail("the service did not start in 15 s")
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}", container)
    instance.should_exit = True
    thread.join(timeout=10)
    container.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module: Playwright's synchronous API keeps an event loop running
    in this thread while it is open, which later tests that start their own (asyncio.run)
    must not find."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (make test installs it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Any, server: Server) -> Iterator[Any]:
    """Pages in fresh browser contexts (no cookies shared), closed after the test."""
    contexts: list[Any] = []

    def make(width: int = 1280) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": 900}, base_url=server.base, locale="da-DK"
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


def login(page: Any, name: str) -> None:
    """Pick a demo user on the development login page, as a person would."""
    page.goto("/log-ind")
    page.get_by_role("button", name=name, exact=True).click()
    logged_in(page)


def logged_in(page: Any) -> None:
    """Wait until a page of a logged-in user shows (htmx swaps pages in place: there is no
    load event to wait for)."""
    page.get_by_role("button", name="Log ud").wait_for()
    page.wait_for_load_state("networkidle")


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
