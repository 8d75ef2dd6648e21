"""The cluster tables (data/tables/*.csv): every figure in the graph as a sourced Data Cube observation,
the two kinds of 2022 rank kept apart, one IRI per city and economy, bad rows refused with file:line."""
from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, QB, RDF

import giigraph
from giigraph import sources
from giigraph.builder import ALL_KINDS
from giigraph.terms import canonical_decimal
from giigraph.cli import main
from giigraph.cube import CLUSTER_MEASURES
from giigraph.errors import SourceError
from giigraph.resources import DATA_DIR
from giigraph.vocab import GII, SCHEMA, SDMX_ATTRIBUTE, SDMX_DIMENSION, UNIT, data_prefixes

ID = "https://w3id.org/giigraph/id/"
TABLE = DATA_DIR / "tables" / "cluster-figures.csv"
COUNTS = DATA_DIR / "tables" / "clusters-per-economy.csv"
PREFIXES = data_prefixes("https://w3id.org/giigraph/", ALL_KINDS)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def select(graph, query: str) -> list[tuple]:
    return [tuple(r) for r in graph.query(query, initNs=PREFIXES)]


# --- every row and figure, with its source -------------------------------------------------------

def test_the_tables_hold_every_row_of_the_research_note():
    table = rows(TABLE)
    s1 = [r for r in table if "fliphtml5.com" in r["source"]]
    assert [int(r["rank"]) for r in s1] == list(range(1, 36))  # rows 1-35 of Appendix Table 3
    assert all(r[c] for r in s1[:34] for c in ("pct_share", "pub_share", "total_share", "previous_rank", "rank_change"))
    assert {int(r["rank"]) for r in table if r["edition"] == "gii-2023"} >= {71, 72, 73, 74, 91}
    assert all(r["source"].startswith(("http://", "https://")) for r in table + rows(COUNTS))
    assert len(table) == 118 and len(rows(COUNTS)) == 52


def test_every_figure_is_an_observation_with_value_unit_and_source(graph):
    records = [r for r in sources.load(DATA_DIR).figures if r.kind == "cluster-row"]
    table = rows(TABLE)
    assert len(records) == len(table)
    for line, (record, row) in enumerate(zip(records, table), start=2):
        assert record.line == line
        for column, measure in CLUSTER_MEASURES.items():
            if not row[column]:
                assert getattr(record, column) is None
                continue
            obs = URIRef(f"{ID}observation/{record.id}-{column.replace('_', '-')}")
            # the cell's number; a decimal in its canonical form ("1" for "1.0"), the one Oxigraph's store keeps
            value = str(graph.value(obs, URIRef(measure.prop)))
            assert Decimal(value) == Decimal(row[column]) and value in (row[column], canonical_decimal(Decimal(value)))
            assert graph.value(obs, QB.measureType) == URIRef(measure.prop)
            assert graph.value(obs, SDMX_ATTRIBUTE.unitMeasure) == URIRef(measure.unit)
            assert graph.value(obs, GII.cluster) == URIRef(ID + record.cluster)
            assert graph.value(obs, GII.edition) == URIRef(f"{ID}report/{row['edition']}")
            assert str(graph.value(graph.value(obs, DCTERMS.source), SCHEMA.url)) == row["source"]


def test_counts_per_economy_with_each_source(graph):
    found = select(graph, """SELECT ?code ?n ?url WHERE {
        ?o a gii:EconomyCountObservation ; sdmx-dimension:refArea ?e ; gii:clusterCount ?n ; gii:edition ?ed ;
           dcterms:source ?s ; sdmx-attribute:unitMeasure unit:NUM . ?s schema:url ?url . ?e gii:economyCode ?code }""")
    expected = {(r["economy"], r["clusters"], r["source"]) for r in rows(COUNTS)}
    assert {(str(c), str(n), str(u)) for c, n, u in found} == expected
    assert len(found) == len(expected)


def test_each_cited_source_is_a_resource_with_its_url_and_its_own_graph(dataset, graph):
    for url in {r["source"] for r in rows(TABLE) + rows(COUNTS)}:
        (source,) = graph.subjects(SCHEMA.url, URIRef(url))
        own = dataset.graph(URIRef("https://w3id.org/giigraph/graph/source/" + str(source).rsplit("/", 1)[1]))
        assert (source, SCHEMA.url, URIRef(url)) in own
        observations = list(own.subjects(RDF.type, QB.Observation))
        assert observations and all(own.value(o, DCTERMS.source) == source for o in observations)


def test_clusters_gain_their_economies_in_the_source_graph(dataset):
    s1 = dataset.graph(URIRef("https://w3id.org/giigraph/graph/source/gii-2023-appendix-table-3"))
    singapore = URIRef(ID + "cluster/singapore")
    assert set(s1.objects(singapore, GII.economy)) == {URIRef(ID + "economy/singapore"), URIRef(ID + "economy/malaysia")}
    assert len(set(s1.subject_objects(GII.economy))) == 37  # rows 1-35 with two cross-border clusters


# --- the two kinds of 2022 rank -------------------------------------------------------------------

def test_previous_rank_and_published_2022_rank_are_separate_attributed_facts(graph):
    found = select(graph, """SELECT ?measure ?edition ?value ?source WHERE {
        ?o gii:cluster cluster:nanjing ; qb:measureType ?measure ; ?measure ?value ; gii:edition ?edition ;
           dcterms:source ?source . FILTER(?measure IN (gii:rank, gii:previousRank)) }""")
    as_text = {(str(m).rsplit("#")[1], str(e).rsplit("/")[-1], int(v), str(s).rsplit("/")[-1]) for m, e, v, s in found}
    assert ("previousRank", "gii-2023", 12, "gii-2023-appendix-table-3") in as_text
    assert ("rank", "gii-2022", 13, "ccpitjs-nanjing-2022") in as_text
    assert not any(m == "rank" and e == "gii-2022" and v == 12 for m, e, v, _ in as_text)


# --- one IRI per city, economy and cluster --------------------------------------------------------

def test_no_duplicate_places(graph):
    for cls, key in ((GII.Economy, GII.economyCode), (SCHEMA.City, SCHEMA.name), (GII.Cluster, SCHEMA.name)):
        seen: dict[str, URIRef] = {}
        for node in graph.subjects(RDF.type, cls):
            for value in graph.objects(node, key):
                if isinstance(value, Literal) and value.language in (None, "en"):
                    assert seen.setdefault(str(value), node) == node, f"{value} has two IRIs"
    economies = {str(e) for e in graph.subjects(RDF.type, GII.Economy)}
    assert all(str(e) in economies for e in graph.objects(None, GII.economy))
    assert all(str(e) in economies for e in graph.objects(None, SDMX_DIMENSION.refArea))


def test_article_and_table_share_the_cluster_iri(graph):
    found = select(graph, """SELECT DISTINCT ?source WHERE {
        ?o gii:cluster cluster:shanghai-suzhou ; gii:edition report:gii-2023 ; gii:rank 5 ; dcterms:source ?source }""")
    assert {str(s).rsplit("/", 2)[-2] for (s,) in found} == {"article", "source"}


# --- Data Cube integrity constraints (W3C RDF Data Cube, section 11), on Oxigraph -------------------

IC = {
    "IC-1 unique data set": "ASK { ?obs a qb:Observation . FILTER NOT EXISTS { ?obs qb:dataSet ?ds1 . FILTER NOT EXISTS { ?obs qb:dataSet ?ds2 . FILTER(?ds1 != ?ds2) } } }",
    "IC-2 unique DSD": "ASK { ?ds a qb:DataSet . FILTER NOT EXISTS { ?ds qb:structure ?d1 . FILTER NOT EXISTS { ?ds qb:structure ?d2 . FILTER(?d1 != ?d2) } } }",
    "IC-11 all dimensions required": """ASK { ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
        ?dim a qb:DimensionProperty . FILTER NOT EXISTS { ?obs ?dim [] } }""",
    "IC-12 no duplicate observations": """ASK { ?obs1 qb:dataSet ?ds . ?obs2 qb:dataSet ?ds . FILTER(?obs1 != ?obs2)
        FILTER NOT EXISTS { ?ds qb:structure/qb:component/qb:componentProperty ?dim . ?dim a qb:DimensionProperty .
                            ?obs1 ?dim ?v1 . ?obs2 ?dim ?v2 . FILTER(?v1 != ?v2) } }""",
    "IC-15 measure of the measure type is present": """ASK { ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty qb:measureType ;
        qb:measureType ?measure . FILTER NOT EXISTS { ?obs ?measure [] } }""",
}


@pytest.fixture(scope="module")
def store(dataset, onto_structures):
    s = ox.Store()
    s.bulk_load(dataset.serialize(format="nquads", encoding="utf-8"), ox.RdfFormat.N_QUADS)
    s.bulk_load(onto_structures, ox.RdfFormat.N_TRIPLES)
    return s


@pytest.fixture(scope="module")
def onto_structures() -> bytes:
    """qb:componentProperty for each component (the spec's normalisation, phase 1) and property kinds."""
    from rdflib import Graph

    from giigraph.resources import ONTOLOGY_FILE

    onto = Graph().parse(ONTOLOGY_FILE)
    extra = Graph()
    for c, p, o in onto.triples((None, None, None)):
        if p in (QB.dimension, QB.measure, QB.attribute):
            extra.add((c, QB.componentProperty, o))
        if p == RDF.type and o in (QB.DimensionProperty, QB.MeasureProperty, QB.AttributeProperty):
            extra.add((c, p, o))
    extra.add((QB.measureType, RDF.type, QB.DimensionProperty))
    return extra.serialize(format="nt", encoding="utf-8")


@pytest.mark.parametrize("name", IC)
def test_data_cube_integrity_constraint(store, name):
    # The W3C constraints are ASK queries that find violations.
    assert not bool(store.query(IC[name], prefixes=PREFIXES, use_default_graph_as_union=True)), name


# --- bad rows: file and line, nothing written -----------------------------------------------------

def _edit(data: Path, name: str, line: int, column: str, value: str) -> Path:
    path = data / "tables" / name
    with path.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    table[line - 1][table[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)
    return path


@pytest.mark.parametrize("name,line,column,value,message", [
    ("cluster-figures.csv", 6, "cluster", "", "missing required field 'cluster'"),
    ("cluster-figures.csv", 7, "pct_applications", "47,269", "field 'pct_applications' must be a whole number, not '47,269'"),
    ("clusters-per-economy.csv", 3, "clusters", "many", "field 'clusters' must be a whole number, not 'many'"),
    ("cluster-figures.csv", 4, "rank", "101", "field 'rank' must be in 1..100, not 101"),
    ("cluster-figures.csv", 4, "rank", "0", "field 'rank' must be in 1..100, not 0"),
    ("cluster-figures.csv", 8, "economies", "JP/XX", "field 'economies': unknown economy code 'XX'"),
    ("clusters-per-economy.csv", 2, "economy", "ZZ", "field 'economy': unknown economy code 'ZZ'"),
    ("cluster-figures.csv", 5, "pct_share", "ten", "field 'pct_share' must be a decimal number such as 10.1, not 'ten'"),
    ("cluster-figures.csv", 5, "pct_share", "101.5", "field 'pct_share' must be in 0..100, not 101.5"),
    ("cluster-figures.csv", 9, "cluster", "Atlantis", "field 'cluster': unknown cluster 'Atlantis'"),
    ("cluster-figures.csv", 9, "source", "https://example.org/x", "field 'source': unknown source URL"),
    ("cluster-figures.csv", 9, "economies", "JP", "field 'economies' places boston-cambridge in japan, but"),
    ("cluster-figures.csv", 3, "rank", "1", "gives rank 1 to a second cluster for this source and edition (first at line 2)"),
    ("cluster-figures.csv", 3, "cluster", "Tokyo-Yokohama", "gives a second row for this source, edition and cluster (first at line 2)"),
    ("cluster-figures.csv", 2, "edition", "gii-1999", "names unknown report 'gii-1999'"),
])
def test_bad_row_is_reported_with_file_and_line_and_nothing_is_written(
        data_copy, runner, tmp_path, name, line, column, value, message):
    path = _edit(data_copy, name, line, column, value)
    with pytest.raises(SourceError) as err:
        sources.load(data_copy)
    assert f"{path}:{line}: " in str(err.value) and message in str(err.value)
    out = tmp_path / "dist"
    result = runner.invoke(main, ["build", "--data-dir", str(data_copy), "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}:{line}: ") and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_bad_header_and_unknown_table(data_copy):
    (data_copy / "tables" / "extra.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"extra\.csv: unknown table; known: cluster-figures\.csv"):
        sources.load(data_copy)
    (data_copy / "tables" / "extra.csv").unlink()
    path = data_copy / "tables" / "clusters-per-economy.csv"
    path.write_text("edition,economy,count,source\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"clusters-per-economy\.csv:1: unknown column 'count'"):
        sources.load(data_copy)


def test_the_economies_a_table_gives_must_match_the_curated_ones(data_copy):
    _edit(data_copy, "cluster-figures.csv", 34, "economies", "SG")  # Singapore is SG/MY
    with pytest.raises(SourceError, match=r"cluster-figures\.csv:34: field 'economies' places singapore in singapore, "
                                          r"but .*clusters\.yaml:\d+ in malaysia, singapore"):
        sources.load(data_copy)


def test_a_build_without_tables_still_works(data_copy):
    for path in (data_copy / "tables").glob("*.csv"):
        path.unlink()
    ds = giigraph.build(data_dir=data_copy)
    assert not list(ds.subjects(RDF.type, GII.EconomyCountObservation))
    assert (None, SDMX_ATTRIBUTE.unitMeasure, UNIT.UNITLESS) in ds.graph(URIRef("https://w3id.org/giigraph/graph/source/cnipnews-2023-10-08"))
