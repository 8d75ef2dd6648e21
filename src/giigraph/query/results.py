"""The engine-independent answer to a query, in rdflib terms.

Both engines hand their answers over in this form, so one set of writers serves both, and the
tests compare the engines on equal terms. Terms are normalised so equal terms look equal: a
literal typed xsd:string is the simple literal (RDF 1.1), language tags are lower case (BCP 47
tags are case-insensitive; Oxigraph lower-cases them, rdflib keeps them as written), decimals
are in their XSD 1.1 canonical form (Oxigraph writes 3.0 as "3", rdflib keeps "3.0").
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from ..terms import canonical_decimal

Term = URIRef | BNode | Literal
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
FORMS = ("SELECT", "ASK", *GRAPH_FORMS)


@dataclass(frozen=True)
class QueryResult:
    """SELECT rows, an ASK boolean, or a CONSTRUCT/DESCRIBE graph."""

    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    graph: Graph | None = field(default=None, compare=False)

    @property
    def is_graph(self) -> bool:
        return self.form in GRAPH_FORMS

    def solutions(self) -> frozenset[frozenset[tuple[str, Term]]]:
        """The rows as a set of solutions (variable -> term, unbound left out), to compare engines."""
        return frozenset(
            frozenset((var, term) for var, term in zip(self.variables, row) if term is not None)
            for row in self.rows
        )

    def bindings(self) -> list[dict[str, Term]]:
        """Each row as a dict of its bound variables, in projection order."""
        return [{v: t for v, t in zip(self.variables, row) if t is not None} for row in self.rows]


def select_result(variables: Iterable[str], rows: Iterable[Mapping[str, Identifier | None]]) -> QueryResult:
    """A SELECT result from rows given as variable -> term mappings (missing or None: unbound)."""
    names = tuple(variables)
    return QueryResult(
        "SELECT", names, tuple(tuple(normalize(row.get(v)) for v in names) for row in rows)
    )


def graph_result(form: str, triples: Iterable[tuple[Identifier, Identifier, Identifier]],
                 prefixes: Mapping[str, str]) -> QueryResult:
    """A CONSTRUCT/DESCRIBE result: the triples as an rdflib Graph with the dataset's prefixes bound."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace)
    for s, p, o in triples:
        graph.add((normalize(s), normalize(p), normalize(o)))
    return QueryResult(form, graph=graph)


def normalize(term: Identifier | None) -> Term | None:
    """One RDF 1.1 form per term: xsd:string literals become simple literals, language tags lower case."""
    if isinstance(term, Literal):
        if term.language is not None:
            return term if term.language == term.language.lower() else Literal(
                str(term), lang=term.language.lower()
            )
        if term.datatype == XSD.string:
            return Literal(str(term))
        if term.datatype == XSD.decimal and isinstance(term.value, Decimal):
            return Literal(canonical_decimal(term.value), datatype=XSD.decimal)
    return term

