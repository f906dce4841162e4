"""The benchmarks' HTTP client for commands: lean, so the load generator stays cheap."""

from __future__ import annotations

import json
import socket
from typing import Any


class Wire:
    """A lean keep-alive HTTP/1.1 client for the command runs, on a plain socket: the load
    generator shares the two cores with the server it measures, so it must cost little (httpx
    took about 0.8 ms of CPU per request, the standard library's http.client about 0.25 ms with
    its header parsing, this about a fifth of that). It sends one request at a time and reads
    an answer framed by Content-Length or chunked; a connection the server closed is opened
    again once (a command is safe to send again: its Idempotency-Key)."""

    def __init__(self, base: str) -> None:
        host, _, port = base.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port)
        self.sock: socket.socket | None = None
        self.buffer = b""

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self.buffer = sock, b""
        return sock

    def request(
        self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
    ) -> tuple[int, Any]:
        payload = json.dumps(body).encode() if body is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
        message = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload
        for attempt in (1, 2):
            try:
                sock = self.sock or self._connect()
                sock.sendall(message)
                status, keep, data = self._answer(sock)
                if not keep:
                    self.close()
                return status, json.loads(data) if data else None
            except (ConnectionError, EOFError):
                self.close()  # the server closed the connection: once more on a new one
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _read_until(self, sock: socket.socket, marker: bytes) -> bytes:
        while (found := self.buffer.find(marker)) < 0:
            self._fill(sock)
        head, self.buffer = self.buffer[:found], self.buffer[found + len(marker) :]
        return head

    def _read_exactly(self, sock: socket.socket, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill(sock)
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def _fill(self, sock: socket.socket) -> None:
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError("the server closed the connection")
        self.buffer += chunk

    def _answer(self, sock: socket.socket) -> tuple[int, bool, bytes]:
        """(status, whether the connection stays open, body) of the next answer."""
        head = self._read_until(sock, b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        fields: dict[str, str] = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if fields.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int(self._read_until(sock, b"\r\n").split(b";")[0], 16):
                parts.append(self._read_exactly(sock, size))
                self._read_exactly(sock, 2)
            self._read_until(sock, b"\r\n")  # no trailers are sent
            data = b"".join(parts)
        else:
            data = self._read_exactly(sock, int(fields.get("content-length", "0")))
        return status, fields.get("connection", "").lower() != "close", data

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""
