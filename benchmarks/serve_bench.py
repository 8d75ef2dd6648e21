"""Benchmark `giigraph serve` against the `oxigraph` server, same data, same query, same run.

Starts both servers on free loopback ports, each pinned to one CPU core of its own (`taskset`; the
giigraph server's SPARQL worker processes inherit its core; `wrk` runs on the other core, the one
the server under load is not on), giigraph with its defaults, oxigraph
read-only over the same N-Quads dump with its default graph the merge of all graphs, as giigraph's
engines present the dataset. Then:

1. `wrk` (CONCURRENCY keep-alive connections, DURATION seconds per target) on an entity page (HTML),
   a Turtle document, and a bundled SPARQL query (`queries/NAME.rq`, the dataset's prefixes declared in
   the text so both servers read the same query) on both servers: requests/s, p50 and p99 latency, the
   server's CPU time a request (all its processes, from /proc in the middle of each run: steadier
   than requests/s when other work shares the core), and the SPARQL ratios. The targets take turns for ROUNDS rounds and each figure is the median of its
   rounds, so a burst of other work on the shared machine weighs on one round, not on one server;
2. with IDLE connections open to giigraph that never send a byte, the latency of normal SPARQL
   requests, one at a time.

giigraph runs twice: as served by default, where a repeated query is answered from the server's
cache of answers, and with `--query-cache-mb 0`, where every request goes to a worker process.
`--baseline PYTHON` adds a third, uncached, run by another checkout's interpreter (say a worktree of
the commit before a change, with its own venv), on the same core and in the same rounds: before and
after in one run.

    .venv/bin/python benchmarks/serve_bench.py [--duration 5] [--rounds 3] [--concurrency 8] [--idle 2000] [--query top-five-2023] [--baseline ../base/.venv/bin/python]

Needs `wrk` and `taskset` (Debian: wrk, util-linux) and two cores. Figures are for comparison within
one run: the machine is shared and noisy.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote, urlsplit

# Loopback only: never through a proxy named in the environment.
urllib.request.install_opener(urllib.request.build_opener(urllib.request.ProxyHandler({})))
JSON_RESULTS = "application/sparql-results+json"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk(url: str, accept: str, duration: float, concurrency: int, server: int, core: int) -> dict:
    """Requests/s and p50/p99 latency (ms) of `url` under wrk's load (wrk pinned to `core`); non-2xx
    answers counted as errors; and the CPU time the server (process `server` and its children) spends
    a request, in ms, from its CPU use in the middle of the run (steadier than req/s on a shared machine).
    Then waits until the server is idle again (a worker killed when wrk hung up is being replaced)."""
    proc = subprocess.Popen(["taskset", "-c", str(core), "wrk", f"-t{min(concurrency, 2)}", f"-c{concurrency}",
                             f"-d{duration:g}s", "--latency", "-H", f"Accept: {accept}", url],
                            stdout=subprocess.PIPE, text=True)
    margin = duration / 10
    time.sleep(margin)
    started, cpu_before = time.monotonic(), cpu_seconds(server)
    time.sleep(duration - 2 * margin)
    cpu_share = (cpu_seconds(server) - cpu_before) / (time.monotonic() - started)
    out, _ = proc.communicate()
    latency = {p: float(v) * UNITS[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)$", out, re.M)}
    if proc.returncode or len(latency) < 2:
        sys.exit(f"wrk failed on {url}:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    for _ in range(50):
        used = cpu_seconds(server)
        time.sleep(0.3)
        if cpu_seconds(server) == used:
            break
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    return {"requests": int(re.search(r"(\d+) requests in", out)[1]), "errors": int(errors[1]) if errors else 0,
            "rps": rps, "p50": latency["50"], "p99": latency["99"], "cpu": cpu_share / rps * 1000}


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by process `pid` and its children (giigraph's SPARQL workers)."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children += map(int, (task / "children").read_text().split())
        except OSError:  # a thread that ended meanwhile
            continue
    ticks = 0
    for process in (pid, *children):
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended meanwhile
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of proc(5)
    return ticks / os.sysconf("SC_CLK_TCK")


def idle_latency(url: str, idle: int, requests: int = 20) -> tuple[float, float]:
    """p50 and max latency (ms) of `url`, one request at a time, while `idle` silent connections are open."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, idle + 1024)), hard))
    parts = urlsplit(url)
    with ExitStack() as stack:
        for _ in range(idle):
            stack.enter_context(socket.create_connection((parts.hostname, parts.port), timeout=10))
        time.sleep(0.5)  # the server accepts them
        took = []
        for _ in range(requests):
            started = time.perf_counter()
            with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": JSON_RESULTS}), timeout=10) as r:
                r.read()
            took.append((time.perf_counter() - started) * 1000)
    return statistics.median(took), max(took)


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


def start_giigraph(core: int, *options: str, python: str = sys.executable) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(["taskset", "-c", str(core), python, "-m", "giigraph", "serve", "--port", "0", *options],
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


def start_oxigraph(workdir: Path, core: int) -> tuple[subprocess.Popen, str]:
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
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(["taskset", "-c", str(core), oxigraph, "serve-read-only", "--location", str(store),
                             "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/", proc)
    return proc, url


def solutions(url: str) -> list[dict]:
    request = urllib.request.Request(url, headers={"Accept": JSON_RESULTS})
    return json.load(urllib.request.urlopen(request, timeout=10))["results"]["bindings"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per target")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of all targets in turn; figures are medians")
    parser.add_argument("--concurrency", type=int, default=8, help="keep-alive connections of wrk")
    parser.add_argument("--idle", type=int, default=2000, help="idle connections held open in the second part")
    parser.add_argument("--query", default="top-five-2023", help="the bundled query to run (queries/NAME.rq)")
    parser.add_argument("--baseline", metavar="PYTHON",
                        help="also run giigraph uncached with this interpreter (another checkout's venv)")
    args = parser.parse_args()
    for tool in ("wrk", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (make tools)")
    if len(os.sched_getaffinity(0)) < 2:
        sys.exit("needs two CPU cores, one per server")
    core_ours, core_theirs = sorted(os.sched_getaffinity(0))[:2]
    query = query_text(args.query)

    with tempfile.TemporaryDirectory(prefix="giigraph-bench-") as tmp:
        ours, ours_url = start_giigraph(core_ours)
        uncached, uncached_url = start_giigraph(core_ours, "--query-cache-mb", "0")
        oxi, oxi_url = start_oxigraph(Path(tmp), core_theirs)
        procs = [ours, uncached, oxi]
        if args.baseline:
            baseline, baseline_url = start_giigraph(core_ours, "--query-cache-mb", "0", python=args.baseline)
            procs.append(baseline)
        try:
            ours_query = f"{ours_url}/sparql?query={quote(query)}"
            uncached_query = f"{uncached_url}/sparql?query={quote(query)}"
            oxi_query = f"{oxi_url}/query?query={quote(query)}"
            ours_rows, oxi_rows = solutions(ours_query), solutions(oxi_query)
            if ours_rows != oxi_rows or not ours_rows:
                sys.exit(f"the servers disagree on the query: {len(ours_rows)} vs {len(oxi_rows)} rows")
            targets = [
                ("giigraph  entity page (HTML)", f"{ours_url}/doc/cluster/shanghai-suzhou.html", "text/html", ours),
                ("giigraph  Turtle document", f"{ours_url}/doc/cluster/shanghai-suzhou.ttl", "text/turtle", ours),
                (f"giigraph  SPARQL {args.query}", ours_query, JSON_RESULTS, ours),
                (f"giigraph  SPARQL {args.query}, no cache", uncached_query, JSON_RESULTS, uncached),
                (f"oxigraph  SPARQL {args.query}", oxi_query, JSON_RESULTS, oxi),
            ]
            if args.baseline:
                baseline_query = f"{baseline_url}/sparql?query={quote(query)}"
                if solutions(baseline_query) != ours_rows:
                    sys.exit("the baseline answers the query otherwise")
                targets.append((f"baseline  SPARQL {args.query}, no cache", baseline_query, JSON_RESULTS, baseline))
            print(f"wrk: {args.concurrency} keep-alive connections, {args.duration:g} s per target, {args.rounds} "
                  f"rounds; each server pinned to one core (giigraph {core_ours}, oxigraph {core_theirs}); the query "
                  f"returns the same {len(ours_rows)} rows on both servers")
            width = max(len(target[0]) for target in targets)
            rounds: dict[str, list[dict]] = {target[0]: [] for target in targets}
            for n in range(args.rounds):
                for name, url, accept, server in targets:
                    wrk_core = core_ours if server is oxi else core_theirs  # the core the server is not on
                    rounds[name].append(wrk(url, accept, args.duration, args.concurrency, server.pid, wrk_core))
                last = [r[-1]["rps"] for r in rounds.values()]
                print(f"round {n + 1}: " + ", ".join(f"{rps:.0f}" for rps in last)
                      + f" req/s; SPARQL no cache/oxigraph x{last[3] / last[4]:.2f}"
                      + (f" (baseline x{last[5] / last[4]:.2f})" if args.baseline else ""))
            print(f"{'target':{width}} {'requests':>9} {'errors':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>11}  (medians)")
            results = {name: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
                       for name, runs in rounds.items()}
            for name, r in results.items():
                print(f"{name:{width}} {r['requests']:>9.0f} {r['errors']:>7.0f} {r['rps']:>9.0f} {r['p50']:>8.2f} {r['p99']:>8.2f} {r['cpu']:>11.3f}")
            theirs = results[targets[4][0]]
            compared = [("answer cache", targets[2][0]), ("no cache", targets[3][0])]
            if args.baseline:
                compared.append(("baseline, no cache", targets[5][0]))
            for label, name in compared:
                mine = results[name]
                print(f"SPARQL giigraph ({label})/oxigraph: throughput x{mine['rps'] / theirs['rps']:.2f}, "
                      f"p50 latency x{mine['p50'] / theirs['p50']:.2f}, CPU a request x{mine['cpu'] / theirs['cpu']:.2f}")
            p50, worst = idle_latency(uncached_query, args.idle)
            print(f"giigraph SPARQL (no cache), one request at a time with {args.idle} idle connections open: "
                  f"p50 {p50:.1f} ms, max {worst:.1f} ms")
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(15)


if __name__ == "__main__":
    main()
