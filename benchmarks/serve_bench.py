"""Benchmark `giigraph serve` against the `oxigraph` server, same data, same query, same run.

Starts both servers on free loopback ports (giigraph with its defaults; oxigraph read-only over the
same N-Quads dump, its default graph the merge of all graphs, as giigraph's engines present the
dataset), then drives each target from a second process with a bounded load (CONCURRENCY
keep-alive connections for DURATION seconds) and prints requests/s and p50/p99 latency for: an
entity page (HTML), a Turtle document, and a bundled SPARQL query (`queries/NAME.rq`, the
dataset's prefixes declared in the text so both servers read the same query) on both servers,
with the ratio.

    .venv/bin/python benchmarks/serve_bench.py [--duration 5] [--concurrency 8] [--query top-five-2023]

Figures are for comparison within one run: the machine is shared and noisy.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

# Loopback only: never through a proxy named in the environment.
urllib.request.install_opener(urllib.request.build_opener(urllib.request.ProxyHandler({})))
JSON_RESULTS = "application/sparql-results+json"


def load(url: str, accept: str, duration: float, concurrency: int, out) -> None:
    """Runs in the load process: GET `url` from `concurrency` keep-alive connections."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine, failed = [], 0
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                conn.request("GET", target, headers={"Accept": accept})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                ok = False
            if ok:
                mine.append(time.perf_counter() - t0)
            else:
                failed += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.send((latencies, errors[0], time.perf_counter() - start))


def measure(url: str, accept: str, duration: float, concurrency: int) -> dict:
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=load, args=(url, accept, duration, concurrency, child))
    proc.start()
    latencies, errors, elapsed = parent.recv()
    proc.join()
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    return {"requests": len(latencies), "errors": errors, "rps": len(latencies) / elapsed,
            "p50": q[49] * 1000, "p99": q[98] * 1000}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            sys.exit(f"server exited with {proc.returncode}: {url}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{url} never answered")


def start_giigraph() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "giigraph", "serve", "--port", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if "Serving giigraph at " in line:
            url = line.split("Serving giigraph at ")[1].split()[0].rstrip("/")
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            wait_for(url + "/", proc)
            return proc, url
    sys.exit("giigraph serve did not start")


def query_text(name: str) -> str:
    """A bundled query, with the prefixes giigraph predeclares written out for the oxigraph server."""
    from giigraph.query.library import bundled_query
    from giigraph.query.run import dataset_prefixes

    declared = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in dataset_prefixes().items())
    return declared + bundled_query(name).text


def start_oxigraph(workdir: Path) -> tuple[subprocess.Popen, str]:
    from giigraph import build_dist
    from giigraph.query.engines import MERGE_INTO_DEFAULT_GRAPH

    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    dist = workdir / "dist"
    build_dist(dist)
    store = workdir / "store"
    subprocess.run([oxigraph, "load", "--location", str(store), "--file", str(dist / "giigraph.nq")],
                   check=True, capture_output=True)
    subprocess.run([oxigraph, "update", "--location", str(store), "--update", MERGE_INTO_DEFAULT_GRAPH],
                   check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen([oxigraph, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/", proc)
    return proc, url


def solutions(url: str) -> list[dict]:
    request = urllib.request.Request(url, headers={"Accept": JSON_RESULTS})
    return json.load(urllib.request.urlopen(request, timeout=10))["results"]["bindings"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per target")
    parser.add_argument("--concurrency", type=int, default=8, help="keep-alive connections of the load process")
    parser.add_argument("--query", default="top-five-2023", help="the bundled query to run (queries/NAME.rq)")
    args = parser.parse_args()
    query = query_text(args.query)

    with tempfile.TemporaryDirectory(prefix="giigraph-bench-") as tmp:
        ours, ours_url = start_giigraph()
        oxi, oxi_url = start_oxigraph(Path(tmp))
        try:
            ours_query = f"{ours_url}/sparql?query={quote(query)}"
            oxi_query = f"{oxi_url}/query?query={quote(query)}"
            ours_rows, oxi_rows = solutions(ours_query), solutions(oxi_query)
            if ours_rows != oxi_rows or not ours_rows:
                sys.exit(f"the servers disagree on the query: {len(ours_rows)} vs {len(oxi_rows)} rows")
            targets = [
                ("giigraph  entity page (HTML)", f"{ours_url}/doc/cluster/shanghai-suzhou.html", "text/html"),
                ("giigraph  Turtle document", f"{ours_url}/doc/cluster/shanghai-suzhou.ttl", "text/turtle"),
                (f"giigraph  SPARQL {args.query}", ours_query, JSON_RESULTS),
                (f"oxigraph  SPARQL {args.query}", oxi_query, JSON_RESULTS),
            ]
            print(f"load: 1 process, {args.concurrency} keep-alive connections, {args.duration:g} s per target; "
                  f"the query returns the same {len(ours_rows)} rows on both servers")
            width = max(len(name) for name, _, _ in targets)
            print(f"{'target':{width}} {'requests':>9} {'errors':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
            results = {}
            for name, url, accept in targets:
                r = results[name] = measure(url, accept, args.duration, args.concurrency)
                print(f"{name:{width}} {r['requests']:>9} {r['errors']:>7} {r['rps']:>9.0f} {r['p50']:>8.2f} {r['p99']:>8.2f}")
            mine, theirs = results[targets[2][0]], results[targets[3][0]]
            print(f"SPARQL giigraph/oxigraph: throughput x{mine['rps'] / theirs['rps']:.2f}, "
                  f"p50 latency x{mine['p50'] / theirs['p50']:.2f}")
        finally:
            for proc in (ours, oxi):
                proc.terminate()
                proc.wait(15)


if __name__ == "__main__":
    main()
