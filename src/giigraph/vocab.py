"""Namespaces and terms. Every IRI the code writes comes from here.

Our own terms and the schema.org terms we use are `DefinedNamespace`s with `_fail = True`, so a
typo raises instead of minting a new IRI; a test checks `GII` against `ontology/giigraph.ttl`.
schema.org is written as `http://schema.org/`, the form stores and Google's tools expect in RDF.
"""
from __future__ import annotations

from collections.abc import Iterable

from rdflib import Namespace, URIRef
from rdflib.namespace import (
    DCAT, DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, VANN, VOID, XSD, DefinedNamespace,
)

ONTOLOGY_IRI = "https://w3id.org/giigraph/ontology"


class GII(DefinedNamespace):
    """giigraph's own terms: only where schema.org, ORG, FOAF, PROV-O, SKOS, DCTERMS and QB do not fit."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # classes
    Cluster: URIRef
    Economy: URIRef
    Passage: URIRef
    Statement: URIRef
    CheckableClaim: URIRef
    ClusterRanking: URIRef
    RegionalStrategy: URIRef
    RankObservation: URIRef
    EconomyCountObservation: URIRef
    # properties
    economy: URIRef
    economyCode: URIRef
    cluster: URIRef
    edition: URIRef
    rank: URIRef
    rankUpperBound: URIRef
    previousRank: URIRef
    rankChange: URIRef
    pctApplications: URIRef
    pctShare: URIRef
    scientificPublications: URIRef
    publicationShare: URIRef
    totalShare: URIRef
    clusterCount: URIRef
    supportTest: URIRef
    contradictionTest: URIRef
    evidenceQuery: URIRef
    verdict: URIRef
    speechMode: URIRef
    speakerPost: URIRef
    statedIn: URIRef
    clustersPerEdition: URIRef
    minEconomiesConsidered: URIRef
    indicator: URIRef
    # individuals: concept schemes, concepts and the Data Cube structure
    SpeechModeScheme: URIRef
    DirectSpeech: URIRef
    ReportedSpeech: URIRef
    IndicatorScheme: URIRef
    PatentFilingActivity: URIRef
    ScientificPublication: URIRef
    ClusterRankStructure: URIRef
    EconomyClusterCountStructure: URIRef
    VerdictScheme: URIRef
    Supported: URIRef
    Contradicted: URIRef
    NotDecidable: URIRef


class SCHEMA(DefinedNamespace):
    """The schema.org terms giigraph writes (http://schema.org/)."""

    _NS = Namespace("http://schema.org/")
    _fail = True

    AdministrativeArea: URIRef
    BlogPosting: URIRef
    City: URIRef
    Claim: URIRef
    ClaimReview: URIRef
    Corporation: URIRef
    Country: URIRef
    CreativeWork: URIRef
    CreativeWorkSeries: URIRef
    DataDownload: URIRef
    Dataset: URIRef
    Event: URIRef
    GovernmentOrganization: URIRef
    ItemList: URIRef
    NewsArticle: URIRef
    NewsMediaOrganization: URIRef
    Organization: URIRef
    Person: URIRef
    Place: URIRef
    Quotation: URIRef
    Rating: URIRef
    Report: URIRef
    VideoObject: URIRef
    WebPage: URIRef
    about: URIRef
    alternateName: URIRef
    appearance: URIRef
    areaServed: URIRef
    attendee: URIRef
    author: URIRef
    bestRating: URIRef
    citation: URIRef
    claimReviewed: URIRef
    claimInterpreter: URIRef
    containedInPlace: URIRef
    containsPlace: URIRef
    copyrightHolder: URIRef
    copyrightNotice: URIRef
    creator: URIRef
    datePublished: URIRef
    description: URIRef
    editor: URIRef
    hasPart: URIRef
    headline: URIRef
    inLanguage: URIRef
    isBasedOn: URIRef
    isPartOf: URIRef
    itemReviewed: URIRef
    mentions: URIRef
    name: URIRef
    numberOfItems: URIRef
    pagination: URIRef
    parentOrganization: URIRef
    position: URIRef
    publisher: URIRef
    ratingValue: URIRef
    reviewBody: URIRef
    reviewRating: URIRef
    sameAs: URIRef
    startDate: URIRef
    subOrganization: URIRef
    text: URIRef
    url: URIRef
    workFeatured: URIRef
    worstRating: URIRef


SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
#: QUDT units: NUM for counts, PERCENT for shares, UNITLESS for ranks and rank changes (ordinal places).
UNIT = Namespace("http://qudt.org/vocab/unit/")
WIKIDATA = Namespace("http://www.wikidata.org/entity/")
FREQ = Namespace("http://purl.org/cld/freq/")
CC = Namespace("http://creativecommons.org/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")

DATA_LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")

#: Prefixes bound in every export and predeclared for SPARQL queries (sorted for stable output).
PREFIXES: dict[str, str] = {
    "cc": str(CC),
    "dcat": str(DCAT),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "gii": str(GII._NS),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "qb": str(QB),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA._NS),
    "sdmx-attribute": str(SDMX_ATTRIBUTE),
    "sdmx-dimension": str(SDMX_DIMENSION),
    "skos": str(SKOS),
    "spdx": str(SPDX),
    "unit": str(UNIT),
    "vann": str(VANN),
    "void": str(VOID),
    "wd": str(WIKIDATA),
    "xsd": str(XSD),
}


def data_prefixes(base: str, kinds: Iterable[str]) -> dict[str, str]:
    """PREFIXES plus one prefix per kind of our own resources (`cluster:` -> {base}id/cluster/)."""
    return {**PREFIXES, **{kind: f"{base}id/{kind}/" for kind in sorted(kinds)}}
