"""Running uvicorn for `serve` and `demo` (imported only by those commands)."""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess


class NoDelayConfig(uvicorn.Config):
    """With several workers uvicorn shares a socket it creates with protocol 0,
    and asyncio sets TCP_NODELAY only on sockets whose protocol is IPPROTO_TCP,
    so every small response waited ~40 ms for Nagle's algorithm
    (Kludex/uvicorn#3149). The shared socket is re-wrapped as explicit TCP.
    Module-level: the config is pickled into each worker process."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return sock
        tcp = socket.socket(
            sock.family, socket.SOCK_STREAM, socket.IPPROTO_TCP, fileno=sock.detach()
        )
        tcp.set_inheritable(True)
        return tcp


def run_server(host: str, port: int, workers: int = 1) -> None:
    config = NoDelayConfig(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
