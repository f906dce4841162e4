"""Serving with several uvicorn worker processes, with TCP_NODELAY on every connection.

uvicorn binds the listening socket for its workers itself, with protocol number 0; accepted
connections inherit it, and asyncio turns Nagle's algorithm off only on sockets that say they
are TCP. Every keep-alive response then waited for the client's delayed ACK, about 40 ms
(uvicorn issue 3149; the benchmark's reads took 48 ms with two workers and 5 ms with one).
"""

from __future__ import annotations

import contextlib
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess


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
        app, factory=True, host=host, port=port, workers=workers, log_level="warning"
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C stops the workers and returns
        Multiprocess(config, sockets=[config.bind_socket()]).run()
