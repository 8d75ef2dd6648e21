"""Turns typed records into quads: curated entities in one named graph, each source's facts in its own.

Standard types are written out beside our own (a store with no reasoning finds people with
`?p a schema:Person`), every fact node names its source passage with `prov:wasDerivedFrom`, and
no blank node is ever made: every resource has an IRI `{base}id/{kind}/{slug}`. Terms are the
plain ones of `terms.py` (an IRI is a string), so building needs no RDF library.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from functools import cache
from sys import intern
from typing import TYPE_CHECKING

from . import claims, cube, geo, model
from .gcpause import lasting
from .namespaces import (
    DCTERMS, FOAF, FREQ, GII, ORG, OWL, PROV, QB, RDF, RDFS, SCHEMA, SKOS, WIKIDATA, XSD,
    data_prefixes,
)
from .quads import Quads
from .resources import ONTOLOGY_FILE
from .terms import Literal, Triple

if TYPE_CHECKING:
    from .buildcache import GraphCache

ORG_TYPES: dict[str, tuple[str, ...]] = {
    "intergovernmental": (ORG.FormalOrganization,),
    "office": (ORG.OrganizationalUnit,),
    "ministry": (ORG.FormalOrganization, SCHEMA.GovernmentOrganization),
    "local-government": (ORG.FormalOrganization, SCHEMA.GovernmentOrganization),
    "company": (ORG.FormalOrganization, SCHEMA.Corporation),
    "news-media": (ORG.FormalOrganization, SCHEMA.NewsMediaOrganization),
}
INDICATORS = {"patent-filing-activity": GII.PatentFilingActivity, "scientific-publication": GII.ScientificPublication}
ALL_KINDS = sorted({cls.kind for cls in (*model.CURATED_KINDS.values(), *model.SOURCE_KINDS.values())}
                   - {model.ClaimTest.kind} | {"article", "passage", "dataset", "review", "rating"})


class Builder:
    """Writes records into one graph (a set of triples); knows the base IRI and every record by reference."""

    def __init__(self, graph: set[Triple], base: str, index: Mapping[str, model.Record]) -> None:
        self.g, self.base, self.index = graph, base, index

    # --- small helpers shared by every kind --------------------------------------------------------
    def iri(self, ref: str) -> str:
        """The IRI of a record, one string however often it is referenced (a million triples hold
        references, not copies: less memory, and every later look-up compares by identity first)."""
        return intern(f"{self.base}id/{ref}")

    def add(self, s: str, p: str, o) -> None:
        self.g.add((s, p, o))

    def types(self, s: str, *classes: str) -> None:
        for cls in classes:
            self.add(s, RDF.type, cls)

    def links(self, s: str, p: str, refs: Iterable[str]) -> None:
        for ref in refs:
            self.add(s, p, self.iri(ref))

    def names(self, s: str, text: dict[str, str], *props: str) -> None:
        for lang, value in text.items():
            for p in props:
                self.add(s, p, Literal(value, lang=lang))

    def label(self, s: str, text: dict[str, str]) -> None:
        self.names(s, text, SCHEMA.name, RDFS.label)

    def english(self, ref: str) -> str:
        record = self.index[ref]
        return (getattr(record, "name", None) or getattr(record, "headline"))["en"]

    def sourced(self, s: str, source: str, passages: Iterable[int], prop: str = PROV.wasDerivedFrom) -> None:
        for n in passages:
            self.add(s, prop, self.iri(f"passage/{source}-p{n}"))

    def wikidata(self, s: str, qid: str | None) -> None:
        if qid:
            self.add(s, SCHEMA.sameAs, WIKIDATA[qid])


# --- curated entities -----------------------------------------------------------------------------

def _region(b: Builder, r: model.Region, s: str) -> None:
    b.types(s, SCHEMA.Place)
    b.label(s, r.name)
    b.links(s, SCHEMA.containsPlace, r.contains)
    b.wikidata(s, r.wikidata)


def _economy(b: Builder, r: model.Economy, s: str) -> None:
    b.types(s, GII.Economy, SCHEMA.Place, SCHEMA.AdministrativeArea, *((SCHEMA.Country,) if r.sovereign else ()))
    b.label(s, r.name)
    b.add(s, GII.economyCode, Literal(r.code))
    if r.region:
        b.add(s, SCHEMA.containedInPlace, b.iri(r.region))
    b.wikidata(s, r.wikidata)
    geo.link(b, s, r.geonames)


def _province(b: Builder, r: model.Province, s: str) -> None:
    b.types(s, SCHEMA.AdministrativeArea, SCHEMA.Place)
    b.label(s, r.name)
    b.add(s, SCHEMA.containedInPlace, b.iri(r.economy))
    b.wikidata(s, r.wikidata)


def _city(b: Builder, r: model.City, s: str) -> None:
    b.types(s, SCHEMA.City, SCHEMA.Place)
    b.label(s, r.name)
    if r.within:
        b.add(s, SCHEMA.containedInPlace, b.iri(r.within))
    b.wikidata(s, r.wikidata)
    geo.link(b, s, r.geonames)


def _cluster(b: Builder, r: model.Cluster, s: str) -> None:
    b.types(s, GII.Cluster, SCHEMA.Place)
    b.label(s, r.name)
    b.links(s, SCHEMA.containsPlace, r.cities)
    b.links(s, GII.economy, r.economies)


def _organization(b: Builder, r: model.Organization, s: str) -> None:
    b.types(s, SCHEMA.Organization, ORG.Organization, *ORG_TYPES[r.type])
    b.label(s, r.name)
    for alt in r.alternate_names:
        b.add(s, SCHEMA.alternateName, Literal(alt))
    if r.parent:
        parent = b.iri(r.parent)
        b.add(s, SCHEMA.parentOrganization, parent)
        b.add(parent, SCHEMA.subOrganization, s)
        b.add(s, ORG.subOrganizationOf, parent)
        b.add(parent, ORG.hasSubOrganization, s)
        if r.type == "office":
            b.add(s, ORG.unitOf, parent)
            b.add(parent, ORG.hasUnit, s)
    if r.area_served:
        b.add(s, SCHEMA.areaServed, b.iri(r.area_served))
    b.wikidata(s, r.wikidata)


def _person(b: Builder, r: model.Person, s: str) -> None:
    b.types(s, SCHEMA.Person, FOAF.Person)
    b.label(s, r.name)
    b.names(s, r.name, FOAF.name)
    for alt in r.alternate_names:
        b.add(s, SCHEMA.alternateName, Literal(alt))
    b.wikidata(s, r.wikidata)


def _role(b: Builder, r: model.Role, s: str) -> None:
    b.types(s, ORG.Role, SKOS.Concept)
    b.names(s, r.name, SKOS.prefLabel, RDFS.label)


def _strategy(b: Builder, r: model.Strategy, s: str) -> None:
    b.types(s, GII.RegionalStrategy, SKOS.Concept, SCHEMA.Intangible)
    b.names(s, r.name, SKOS.prefLabel, RDFS.label)
    b.links(s, DCTERMS.spatial, r.areas)


def _series(b: Builder, r: model.Series, s: str) -> None:
    b.types(s, SCHEMA.CreativeWorkSeries, SCHEMA.CreativeWork)
    b.label(s, r.name)
    for alt in r.alternate_names:
        b.add(s, SCHEMA.alternateName, Literal(alt))
    b.add(s, SCHEMA.publisher, b.iri(r.publisher))
    b.add(s, DCTERMS.accrualPeriodicity, FREQ.annual)


def _report(b: Builder, r: model.Report, s: str) -> None:
    b.types(s, SCHEMA.Report, SCHEMA.CreativeWork)
    b.label(s, r.name)
    for alt in r.alternate_names:
        b.add(s, SCHEMA.alternateName, Literal(alt))
    b.add(s, SCHEMA.isPartOf, b.iri(r.series))
    b.add(s, SCHEMA.publisher, b.iri(b.index[r.series].publisher))
    b.add(s, DCTERMS.issued, Literal(str(r.year), datatype=XSD.gYear))


# --- what a source says ---------------------------------------------------------------------------

def _article(b: Builder, r: model.Article, s: str) -> None:
    b.types(s, SCHEMA.NewsArticle, SCHEMA.CreativeWork, PROV.Entity)
    b.names(s, r.headline, SCHEMA.headline, SCHEMA.name, RDFS.label)
    b.add(s, SCHEMA.datePublished, _datetime(r.published))
    b.add(s, SCHEMA.inLanguage, Literal(r.language))
    b.add(s, SCHEMA.publisher, b.iri(r.publisher))
    b.add(s, SCHEMA.copyrightHolder, b.iri(r.publisher))
    b.names(s, r.rights, SCHEMA.copyrightNotice)
    b.links(s, SCHEMA.author, r.authors)
    b.links(s, SCHEMA.editor, r.editors)
    b.links(s, SCHEMA.about, r.about)
    b.names(s, r.inferred or {}, GII.inference)
    for p in r.passages:
        ps = b.iri(f"passage/{r.id}-p{p.n}")
        b.types(ps, GII.Passage, SCHEMA.CreativeWork, PROV.Entity)
        b.add(ps, SCHEMA.isPartOf, s)
        b.add(s, SCHEMA.hasPart, ps)
        b.add(ps, SCHEMA.position, Literal(p.n))
        b.add(ps, RDFS.label, Literal(f"Passage {p.n} of “{r.headline['en']}”", lang="en"))
        b.add(ps, SCHEMA.description, Literal(p.topic, lang="en"))


def _ranking(b: Builder, r: model.Ranking, s: str, source: str) -> None:
    b.types(s, GII.ClusterRanking, SCHEMA.CreativeWorkSeries, SCHEMA.CreativeWork)
    b.label(s, r.name)
    b.add(s, SCHEMA.isPartOf, b.iri(r.series))
    b.add(s, SCHEMA.startDate, Literal(str(r.since), datatype=XSD.gYear))
    b.add(s, GII.clustersPerEdition, Literal(r.clusters_per_edition))
    b.add(s, GII.minEconomiesConsidered, Literal(r.min_economies_considered))
    for indicator in r.indicators:
        b.add(s, GII.indicator, INDICATORS[indicator])
    b.sourced(s, source, r.passages)


def _rank(b: Builder, r: model.RankFact, s: str, source: str) -> None:
    b.types(s, GII.RankObservation, QB.Observation)
    b.add(s, GII.cluster, b.iri(r.cluster))
    cluster, edition = b.english(r.cluster), b.english(r.edition)
    if r.rank is not None:
        measure, value, text = cube.CLUSTER_MEASURES["rank"], r.rank, f"{cluster}: rank {r.rank} in {edition}"
    else:
        measure, value = cube.RANK_UPPER_BOUND, r.within_top
        text = f"{cluster}: in the top {r.within_top} of {edition} (rank not given by the source)"
    cube.observation(b, s, source, f"article/{source}", r.edition, measure, value)
    b.add(s, RDFS.label, Literal(text, lang="en"))
    b.sourced(s, source, r.passages)


def _post(b: Builder, r: model.Post, s: str, source: str) -> None:
    b.types(s, ORG.Post)
    b.add(s, ORG.postIn, b.iri(r.organization))
    b.add(s, ORG.role, b.iri(r.role))
    b.add(s, ORG.heldBy, b.iri(r.holder))
    b.add(b.iri(r.holder), ORG.holds, s)
    b.add(s, RDFS.label, Literal(f"{b.english(r.role)}, {b.english(r.organization)}", lang="en"))
    b.names(s, r.inferred or {}, GII.inference)
    b.sourced(s, source, r.passages)


def _video(b: Builder, r: model.Video, s: str, source: str) -> None:
    b.types(s, SCHEMA.VideoObject, SCHEMA.CreativeWork)
    b.label(s, r.name)
    b.add(s, SCHEMA.creator, b.iri(r.creator))
    b.sourced(s, source, r.passages)


def _event(b: Builder, r: model.Event, s: str, source: str) -> None:
    b.types(s, SCHEMA.Event, PROV.Activity)
    b.label(s, r.name)
    b.links(s, SCHEMA.about, r.about)
    b.links(s, SCHEMA.attendee, r.attendees)
    b.links(s, SCHEMA.workFeatured, r.featured)
    # PROV-O: prov:wasDerivedFrom is for entities, and prov:Activity is disjoint with prov:Entity; the
    # roundtable is an activity that the passages describe: each passage is a schema:subjectOf it.
    b.sourced(s, source, r.passages, SCHEMA.subjectOf)


def _statement(b: Builder, r: model.Statement, s: str, source: str) -> None:
    article = b.iri(f"article/{source}")
    speakers = ", ".join(b.english(x) for x in r.speakers)
    if r.mode == "direct":
        b.types(s, GII.Statement, SCHEMA.Quotation, SCHEMA.CreativeWork)
        b.add(s, GII.speechMode, GII.DirectSpeech)
        b.add(s, SCHEMA.isPartOf, b.iri(r.stated_in))
        text = f"Quotation of {speakers}" + (", excerpt" if r.excerpt else "")
        if r.excerpt:
            b.add(s, GII.excerpt, Literal(True))
    else:
        b.types(s, GII.Statement, SCHEMA.Claim, SCHEMA.CreativeWork)
        b.add(s, GII.speechMode, GII.ReportedSpeech)
        b.add(s, SCHEMA.appearance, article)
        b.add(s, SCHEMA.claimInterpreter, b.iri(b.index[f"article/{source}"].publisher))
        text = f"Statement of {speakers}, as reported"
    b.add(s, RDFS.label, Literal(f"{text} ({b.english(r.stated_in)})", lang="en"))
    b.links(s, SCHEMA.author, r.speakers)
    b.names(s, r.text, SCHEMA.text)
    if r.post:
        b.add(s, GII.speakerPost, b.iri(r.post))
    b.add(s, GII.statedIn, b.iri(r.stated_in))
    b.names(s, r.inferred or {}, GII.inference)
    b.links(s, SCHEMA.mentions, r.mentions)
    b.sourced(s, source, r.passages)


def _claim(b: Builder, r: model.Claim, s: str, source: str) -> None:
    article = b.index[f"article/{source}"]
    b.types(s, GII.CheckableClaim, SCHEMA.Claim, SCHEMA.CreativeWork)
    b.names(s, r.quote, SCHEMA.text)
    b.names(s, r.summary, SCHEMA.description, RDFS.label)
    b.add(s, SCHEMA.appearance, b.iri(article.ref))
    if r.speakers:  # the article reports someone's words: they are the claim's author, the newspaper reports it
        b.links(s, SCHEMA.author, r.speakers)
        b.add(s, SCHEMA.claimInterpreter, b.iri(article.publisher))
    else:
        b.add(s, SCHEMA.author, b.iri(article.publisher))
    b.links(s, SCHEMA.isBasedOn, r.based_on)
    b.links(s, SCHEMA.mentions, r.mentions)
    b.sourced(s, source, r.passages)


def _claim_test(b: Builder, r: model.ClaimTest, s: str) -> None:
    """The test is stated about the claim itself, in the curators' graph, as standalone SPARQL."""
    claim = b.iri(r.claim)
    b.add(claim, GII.supportTest, Literal(claims.standalone(r.supported_if, b.base)))
    b.add(claim, GII.contradictionTest, Literal(claims.standalone(r.contradicted_if, b.base)))
    b.add(claim, GII.evidenceQuery, Literal(claims.standalone(r.evidence, b.base)))


CURATED: dict[type, Callable] = {
    model.Region: _region, model.Economy: _economy, model.Province: _province, model.City: _city,
    model.Cluster: _cluster, model.Organization: _organization, model.Person: _person,
    model.Role: _role, model.Strategy: _strategy, model.Series: _series, model.Report: _report,
    model.ClaimTest: _claim_test,
}
FACTS: dict[type, Callable] = {
    model.Ranking: _ranking, model.RankFact: _rank, model.Post: _post, model.Video: _video,
    model.Event: _event, model.Statement: _statement, model.Claim: _claim,
}


def _datetime(value: datetime) -> Literal:
    """The xsd:dateTime in the one form Oxigraph's store keeps (UTC as "Z", no trailing zeros in a
    fraction of a second): SHACL-SPARQL, the charts and queries read that store, and refuse data it
    would rewrite (`shacl.sparql.kept_as_written`); `isoformat` writes "+00:00" and ".500000"."""
    local = value.replace(tzinfo=None)
    text = local.replace(microsecond=0).isoformat()
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    offset = value.isoformat()[len(local.isoformat()):]
    return Literal(text + ("Z" if offset == "+00:00" else offset), datatype=XSD.dateTime)


def graph_iri(base: str, name: str) -> str:
    """IRI of a named graph: `curated`, or `source/{source-id}`."""
    return f"{base}graph/{name}"


@lasting
def build_quads(corpus: model.Corpus, base: str, graph_cache: "GraphCache | None" = None) -> Quads:
    """Every record as RDF: curated entities in graph `curated`, each source in `source/{id}`.
    With `graph_cache`, an article's graph made before from the same records is taken from it."""
    index = _Index(corpus)
    quads = Quads(data_prefixes(base, ALL_KINDS))
    curated = Builder(quads.graph(graph_iri(base, "curated")), base, index)
    curated.g.update(data_structures())
    for record in corpus.entities:
        if not isinstance(record, model.CitedSource):  # described in its own graph, below
            CURATED[type(record)](curated, record, curated.iri(record.ref))
    cached = graph_cache.for_build(base, index) if graph_cache is not None else None
    digests = corpus.digests or (None,) * len(corpus.sources)
    for source, source_digest in zip(corpus.sources, digests, strict=True):
        name = graph_iri(base, f"source/{source.id}")
        if cached is None:
            _source(Builder(quads.graph(name), base, index), source)
        else:
            cached.add(quads, name, source, lambda records: _source(Builder(quads.graph(name), base, records), source),
                       source_digest)
    for cited in (r for r in corpus.entities if isinstance(r, model.CitedSource)):
        b = Builder(quads.graph(graph_iri(base, f"source/{cited.id}")), base, index)
        cube.describe_source(b, cited)
        cube.add_figures(b, cited, (r for r in corpus.figures if getattr(r, "source", None) == cited.ref))
    if any(isinstance(r, model.City) and r.lat is not None for r in corpus.entities):
        geo.locate(Builder(quads.graph(graph_iri(base, model.GEONAMES_SOURCE)), base, index), corpus.entities)
    if any(isinstance(r, model.ClaimTest) for r in corpus.entities):  # else no store to load for nothing
        claims.record(quads, claims.check(quads), base)
    return quads


class _Index(Mapping[str, model.Record]):
    """Every record of a corpus by reference; a source's records are read only when one of them is
    looked up (a source the build cache kept is unpickled only then: `sources._Kept`)."""

    def __init__(self, corpus: model.Corpus) -> None:
        self.records = {r.ref: r for r in (*corpus.entities, *corpus.figures)}
        self.sources = {ref: source for source in corpus.sources for ref in source.refs()}

    def __getitem__(self, ref: str) -> model.Record:
        record = self.records.get(ref)
        if record is None:
            source = self.sources[ref]
            self.records.update((r.ref, r) for r in (source.article, *source.records))
            record = self.records[ref]
        return record

    def __contains__(self, ref: object) -> bool:
        return ref in self.records or ref in self.sources

    def __iter__(self) -> Iterator[str]:
        return iter({**self.records, **self.sources})

    def __len__(self) -> int:
        return len(self.records.keys() | self.sources.keys())


def _source(b: Builder, source: model.Source) -> None:
    """An article and every fact read in it, into the source's graph."""
    _article(b, source.article, b.iri(source.article.ref))
    for record in source.records:
        FACTS[type(record)](b, record, b.iri(record.ref), source.id)


@cache
def data_structures() -> frozenset[Triple]:
    """The Data Cube structures of the ontology, published with the data so cube tools find them."""
    from .rdfio import parse_triples

    ontology = parse_triples(ONTOLOGY_FILE)
    kinds = {QB.DataStructureDefinition, QB.ComponentSpecification}
    nodes = {s for s, p, o in ontology if p == RDF.type and o in kinds}
    return frozenset((s, p, o) for s, p, o in ontology
                     if s in nodes and not (p == RDF.type and o == OWL.NamedIndividual))
