"""Live servers and runners as real processes, for fault tests that kill them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

CLI = [sys.executable, "-c", "from logbog_es.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`logbog serve` as a child process that a test may SIGKILL and start again."""

    def __init__(
        self, env: dict[str, str], port: int, log: Path, args: tuple[str, ...] = ()
    ) -> None:
        self.env = env
        self.port = port
        self.log = log
        self.args = args
        self.process: subprocess.Popen[bytes] | None = None
        self.handle: Any = None
        self.base = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self._close_log()
        self.handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [*CLI, "serve", "--port", str(self.port), *self.args],
            env=self.env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("server did not start in 60 s")

    def _close_log(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self._close_log()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()


def service_env(tmp_path: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGBOG_")}
    env.update(
        LOGBOG_VAR_DIR=str(tmp_path / "var"),
        LOGBOG_DEMO_DATA="false",
        LOGBOG_LOG_FORMAT="json",
        LOGBOG_LOG_LEVEL="WARNING",
    )
    if database_url:
        env["LOGBOG_DATABASE_URL"] = database_url
    return env


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Any]:
    servers: list[Server] = []

    def make(env: dict[str, str], *args: str) -> Server:
        server = Server(env, free_port(), tmp_path / f"server-{len(servers)}.log", args)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
