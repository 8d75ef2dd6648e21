"""Turtle and TriG, written in one linear pass, byte for byte as rdflib's serializers lay them out.

The published dumps were first written by rdflib; readers (and diffs between releases) rely on
that layout, so this writer keeps it exactly: used prefixes only, sorted; subjects by how often
they are referenced, then by IRI; `rdf:type` first, then `rdfs:label`, then the other predicates
by IRI; objects in rdflib's term order; numbers and booleans bare. It differs from rdflib only in
speed (a dictionary pass instead of a store query per subject) and in that TriG's graphs come in
IRI order, where rdflib's order changed with PYTHONHASHSEED. A test compares both on the article
and on a synthetic corpus. Blank nodes are written as labels, never nested (published data has none).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from unicodedata import category

from .quads import Index, index
from .terms import BNode, Literal, Term, Triple, numeric_value, quote, sort_key

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_CLASS = "http://www.w3.org/2000/01/rdf-schema#Class"
XSD = "http://www.w3.org/2001/XMLSchema#"
_BARE = {XSD + "integer", XSD + "boolean", XSD + "double", XSD + "decimal"}
_INF_NAN = {XSD + "float", XSD + "double", XSD + "decimal"}
_INVALID_IRI_CHARS = set('<>" {}|\\^`')
_NAME_CATEGORIES = {"Ll", "Lu", "Lo", "Lt", "Nl", "Mc", "Me", "Mn", "Lm", "Nd"}
_SPLIT_START = {"Ll", "Lu", "Lo", "Lt", "Nl", "Nd"}
_NAME_CHARS = {"\u00B7", "\u0387", "-", ".", "_", "%", "(", ")"}
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_XMLNS = "http://www.w3.org/XML/1998/namespace"


def split_iri(iri: str) -> tuple[str, str] | None:
    """(namespace, local name) where rdflib splits an IRI for a prefixed name, or None."""
    if iri.startswith(_XMLNS):
        return _XMLNS, iri.split(_XMLNS)[1]
    length = len(iri)
    for i in range(length):
        c = iri[-i - 1]
        if category(c) not in _NAME_CATEGORIES:
            if c in _NAME_CHARS:
                continue
            for j in range(-1 - i, length):
                if category(iri[j]) in _SPLIT_START or iri[j] == "_":
                    if not iri[:j]:
                        break
                    return iri[:j], iri[j:]
            break
    return None


class Names:
    """Prefixed names for IRIs, computed once per IRI; remembers which prefixes were used."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.by_namespace = {ns: p for p, ns in prefixes.items()}
        self.used: dict[str, str] = {}
        self.cache: dict[tuple[str, bool], str | None] = {}

    def pname(self, iri: str, generate: bool = False) -> str | None:
        key = (iri, generate)
        if key in self.cache:
            name = self.cache[key]
        else:
            name = self.cache[key] = self._pname(iri, generate)
        return name

    def _pname(self, iri: str, generate: bool) -> str | None:
        if _INVALID_IRI_CHARS.intersection(iri):
            return None
        split = split_iri(iri)
        prefix = self.by_namespace.get(split[0]) if split else None
        if prefix is None and split and generate:
            n = 1
            while f"ns{n}" in self.by_namespace.values():
                n += 1
            prefix = self.by_namespace[split[0]] = f"ns{n}"
        if prefix is None:
            prefix = self.by_namespace.get(iri)  # the IRI is a namespace itself
            if prefix is None:
                return None
            namespace, local = iri, ""
        else:
            namespace, local = split  # type: ignore[misc]
        local = _LONE_PERCENT.sub("\\%", local.replace("(", r"\(").replace(")", r"\)"))
        if local.endswith("."):
            return None
        self.used[prefix] = namespace
        return f"{prefix}:{local}"

    def register(self, subjects: Index) -> None:
        """Note the prefixes a graph uses, as rdflib does before writing (predicates may mint ns1...)."""
        pname = self.pname
        seen: set = set()
        for s, props in subjects.items():
            if type(s) is str:
                pname(s)
            for p, objects in props.items():
                if p not in seen:
                    seen.add(p)
                    if p != RDF_TYPE:
                        pname(p, True)
                for o in objects:
                    if o not in seen:
                        seen.add(o)
                        if type(o) is str:
                            pname(o)
                        elif isinstance(o, Literal) and o[2]:
                            pname(o[2])

    def header(self) -> str:
        return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(self.used.items()))

    # --- labels ------------------------------------------------------------------------------------
    def node(self, term: Term) -> str:
        if type(term) is str:
            return self.pname(term) or f"<{term}>"
        if isinstance(term, Literal):
            return self.literal(term)
        if isinstance(term, BNode):
            return str(term)
        return self.pname(str(term)) or f"<{term}>"

    def verb(self, iri: str) -> str:
        return "a" if iri == RDF_TYPE else (self.pname(iri, True) or f"<{iri}>")

    def literal(self, term: Literal) -> str:
        lexical, lang, datatype = term
        if datatype in _BARE:
            bare = _bare(lexical, datatype, term)
            if bare is not None:
                return bare
        encoded = quote(lexical)
        if lang:
            return f"{encoded}@{lang}"
        if datatype:
            if datatype in _INF_NAN:
                encoded = _inf_nan(encoded, lexical)
            return f"{encoded}^^{self.pname(datatype) or f'<{datatype}>'}"
        return encoded


def _bare(lexical: str, datatype: str, term: Literal) -> str | None:
    """rdflib's short form of a well-formed number or boolean (None: write it quoted)."""
    if datatype == XSD + "boolean":
        return lexical.lower()
    number = numeric_value(term)
    if number is None or (isinstance(number, float) and (number != number or number in (_INF, -_INF))):
        return None
    if datatype == XSD + "double":
        return re.sub("\\.?0*e", "e", f"{float(number):e}")
    if datatype == XSD + "decimal" and not ("." in lexical or "e" in lexical or "E" in lexical):
        return lexical + ".0"
    return lexical


_INF = float("inf")


def _inf_nan(encoded: str, lexical: str) -> str:
    try:
        value = float(lexical)
    except ValueError:
        return encoded
    if value in (_INF, -_INF):
        return encoded.replace("inf", "INF").replace("Infinity", "INF")
    return encoded.replace("nan", "NaN") if value != value else encoded


# --- documents ---------------------------------------------------------------------------------------

def _order(subjects: dict[Term, dict[str, list[Term]]], references: Counter) -> list[Term]:
    """rdflib's subject order: instances of rdfs:Class first, then (is blank, references, IRI)."""
    top = sorted(s for s, props in subjects.items() if RDFS_CLASS in props.get(RDF_TYPE, ()))
    done = set(top)
    rest = sorted(((isinstance(s, BNode), references[s], s) for s in subjects if s not in done))
    return top + [s for _, _, s in rest]


def _statements(names: Names, subjects: dict, order: list[Term], depth: int) -> Iterator[str]:
    indent = "    " * depth
    more = "    " * (depth + 1)
    many = "    " * (depth + 2)
    node = names.node
    for s in order:
        props = subjects[s]
        predicates = sorted(props)
        if RDFS_LABEL in props:
            predicates.remove(RDFS_LABEL)
            predicates.insert(0, RDFS_LABEL)
        if RDF_TYPE in props:
            predicates.remove(RDF_TYPE)
            predicates.insert(0, RDF_TYPE)
        parts = [f"\n{indent}{node(s)}"]
        first = True
        for p in predicates:
            objects = props[p]
            if len(objects) > 1:
                objects = sorted(objects, key=sort_key)
            parts.append(f" {names.verb(p)}" if first else f" ;\n{more}{names.verb(p)}")
            first = False
            parts.append(" " + node(objects[0]))
            for o in objects[1:]:
                parts.append(f",\n{many}{node(o)}")
        parts.append(" .\n")
        yield "".join(parts)


def turtle(subjects: Index, prefixes: dict[str, str]) -> Iterator[str]:
    """A graph (indexed by subject, see `quads.index`) as Turtle, in chunks of text."""
    names = Names(prefixes)
    body = _body(names, subjects, 0)
    yield names.header()
    yield from body
    yield "\n"


def _body(names: Names, subjects: Index, depth: int) -> Iterator[str]:
    """Register the graph's prefixes now; return its statements, to write after the header."""
    names.register(subjects)
    references = Counter(o for props in subjects.values() for objects in props.values() for o in objects
                         if not isinstance(o, Literal))
    return _statements(names, subjects, _order(subjects, references), depth)


def trig(graphs: dict[str, Iterable[Triple]], prefixes: dict[str, str]) -> Iterator[str]:
    """Named graphs as TriG, in chunks of text: the default graph, then each named graph in IRI order.

    Each graph is laid out as its own Turtle document, indented in a `<graph> { ... }` block;
    the prefixes of all graphs head the file.
    """
    names = Names(prefixes)
    order = ([""] if graphs.get("") else []) + sorted(g for g, triples in graphs.items() if g and triples)
    bodies = [(g, _body(names, index(graphs[g]), 1)) for g in order]
    yield "\n".join(sorted(names.header().splitlines())) + "\n\n"
    for i, (g, body) in enumerate(bodies):
        yield ("\n" if i else "") + (f"<{g}> {{" if g else "{")
        yield from body
        yield "}\n"
