"""Serving: the multi-worker server's listening socket gives accepted connections TCP_NODELAY,
and each answer leaves in one write (`CoalescingTransport`)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
import uvloop

from logbog_es.serving import CoalescingHttpTools, CoalescingTransport, TcpConfig

#: uvicorn's workers run uvloop when it is installed (it is a dependency), asyncio otherwise.
LOOPS: list[Callable[[Coroutine[Any, Any, int]], int]] = [asyncio.run, uvloop.run]


def _nodelay_of_accepted(
    listener: socket.socket, run: Callable[[Coroutine[Any, Any, int]], int]
) -> int:
    """Accept one connection through an event loop, as uvicorn's workers do; its TCP_NODELAY."""

    async def main() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def connected(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(connected, sock=listener)
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await asyncio.wait_for(accepted, 10)
        finally:
            writer.close()
            server.close()

    return run(main())


@pytest.mark.parametrize("run", LOOPS, ids=["asyncio", "uvloop"])
def test_connections_on_the_workers_socket_have_nagle_off(
    run: Callable[[Coroutine[Any, Any, int]], int],
) -> None:
    config = TcpConfig("logbog_es.server:app_from_env", host="127.0.0.1", port=0, workers=2)
    listener = config.bind_socket()
    assert listener.proto == socket.IPPROTO_TCP
    assert _nodelay_of_accepted(listener, run) != 0


class FakeTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed, "written after close"
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


@pytest.mark.parametrize("run", LOOPS, ids=["asyncio", "uvloop"])
def test_writes_within_one_turn_of_the_loop_leave_as_one(
    run: Callable[[Coroutine[Any, Any, int]], int],
) -> None:
    """A response's head and body (two writes by uvicorn) go out in one write; a write in a
    later turn goes out on its own; closing sends what is pending first."""
    fake = FakeTransport()

    async def main() -> int:
        transport = CoalescingTransport(fake, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.write(b"body")
        assert fake.writes == []  # nothing yet within this turn
        assert transport.get_write_buffer_size() == len(b"HTTP/1.1 200 OK\r\n\r\nbody")
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert fake.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody"]
        transport.write(b"next")
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        transport.write(b"last")
        transport.close()
        assert transport.get_extra_info("peername") == "info:peername"
        return 0

    run(main())
    assert fake.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody", b"next", b"last"]
    assert fake.closed


def test_the_app_answers_through_the_coalescing_protocol() -> None:
    """The protocol serves real requests on a keep-alive connection, each answer whole."""
    import http.client
    import threading

    import uvicorn

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = scope["path"].encode() * 1000
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, http=CoalescingHttpTools, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.05)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for path in ("/a", "/bb", "/ccc"):
            conn.request("GET", path)
            response = conn.getresponse()
            assert (response.status, response.read()) == (200, path.encode() * 1000)
        conn.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
