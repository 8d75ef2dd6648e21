"""The published dump folder: every format, the JSON-LD context, and a VoID/DCAT description.

The folder is written beside its destination and swapped in at the end, so a reader never sees a
half-written `dist/`, and a failure leaves the previous one as it was.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, VOID, XSD

from . import formats
from .jsonld import context_document
from .rdfio import graph_names, serialize, union
from .vocab import DATA_LICENSE, ONTOLOGY_IRI, PREFIXES, SCHEMA, SPDX

CONTEXT_FILE = "context.jsonld"
VOID_FILE = "void.ttl"
TITLE = "giigraph: the WIPO Global Innovation Index 2023 S&T cluster ranking, as reported by China IP News"
IANA = "https://www.iana.org/assignments/media-types/"
DCAT_VERSION = URIRef(PREFIXES["dcat"] + "version")  # DCAT 3; rdflib's DCAT namespace predates it


@dataclass(frozen=True)
class Dump:
    fmt: formats.RdfFormat
    size: int
    sha256: str


def dataset_iri(base: str) -> URIRef:
    return URIRef(f"{base}dataset")


def dump_iri(base: str, filename: str) -> URIRef:
    return URIRef(f"{base}dumps/{filename}")


def write_dist(dataset: Dataset, out: Path, base: str, version: str) -> list[Path]:
    """Write every dump, the context and the VoID/DCAT description into `out`, atomically."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        dumps = []
        for fmt in formats.FORMATS:
            data = serialize(dataset, fmt.name)
            (staging / fmt.filename).write_bytes(data)
            dumps.append(Dump(fmt, len(data), hashlib.sha256(data).hexdigest()))
        merged = union(dataset)
        (staging / CONTEXT_FILE).write_bytes(context_document(merged))
        void = describe(dataset, merged, dumps, base, version)
        (staging / VOID_FILE).write_bytes(void.serialize(format="turtle", encoding="utf-8"))
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(out.iterdir())


def _swap(staging: Path, out: Path) -> None:
    """Replace `out` by `staging` with renames only; the old folder is removed last."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
    staging.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def describe(dataset: Dataset, merged: Graph, dumps: list[Dump], base: str, version: str) -> Graph:
    """VoID + DCAT description of the dataset and one distribution per dump."""
    g = Graph()
    for prefix in ("dcat", "dcterms", "foaf", "owl", "rdfs", "schema", "spdx", "void", "xsd"):
        g.bind(prefix, PREFIXES[prefix], replace=True)
    d = dataset_iri(base)
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
    g.add((d, DCAT_VERSION, Literal(version)))
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
        g.add((d, VOID.subset, _subset(g, dataset, name)))
    for dump in dumps:
        _distribution(g, d, base, dump)
    return g


def _subset(g: Graph, dataset: Dataset, name: URIRef) -> URIRef:
    """Each named graph as a VoID subset with its triple count, for loaders to check against."""
    subset = URIRef(f"{name}#void")
    g.add((subset, RDF.type, VOID.Dataset))
    g.add((subset, RDFS.label, Literal(f"Named graph {name}", lang="en")))
    g.add((subset, VOID.inDataset, URIRef(name)))
    g.add((subset, VOID.triples, Literal(len(dataset.graph(name)))))
    return subset


def _distribution(g: Graph, d: URIRef, base: str, dump: Dump) -> None:
    url = dump_iri(base, dump.fmt.filename)
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
