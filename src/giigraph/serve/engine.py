"""The endpoint's seam to SPARQL execution: check a query, open a store, run it into bytes.

`giigraph.query` (issue 3) owns SPARQL for the project: its checks and writers replace the
bodies here once it is merged, and the server only ever calls these three functions:

- `check_query(text, local_graphs) -> Checked`: parse; refuse updates, SERVICE, LOAD and any
  FROM / FROM NAMED outside the dataset's own named graphs, before any engine sees the text.
- `open_store(nquads) -> Store`: the dataset in an in-memory pyoxigraph store.
- `run_query(store, checked, media_type, out, ...)`: evaluate and write the results in one of
  `RESULTS_MEDIA_TYPES` (SELECT/ASK) or a triple format of `formats.py` (CONSTRUCT/DESCRIBE).

The check parses with rdflib's SPARQL grammar and walks the whole parse tree (sub-queries,
OPTIONAL, FILTER EXISTS, ...) because Oxigraph evaluates SERVICE with no switch to turn it off.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import IO

from ..errors import QueryError, QueryRefused

#: SPARQL results formats pyoxigraph writes, in the endpoint's order of preference.
RESULTS_MEDIA_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


@dataclass(frozen=True)
class Checked:
    """A query that passed the checks: its text, its form and the graphs its FROM clauses name."""

    text: str
    form: str
    from_graphs: tuple[str, ...] = ()

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def check_query(text: str, local_graphs: frozenset[str], prefixes: Mapping[str, str] | None = None) -> Checked:
    """Parse a query and refuse what a read-only public endpoint never runs. Raises QueryError.

    `prefixes` are predeclared (the query may still declare its own).
    """
    return _check(text, local_graphs, tuple(sorted((prefixes or {}).items())))


@lru_cache(maxsize=512)
def _check(text: str, local_graphs: frozenset[str], prefixes: tuple[tuple[str, str], ...]) -> Checked:
    from pyparsing import ParseException
    from rdflib.plugins.sparql import parser
    from rdflib.plugins.sparql.algebra import translatePrologue

    try:
        tree = parser.parseQuery(text)
    except ParseException as exc:
        if _is_update(text):
            raise QueryRefused("update operations (INSERT, DELETE, LOAD, CLEAR, ...) are not allowed: "
                               "this endpoint is read-only") from None
        raise QueryError(f"malformed query: {exc}") from None
    if "ServiceGraphPattern" in _node_names(tree):
        raise QueryRefused("SERVICE (federated query) is not allowed: this endpoint never fetches remote data")
    prologue, body = tree[0], tree[1]
    try:
        resolve = translatePrologue(prologue, None, initNs=dict(prefixes)).absolutize
        clauses = body["datasetClause"] if "datasetClause" in body else ()  # CompValue.get() misleads
        graphs = tuple(str(resolve(c["default"] if "default" in c else c["named"])) for c in clauses)
    except Exception as exc:  # an undeclared prefix in FROM, for instance
        raise QueryError(f"malformed query: {exc}") from None
    remote = [g for g in graphs if g not in local_graphs]
    if remote:
        raise QueryRefused(f"FROM <{remote[0]}> is not a graph of this dataset, and this endpoint never "
                           f"fetches remote data; its graphs are: {', '.join(sorted(local_graphs))}")
    return Checked(text, FORMS[body.name], graphs)


def _is_update(text: str) -> bool:
    from pyparsing import ParseException
    from rdflib.plugins.sparql import parser

    try:
        parser.parseUpdate(text)
    except ParseException:
        return False
    return True


def _node_names(node) -> set[str]:
    """Names of every rule in an rdflib parse tree, however deeply nested."""
    from rdflib.plugins.sparql.parserutils import CompValue

    names: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            names.add(item.name)
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)) or type(item).__name__ == "ParseResults":
            stack.extend(item)
    return names


def open_store(nquads: bytes):
    """The dataset in an in-memory pyoxigraph store."""
    from pyoxigraph import RdfFormat, Store

    store = Store()
    store.bulk_load(nquads, format=RdfFormat.N_QUADS)
    return store


def run_query(store, checked: Checked, media_type: str, out: IO[bytes], prefixes: dict[str, str],
              default_graphs: tuple[str, ...] = (), named_graphs: tuple[str, ...] = ()) -> None:
    """Evaluate a checked query on the store and write its results to `out`; `prefixes` are
    predeclared for the query and used by the Turtle writer.

    Without FROM or protocol dataset parameters, the default graph is the union of all named
    graphs (the dataset keeps everything in named graphs).
    """
    import pyoxigraph as ox

    options: dict = {}
    if default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    elif not checked.from_graphs:
        options["use_default_graph_as_union"] = True
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    try:
        results = store.query(checked.text, prefixes=prefixes, **options)
        if checked.returns_graph:
            ox.serialize(results, out, ox.RdfFormat.from_media_type(media_type), prefixes=prefixes)
        else:
            results.serialize(out, ox.QueryResultsFormat.from_media_type(media_type))
    except SyntaxError as exc:
        raise QueryError(f"malformed query: {exc}") from None
