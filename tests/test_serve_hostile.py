"""`giigraph serve` against hostile clients, for real on 127.0.0.1: thousands of idle and half-sent
connections, queries that would eat all memory, clients that hang up. Every test is bounded in time
and closes what it opened; the server must survive them all."""
from __future__ import annotations

import resource
import signal
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack

import pytest

from giigraph_server import RUNAWAY, GiigraphServer, cpu_ticks, memory_kib, wait_until

TIMEOUT = 30.0  # the query time limit: far above what these queries take on a loaded machine, so the
# memory limit and the result cap are what stops them (a query stopped by the clock answers 503)
HEADER_TIMEOUT = BODY_TIMEOUT = 8.0
MAX_WORKER_MB = 400
TOP5 = ("SELECT ?c ?r WHERE { ?o <https://w3id.org/giigraph/ontology#cluster> ?c ; "
        "<https://w3id.org/giigraph/ontology#rank> ?r } ORDER BY ?r LIMIT 5")
SORTED_CROSS_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
CROSS_PRODUCT_CONSTRUCT = "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }"


@pytest.fixture(scope="module")
def server():
    live = GiigraphServer("--timeout", str(TIMEOUT), "--workers", "2", "--max-worker-mb", str(MAX_WORKER_MB),
                          "--header-timeout", str(HEADER_TIMEOUT), "--body-timeout", str(BODY_TIMEOUT))
    yield live
    assert live.alive(), "the server died during the tests"
    assert live.stop() in (0, -signal.SIGINT), "no clean shutdown on Ctrl-C"


_asked = iter(range(1_000_000))


def fresh(query: str) -> str:
    """The query made new (a numbered comment), so a worker answers it, not the server's answer cache."""
    return f"{query}\n# {next(_asked)}"


def ask(server: GiigraphServer, query: str, accept: str = "text/csv, text/turtle;q=0.9", timeout: float = 30) -> tuple[int, str, float]:
    """POST a query; status, body and seconds taken."""
    request = urllib.request.Request(f"{server.url}/sparql", data=urllib.parse.urlencode({"query": query}).encode(),
                                     headers={"Accept": accept})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode(), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), time.monotonic() - started


def connect(server: GiigraphServer) -> socket.socket:
    host, port = urllib.parse.urlsplit(server.url).netloc.split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def closed_at_once(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


def closed_by_peer(sock: socket.socket, within: float) -> bool:
    sock.setblocking(True)
    sock.settimeout(within)
    try:
        while sock.recv(4096):  # a 408 or nothing, then the end
            pass
        return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


# --- idle and slow clients -----------------------------------------------------------------------------

def test_2000_idle_and_half_sent_connections_cost_a_normal_request_nothing(server):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    with ExitStack() as stack:
        sockets = []
        opening = time.monotonic()
        for i in range(2000):
            sock = stack.enter_context(connect(server))
            if i % 4 == 1:  # headers begun, never finished
                sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nAccept: text/")
            elif i % 4 == 2:  # headers sent, body half-sent
                sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                             b"Content-Length: 1000\r\n\r\nSELECT")
            elif i % 4 == 3:  # one byte at a time would keep uvicorn's keep-alive timer off for ever
                sock.sendall(b"G")
            sockets.append(sock)
        opened = time.monotonic()
        # the kernel completed the handshakes already; the server accepts them all
        accepted = wait_until(lambda: server.unaccepted() == 0, within=HEADER_TIMEOUT / 2)
        assert accepted is not None, f"{server.unaccepted()} connections still wait to be accepted"
        latencies = []
        for _ in range(5):
            started = time.monotonic()
            path = "/sparql?" + urllib.parse.urlencode({"query": fresh(TOP5), "format": "csv"})
            with urllib.request.urlopen(server.url + path, timeout=5) as response:
                assert response.status == 200 and response.read().count(b"\n") == 6
            latencies.append(time.monotonic() - started)
        assert max(latencies) < 1.0, latencies
        page = urllib.request.urlopen(server.url + "/doc/cluster/shanghai-suzhou.ttl", timeout=5)
        assert page.status == 200
        assert time.monotonic() - opened < HEADER_TIMEOUT and not any(map(closed_at_once, sockets)), \
            "the connections were not all open while the requests were answered"
        # the server closes them all once their deadlines pass
        left = HEADER_TIMEOUT + 3 - (time.monotonic() - opened)
        assert all(closed_by_peer(s, max(left, 0.1)) for s in sockets[:8]), "idle sockets were not closed"
        assert all(closed_by_peer(s, 2) for s in sockets), "some idle or slow sockets stayed open"
    print(f"\n2,000 connections opened in {opened - opening:.1f} s, accepted {accepted:.1f} s later; a normal request meanwhile: {[round(t * 1000) for t in latencies]} ms")


def test_a_client_that_hangs_up_mid_body_is_no_internal_error(server):
    before = len(server.log)
    with connect(server) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 500\r\n\r\nquery=ASK")
        port = sock.getsockname()[1]
        assert wait_until(lambda: server.unread(port) == 0, within=BODY_TIMEOUT / 2) is not None, \
            "the server did not read what was sent"  # it waits for the rest of the body
    assert wait_until(lambda: server.unread(port) is None, within=BODY_TIMEOUT / 2) is not None, \
        "the server did not close its end after the client hung up"
    assert ask(server, fresh("ASK {}"), "application/sparql-results+json")[0] == 200
    log = "".join(server.log[before:])
    assert "Traceback" not in log and "internal error" not in log and "500" not in log, log


# --- memory --------------------------------------------------------------------------------------------

def watch_memory(pids_of, stop: threading.Event, peaks: dict[int, int]) -> None:
    while not stop.is_set():
        for pid in pids_of():
            peaks[pid] = max(peaks.get(pid, 0), memory_kib(pid, "VmHWM"), memory_kib(pid))
        time.sleep(0.02)


@pytest.mark.parametrize("query", [SORTED_CROSS_PRODUCT, CROSS_PRODUCT_CONSTRUCT])
def test_a_query_cannot_take_more_memory_than_a_worker_may_have(server, query):
    main_before = memory_kib(server.process.pid)
    workers_before = server.worker_pids()
    peaks: dict[int, int] = {}
    stop = threading.Event()
    watcher = threading.Thread(target=watch_memory, args=(server.worker_pids, stop, peaks))
    watcher.start()
    try:
        status, body, took = ask(server, query)
    finally:
        stop.set()
        watcher.join()
    worker_peak_mib = max(peaks.values()) / 1024
    print(f"\n{query}: {status} after {took:.1f} s, worker peak {worker_peak_mib:.0f} MiB, "
          f"server {main_before / 1024:.0f} -> {memory_kib(server.process.pid) / 1024:.0f} MiB")
    if query == CROSS_PRODUCT_CONSTRUCT:  # cut while its triples arrive, long before the graph is built
        assert status == 422 and "LIMIT" in body, (status, body)
        assert worker_peak_mib < 250, f"the worker reached {worker_peak_mib:.0f} MiB"
    else:  # sorting every pair needs gigabytes: the worker is stopped at its limit and replaced
        assert status == 507 and f"{MAX_WORKER_MB} MiB" in body, (status, body)
        assert took < TIMEOUT
        assert worker_peak_mib < MAX_WORKER_MB + 10
    assert memory_kib(server.process.pid) < main_before + 20 * 1024, "the server process grew"
    deadline = time.monotonic() + 10
    while len(server.worker_pids()) < len(workers_before) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(server.worker_pids()) == len(workers_before), "a worker was not replaced"
    assert ask(server, fresh(TOP5))[0] == 200


# --- clients that give up ------------------------------------------------------------------------------

def idle(server: GiigraphServer) -> bool:
    """Every worker waits on its pipe: none used CPU time for 0.3 s (one starting up loads the data)."""
    before = {pid: cpu_ticks(pid) for pid in server.worker_pids()}
    time.sleep(0.3)
    return len(before) == 2 and all(cpu_ticks(pid) == ticks for pid, ticks in before.items())


def test_a_query_whose_client_hangs_up_is_cancelled_within_a_second(server):
    body = urllib.parse.urlencode({"query": RUNAWAY}).encode()
    assert wait_until(lambda: idle(server), within=60) is not None, "the workers never became idle"
    workers = server.worker_pids()
    ticks = {pid: cpu_ticks(pid) for pid in workers}
    runaways = []
    for _ in range(2):  # both workers busy
        sock = connect(server)
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        runaways.append(sock)
    running = wait_until(lambda: all(cpu_ticks(pid) > ticks[pid] + 5 for pid in workers), within=TIMEOUT / 2)
    assert running is not None, "the runaway queries did not start"
    for sock in runaways:
        sock.close()
    cancelled = wait_until(lambda: not set(workers) & set(server.worker_pids()), within=TIMEOUT / 2)
    assert cancelled is not None and cancelled < 1.0, f"the abandoned queries' workers ran {cancelled} s on"
    assert wait_until(lambda: idle(server), within=60) is not None, "the workers were not replaced"
    status, text, _ = ask(server, fresh(TOP5))  # answered by their successors
    assert status == 200 and text.count("\n") == 6
    print(f"\nthe abandoned queries' workers were killed {cancelled * 1000:.0f} ms after their clients left")
