"""Which ASGI server stack holds idle and slow clients: the measurement behind `serve/server.py`'s choice.

Each candidate serves the same tiny Starlette app (one constant SPARQL JSON answer) on a free loopback
port, pinned to CPU core 0, and is measured for:

- throughput: `wrk` (pinned to core 1), 8 keep-alive connections, DURATION seconds;
- a normal request's latency while IDLE connections are open, half of them silent, half with
  unfinished headers;
- whether a silent connection (connected, never a byte) is closed by the server within 20 s.

Candidates: giigraph's stack (uvicorn, uvloop, httptools, with `serve.server`'s header deadline),
uvicorn as it comes (h11, asyncio), Hypercorn, Granian as it comes and tuned for many connections.
Hypercorn and Granian are not giigraph dependencies: `pip install hypercorn granian` first (a missing
one is skipped, and said so).

    .venv/bin/python benchmarks/server_stacks.py [--duration 4] [--idle 2000]
"""
from __future__ import annotations

import argparse
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

urllib.request.install_opener(urllib.request.build_opener(urllib.request.ProxyHandler({})))
APP = '''
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

async def answer(request):
    return Response(b'{"head":{},"boolean":true}\\n', media_type="application/sparql-results+json")

app = Starlette(routes=[Route("/", answer)])
'''
GIIGRAPH = '''
import sys
from functools import partial
import uvicorn
from giigraph.serve.server import _HeaderDeadline
from app import app
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), loop="uvloop", log_level="warning",
            http=partial(_HeaderDeadline, header_timeout=10), limit_concurrency=None)
'''
BIN = Path(sys.executable).parent
GRANIAN = [str(BIN / "granian"), "--interface", "asgi", "--host", "127.0.0.1", "--port", "{port}", "--workers", "1",
           "--log-level", "warning"]
CANDIDATES = {
    "giigraph: uvicorn + uvloop + httptools + header deadline": [sys.executable, "giigraph_stack.py", "{port}"],
    "uvicorn as it comes (h11, asyncio)": [str(BIN / "uvicorn"), "app:app", "--port", "{port}", "--log-level",
                                           "warning", "--http", "h11", "--loop", "asyncio"],
    "Hypercorn (h11, asyncio)": [str(BIN / "hypercorn"), "app:app", "-b", "127.0.0.1:{port}", "--log-level", "warning"],
    "Granian as it comes": [*GRANIAN, "app:app"],
    "Granian, backlog and backpressure 4096, header timeout 10 s": [
        *GRANIAN, "--backlog", "4096", "--backpressure", "4096", "--http1-header-read-timeout", "10000", "app:app"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(command: list[str], workdir: str, duration: float, idle: int) -> str:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen(["taskset", "-c", "0", *[c.format(port=port) for c in command]], cwd=workdir,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        out = subprocess.run(["taskset", "-c", "1", "wrk", "-t2", "-c8", f"-d{duration:g}s", url],
                             capture_output=True, text=True, check=True).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
        with ExitStack() as stack:
            for i in range(idle):
                sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=10))
                if i % 2:
                    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            time.sleep(0.5)
            took, failed = [], 0
            for _ in range(10):
                started = time.perf_counter()
                try:
                    urllib.request.urlopen(url, timeout=5).read()
                    took.append((time.perf_counter() - started) * 1000)
                except OSError:
                    failed += 1
            silent = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=10))
            silent.settimeout(20)
            started = time.perf_counter()
            try:
                closed = f"closed after {time.perf_counter() - started:.0f} s" if silent.recv(1) == b"" else "answered"
            except TimeoutError:
                closed = "still open after 20 s"
        latency = f"p50 {statistics.median(took):.1f} ms, max {max(took):.0f} ms" if took else "no answer"
        return f"{rps:8.0f} req/s | with {idle} idle: {latency}, {failed}/10 failed | a silent socket: {closed}"
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=4.0)
    parser.add_argument("--idle", type=int, default=2000)
    args = parser.parse_args()
    if not shutil.which("wrk") or not shutil.which("taskset"):
        sys.exit("needs wrk and taskset")
    with tempfile.TemporaryDirectory(prefix="giigraph-stacks-") as workdir:
        Path(workdir, "app.py").write_text(APP)
        Path(workdir, "giigraph_stack.py").write_text(GIIGRAPH)
        for name, command in CANDIDATES.items():
            if not Path(command[0]).exists():
                print(f"{name}: not installed, skipped")
                continue
            print(f"{name}: {measure(command, workdir, args.duration, args.idle)}", flush=True)


if __name__ == "__main__":
    main()
