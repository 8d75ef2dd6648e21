"""Every bundled query answers its question as checked against the article, on both engines.

Expected answers are facts read in the article (China IP News, 2023-10-08), and, for the
economies of clusters and Chinese names, in shared/data/gii2023-clusters.md. Where a question is
about the whole dataset, the clusters of the WIPO table that the article does not name come from
the curated files (data/curated/clusters.yaml, places.yaml), read directly with PyYAML. Solutions are
compared as sets, with typed literals.
"""
from __future__ import annotations

import re

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, XSD

from giigraph.config import DEFAULT_BASE
from giigraph.errors import QueryError
from giigraph.query import ENGINE_NAMES
from giigraph.query.engines import open_engine
from giigraph.query.library import bundled_queries, bundled_query
from giigraph.query.parse import parse_query
from giigraph.query.run import dataset_prefixes
from giigraph.resources import DATA_DIR
from giigraph.vocab import GEO, GII, SCHEMA

GII_NS = str(GII._NS)


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def n(value: int) -> Literal:
    return Literal(value)  # xsd:integer


def d(text: str) -> Literal:
    return Literal(text, datatype=XSD.decimal)


def geonames(feature: int) -> URIRef:
    return URIRef(f"https://sws.geonames.org/{feature}/")


def s(text: str) -> Literal:
    return Literal(text)  # simple literal


def iri(path: str) -> URIRef:
    return URIRef(f"{DEFAULT_BASE}{path}")


def gii(name: str) -> URIRef:
    return URIRef(GII_NS + name)


def _curated(name: str) -> dict:
    return yaml.safe_load((DATA_DIR / "curated" / f"{name}.yaml").read_text(encoding="utf-8"))


#: The clusters the article names: (English name, economies, {city: English name}), as the article says.
ARTICLE_CLUSTERS = {
    "tokyo-yokohama": ("Tokyo-Yokohama", ["japan"], {"tokyo": "Tokyo", "yokohama": "Yokohama"}),
    "shenzhen-hong-kong-guangzhou": ("Shenzhen-Hong Kong-Guangzhou", ["china", "hong-kong-china"],
                                     {"shenzhen": "Shenzhen", "hong-kong": "Hong Kong", "guangzhou": "Guangzhou"}),
    "seoul": ("Seoul", ["republic-of-korea"], {"seoul": "Seoul"}),
    "beijing": ("Beijing", ["china"], {"beijing": "Beijing"}),
    "shanghai-suzhou": ("Shanghai-Suzhou", ["china"], {"shanghai": "Shanghai", "suzhou": "Suzhou"}),
    "nanjing": ("Nanjing", ["china"], {"nanjing": "Nanjing"}),
    "wuhan": ("Wuhan", ["china"], {"wuhan": "Wuhan"}),
    "hangzhou": ("Hangzhou", ["china"], {"hangzhou": "Hangzhou"}),
}


def _table_clusters() -> dict[str, tuple[str, list[str], dict[str, str]]]:
    """The other clusters, as the curated files describe them."""
    cities = {c["id"]: c["name"]["en"] for c in _curated("places")["cities"]}
    return {c["id"]: (c["name"]["en"], c["economies"], {t: cities[t] for t in c["cities"]})
            for c in _curated("clusters")["clusters"] if c["id"] not in ARTICLE_CLUSTERS}


ALL_CLUSTERS = ARTICLE_CLUSTERS | _table_clusters()

ROUNDTABLE = en("High-level roundtable on the Global Innovation Index 2023 results")
MOST = "Ministry of Science and Technology of the People's Republic of China"
ENTERPRISES = en(
    "Representatives of Huawei, Xiaomi, Raycan and other technology enterprises shared their successes in "
    "standard setting, patent protection and talent programmes; all of them believed in investing more in R&D, "
    "strengthening IP protection and contributing to a first-rate innovation ecosystem."
)
HEADLINE = en("Global Innovation Index: China hosts most science and technology clusters")
CLAIMS = {
    "top5": (en("Each of the five top-ranked clusters of the GII 2023 S&T cluster ranking lies in an East Asian economy."),
             en("all five top science and technology clusters are in East Asia")),
    "three": (en("Three of the five top-ranked clusters of GII 2023 are in China."), en("with three in China")),
    "most": (en("Among the top 100 clusters of GII 2023, China hosts more than any other economy."),
             en("China is the country with the most clusters")),
    "shsz": (en("The Shanghai-Suzhou cluster ranked 6th in GII 2022 and 5th in GII 2023."),
             en("ascends from 6th in 2022 to 5th this year")),
}

# name -> (variables, set of rows) for SELECT, a boolean for ASK.
EXPECTED: dict[str, object] = {
    "top-five-2023": (("rank", "cluster", "economy", "code"), {
        (n(1), en("Tokyo-Yokohama"), en("Japan"), s("JP")),
        (n(2), en("Shenzhen-Hong Kong-Guangzhou"), en("China"), s("CN")),
        (n(2), en("Shenzhen-Hong Kong-Guangzhou"), en("Hong Kong, China"), s("HK")),
        (n(3), en("Seoul"), en("Republic of Korea"), s("KR")),
        (n(4), en("Beijing"), en("China"), s("CN")),
        (n(5), en("Shanghai-Suzhou"), en("China"), s("CN")),
    }),
    "multi-economy-clusters": (("cluster", "economies"), {(en("Shenzhen-Hong Kong-Guangzhou"), n(2)),
                                                          (en("Singapore"), n(2))}),  # WIPO's SG/MY
    # GeoNames' coordinates (data/curated/places.yaml, checked against the package by test_geo.py)
    "clusters-north-of-45n": (("cluster", "southernmostLatitude"), {
        (en("Helsinki"), d("60.16952")), (en("Moscow"), d("55.75204")),
        (en("Amsterdam-Rotterdam"), d("51.9225")),  # Rotterdam; Amsterdam is at 52.37403
        (en("London"), d("51.50853")), (en("Cologne"), d("50.93333")), (en("Paris"), d("48.85341")),
        (en("Stuttgart"), d("48.78232")), (en("Munich"), d("48.13743")), (en("Seattle, WA"), d("47.60621")),
    }),
    "multi-economy-cluster-cities": (("cluster", "city", "economy", "lat", "long", "geonames"), {
        (en("Shenzhen-Hong Kong-Guangzhou"), en("Shenzhen"), en("China"), d("22.54554"), d("114.0683"), geonames(1795565)),
        (en("Shenzhen-Hong Kong-Guangzhou"), en("Hong Kong"), en("Hong Kong, China"), d("22.27832"), d("114.17469"),
         geonames(1819729)),
        (en("Shenzhen-Hong Kong-Guangzhou"), en("Guangzhou"), en("China"), d("23.11667"), d("113.25"), geonames(1809858)),
        (en("Singapore"), en("Singapore"), en("Singapore"), d("1.28967"), d("103.85007"), geonames(1880252)),
    }),
    "who-said-what": (("speaker", "role", "organization", "event", "mode", "text"), {
        (en("Marco Aleman"), en("Assistant Director General"), en("World Intellectual Property Organization"),
         ROUNDTABLE, gii("DirectSpeech"),
         en("China has done extremely well in the WIPO GII innovation ranking over the last decade. China now "
            "has three among the world's top five biggest science and technology clusters.")),
        (en("Zhang Guangjun"), en("Vice Minister"), en(MOST), ROUNDTABLE, gii("ReportedSpeech"),
         en("China is advancing the coordinated development of Beijing-Tianjin-Hebei, the Yangtze River Economic "
            "Belt and Yangtze River Delta integration, and supports Beijing, Shanghai and the Greater Bay Area in "
            "becoming international innovation hubs; a multi-level regional innovation map has largely taken "
            "shape. China is willing to work with WIPO, other international organizations and countries on "
            "global challenges and on IP creation, use, protection and services.")),
        (en("Liu Hua"), en("Director"), en("WIPO Office in China"), ROUNDTABLE, gii("ReportedSpeech"),
         en("Global S&T clusters increasingly exchange and collaborate; they show an open innovation culture "
            "and work as connected communities rather than in isolation.")),
        (en("Zhang Qiao"), en("Vice Mayor"), en("Suzhou Municipal People's Government"), ROUNDTABLE,
         gii("ReportedSpeech"),
         en("Since Suzhou joined Shanghai in one cluster, Shanghai-Suzhou rose from 6th in 2022 to 5th in "
            "2023, helped by Suzhou's integration with Shanghai; Suzhou will support the flow of innovation "
            "across the Yangtze River Delta, open up further and strengthen IP protection and the business "
            "environment.")),
        (en("Huawei"), None, None, ROUNDTABLE, gii("ReportedSpeech"), ENTERPRISES),
        (en("Xiaomi"), None, None, ROUNDTABLE, gii("ReportedSpeech"), ENTERPRISES),
        (en("Raycan"), None, None, ROUNDTABLE, gii("ReportedSpeech"), ENTERPRISES),
    }),
    "yangtze-river-delta": (("statement", "speaker", "passage"), {
        (iri("id/statement/zhang-guangjun-regional-innovation"), en("Zhang Guangjun"), n(6)),
        (iri("id/statement/zhang-qiao-shanghai-suzhou-rise"), en("Zhang Qiao"), n(10)),
    }),
    "organizations-and-parents": (("organization", "parent"), {
        (en("World Intellectual Property Organization"), None),
        (en("WIPO Office in China"), en("World Intellectual Property Organization")),
        (en(MOST), None),
        (en("Suzhou Municipal People's Government"), None),
        (en("Huawei"), None),
        (en("Xiaomi"), None),
        (en("Raycan"), None),
        (en("China Intellectual Property News"), None),
    }),
    "shanghai-suzhou-rank-change": (("rank2022", "rank2023", "placesGained"), {(n(6), n(5), n(1))}),
    "source-of-a-fact": (("graph", "article", "position", "topic"), {
        (iri("graph/source/cnipnews-2023-10-08"), HEADLINE, n(5),
         en("The 2023 top five clusters, and the Chinese clusters in the top 100.")),
        (iri("graph/source/cnipnews-2023-10-08"), HEADLINE, n(10),
         en("Zhang Qiao on the Shanghai-Suzhou cluster's rise and Suzhou's plans.")),
    }),
    "people-by-organization": (("organization", "person", "role"), {
        (en("World Intellectual Property Organization"), en("Marco Aleman"), en("Assistant Director General")),
        (en(MOST), en("Zhang Guangjun"), en("Vice Minister")),
        (en("WIPO Office in China"), en("Liu Hua"), en("Director")),
        (en("Suzhou Municipal People's Government"), en("Zhang Qiao"), en("Vice Mayor")),
        (en("China Intellectual Property News"), en("Xue Peiwen"), en("Writer")),
        (en("China Intellectual Property News"), en("Liu Shan"), en("Editor")),
    }),
    "cities-per-cluster": (("cluster", "city"), {
        (en(name), en(city)) for name, _, cities in ALL_CLUSTERS.values() for city in cities.values()
    }),
    "clusters-without-rank": (("cluster", "edition", "withinTop"), {
        (en(c), en("Global Innovation Index 2023"), n(100)) for c in ("Nanjing", "Wuhan", "Hangzhou")
    }),
    "chinese-names": (("kind", "english", "chinese"), {
        (s("cluster"), en("Tokyo-Yokohama"), zh("东京-横滨")),
        (s("cluster"), en("Shenzhen-Hong Kong-Guangzhou"), zh("深圳-香港-广州")),
        (s("cluster"), en("Seoul"), zh("首尔")),
        (s("cluster"), en("Beijing"), zh("北京")),
        (s("cluster"), en("Shanghai-Suzhou"), zh("上海-苏州")),
        (s("cluster"), en("Nanjing"), zh("南京")),
        (s("cluster"), en("Wuhan"), zh("武汉")),
        (s("cluster"), en("Hangzhou"), zh("杭州")),
        (s("cluster"), en("Xi'an"), zh("西安")),
        (s("cluster"), en("Qingdao"), zh("青岛")),
        (s("cluster"), en("Chengdu"), zh("成都")),
        (s("organization"), en("World Intellectual Property Organization"), zh("世界知识产权组织")),
        (s("organization"), en("WIPO Office in China"), zh("世界知识产权组织中国办事处")),
        (s("organization"), en(MOST), zh("中华人民共和国科学技术部")),
        (s("organization"), en("Suzhou Municipal People's Government"), zh("苏州市人民政府")),
        (s("organization"), en("Huawei"), zh("华为")),
        (s("organization"), en("Xiaomi"), zh("小米")),
        (s("organization"), en("China Intellectual Property News"), zh("中国知识产权报社")),
        (s("person"), en("Zhang Guangjun"), zh("张广军")),
        (s("person"), en("Liu Hua"), zh("刘华")),
        (s("person"), en("Zhang Qiao"), zh("张桥")),
    }),
    "chinese-clusters": (("cluster", "rank", "withinTop"), {
        (en("Shenzhen-Hong Kong-Guangzhou"), n(2), None),
        (en("Beijing"), n(4), None),
        (en("Shanghai-Suzhou"), n(5), None),
        (en("Nanjing"), None, n(100)),
        (en("Wuhan"), None, n(100)),
        (en("Hangzhou"), None, n(100)),
    }),
    "article": (("headline", "published", "publisher", "author", "editor"), {
        (HEADLINE, Literal("2023-10-08T15:37:00+08:00", datatype=XSD.dateTime),
         en("China Intellectual Property News"), en("Xue Peiwen"), en("Liu Shan")),
    }),
    "roundtable": (("participant", "kind"), {
        (en("Zhang Guangjun"), s("person")), (en("Liu Hua"), s("person")), (en("Zhang Qiao"), s("person")),
        (en(MOST), s("organization")), (en("WIPO Office in China"), s("organization")),
        (en("Suzhou Municipal People's Government"), s("organization")),
        (en("Huawei"), s("organization")), (en("Xiaomi"), s("organization")), (en("Raycan"), s("organization")),
        (en("Marco Aleman's pre-recorded congratulatory video to the GII 2023 roundtable"), s("featured work")),
    }),
    "article-claims": (("claim", "quote", "passage"), {
        (*CLAIMS["top5"], n(1)), (*CLAIMS["three"], n(1)), (*CLAIMS["three"], n(2)),
        (*CLAIMS["most"], n(1)), (*CLAIMS["most"], n(5)), (*CLAIMS["shsz"], n(10)),
    }),
    "claim-top-five-in-east-asia": True,
    "claim-three-of-top-five-in-china": True,
    "claim-shanghai-suzhou-rose-to-fifth": True,
}


def _cluster_places_graph():
    g = Graph()
    for slug, (name, economies, city_names) in ALL_CLUSTERS.items():
        c = iri(f"id/cluster/{slug}")
        g.add((c, RDF.type, SCHEMA.Place))
        g.add((c, SCHEMA.name, en(name)))
        for economy in economies:
            g.add((c, SCHEMA.containedInPlace, iri(f"id/economy/{economy}")))
        for city, city_name in city_names.items():
            g.add((c, SCHEMA.containsPlace, iri(f"id/city/{city}")))
            g.add((iri(f"id/city/{city}"), RDF.type, SCHEMA.City))
            g.add((iri(f"id/city/{city}"), SCHEMA.name, en(city_name)))
    return g


def _shanghai_suzhou_description():
    g = Graph()
    c = iri("id/cluster/shanghai-suzhou")
    for triple in [
        (c, RDF.type, gii("Cluster")), (c, RDF.type, SCHEMA.Place),
        (c, SCHEMA.name, en("Shanghai-Suzhou")), (c, SCHEMA.name, zh("上海-苏州")),
        (c, RDFS.label, en("Shanghai-Suzhou")), (c, RDFS.label, zh("上海-苏州")),
        (c, SCHEMA.containsPlace, iri("id/city/shanghai")), (c, SCHEMA.containsPlace, iri("id/city/suzhou")),
        (c, gii("economy"), iri("id/economy/china")),
        (c, GEO.hasGeometry, iri("id/cluster/shanghai-suzhou#geometry")),
    ]:
        g.add(triple)
    return g


EXPECTED_GRAPHS = {"cluster-places": _cluster_places_graph, "describe-shanghai-suzhou": _shanghai_suzhou_description}
#: The questions on the cluster tables (data/tables): their answers are checked, on both engines, in test_claims.py.
# The queries behind the pages' pictures are checked against the tables in test_charts.py and test_map_query.py.
CHECKED_IN_TEST_CHARTS = {"pct-applications-and-publications-2023", "cluster-ranks", "cluster-locations-2023"}
CHECKED_IN_TEST_CLAIMS = {"top-10-clusters-by-publications-2023", "biggest-risers-2023", "clusters-per-economy-2023",
                          "previous-rank-vs-published-2022", "stated-rank-change-vs-published-2022"}


@pytest.fixture(scope="module")
def prefixes():
    return dataset_prefixes()


@pytest.fixture(scope="module")
def engines(dataset, prefixes):
    return {name: open_engine(name, dataset, prefixes) for name in ENGINE_NAMES}


def test_the_library_has_at_least_15_questions_each_with_an_expected_answer():
    names = {q.name for q in bundled_queries()}
    assert len(names) >= 15
    assert names == set(EXPECTED) | set(EXPECTED_GRAPHS) | CHECKED_IN_TEST_CLAIMS | CHECKED_IN_TEST_CHARTS


@pytest.mark.parametrize("query", bundled_queries(), ids=lambda q: q.name)
def test_each_query_opens_with_a_one_line_question(query):
    first = query.text.splitlines()[0]
    assert re.fullmatch(r"# [A-Z].*\?", first), first
    assert query.question == first[2:]


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_select_and_ask_answers(engines, prefixes, name, engine):
    parsed = parse_query(bundled_query(name).text, prefixes, name)
    result = engines[engine].run(parsed)
    expected = EXPECTED[name]
    if isinstance(expected, bool):
        assert result.form == "ASK" and result.boolean is expected
        return
    variables, rows = expected
    assert result.variables == variables
    assert result.solutions() == {
        frozenset((v, t) for v, t in zip(variables, row) if t is not None) for row in rows
    }
    assert len(result.rows) == len(rows)  # no duplicate solutions either


@pytest.mark.parametrize("name", sorted(EXPECTED_GRAPHS))
@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_construct_and_describe_answers(engines, prefixes, name, engine):
    result = engines[engine].run(parse_query(bundled_query(name).text, prefixes, name))
    assert result.is_graph
    assert isomorphic(result.graph, EXPECTED_GRAPHS[name]())


def test_unknown_name_lists_the_available_queries():
    with pytest.raises(QueryError) as err:
        bundled_query("top-ten")
    message = str(err.value)
    assert message.startswith("no bundled query named 'top-ten'; available: ")
    assert all(q.name in message for q in bundled_queries())
