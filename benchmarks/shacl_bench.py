"""SHACL validation of a built corpus: wall and CPU seconds of `giigraph.validate`, ours and another checkout's.

    .venv/bin/python benchmarks/corpus.py --triples 1m --out /tmp/corpus-1m
    flock /work/bench.lock .venv/bin/python benchmarks/shacl_bench.py --data-dir /tmp/corpus-1m \
        [--baseline OTHER-CHECKOUT/.venv/bin/python] [--runs 3]
    flock /work/bench.lock .venv/bin/python benchmarks/shacl_bench.py --data-dir /tmp/corpus-1m \
        --next /tmp/corpus-1m-next    # a copy of it with one more article (corpus.add_article)

The dataset is built once per process, with its index by subject and its Oxigraph store of the union
made before the timings (the build makes both before it validates). Each run validates it from
scratch (the engine keeps nothing between calls). With `--baseline`, the other checkout's Python
runs this same script right after ours, so both are measured under the same load, and the two
reports must be equal (conforms and every result). Prints the median and best of the runs.

With `--next`, the corpus given there is validated in full and, as a rebuild does, after the first
corpus's validation, judging only what the change reaches (`validation.revalidate_graph`); the two
reports must be equal.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path


def measure(data_dir: Path, runs: int) -> dict:
    """Build once, validate `runs` times: the figures and a digest of the report."""
    import gc

    import giigraph

    gc.disable()  # as in the build: the collector would walk the dataset's millions of objects
    quads = giigraph.build_quads(data_dir=data_dir)
    quads.by_subject()
    quads.union_store()
    walls, cpus, digest = [], [], None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        report = giigraph.validate(quads)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        digest = _digest(report, ordered=False)
    return {"triples": len(quads.union()), "walls": walls, "cpus": cpus, "results": len(report.results),
            "digest": digest, "engine": report.engine}


def measure_change(data_dir: Path, next_dir: Path, runs: int) -> dict:
    """Validate `next_dir`'s dataset `runs` times in full, then as many times after `data_dir`'s
    validation (what a rebuild keeps), judging only what changed; the reports' digests."""
    import gc

    import giigraph
    from giigraph.validation import revalidate_graph

    gc.disable()
    before = giigraph.build_quads(data_dir=data_dir)
    _, kept = revalidate_graph(before, None)
    old = before.union()
    del before
    quads = giigraph.build_quads(data_dir=next_dir)
    quads.by_subject()
    quads.union_store()
    added, removed = quads.union() - old, old - quads.union()
    figures: dict = {"triples": len(quads.union()), "added": len(added), "removed": len(removed)}
    for name, validate in (("full", lambda: giigraph.validate(quads)),
                           ("incremental", lambda: revalidate_graph(quads, kept, added, removed)[0])):
        walls, cpus = [], []
        for _ in range(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            report = validate()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        figures[name] = {"walls": walls, "cpus": cpus, "results": len(report.results), "engine": report.engine,
                         "digest": _digest(report)}
    return figures


def _digest(report, ordered: bool = True) -> str:
    """The report's conformance, results and raw results (in their order, or sorted: another process
    orders sets of terms its own way)."""
    raw = list(map(repr, report.raw))
    return hashlib.sha256(json.dumps([report.conforms, [list(r.__dict__.values()) for r in report.results],
                                      raw if ordered else sorted(raw)]).encode()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", help="another checkout's .venv/bin/python")
    parser.add_argument("--next", type=Path, help="the corpus after a change: validated in full and incrementally")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one measurement, for --baseline
    args = parser.parse_args()
    if args.next:
        f = measure_change(args.data_dir, args.next, args.runs)
        print(f"giigraph.validate on {args.next} ({f['triples']} triples: {f['added']} added and {f['removed']} "
              f"removed since {args.data_dir}), {args.runs} runs each")
        print(f"{'':12} {'wall median':>12} {'wall best':>10} {'cpu median':>11} {'results':>8}  engine")
        for name in ("full", "incremental"):
            g = f[name]
            print(f"{name:12} {statistics.median(g['walls']):12.2f} {min(g['walls']):10.2f} "
                  f"{statistics.median(g['cpus']):11.2f} {g['results']:8}  {g['engine']}")
        same = f["full"]["digest"] == f["incremental"]["digest"]
        print("reports: " + ("identical (same results in the same order)" if same else "DIFFERENT"))
        sys.exit(0 if same else 1)
    if args.json:
        print(json.dumps(measure(args.data_dir, args.runs)))
        return
    rows = [("ours", sys.executable)] + ([("baseline", args.baseline)] if args.baseline else [])
    figures = {}
    for name, python in rows:
        out = subprocess.run([python, __file__, "--data-dir", str(args.data_dir), "--runs", str(args.runs), "--json"],
                             check=True, capture_output=True, text=True).stdout
        figures[name] = json.loads(out.splitlines()[-1])
    print(f"giigraph.validate on {args.data_dir} ({figures['ours']['triples']} triples), {args.runs} runs each")
    print(f"{'':10} {'wall median':>12} {'wall best':>10} {'cpu median':>11} {'results':>8}  engine")
    for name, f in figures.items():
        print(f"{name:10} {statistics.median(f['walls']):12.2f} {min(f['walls']):10.2f} "
              f"{statistics.median(f['cpus']):11.2f} {f['results']:8}  {f['engine']}")
    if args.baseline:
        same = figures["ours"]["digest"] == figures["baseline"]["digest"]
        print("reports: " + ("identical" if same else "DIFFERENT"))
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
