"""Serving with uvicorn: every connection's answer leaves in one send, and with several worker
processes every connection has TCP_NODELAY.

uvicorn writes a response's status line and headers as soon as the app starts its answer, and
its body in a second write: two system calls and two segments per answer on a connection with
Nagle's algorithm off, and on the loopback the sender's system call also does the receiver's
half of TCP. `CoalescingHttpTools` gathers what is written within one turn of the event loop
and sends it at the end of that turn (issue 16: a seventh of an API worker's CPU was in those
writes).

uvicorn binds the listening socket for its workers itself, with protocol number 0; accepted
connections inherit it, and asyncio turns Nagle's algorithm off only on sockets that say they
are TCP. Every keep-alive response then waited for the client's delayed ACK, about 40 ms
(uvicorn issue 3149; the benchmark's reads took 48 ms with two workers and 5 ms with one).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors import Multiprocess


class CoalescingTransport:
    """A transport whose writes within one turn of the event loop go out as one write. Every
    other use reaches the transport itself; closing sends what is pending first."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        if not self._transport.is_closing():
            self._transport.write(data)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(map(len, self._pending))

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpTools(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol (httptools), writing through a `CoalescingTransport`."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        coalescing: Any = CoalescingTransport(transport, self.loop)
        super().connection_made(coalescing)


class TcpConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, sock.detach())
            tcp.set_inheritable(True)
            return tcp
        return sock


def serve_workers(app: str, *, host: str, port: int, workers: int) -> None:
    """`uvicorn.run(app, factory=True, workers=workers)`, with the socket bound as TCP."""
    config = TcpConfig(
        app,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        http=CoalescingHttpTools,
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C stops the workers and returns
        Multiprocess(config, sockets=[config.bind_socket()]).run()
