"""The W3C SHACL test suite (`tests/w3c/shacl/`) through `giigraph.validate`, engine by engine: how
many approved tests each passes, per folder, and how long the whole suite takes.

A test passes with the expected `sh:conforms` and the same results compared on focus node, path,
value, constraint component, shape and severity (`tests/w3c_shacl.py`); "unsupported" is the fast
engine saying it does not evaluate the shapes (`auto` then asks pyshacl).

    .venv/bin/python benchmarks/shacl_suite.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
import warnings
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import w3c_shacl  # noqa: E402

ENGINES = ("auto", "fast", "pyshacl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of the whole suite per engine (median time)")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # pyshacl and rdflib log every ill-formed literal of the suite
    warnings.simplefilter("ignore")
    cases = w3c_shacl.cases()
    for case in cases:  # read every file before timing
        w3c_shacl.parse(case.data), w3c_shacl.parse(case.shapes)
    folders = sorted({c.folder for c in cases})
    counts: dict[str, dict[str, Counter]] = {}
    seconds: dict[str, float] = {}
    failures: dict[str, list[str]] = defaultdict(list)
    for engine in ENGINES:
        times = []
        for _ in range(args.repeat):
            per_folder: dict[str, Counter] = defaultdict(Counter)
            started = time.perf_counter()
            for case in cases:
                status, what = w3c_shacl.run(case, engine)
                per_folder[case.folder][status] += 1
                if status != w3c_shacl.PASS and len(times) == 0:
                    failures[engine].append(f"{case.name}: {status}: {what[:160]}")
            times.append(time.perf_counter() - started)
        counts[engine], seconds[engine] = per_folder, statistics.median(times)

    print(f"# W3C SHACL suite: {len(cases)} approved tests\n")
    print("| folder | tests | " + " | ".join(ENGINES) + " |")
    print("|---|---:|" + "---:|" * len(ENGINES))
    for folder in folders + ["**all**"]:
        total = sum(1 for c in cases if folder == "**all**" or c.folder == folder)
        cells = []
        for engine in ENGINES:
            tally = Counter() if folder != "**all**" else sum(counts[engine].values(), Counter())
            if folder != "**all**":
                tally = counts[engine][folder]
            cell = f"{tally[w3c_shacl.PASS]}"
            if tally[w3c_shacl.UNSUPPORTED]:
                cell += f" (+{tally[w3c_shacl.UNSUPPORTED]} unsupported)"
            cells.append(cell)
        print(f"| {folder} | {total} | " + " | ".join(cells) + " |")
    print("\n| engine | suite time, s (median of %d) |" % args.repeat)
    print("|---|---:|")
    for engine in ENGINES:
        print(f"| {engine} | {seconds[engine]:.2f} |")
    for engine in ENGINES:
        if failures[engine]:
            print(f"\n{engine}, not passed:")
            print("\n".join(f"- {line}" for line in failures[engine]))


if __name__ == "__main__":
    main()
