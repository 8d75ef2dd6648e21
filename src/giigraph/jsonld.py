"""Compact JSON-LD that web developers can read: short terms, typed values, language maps.

rdflib's JSON-LD writer emits expanded-style value objects and every bound namespace, and pyld's
compaction is slow on big graphs; since we know our data has no blank nodes, we write compact
JSON-LD directly: one node object per subject (sorted), terms derived from the predicates and
classes in use, each coerced to the one kind of value it holds. The tests prove it expands
(pyld, jsonld.js) to the same graph. The text is what `json.dumps(doc, ensure_ascii=False,
indent=2)` prints, written by a small streaming printer (the json module indents in pure Python).
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator

from .quads import Index
from .terms import XSD_BOOLEAN, XSD_INTEGER, XSD_STRING, Literal, Term, n3
from .namespaces import PREFIXES, RDF

# Which vocabulary gets the short term when two share a local name (schema:name beats foaf:name).
PRIORITY = ("schema", "gii", "org", "prov", "rdfs", "skos", "dcterms", "qb", "foaf", "dcat", "void", "owl")
_NATIVE = {XSD_INTEGER, XSD_BOOLEAN}
_RDF_TYPE = RDF.type
_ORDERED_PREFIXES = sorted(PREFIXES, key=lambda p: (PRIORITY.index(p) if p in PRIORITY else len(PRIORITY), p))


def _split(iri: str) -> tuple[str, str] | None:
    """(prefix, local name) for an IRI in one of our known vocabularies."""
    for prefix in _ORDERED_PREFIXES:
        ns = PREFIXES[prefix]
        if iri.startswith(ns) and iri[len(ns):].replace("_", "a").replace("-", "a").isalnum():
            return prefix, iri[len(ns):]
    return None


def _value_kind(o: Term) -> str:
    if type(o) is str:
        return "@id"
    if isinstance(o, Literal):
        lexical, lang, datatype = o
        if lang:
            return "@language"
        if datatype is None or datatype == XSD_STRING:
            return "string"
        if datatype in _NATIVE and _native(o) is not None:
            return "native"
        return datatype
    raise TypeError(f"JSON-LD export does not take {o!r} (no blank nodes in published data)")


def _native(o: Literal) -> int | bool | None:
    """The JSON number or boolean that expands back to exactly this literal, if there is one."""
    lexical, _, datatype = o
    if datatype == XSD_BOOLEAN:
        return {"true": True, "false": False}.get(lexical)
    if datatype == XSD_INTEGER:
        try:
            value = int(lexical)
        except ValueError:
            return None
        return value if str(value) == lexical else None
    return None


def build_context(subjects: Index) -> dict:
    """The @context for a graph (indexed by subject): used prefixes, one term per predicate and class,
    with coercions."""
    kinds: dict[str, set[str]] = defaultdict(set)
    classes: set[str] = set()
    for props in subjects.values():
        for p, objects in props.items():
            if p == _RDF_TYPE:
                classes.update(objects)  # type: ignore[arg-type]
            else:
                kinds[p].update(map(_value_kind, objects))
    used_prefixes: set[str] = set()
    terms: dict[str, dict | str] = {}

    def compact(iri: str) -> str:
        split = _split(iri)
        if split is None:
            return iri
        used_prefixes.add(split[0])
        return f"{split[0]}:{split[1]}"

    def term_name(iri: str) -> str:
        split = _split(iri)
        if split is None:
            return iri
        name = split[1]
        return f"{split[0]}:{name}" if name in terms or name in PREFIXES or name.startswith("@") else name

    for p in sorted(kinds, key=_rank):
        definition: dict[str, str] = {"@id": compact(p)}
        (kind,) = kinds[p] if len(kinds[p]) == 1 else ("mixed",)
        if kind == "@id":
            definition["@type"] = "@id"
        elif kind == "@language":
            definition["@container"] = "@language"
        elif kind not in ("string", "native", "mixed"):
            definition["@type"] = compact(kind)
        terms[term_name(p)] = definition
    for c in sorted(classes, key=_rank):
        terms[term_name(c)] = compact(c)
    context: dict[str, object] = {"@version": 1.1}
    context.update({p: PREFIXES[p] for p in sorted(used_prefixes)})
    context.update(sorted(terms.items()))
    return context


def _rank(iri: str) -> tuple:
    split = _split(iri)
    if split is None:
        return (len(PRIORITY) + 1, "", iri)
    prefix, local = split
    return (PRIORITY.index(prefix) if prefix in PRIORITY else len(PRIORITY), local, prefix)


def jsonld_chunks(subjects: Index) -> Iterator[str]:
    """A graph (indexed by subject) as compact JSON-LD with its context inline, one node object at a time."""
    context = build_context(subjects)
    by_iri: dict[str, tuple[str, dict | None]] = {}
    for term, definition in context.items():
        if isinstance(definition, dict):
            by_iri[_expand(definition["@id"], context)] = (term, definition)
        elif term != "@version" and term not in PREFIXES:
            by_iri[_expand(definition, context)] = (term, None)
    yield '{\n  "@context": ' + _dumps(context, 1) + ',\n  "@graph": ['
    first = True
    for s in sorted(subjects):
        props = subjects[s]
        node: dict[str, object] = {"@id": s}
        types = props.get(_RDF_TYPE)
        if types:
            names = sorted(by_iri[c][0] for c in types)
            node["@type"] = names[0] if len(names) == 1 else names
        values = {}
        for p, objects in props.items():
            if p != _RDF_TYPE:
                term, definition = by_iri[p]
                values[term] = _values(objects, definition or {})
        node.update(sorted(values.items()))
        yield ("\n    " if first else ",\n    ") + _dumps(node, 2)
        first = False
    yield ("\n  ]\n}\n" if not first else "]\n}\n")


def context_document(subjects: Index) -> bytes:
    """The context alone, as published beside the dumps (`context.jsonld`)."""
    return (json.dumps({"@context": build_context(subjects)}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _expand(value: str, context: dict) -> str:
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and isinstance(context.get(prefix), str):
        return context[prefix] + local
    return value


def _object_key(o: Term) -> tuple:
    return (o[1] or "", n3(o)) if isinstance(o, Literal) else ("", n3(o))


def _values(objects: list[Term], definition: dict) -> object:
    values = sorted(objects, key=_object_key) if len(objects) > 1 else objects
    if definition.get("@container") == "@language":
        by_lang: dict[str, list[str]] = defaultdict(list)
        for o in values:
            by_lang[o[1]].append(o[0])
        return {lang: v[0] if len(v) == 1 else v for lang, v in sorted(by_lang.items())}
    coerced = definition.get("@type")
    out = [_value(o, coerced) for o in values]
    return out[0] if len(out) == 1 else out


def _value(o: Term, coerced: str | None) -> object:
    if type(o) is str:
        return o if coerced == "@id" else {"@id": o}
    lexical, lang, datatype = o
    if coerced is not None:
        return lexical
    if lang:
        return {"@value": lexical, "@language": lang}
    if datatype is None or datatype == XSD_STRING:
        return lexical
    native = _native(o) if datatype in _NATIVE else None
    if native is not None:
        return native
    return {"@value": lexical, "@type": datatype}


_string = json.encoder.encode_basestring  # the C encoder, as json.dumps(ensure_ascii=False) uses


def _dumps(value: object, level: int) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2)` for a value nested `level` deep."""
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = "\n" + "  " * (level + 1)
        return "{" + inner + ("," + inner).join(
            f"{_string(k)}: {_dumps(v, level + 1)}" for k, v in value.items()) + "\n" + "  " * level + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        inner = "\n" + "  " * (level + 1)
        return "[" + inner + ("," + inner).join(_dumps(v, level + 1) for v in value) + "\n" + "  " * level + "]"
    return json.dumps(value)
