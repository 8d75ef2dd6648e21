"""Start the server: assemble the site, bind the socket, run uvicorn until interrupted."""
from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError
from .workers import Limits


def serve(host: str = "127.0.0.1", port: int = 8000, base: str | None = None, data_dir: Path | None = None,
          limits: Limits = Limits(), workers: int = 2, on_ready: Callable[[str], None] = print) -> None:
    """Serve the dataset as linked data with a SPARQL endpoint; blocks until stopped (Ctrl-C).

    Port 0 picks a free port; `on_ready` receives the URL once the socket is bound.
    """
    import uvicorn

    from .app import create_app
    from .site import load_site

    if workers < 1 or limits.timeout <= 0:
        raise InputError("--workers must be at least 1 and --timeout positive")
    sock = _bind(host, port)  # fail fast on a busy port, before building anything
    try:
        app = create_app(load_site(base, data_dir), limits, workers)
    except BaseException:
        sock.close()
        raise
    bound_host, bound_port = sock.getsockname()[:2]
    config = uvicorn.Config(app, log_level="info", limit_concurrency=512, timeout_graceful_shutdown=5,
                            server_header=False)
    server = uvicorn.Server(config)
    on_ready(f"http://{f'[{bound_host}]' if ':' in bound_host else bound_host}:{bound_port}/")
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after its graceful shutdown
        pass


def _bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, _ = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        # proto must say TCP: asyncio sets TCP_NODELAY on accepted connections only then, and
        # without it every keep-alive response waits ~40 ms for a delayed ACK
        sock = socket.socket(family, kind, proto or socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock
