"""The SHACL shapes: the built dataset conforms, and every shape catches the fault it is written for.

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
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, QB, RDF, RDFS, SH, SKOS
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

from giigraph import build
from giigraph import validate as validate_graph
from giigraph.resources import SHAPES_FILE
from giigraph.vocab import GII, SCHEMA

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
DSD = GII.ClusterRankStructure


def component(name: str) -> URIRef:
    """A component of the rank structure, e.g. gii:ClusterRankStructure-rank."""
    return URIRef(f"{DSD}-{name}")


def rank_fact(observation: URIRef, dataset: URIRef, rank: int) -> list[Triple]:
    """A complete rank observation: Shanghai-Suzhou in GII 2023."""
    return [(observation, p, o) for p, o in [
        (RDF.type, GII.RankObservation), (RDF.type, QB.Observation), (RDFS.label, EN(f"Shanghai-Suzhou: rank {rank}")),
        (QB.dataSet, dataset), (QB.measureType, GII.rank), (GII.cluster, C_SS), (GII.edition, GII2023),
        (GII.rank, Literal(rank)), (PROV.wasDerivedFrom, passage(5))]]


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
                   expect(C_SS, GII.economy, "MinCount", "Cluster-economy"))),
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
    Case("economy-not-an-area", remove=[(E_JP, RDF.type, SCHEMA.AdministrativeArea)],
         expected=(expect(E_JP, RDF.type, "HasValue", "Economy-type"),
                   expect(CITY_TOKYO, SCHEMA.containedInPlace, "Class", "City-containedInPlace"),
                   expect(iri("city/yokohama"), SCHEMA.containedInPlace, "Class", "City-containedInPlace"))),
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
    # --- the article and its passages ---
    Case("article-iri", edit=rename(ART, iri("article/CNIPNews-2023-10-08")),
         expected=(expect(iri("article/CNIPNews-2023-10-08"), None, "Pattern", "NewsArticle"),)),
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
         expected=(expect(ART, SCHEMA.inLanguage, "Pattern", "NewsArticle-inLanguage"),)),
    Case("article-two-publishers", add=[(ART, SCHEMA.publisher, WIPO)],
         expected=(expect(ART, SCHEMA.publisher, "MaxCount", "NewsArticle-publisher"),)),
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
    Case("article-no-passages", remove=[(ART, SCHEMA.hasPart, None)],
         expected=(expect(ART, SCHEMA.hasPart, "MinCount", "NewsArticle-hasPart"),)),
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
    # --- rank facts ---
    Case("observation-iri", edit=rename(OBS_SS23, iri("observation/ss-2023#rank")),
         expected=(expect(iri("observation/ss-2023#rank"), None, "Pattern", "RankObservation"),)),
    Case("observation-not-qb", remove=[(OBS_SS23, RDF.type, QB.Observation)],
         expected=(expect(OBS_SS23, RDF.type, "HasValue", "RankObservation-type"),)),
    Case("observation-no-dataset", remove=[(OBS_NJ23, QB.dataSet, None)],
         expected=(expect(OBS_NJ23, QB.dataSet, "MinCount", "RankObservation-dataSet"),)),
    Case("observation-of-a-city", remove=[(OBS_NJ23, GII.cluster, None)], add=[(OBS_NJ23, GII.cluster, iri("city/nanjing"))],
         expected=(expect(OBS_NJ23, GII.cluster, "Class", "RankObservation-cluster"),)),
    Case("observation-no-edition", remove=[(OBS_NJ23, GII.edition, None)],
         expected=(expect(OBS_NJ23, GII.edition, "MinCount", "RankObservation-edition"),)),
    Case("rank-zero", remove=[(OBS_SS23, GII.rank, None)], add=[(OBS_SS23, GII.rank, Literal(0))],
         expected=(expect(OBS_SS23, GII.rank, "MinInclusive", "RankObservation-rank"),)),
    Case("rank-101", remove=[(OBS_SS23, GII.rank, None)], add=[(OBS_SS23, GII.rank, Literal(101))],
         expected=(expect(OBS_SS23, GII.rank, "MaxInclusive", "RankObservation-rank"),)),
    Case("rank-as-string", remove=[(OBS_SS23, GII.rank, None)], add=[(OBS_SS23, GII.rank, Literal("5"))],
         expected=(expect(OBS_SS23, GII.rank, "Datatype", "RankObservation-rank"),
                   expect(OBS_SS23, GII.rank, "MinInclusive", "RankObservation-rank"),
                   expect(OBS_SS23, GII.rank, "MaxInclusive", "RankObservation-rank"))),
    Case("upper-bound-zero", remove=[(OBS_NJ23, GII.rankUpperBound, None)], add=[(OBS_NJ23, GII.rankUpperBound, Literal(0))],
         expected=(expect(OBS_NJ23, GII.rankUpperBound, "MinInclusive", "RankObservation-rankUpperBound"),)),
    Case("observation-rank-and-bound", add=[(OBS_NJ23, GII.rank, Literal(20))],
         expected=(expect(OBS_NJ23, None, "Xone", "RankMeasure"),)),
    Case("observation-no-measure", remove=[(OBS_NJ23, GII.rankUpperBound, None)],
         expected=(expect(OBS_NJ23, None, "Xone", "RankMeasure"),)),
    Case("observation-wrong-measure-type", remove=[(OBS_SS23, QB.measureType, None)], add=[(OBS_SS23, QB.measureType, GII.rankUpperBound)],
         expected=(expect(OBS_SS23, None, "Xone", "RankMeasure"),)),
    Case("two-ranks-same-cluster-edition", add=rank_fact(OBS_SS23_BIS, DATASET, 7),
         expected=(expect(OBS_SS23, GII.rank, "SPARQL", "RankUnique-sparql"),
                   expect(OBS_SS23_BIS, GII.rank, "SPARQL", "RankUnique-sparql"))),
    Case("same-rank-twice-agrees", add=rank_fact(OBS_SS23_BIS, DATASET, 5), expected=()),
    Case("another-source-may-disagree", add=rank_fact(OBS_SS23_BIS, OTHER_DATASET, 7) + [
        (OTHER_DATASET, RDF.type, QB.DataSet), (OTHER_DATASET, QB.structure, GII.ClusterRankStructure),
        (OTHER_DATASET, RDFS.label, EN("Cluster ranks of another source")), (OTHER_DATASET, DCTERMS.source, ART)],
         expected=()),
    Case("structure-without-components", remove=[(DSD, QB.component, None)],
         expected=(expect(DSD, QB.component, "MinCount", "DataStructureDefinition-component"),
                   expect(DSD, QB.component, "QualifiedMinCount", "DataStructureDefinition-measure"))),
    Case("structure-without-measure", remove=[(DSD, QB.component, component("rank")),
                                              (DSD, QB.component, component("rankUpperBound"))],
         expected=(expect(DSD, QB.component, "QualifiedMinCount", "DataStructureDefinition-measure"),)),
    Case("structure-component-is-a-property", add=[(DSD, QB.component, GII.rank)],
         expected=(expect(DSD, QB.component, "Class", "DataStructureDefinition-component"),)),
    Case("component-dimension-and-measure", add=[(component("cluster"), QB.measure, GII.rank)],
         expected=(expect(component("cluster"), None, "Xone", "ComponentSpecification"),)),
    Case("dataset-iri", edit=rename(DATASET, iri("dataset/Ranks")),
         expected=(expect(iri("dataset/Ranks"), None, "Pattern", "DataSet"),)),
    Case("dataset-no-structure", remove=[(DATASET, QB.structure, None)],
         expected=(expect(DATASET, QB.structure, "MinCount", "DataSet-structure"),
                   expect(DATASET, QB.structure, "HasValue", "DataSet-structure"))),
    Case("dataset-no-source", remove=[(DATASET, DCTERMS.source, None)],
         expected=(expect(DATASET, DCTERMS.source, "MinCount", "DataSet-source"),)),
    # --- event and video ---
    Case("event-iri", edit=rename(EVENT, iri("event/roundtable/2023")),
         expected=(expect(iri("event/roundtable/2023"), None, "Pattern", "Event"),)),
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
    Case("claim-by-a-person", remove=[(CLAIM, SCHEMA.author, None)], add=[(CLAIM, SCHEMA.author, ZGJ)],
         expected=(expect(CLAIM, SCHEMA.author, "Class", "CheckableClaim-author"),)),
    Case("claim-based-on-nothing", remove=[(CLAIM, SCHEMA.isBasedOn, None)],
         expected=(expect(CLAIM, SCHEMA.isBasedOn, "MinCount", "CheckableClaim-isBasedOn"),)),
    # --- across classes ---
    Case("fact-no-source", remove=[(POST_ALEMAN, PROV.wasDerivedFrom, None)],
         expected=(expect(POST_ALEMAN, PROV.wasDerivedFrom, "MinCount", "Fact-source"),)),
    Case("fact-source-not-a-passage", add=[(OBS_SS23, PROV.wasDerivedFrom, ART)],
         expected=(expect(OBS_SS23, PROV.wasDerivedFrom, "Class", "Fact-source"),)),
    Case("same-as-not-wikidata", add=[(CITY_SUZHOU, SCHEMA.sameAs, URIRef("https://en.wikipedia.org/wiki/Suzhou"))],
         expected=(expect(CITY_SUZHOU, SCHEMA.sameAs, "Pattern", "SameAs-sameAs"),)),
]


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


@pytest.fixture(scope="module")
def data() -> Graph:
    return union(build(BASE).quads())


def test_built_dataset_conforms_with_no_results_at_all(data):
    conforms, results = validate(data)
    assert conforms and results == set()


def test_shapes_hold_under_another_base():
    conforms, results = validate(union(build("http://example.org/kg/").quads()))
    assert conforms and results == set()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_fixture_gives_exactly_the_expected_results(case, data):
    conforms, results = validate(case.apply(data))
    assert results == set(case.expected)
    assert conforms == all(r.severity != "Violation" for r in case.expected)


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
    """pySHACL runs each sh:select once per focus node with $this bound; a query that does not start
    from $this would scan the whole graph for every focus node."""
    for constraint in sparql_constraints(shapes):
        select = str(shapes.value(constraint, SH.select))
        assert select.split()[:2] == ["SELECT", "$this"], constraint
        assert re.search(r"\$this\s+[\w:]+\s", select.split("WHERE", 1)[1]), constraint
        declared = {str(shapes.value(d, SH.prefix)) for o in shapes.objects(constraint, SH.prefixes)
                    for d in shapes.objects(o, SH.declare)}
        used = set(re.findall(r"\b([a-z][\w-]*):\w", select))
        assert used and used <= declared, (constraint, used - declared)
