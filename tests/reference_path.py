"""The small-data path as it was before the fast path (rdflib throughout), kept as the reference.

`test_fast_path.py` builds the same data through this path and through the one the CLI runs, and
compares the files byte for byte. The code is the rdflib-based serialisation giigraph had (rdflib's
Turtle writer, per-graph TriG, sorted rdflib N-Triples and N-Quads, pyoxigraph RDF/XML from sorted
rdflib triples, compact JSON-LD from an rdflib graph, the VoID/DCAT graph serialised by rdflib), with
two changes: RDF/XML declares the data's own prefixes only, not every prefix rdflib binds by default,
and takes the triples in N-Triples line order (any order groups a subject's triples; this one is at hand).
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, VOID, XSD

from giigraph import formats
from giigraph.export import CONTEXT_FILE, DCAT_VERSION, IANA, TITLE, VOID_FILE, Dump, dataset_iri, dump_iri
from giigraph.rdfio import graph_names, union
from giigraph.vocab import DATA_LICENSE, ONTOLOGY_IRI, PREFIXES, SCHEMA, SPDX


def write_dist(dataset: Dataset, out: Path, base: str, version: str, data_prefixes: dict[str, str]) -> None:
    """Every dump, the context and the VoID/DCAT description, as the small-data path wrote them."""
    out.mkdir(parents=True)
    dumps = []
    for fmt in formats.FORMATS:
        data = serialize(dataset, fmt.name, data_prefixes)
        (out / fmt.filename).write_bytes(data)
        dumps.append(Dump(fmt, len(data), hashlib.sha256(data).hexdigest()))
    merged = union(dataset)
    (out / CONTEXT_FILE).write_bytes(context_document(merged))
    (out / VOID_FILE).write_bytes(describe(dataset, merged, dumps, base, version).serialize(format="turtle",
                                                                                           encoding="utf-8"))


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


def describe(dataset: Dataset, merged: Graph, dumps: list[Dump], base: str, version: str) -> Graph:
    g = Graph()
    for prefix in ("dcat", "dcterms", "foaf", "owl", "rdfs", "schema", "spdx", "void", "xsd"):
        g.bind(prefix, PREFIXES[prefix], replace=True)
    d = URIRef(dataset_iri(base))
    publisher = URIRef(f"{base}id/organization/giigraph")
    for cls in (VOID.Dataset, DCAT.Dataset, SCHEMA.Dataset):
        g.add((d, RDF.type, cls))
    g.add((d, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((d, DCTERMS.description, Literal(
        "Facts, short attributed quotations and paragraph-level provenance from a China IP News report "
        "(2023-10-08) on the WIPO GII 2023 science and technology cluster ranking: clusters, places, "
        "organizations, people and their posts, statements, ranks and the article's checkable claims.",
        lang="en")))
    g.add((d, DCTERMS.license, DATA_LICENSE))
    g.add((d, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal("giigraph project", lang="en")))
    g.add((d, URIRef(DCAT_VERSION), Literal(version)))
    g.add((d, OWL.versionInfo, Literal(version)))
    g.add((d, VOID.uriSpace, Literal(f"{base}id/")))
    g.add((d, VOID.sparqlEndpoint, URIRef(f"{base}sparql")))
    g.add((d, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    for prefix in ("schema", "org", "prov", "skos", "dcterms", "qb", "foaf"):
        g.add((d, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    g.add((d, VOID.exampleResource, URIRef(f"{base}id/cluster/shanghai-suzhou")))
    g.add((d, VOID.triples, Literal(len(merged))))
    g.add((d, VOID.distinctSubjects, Literal(len(set(merged.subjects())))))
    g.add((d, VOID.properties, Literal(len(set(merged.predicates())))))
    g.add((d, VOID.classes, Literal(len(set(merged.objects(None, RDF.type))))))
    for article in sorted(merged.subjects(RDF.type, SCHEMA.NewsArticle)):
        g.add((d, DCTERMS.source, article))
    for name in graph_names(dataset):
        subset = URIRef(f"{name}#void")
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, RDFS.label, Literal(f"Named graph {name}", lang="en")))
        g.add((subset, VOID.inDataset, URIRef(name)))
        g.add((subset, VOID.triples, Literal(len(dataset.graph(name)))))
        g.add((d, VOID.subset, subset))
    for dump in dumps:
        url = URIRef(dump_iri(base, dump.fmt.filename))
        checksum = URIRef(f"{url}#sha256")
        g.add((d, DCAT.distribution, url))
        g.add((d, VOID.dataDump, url))
        g.add((url, RDF.type, DCAT.Distribution))
        g.add((url, DCTERMS.title, Literal(f"{dump.fmt.label} dump", lang="en")))
        g.add((url, DCAT.downloadURL, url))
        g.add((url, DCAT.mediaType, URIRef(IANA + dump.fmt.media_type)))
        g.add((url, DCTERMS.format, Literal(dump.fmt.media_type)))
        g.add((url, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
        g.add((url, DCTERMS.license, DATA_LICENSE))
        g.add((url, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
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
