"""The SHACL shapes (every file in shapes/): the built dataset conforms, and every shape catches the
fault it is written for.

Each case is a small mutation of the built dataset (triples removed, triples added) and the results it
must give, exactly: (focus node, result path, constraint component, source shape, severity). The
source is the property shape, the node shape (for its node-level constraints) or the SPARQL
constraint. A meta-test checks that every shape in the file is the source of some case.

Validation goes through the public `giigraph.validate()` (pyshacl, inference none, over the union
of the named graphs), on a graph that parses each SHACL-SPARQL text once to keep the suite fast.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SH, SKOS
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

from giigraph import build
from giigraph import validate as validate_graph
from giigraph.resources import SHAPES_DIR
from giigraph.vocab import GEO, GII, SCHEMA, SDMX_ATTRIBUTE, SDMX_DIMENSION, SF, UNIT, WGS84, WIKIDATA

BASE = "https://w3id.org/giigraph/"
ARTICLE = "cnipnews-2023-10-08"

Triple = tuple[URIRef | None, URIRef | None, object]


def iri(ref: str) -> URIRef:
    """A resource of the dataset by `kind/slug`."""
    return URIRef(f"{BASE}id/{ref}")


def passage(n: int) -> URIRef:
    return iri(f"passage/{ARTICLE}-p{n}")


def obs(edition: str, cluster: str) -> URIRef:
    return iri(f"observation/{ARTICLE}-{edition}-{cluster}")


@cache
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class PreparedQueryGraph(Graph):
    """A graph that parses each SPARQL text once: pyshacl sends the text of a SHACL-SPARQL query
    again for every focus node, and rdflib's parsing is then most of the cost of validation
    (benchmarks/shapes_scale.py: 5-9 times slower without this)."""

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


def union(triples) -> Graph:
    """One graph of the given triples, or of every named graph's triples (what validation sees)."""
    g = PreparedQueryGraph()
    for t in triples:
        g.add(t[:3])
    return g


@dataclass(frozen=True, order=True)
class Result:
    focus: str
    path: str | None
    component: str
    source: str
    severity: str = "Violation"


def validate(data: Graph) -> tuple[bool, set[Result]]:
    """Whether the data conforms, and every result of the W3C report graph."""
    validation = validate_graph(data)
    report = validation.graph
    results = set()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        source = report.value(r, SH.sourceConstraint) or report.value(r, SH.sourceShape)
        path = report.value(r, SH.resultPath)
        results.add(Result(
            focus=str(report.value(r, SH.focusNode)),
            path=str(path) if path is not None else None,
            component=_local(report.value(r, SH.sourceConstraintComponent)),
            source=_local(source),
            severity=_local(report.value(r, SH.resultSeverity)),
        ))
    return validation.conforms, results


def _local(node) -> str:
    return re.split(r"[#/]", str(node))[-1] if isinstance(node, URIRef) else str(node)


def expect(focus: URIRef, path: URIRef | None, component: str, source: str, severity: str = "Violation") -> Result:
    return Result(str(focus), str(path) if path is not None else None, f"{component}ConstraintComponent", source, severity)


@dataclass(frozen=True)
class Case:
    """A mutation of the built dataset and the exact results it must give."""

    id: str
    expected: tuple[Result, ...]
    remove: Sequence[Triple] = ()
    add: Sequence[Triple] = ()
    edit: Callable[[Graph], None] | None = None

    def apply(self, graph: Graph) -> Graph:
        g = union(graph)
        for t in self.remove:
            assert any(g.triples(t)), f"{self.id}: nothing to remove for {t}"
            g.remove(t)
        for t in self.add:
            g.add(t)
        if self.edit:
            self.edit(g)
        return g


def rename(old: URIRef, new: URIRef) -> Callable[[Graph], None]:
    """Give a resource another IRI everywhere it occurs."""

    def edit(g: Graph) -> None:
        for s, p, o in list(g):
            if old in (s, o):
                g.remove((s, p, o))
                g.add((new if s == old else s, p, new if o == old else o))

    return edit


EN = lambda text: Literal(text, lang="en")  # noqa: E731
ZH = lambda text: Literal(text, lang="zh")  # noqa: E731

C_SS = iri("cluster/shanghai-suzhou")
C_TY = iri("cluster/tokyo-yokohama")
E_CN = iri("economy/china")
E_JP = iri("economy/japan")
E_NL = iri("economy/netherlands")
CITY_TOKYO = iri("city/tokyo")
CITY_SUZHOU = iri("city/suzhou")
R_EA = iri("region/east-asia")
P_HEBEI = iri("province/hebei")
WIPO = iri("organization/wipo")
WIPO_CN = iri("organization/wipo-office-in-china")
HUAWEI = iri("organization/huawei")
CIPN = iri("organization/china-ip-news")
ZGJ = iri("person/zhang-guangjun")
POST_ZGJ = iri("post/most-vice-minister-zhang-guangjun")
POST_LH = iri("post/wipo-office-in-china-director-liu-hua")
POST_ALEMAN = iri("post/wipo-assistant-director-general-marco-aleman")
ROLE_VM = iri("role/vice-minister")
STRAT_YRD = iri("strategy/yangtze-river-delta-integration")
STRAT_YREB = iri("strategy/yangtze-river-economic-belt-development")
SERIES = iri("series/global-innovation-index")
GII2023 = iri("report/gii-2023")
RANKING = iri("ranking/gii-st-cluster-ranking")
ART = iri(f"article/{ARTICLE}")
DATASET = iri(f"dataset/{ARTICLE}-cluster-ranks")
BOUNDS = iri(f"dataset/{ARTICLE}-cluster-rank-upper-bounds")
EVENT = iri("event/gii-2023-high-level-roundtable")
VIDEO = iri("video/aleman-gii-2023-congratulatory-video")
ST_ALEMAN = iri("statement/aleman-china-three-of-top-five")
ST_ZGJ = iri("statement/zhang-guangjun-regional-innovation")
ST_ENT = iri("statement/enterprises-innovation-experience")
CLAIM = iri("claim/shanghai-suzhou-rose-to-fifth")
OBS_SS23 = obs("gii-2023", "shanghai-suzhou")
OBS_NJ23 = obs("gii-2023", "nanjing")
OBS_SS23_BIS = iri(f"observation/{ARTICLE}-gii-2023-shanghai-suzhou-bis")
OTHER_DATASET = iri("dataset/another-source-cluster-ranks")
OTHER_SOURCE = iri("source/another-source")
DSD = GII.ClusterRankStructure
NEW_DSD = iri("structure/another-structure")
REVIEW = iri("review/shanghai-suzhou-rose-to-fifth")
RATING = iri("rating/shanghai-suzhou-rose-to-fifth")
# the cluster tables: WIPO's Appendix Table 3 and the documents that cite its figures
APPENDIX = iri("source/gii-2023-appendix-table-3")
APPENDIX_RANKS = iri("dataset/gii-2023-appendix-table-3-cluster-ranks")
XIAN_PAGE = iri("source/xian-gov-gii-2023")
XIAN_RANK = iri("observation/xian-gov-gii-2023-gii-2023-xian-rank")
STDAILY = iri("source/stdaily-gii-2023-clusters")
STDAILY_COUNTS = iri("dataset/stdaily-gii-2023-clusters-clusters-per-economy")
CN_COUNT = iri("observation/stdaily-gii-2023-clusters-gii-2023-china-cluster-count")
US_COUNT = iri("observation/stdaily-gii-2023-clusters-gii-2023-united-states-of-america-cluster-count")


# where places are: GeoNames links and coordinates (geo-shapes.ttl)
TOKYO_GEOMETRY = URIRef(f"{CITY_TOKYO}#geometry")
TOKYO_COORDINATES = URIRef(f"{CITY_TOKYO}#coordinates")
SS_GEOMETRY = URIRef(f"{C_SS}#geometry")


def geonames(feature: int) -> URIRef:
    return URIRef(f"https://sws.geonames.org/{feature}/")


def wkt(text: str) -> Literal:
    return Literal(text, datatype=GEO.wktLiteral)


def table(cluster: str, column: str) -> URIRef:
    """An observation of Appendix Table 3, e.g. table("seoul", "rank")."""
    return iri(f"observation/gii-2023-appendix-table-3-gii-2023-{cluster}-{column}")


TY_RANK, TY_PREVIOUS, TY_CHANGE = table("tokyo-yokohama", "rank"), table("tokyo-yokohama", "previous-rank"), \
    table("tokyo-yokohama", "rank-change")
TY_PCT, TY_PUBLICATIONS = table("tokyo-yokohama", "pct-applications"), table("tokyo-yokohama", "publications")
TY_PCT_SHARE, TY_PUB_SHARE, TY_TOTAL_SHARE = table("tokyo-yokohama", "pct-share"), table("tokyo-yokohama", "pub-share"), \
    table("tokyo-yokohama", "total-share")
SEOUL_RANK, SEOUL_PREVIOUS = table("seoul", "rank"), table("seoul", "previous-rank")


def component(name: str) -> URIRef:
    """A component of the rank structure, e.g. gii:ClusterRankStructure-rank."""
    return URIRef(f"{DSD}-{name}")


def rank_fact(observation: URIRef, dataset: URIRef, rank: int, source: URIRef = ART,
              derived_from: URIRef = passage(5)) -> list[Triple]:
    """A complete rank observation: Shanghai-Suzhou in GII 2023."""
    return [(observation, p, o) for p, o in [
        (RDF.type, GII.RankObservation), (RDF.type, QB.Observation), (RDFS.label, EN(f"Shanghai-Suzhou: rank {rank}")),
        (QB.dataSet, dataset), (QB.measureType, GII.rank), (GII.cluster, C_SS), (GII.edition, GII2023),
        (GII.rank, Literal(rank)), (SDMX_ATTRIBUTE.unitMeasure, UNIT.UNITLESS), (DCTERMS.source, source),
        (PROV.wasDerivedFrom, derived_from)]]


def another_source() -> list[Triple]:
    """A cited document and its data set of cluster ranks."""
    name = EN("Another report on the GII 2023 clusters")
    return [(OTHER_SOURCE, RDF.type, SCHEMA.NewsArticle), (OTHER_SOURCE, RDF.type, SCHEMA.CreativeWork),
            (OTHER_SOURCE, SCHEMA.name, name), (OTHER_SOURCE, RDFS.label, name),
            (OTHER_SOURCE, SCHEMA.url, URIRef("https://example.org/news/gii-2023-clusters")),
            (OTHER_DATASET, RDF.type, QB.DataSet), (OTHER_DATASET, QB.structure, DSD),
            (OTHER_DATASET, RDFS.label, EN("Cluster ranks of another source")), (OTHER_DATASET, DCTERMS.source, OTHER_SOURCE)]


def replace(node: URIRef, prop: URIRef, value) -> dict:
    """A Case's remove and add that give the property another value."""
    return {"remove": [(node, prop, None)], "add": [(node, prop, value)]}


def structure(*components: URIRef) -> list[Triple]:
    """A new Data Cube structure with the given components of the rank structure."""
    return [(NEW_DSD, RDF.type, QB.DataStructureDefinition), (NEW_DSD, RDFS.label, EN("Another structure"))] + \
        [(NEW_DSD, QB.component, c) for c in components]


CASES = [
    # --- shared name and label shapes (through the place family) ---
    Case("name-not-tagged", remove=[(C_SS, SCHEMA.name, ZH("上海-苏州"))], add=[(C_SS, SCHEMA.name, Literal("上海-苏州"))],
         expected=(expect(C_SS, SCHEMA.name, "LanguageIn", "name"),
                   expect(C_SS, RDFS.label, "Equals", "name-label", "Warning"))),
    Case("name-two-english", add=[(C_SS, SCHEMA.name, EN("Shanghai and Suzhou")), (C_SS, RDFS.label, EN("Shanghai and Suzhou"))],
         expected=(expect(C_SS, SCHEMA.name, "UniqueLang", "name"),)),
    Case("name-no-english", remove=[(C_SS, SCHEMA.name, EN("Shanghai-Suzhou")), (C_SS, RDFS.label, EN("Shanghai-Suzhou"))],
         expected=(expect(C_SS, SCHEMA.name, "QualifiedMinCount", "name-en"),)),
    Case("label-differs-from-name", remove=[(C_SS, RDFS.label, ZH("上海-苏州"))],
         expected=(expect(C_SS, RDFS.label, "Equals", "name-label", "Warning"),)),
    Case("alternate-name-tagged", remove=[(WIPO, SCHEMA.alternateName, None)], add=[(WIPO, SCHEMA.alternateName, EN("WIPO"))],
         expected=(expect(WIPO, SCHEMA.alternateName, "Datatype", "alternateName", "Warning"),)),
    Case("preflabel-no-english", remove=[(ROLE_VM, SKOS.prefLabel, EN("Vice Minister")), (ROLE_VM, RDFS.label, EN("Vice Minister"))],
         expected=(expect(ROLE_VM, SKOS.prefLabel, "QualifiedMinCount", "prefLabel"),)),
    Case("label-differs-from-preflabel", remove=[(ROLE_VM, RDFS.label, ZH("副部长"))],
         expected=(expect(ROLE_VM, RDFS.label, "Equals", "prefLabel-label", "Warning"),)),
    Case("label-no-english", remove=[(POST_ZGJ, RDFS.label, None)],
         expected=(expect(POST_ZGJ, RDFS.label, "QualifiedMinCount", "label-en"),)),
    Case("mentions-unknown-kind", add=[(ST_ZGJ, SCHEMA.mentions, iri("person/liu-hua"))],
         expected=(expect(ST_ZGJ, SCHEMA.mentions, "Pattern", "mentions"),)),
    # --- places ---
    Case("place-iri-slug", edit=rename(iri("city/yokohama"), iri("city/Yokohama")),
         expected=(expect(iri("city/Yokohama"), None, "Pattern", "Place"),)),
    Case("place-contains-non-place", add=[(R_EA, SCHEMA.containsPlace, WIPO)],
         expected=(expect(R_EA, SCHEMA.containsPlace, "Class", "Place-containsPlace"),)),
    Case("place-in-two-places", add=[(P_HEBEI, SCHEMA.containedInPlace, R_EA)],
         expected=(expect(P_HEBEI, SCHEMA.containedInPlace, "MaxCount", "Place-containedInPlace"),)),
    Case("cluster-iri-kind", edit=rename(C_SS, iri("city/shanghai-suzhou-cluster")),
         expected=(expect(iri("city/shanghai-suzhou-cluster"), None, "Pattern", "Cluster"),)),
    Case("cluster-not-a-place", remove=[(C_SS, RDF.type, SCHEMA.Place)],
         expected=(expect(C_SS, RDF.type, "HasValue", "Cluster-type"),)),
    Case("cluster-stripped-to-its-class", remove=[(C_SS, None, None)], add=[(C_SS, RDF.type, GII.Cluster)],
         expected=(expect(C_SS, RDF.type, "HasValue", "Cluster-type"),
                   expect(C_SS, SCHEMA.name, "QualifiedMinCount", "name-en"),
                   expect(C_SS, SCHEMA.containsPlace, "MinCount", "Cluster-containsPlace"),
                   expect(C_SS, GII.economy, "MinCount", "Cluster-economy"),
                   expect(C_SS, GEO.hasGeometry, "MinCount", "Cluster-hasGeometry"))),
    Case("cluster-no-city", remove=[(C_SS, SCHEMA.containsPlace, None)],
         expected=(expect(C_SS, SCHEMA.containsPlace, "MinCount", "Cluster-containsPlace"),)),
    Case("cluster-contains-economy", add=[(C_TY, SCHEMA.containsPlace, E_JP)],
         expected=(expect(C_TY, SCHEMA.containsPlace, "Class", "Cluster-containsPlace"),)),
    Case("cluster-no-economy", remove=[(C_SS, GII.economy, None)],
         expected=(expect(C_SS, GII.economy, "MinCount", "Cluster-economy"),)),
    Case("cluster-with-rank", add=[(C_SS, GII.rank, Literal(5))],
         expected=(expect(C_SS, GII.rank, "MaxCount", "Cluster-rank"),)),
    Case("economy-iri-kind", edit=rename(E_JP, iri("region/japan")),
         expected=(expect(iri("region/japan"), None, "Pattern", "Economy"),)),
    Case("economy-not-an-area", remove=[(E_NL, RDF.type, SCHEMA.AdministrativeArea)],
         expected=(expect(E_NL, RDF.type, "HasValue", "Economy-type"),
                   expect(iri("city/amsterdam"), SCHEMA.containedInPlace, "Class", "City-containedInPlace"),
                   expect(iri("city/rotterdam"), SCHEMA.containedInPlace, "Class", "City-containedInPlace"))),
    Case("economy-code-lower-case", remove=[(E_JP, GII.economyCode, None)], add=[(E_JP, GII.economyCode, Literal("jp"))],
         expected=(expect(E_JP, GII.economyCode, "Pattern", "Economy-code"),)),
    Case("economy-no-code", remove=[(E_JP, GII.economyCode, None)],
         expected=(expect(E_JP, GII.economyCode, "MinCount", "Economy-code"),)),
    Case("city-iri-kind", edit=rename(CITY_TOKYO, iri("province/tokyo")),
         expected=(expect(iri("province/tokyo"), None, "Pattern", "City"),)),
    Case("city-not-a-place", remove=[(CITY_TOKYO, RDF.type, SCHEMA.Place)],
         expected=(expect(CITY_TOKYO, RDF.type, "HasValue", "City-type"),
                   expect(C_TY, SCHEMA.containsPlace, "Class", "Place-containsPlace"))),
    Case("city-in-a-region", remove=[(CITY_TOKYO, SCHEMA.containedInPlace, E_JP)], add=[(CITY_TOKYO, SCHEMA.containedInPlace, R_EA)],
         expected=(expect(CITY_TOKYO, SCHEMA.containedInPlace, "Class", "City-containedInPlace"),)),
    # --- organizations, people, posts, roles, strategies ---
    Case("organization-iri", edit=rename(CIPN, iri("organization/China-IP-News")),
         expected=(expect(iri("organization/China-IP-News"), None, "Pattern", "Organization"),)),
    Case("organization-no-org-type", remove=[(HUAWEI, RDF.type, ORG.Organization)],
         expected=(expect(HUAWEI, RDF.type, "HasValue", "Organization-type"),)),
    Case("organization-parent-only-in-schema", remove=[(WIPO_CN, ORG.subOrganizationOf, WIPO)],
         expected=(expect(WIPO_CN, SCHEMA.parentOrganization, "Equals", "Organization-parentOrganization"),)),
    Case("organization-serves-a-person", add=[(HUAWEI, SCHEMA.areaServed, ZGJ)],
         expected=(expect(HUAWEI, SCHEMA.areaServed, "Class", "Organization-areaServed"),)),
    Case("unit-of-nothing", remove=[(WIPO_CN, ORG.unitOf, WIPO)],
         expected=(expect(WIPO_CN, ORG.unitOf, "MinCount", "OrganizationalUnit-unitOf"),)),
    Case("person-iri", edit=rename(ZGJ, URIRef("urn:uuid:6f1c2f0e-0000-4000-8000-000000000001")),
         expected=(expect(URIRef("urn:uuid:6f1c2f0e-0000-4000-8000-000000000001"), None, "Pattern", "Person"),)),
    Case("person-not-foaf", remove=[(ZGJ, RDF.type, FOAF.Person)],
         expected=(expect(ZGJ, RDF.type, "HasValue", "Person-type"),)),
    Case("person-foaf-name-differs", remove=[(ZGJ, FOAF.name, ZH("张广军"))],
         expected=(expect(ZGJ, FOAF.name, "Equals", "Person-foafName", "Warning"),)),
    Case("person-holds-a-role", add=[(ZGJ, ORG.holds, ROLE_VM)],
         expected=(expect(ZGJ, ORG.holds, "Class", "Person-holds"),)),
    Case("post-iri", edit=rename(POST_ZGJ, iri("post/most_vice_minister")),
         expected=(expect(iri("post/most_vice_minister"), None, "Pattern", "Post"),)),
    Case("post-in-two-organizations", add=[(POST_ZGJ, ORG.postIn, WIPO)],
         expected=(expect(POST_ZGJ, ORG.postIn, "MaxCount", "Post-postIn"),)),
    Case("post-no-role", remove=[(POST_ZGJ, ORG.role, None)],
         expected=(expect(POST_ZGJ, ORG.role, "MinCount", "Post-role"),)),
    Case("post-held-by-organization", remove=[(POST_ZGJ, ORG.heldBy, None)], add=[(POST_ZGJ, ORG.heldBy, HUAWEI)],
         expected=(expect(POST_ZGJ, ORG.heldBy, "Class", "Post-heldBy"),
                   expect(ST_ZGJ, GII.speakerPost, "SPARQL", "StatementPost-sparql"))),
    Case("post-no-organization", remove=[(POST_ZGJ, ORG.postIn, None)],
         expected=(expect(POST_ZGJ, ORG.postIn, "SPARQL", "PostOrganization-sparql"),)),
    Case("post-in-a-place", remove=[(POST_ZGJ, ORG.postIn, None)], add=[(POST_ZGJ, ORG.postIn, E_CN)],
         expected=(expect(POST_ZGJ, ORG.postIn, "SPARQL", "PostOrganization-sparql"),)),
    Case("role-iri", edit=rename(ROLE_VM, iri("role/Vice-Minister")),
         expected=(expect(iri("role/Vice-Minister"), None, "Pattern", "Role"),)),
    Case("role-not-a-concept", remove=[(ROLE_VM, RDF.type, SKOS.Concept)],
         expected=(expect(ROLE_VM, RDF.type, "HasValue", "Role-type"),)),
    # a resource with a wrong IRI also breaks the mentions of it
    Case("strategy-iri", edit=rename(STRAT_YREB, iri("policy/yangtze-river-economic-belt")),
         expected=(expect(iri("policy/yangtze-river-economic-belt"), None, "Pattern", "RegionalStrategy"),
                   expect(ST_ZGJ, SCHEMA.mentions, "Pattern", "mentions"))),
    Case("strategy-not-a-concept", remove=[(STRAT_YRD, RDF.type, SKOS.Concept)],
         expected=(expect(STRAT_YRD, RDF.type, "HasValue", "RegionalStrategy-type"),)),
    Case("strategy-no-area", remove=[(STRAT_YRD, DCTERMS.spatial, None)],
         expected=(expect(STRAT_YRD, DCTERMS.spatial, "MinCount", "RegionalStrategy-spatial"),)),
    # --- series, reports, ranking ---
    Case("series-iri", edit=rename(SERIES, iri("report/global-innovation-index-series")),
         expected=(expect(iri("report/global-innovation-index-series"), None, "Pattern", "CreativeWorkSeries"),)),
    Case("series-published-by-a-person", remove=[(SERIES, SCHEMA.publisher, None)], add=[(SERIES, SCHEMA.publisher, ZGJ)],
         expected=(expect(SERIES, SCHEMA.publisher, "Class", "CreativeWorkSeries-publisher"),)),
    Case("series-no-publisher", remove=[(SERIES, SCHEMA.publisher, None)],
         expected=(expect(SERIES, None, "Or", "SeriesPublisher"),)),
    Case("report-iri", edit=rename(GII2023, iri("report/GII-2023")),
         expected=(expect(iri("report/GII-2023"), None, "Pattern", "Report"),)),
    Case("report-no-series", remove=[(GII2023, SCHEMA.isPartOf, None)],
         expected=(expect(GII2023, SCHEMA.isPartOf, "MinCount", "Report-isPartOf"),)),
    Case("report-no-publisher", remove=[(GII2023, SCHEMA.publisher, None)],
         expected=(expect(GII2023, SCHEMA.publisher, "MinCount", "Report-publisher"),)),
    Case("report-year-as-integer", remove=[(GII2023, DCTERMS.issued, None)], add=[(GII2023, DCTERMS.issued, Literal(2023))],
         expected=(expect(GII2023, DCTERMS.issued, "Datatype", "Report-issued"),)),
    Case("ranking-iri-kind", edit=rename(RANKING, iri("series/gii-st-cluster-ranking")),
         expected=(expect(iri("series/gii-st-cluster-ranking"), None, "Pattern", "ClusterRanking"),
                   expect(ST_ALEMAN, SCHEMA.mentions, "Pattern", "mentions"))),
    Case("ranking-not-a-series", remove=[(RANKING, RDF.type, SCHEMA.CreativeWorkSeries)],
         expected=(expect(RANKING, RDF.type, "HasValue", "ClusterRanking-type"),)),
    Case("ranking-start-as-string", remove=[(RANKING, SCHEMA.startDate, None)], add=[(RANKING, SCHEMA.startDate, Literal("2017"))],
         expected=(expect(RANKING, SCHEMA.startDate, "Datatype", "ClusterRanking-startDate"),)),
    Case("ranking-zero-clusters", remove=[(RANKING, GII.clustersPerEdition, None)], add=[(RANKING, GII.clustersPerEdition, Literal(0))],
         expected=(expect(RANKING, GII.clustersPerEdition, "MinInclusive", "ClusterRanking-clustersPerEdition"),)),
    Case("ranking-economies-as-decimal", remove=[(RANKING, GII.minEconomiesConsidered, None)],
         add=[(RANKING, GII.minEconomiesConsidered, Literal(Decimal("130.0")))],
         expected=(expect(RANKING, GII.minEconomiesConsidered, "Datatype", "ClusterRanking-minEconomiesConsidered"),)),
    Case("ranking-unknown-indicator", add=[(RANKING, GII.indicator, GII.Cluster)],
         expected=(expect(RANKING, GII.indicator, "In", "ClusterRanking-indicator"),)),
    # --- documents: the article whose passages we publish, the documents we cite, passages ---
    Case("article-iri", edit=rename(ART, iri("article/CNIPNews-2023-10-08")),
         expected=(expect(iri("article/CNIPNews-2023-10-08"), None, "Pattern", "Document"),)),
    Case("article-iri-kind", edit=rename(ART, iri("source/cnipnews-2023-10-08")),
         expected=(expect(iri("source/cnipnews-2023-10-08"), None, "Pattern", "NewsArticle"),)),
    Case("article-not-typed-news-article", remove=[(ART, RDF.type, SCHEMA.NewsArticle)],
         expected=(expect(ART, RDF.type, "HasValue", "NewsArticle-type"),)),
    Case("article-no-headline", remove=[(ART, SCHEMA.headline, None)],
         expected=(expect(ART, SCHEMA.headline, "MinCount", "NewsArticle-headline"),)),
    Case("article-date-without-offset", remove=[(ART, SCHEMA.datePublished, None)],
         add=[(ART, SCHEMA.datePublished, Literal(datetime(2023, 10, 8, 15, 37)))],
         expected=(expect(ART, SCHEMA.datePublished, "Pattern", "NewsArticle-datePublished"),)),
    Case("article-date-only", remove=[(ART, SCHEMA.datePublished, None)],
         add=[(ART, SCHEMA.datePublished, Literal(date(2023, 10, 8)))],
         expected=(expect(ART, SCHEMA.datePublished, "Datatype", "NewsArticle-datePublished"),
                   expect(ART, SCHEMA.datePublished, "Pattern", "NewsArticle-datePublished"))),
    Case("article-language-name", remove=[(ART, SCHEMA.inLanguage, None)], add=[(ART, SCHEMA.inLanguage, Literal("English"))],
         expected=(expect(ART, SCHEMA.inLanguage, "Pattern", "Document-inLanguage"),)),
    Case("article-no-language", remove=[(ART, SCHEMA.inLanguage, None)],
         expected=(expect(ART, SCHEMA.inLanguage, "MinCount", "NewsArticle-inLanguage"),)),
    Case("article-two-publishers", add=[(ART, SCHEMA.publisher, WIPO)],
         expected=(expect(ART, SCHEMA.publisher, "MaxCount", "Document-publisher"),)),
    Case("article-no-publisher", remove=[(ART, SCHEMA.publisher, None)],
         expected=(expect(ART, SCHEMA.publisher, "MinCount", "NewsArticle-publisher"),)),
    Case("article-no-copyright-holder", remove=[(ART, SCHEMA.copyrightHolder, None)],
         expected=(expect(ART, SCHEMA.copyrightHolder, "MinCount", "NewsArticle-copyrightHolder"),)),
    Case("article-no-rights", remove=[(ART, SCHEMA.copyrightNotice, None)],
         expected=(expect(ART, SCHEMA.copyrightNotice, "MinCount", "NewsArticle-copyrightNotice"),)),
    Case("article-authored-by-organization", add=[(ART, SCHEMA.author, CIPN)],
         expected=(expect(ART, SCHEMA.author, "Class", "NewsArticle-author"),)),
    Case("article-edited-by-organization", add=[(ART, SCHEMA.editor, CIPN)],
         expected=(expect(ART, SCHEMA.editor, "Class", "NewsArticle-editor"),)),
    Case("article-about-nothing", remove=[(ART, SCHEMA.about, None)],
         expected=(expect(ART, SCHEMA.about, "MinCount", "NewsArticle-about"),)),
    # an article that lists no passages is neither curated nor found by a URL
    Case("article-no-passages", remove=[(ART, SCHEMA.hasPart, None)],
         expected=(expect(ART, None, "Or", "DocumentFound"),)),
    Case("article-part-not-a-passage", add=[(ART, SCHEMA.hasPart, VIDEO)],
         expected=(expect(ART, SCHEMA.hasPart, "Class", "NewsArticle-hasPart"),)),
    Case("article-text-republished", add=[(ART, SCHEMA.text, EN("GENEVA, Sept. 27 — ..."))],
         expected=(expect(ART, SCHEMA.text, "MaxCount", "NewsArticle-text"),)),
    Case("passage-iri", edit=rename(passage(3), iri("passage/p3?x=1")),
         expected=(expect(iri("passage/p3?x=1"), None, "Pattern", "Passage"),)),
    Case("passage-not-a-creative-work", remove=[(passage(3), RDF.type, SCHEMA.CreativeWork)],
         expected=(expect(passage(3), RDF.type, "HasValue", "Passage-type"),)),
    Case("passage-of-nothing", remove=[(passage(3), SCHEMA.isPartOf, None)],
         expected=(expect(passage(3), SCHEMA.isPartOf, "MinCount", "Passage-isPartOf"),)),
    Case("passage-number-zero", remove=[(passage(3), SCHEMA.position, None)], add=[(passage(3), SCHEMA.position, Literal(0))],
         expected=(expect(passage(3), SCHEMA.position, "MinInclusive", "Passage-position"),)),
    Case("passage-no-topic", remove=[(passage(3), SCHEMA.description, None)],
         expected=(expect(passage(3), SCHEMA.description, "QualifiedMinCount", "Passage-description"),)),
    Case("passage-text-republished", add=[(passage(3), SCHEMA.text, EN("Section heading"))],
         expected=(expect(passage(3), SCHEMA.text, "MaxCount", "Passage-text"),)),
    # a cited news article needs no author, editor or passages: a name and its URL
    Case("cited-document-no-url", remove=[(XIAN_PAGE, SCHEMA.url, None)],
         expected=(expect(XIAN_PAGE, None, "Or", "DocumentFound"),
                   expect(XIAN_RANK, PROV.wasDerivedFrom, "Or", "Fact-source"))),
    Case("cited-document-two-urls", add=[(XIAN_PAGE, SCHEMA.url, URIRef("https://en.xa.gov.cn/"))],
         expected=(expect(XIAN_PAGE, SCHEMA.url, "MaxCount", "Document-url"),)),
    Case("cited-document-url-as-text", **replace(XIAN_PAGE, SCHEMA.url, Literal("https://en.xa.gov.cn/")),
         expected=(expect(XIAN_PAGE, SCHEMA.url, "NodeKind", "Document-url"),)),
    Case("cited-document-iri-kind", edit=rename(XIAN_PAGE, iri("report/xian-gov-gii-2023")),
         expected=(expect(iri("report/xian-gov-gii-2023"), None, "Pattern", "Document"),)),
    Case("cited-document-no-name", remove=[(XIAN_PAGE, SCHEMA.name, None), (XIAN_PAGE, RDFS.label, None)],
         expected=(expect(XIAN_PAGE, SCHEMA.name, "QualifiedMinCount", "name-en"),)),
    # --- statistical data: every observation ---
    Case("observation-iri", edit=rename(OBS_SS23, iri("observation/ss-2023#rank")),
         expected=(expect(iri("observation/ss-2023#rank"), None, "Pattern", "Observation"),)),
    Case("observation-not-qb", remove=[(OBS_SS23, RDF.type, QB.Observation)],
         expected=(expect(OBS_SS23, RDF.type, "HasValue", "Observation-type"),)),
    Case("observation-no-dataset", remove=[(OBS_NJ23, QB.dataSet, None)],
         expected=(expect(OBS_NJ23, QB.dataSet, "MinCount", "Observation-dataSet"),)),
    Case("observation-no-edition", remove=[(OBS_NJ23, GII.edition, None)],
         expected=(expect(OBS_NJ23, GII.edition, "MinCount", "Observation-edition"),)),
    Case("observation-no-measure-type", remove=[(TY_RANK, QB.measureType, None)],
         expected=(expect(TY_RANK, QB.measureType, "MinCount", "Observation-measureType"),)),
    Case("table-observation-no-unit", remove=[(TY_RANK, SDMX_ATTRIBUTE.unitMeasure, None)],
         expected=(expect(TY_RANK, SDMX_ATTRIBUTE.unitMeasure, "MinCount", "Observation-unit"),)),
    Case("table-observation-two-units", add=[(TY_RANK, SDMX_ATTRIBUTE.unitMeasure, UNIT.PERCENT)],
         expected=(expect(TY_RANK, SDMX_ATTRIBUTE.unitMeasure, "MaxCount", "Observation-unit"),
                   expect(TY_RANK, SDMX_ATTRIBUTE.unitMeasure, "In", "RankMeasure-unit"))),
    Case("table-observation-unit-as-text", **replace(TY_PCT, SDMX_ATTRIBUTE.unitMeasure, Literal("NUM")),
         expected=(expect(TY_PCT, SDMX_ATTRIBUTE.unitMeasure, "NodeKind", "Observation-unit"),
                   expect(TY_PCT, SDMX_ATTRIBUTE.unitMeasure, "In", "CountMeasure-unit"))),
    Case("table-observation-no-source", remove=[(TY_RANK, DCTERMS.source, None)],
         expected=(expect(TY_RANK, DCTERMS.source, "MinCount", "Observation-source"),)),
    Case("table-observation-two-sources", add=[(TY_RANK, DCTERMS.source, XIAN_PAGE)],
         expected=(expect(TY_RANK, DCTERMS.source, "MaxCount", "Observation-source"),)),
    Case("table-observation-source-not-a-document", **replace(TY_RANK, DCTERMS.source, WIPO),
         expected=(expect(TY_RANK, DCTERMS.source, "Class", "Observation-source"),
                   expect(WIPO, None, "Pattern", "Document"),
                   expect(WIPO, None, "Or", "DocumentFound"))),
    Case("table-observation-no-provenance", remove=[(TY_RANK, PROV.wasDerivedFrom, None)],
         expected=(expect(TY_RANK, PROV.wasDerivedFrom, "MinCount", "Fact-source"),)),
    Case("observation-of-a-city", **replace(OBS_NJ23, GII.cluster, iri("city/nanjing")),
         expected=(expect(OBS_NJ23, GII.cluster, "Class", "RankObservation-cluster"),)),
    Case("count-of-a-region", **replace(CN_COUNT, SDMX_DIMENSION.refArea, R_EA),
         expected=(expect(CN_COUNT, SDMX_DIMENSION.refArea, "Class", "EconomyCountObservation-refArea"),)),
    Case("count-of-nothing", remove=[(CN_COUNT, SDMX_DIMENSION.refArea, None)],
         expected=(expect(CN_COUNT, SDMX_DIMENSION.refArea, "MinCount", "EconomyCountObservation-refArea"),)),
    # --- the figure sits on the measure the observation names (Data Cube IC-15, IC-16) ---
    Case("observation-rank-and-bound", add=[(OBS_NJ23, GII.rank, Literal(20))],
         expected=(expect(BOUNDS, GII.rank, "SPARQL", "DataSetMeasures-sparql"),)),
    Case("observation-no-measure", remove=[(OBS_NJ23, GII.rankUpperBound, None)],
         expected=(expect(BOUNDS, GII.rankUpperBound, "SPARQL", "DataSetMeasures-sparql"),)),
    Case("observation-wrong-measure-type", **replace(OBS_SS23, QB.measureType, GII.rankUpperBound),
         expected=(expect(DATASET, GII.rankUpperBound, "SPARQL", "DataSetMeasures-sparql"),
                   expect(DATASET, QB.measureType, "SPARQL", "DataSetMeasures-sparql"),
                   expect(DATASET, GII.rank, "SPARQL", "DataSetMeasures-sparql"))),
    Case("table-observation-two-figures", add=[(TY_RANK, GII.pctApplications, Literal(134785))],
         expected=(expect(APPENDIX_RANKS, GII.pctApplications, "SPARQL", "DataSetMeasures-sparql"),
                   expect(TY_RANK, SDMX_ATTRIBUTE.unitMeasure, "In", "CountMeasure-unit"))),
    Case("count-measure-not-in-its-structure", remove=[(CN_COUNT, QB.measureType, None)],
         add=[(CN_COUNT, QB.measureType, GII.rank), (CN_COUNT, GII.rank, Literal(1))],
         expected=(expect(STDAILY_COUNTS, QB.measureType, "SPARQL", "DataSetMeasures-sparql"),
                   expect(STDAILY_COUNTS, GII.clusterCount, "SPARQL", "DataSetMeasures-sparql"),
                   expect(CN_COUNT, SDMX_ATTRIBUTE.unitMeasure, "In", "RankMeasure-unit"))),
    # --- each kind of figure: one value, its datatype, its range, its unit ---
    Case("rank-zero", **replace(OBS_SS23, GII.rank, Literal(0)),
         expected=(expect(OBS_SS23, GII.rank, "MinInclusive", "RankMeasure-rank"),)),
    Case("rank-101", **replace(TY_RANK, GII.rank, Literal(101)),
         expected=(expect(TY_RANK, GII.rank, "MaxInclusive", "RankMeasure-rank"),)),
    Case("rank-as-string", **replace(OBS_SS23, GII.rank, Literal("5")),
         expected=(expect(OBS_SS23, GII.rank, "Datatype", "RankMeasure-rank"),
                   expect(OBS_SS23, GII.rank, "MinInclusive", "RankMeasure-rank"),
                   expect(OBS_SS23, GII.rank, "MaxInclusive", "RankMeasure-rank"))),
    Case("rank-two-values", add=[(TY_RANK, GII.rank, Literal(2))],
         expected=(expect(TY_RANK, GII.rank, "MaxCount", "RankMeasure-rank"),
                   expect(APPENDIX, GII.rank, "SPARQL", "FigureUnique-sparql"),
                   expect(APPENDIX, GII.rank, "SPARQL", "RankUnique-sparql"))),
    Case("upper-bound-zero", **replace(OBS_NJ23, GII.rankUpperBound, Literal(0)),
         expected=(expect(OBS_NJ23, GII.rankUpperBound, "MinInclusive", "RankMeasure-rankUpperBound"),)),
    Case("previous-rank-zero", **replace(TY_PREVIOUS, GII.previousRank, Literal(0)),
         expected=(expect(TY_PREVIOUS, GII.previousRank, "MinInclusive", "RankMeasure-previousRank"),)),
    Case("rank-change-as-decimal", **replace(TY_CHANGE, GII.rankChange, Literal(Decimal("0.0"))),
         expected=(expect(TY_CHANGE, GII.rankChange, "Datatype", "RankMeasure-rankChange"),)),
    Case("rank-in-percent", **replace(TY_RANK, SDMX_ATTRIBUTE.unitMeasure, UNIT.PERCENT),
         expected=(expect(TY_RANK, SDMX_ATTRIBUTE.unitMeasure, "In", "RankMeasure-unit"),)),
    Case("pct-applications-negative", **replace(TY_PCT, GII.pctApplications, Literal(-1)),
         expected=(expect(TY_PCT, GII.pctApplications, "MinInclusive", "CountMeasure-pctApplications"),)),
    Case("publications-as-decimal", **replace(TY_PUBLICATIONS, GII.scientificPublications,
                                              Literal(Decimal("115020.5"))),
         expected=(expect(TY_PUBLICATIONS, GII.scientificPublications, "Datatype", "CountMeasure-scientificPublications"),)),
    Case("cluster-count-101", **replace(CN_COUNT, GII.clusterCount, Literal(101)),
         expected=(expect(CN_COUNT, GII.clusterCount, "MaxInclusive", "CountMeasure-clusterCount"),)),
    Case("count-in-percent", **replace(CN_COUNT, SDMX_ATTRIBUTE.unitMeasure, UNIT.PERCENT),
         expected=(expect(CN_COUNT, SDMX_ATTRIBUTE.unitMeasure, "In", "CountMeasure-unit"),)),
    Case("share-of-120", **replace(TY_PCT_SHARE, GII.pctShare, Literal(Decimal("120.0"))),
         expected=(expect(TY_PCT_SHARE, GII.pctShare, "MaxInclusive", "ShareMeasure-pctShare"),)),
    Case("share-as-integer", **replace(TY_PUB_SHARE, GII.publicationShare, Literal(2)),
         expected=(expect(TY_PUB_SHARE, GII.publicationShare, "Datatype", "ShareMeasure-publicationShare"),)),
    Case("share-negative", **replace(TY_TOTAL_SHARE, GII.totalShare, Literal(Decimal("-0.1"))),
         expected=(expect(TY_TOTAL_SHARE, GII.totalShare, "MinInclusive", "ShareMeasure-totalShare"),)),
    Case("share-counted", **replace(TY_PCT_SHARE, SDMX_ATTRIBUTE.unitMeasure, UNIT.NUM),
         expected=(expect(TY_PCT_SHARE, SDMX_ATTRIBUTE.unitMeasure, "In", "ShareMeasure-unit"),)),
    # --- one figure per cluster or economy, edition, measure and source; a rank to one cluster ---
    Case("two-ranks-same-cluster-edition", add=rank_fact(OBS_SS23_BIS, DATASET, 7),
         expected=(expect(ART, GII.rank, "SPARQL", "FigureUnique-sparql"),)),
    Case("same-rank-twice-agrees", add=rank_fact(OBS_SS23_BIS, DATASET, 5), expected=()),
    Case("another-source-may-disagree", add=another_source() + rank_fact(OBS_SS23_BIS, OTHER_DATASET, 7, OTHER_SOURCE,
                                                                           OTHER_SOURCE),
         expected=()),
    Case("table-duplicate-rank-same-edition-source", **replace(SEOUL_RANK, GII.rank, Literal(1)),
         expected=(expect(APPENDIX, GII.rank, "SPARQL", "RankUnique-sparql"),)),
    Case("table-duplicate-previous-rank", **replace(SEOUL_PREVIOUS, GII.previousRank, Literal(1)),
         expected=(expect(APPENDIX, GII.previousRank, "SPARQL", "RankUnique-sparql"),)),
    Case("two-counts-same-economy", **replace(US_COUNT, SDMX_DIMENSION.refArea, E_CN),
         expected=(expect(STDAILY, GII.clusterCount, "SPARQL", "FigureUnique-sparql"),)),
    # --- data sets and structures ---
    Case("dataset-iri", edit=rename(DATASET, iri("dataset/Ranks")),
         expected=(expect(iri("dataset/Ranks"), None, "Pattern", "DataSet"),)),
    Case("dataset-no-structure", remove=[(DATASET, QB.structure, None)],
         expected=(expect(DATASET, QB.structure, "MinCount", "DataSet-structure"),)),
    Case("dataset-structure-not-a-structure", **replace(STDAILY_COUNTS, QB.structure, GII.clusterCount),
         expected=(expect(STDAILY_COUNTS, QB.structure, "Class", "DataSet-structure"),
                   expect(STDAILY_COUNTS, QB.measureType, "SPARQL", "DataSetMeasures-sparql"))),
    Case("dataset-no-source", remove=[(DATASET, DCTERMS.source, None)],
         expected=(expect(DATASET, DCTERMS.source, "MinCount", "DataSet-source"),)),
    Case("structure-without-components", add=structure(),
         expected=(expect(NEW_DSD, QB.component, "MinCount", "DataStructureDefinition-component"),
                   expect(NEW_DSD, QB.component, "QualifiedMinCount", "DataStructureDefinition-measure"))),
    Case("structure-without-measure", add=structure(component("cluster"), component("edition"), component("source")),
         expected=(expect(NEW_DSD, QB.component, "QualifiedMinCount", "DataStructureDefinition-measure"),)),
    Case("structure-component-is-a-property", add=[(DSD, QB.component, GII.rank)],
         expected=(expect(DSD, QB.component, "Class", "DataStructureDefinition-component"),)),
    Case("component-dimension-and-measure", add=[(component("cluster"), QB.measure, GII.rank)],
         expected=(expect(component("cluster"), None, "Xone", "ComponentSpecification"),)),
    Case("component-attribute-and-dimension", add=[(component("source"), QB.dimension, GII.edition)],
         expected=(expect(component("source"), None, "Xone", "ComponentSpecification"),)),
    # --- event and video ---
    Case("event-iri", edit=rename(EVENT, iri("event/roundtable/2023")),
         expected=(expect(iri("event/roundtable/2023"), None, "Pattern", "Event"),)),
    Case("event-derived-from-a-passage", add=[(EVENT, PROV.wasDerivedFrom, passage(2))],
         expected=(expect(EVENT, PROV.wasDerivedFrom, "MaxCount", "Event-derivedFrom"),)),
    Case("event-no-passage", remove=[(EVENT, SCHEMA.subjectOf, None)],
         expected=(expect(EVENT, SCHEMA.subjectOf, "MinCount", "Event-source"),)),
    Case("quotation-excerpt-not-boolean", **replace(ST_ALEMAN, GII.excerpt, Literal("yes")),
         expected=(expect(ST_ALEMAN, GII.excerpt, "Datatype", "Quotation-excerpt"),)),
    Case("reported-speech-excerpt", add=[(ST_ZGJ, GII.excerpt, Literal(True))],
         expected=(expect(ST_ZGJ, None, "Class", "Excerpt"),)),
    Case("inference-untagged", add=[(POST_LH, GII.inference, Literal("a guess"))],
         expected=(expect(POST_LH, GII.inference, "Datatype", "Inference-inference"),
                   expect(POST_LH, GII.inference, "QualifiedMinCount", "Inference-inference"))),
    Case("event-about-a-place", add=[(EVENT, SCHEMA.about, E_CN)],
         expected=(expect(EVENT, SCHEMA.about, "Class", "Event-about"),)),
    Case("event-attended-by-a-city", add=[(EVENT, SCHEMA.attendee, CITY_SUZHOU)],
         expected=(expect(EVENT, SCHEMA.attendee, "Or", "Event-attendee"),)),
    Case("event-features-an-article", add=[(EVENT, SCHEMA.workFeatured, ART)],
         expected=(expect(EVENT, SCHEMA.workFeatured, "Class", "Event-workFeatured"),)),
    Case("video-iri", edit=rename(VIDEO, iri("video/Aleman")),
         expected=(expect(iri("video/Aleman"), None, "Pattern", "VideoObject"),)),
    Case("video-no-creator", remove=[(VIDEO, SCHEMA.creator, None)],
         expected=(expect(VIDEO, SCHEMA.creator, "MinCount", "VideoObject-creator"),)),
    # --- statements ---
    Case("statement-iri", edit=rename(ST_ENT, iri("statement/enterprises_experience")),
         expected=(expect(iri("statement/enterprises_experience"), None, "Pattern", "Statement"),)),
    Case("statement-no-text", remove=[(ST_ENT, SCHEMA.text, None)],
         expected=(expect(ST_ENT, SCHEMA.text, "MinCount", "Statement-text"),)),
    Case("statement-stated-in-article", remove=[(ST_ENT, GII.statedIn, None)], add=[(ST_ENT, GII.statedIn, ART)],
         expected=(expect(ST_ENT, GII.statedIn, "Or", "Statement-statedIn"),)),
    Case("statement-post-is-a-role", remove=[(ST_ZGJ, GII.speakerPost, None)], add=[(ST_ZGJ, GII.speakerPost, ROLE_VM)],
         expected=(expect(ST_ZGJ, GII.speakerPost, "Class", "Statement-speakerPost"),
                   expect(ST_ZGJ, GII.speakerPost, "SPARQL", "StatementPost-sparql"))),
    Case("statement-no-speech-mode", remove=[(ST_ZGJ, GII.speechMode, None)],
         expected=(expect(ST_ZGJ, None, "Xone", "StatementSpeech"),)),
    Case("statement-reported-typed-quotation", add=[(ST_ZGJ, RDF.type, SCHEMA.Quotation)],
         expected=(expect(ST_ZGJ, None, "Xone", "StatementSpeech"),
                   expect(ST_ZGJ, SCHEMA.isPartOf, "Equals", "Quotation-isPartOf"),
                   expect(ST_ZGJ, SCHEMA.text, "MaxLength", "Quotation-text"))),
    Case("statement-no-speaker", remove=[(ST_ENT, SCHEMA.author, None)],
         expected=(expect(ST_ENT, SCHEMA.author, "SPARQL", "StatementSpeaker-sparql"),)),
    Case("statement-spoken-by-a-place", add=[(ST_ENT, SCHEMA.author, E_CN)],
         expected=(expect(ST_ENT, SCHEMA.author, "SPARQL", "StatementSpeaker-sparql"),)),
    Case("statement-no-source", remove=[(ST_ZGJ, PROV.wasDerivedFrom, None)],
         expected=(expect(ST_ZGJ, PROV.wasDerivedFrom, "SPARQL", "StatementSource-sparql"),)),
    Case("statement-source-not-a-passage", add=[(ST_ZGJ, PROV.wasDerivedFrom, ART)],
         expected=(expect(ST_ZGJ, PROV.wasDerivedFrom, "SPARQL", "StatementSource-sparql"),)),
    Case("statement-post-of-someone-else", remove=[(ST_ZGJ, GII.speakerPost, None)], add=[(ST_ZGJ, GII.speakerPost, POST_LH)],
         expected=(expect(ST_ZGJ, GII.speakerPost, "SPARQL", "StatementPost-sparql"),)),
    Case("quotation-too-long", remove=[(ST_ALEMAN, SCHEMA.text, None)], add=[(ST_ALEMAN, SCHEMA.text, EN("China " * 60))],
         expected=(expect(ST_ALEMAN, SCHEMA.text, "MaxLength", "Quotation-text"),)),
    Case("quotation-part-of-the-article", remove=[(ST_ALEMAN, SCHEMA.isPartOf, None)], add=[(ST_ALEMAN, SCHEMA.isPartOf, ART)],
         expected=(expect(ST_ALEMAN, SCHEMA.isPartOf, "Equals", "Quotation-isPartOf"),
                   expect(ST_ALEMAN, SCHEMA.isPartOf, "Equals", "Quotation-isPartOf"))),
    Case("reported-statement-no-appearance", remove=[(ST_ENT, SCHEMA.appearance, None)],
         expected=(expect(ST_ENT, SCHEMA.appearance, "MinCount", "Claim-appearance"),)),
    Case("reported-by-a-person", remove=[(ST_ENT, SCHEMA.claimInterpreter, None)], add=[(ST_ENT, SCHEMA.claimInterpreter, ZGJ)],
         expected=(expect(ST_ENT, SCHEMA.claimInterpreter, "Class", "Claim-claimInterpreter"),)),
    # --- checkable claims ---
    Case("claim-iri", edit=rename(CLAIM, iri("claim/Shanghai-Suzhou-5th")),
         expected=(expect(iri("claim/Shanghai-Suzhou-5th"), None, "Pattern", "CheckableClaim"),)),
    Case("claim-not-schema-claim", remove=[(CLAIM, RDF.type, SCHEMA.Claim)],
         expected=(expect(CLAIM, RDF.type, "HasValue", "CheckableClaim-type"),)),
    Case("claim-quote-too-long", remove=[(CLAIM, SCHEMA.text, None)], add=[(CLAIM, SCHEMA.text, EN("ascends " * 30))],
         expected=(expect(CLAIM, SCHEMA.text, "MaxLength", "CheckableClaim-text"),)),
    Case("claim-no-summary", remove=[(CLAIM, SCHEMA.description, None)],
         expected=(expect(CLAIM, SCHEMA.description, "QualifiedMinCount", "CheckableClaim-description"),)),
    Case("claim-by-a-place", remove=[(CLAIM, SCHEMA.author, None)], add=[(CLAIM, SCHEMA.author, E_CN)],
         expected=(expect(CLAIM, SCHEMA.author, "Or", "CheckableClaim-author"),)),
    Case("claim-based-on-nothing", remove=[(CLAIM, SCHEMA.isBasedOn, None)],
         expected=(expect(CLAIM, SCHEMA.isBasedOn, "MinCount", "CheckableClaim-isBasedOn"),)),
    # --- claim reviews (giigraph claims) ---
    Case("review-iri", edit=rename(REVIEW, iri("review/Shanghai-Suzhou")),
         expected=(expect(iri("review/Shanghai-Suzhou"), None, "Pattern", "ClaimReview"),)),
    Case("review-of-a-statement", **replace(REVIEW, SCHEMA.itemReviewed, ST_ZGJ),
         expected=(expect(REVIEW, SCHEMA.itemReviewed, "Class", "ClaimReview-itemReviewed"),)),
    Case("review-claim-words-untagged", **replace(REVIEW, SCHEMA.claimReviewed, Literal("ascends from 6th")),
         expected=(expect(REVIEW, SCHEMA.claimReviewed, "Datatype", "ClaimReview-claimReviewed"),)),
    Case("review-two-ratings", add=[(REVIEW, SCHEMA.reviewRating, iri("rating/china-hosts-most-top-100-clusters"))],
         expected=(expect(REVIEW, SCHEMA.reviewRating, "MaxCount", "ClaimReview-reviewRating"),)),
    Case("review-no-url", remove=[(REVIEW, SCHEMA.url, None)],
         expected=(expect(REVIEW, SCHEMA.url, "MinCount", "ClaimReview-url"),)),
    Case("review-unknown-verdict", **replace(REVIEW, GII.verdict, GII.Cluster),
         expected=(expect(REVIEW, GII.verdict, "In", "ClaimReview-verdict"),)),
    Case("rating-iri", edit=rename(RATING, iri("rating/shanghai_suzhou")),
         expected=(expect(iri("rating/shanghai_suzhou"), None, "Pattern", "Rating"),)),
    Case("rating-of-four", **replace(RATING, SCHEMA.ratingValue, Literal(4)),
         expected=(expect(RATING, SCHEMA.ratingValue, "MaxInclusive", "Rating-ratingValue"),)),
    Case("rating-without-words", remove=[(RATING, SCHEMA.alternateName, None)],
         expected=(expect(RATING, SCHEMA.alternateName, "QualifiedMinCount", "Rating-alternateName"),)),
    # --- across classes ---
    Case("fact-no-source", remove=[(POST_ALEMAN, PROV.wasDerivedFrom, None)],
         expected=(expect(POST_ALEMAN, PROV.wasDerivedFrom, "MinCount", "Fact-source"),)),
    Case("fact-source-not-a-passage", add=[(OBS_SS23, PROV.wasDerivedFrom, ART)],
         expected=(expect(OBS_SS23, PROV.wasDerivedFrom, "Or", "Fact-source"),)),
    Case("fact-source-a-place", add=[(POST_ALEMAN, PROV.wasDerivedFrom, E_CN)],
         expected=(expect(POST_ALEMAN, PROV.wasDerivedFrom, "Or", "Fact-source"),)),
    Case("same-as-not-wikidata", add=[(CITY_SUZHOU, SCHEMA.sameAs, URIRef("https://en.wikipedia.org/wiki/Suzhou"))],
         expected=(expect(CITY_SUZHOU, SCHEMA.sameAs, "Pattern", "SameAs-sameAs"),)),
    Case("same-as-two-wikidata-entities", add=[(CITY_TOKYO, SCHEMA.sameAs, WIKIDATA.Q7473516)],
         expected=(expect(CITY_TOKYO, SCHEMA.sameAs, "QualifiedMaxCount", "SameAs-wikidata"),)),
    # --- where places are (geo-shapes.ttl) ---
    Case("city-without-owl-geonames-link", remove=[(CITY_TOKYO, OWL.sameAs, None)],
         expected=(expect(CITY_TOKYO, OWL.sameAs, "QualifiedMinCount", "GeoNamesPlace-owlSameAs"),)),
    Case("economy-two-owl-geonames-links", add=[(E_CN, OWL.sameAs, geonames(1796236))],
         expected=(expect(E_CN, OWL.sameAs, "QualifiedMaxCount", "GeoNamesPlace-owlSameAs"),)),
    Case("economy-without-schema-geonames-link", remove=[(E_JP, SCHEMA.sameAs, geonames(1861060))],
         expected=(expect(E_JP, SCHEMA.sameAs, "QualifiedMinCount", "GeoNamesPlace-schemaSameAs"),)),
    Case("geonames-link-over-http", **replace(E_NL, SCHEMA.sameAs, URIRef("http://sws.geonames.org/2750405/")),
         expected=(expect(E_NL, SCHEMA.sameAs, "Pattern", "SameAs-sameAs"),
                   expect(E_NL, SCHEMA.sameAs, "QualifiedMinCount", "GeoNamesPlace-schemaSameAs"))),
    Case("owl-same-as-wikidata", add=[(CITY_TOKYO, OWL.sameAs, WIKIDATA.Q1490)],
         expected=(expect(CITY_TOKYO, OWL.sameAs, "Node", "OwlSameAs-sameAs"),)),
    Case("latitude-above-90", **replace(CITY_TOKYO, WGS84.lat, Literal(Decimal("95.6895"))),
         expected=(expect(CITY_TOKYO, WGS84.lat, "MaxInclusive", "City-lat"),)),
    Case("latitude-as-text", **replace(CITY_TOKYO, WGS84.lat, Literal("35.6895")),
         expected=(expect(CITY_TOKYO, WGS84.lat, "Datatype", "City-lat"),  # and text is not comparable with numbers:
                   expect(CITY_TOKYO, WGS84.lat, "MinInclusive", "City-lat"),
                   expect(CITY_TOKYO, WGS84.lat, "MaxInclusive", "City-lat"))),
    Case("longitude-below-minus-180", **replace(CITY_TOKYO, WGS84.long, Literal(Decimal("-181.5"))),
         expected=(expect(CITY_TOKYO, WGS84.long, "MinInclusive", "City-long"),)),
    Case("city-two-longitudes", add=[(CITY_TOKYO, WGS84.long, Literal(Decimal("139.7")))],
         expected=(expect(CITY_TOKYO, WGS84.long, "MaxCount", "City-long"),)),
    Case("city-without-geometry", remove=[(CITY_TOKYO, GEO.hasGeometry, None)],
         expected=(expect(CITY_TOKYO, GEO.hasGeometry, "MinCount", "City-hasGeometry"),)),
    Case("city-geometry-not-a-point", remove=[(TOKYO_GEOMETRY, RDF.type, SF.Point)],
         expected=(expect(CITY_TOKYO, GEO.hasGeometry, "Class", "City-hasGeometry"),)),
    Case("city-without-schema-geo", remove=[(CITY_TOKYO, SCHEMA.geo, None)],
         expected=(expect(CITY_TOKYO, SCHEMA.geo, "MinCount", "City-geo"),)),
    Case("cluster-without-geometry", remove=[(C_SS, GEO.hasGeometry, None)],
         expected=(expect(C_SS, GEO.hasGeometry, "MinCount", "Cluster-hasGeometry"),)),
    Case("wkt-comma-between-longitude-and-latitude", **replace(TOKYO_GEOMETRY, GEO.asWKT, wkt("POINT(139.69171, 35.6895)")),
         expected=(expect(TOKYO_GEOMETRY, GEO.asWKT, "Pattern", "Geometry-asWKT"),)),
    Case("wkt-latitude-first", **replace(TOKYO_GEOMETRY, GEO.asWKT, wkt("POINT(35.6895 139.69171)")),
         expected=(expect(TOKYO_GEOMETRY, GEO.asWKT, "Pattern", "Geometry-asWKT"),)),
    Case("wkt-multipoint-without-parentheses",
         **replace(SS_GEOMETRY, GEO.asWKT, wkt("MULTIPOINT(121.45806 31.22222, 120.59538 31.30408)")),
         expected=(expect(SS_GEOMETRY, GEO.asWKT, "Pattern", "Geometry-asWKT"),)),
    Case("wkt-as-plain-text", **replace(TOKYO_GEOMETRY, GEO.asWKT, Literal("POINT(139.69171 35.6895)")),
         expected=(expect(TOKYO_GEOMETRY, GEO.asWKT, "Datatype", "Geometry-asWKT"),)),
    Case("geometry-without-source", remove=[(TOKYO_GEOMETRY, DCTERMS.source, None)],
         expected=(expect(TOKYO_GEOMETRY, DCTERMS.source, "MinCount", "Geometry-source"),)),
    Case("geometry-iri", edit=rename(TOKYO_GEOMETRY, iri("geometry/tokyo")),
         expected=(expect(iri("geometry/tokyo"), None, "Pattern", "Geometry"),)),
    Case("coordinates-latitude-below-minus-90", **replace(TOKYO_COORDINATES, SCHEMA.latitude, Literal(Decimal("-95"))),
         expected=(expect(TOKYO_COORDINATES, SCHEMA.latitude, "MinInclusive", "GeoCoordinates-latitude"),)),
    Case("coordinates-longitude-above-180", **replace(TOKYO_COORDINATES, SCHEMA.longitude, Literal(Decimal("239.7"))),
         expected=(expect(TOKYO_COORDINATES, SCHEMA.longitude, "MaxInclusive", "GeoCoordinates-longitude"),)),
    Case("coordinates-without-source", remove=[(TOKYO_COORDINATES, DCTERMS.source, None)],
         expected=(expect(TOKYO_COORDINATES, DCTERMS.source, "MinCount", "GeoCoordinates-source"),)),
    Case("coordinates-iri", edit=rename(TOKYO_COORDINATES, URIRef(f"{CITY_TOKYO}#geo")),
         expected=(expect(URIRef(f"{CITY_TOKYO}#geo"), None, "Pattern", "GeoCoordinates"),)),
]


@pytest.fixture(scope="module")
def shapes() -> Graph:
    g = Graph()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


#: The named graphs the broken fixtures change: the curated entities, the article, the claim reviews
#: and four cited sources (WIPO's table, a web page with one rank, a newspaper's counts per economy,
#: GeoNames' coordinates).
#: They hold every kind of node the shapes target in three quarters of the dataset, which makes each of
#: the fixtures' validations faster; the whole dataset is validated as built, below.
CASE_GRAPHS = {f"{BASE}graph/{name}" for name in (
    "curated", "claim-reviews", f"source/{ARTICLE}", "source/gii-2023-appendix-table-3", "source/xian-gov-gii-2023",
    "source/stdaily-gii-2023-clusters", "source/geonames")}


@pytest.fixture(scope="module")
def data() -> Graph:
    return union(q for q in build(BASE).quads() if str(q[3]) in CASE_GRAPHS)


def test_built_dataset_conforms_with_no_results_at_all():
    conforms, results = validate(union(build(BASE).quads()))
    assert conforms and results == set()


def test_the_fixtures_start_from_conforming_data(data):
    assert validate(data) == (True, set())


def test_shapes_hold_under_another_base():
    conforms, results = validate(union(build("http://example.org/kg/").quads()))
    assert conforms and results == set()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_fixture_gives_exactly_the_expected_results(case, data):
    conforms, results = validate(case.apply(data))
    assert results == set(case.expected)
    assert conforms == (not case.expected)  # SHACL: a report with any result, even a warning, does not conform


# --- the shapes file itself ----------------------------------------------------------------------

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
NODE_LEVEL = (SH.nodeKind, SH.pattern, SH["class"], SH.datatype, SH.hasValue, SH["in"], SH.languageIn,
              SH["or"], SH.xone, SH["and"], SH["not"])


def node_shapes(g: Graph) -> set:
    return set(g.subjects(RDF.type, SH.NodeShape))


def property_shapes(g: Graph) -> set:
    return set(g.subjects(RDF.type, SH.PropertyShape)) | set(g.subjects(SH.path, None))


def sparql_constraints(g: Graph) -> set:
    return set(g.subjects(RDF.type, SH.SPARQLConstraint)) | set(g.objects(None, SH.sparql))


def targeted(g: Graph) -> set:
    return {s for s in node_shapes(g) if any(True for t in TARGETS for _ in g.objects(s, t))}


def used_by_other_shapes(g: Graph) -> set:
    used = {o for p in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape) for o in g.objects(None, p)}
    for p in (SH["or"], SH.xone, SH["and"]):
        for head in g.objects(None, p):
            used |= set(Collection(g, head))
    return used


def focus_nodes(shapes: Graph, shape, data: Graph) -> set:
    """What a shape's targets select in the data."""
    nodes = {n for cls in shapes.objects(shape, SH.targetClass) for n in data.subjects(RDF.type, cls)}
    nodes |= {n for n in shapes.objects(shape, SH.targetNode) if (n, None, None) in data}
    nodes |= {n for p in shapes.objects(shape, SH.targetSubjectsOf) for n in data.subjects(p, None)}
    nodes |= {n for p in shapes.objects(shape, SH.targetObjectsOf) for n in data.objects(None, p)}
    return nodes


def test_shapes_are_valid_shacl(shapes):
    """The shapes graph conforms to the W3C SHACL-for-SHACL shapes (pyshacl raises if not)."""
    conforms, _, _ = pyshacl.validate(Graph(), shacl_graph=shapes, meta_shacl=True, inference="none")
    assert conforms


def test_every_shape_has_an_iri_and_an_english_message(shapes):
    everything = node_shapes(shapes) | property_shapes(shapes) | sparql_constraints(shapes) | \
        used_by_other_shapes(shapes)
    assert len(everything) > 100
    assert [s for s in everything if not isinstance(s, URIRef)] == []
    no_message = [s for s in everything if not any(m.language == "en" for m in shapes.objects(s, SH.message))]
    assert no_message == []
    non_violation = {shapes.value(s, SH.severity) for s in everything} - {None}
    assert non_violation == {SH.Warning}, "sh:severity is written only where it is not sh:Violation"


def test_the_only_blank_nodes_are_rdf_list_cells(shapes):
    blank = {t for triple in shapes for t in triple if isinstance(t, BNode)}
    assert blank and blank <= set(shapes.subjects(RDF.first, None))


def test_no_dead_shapes(data, shapes):
    """Every targeted shape selects something in the built data; every other shape is used by one."""
    assert [s for s in targeted(shapes) if not focus_nodes(shapes, s, data)] == []
    unused = (node_shapes(shapes) | property_shapes(shapes)) - targeted(shapes) - used_by_other_shapes(shapes)
    assert unused == set()


def test_every_shape_is_broken_by_some_case(shapes):
    """Each targeted shape with node-level constraints, each of their property shapes and each SPARQL
    constraint is the source of a result in some case: no shape goes untested."""
    must = {s for s in targeted(shapes) if any(True for p in NODE_LEVEL for _ in shapes.objects(s, p))}
    must |= {p for s in targeted(shapes) for p in shapes.objects(s, SH.property)}
    must |= sparql_constraints(shapes)
    covered = {r.source for c in CASES for r in c.expected}
    assert sorted(_local(s) for s in must if _local(s) not in covered) == []


def test_sparql_constraints_use_this_and_declare_their_prefixes(shapes):
    """pySHACL runs each sh:select once per focus node with $this bound; a query that does not reach
    its nodes from $this (as the subject or the object of a pattern) would scan the whole graph for
    every focus node."""
    for constraint in sparql_constraints(shapes):
        select = str(shapes.value(constraint, SH.select))
        assert select.split()[:2] == ["SELECT", "$this"], constraint
        where = select.split("WHERE", 1)[1]
        assert re.search(r"\$this\s+[\w:]+\s|[\w:]+\s+\$this\s*[;.]", where), constraint
        declared = {str(shapes.value(d, SH.prefix)) for o in shapes.objects(constraint, SH.prefixes)
                    for d in shapes.objects(o, SH.declare)}
        used = set(re.findall(r"\b([a-z][\w-]*):\w", select))
        assert used and used <= declared, (constraint, used - declared)
