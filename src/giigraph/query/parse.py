"""Parse a SPARQL query once (rdflib's parser), after `safety.checked`, for both engines.

`parse_query` keeps the text `safety.checked` returns, and that text is what the engines run
(Oxigraph parses it again), so both read what was checked: SERVICE, updates and LOAD are refused
there. FROM and the protocol's graphs are checked here on the parse, against the loaded dataset,
before any engine runs (`check_local`): rdflib would fetch the IRIs of FROM clauses.
The CLI and the SPARQL endpoint both go through here: one set of rules, one set of messages.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pyparsing import ParseException, ParseResults
from rdflib import URIRef, Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query

from ..errors import QuerySyntaxError
from .safety import checked, remote_graph

_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


@dataclass(frozen=True)
class QueryDataset:
    """The RDF dataset a query asks for (SPARQL 1.1 Query §13.2): the graphs merged into its default
    graph, and its named graphs. Empty (false): the whole dataset, as the engines present it."""

    default_graphs: tuple[URIRef, ...] = ()  # FROM <g>, or the protocol's default-graph-uri
    named_graphs: tuple[URIRef, ...] = ()  # FROM NAMED <g>, or the protocol's named-graph-uri

    def __bool__(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


@dataclass(frozen=True)
class ParsedQuery:
    """A query that parsed, with what the engines and the writers need to know about it."""

    text: str
    source: str
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    variables: tuple[str, ...]  # projected, in output order (SELECT only)
    dataset: QueryDataset  # its FROM and FROM NAMED clauses
    prefixes: Mapping[str, str]  # the predeclared ones the text does not declare itself (its own win anyway)
    algebra: Query
    base: str | None = None  # relative IRIs in the query resolve against it (the endpoint's IRI)


def parse_query(text: str, prefixes: Mapping[str, str] | None = None, source: str = "the query",
                base: str | None = None) -> ParsedQuery:
    """Parse `text` with `prefixes` predeclared and relative IRIs resolved against `base`, after
    `safety.checked`; raise QuerySyntaxError."""
    prefixes = dict(prefixes or {})
    text = checked(text, source, prefixes=prefixes)
    try:
        tree = parseQuery(text)
    except ParseException as exc:
        raise QuerySyntaxError(source, exc.lineno, exc.col, _pyparsing_message(exc)) from None
    star_order = _appearance_order(tree[1]) if _is_select_star(tree[1]) else None
    try:
        algebra = translateQuery(tree, base=base, initNs=prefixes)
    except Exception as exc:  # rdflib raises a bare Exception for an undeclared prefix
        raise _translate_error(text, source, exc) from None
    main = algebra.algebra
    clauses = dict.get(main, "datasetClause") or []  # CompValue.get answers the key if absent
    return ParsedQuery(
        text=text,
        source=source,
        form=_FORMS[main.name],
        variables=_projection(main, star_order) if main.name == "SelectQuery" else (),
        dataset=QueryDataset(tuple(c["default"] for c in clauses if "default" in c),
                             tuple(c["named"] for c in clauses if "named" in c)),
        prefixes=_undeclared(prefixes, tree[0]),
        algebra=algebra,
        base=base,
    )


def check_local(parsed: ParsedQuery, graph_names: frozenset[URIRef],
                requested: QueryDataset = QueryDataset()) -> QueryDataset:
    """The dataset `parsed` runs on, after refusing every graph IRI that is not in `graph_names`.

    `requested` is a SPARQL Protocol request's `default-graph-uri` / `named-graph-uri`, which take
    the place of the query's FROM / FROM NAMED (SPARQL 1.1 Protocol §2.1.4). Either may only pick
    graphs the dataset already holds; any other IRI would be a fetch (rdflib loads FROM IRIs from
    the web), so it is refused before an engine sees the query.
    """
    for keyword, iris, where in (
        ("FROM", parsed.dataset.default_graphs, f" in {parsed.source}"),
        ("FROM NAMED", parsed.dataset.named_graphs, f" in {parsed.source}"),
        ("default-graph-uri", requested.default_graphs, ""),
        ("named-graph-uri", requested.named_graphs, ""),
    ):
        for iri in iris:
            if iri not in graph_names:
                raise remote_graph(keyword, f"<{iri}>", where)
    return requested or parsed.dataset


def _undeclared(prefixes: dict[str, str], prologue: ParseResults) -> dict[str, str]:
    """`prefixes` less those the query's prologue declares: Oxigraph then reads fewer (a query's
    own PREFIX overrides a predeclared one in both engines, so the meaning is the same)."""
    declared = {dict.get(decl, "prefix", "") for decl in prologue if decl.name == "PrefixDecl"}  # CompValue.get differs
    return {p: ns for p, ns in prefixes.items() if p not in declared}


def _walk(node: Any) -> Iterator[Any]:
    """Every value of a parsed or translated query, depth first and in query order."""
    yield node
    if isinstance(node, dict):  # CompValue is an OrderedDict
        for key, value in node.items():
            if not key.startswith("_"):
                yield from _walk(value)
    elif isinstance(node, (list, tuple, ParseResults)):
        for value in node:
            yield from _walk(value)


def _is_select_star(tree: CompValue) -> bool:
    return tree.name == "SelectQuery" and "projection" not in tree


def _appearance_order(tree: CompValue) -> list[str]:
    """Variables in the order the query text names them (taken before rdflib reorders patterns)."""
    return list(dict.fromkeys(str(n) for n in _walk(tree) if isinstance(n, Variable)))


def _projection(main: CompValue, star_order: list[str] | None) -> tuple[str, ...]:
    """Projected variables; for SELECT * in order of first appearance (rdflib's is a set)."""
    projected = [str(v) for v in main["PV"]]
    if star_order is None:
        return tuple(projected)
    return tuple(v for v in star_order if v in projected) + tuple(sorted(set(projected) - set(star_order)))


def _pyparsing_message(exc: ParseException) -> str:
    found = getattr(exc, "found", "")
    return f"{exc.msg}, found {found}" if found else exc.msg


def _translate_error(text: str, source: str, exc: Exception) -> QuerySyntaxError:
    match = re.fullmatch(r"Unknown namespace prefix : (.*)", str(exc))
    if not match:
        return QuerySyntaxError(source, None, None, str(exc))
    prefix = match.group(1)
    line, column = _locate(text, rf"(?<![\w<:/#.-]){re.escape(prefix)}:")
    return QuerySyntaxError(source, line, column, f"undeclared prefix {prefix}: (declare it with PREFIX)")


def _locate(text: str, pattern: str) -> tuple[int | None, int | None]:
    """Line and column (1-based) of the first match of `pattern` in `text`, for messages."""
    match = re.search(pattern, text)
    if not match:
        return None, None
    before = text[: match.start()]
    return before.count("\n") + 1, match.start() - (before.rfind("\n") + 1) + 1
