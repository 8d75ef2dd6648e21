"""Figures read in cited sources (data/tables) as W3C RDF Data Cube observations.

Each cited source gets its own named graph (`{base}graph/source/{id}`) holding its description, the
economies it assigns clusters to, and its figures: one `qb:DataSet` per kind of figure, one
`qb:Observation` per figure. Every observation has its dimensions (`gii:cluster` or
`sdmx-dimension:refArea`, `gii:edition`, `qb:measureType`), exactly one measure value, a QUDT unit
(`sdmx-attribute:unitMeasure`) and its source (`dcterms:source`, `prov:wasDerivedFrom`). Sources are never
merged: a rank that two sources give is two observations, each with its source.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from . import model
from .namespaces import DCTERMS, GII, PROV, QB, RDFS, SCHEMA, SDMX_ATTRIBUTE, SDMX_DIMENSION, UNIT, XSD
from .terms import Literal

if TYPE_CHECKING:
    from .builder import Builder


class Measure(NamedTuple):
    prop: str
    unit: str
    text: str  # how a label states a value, e.g. "rank {}"


#: Column of cluster-figures.csv -> its measure. The declarative part of the mapping: a new column is a
#: new line here (and a field in model.ClusterRow).
CLUSTER_MEASURES: dict[str, Measure] = {
    "rank": Measure(GII.rank, UNIT.UNITLESS, "rank {}"),
    "pct_applications": Measure(GII.pctApplications, UNIT.NUM, "{} PCT applications"),
    "pct_share": Measure(GII.pctShare, UNIT.PERCENT, "{}% of all PCT applications"),
    "publications": Measure(GII.scientificPublications, UNIT.NUM, "{} scientific publications"),
    "pub_share": Measure(GII.publicationShare, UNIT.PERCENT, "{}% of all scientific publications"),
    "total_share": Measure(GII.totalShare, UNIT.PERCENT, "{}% total share"),
    "previous_rank": Measure(GII.previousRank, UNIT.UNITLESS, "previous rank {} (as printed in this edition)"),
    "rank_change": Measure(GII.rankChange, UNIT.UNITLESS, "rank change {:+d} (as stated in this edition)"),
}
COUNT_MEASURE = Measure(GII.clusterCount, UNIT.NUM, "{} clusters in the top 100")

SOURCE_TYPES = {
    "report-part": (SCHEMA.CreativeWork,),
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
    rows = list(rows)
    clusters = [r for r in rows if isinstance(r, model.ClusterRow)]
    counts = [r for r in rows if isinstance(r, model.EconomyCount)]
    if clusters:
        ds = _dataset(b, source, "cluster-ranks", GII.ClusterRankStructure, "Cluster ranks and figures")
        for row in clusters:
            _cluster_row(b, source, ds, row)
    if counts:
        ds = _dataset(b, source, "clusters-per-economy", GII.EconomyClusterCountStructure,
                      "Top-100 clusters per economy")
        for row in counts:
            _count(b, source, ds, row)


def _dataset(b: "Builder", source: model.CitedSource, name: str, structure: str, title: str) -> str:
    s = b.iri(f"dataset/{source.id}-{name}")
    b.types(s, QB.DataSet)
    b.add(s, QB.structure, structure)
    b.add(s, RDFS.label, Literal(f"{title} given by “{source.name['en']}”", lang="en"))
    b.add(s, DCTERMS.source, b.iri(source.ref))
    return s


def _cluster_row(b: "Builder", source: model.CitedSource, ds: str, row: model.ClusterRow) -> None:
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
        _observation(b, s, ds, source, row.edition, measure, value, subject)


def _count(b: "Builder", source: model.CitedSource, ds: str, row: model.EconomyCount) -> None:
    s = b.iri(f"observation/{row.id}-cluster-count")
    b.types(s, QB.Observation, GII.EconomyCountObservation)
    b.add(s, SDMX_DIMENSION.refArea, b.iri(row.economy))
    subject = f"{b.english(row.economy)}, {b.english(row.edition)}"
    _observation(b, s, ds, source, row.edition, COUNT_MEASURE, row.clusters, subject)


def _observation(b: "Builder", s: str, ds: str, source: model.CitedSource, edition: str,
                 measure: Measure, value: object, subject: str) -> None:
    b.add(s, QB.dataSet, ds)
    b.add(s, GII.edition, b.iri(edition))
    b.add(s, QB.measureType, measure.prop)
    b.add(s, measure.prop, Literal(value))
    b.add(s, SDMX_ATTRIBUTE.unitMeasure, measure.unit)
    b.add(s, DCTERMS.source, b.iri(source.ref))
    b.add(s, PROV.wasDerivedFrom, b.iri(source.ref))
    b.add(s, RDFS.label, Literal(f"{subject}: {measure.text.format(value)} ({_short(source)})", lang="en"))


def _short(source: model.CitedSource) -> str:
    return source.name["en"].split(":")[0]
