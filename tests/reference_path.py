"""The small-data path as it was before the fast path (rdflib throughout), kept as the reference.

`test_fast_path.py` builds the same data through this path and through the one the CLI runs, and
compares the files byte for byte. The code is the rdflib-based serialisation giigraph had (rdflib's
Turtle writer, per-graph TriG, sorted rdflib N-Triples and N-Quads, pyoxigraph RDF/XML from sorted
rdflib triples, compact JSON-LD from an rdflib graph, the VoID/DCAT graph serialised by rdflib), with
three changes: RDF/XML declares the data's own prefixes only, not every prefix rdflib binds by default,
and takes the triples in N-Triples line order (any order groups a subject's triples; this one is at hand);
and rdflib's Turtle writes an integral xsd:decimal quoted, as ours do (`_exact_decimals`).
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from giigraph import export, formats
from giigraph.convert import to_rdflib
from giigraph.export import CONTEXT_FILE, VOID_FILE, Dump
from giigraph.quads import Quads
from giigraph.rdfio import graph_names, union
from giigraph.vocab import PREFIXES


@contextmanager
def _exact_decimals() -> Iterator[None]:
    """rdflib's Turtle writes "1"^^xsd:decimal as `1.0`, which reads back as another lexical form; the
    built data holds such decimals (canonical XSD 1.1, the form Oxigraph's store keeps), which ours
    write quoted: here rdflib writes them quoted too."""
    plain = Literal._literal_n3

    def n3(self, use_plain=False, qname_callback=None):
        if self.datatype == XSD.decimal and "." not in str(self):
            use_plain = False
        return plain(self, use_plain, qname_callback)

    Literal._literal_n3 = n3
    try:
        yield
    finally:
        Literal._literal_n3 = plain


def write_dist(dataset: Dataset, out: Path, base: str, version: str, data_prefixes: dict[str, str]) -> None:
    """Every dump, the context and the VoID/DCAT description, as the small-data path wrote them."""
    with _exact_decimals():
        _write_dist(dataset, out, base, version, data_prefixes)


def _write_dist(dataset: Dataset, out: Path, base: str, version: str, data_prefixes: dict[str, str]) -> None:
    out.mkdir(parents=True)
    dumps = []
    for fmt in formats.FORMATS:
        data = serialize(dataset, fmt.name, data_prefixes)
        (out / fmt.filename).write_bytes(data)
        dumps.append(Dump(fmt, len(data), hashlib.sha256(data).hexdigest()))
    merged = union(dataset)
    (out / CONTEXT_FILE).write_bytes(context_document(merged))
    (out / VOID_FILE).write_bytes(describe(dataset, dumps, base, version).serialize(format="turtle", encoding="utf-8"))


def serialize(graph: Dataset, fmt: str, data_prefixes: dict[str, str]) -> bytes:
    spec = formats.get(fmt)
    if spec.name == "jsonld":
        return to_jsonld(union(graph))
    if spec.name == "nt":
        return _sorted_lines(union(graph).serialize(format="nt", encoding="utf-8"))
    if spec.name == "nquads":
        return _sorted_lines(graph.serialize(format="nquads", encoding="utf-8"))
    if spec.name == "xml":
        return _rdfxml(union(graph), data_prefixes)
    if spec.name == "trig":
        return _trig(graph)
    return union(graph).serialize(format="turtle", encoding="utf-8")


def _trig(ds: Dataset) -> bytes:
    prefixes: set[bytes] = set()
    blocks: list[bytes] = []
    graphs = [ds.default_graph] if len(ds.default_graph) else []
    for g in graphs + [ds.graph(name) for name in graph_names(ds)]:
        named = Graph()
        for prefix, ns in ds.namespaces():
            named.bind(prefix, ns, override=True, replace=True)
        for triple in g:
            named.add(triple)
        text = named.serialize(format="turtle", encoding="utf-8")
        head, _, body = text.partition(b"\n\n") if text.startswith(b"@prefix") else (b"", b"", text)
        prefixes.update(line for line in head.splitlines() if line.startswith(b"@prefix"))
        indented = b"".join(_indent(body.strip().splitlines()))
        label = b"" if g is ds.default_graph else g.identifier.n3().encode() + b" "
        blocks.append(label + b"{\n" + indented + b"}\n")
    return b"\n".join(sorted(prefixes)) + b"\n\n" + b"\n".join(blocks)


def _indent(lines: list[bytes]):
    """Each line indented, except the lines inside a multi-line (\"\"\"...\"\"\") literal: their text."""
    in_literal = False
    for line in lines:
        yield (line if in_literal or not line else b"    " + line) + b"\n"
        if line.count(b'"""') % 2:
            in_literal = not in_literal


def _sorted_lines(data: bytes) -> bytes:
    lines = sorted(set(line for line in data.splitlines() if line.strip()))
    return b"".join(line + b"\n" for line in lines)


def _rdfxml(graph: Graph, prefixes: dict[str, str]) -> bytes:
    lines = _sorted_lines(graph.serialize(format="nt", encoding="utf-8"))
    return ox.serialize(ox.parse(lines, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.RDF_XML,
                        prefixes=prefixes)


def describe(dataset: Dataset, dumps: list[Dump], base: str, version: str) -> Graph:
    """The VoID/DCAT triples the fast path makes (what they say is checked in test_standards_dcat_ap.py
    and test_exports.py), serialised here by rdflib's Turtle writer."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    for triple in export.describe(Quads.from_rdflib(dataset), dumps, base, version):
        g.add(tuple(to_rdflib(term) for term in triple))
    return g


# --- compact JSON-LD from an rdflib graph -----------------------------------------------------------

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
