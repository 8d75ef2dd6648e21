"""The two SPARQL engines, behind one interface: load a dataset once, run parsed queries on it.

Both give the same dataset view: the default graph is the RDF merge (a set) of the dataset's
default graph and all its named graphs, and `GRAPH ?g` ranges over the named graphs.
rdflib gets that from a `default_union` view of the same store. Oxigraph's own union default
graph is a bag (a triple in two graphs matches twice), so the merged triples are written into
the store's default graph once, beside the named graphs.

One difference remains by design of the engines: Oxigraph lower-cases language tags as it loads
them, rdflib keeps them as written, so `LANG()` of an `en-GB` literal differs. The dataset
writes its tags in lower case, and `langMatches` is case-insensitive on both.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pyoxigraph as ox
import rdflib.plugins.sparql
from rdflib import Dataset
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Identifier

from ..errors import QueryError, QuerySyntaxError
from ..oxi import from_ox_term, to_ox_term
from ..rdfio import graph_names
from .parse import ParsedQuery, check_local
from .results import QueryResult, graph_result, select_result

# giigraph never fetches: should a FROM IRI ever reach rdflib, it must not load it from the web.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


class Engine:
    """A dataset loaded into one engine; `run` evaluates parsed queries against it."""

    name = ""

    def __init__(self, dataset: Dataset, prefixes: Mapping[str, str] | None = None) -> None:
        self.prefixes = dict(prefixes or {})
        self.graph_names = frozenset(graph_names(dataset))

    def run(self, parsed: ParsedQuery) -> QueryResult:
        """Evaluate a parsed query, after refusing any dataset clause that would fetch."""
        check_local(parsed, self.graph_names)
        return self._evaluate(parsed)

    def _evaluate(self, parsed: ParsedQuery) -> QueryResult:
        raise NotImplementedError


class RdflibEngine(Engine):
    """rdflib's SPARQL evaluator, on the parse already made by `parse_query`."""

    name = "rdflib"

    def __init__(self, dataset: Dataset, prefixes: Mapping[str, str] | None = None) -> None:
        super().__init__(dataset, prefixes)
        self._union = Dataset(store=dataset.store, default_union=True)

    def _evaluate(self, parsed: ParsedQuery) -> QueryResult:
        try:
            result = self._union.query(parsed.algebra)
            bindings = result.bindings if parsed.form == "SELECT" else None
        except Exception as exc:  # rdflib raises its own and Python's errors (re.error, TypeError, ...)
            message = " ".join(str(exc).split()) or type(exc).__name__
            raise QueryError(f"rdflib could not evaluate {parsed.source}: {message}") from None
        if parsed.form == "ASK":
            return QueryResult("ASK", boolean=bool(result.askAnswer))
        if parsed.form == "SELECT":
            return select_result(parsed.variables, ({str(k): v for k, v in row.items()} for row in bindings))
        return graph_result(parsed.form, result.graph, self.prefixes)


class OxigraphEngine(Engine):
    """The Rust Oxigraph engine (pyoxigraph), in memory; parses the query text itself."""

    name = "oxigraph"

    def __init__(self, dataset: Dataset, prefixes: Mapping[str, str] | None = None) -> None:
        super().__init__(dataset, prefixes)
        self._store = ox.Store()
        self._store.extend(_quads(dataset))

    def _evaluate(self, parsed: ParsedQuery) -> QueryResult:
        try:
            answer = self._store.query(parsed.text, prefixes=dict(parsed.prefixes))
            if parsed.form == "ASK":
                return QueryResult("ASK", boolean=bool(answer))
            if parsed.form == "SELECT":
                rows = [{v: to_rdflib(solution[v]) for v in parsed.variables} for solution in answer]
                return select_result(parsed.variables, rows)
            triples = [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in answer]
            return graph_result(parsed.form, triples, self.prefixes)
        except SyntaxError as exc:
            raise _oxigraph_syntax_error(parsed.source, exc) from None
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"Oxigraph could not evaluate {parsed.source}: {exc}") from None


ENGINES: dict[str, type[Engine]] = {e.name: e for e in (OxigraphEngine, RdflibEngine)}


def open_engine(name: str, dataset: Dataset, prefixes: Mapping[str, str] | None = None) -> Engine:
    """Load `dataset` into the engine called `name` (oxigraph | rdflib)."""
    try:
        return ENGINES[name](dataset, prefixes)
    except KeyError:
        raise QueryError(f"unknown SPARQL engine {name!r}; use one of: {', '.join(ENGINES)}") from None


def _quads(dataset: Dataset) -> Iterable[ox.Quad]:
    """The dataset's named graphs as they are, and the merge of all its graphs as the default graph."""
    terms: dict[Identifier, object] = {}  # each term converted once: IRIs recur in many quads

    def term(t: Identifier):
        if t not in terms:
            terms[t] = to_ox_term(t)
        return terms[t]

    merged: dict[tuple[Identifier, Identifier, Identifier], None] = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        merged[s, p, o] = None
        name = g.identifier if hasattr(g, "identifier") else g
        if name is not None and name != DATASET_DEFAULT_GRAPH_ID:
            yield ox.Quad(term(s), term(p), term(o), term(name))
    for s, p, o in merged:
        yield ox.Quad(term(s), term(p), term(o), ox.DefaultGraph())


def to_rdflib(term) -> Identifier | None:
    """A pyoxigraph term as an rdflib term; None (unbound) stays None."""
    if term is None:
        return None
    try:
        return from_ox_term(term)
    except TypeError:
        raise QueryError(f"the query returned {term!r}; RDF-star triple terms are not supported") from None


def _oxigraph_syntax_error(source: str, exc: SyntaxError) -> QuerySyntaxError:
    """Oxigraph says 'error at L:C: message' (or 'error at L:C-L:C: ...')."""
    text = str(exc)
    match = re.match(r"error at (\d+):(\d+)(?:-\d+:\d+)?: (.*)", text, re.S)
    if match:
        return QuerySyntaxError(source, int(match[1]), int(match[2]), match[3])
    return QuerySyntaxError(source, None, None, text)
