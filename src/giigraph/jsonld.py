"""Compact JSON-LD that web developers can read: short terms, typed values, language maps.

rdflib's JSON-LD writer emits expanded-style value objects and every bound namespace, and pyld's
compaction is slow on big graphs; we write compact JSON-LD directly: one node object per subject
(sorted), terms derived from the predicates and classes in use, each coerced to the one kind of
value it holds. The tests prove it expands (pyld, jsonld.js) to the same graph, on our data and
on generated hostile terms: a prefix is left out of the context when an IRI of the data would
read as a compact IRI with it (`schema:x` as an IRI of its own), integers and booleans become JSON
numbers and booleans only when that expands to the same lexical form (and integers only within
the 53 bits JavaScript keeps exactly), blank nodes keep their labels. The text is what
`json.dumps(doc, ensure_ascii=False, indent=2)` prints, written by a small streaming printer (the
json module indents in pure Python).
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator

from .quads import Index, Quads
from .terms import XSD_BOOLEAN, XSD_INTEGER, XSD_STRING, BNode, Literal, Term, check_iri, check_language, n3
from .namespaces import PREFIXES, RDF

# Which vocabulary gets the short term when two share a local name (schema:name beats foaf:name).
PRIORITY = ("schema", "gii", "org", "prov", "rdfs", "skos", "dcterms", "qb", "foaf", "dcat", "void", "owl")
_NATIVE = {XSD_INTEGER, XSD_BOOLEAN}
_SAFE_INTEGER = 2 ** 53 - 1  # JSON numbers beyond it lose digits in JavaScript (jsonld.js)
_RDF_TYPE = RDF.type
_ORDERED_PREFIXES = sorted(PREFIXES, key=lambda p: (PRIORITY.index(p) if p in PRIORITY else len(PRIORITY), p))


def _split(iri: str, blocked: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """(prefix, local name) for an IRI in one of our known vocabularies (prefixes in `blocked` excepted)."""
    for prefix in _ORDERED_PREFIXES:
        ns = PREFIXES[prefix]
        if iri.startswith(ns) and iri[len(ns):].replace("_", "a").replace("-", "a").isalnum() and prefix not in blocked:
            return prefix, iri[len(ns):]
    return None


def _value_kind(o: Term) -> str:
    if type(o) is str or isinstance(o, BNode):
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
    return "@id"


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
        return value if str(value) == lexical and abs(value) <= _SAFE_INTEGER else None
    return None


def build_context(subjects: Index) -> dict:
    """The @context for a graph (indexed by subject): used prefixes, one term per predicate and class,
    with coercions. Checks every IRI and language tag of the graph on the way (`terms.check_iri`)."""
    return _context(subjects)[0]


#: The @context, the term (with its definition) of each predicate IRI, the term of each class IRI.
Analysis = tuple[dict, dict[str, tuple[str, dict]], dict[str, str]]


def _context(subjects: Index) -> Analysis:
    """The @context, and the term (with its definition) of each predicate IRI, the term of each class IRI."""
    kinds: dict[str, set[str]] = defaultdict(set)
    classes: set[str] = set()
    iris: set[str] = set()
    languages: set[str] = set()
    add_iri, plain = iris.add, (None, XSD_STRING)
    for s, props in subjects.items():
        if type(s) is str:
            add_iri(s)
        for p, objects in props.items():
            add_iri(p)
            kind = kinds[p]
            for o in objects:  # one pass: the IRIs and the kind of each value (`_value_kind`, inlined for the common ones)
                if type(o) is str:
                    add_iri(o)
                    if p == _RDF_TYPE:
                        classes.add(o)
                    else:
                        kind.add("@id")
                elif type(o) is Literal:
                    if o[1]:
                        languages.add(o[1])
                        kind.add("@language")
                    elif o[2] in plain:
                        kind.add("string")
                    else:
                        add_iri(o[2])
                        kind.add(_value_kind(o))
                else:
                    kind.add(_value_kind(o))
    for p in [p for p, kind in kinds.items() if not kind]:  # rdf:type with classes only: no term of its own
        del kinds[p]
    for iri in iris:
        check_iri(iri)
    for tag in languages:
        check_language(tag)
    blocked = _colliding_prefixes(iris)
    used_prefixes: set[str] = set()
    terms: dict[str, dict | str] = {}

    def compact(iri: str) -> str:
        split = _split(iri, blocked)
        if split is None:
            return iri
        used_prefixes.add(split[0])
        return f"{split[0]}:{split[1]}"

    def term_name(iri: str) -> str | None:
        split = _split(iri, blocked)
        if split is None:
            return None
        name = split[1]
        clash = name in terms or name in PREFIXES or name in blocked or name.startswith("@")
        return f"{split[0]}:{name}" if clash else name

    predicates: dict[str, tuple[str, dict]] = {}
    for p in sorted(kinds, key=lambda iri: _rank(iri, blocked)):
        definition: dict[str, str] = {"@id": compact(p)}
        (kind,) = kinds[p] if len(kinds[p]) == 1 else ("mixed",)
        name = term_name(p)
        if name is None:  # an IRI outside our vocabularies: written in full, its values spelt out
            predicates[p] = (p, {})
            continue
        if kind == "@id":
            definition["@type"] = "@id"
        elif kind == "@language":
            definition["@container"] = "@language"
        elif kind not in ("string", "native", "mixed"):
            definition["@type"] = compact(kind)
        terms[name] = definition
        predicates[p] = (name, definition)
    types: dict[str, str] = {}
    for c in sorted(classes, key=lambda iri: _rank(iri, blocked)):
        if c in predicates:  # a class that is also a predicate: its term serves both
            types[c] = predicates[c][0]
            continue
        name = term_name(c)
        if name is None:
            types[c] = c
        else:
            types[c] = name
            terms[name] = compact(c)
    for name, definition in terms.items():  # a datatype spelt as its own term is a cyclic definition
        if isinstance(definition, dict) and definition.get("@type") == name:
            definition["@type"] = _full(name)
    context: dict[str, object] = {"@version": 1.1}
    context.update({p: PREFIXES[p] for p in sorted(used_prefixes)})
    context.update(sorted(terms.items()))
    return context, predicates, types


def _full(compact: str) -> str:
    prefix, _, local = compact.partition(":")
    return PREFIXES[prefix] + local


def _colliding_prefixes(iris: set[str]) -> frozenset[str]:
    """Schemes of IRIs that a JSON-LD reader would take for compact IRIs (`schema:x`, not `http://`):
    no prefix or term of the context may bear their name."""
    schemes = set()
    for iri in iris:
        scheme, _, rest = iri.partition(":")
        if not rest.startswith("//"):
            schemes.add(scheme)
    return frozenset(schemes)


def _rank(iri: str, blocked: frozenset[str] = frozenset()) -> tuple:
    split = _split(iri, blocked)
    if split is None:
        return (len(PRIORITY) + 1, "", iri)
    prefix, local = split
    return (PRIORITY.index(prefix) if prefix in PRIORITY else len(PRIORITY), local, prefix)


def analysis(quads: Quads) -> Analysis:
    """The @context of a dataset's union and the terms of its predicates and classes, worked out once
    (checking every IRI) for the dump and `context.jsonld` alike."""
    return quads.shared("jsonld", lambda: _context(quads.by_subject()))  # type: ignore[return-value]


def jsonld_chunks(subjects: Index, analysed: Analysis, kept: dict[Term, str] | None = None) -> Iterator[str]:
    """A graph (indexed by subject) as compact JSON-LD with its context inline, one node object at a time;
    `analysed`: its `analysis`; `kept`: node objects of some subjects written already (`kept_nodes`)."""
    context, predicates, classes = analysed
    yield '{\n  "@context": ' + _dumps(context, 1) + ',\n  "@graph": ['
    first = True
    kept = kept or {}
    for s in sorted(subjects):
        text = kept.get(s)
        yield ("\n    " if first else ",\n    ") + (text if text is not None else _node(s, subjects[s], analysed))
        first = False
    yield ("\n  ]\n}\n" if not first else "]\n}\n")


def _node(s: Term, props: dict[str, list[Term]], analysed: Analysis) -> str:
    """One subject's node object, as the dump prints it."""
    _, predicates, classes = analysed
    node: dict[str, object] = {"@id": s}
    values = {}
    for p, objects in props.items():
        if p == _RDF_TYPE:
            names = sorted(classes[c] for c in objects if type(c) is str)
            if names:
                node["@type"] = names[0] if len(names) == 1 else names
            objects = [o for o in objects if type(o) is not str]
            if not objects:
                continue
        term, definition = predicates[p]
        values[term] = _values(objects, definition)
    node.update(sorted(values.items()))
    return _dumps(node, 2)


def kept_nodes(quads: Quads, analysed: Analysis) -> dict[Term, str]:
    """The node objects of the subjects that one graph alone describes, as `quads.kept` holds them
    (`Quads.kept_by_subject`): a node object reads only its subject's triples and the terms."""
    _, predicates, classes = analysed
    terms = repr((sorted(predicates.items()), sorted(classes.items()))).encode()
    return quads.kept_by_subject(
        "jsonld", lambda subjects: {s: _node(s, props, analysed) for s, props in subjects.items()}, terms)


def context_document(subjects: Index, analysed: Analysis | None = None) -> bytes:
    """The context alone, as published beside the dumps (`context.jsonld`); `analysed` as for `jsonld_chunks`."""
    context = analysed[0] if analysed else build_context(subjects)
    return (json.dumps({"@context": context}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


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
    if type(o) is str or isinstance(o, BNode):
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
