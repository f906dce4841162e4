"""The benchmarks' HTTP client (scripts/bench_wire.py) against a small keep-alive server: what it
sends arrives as sent, and each way an answer can be framed is read whole."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from bench_wire import Wire

SEEN: list[dict[str, Any]] = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless an answer says close

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        SEEN.append(
            {
                "path": self.path,
                "body": json.loads(body),
                "key": self.headers["Idempotency-Key"],
                "type": self.headers["Content-Type"],
                "port": self.client_address[1],
            }
        )
        self._answer()

    def do_GET(self) -> None:
        SEEN.append({"path": self.path, "port": self.client_address[1]})
        self._answer()

    def _answer(self) -> None:
        data = json.dumps({"path": self.path, "filler": "x" * 70_000}).encode()
        if self.path.endswith("chunked"):
            self.send_response(201)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(data), 1000):
                part = data[start : start + 1000]
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif self.path.endswith("empty"):
            self.send_response(204)
            self.end_headers()
        else:
            self.send_response(409 if self.path.endswith("close") else 200)
            self.send_header("Content-Length", str(len(data)))
            if self.path.endswith("close"):
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(data)


@pytest.fixture
def base() -> Iterator[str]:
    SEEN.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_each_framing_read_whole_on_one_connection(base: str) -> None:
    wire = Wire(base)
    try:
        status, answer = wire.request(
            "POST", "/commands/a", {"x": "æøå"}, {"Idempotency-Key": "k1"}
        )
        assert (status, answer["path"], len(answer["filler"])) == (200, "/commands/a", 70_000)
        status, answer = wire.request("GET", "/b/chunked", None, {})
        assert (status, answer["path"], len(answer["filler"])) == (201, "/b/chunked", 70_000)
        assert wire.request("GET", "/c/empty", None, {}) == (204, None)
        status, answer = wire.request("GET", "/d", None, {})
        assert (status, answer["path"]) == (200, "/d")
    finally:
        wire.close()
    assert SEEN[0]["body"] == {"x": "æøå"}
    assert (SEEN[0]["key"], SEEN[0]["type"]) == ("k1", "application/json")
    assert len({seen["port"] for seen in SEEN}) == 1  # kept alive throughout


def test_a_closed_connection_is_opened_again(base: str) -> None:
    wire = Wire(base)
    try:
        status, answer = wire.request("GET", "/a/close", None, {})
        assert (status, answer["path"]) == (409, "/a/close")
        status, answer = wire.request("GET", "/b", None, {})
        assert (status, answer["path"]) == (200, "/b")
    finally:
        wire.close()
    assert SEEN[0]["port"] != SEEN[1]["port"]
