"""Term conversion between rdflib and pyoxigraph, so either engine can serve any code path."""
from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node


def to_ox_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """rdflib term -> pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r} to a pyoxigraph term")


def from_ox_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """pyoxigraph term -> rdflib term (plain literals stay untyped, as rdflib writes them)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r} to an rdflib term")
