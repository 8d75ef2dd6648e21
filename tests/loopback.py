"""Real servers and a misbehaving network, all on 127.0.0.1, for the publish tests.

`OxigraphServer` runs the `oxigraph` server from PyPI on a free loopback port with its own store.
`LoopbackProxy` forwards TCP to it and can break connections the way networks and gateways do:
cut (TCP reset) the moment a given byte string is about to pass, answer 503, or terminate TLS.
`Listener` stands in for a remote SPARQL endpoint or data file that the SPARQL tests must never reach.
"""
from __future__ import annotations

import json
import select
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def stop_process(process: subprocess.Popen, grace: float) -> None:
    """Stop a server the tests started: terminate, and kill it if it is still running after `grace` s."""
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def oxigraph_command() -> str | None:
    """The oxigraph CLI of this interpreter's environment (installed by the test extras)."""
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.exists() else shutil.which("oxigraph")


class OxigraphServer:
    """`oxigraph serve` on a free loopback port with a store in `location`; stopped by stop()."""

    def __init__(self, command: str, location: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [command, "serve", "--location", str(location), "--bind", f"{LOOPBACK}:{self.port}"],
            stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph exited with {self.process.returncode}: {log.read_text()}")
            try:
                httpx.get(self.url + "/", timeout=1, trust_env=False)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"oxigraph did not answer on {self.url}: {log.read_text()}") from None
                time.sleep(0.05)

    store = property(lambda self: self.url + "/store")
    update = property(lambda self: self.url + "/update")
    query_url = property(lambda self: self.url + "/query")

    def stop(self) -> None:
        stop_process(self.process, grace=10)
        self._log.close()

    def alive(self) -> bool:
        return self.process.poll() is None

    def query(self, sparql: str, accept: str = "application/sparql-results+json", union: bool = True) -> httpx.Response:
        params = {"union-default-graph": ""} if union else {}
        response = httpx.post(self.query_url, params=params, data={"query": sparql},
                              headers={"Accept": accept}, timeout=30, trust_env=False)
        response.raise_for_status()
        return response

    def graph_counts(self) -> Counter:
        """Triples per named graph, straight from the store (no proxy in between)."""
        rows = self.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                          union=False).json()["results"]["bindings"]
        return Counter({r["g"]["value"]: int(r["n"]["value"]) for r in rows})

    def dump(self) -> set[str]:
        """Every quad in the store as N-Quads lines."""
        response = httpx.get(self.store, headers={"Accept": "application/n-quads"}, timeout=30, trust_env=False)
        response.raise_for_status()
        return set(response.text.splitlines())

    def load(self, nquads: bytes) -> None:
        httpx.post(self.store, content=nquads, headers={"Content-Type": "application/n-quads"},
                   timeout=30, trust_env=False).raise_for_status()


class Listener:
    """Accepts TCP connections on a free loopback port and records what each one sends."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind((LOOPBACK, 0))
        self.sock.listen(8)
        self.sock.settimeout(0.05)
        self.url = f"http://{LOOPBACK}:{self.sock.getsockname()[1]}"
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.requests.append(conn.recv(4096))
                except OSError:
                    self.requests.append(b"")

    def settle(self) -> list[bytes]:
        """Give a connection in flight time to land, then report what arrived."""
        time.sleep(0.2)
        return self.requests

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset, as a dropped link or a killed peer does."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def _held_back(window: bytes, marker: bytes) -> int:
    """How many trailing bytes of `window` could start `marker` (held until the next read)."""
    for k in range(min(len(marker) - 1, len(window)), 0, -1):
        if window.endswith(marker[:k]):
            return k
    return 0


class LoopbackProxy:
    """A TCP proxy on 127.0.0.1 in front of `upstream_port` that breaks connections on demand.

    cut_at: reset both sides of a connection just before these bytes would pass upstream (the
    first `cut_times` times, or always when None); with lose_answer, pass the whole request on, wait
    for the store's answer and reset both sides instead of passing it back. fail_first: answer the first N connections
    with `503 Service Unavailable`. tls: an ssl.SSLContext to terminate TLS with.
    `transcript` holds the bytes clients sent, `cuts`/`failed` count what the proxy did.
    """

    def __init__(self, upstream_port: int, cut_at: bytes | None = None, cut_times: int | None = None,
                 lose_answer: bool = False, fail_first: int = 0, tls: ssl.SSLContext | None = None) -> None:
        self.upstream_port, self.cut_at, self.cut_times = upstream_port, cut_at, cut_times
        self.lose_answer = lose_answer
        self.fail_first, self.tls = fail_first, tls
        self.transcript = bytearray()
        self.cuts = self.failed = self.connections = 0
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server((LOOPBACK, 0))
        self.port = self._listener.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{LOOPBACK}:{self.port}"

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.close()
                except OSError:
                    pass

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with self._lock:
            self.connections += 1
            failing = self.failed < self.fail_first
            if failing:
                self.failed += 1
        try:
            client.settimeout(30)
            if self.tls:
                client = self.tls.wrap_socket(client, server_side=True)
            self._sockets.append(client)
            if failing:
                self._answer_503(client)
            else:
                self._forward(client)
        except (OSError, ssl.SSLError):
            _reset(client)

    def _read_request(self, client: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = client.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = client.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body

    def _answer_503(self, client: socket.socket) -> None:
        self.transcript += self._read_request(client)
        text = b"store restarting"
        client.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                       b"Content-Length: %d\r\n\r\n%s" % (len(text), text))
        client.close()

    def _cutting(self) -> bool:
        with self._lock:
            return self.cut_at is not None and (self.cut_times is None or self.cuts < self.cut_times)

    def _forward(self, client: socket.socket) -> None:
        upstream = socket.create_connection((LOOPBACK, self.upstream_port), timeout=30)
        self._sockets.append(upstream)
        window = b""
        losing = False  # lose_answer: the request goes on whole; its answer is dropped, both sides reset
        while True:
            pending = client.pending() if isinstance(client, ssl.SSLSocket) else 0
            readable = [client] if pending else select.select([client, upstream], [], [], 30)[0]
            if not readable:
                break
            if client in readable:
                data = client.recv(65536)
                if not data:
                    upstream.sendall(window)
                    break
                self.transcript += data
                window += data
                if losing:
                    upstream.sendall(window)
                    window = b""
                elif self._cutting() and (at := window.find(self.cut_at)) >= 0:
                    with self._lock:
                        self.cuts += 1
                    if self.lose_answer:  # the store does the whole request; its answer never arrives
                        upstream.sendall(window)
                        window, losing = b"", True
                        continue
                    upstream.sendall(window[:at])
                    time.sleep(0.05)  # let the store read the partial body before the reset
                    _reset(upstream)
                    _reset(client)
                    return
                else:
                    keep = _held_back(window, self.cut_at) if self._cutting() else 0
                    upstream.sendall(window[:len(window) - keep])
                    window = window[len(window) - keep:]
            if upstream in readable:
                data = upstream.recv(65536)
                if not data:
                    break
                if losing:
                    _reset(upstream)
                    _reset(client)
                    return
                client.sendall(data)
        client.close()
        upstream.close()


def sparql_json_rows(payload: str) -> Counter | bool:
    """SPARQL JSON results as a multiset of rows (each a sorted tuple of var/term pairs), or ASK's boolean."""
    data = json.loads(payload)
    if "boolean" in data:
        return data["boolean"]
    return Counter(tuple(sorted((var, json.dumps(term, sort_keys=True)) for var, term in row.items()))
                   for row in data["results"]["bindings"])
