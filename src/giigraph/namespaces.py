"""Namespaces and terms as plain strings: every IRI the pipeline writes comes from here.

Importing this costs nothing (no RDF library), so the core pipeline and `giigraph export` stay
fast. Our own terms and the schema.org terms we use are `ClosedNamespace`s: a typo raises instead
of minting a new IRI. `vocab.py` offers the same terms as rdflib namespaces, derived from these.
schema.org is written as `http://schema.org/`, the form stores and Google's tools expect in RDF.
"""
from __future__ import annotations

from collections.abc import Iterable

from .terms import ClosedNamespace, Namespace

ONTOLOGY_IRI = "https://w3id.org/giigraph/ontology"

#: giigraph's own terms: only where schema.org, ORG, FOAF, PROV-O, SKOS, DCTERMS and QB do not fit.
GII = ClosedNamespace(ONTOLOGY_IRI + "#", """
    Cluster Economy Passage Statement CheckableClaim ClusterRanking RegionalStrategy
    RankObservation economy economyCode cluster edition rank rankUpperBound speechMode speakerPost
    statedIn clustersPerEdition minEconomiesConsidered indicator SpeechModeScheme DirectSpeech
    ReportedSpeech IndicatorScheme PatentFilingActivity ScientificPublication ClusterRankStructure
    ClusterRankUpperBoundStructure ClusterPreviousRankStructure ClusterRankChangeStructure
    ClusterPctApplicationsStructure ClusterPctShareStructure ClusterPublicationsStructure
    ClusterPublicationShareStructure ClusterTotalShareStructure
    EconomyCountObservation previousRank rankChange pctApplications pctShare scientificPublications
    publicationShare totalShare clusterCount supportTest contradictionTest evidenceQuery verdict
    EconomyClusterCountStructure VerdictScheme Supported Contradicted NotDecidable excerpt inference
""")

#: The schema.org terms giigraph writes (http://schema.org/).
SCHEMA = ClosedNamespace("http://schema.org/", """
    AdministrativeArea City Claim ClaimReview Corporation Country CreativeWork CreativeWorkSeries
    DataDownload Dataset Event GovernmentOrganization ItemList NewsArticle NewsMediaOrganization
    Organization Person Place Quotation Rating Report VideoObject about alternateName appearance
    areaServed attendee author claimInterpreter containedInPlace containsPlace copyrightHolder
    copyrightNotice creator datePublished description editor hasPart headline inLanguage isBasedOn
    isPartOf mentions name numberOfItems parentOrganization position publisher sameAs startDate
    subOrganization text workFeatured BlogPosting WebPage bestRating citation claimReviewed
    itemReviewed pagination ratingValue reviewBody reviewRating url worstRating subjectOf
    Chapter Intangible keywords spatialCoverage temporalCoverage license isAccessibleForFree distribution contentUrl encodingFormat
    GeoCoordinates geo latitude longitude
""")

RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
SH = Namespace("http://www.w3.org/ns/shacl#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
QB = Namespace("http://purl.org/linked-data/cube#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
VANN = Namespace("http://purl.org/vocab/vann/")
VOID = Namespace("http://rdfs.org/ns/void#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
#: QUDT units: NUM for counts, PERCENT for shares, UNITLESS for ranks and rank changes (ordinal places).
UNIT = Namespace("http://qudt.org/vocab/unit/")
WIKIDATA = Namespace("http://www.wikidata.org/entity/")
FREQ = Namespace("http://purl.org/cld/freq/")
CC = Namespace("http://creativecommons.org/ns#")
#: W3C Basic Geo (WGS84 lat/long; prefix `wgs84:`, since `geo:` is GeoSPARQL's, as OGC and rdflib
#: bind it), OGC GeoSPARQL and its Simple Features geometry classes.
WGS84 = ClosedNamespace("http://www.w3.org/2003/01/geo/wgs84_pos#", "lat long")
GEO = ClosedNamespace("http://www.opengis.net/ont/geosparql#", "Geometry hasGeometry asWKT wktLiteral")
SF = ClosedNamespace("http://www.opengis.net/ont/sf#", "Point MultiPoint")
#: GeoNames features: https://sws.geonames.org/{id}/ (its Semantic Web service's IRIs).
GEONAMES = "https://sws.geonames.org/"
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
#: DCAT-AP's own terms (dcatap:availability) and the code lists DCAT-AP names: the EU Publications
#: Office authority tables (file types, data themes, languages, planned availability) and ADMS types.
DCATAP = Namespace("http://data.europa.eu/r5r/")
EU_AUTHORITY = Namespace("http://publications.europa.eu/resource/authority/")
ADMS_LICENCE = Namespace("http://purl.org/adms/licencetype/")
ADMS_PUBLISHER = Namespace("http://purl.org/adms/publishertype/")

DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"

#: Prefixes bound in every export and predeclared for SPARQL queries (sorted for stable output).
PREFIXES: dict[str, str] = {
    "cc": str(CC),
    "dcat": str(DCAT),
    "dcatap": str(DCATAP),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "geo": str(GEO),
    "gii": str(GII),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "qb": str(QB),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "sdmx-attribute": str(SDMX_ATTRIBUTE),
    "sdmx-dimension": str(SDMX_DIMENSION),
    "sf": str(SF),
    "skos": str(SKOS),
    "spdx": str(SPDX),
    "unit": str(UNIT),
    "vcard": str(VCARD),
    "vann": str(VANN),
    "void": str(VOID),
    "wgs84": str(WGS84),
    "wd": str(WIKIDATA),
    "xsd": str(XSD),
}


def data_prefixes(base: str, kinds: Iterable[str]) -> dict[str, str]:
    """PREFIXES plus one prefix per kind of our own resources (`cluster:` -> {base}id/cluster/)."""
    return {**PREFIXES, **{kind: f"{base}id/{kind}/" for kind in sorted(kinds)}}
