"""The multi-worker server's listening socket: accepted connections must get TCP_NODELAY."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
import uvloop

from logbog_es.serving import TcpConfig

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
