"""Conversion of terms between our plain terms (`terms.py`), rdflib's and pyoxigraph's classes.

Only the edges of the pipeline call these: the public API that returns rdflib objects, and
Oxigraph for SPARQL and parsing. Lexical forms pass unchanged: rdflib's own `Literal` would turn
`"01"^^xsd:integer` into `"1"` (it normalises by default), so every rdflib literal is made with
`normalize=False`.
"""
from __future__ import annotations

import warnings
from collections.abc import Iterable
from functools import lru_cache

import pyoxigraph as ox

from .terms import BNode, Literal, Term, nt


# rdflib warns when it cannot turn a lexical form into a Python value ("Parsing weird boolean"); we keep
# the lexical form as written and judge ill-formed literals ourselves (SHACL), so the warning is noise.
warnings.filterwarnings("ignore", category=UserWarning, module=r"rdflib\.term")


def to_rdflib(term: Term):
    """Plain term -> rdflib term."""
    from rdflib import BNode as RBNode, Literal as RLiteral

    if type(term) is str:
        return _uriref(term)
    if isinstance(term, Literal):
        lexical, lang, datatype = term
        return RLiteral(lexical, lang=lang, datatype=_uriref(datatype) if datatype else None, normalize=False)
    if isinstance(term, BNode):
        return RBNode(term[2:])
    return _uriref(str(term))


@lru_cache(maxsize=65536)
def _uriref(iri: str):
    from rdflib import URIRef

    return URIRef(iri)


def from_rdflib(term) -> Term:
    """rdflib term -> plain term."""
    from rdflib import BNode as RBNode, Literal as RLiteral

    if isinstance(term, RLiteral):
        return Literal(str(term), lang=term.language, datatype=str(term.datatype) if term.datatype else None)
    if isinstance(term, RBNode):
        return BNode(str(term))
    return str(term)


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_ox(term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Plain term -> pyoxigraph term."""
    if type(term) is str:
        return ox.NamedNode(term)
    if isinstance(term, Literal):
        lexical, lang, datatype = term
        if lang:
            return ox.Literal(lexical, language=lang)
        return ox.Literal(lexical, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(lexical)
    if isinstance(term, BNode):
        return ox.BlankNode(term[2:])
    return ox.NamedNode(str(term))


def from_ox(term) -> Term:
    """pyoxigraph term -> plain term (xsd:string literals become plain, as RDF 1.1 has them)."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == _XSD_STRING else datatype)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"cannot convert {term!r} to a plain term")


def rdflib_to_ox(term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """rdflib term -> pyoxigraph term."""
    from rdflib import BNode as RBNode, Literal as RLiteral, URIRef

    if isinstance(term, (URIRef, RBNode, RLiteral)):
        return to_ox(from_rdflib(term))
    raise TypeError(f"cannot convert {term!r} to a pyoxigraph term")


def ox_to_rdflib(term):
    """pyoxigraph term -> rdflib term (plain literals stay untyped, as rdflib writes them)."""
    return to_rdflib(from_ox(term))


def rewritten_by_store(terms: Iterable[Term]) -> str | None:
    """The first literal among `terms` (sorted, in N-Triples) that an Oxigraph store would not keep as
    written, or None.

    The store keeps one form per value ("01"^^xsd:integer as "1", "1"^^xsd:int as "1"^^xsd:integer,
    "+00:00" as "Z" in an xsd:dateTime, "1.0"^^xsd:decimal as "1", language tags in lower case) and so
    merges distinct terms of equal value (oxigraph issue #526): a query on it binds, counts and
    returns terms the data does not hold. Oxigraph itself is the judge: each distinct typed literal,
    and each language tag (on one literal: a tagged literal's text is kept as any string is), goes into
    a scratch store, and each must come back as written."""
    typed: dict[tuple[str, str], Literal] = {}
    tags: set[str] = set()
    for term in terms:
        if term.__class__ is Literal:
            if term[1]:
                tags.add(term[1])
            elif term[2] and term[2] != _XSD_STRING:
                typed[term[0], term[2]] = term
    store = ox.Store()
    subject, predicate = ox.NamedNode("urn:s"), ox.NamedNode("urn:p")
    store.extend(ox.Quad(subject, predicate, to_ox(term)) for term in typed.values())
    store.extend(ox.Quad(subject, predicate, ox.Literal("", language=tag)) for tag in tags)
    back = {(o.value, o.language or o.datatype.value) for o in (quad.object for quad in store)}
    rewritten = sorted(nt(term) for key, term in typed.items() if key not in back)
    rewritten += sorted(f"the language tag {tag!r}" for tag in tags if ("", tag) not in back)
    return rewritten[0] if rewritten else None
