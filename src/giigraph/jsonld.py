"""Compact JSON-LD that web developers can read: short terms, typed values, language maps.

rdflib's JSON-LD writer emits expanded-style value objects and every bound namespace, and pyld's
compaction is slow on big graphs; since we know our data has no blank nodes, we write compact
JSON-LD directly: one node object per subject (sorted), terms derived from the predicates and
classes in use, each coerced to the one kind of value it holds. The tests prove it expands
(pyld, jsonld.js) to the same graph.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from .vocab import PREFIXES

# Which vocabulary gets the short term when two share a local name (schema:name beats foaf:name).
PRIORITY = ("schema", "gii", "org", "prov", "rdfs", "skos", "dcterms", "qb", "foaf", "dcat", "void", "owl")
_NATIVE = {XSD.integer, XSD.boolean}


def _split(iri: str) -> tuple[str, str] | None:
    """(prefix, local name) for an IRI in one of our known vocabularies."""
    for prefix in sorted(PREFIXES, key=lambda p: (PRIORITY.index(p) if p in PRIORITY else len(PRIORITY), p)):
        ns = PREFIXES[prefix]
        if iri.startswith(ns) and iri[len(ns):].replace("_", "a").replace("-", "a").isalnum():
            return prefix, iri[len(ns):]
    return None


def _value_kind(o) -> str:
    if isinstance(o, URIRef):
        return "@id"
    if isinstance(o, Literal):
        if o.language:
            return "@language"
        if o.datatype is None or o.datatype == XSD.string:
            return "string"
        if o.datatype in _NATIVE and _is_canonical(o):
            return "native"
        return str(o.datatype)
    raise TypeError(f"JSON-LD export does not take {o!r} (no blank nodes in published data)")


def _is_canonical(o: Literal) -> bool:
    """True when the JSON number or boolean expands back to exactly this lexical form."""
    value = o.value
    if isinstance(value, bool):
        return str(o) == ("true" if value else "false")
    return isinstance(value, int) and str(o) == str(value)


def build_context(graph: Graph) -> dict:
    """The @context for this graph: used prefixes, one term per predicate and class, with coercions."""
    kinds: dict[URIRef, set[str]] = defaultdict(set)
    classes: set[URIRef] = set()
    for _, p, o in graph:
        if p == RDF.type:
            classes.add(o)
        else:
            kinds[p].add(_value_kind(o))
    used_prefixes: set[str] = set()
    terms: dict[str, dict | str] = {}

    def compact(iri: str) -> str:
        split = _split(iri)
        if split is None:
            return iri
        used_prefixes.add(split[0])
        return f"{split[0]}:{split[1]}"

    def term_name(iri: URIRef) -> str:
        split = _split(str(iri))
        if split is None:
            return str(iri)
        name = split[1]
        return f"{split[0]}:{name}" if name in terms or name in PREFIXES or name.startswith("@") else name

    for p in sorted(kinds, key=_rank):
        definition: dict[str, str] = {"@id": compact(str(p))}
        (kind,) = kinds[p] if len(kinds[p]) == 1 else ("mixed",)
        if kind == "@id":
            definition["@type"] = "@id"
        elif kind == "@language":
            definition["@container"] = "@language"
        elif kind not in ("string", "native", "mixed"):
            definition["@type"] = compact(kind)
        terms[term_name(p)] = definition
    for c in sorted(classes, key=_rank):
        terms[term_name(c)] = compact(str(c))
    context: dict[str, object] = {"@version": 1.1}
    context.update({p: PREFIXES[p] for p in sorted(used_prefixes)})
    context.update(sorted(terms.items()))
    return context


def _rank(iri: URIRef) -> tuple:
    split = _split(str(iri))
    if split is None:
        return (len(PRIORITY) + 1, "", str(iri))
    prefix, local = split
    return (PRIORITY.index(prefix) if prefix in PRIORITY else len(PRIORITY), local, prefix)


def to_jsonld(graph: Graph) -> bytes:
    """The graph as compact JSON-LD with its context inline; deterministic bytes."""
    context = build_context(graph)
    by_iri = {}
    for term, definition in context.items():
        if isinstance(definition, dict):
            by_iri[_expand(definition["@id"], context)] = (term, definition)
        elif term != "@version" and term not in PREFIXES:
            by_iri[_expand(definition, context)] = (term, None)
    nodes = []
    for s in sorted(set(graph.subjects()), key=str):
        node: dict[str, object] = {"@id": str(s)}
        types = sorted(by_iri[str(c)][0] for c in graph.objects(s, RDF.type))
        if types:
            node["@type"] = types[0] if len(types) == 1 else types
        props = {}
        for p in set(graph.predicates(s)) - {RDF.type}:
            term, definition = by_iri[str(p)]
            props[term] = _values(graph.objects(s, p), definition or {})
        node.update(sorted(props.items()))
        nodes.append(node)
    doc = {"@context": context, "@graph": nodes}
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def context_document(graph: Graph) -> bytes:
    """The context alone, as published beside the dumps (`context.jsonld`)."""
    return (json.dumps({"@context": build_context(graph)}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _expand(value: str, context: dict) -> str:
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and isinstance(context.get(prefix), str):
        return context[prefix] + local
    return value


def _values(objects: Iterable, definition: dict) -> object:
    values = sorted(objects, key=lambda o: (o.language or "", o.n3()) if isinstance(o, Literal) else ("", o.n3()))
    if definition.get("@container") == "@language":
        by_lang: dict[str, list[str]] = defaultdict(list)
        for o in values:
            by_lang[o.language].append(str(o))
        return {lang: v[0] if len(v) == 1 else v for lang, v in sorted(by_lang.items())}
    coerced = definition.get("@type")
    out = [_value(o, coerced) for o in values]
    return out[0] if len(out) == 1 else out


def _value(o, coerced: str | None) -> object:
    if isinstance(o, URIRef):
        return str(o) if coerced == "@id" else {"@id": str(o)}
    if coerced is not None:
        return str(o)
    if o.language:
        return {"@value": str(o), "@language": o.language}
    if o.datatype is None or o.datatype == XSD.string:
        return str(o)
    if o.datatype in _NATIVE and _is_canonical(o):
        return o.value
    return {"@value": str(o), "@type": str(o.datatype)}
