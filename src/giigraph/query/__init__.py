"""SPARQL 1.1 over the dataset, on two engines, with a library of competency questions.

The one implementation of SPARQL in giigraph: `giigraph query` and the endpoint of `giigraph
serve` (whose workers add only a time limit and a size cap) both parse, check, run and write here.

Submodules (imported on use, they load rdflib and pyoxigraph):
  `parse`    parses a query once with rdflib and refuses anything that would fetch remote data;
  `engines`  evaluates a parsed query with rdflib or Oxigraph over one dataset;
  `results`  the engine-independent result and its term normalisation;
  `writers`  the W3C results formats, the terminal table and RDF output of graph results, streamed;
  `library`  the bundled queries in `queries/`;
  `run`      one call for the CLI: resolve the query, load the data, evaluate, write.

This module stays import-light so the CLI can read the engine names without loading rdflib.
"""
from __future__ import annotations

ENGINE_NAMES: tuple[str, ...] = ("oxigraph", "rdflib")

# Oxigraph answers the bundled queries faster, data loading included:
# see `python benchmarks/query_engines.py` and the README.
DEFAULT_ENGINE = "oxigraph"

# The dataset view both engines give: the default graph is the merge (a set) of all graphs.
MERGE_INTO_DEFAULT_GRAPH = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"  # as a set, unlike Oxigraph's union
