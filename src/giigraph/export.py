"""The published dump folder: every format, the JSON-LD context, a VoID/DCAT description, and charts.

The folder is written beside its destination and swapped in at the end, so a reader never sees a
half-written `dist/`, and a failure leaves the previous one as it was.
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import catalog, formats
from .builder import ALL_KINDS
from .catalog import IANA
from .charts import CHARTS_DIR, write_charts
from .jsonld import context_document
from .namespaces import (
    CC, DATA_LICENSE, DCAT, DCTERMS, FOAF, GEONAMES, GII, ONTOLOGY_IRI, OWL, PREFIXES, PROV, RDF, RDFS, SCHEMA,
    SPDX, VOID, WIKIDATA, XSD, data_prefixes,
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
class LinkTarget:
    """A dataset of the Linked Open Data cloud that our resources link into (VoID linksets)."""

    slug: str
    iri: str
    title: str
    description: str
    uri_space: str
    license: str
    #: We also publish data read in it (GeoNames' coordinates), so it is a source to credit.
    source: bool = False


LINK_TARGETS = (
    LinkTarget("geonames", "https://www.geonames.org/", "GeoNames",
               "The GeoNames geographical database: features with their names, coordinates and containment.",
               GEONAMES, DATA_LICENSE, source=True),
    LinkTarget("wikidata", "https://www.wikidata.org/", "Wikidata",
               "Wikidata, the free knowledge base of the Wikimedia projects.",
               str(WIKIDATA), "https://creativecommons.org/publicdomain/zero/1.0/"),
)


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
    """Write every dump, the context, the VoID/DCAT description and the charts (`charts/*.svg`) into `out`, atomically.

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
        write_charts((staging / formats.get("nquads").filename).read_bytes(), data_prefixes(base, ALL_KINDS),
                     staging / CHARTS_DIR)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(p for p in out.rglob("*") if p.is_file())


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
    for prefix in ("schema", "org", "prov", "skos", "dcterms", "qb", "foaf", "geo", "wgs84"):
        add((d, VOID.vocabulary, PREFIXES[prefix]))
    add((d, VOID.exampleResource, f"{base}id/cluster/shanghai-suzhou"))
    add((d, VOID.triples, Literal(len(merged))))
    add((d, VOID.distinctSubjects, Literal(len({s for s, _, _ in merged}))))
    add((d, VOID.properties, Literal(len({p for _, p, _ in merged}))))
    add((d, VOID.classes, Literal(len({o for _, p, o in merged if p == RDF.type}))))
    for name in dataset.names():
        add((d, VOID.subset, _subset(g, name, len(dataset.graphs[name]))))
    _linksets(g, d, merged)
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


def _linksets(g: set[Triple], d: str, merged: set[Triple]) -> None:
    """One void:Linkset per target dataset and link predicate (VoID gives a linkset one
    void:linkPredicate), with its exact number of links; a target we also read data in (GeoNames'
    coordinates) is a dcterms:source, credited as its licence asks (cc:attributionName, cc:attributionURL)."""
    counts: dict[tuple[LinkTarget, str], int] = {}
    for _, p, o in merged:
        for target in LINK_TARGETS:
            if isinstance(o, str) and o.startswith(target.uri_space):
                counts[target, p] = counts.get((target, p), 0) + 1
    for target in {t for t, _ in counts}:
        g.add((target.iri, RDF.type, VOID.Dataset))
        g.add((target.iri, DCTERMS.title, Literal(target.title, lang="en")))
        g.add((target.iri, DCTERMS.description, Literal(target.description, lang="en")))
        g.add((target.iri, FOAF.homepage, target.iri))
        g.add((target.iri, VOID.uriSpace, Literal(target.uri_space)))
        g.add((target.iri, DCTERMS.license, target.license))
        if target.source:  # what the data was read in is prov:wasDerivedFrom, as for the articles (catalog.py)
            g.add((d, PROV.wasDerivedFrom, target.iri))
            g.add((target.iri, CC.attributionName, Literal(target.title)))
            g.add((target.iri, CC.attributionURL, target.iri))
    for (target, predicate), triples in counts.items():
        linkset = f"{d}#linkset-{target.slug}-{_curie(predicate).replace(':', '-')}"
        g.add((d, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, RDFS.label, Literal(f"Links to {target.title} ({_curie(predicate)})", lang="en")))
        g.add((linkset, VOID.subjectsTarget, d))
        g.add((linkset, VOID.objectsTarget, target.iri))
        g.add((linkset, VOID.linkPredicate, predicate))
        g.add((linkset, VOID.triples, Literal(triples)))


def _curie(iri: str) -> str:
    prefix, namespace = next((p, ns) for p, ns in PREFIXES.items() if iri.startswith(ns))
    return f"{prefix}:{iri[len(namespace):]}"


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
