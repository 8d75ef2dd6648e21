"""Faults planted in the article's quads, one or more for each kind of constraint the shapes state."""
from __future__ import annotations

from giigraph.namespaces import GII, ORG, PROV, RDF, SCHEMA
from giigraph.quads import Quads
from giigraph.terms import Literal

SOURCE = "cnipnews-2023-10-08"


def plant(quads: Quads, base: str = "https://w3id.org/giigraph/") -> Quads:
    """The article's quads with faults added (in place); returns them."""
    curated = quads.graph(f"{base}graph/curated")
    source = quads.graph(f"{base}graph/source/{SOURCE}")
    iri = f"{base}id/".__add__

    def drop(graph: set, s: str, p: str) -> None:
        graph.difference_update([t for t in graph if t[0] == s and t[1] == p])

    def copy(graph: set, old: str, new: str, **replace) -> None:
        for s, p, o in [t for t in graph if t[0] == old]:
            graph.add((new, p, replace.get(p, o)))

    # ranks: out of range, not an integer, a second and different rank in the same data set
    source.add((iri(f"observation/{SOURCE}-gii-2023-beijing"), GII.rank, Literal(0)))
    drop(source, iri(f"observation/{SOURCE}-gii-2023-seoul"), GII.rank)
    source.add((iri(f"observation/{SOURCE}-gii-2023-seoul"), GII.rank, Literal("three")))
    copy(source, iri(f"observation/{SOURCE}-gii-2023-shanghai-suzhou"), iri("observation/extra-shanghai-suzhou-2023"),
         **{GII.rank: Literal(7)})
    # what an observation is about: a person for a cluster, a literal for an edition
    source.add((iri(f"observation/{SOURCE}-gii-2023-hangzhou"), GII.cluster, iri("person/liu-hua")))
    source.add((iri(f"observation/{SOURCE}-gii-2023-nanjing"), GII.edition, Literal("2023")))
    # names: none, two in English, one in French, a tagged alternate name
    drop(curated, iri("cluster/wuhan"), SCHEMA.name)
    curated.add((iri("cluster/nanjing"), SCHEMA.name, Literal("Nanking", lang="en")))
    curated.add((iri("cluster/hangzhou"), SCHEMA.name, Literal("Hangzhou", lang="fr")))
    curated.add((iri("person/liu-hua"), SCHEMA.alternateName, Literal("Liu", lang="en")))
    curated.add((iri("person/liu-hua"), SCHEMA.name, Literal("L", lang="en")))
    # an IRI that breaks the pattern
    copy(curated, iri("cluster/seoul"), "https://w3id.org/giigraph/id/cluster/Bad_Slug")
    # posts and statements: no organization, an extra property, no speaker, no source, someone else's post
    drop(source, iri("post/suzhou-vice-mayor-zhang-qiao"), ORG.postIn)
    source.add((iri("post/wipo-office-in-china-director-liu-hua"), SCHEMA.about, iri("economy/china")))
    source.add((iri("post/china-ip-news-writer-xue-peiwen"), ORG.heldBy, iri("organization/china-ip-news")))
    source.add((iri("post/china-ip-news-editor-liu-shan"), ORG.role, iri("role/liu-shan")))
    drop(source, iri("statement/liu-hua-cluster-cooperation"), SCHEMA.author)
    drop(source, iri("statement/zhang-qiao-shanghai-suzhou-rise"), PROV.wasDerivedFrom)
    source.add((iri("statement/zhang-guangjun-regional-innovation"), GII.speakerPost,
                iri("post/wipo-office-in-china-director-liu-hua")))
    source.add((iri("statement/zhang-guangjun-regional-innovation"), GII.speechMode, GII.DirectSpeech))
    # an edition outside the series; a zero upper bound; a name in Chinese only; a country as a city
    copy(source, iri(f"observation/{SOURCE}-gii-2023-wuhan"), iri("observation/future-wuhan"),
         **{GII.edition: iri("report/gii-2099")})
    source.add((iri(f"observation/{SOURCE}-gii-2023-nanjing"), GII.rankUpperBound, Literal(0)))
    curated.add((iri("region/east-asia-zh"), SCHEMA.name, Literal("东亚", lang="zh")))
    curated.add((iri("cluster/beijing"), SCHEMA.containsPlace, iri("economy/china")))
    # posts in a person, held by a city
    source.add((iri("post/china-ip-news-writer-xue-peiwen"), ORG.postIn, iri("person/xue-peiwen")))
    source.add((iri("post/china-ip-news-editor-liu-shan"), ORG.heldBy, iri("city/beijing")))
    # a passage in two articles, with a part it cannot be compared with; an instance of a shape that is a class
    source.add((iri(f"passage/{SOURCE}-p5"), SCHEMA.isPartOf, iri("article/elsewhere")))
    source.add((iri(f"passage/{SOURCE}-p5"), SCHEMA.hasPart, Literal(3)))
    curated.add((iri("role/vice-mayor"), RDF.type, "https://example.org/shapes#Role"))
    curated.add((iri("region/nowhere"), RDF.type, "https://example.org/shapes#Role"))
    return quads
