"""Figures read in cited sources (data/tables) as W3C RDF Data Cube observations.

Each cited source gets its own named graph (`{base}graph/source/{id}`) holding its description, the
economies it assigns clusters to, and its figures: one `qb:DataSet` per kind of figure (each measure has
its own structure, so a source that gives some figures of a cluster and not others still meets Data Cube
IC-17), one `qb:Observation` per figure. Every observation has its dimensions (`gii:cluster` or
`sdmx-dimension:refArea`, `gii:edition`, `qb:measureType`), exactly one measure value, a QUDT unit
(`sdmx-attribute:unitMeasure`) and its source (`dcterms:source`, `prov:wasDerivedFrom`). Sources are never
merged: a rank that two sources give is two observations, each with its source.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from . import model
from .namespaces import DCTERMS, GII, PROV, QB, RDFS, SCHEMA, SDMX_ATTRIBUTE, SDMX_DIMENSION, UNIT, XSD
from .terms import XSD_DECIMAL, Literal, canonical_decimal

if TYPE_CHECKING:
    from .builder import Builder


class Measure(NamedTuple):
    prop: str
    unit: str
    text: str  # how a label states a value, e.g. "rank {}"
    structure: str  # its Data Cube structure, whose one measure it is
    dataset: str  # the data set's slug after the source's id, e.g. "cluster-ranks"
    title: str  # the data set's label, before the source's name


#: Column of cluster-figures.csv -> its measure. The declarative part of the mapping: a new column is a
#: new line here (and a field in model.ClusterRow).
CLUSTER_MEASURES: dict[str, Measure] = {
    "rank": Measure(GII.rank, UNIT.UNITLESS, "rank {}", GII.ClusterRankStructure,
                    "cluster-ranks", "Cluster ranks"),
    "pct_applications": Measure(GII.pctApplications, UNIT.NUM, "{} PCT applications",
                                GII.ClusterPctApplicationsStructure, "cluster-pct-applications",
                                "Cluster PCT applications"),
    "pct_share": Measure(GII.pctShare, UNIT.PERCENT, "{}% of all PCT applications", GII.ClusterPctShareStructure,
                         "cluster-pct-shares", "Cluster shares of PCT applications"),
    "publications": Measure(GII.scientificPublications, UNIT.NUM, "{} scientific publications",
                            GII.ClusterPublicationsStructure, "cluster-publications", "Cluster scientific publications"),
    "pub_share": Measure(GII.publicationShare, UNIT.PERCENT, "{}% of all scientific publications",
                         GII.ClusterPublicationShareStructure, "cluster-publication-shares",
                         "Cluster shares of scientific publications"),
    "total_share": Measure(GII.totalShare, UNIT.PERCENT, "{}% total share", GII.ClusterTotalShareStructure,
                           "cluster-total-shares", "Cluster total shares"),
    "previous_rank": Measure(GII.previousRank, UNIT.UNITLESS, "previous rank {} (as printed in this edition)",
                             GII.ClusterPreviousRankStructure, "cluster-previous-ranks", "Cluster previous ranks"),
    "rank_change": Measure(GII.rankChange, UNIT.UNITLESS, "rank change {:+d} (as stated in this edition)",
                           GII.ClusterRankChangeStructure, "cluster-rank-changes", "Cluster rank changes"),
}
#: "In the top N, rank not given": what the article says of some clusters.
RANK_UPPER_BOUND = Measure(GII.rankUpperBound, UNIT.UNITLESS, "in the top {}", GII.ClusterRankUpperBoundStructure,
                           "cluster-rank-upper-bounds", "Cluster rank upper bounds")
COUNT_MEASURE = Measure(GII.clusterCount, UNIT.NUM, "{} clusters in the top 100", GII.EconomyClusterCountStructure,
                        "clusters-per-economy", "Top-100 clusters per economy")

SOURCE_TYPES = {
    "report-part": (SCHEMA.Chapter, SCHEMA.CreativeWork),  # a section of a report (schema:pagination's domain)
    "news-article": (SCHEMA.NewsArticle, SCHEMA.CreativeWork),
    "web-page": (SCHEMA.WebPage, SCHEMA.CreativeWork),
    "blog-post": (SCHEMA.BlogPosting, SCHEMA.CreativeWork),
    "dataset": (SCHEMA.Dataset, SCHEMA.CreativeWork),
}


def describe_source(b: "Builder", r: model.CitedSource) -> None:
    s = b.iri(r.ref)
    b.types(s, *SOURCE_TYPES[r.type], PROV.Entity)
    b.label(s, r.name)
    b.add(s, SCHEMA.url, r.url)
    if r.publisher:
        b.add(s, SCHEMA.publisher, b.iri(r.publisher))
    if r.published:
        b.add(s, SCHEMA.datePublished, Literal(r.published.isoformat(), datatype=XSD.date))
    if r.language:
        b.add(s, SCHEMA.inLanguage, Literal(r.language))
    if r.part_of:
        b.add(s, SCHEMA.isPartOf, b.iri(r.part_of))
    if r.pages:
        b.add(s, SCHEMA.pagination, Literal(r.pages))
    b.links(s, SCHEMA.isBasedOn, r.based_on)
    if r.license:
        b.add(s, DCTERMS.license, r.license)
    if r.note:
        b.names(s, r.note, RDFS.comment)


def add_figures(b: "Builder", source: model.CitedSource, rows: Iterable[model.Record]) -> None:
    """Every figure of the source's rows as an observation, in one data set per kind of figure."""
    for row in rows:
        if isinstance(row, model.ClusterRow):
            _cluster_row(b, source.id, source.ref, row)
        elif isinstance(row, model.EconomyCount):
            _count(b, source.id, source.ref, row)


def dataset(b: "Builder", source_id: str, source_ref: str, measure: Measure) -> str:
    """The source's data set of one kind of figure (described once, whatever the number of figures)."""
    s = b.iri(f"dataset/{source_id}-{measure.dataset}")
    b.types(s, QB.DataSet)
    b.add(s, QB.structure, measure.structure)
    b.add(s, RDFS.label, Literal(f"{measure.title} given by “{b.english(source_ref)}”", lang="en"))
    b.add(s, DCTERMS.source, b.iri(source_ref))
    return s


def _cluster_row(b: "Builder", source_id: str, source_ref: str, row: model.ClusterRow) -> None:
    cluster = b.iri(row.cluster)
    b.links(cluster, GII.economy, row.economies)  # the source's assignment, in the source's graph
    subject = f"{b.english(row.cluster)}, {b.english(row.edition)}"
    for column, measure in CLUSTER_MEASURES.items():
        value = getattr(row, column)
        if value is None:
            continue
        s = b.iri(f"observation/{row.id}-{column.replace('_', '-')}")
        b.types(s, QB.Observation, GII.RankObservation)
        b.add(s, GII.cluster, cluster)
        observation(b, s, source_id, source_ref, row.edition, measure, value, subject)
        b.add(s, PROV.wasDerivedFrom, b.iri(source_ref))  # a document cited whole


def _count(b: "Builder", source_id: str, source_ref: str, row: model.EconomyCount) -> None:
    s = b.iri(f"observation/{row.id}-cluster-count")
    b.types(s, QB.Observation, GII.EconomyCountObservation)
    b.add(s, SDMX_DIMENSION.refArea, b.iri(row.economy))
    subject = f"{b.english(row.economy)}, {b.english(row.edition)}"
    observation(b, s, source_id, source_ref, row.edition, COUNT_MEASURE, row.clusters, subject)
    b.add(s, PROV.wasDerivedFrom, b.iri(source_ref))


def observation(b: "Builder", s: str, source_id: str, source_ref: str, edition: str, measure: Measure,
                value: object, subject: str | None = None) -> None:
    """What every observation has: its data set, edition, measure type and value, unit and source.

    `subject` ("Seoul, GII 2023") makes the label; without it the caller writes its own.
    """
    b.add(s, QB.dataSet, dataset(b, source_id, source_ref, measure))
    b.add(s, GII.edition, b.iri(edition))
    b.add(s, QB.measureType, measure.prop)
    b.add(s, measure.prop, _figure(value))
    b.add(s, SDMX_ATTRIBUTE.unitMeasure, measure.unit)
    b.add(s, DCTERMS.source, b.iri(source_ref))
    if subject is not None:
        b.add(s, RDFS.label, Literal(f"{subject}: {measure.text.format(value)} ({_short(b, source_ref)})", lang="en"))


def _short(b: "Builder", source_ref: str) -> str:
    return b.english(source_ref).split(":")[0]


def _figure(value: object) -> Literal:
    """A figure as a literal; a decimal in its canonical form ("1" for a table's "1.0", the label keeps
    the form printed): Oxigraph's store, which SHACL-SPARQL, the charts and queries read, keeps no
    other form (`shacl.sparql.kept_as_written`)."""
    return Literal(canonical_decimal(value), datatype=XSD_DECIMAL) if isinstance(value, Decimal) else Literal(value)
