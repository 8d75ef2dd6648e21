"""How SHACL validation time grows with the data: the built dataset, then N sources like it.

Each extra copy repeats every source's named graph under new IRIs (the article and the documents the
tables cite, passages, observations and their data sets, posts, statements, claims, event, video,
ranking), all about the same curated clusters, places, people and organizations: the way the dataset
grows when articles and tables are added. Validation is `giigraph.validate()` (pyshacl, inference none, over the union), once on a
plain rdflib graph and once on a graph that parses each SHACL-SPARQL text once (pyshacl sends the
text again for every focus node, and parsing it is most of the cost).

    .venv/bin/python benchmarks/shapes_scale.py [COPIES ...]      (default: 1 10 30 100)
"""
from __future__ import annotations

import sys
import time
from functools import cache

from rdflib import Graph, URIRef
from rdflib.plugins.sparql import prepareQuery

from giigraph import build, validate

BASE = "https://w3id.org/giigraph/"
SOURCE_KINDS = ("article", "source", "passage", "observation", "dataset", "statement", "post", "claim", "event",
                "video", "ranking")


@cache
def _prepared(text: str):
    return prepareQuery(text)


class PreparedQueryGraph(Graph):
    """Parses each SPARQL text once."""

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


def _renamer(copy: int):
    prefixes = tuple(f"{BASE}id/{kind}/" for kind in SOURCE_KINDS)

    def rename(node):
        if copy and isinstance(node, URIRef) and str(node).startswith(prefixes):
            return URIRef(f"{node}-copy{copy}")
        return node

    return rename


def scaled(copies: int, graph_class: type[Graph]) -> Graph:
    """The curated graph once, and the source graph `copies` times under new IRIs."""
    ds = build(BASE)
    g = graph_class()
    for s, p, o, ctx in ds.quads((None, None, None, None)):
        if not str(ctx).startswith(f"{BASE}graph/source/"):
            g.add((s, p, o))
            continue
        for k in range(copies):
            rename = _renamer(k)
            g.add((rename(s), p, rename(o)))
    return g


def main(argv: list[str]) -> None:
    validate(Graph())  # parse the shapes once, outside the timings
    print("wall and CPU seconds of giigraph.validate (CPU time is the steadier figure on a shared machine)")
    print(f"{'sources':>8} {'triples':>8} {'plain wall':>11} {'plain cpu':>10} {'prepared wall':>14} "
          f"{'prepared cpu':>13} {'triples/cpu s':>14} results")
    for copies in [int(a) for a in argv] or [1, 10, 30, 100]:
        figures, results = [], set()
        for graph_class in (Graph, PreparedQueryGraph):
            data = scaled(copies, graph_class)
            wall, cpu = time.perf_counter(), time.process_time()
            report = validate(data)
            figures += [time.perf_counter() - wall, time.process_time() - cpu]
            results.add(len(report.results))
        print(f"{copies:>8} {len(data):>8} {figures[0]:>11.2f} {figures[1]:>10.2f} {figures[2]:>14.2f} "
              f"{figures[3]:>13.2f} {len(data) / figures[3]:>14.0f} {sorted(results)}")


if __name__ == "__main__":
    main(sys.argv[1:])
