"""The published dump folder: every format, the JSON-LD context, and a VoID/DCAT description.

The folder is written beside its destination and swapped in at the end, so a reader never sees a
half-written `dist/`, and a failure leaves the previous one as it was.
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import catalog, formats
from .catalog import IANA
from .jsonld import context_document
from .namespaces import (
    DATA_LICENSE, DCAT, DCTERMS, GII, ONTOLOGY_IRI, OWL, PREFIXES, RDF, RDFS, SCHEMA, SPDX, VOID, XSD,
)
from .quads import Quads, index
from .rdfio import chunks, write_stream
from .terms import Literal, Triple
from .turtle import turtle

CONTEXT_FILE = "context.jsonld"
VOID_FILE = "void.ttl"
TITLE = "giigraph: the WIPO Global Innovation Index 2023 S&T cluster ranking, as reported by China IP News"
DESCRIPTION = (
    "Facts, short attributed quotations and paragraph-level provenance from a China IP News report "
    "(2023-10-08) on the WIPO GII 2023 science and technology cluster ranking: clusters, places, "
    "organizations, people and their posts, statements, ranks and the article's checkable claims.")
DCAT_VERSION = DCAT.version  # DCAT 3


@dataclass(frozen=True)
class Dump:
    fmt: formats.RdfFormat
    size: int
    sha256: str


def dataset_iri(base: str) -> str:
    return f"{base}dataset"


def dump_iri(base: str, filename: str) -> str:
    return f"{base}dumps/{filename}"


def write_dist(dataset: Quads, out: Path, base: str, version: str) -> list[Path]:
    """Write every dump, the context and the VoID/DCAT description into `out`, atomically.

    Each dump streams to disk as it is serialised; its size and checksum are taken on the way.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        dumps = []
        for fmt in formats.FORMATS:
            size, sha256 = write_stream(staging / fmt.filename, chunks(dataset, fmt.name))
            dumps.append(Dump(fmt, size, sha256))
        (staging / CONTEXT_FILE).write_bytes(context_document(dataset.by_subject()))
        void = describe(dataset, dumps, base, version)
        (staging / VOID_FILE).write_bytes("".join(turtle(index(void), PREFIXES)).encode("utf-8"))
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


def describe(dataset: Quads, dumps: list[Dump], base: str, version: str) -> set[Triple]:
    """VoID + DCAT description of the dataset and one distribution per dump (DCAT-AP: `catalog.py`)."""
    g: set[Triple] = set()
    add = g.add
    merged = dataset.union()
    d = dataset_iri(base)
    publisher = f"{base}id/organization/giigraph"
    for cls in (VOID.Dataset, DCAT.Dataset, SCHEMA.Dataset):
        add((d, RDF.type, cls))
    add((d, DCTERMS.title, Literal(TITLE, lang="en")))
    add((d, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    add((d, DCTERMS.license, DATA_LICENSE))
    add((d, DCTERMS.publisher, publisher))
    add((d, DCAT_VERSION, Literal(version)))
    add((d, OWL.versionInfo, Literal(version)))
    add((d, VOID.uriSpace, Literal(f"{base}id/")))
    add((d, VOID.sparqlEndpoint, f"{base}sparql"))
    add((d, VOID.vocabulary, ONTOLOGY_IRI))
    for prefix in ("schema", "org", "prov", "skos", "dcterms", "qb", "foaf"):
        add((d, VOID.vocabulary, PREFIXES[prefix]))
    add((d, VOID.exampleResource, f"{base}id/cluster/shanghai-suzhou"))
    add((d, VOID.triples, Literal(len(merged))))
    add((d, VOID.distinctSubjects, Literal(len({s for s, _, _ in merged}))))
    add((d, VOID.properties, Literal(len({p for _, p, _ in merged}))))
    add((d, VOID.classes, Literal(len({o for _, p, o in merged if p == RDF.type}))))
    for name in dataset.names():
        add((d, VOID.subset, _subset(g, name, len(dataset.graphs[name]))))
    for dump in dumps:
        _distribution(g, d, base, dump)
    types = {(s, o) for s, p, o in merged if p == RDF.type}
    sources = {s for s, o in types if o == SCHEMA.NewsArticle}
    editions = {o for _, p, o in merged if p == GII.edition}
    years = {o[0] for s, p, o in merged if p == DCTERMS.issued and s in editions}
    catalog.describe(g, d, base, publisher, TITLE, DESCRIPTION, years, sources,
                     {dump_iri(base, dump.fmt.filename): dump.fmt for dump in dumps})
    return g


def _subset(g: set[Triple], name: str, triples: int) -> str:
    """Each named graph as a VoID subset with its triple count, for loaders to check against.

    The graph is the document and the subset the data set it belongs to: `void:inDataset` goes from
    a document to its data set (domain foaf:Document, range void:Dataset).
    """
    subset = f"{name}#void"
    g.add((subset, RDF.type, VOID.Dataset))
    g.add((subset, RDFS.label, Literal(f"Named graph {name}", lang="en")))
    g.add((name, VOID.inDataset, subset))
    g.add((subset, VOID.triples, Literal(triples)))
    return subset


def _distribution(g: set[Triple], d: str, base: str, dump: Dump) -> None:
    url = dump_iri(base, dump.fmt.filename)
    checksum = f"{url}#sha256"
    for triple in (
        (d, DCAT.distribution, url),
        (d, VOID.dataDump, url),
        (url, RDF.type, DCAT.Distribution),
        (url, DCTERMS.title, Literal(f"{dump.fmt.label} dump", lang="en")),
        (url, DCAT.downloadURL, url),
        (url, DCAT.mediaType, IANA + dump.fmt.media_type),
        (url, DCAT.byteSize, Literal(str(dump.size), datatype=XSD.nonNegativeInteger)),
        (url, DCTERMS.license, DATA_LICENSE),
        (url, SPDX.checksum, checksum),
        (checksum, RDF.type, SPDX.Checksum),
        (checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
        (checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)),
    ):
        g.add(triple)
