"""Start the server: assemble the site, bind the socket, run uvicorn until interrupted.

The HTTP stack is uvicorn on uvloop with the httptools parser, plus what it lacks against idle and
slow clients: a deadline for each request's headers (uvicorn has a keep-alive timeout between
requests only, so a client that connects and sends nothing, or a byte at a time, would hold its
socket for ever), a body deadline in the SPARQL handler, and no concurrency limit that counts open
sockets (uvicorn's `limit_concurrency` does: 511 idle sockets turned every request into a 503).
An idle socket costs a few kilobytes; the open-files limit is raised as far as the system allows.
uvicorn writes a response's headers and its body in two system calls (two packets, two wake-ups of
the client); here they leave in one. No access log by default: a line per request costs the server
more than a tenth of a small query's time (`--access-log` turns it on).
"""
from __future__ import annotations

import asyncio
import resource
import socket
from collections.abc import Callable
from functools import partial
from pathlib import Path

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..errors import InputError
from .workers import Limits


class _HeaderDeadline(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol; a connection whose request headers are not complete within
    `header_timeout` seconds of its opening (or of the first byte of its next request) is closed."""

    def __init__(self, *args, header_timeout: float, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self._deadline = None

    def connection_made(self, transport) -> None:
        super().connection_made(_JoinedWrites(transport, self.loop))
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.header_timeout, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


class _JoinedWrites:
    """A transport that holds a write until the next one or the end of the event loop's iteration,
    then sends both in one system call: uvicorn writes a response's headers, then at once its body.
    Order is kept and nothing waits past the current iteration (a flush is scheduled with each hold)."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport, self._loop, self._held = transport, loop, None

    def write(self, data: bytes) -> None:
        if self._held is None:
            self._held = data
            self._loop.call_soon(self._flush)
        else:
            held, self._held = self._held, None
            self._transport.writelines((held, data))

    def _flush(self) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


def serve(host: str = "127.0.0.1", port: int = 8000, base: str | None = None, data_dir: Path | None = None,
          limits: Limits = Limits(), workers: int = 2, header_timeout: float = 10.0, body_timeout: float = 10.0,
          access_log: bool = False, on_ready: Callable[[str], None] = print) -> None:
    """Serve the dataset as linked data with a SPARQL endpoint; blocks until stopped (Ctrl-C).

    Port 0 picks a free port; `on_ready` receives the URL once the socket is bound. A client has
    `header_timeout` seconds to send a request's headers and `body_timeout` for its body;
    `access_log` logs a line per request.
    """
    import uvicorn

    from .app import create_app
    from .site import load_site

    if workers < 1 or limits.timeout <= 0 or header_timeout <= 0 or body_timeout <= 0:
        raise InputError("--workers must be at least 1 and the timeouts positive")
    sock = _bind(host, port)  # fail fast on a busy port, before building anything
    try:
        app = create_app(load_site(base, data_dir), limits, workers, body_timeout=body_timeout)
    except BaseException:
        sock.close()
        raise
    bound_host, bound_port = sock.getsockname()[:2]
    config = uvicorn.Config(app, loop="uvloop", http=partial(_HeaderDeadline, header_timeout=header_timeout), log_level="info", timeout_graceful_shutdown=5,
                            limit_concurrency=None, server_header=False, access_log=access_log)
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
        sock.listen(4096)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    _raise_open_files_limit()
    return sock


def _raise_open_files_limit() -> None:
    """Every open connection is a file descriptor: allow as many as the hard limit does."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else max(soft, 65536), hard))
