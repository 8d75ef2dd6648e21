"""Which SPARQL engine answers the bundled queries faster: rdflib or Oxigraph (pyoxigraph)?

Prints, for each engine: the time to load the built dataset, each bundled query's median
evaluation time (the query is parsed once, as `giigraph query` does for its safety check), the
sum over all queries, and the wall time of whole `giigraph query` processes.

    .venv/bin/python benchmarks/query_engines.py [--repeat 20] [--processes 5]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from giigraph import build
from giigraph.query import ENGINE_NAMES
from giigraph.query.engines import open_engine
from giigraph.query.library import bundled_queries
from giigraph.query.parse import parse_query
from giigraph.query.run import dataset_prefixes


def timed(func, repeat: int) -> tuple[float, object]:
    """Median wall time of `repeat` calls, in seconds, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="evaluations per query and engine")
    parser.add_argument("--processes", type=int, default=5, help="whole CLI runs per engine")
    args = parser.parse_args()

    dataset, prefixes = build(), dataset_prefixes()
    queries = [(q.name, parse_query(q.text, prefixes, q.name)) for q in bundled_queries()]
    quads = sum(1 for _ in dataset.quads((None, None, None, None)))
    print(f"dataset: {quads} quads; {len(queries)} bundled queries; median of {args.repeat} runs each\n")

    engines, load = {}, {}
    for name in ENGINE_NAMES:
        load[name], engines[name] = timed(lambda: open_engine(name, dataset, prefixes), 5)

    per_query = {name: {} for name in ENGINE_NAMES}
    for query_name, parsed in queries:
        for name, engine in engines.items():
            per_query[name][query_name], _ = timed(lambda: engine.run(parsed), args.repeat)

    width = max(len(q) for q, _ in queries)
    print(f"{'query':<{width}}  " + "  ".join(f"{n:>10}" for n in ENGINE_NAMES) + "   ratio")
    for query_name, _ in queries:
        ms = [per_query[n][query_name] * 1000 for n in ENGINE_NAMES]
        print(f"{query_name:<{width}}  " + "  ".join(f"{m:>8.2f}ms" for m in ms)
              + f"   {max(ms) / min(ms):>5.1f}x")
    totals = {n: sum(per_query[n].values()) for n in ENGINE_NAMES}
    print(f"{'all queries':<{width}}  " + "  ".join(f"{totals[n] * 1000:>8.1f}ms" for n in ENGINE_NAMES))
    print(f"{'load dataset':<{width}}  " + "  ".join(f"{load[n] * 1000:>8.1f}ms" for n in ENGINE_NAMES))
    both = {n: totals[n] + load[n] for n in ENGINE_NAMES}
    print(f"{'load + all queries':<{width}}  " + "  ".join(f"{both[n] * 1000:>8.1f}ms" for n in ENGINE_NAMES))

    print(f"\nwhole `giigraph query top-five-2023` processes (median of {args.processes}):")
    for name in ENGINE_NAMES:
        command = [sys.executable, "-m", "giigraph", "query", "top-five-2023", "--engine", name]
        seconds, _ = timed(lambda: subprocess.run(command, check=True, capture_output=True), args.processes)
        print(f"  {name:<10} {seconds * 1000:8.0f}ms")

    fastest = min(ENGINE_NAMES, key=lambda n: both[n])
    print(f"\nfaster on the bundled queries, loading included: {fastest}")


if __name__ == "__main__":
    main()
