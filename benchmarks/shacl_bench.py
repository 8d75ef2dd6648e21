"""SHACL validation of a built corpus: wall and CPU seconds of `giigraph.validate`, ours and another checkout's.

    .venv/bin/python benchmarks/corpus.py --triples 1m --out /tmp/corpus-1m
    flock /work/bench.lock .venv/bin/python benchmarks/shacl_bench.py --data-dir /tmp/corpus-1m \
        [--baseline OTHER-CHECKOUT/.venv/bin/python] [--runs 3]

The dataset is built once per process, with its index by subject and its Oxigraph store of the union
made before the timings (the build makes both before it validates). Each run validates it from
scratch (the engine keeps nothing between calls). With `--baseline`, the other checkout's Python
runs this same script right after ours, so both are measured under the same load, and the two
reports must be equal (conforms and every result). Prints the median and best of the runs.
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
        digest = hashlib.sha256(json.dumps([report.conforms, [list(r.__dict__.values()) for r in report.results],
                                            sorted(map(repr, report.raw))]).encode()).hexdigest()
    return {"triples": len(quads.union()), "walls": walls, "cpus": cpus, "results": len(report.results),
            "digest": digest, "engine": report.engine}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", help="another checkout's .venv/bin/python")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one measurement, for --baseline
    args = parser.parse_args()
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
