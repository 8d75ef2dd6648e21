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
from contextlib import contextmanager
from collections.abc import Iterable, Iterator, Mapping
from typing import BinaryIO

import pyoxigraph as ox
import rdflib.plugins.sparql
from rdflib import Dataset
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Identifier, URIRef

from ..convert import from_rdflib, ox_to_rdflib, rdflib_to_ox, rewritten_by_store
from ..errors import GiigraphError, QueryError, QuerySyntaxError, QueryTooLarge
from ..rdfio import graph_names, parse_quads
from . import MERGE_INTO_DEFAULT_GRAPH
from .parse import ParsedQuery, QueryDataset, check_local
from .results import GRAPH_FORMS, QueryResult, Term, graph_result, normalize, select_result
from .writers import write_native, write_result, write_rows

# giigraph never fetches: should a FROM IRI ever reach rdflib, it must not load it from the web.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

Data = Dataset | bytes  # an rdflib Dataset, or the dataset as N-Quads (what a server hands its workers)


class Engine:
    """A dataset loaded into one engine; `run` and `write` evaluate parsed queries against it.

    `requested` is the dataset a SPARQL Protocol request names (default-graph-uri, named-graph-uri);
    like FROM clauses, it may only pick graphs of the loaded dataset.
    """

    name = ""
    graph_names: frozenset[URIRef] = frozenset()

    def __init__(self, prefixes: Mapping[str, str] | None = None) -> None:
        self.prefixes = dict(prefixes or {})

    def run(self, parsed: ParsedQuery, requested: QueryDataset = QueryDataset()) -> QueryResult:
        """Evaluate a parsed query, after refusing any graph IRI that would fetch."""
        return self._evaluate(parsed, check_local(parsed, self.graph_names, requested))

    def write(self, parsed: ParsedQuery, fmt: str, out: BinaryIO, requested: QueryDataset = QueryDataset(),
              max_graph_bytes: int | None = None) -> None:
        """Evaluate a parsed query and write its result in format `fmt` to `out`.

        `max_graph_bytes` bounds a CONSTRUCT/DESCRIBE result by its N-Triples size (QueryTooLarge):
        Oxigraph checks it while the triples arrive, before the graph is built; rdflib builds its
        graph whole, so only `out` can cap what it writes.
        """
        write_result(self.run(parsed, requested), fmt, out, self.prefixes)

    def _evaluate(self, parsed: ParsedQuery, dataset: QueryDataset) -> QueryResult:
        raise NotImplementedError


class RdflibEngine(Engine):
    """rdflib's SPARQL evaluator, on the parse already made by `parse_query`."""

    name = "rdflib"

    def __init__(self, data: Data, prefixes: Mapping[str, str] | None = None) -> None:
        super().__init__(prefixes)
        if isinstance(data, bytes):
            data = parse_quads(data, "nquads").to_rdflib()  # the one reader: literals as written
        self.graph_names = frozenset(graph_names(data))
        self._union = Dataset(store=data.store, default_union=True)

    def _evaluate(self, parsed: ParsedQuery, dataset: QueryDataset) -> QueryResult:
        try:
            result = self._union.query(_with_dataset(parsed.algebra, dataset))
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
    """The Rust Oxigraph engine (pyoxigraph), in memory; parses the query text itself.

    `write` hands SELECT results to pyoxigraph's own writers where they give our bytes
    (see `writers.write_native`): much faster on large results, and streamed, so a size cap in
    `out.write` stops a huge result early.
    """

    name = "oxigraph"

    def __init__(self, data: Data, prefixes: Mapping[str, str] | None = None) -> None:
        super().__init__(prefixes)
        self._store = ox.Store()
        if isinstance(data, bytes):
            self._store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        else:
            self._store.extend(_quads(data))
        self._store.update(MERGE_INTO_DEFAULT_GRAPH)
        self.graph_names = frozenset(
            URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)
        )

    def _evaluate(self, parsed: ParsedQuery, dataset: QueryDataset) -> QueryResult:
        with _oxigraph_errors(parsed.source):
            answer = self._query(parsed, dataset)
            if parsed.form == "ASK":
                return QueryResult("ASK", boolean=bool(answer))
            if parsed.form == "SELECT":
                return QueryResult("SELECT", parsed.variables, tuple(self._rows(parsed, answer)))
            return graph_result(parsed.form, [_rdflib_triple(t) for t in answer], self.prefixes)

    def write(self, parsed: ParsedQuery, fmt: str, out: BinaryIO, requested: QueryDataset = QueryDataset(),
              max_graph_bytes: int | None = None) -> None:
        dataset = check_local(parsed, self.graph_names, requested)
        if parsed.form in GRAPH_FORMS and max_graph_bytes is not None:
            with _oxigraph_errors(parsed.source):
                triples = _bounded(self._query(parsed, dataset), max_graph_bytes)
                write_result(graph_result(parsed.form, map(_rdflib_triple, triples), self.prefixes), fmt, out)
            return
        if parsed.form != "SELECT":
            write_result(self._evaluate(parsed, dataset), fmt, out, self.prefixes)
            return
        with _oxigraph_errors(parsed.source):
            answer = self._query(parsed, dataset)
            if not write_native(answer, parsed.variables, fmt, out):
                write_rows(parsed.variables, self._rows(parsed, answer), fmt, out, self.prefixes)

    def _query(self, parsed: ParsedQuery, dataset: QueryDataset):
        options = {}
        if dataset:  # FROM clauses, or the protocol's graphs in their place
            options = {"default_graph": [ox.NamedNode(g) for g in dataset.default_graphs],
                       "named_graphs": [ox.NamedNode(g) for g in dataset.named_graphs]}
        return self._store.query(parsed.text, prefixes=dict(parsed.prefixes), base_iri=parsed.base, **options)

    @staticmethod
    def _rows(parsed: ParsedQuery, solutions) -> Iterator[tuple[Term | None, ...]]:
        for solution in solutions:
            yield tuple(normalize(to_rdflib(solution[v])) for v in parsed.variables)


ENGINES: dict[str, type[Engine]] = {e.name: e for e in (OxigraphEngine, RdflibEngine)}


def exact_engine(name: str, dataset: Dataset) -> str:
    """`name`, or "rdflib" where `name` is "oxigraph" and its store would not keep a literal of `dataset`
    as written: it keeps one form per value ("01"^^xsd:integer as "1", xsd:int as xsd:integer) and
    merges distinct terms of equal value (`convert.rewritten_by_store`), so its answers would hold
    terms the data does not (a DISTINCT or COUNT over merged terms, wrong too); rdflib answers exactly.
    Decided where the dataset is read (`giigraph query`, the server before it starts its workers)."""
    if name != "oxigraph":
        return name
    literals = {from_rdflib(o) for o in {quad[2] for quad in dataset.quads((None, None, None, None))}
                if isinstance(o, rdflib.Literal)}
    return name if rewritten_by_store(literals) is None else "rdflib"


def open_engine(name: str, data: Data, prefixes: Mapping[str, str] | None = None) -> Engine:
    """Load `data` (a Dataset, or N-Quads bytes) into the engine called `name` (oxigraph | rdflib)."""
    try:
        engine = ENGINES[name]
    except KeyError:
        raise QueryError(f"unknown SPARQL engine {name!r}; use one of: {', '.join(ENGINES)}") from None
    return engine(data, prefixes)


@contextmanager
def _oxigraph_errors(source: str) -> Iterator[None]:
    """Oxigraph's errors as ours; ours (a size cap raised from `out.write`) pass through."""
    try:
        yield
    except GiigraphError:
        raise
    except SyntaxError as exc:
        raise _oxigraph_syntax_error(source, exc) from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"Oxigraph could not evaluate {source}: {exc}") from None


def _with_dataset(query: Query, dataset: QueryDataset) -> Query:
    """The query with `dataset` as its dataset clause (the protocol's graphs replace FROM)."""
    if not dataset:
        return query
    clause = [CompValue("DatasetClause", default=g) for g in dataset.default_graphs]
    clause += [CompValue("DatasetClause", named=g) for g in dataset.named_graphs]
    main = CompValue(query.algebra.name, **{**query.algebra, "datasetClause": clause})
    return Query(query.prologue, main)


def _quads(dataset: Dataset) -> Iterable[ox.Quad]:
    """The dataset's quads as pyoxigraph quads, each term converted once (IRIs recur in many quads)."""
    terms: dict[Identifier, object] = {}

    def term(t: Identifier):
        if t not in terms:
            terms[t] = rdflib_to_ox(t)
        return terms[t]

    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = g.identifier if hasattr(g, "identifier") else g
        graph = ox.DefaultGraph() if name is None or name == DATASET_DEFAULT_GRAPH_ID else term(name)
        yield ox.Quad(term(s), term(p), term(o), graph)


def _bounded(triples: Iterable[ox.Triple], max_bytes: int) -> Iterable[ox.Triple]:
    """The distinct triples of a graph result, refused (QueryTooLarge) as soon as their N-Triples
    pass `max_bytes`: memory stays bounded by the cap whatever the query would produce."""
    seen: dict[str, ox.Triple] = {}
    size = 0
    for triple in triples:
        line = str(triple)
        if line not in seen:
            seen[line] = triple
            size += len(line.encode("utf-8")) + 3  # " .\n"
            if size > max_bytes:
                raise QueryTooLarge(f"the result is larger than {max_bytes} bytes (as N-Triples); "
                                    "add a LIMIT or narrow the query")
    return seen.values()


def _rdflib_triple(triple: ox.Triple) -> tuple[Identifier, Identifier, Identifier]:
    return to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)


def to_rdflib(term) -> Identifier | None:
    """A pyoxigraph term as an rdflib term; None (unbound) stays None."""
    if term is None:
        return None
    try:
        return ox_to_rdflib(term)
    except TypeError:
        raise QueryError(f"the query returned {term!r}; RDF-star triple terms are not supported") from None


def _oxigraph_syntax_error(source: str, exc: SyntaxError) -> QuerySyntaxError:
    """Oxigraph says 'error at L:C: message' (or 'error at L:C-L:C: ...')."""
    text = str(exc)
    match = re.match(r"error at (\d+):(\d+)(?:-\d+:\d+)?: (.*)", text, re.S)
    if match:
        return QuerySyntaxError(source, int(match[1]), int(match[2]), match[3])
    return QuerySyntaxError(source, None, None, text)
