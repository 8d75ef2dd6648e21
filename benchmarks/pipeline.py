"""The whole pipeline at 10k, 100k and 1M triples, against the naive rdflib + pyshacl path, in one run.

For each size, a seeded synthetic corpus (`corpus.py`, the project's own YAML source format) goes
through the real pipeline, the one `giigraph build` runs: load the sources, build, SHACL-validate,
write Turtle, N-Triples and JSON-LD, run every bundled competency query (`queries/*.rq`). Then the
naive path a first version would take: the same sources into an rdflib Dataset, pyshacl, rdflib's
own Turtle, N-Triples and JSON-LD writers, rdflib's SPARQL engine. Each path runs in a fresh
process; each stage prints wall seconds, triples per second and its peak memory (peak RSS during
the stage). A naive stage that runs past `--budget` seconds is stopped and shown as `>budget`,
which makes the speed-up a lower bound. Last, the command line on the article: `giigraph --help`
and `giigraph export` against the floor `python -c "import rdflib"`, medians of several runs.

    .venv/bin/python benchmarks/pipeline.py                  # 10k, 100k, 1m
    .venv/bin/python benchmarks/pipeline.py --sizes 10k --budget 120

Timings are printed, never asserted: the targets are checked by reading the table.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Processes run as an installed giigraph runs: with compiled bytecode (pip compiles it at install time;
#: an environment that forbids writing it would charge every start-up with compiling giigraph anew).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
STAGES = ("start-up", "load", "build", "validate", "turtle", "ntriples", "jsonld", "queries")
TARGETS = {"seconds_1m": 60.0, "peak_mb_1m": 2048.0, "speedup_1m": 3.0, "growth": 12.0, "help_s": 0.3,
           "export_ratio": 1.2}


# --- measuring one stage, inside a pipeline process ------------------------------------------------

def _peak_mb() -> float:
    return int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text()).group(1)) / 1024


def _reset_peak() -> None:
    """Start a new peak-RSS window (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


class _OverBudget(Exception):
    pass


def _on_alarm(signum, frame):
    raise _OverBudget()


def _stage(name: str, func, budget: float | None = None):
    """Run one stage; print one JSON line: its name, wall seconds, peak MB (and whether it finished)."""
    _reset_peak()
    if budget:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, budget)
    start = time.perf_counter()
    result, finished = None, True
    try:
        result = func()
    except _OverBudget:
        finished = False
    finally:
        if budget:
            signal.setitimer(signal.ITIMER_REAL, 0)
    seconds = time.perf_counter() - start
    print(json.dumps({"stage": name, "seconds": seconds, "peak_mb": _peak_mb(), "finished": finished}), flush=True)
    return result


def _queries(directory: Path) -> list[tuple[str, str]]:
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.rq"))]


def run_fast(data: Path, out: Path, queries: Path, shapes: Path | None, started: float) -> None:
    """The pipeline `giigraph build` runs, stage by stage."""
    from giigraph import sources
    from giigraph.builder import build_quads
    from giigraph.config import resolve_base
    from giigraph.rdfio import chunks, parse_triples, write_stream
    from giigraph.validation import shape_triples, validate_graph

    print(json.dumps({"stage": "start-up", "seconds": time.perf_counter() - started, "peak_mb": _peak_mb(),
                      "finished": True}), flush=True)
    shape_set = tuple(parse_triples(shapes)) if shapes else shape_triples()
    corpus = _stage("load", lambda: sources.load(data))
    quads = _stage("build", lambda: build_quads(corpus, resolve_base(None)))
    print(json.dumps({"triples": len(quads.union()), "quads": len(quads)}), flush=True)
    report = _stage("validate", lambda: validate_graph(quads, shapes=shape_set))
    print(json.dumps({"conforms": report.conforms, "engine": report.engine, "results": len(report.results)}))
    for stage, fmt, name in (("turtle", "turtle", "giigraph.ttl"), ("ntriples", "nt", "giigraph.nt"),
                             ("jsonld", "jsonld", "giigraph.jsonld")):
        _stage(stage, lambda: write_stream(out / name, chunks(quads, fmt)))

    def run_queries() -> int:
        import pyoxigraph as ox

        store, rows = quads.store(), 0
        for _, text in _queries(queries):
            result = store.query(text, prefixes=quads.prefixes, use_default_graph_as_union=True)
            rows += 1 if isinstance(result, ox.QueryBoolean) else sum(1 for _ in result)
        return rows
    _stage("queries", run_queries)


def run_naive(data: Path, out: Path, queries: Path, shapes: Path | None, budget: float, started: float) -> None:
    """What a first version does: an rdflib Dataset, pyshacl, rdflib's writers and SPARQL engine."""
    from pyshacl import validate
    from rdflib import Graph

    from giigraph import sources
    from giigraph.builder import build_quads
    from giigraph.config import resolve_base
    from giigraph.rdfio import union
    from giigraph.resources import SHAPES_DIR

    print(json.dumps({"stage": "start-up", "seconds": time.perf_counter() - started, "peak_mb": _peak_mb(),
                      "finished": True}), flush=True)
    shapes_graph = Graph()
    for path in [shapes] if shapes else sorted(SHAPES_DIR.glob("*.ttl")):
        shapes_graph.parse(path, format="turtle")
    corpus = _stage("load", lambda: sources.load(data))
    dataset = _stage("build", lambda: build_quads(corpus, resolve_base(None)).to_rdflib(), budget)
    if dataset is None:
        return
    merged = union(dataset)
    _stage("validate", lambda: validate(merged, shacl_graph=shapes_graph, inference="none", allow_warnings=True,
                                        allow_infos=True), budget)
    for stage, fmt, name in (("turtle", "turtle", "giigraph.ttl"), ("ntriples", "nt", "giigraph.nt"),
                             ("jsonld", "json-ld", "giigraph.jsonld")):
        _stage(stage, lambda: merged.serialize(out / name, format=fmt, encoding="utf-8"), budget)
    prefixes = dict(dataset.namespaces())

    def run_queries() -> int:
        dataset.default_union = True
        return sum(len(list(dataset.query(text, initNs=prefixes))) for _, text in _queries(queries))
    _stage("queries", run_queries, budget)


# --- driving the runs ------------------------------------------------------------------------------

def pipeline(path: str, data: Path, queries: Path, shapes: Path | None, budget: float) -> dict:
    """One pipeline in a fresh process; its stage lines collected into a dict."""
    with tempfile.TemporaryDirectory(prefix="giigraph-bench-") as out:
        command = [sys.executable, __file__, "--run", path, "--data", str(data), "--out", out, "--queries",
                   str(queries), "--budget", str(budget)] + (["--shapes", str(shapes)] if shapes else [])
        started = time.perf_counter()
        process = subprocess.run(command, capture_output=True, text=True, env=ENV)
        wall = time.perf_counter() - started
    info: dict = {"stages": {}, "wall": wall}
    for line in process.stdout.splitlines():
        record = json.loads(line)
        if "stage" in record:
            info["stages"][record["stage"]] = record
        else:
            info.update(record)
    if process.returncode != 0:
        lines = process.stderr.strip().splitlines()
        info["error"] = lines[-1] if lines else f"exit {process.returncode}"
    return info


def cli_timings(repeat: int) -> dict[str, float]:
    """Median wall seconds of `giigraph --help`, `giigraph export` and `python -c "import rdflib"`, interleaved."""
    giigraph = str(Path(sys.executable).with_name("giigraph"))
    commands = {"help": [giigraph, "--help"], "export": [giigraph, "export"],
                "import rdflib": [sys.executable, "-c", "import rdflib"]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():  # warm up: bytecode written, files in the page cache
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=ENV)
    for _ in range(repeat):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=ENV)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def _total(info: dict) -> tuple[float, bool]:
    stages = info["stages"].values()
    return sum(s["seconds"] for s in stages), all(s["finished"] for s in stages) and len(info["stages"]) == len(STAGES)


def _fmt_seconds(stage: dict | None) -> str:
    if stage is None:
        return "not run"
    return f"{stage['seconds']:.2f}" if stage["finished"] else f">{stage['seconds']:.0f}"


def report(size: str, fast: dict, naive: dict) -> list[str]:
    triples = fast.get("triples", 0)
    lines = [f"### {size}: {triples:,} triples ({fast.get('quads', 0):,} quads)", "",
             "| stage | giigraph s | triples/s | peak MB | naive s | triples/s | peak MB | speed-up |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name in STAGES:
        f, n = fast["stages"].get(name), naive["stages"].get(name)
        cells = [name]
        for stage in (f, n):
            if stage is None:
                cells += ["not run", "", ""]
                continue
            timed = stage["finished"] and stage["seconds"] > 0 and name != "start-up"
            rate = f"{triples / stage['seconds']:,.0f}" if timed else ""
            cells += [_fmt_seconds(stage), rate, f"{stage['peak_mb']:,.0f}"]
        speedup = ""
        if f and n and f["seconds"] > 0:
            speedup = ("≥" if not n["finished"] else "") + f"{n['seconds'] / f['seconds']:.1f}x"
        lines.append("| " + " | ".join(cells + [speedup]) + " |")
    (ft, _), (nt, n_done) = _total(fast), _total(naive)
    f_peak = max((s["peak_mb"] for s in fast["stages"].values()), default=0)
    n_peak = max((s["peak_mb"] for s in naive["stages"].values()), default=0)
    lines.append(f"| **total** | **{ft:.2f}** | {triples / ft:,.0f} | {f_peak:,.0f} | "
                 f"**{'' if n_done else '>'}{nt:.1f}** | {triples / nt:,.0f} | {n_peak:,.0f} | "
                 f"**{'' if n_done else '≥'}{nt / ft:.1f}x** |")
    for label, info in (("giigraph", fast), ("naive", naive)):
        if "error" in info:
            lines.append(f"\n{label} failed: {info['error']}")
    if "conforms" in fast:
        lines.append(f"\nvalidation: {fast['engine']} engine, conforms={fast['conforms']} ({fast['results']} results)")
    return lines + [""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma-separated corpus sizes (triples)")
    parser.add_argument("--budget", type=float, default=600, help="seconds a naive stage may run before it is stopped")
    parser.add_argument("--corpora", type=Path, default=Path(tempfile.gettempdir()) / "giigraph-corpora",
                        help="where generated corpora are kept between runs")
    parser.add_argument("--queries", type=Path, default=None, help="folder of .rq files (default: the bundled ones)")
    parser.add_argument("--shapes", type=Path, default=None, help="shapes file (default: the bundled shapes/)")
    parser.add_argument("--cli-runs", type=int, default=11, help="runs of each command for the CLI medians")
    parser.add_argument("--run", choices=("fast", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.run:
        started = time.perf_counter()
        if args.run == "fast":
            run_fast(args.data, args.out, args.queries, args.shapes, started)
        else:
            run_naive(args.data, args.out, args.queries, args.shapes, args.budget, started)
        return

    sys.path.insert(0, str(HERE))
    import corpus as generator
    from giigraph.resources import QUERIES_DIR

    queries = args.queries or QUERIES_DIR
    print(f"# giigraph pipeline benchmark\n\n{os.cpu_count()} CPUs, Python {sys.version.split()[0]}; "
          f"{len(list(queries.glob('*.rq')))} queries from {queries}; naive stages stopped after {args.budget:.0f} s\n")
    totals = {}
    for size in args.sizes.split(","):
        data = args.corpora / f"{size}-seed{generator.SEED}"
        if not (data / "sources").is_dir():
            generator.generate(data, generator.parse_size(size))
        fast = pipeline("fast", data, queries, args.shapes, args.budget)
        naive = pipeline("naive", data, queries, args.shapes, args.budget)
        print("\n".join(report(size, fast, naive)), flush=True)
        totals[size.lower()] = (_total(fast)[0], max(s["peak_mb"] for s in fast["stages"].values()), naive)

    cli = cli_timings(args.cli_runs)
    print("### Targets\n")
    checks = []
    if "1m" in totals:
        seconds, peak, naive = totals["1m"]
        naive_total, done = _total(naive)
        checks += [f"1M triples, whole pipeline: {seconds:.1f} s (target ≤ {TARGETS['seconds_1m']:.0f} s), "
                   f"peak {peak:,.0f} MB (target ≤ {TARGETS['peak_mb_1m']:,.0f} MB)",
                   f"1M triples, speed-up over naive: {'' if done else '≥'}{naive_total / seconds:.1f}x "
                   f"(target ≥ {TARGETS['speedup_1m']:.0f}x)"]
    if "1m" in totals and "100k" in totals:
        checks.append(f"growth, time(1M) / time(100k): {totals['1m'][0] / totals['100k'][0]:.1f} "
                      f"(target ≤ {TARGETS['growth']:.0f})")
    checks += [f"`giigraph --help`: {cli['help']:.3f} s (target ≤ {TARGETS['help_s']} s)",
               f"`giigraph export`: {cli['export']:.3f} s = {cli['export'] / cli['import rdflib']:.2f}x the floor "
               f"`python -c \"import rdflib\"` {cli['import rdflib']:.3f} s (target ≤ {TARGETS['export_ratio']}x)"]
    print("\n".join(f"- {c}" for c in checks))


if __name__ == "__main__":
    main()
