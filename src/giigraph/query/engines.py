"""The two SPARQL engines, behind one interface: load a dataset once, run parsed queries on it.

Both give the same dataset view: the default graph is the RDF merge (a set) of the dataset's
default graph and all its named graphs, and `GRAPH ?g` ranges over the named graphs.
rdflib gets that from a `default_union` view of the same store. Oxigraph's own union default
graph is a bag (a triple in two graphs matches twice), so the merged triples are written into
the store's default graph once, beside the named graphs.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pyoxigraph as ox
import rdflib.plugins.sparql
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import XSD
from rdflib.term import Identifier

from ..errors import QueryError, QuerySyntaxError
from .parse import ParsedQuery, check_local
from .results import QueryResult, graph_result, select_result

# giigraph never fetches: should a FROM IRI ever reach rdflib, it must not load it from the web.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


class Engine:
    """A dataset loaded into one engine; `run` evaluates parsed queries against it."""

    name = ""

    def __init__(self, dataset: Dataset, prefixes: Mapping[str, str] | None = None) -> None:
        self.prefixes = dict(prefixes or {})
        self.graph_names = frozenset(
            g.identifier for g in dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID
        )

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
        result = self._union.query(parsed.algebra)
        if parsed.form == "ASK":
            return QueryResult("ASK", boolean=bool(result.askAnswer))
        if parsed.form == "SELECT":
            return select_result(
                parsed.variables, ({str(k): v for k, v in row.items()} for row in result.bindings)
            )
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
        except SyntaxError as exc:
            raise _oxigraph_syntax_error(parsed.source, exc) from None
        if parsed.form == "ASK":
            return QueryResult("ASK", boolean=bool(answer))
        if parsed.form == "SELECT":
            return select_result(
                parsed.variables,
                ({v: to_rdflib(solution[v]) for v in parsed.variables} for solution in answer),
            )
        return graph_result(parsed.form, (
            (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in answer
        ), self.prefixes)


ENGINES: dict[str, type[Engine]] = {e.name: e for e in (OxigraphEngine, RdflibEngine)}


def open_engine(name: str, dataset: Dataset, prefixes: Mapping[str, str] | None = None) -> Engine:
    """Load `dataset` into the engine called `name` (oxigraph | rdflib)."""
    try:
        return ENGINES[name](dataset, prefixes)
    except KeyError:
        raise QueryError(f"unknown SPARQL engine {name!r}; use one of: {', '.join(ENGINES)}") from None


def _quads(dataset: Dataset) -> Iterable[ox.Quad]:
    """The dataset's named graphs as they are, and the merge of all its graphs as the default graph."""
    merged: set[tuple[Identifier, Identifier, Identifier]] = set()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        merged.add((s, p, o))
        name = g.identifier if hasattr(g, "identifier") else g
        if name is not None and name != DATASET_DEFAULT_GRAPH_ID:
            yield ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), to_oxigraph(name))
    for s, p, o in merged:
        yield ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.DefaultGraph())


def to_oxigraph(term: Identifier):
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    raise QueryError(f"cannot load the RDF term {term!r} into Oxigraph")


def to_rdflib(term) -> Identifier | None:
    """A pyoxigraph term (or None for unbound) as an rdflib term."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value) if datatype == str(XSD.string) else Literal(term.value, datatype=datatype)
    raise QueryError(f"the query returned {term!r}; RDF-star triple terms are not supported")


def _oxigraph_syntax_error(source: str, exc: SyntaxError) -> QuerySyntaxError:
    """Oxigraph says 'error at L:C: message' (or 'error at L:C-L:C: ...')."""
    text = str(exc)
    match = re.match(r"error at (\d+):(\d+)(?:-\d+:\d+)?: (.*)", text, re.S)
    if match:
        return QuerySyntaxError(source, int(match[1]), int(match[2]), match[3])
    return QuerySyntaxError(source, None, None, text)
