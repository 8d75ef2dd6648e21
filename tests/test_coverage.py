"""Every entity and fact that issue 2 §1 lists is in the graph, typed for a store with no reasoning."""
from __future__ import annotations

import pytest

from giigraph.vocab import GII, data_prefixes
from giigraph.builder import ALL_KINDS

PREFIXES = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in data_prefixes("https://w3id.org/giigraph/", ALL_KINDS).items())


def ask(graph, body: str) -> bool:
    return bool(graph.query(f"{PREFIXES}\nASK {{ {body} }}").askAnswer)


def select(graph, query: str) -> set:
    return {tuple(str(v) for v in row) for row in graph.query(f"{PREFIXES}\n{query}")}


FACTS = {
    # the article
    "article typed, titled, dated in Beijing time": """article:cnipnews-2023-10-08 a schema:NewsArticle ;
        schema:headline "Global Innovation Index: China hosts most science and technology clusters"@en ;
        schema:datePublished "2023-10-08T15:37:00+08:00"^^xsd:dateTime ; schema:inLanguage "en" ;
        schema:publisher organization:china-ip-news ; schema:author person:xue-peiwen ;
        schema:editor person:liu-shan ; schema:copyrightNotice ?rights .""",
    "publisher named in Chinese": 'organization:china-ip-news schema:name "中国知识产权报社"@zh ; a schema:NewsMediaOrganization .',
    "numbered passages": "passage:cnipnews-2023-10-08-p10 a gii:Passage ; schema:position 10 ; schema:isPartOf article:cnipnews-2023-10-08 .",
    # GII, edition, ranking
    "GII series by WIPO": "series:global-innovation-index a schema:CreativeWorkSeries ; schema:publisher organization:wipo .",
    "GII 2023 edition": 'report:gii-2023 a schema:Report ; schema:isPartOf series:global-innovation-index ; dcterms:issued "2023"^^xsd:gYear .',
    "the ranking: top 100 since 2017 from over 130 economies by patents and publications": """
        ranking:gii-st-cluster-ranking a gii:ClusterRanking ; gii:clustersPerEdition 100 ;
        schema:startDate "2017"^^xsd:gYear ; gii:minEconomiesConsidered 130 ;
        gii:indicator gii:PatentFilingActivity, gii:ScientificPublication ;
        prov:wasDerivedFrom passage:cnipnews-2023-10-08-p4 .""",
    # clusters, cities, economies
    "Shenzhen-Hong Kong-Guangzhou spans China and Hong Kong, China": """cluster:shenzhen-hong-kong-guangzhou a gii:Cluster, schema:Place ;
        schema:containsPlace city:shenzhen, city:hong-kong, city:guangzhou ;
        gii:economy economy:china, economy:hong-kong-china .""",
    "Shanghai-Suzhou spans two cities": "cluster:shanghai-suzhou schema:containsPlace city:shanghai, city:suzhou ; gii:economy economy:china .",
    # ranks as facts about (cluster, edition) with a source
    "Shanghai-Suzhou 5th in 2023 and 6th in 2022, each sourced": """
        ?a gii:cluster cluster:shanghai-suzhou ; gii:edition report:gii-2023 ; gii:rank 5 ; prov:wasDerivedFrom passage:cnipnews-2023-10-08-p5 .
        ?b gii:cluster cluster:shanghai-suzhou ; gii:edition report:gii-2022 ; gii:rank 6 ; prov:wasDerivedFrom passage:cnipnews-2023-10-08-p10 .""",
    "Wuhan in the 2023 top 100 with no rank": """?o gii:cluster cluster:wuhan ; gii:edition report:gii-2023 ; gii:rankUpperBound 100 .
        FILTER NOT EXISTS { ?x gii:cluster cluster:wuhan ; gii:rank ?r ; dcterms:source article:cnipnews-2023-10-08 }""",
    # places
    "Tianjin, Macao, Hebei, East Asia": """city:tianjin a schema:City ; schema:name "天津"@zh . city:macao a schema:Place .
        province:hebei a schema:AdministrativeArea ; schema:containedInPlace economy:china .
        region:east-asia a schema:Place ; schema:name "东亚"@zh .""",
    "economies": """economy:china a gii:Economy, schema:Country ; schema:sameAs wd:Q148 .
        economy:japan a gii:Economy . economy:republic-of-korea a gii:Economy .
        economy:hong-kong-china a gii:Economy, schema:AdministrativeArea ; schema:containedInPlace region:east-asia .
        FILTER NOT EXISTS { economy:hong-kong-china a schema:Country }""",
    "the regional strategies and hubs": """
        strategy:beijing-tianjin-hebei-coordinated-development dcterms:spatial region:beijing-tianjin-hebei .
        strategy:yangtze-river-economic-belt-development dcterms:spatial region:yangtze-river-economic-belt .
        strategy:yangtze-river-delta-integration dcterms:spatial region:yangtze-river-delta .
        strategy:international-st-innovation-hubs dcterms:spatial city:beijing, city:shanghai, region:greater-bay-area .""",
    # organizations and which is part of which
    "WIPO Office in China is a unit of WIPO": """organization:wipo-office-in-china org:unitOf organization:wipo ;
        schema:parentOrganization organization:wipo ; a org:OrganizationalUnit, schema:Organization .""",
    "organizations typed": """organization:ministry-of-science-and-technology a schema:GovernmentOrganization ; schema:name "中华人民共和国科学技术部"@zh .
        organization:suzhou-municipal-government a schema:GovernmentOrganization .
        organization:huawei a schema:Corporation . organization:xiaomi a schema:Corporation . organization:raycan a schema:Corporation .
        organization:wipo schema:name "世界知识产权组织"@zh .""",
    # people and posts
    "posts as ORG posts in organizations": """
        ?p1 org:heldBy person:marco-aleman ; org:postIn organization:wipo ; org:role role:assistant-director-general .
        ?p2 org:heldBy person:zhang-guangjun ; org:postIn organization:ministry-of-science-and-technology ; org:role role:vice-minister .
        ?p3 org:heldBy person:liu-hua ; org:postIn organization:wipo-office-in-china ; org:role role:director .
        ?p4 org:heldBy person:zhang-qiao ; org:postIn organization:suzhou-municipal-government ; org:role role:vice-mayor .
        ?p5 org:heldBy person:liu-shan ; org:postIn organization:china-ip-news ; org:role role:editor .
        ?p1 prov:wasDerivedFrom passage:cnipnews-2023-10-08-p2 .""",
    # event and video
    "the roundtable, its participants and Aleman's video": """
        event:gii-2023-high-level-roundtable a schema:Event ; schema:about report:gii-2023 ;
            schema:attendee organization:ministry-of-science-and-technology, organization:huawei,
                organization:xiaomi, organization:raycan, organization:wipo-office-in-china ;
            schema:workFeatured video:aleman-gii-2023-congratulatory-video .
        video:aleman-gii-2023-congratulatory-video a schema:VideoObject ; schema:creator person:marco-aleman .""",
    # statements
    "Aleman's direct quotation": """?q a schema:Quotation ; gii:speechMode gii:DirectSpeech ; schema:author person:marco-aleman ;
        gii:speakerPost post:wipo-assistant-director-general-marco-aleman ;
        gii:statedIn video:aleman-gii-2023-congratulatory-video ; schema:text ?t ;
        prov:wasDerivedFrom passage:cnipnews-2023-10-08-p2 .
        FILTER(CONTAINS(STR(?t), "China now has three among the world's top five biggest science and technology clusters"))""",
    "reported statements with speaker, post, event, mentions and passage": """
        ?z a schema:Claim ; gii:speechMode gii:ReportedSpeech ; schema:author person:zhang-guangjun ;
           gii:speakerPost post:most-vice-minister-zhang-guangjun ; gii:statedIn event:gii-2023-high-level-roundtable ;
           schema:mentions region:yangtze-river-delta, strategy:yangtze-river-delta-integration ;
           prov:wasDerivedFrom passage:cnipnews-2023-10-08-p6 .
        ?l schema:author person:liu-hua ; gii:speakerPost ?lp ; prov:wasDerivedFrom passage:cnipnews-2023-10-08-p9 .
        ?s schema:author person:zhang-qiao ; schema:mentions cluster:shanghai-suzhou ; prov:wasDerivedFrom passage:cnipnews-2023-10-08-p10 .
        ?e schema:author organization:huawei, organization:xiaomi, organization:raycan ; gii:speechMode gii:ReportedSpeech ;
           prov:wasDerivedFrom passage:cnipnews-2023-10-08-p11 .""",
    # claims
    "the four checkable claims": """
        claim:top-five-clusters-in-east-asia a schema:Claim, gii:CheckableClaim ; schema:appearance article:cnipnews-2023-10-08 .
        claim:three-of-top-five-in-china a gii:CheckableClaim . claim:china-hosts-most-top-100-clusters a gii:CheckableClaim .
        claim:shanghai-suzhou-rose-to-fifth a gii:CheckableClaim ; prov:wasDerivedFrom passage:cnipnews-2023-10-08-p10 .""",
}


@pytest.mark.parametrize("name", FACTS, ids=list(FACTS))
def test_fact_is_in_the_graph(graph, name):
    assert ask(graph, FACTS[name]), name


def test_the_2023_top_five(graph):
    rows = select(graph, """SELECT ?rank ?name WHERE { ?o gii:edition report:gii-2023 ; gii:rank ?rank ; gii:cluster ?c ;
                                                          dcterms:source article:cnipnews-2023-10-08 .
                            ?c schema:name ?name FILTER(LANG(?name) = "en") }""")
    assert rows == {("1", "Tokyo-Yokohama"), ("2", "Shenzhen-Hong Kong-Guangzhou"), ("3", "Seoul"),
                    ("4", "Beijing"), ("5", "Shanghai-Suzhou")}


def test_every_fact_node_points_to_its_source_passage(dataset, graph):
    """Facts read in the article cite its passages (the cluster tables' figures cite their own sources)."""
    facts = select(graph, """SELECT ?f WHERE { VALUES ?t { qb:Observation org:Post gii:Statement schema:Claim schema:Event
                                                        schema:VideoObject gii:ClusterRanking } ?f a ?t
                                               FILTER NOT EXISTS { ?f dcterms:source ?s . ?s schema:url ?url } }""")
    # an event is a prov:Activity (no prov:wasDerivedFrom, whose domain is prov:Entity): its passages are
    # creative works about it
    sourced = select(graph, """SELECT ?f WHERE { { ?f prov:wasDerivedFrom ?p } UNION { ?f a schema:Event ; schema:subjectOf ?p }
                                                 ?p a gii:Passage }""")
    assert facts and facts <= sourced


def test_people_organizations_places_found_with_schema_types_only(graph):
    people = select(graph, 'SELECT ?n WHERE { ?p a schema:Person ; schema:name ?n FILTER(LANG(?n) = "en") }')
    assert {n for (n,) in people} == {"Marco Aleman", "Zhang Guangjun", "Liu Hua", "Zhang Qiao", "Xue Peiwen", "Liu Shan"}
    orgs = select(graph, "SELECT ?o WHERE { ?o a schema:Organization }")
    assert len(orgs) == 8
    assert ask(graph, "city:suzhou a schema:Place . cluster:nanjing a schema:Place .")


def test_no_full_article_text_is_published(graph):
    """Only short quotations: no literal is longer than a short paragraph of our own words."""
    queries = {GII.supportTest, GII.contradictionTest, GII.evidenceQuery}  # SPARQL text of our own
    longest = max(len(str(o)) for _, p, o in graph if not hasattr(o, "fragment") and p not in queries)
    assert longest < 500
    seed_sentence = "The boom of the Chinese S&T clusters is a result of contribution"
    assert not any(seed_sentence in str(o) for _, _, o in graph)


def test_wikidata_links_only_where_confirmed(graph):
    links = select(graph, "SELECT ?s ?q WHERE { ?s schema:sameAs ?q FILTER STRSTARTS(STR(?q), STR(wd:)) }")
    confirmed = {"Q148", "Q17", "Q884", "Q8646", "Q14773", "Q1490", "Q956", "Q8686", "Q8684"}
    assert {q.rsplit("/", 1)[1] for _, q in links} <= confirmed
