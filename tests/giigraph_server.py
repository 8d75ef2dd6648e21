"""`giigraph serve` for real, as a subprocess on a free loopback port: its URL, its log, its processes."""
from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

# Loopback only: urllib (and SPARQLWrapper on top of it) would send requests through a proxy named
# in the environment; this opener never uses one.
urllib.request.install_opener(urllib.request.build_opener(urllib.request.ProxyHandler({})))


# A query no worker finishes within any time limit (a four-way cross product), and a short one.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TOP5 = """PREFIX gii: <https://w3id.org/giigraph/ontology#>
SELECT DISTINCT ?cluster ?rank WHERE { ?o gii:cluster ?cluster ; gii:rank ?rank ; gii:edition ?e .
  FILTER(?e = <https://w3id.org/giigraph/id/report/gii-2023>) } ORDER BY ?rank LIMIT 5"""
TCP_STATES = {"01": "ESTABLISHED", "08": "CLOSE_WAIT", "09": "LAST_ACK", "0A": "LISTEN"}  # include/net/tcp_states.h


class GiigraphServer:
    """`giigraph serve --port 0 ARGS`; `log` collects its stderr lines; `stop()` asks for a clean exit."""

    def __init__(self, *args: str, start_timeout: float = 60) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "giigraph", "serve", "--port", "0", *args],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.log: list[str] = []
        url, started = None, time.monotonic()
        while url is None and time.monotonic() - started < start_timeout:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                raise RuntimeError(f"giigraph serve exited with {self.process.returncode}: {''.join(self.log)}")
            self.log.append(line)
            if "Serving giigraph at " in line:
                url = line.split("Serving giigraph at ")[1].split()[0]
        if url is None:
            self.process.kill()
            raise RuntimeError("giigraph serve did not say where it serves")
        self.url = url.rstrip("/")
        threading.Thread(target=self._drain, daemon=True).start()
        self._wait_until_up()

    def _drain(self) -> None:
        for line in self.process.stderr:
            self.log.append(line)

    def _wait_until_up(self) -> None:
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).read()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.url} never answered")

    def alive(self) -> bool:
        return self.process.poll() is None

    def worker_pids(self) -> list[int]:
        """The SPARQL worker processes (children started by multiprocessing's spawn, from any thread)."""
        pids = []
        for children in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            for pid in children.read_text().split():
                try:
                    if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        pids.append(int(pid))
                except OSError:  # it ended meanwhile
                    pass
        return sorted(pids)

    def sockets(self) -> list[tuple[int, str, int]]:
        """The server's TCP sockets as the kernel lists them (/proc/net/tcp): (the peer's port, state,
        bytes received that the server has not read yet); the listening socket's peer port is 0."""
        port, found = int(self.url.rsplit(":", 1)[1]), []
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == port:
                found.append((int(fields[2].split(":")[1], 16), TCP_STATES.get(fields[3], fields[3]),
                              int(fields[4].split(":")[1], 16)))
        return found

    def unaccepted(self) -> int:
        """Connections the kernel completed that the server has not accepted yet (its listening
        socket's queue)."""
        return sum(queued for _, state, queued in self.sockets() if state == "LISTEN")

    def unread(self, client_port: int) -> int | None:
        """Bytes the client at `client_port` sent that the server has not read; None once the
        server closed its end."""
        return next((queued for peer, state, queued in self.sockets()
                     if peer == client_port and state not in ("CLOSE_WAIT", "LAST_ACK")), None)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(5)


def cpu_ticks(pid: int) -> int:
    """CPU time a process has used so far (user + system, in clock ticks); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of proc(5)


def wait_until(condition, within: float, step: float = 0.02) -> float | None:
    """Seconds until `condition()` held, polled every `step`; None if it did not within `within` seconds."""
    started = time.monotonic()
    while True:
        if condition():
            return time.monotonic() - started
        if time.monotonic() - started > within:
            return None
        time.sleep(step)


def memory_kib(pid: int, field: str = "VmRSS") -> int:
    """A /proc/PID/status figure in KiB (VmRSS now, VmHWM the peak); 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
