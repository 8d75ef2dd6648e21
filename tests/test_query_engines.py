"""Both engines see the same dataset the same way, and give the same answers with typed literals."""
from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from giigraph.errors import QueryError, QueryRefused
from giigraph.query.engines import open_engine
from giigraph.query.parse import QueryDataset, parse_query
from giigraph.query.results import normalize

from query_support import EX, PREFIXES, engines, mini_dataset, run_both


@pytest.fixture(scope="module")
def engs():
    return engines(mini_dataset())


def ex(name: str) -> URIRef:
    return URIRef(EX + name)


def test_default_graph_is_the_set_union_of_all_graphs(engs):
    # ex:tokyo a schema:Place is in three graphs: it must match once, on both engines.
    results = run_both(engs, "SELECT ?s WHERE { ?s a schema:Place }")
    for result in results.values():
        assert Counter(row[0] for row in result.rows) == Counter({ex("tokyo"): 1, ex("seoul"): 1, ex("beijing"): 1})
    count = run_both(engs, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert {r.rows for r in count.values()} == {((Literal(21),),)}


def test_default_graph_includes_triples_outside_named_graphs(engs):
    for result in run_both(engs, "ASK { ex:loose ex:note ?n }").values():
        assert result.boolean is True


def test_graph_variable_ranges_over_named_graphs_only(engs):
    results = run_both(engs, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    expected = {(ex("curated"), Literal(9)), (ex("source-a"), Literal(8)), (ex("source-b"), Literal(5))}
    for result in results.values():
        assert set(result.rows) == expected


def test_from_and_from_named_pick_graphs_of_the_dataset(engs):
    only_b = run_both(engs, "SELECT DISTINCT ?s FROM ex:source-b WHERE { ?s ?p ?o }")
    named = run_both(engs, "SELECT DISTINCT ?g FROM NAMED ex:source-a WHERE { GRAPH ?g { ?s ?p ?o } }")
    for result in only_b.values():
        assert set(result.rows) == {(ex("tokyo"),), (ex("obs3"),)}
    for result in named.values():
        assert set(result.rows) == {(ex("source-a"),)}


def test_a_requested_dataset_takes_the_place_of_from_clauses(engs):
    """SPARQL Protocol: default-graph-uri / named-graph-uri replace the query's FROM / FROM NAMED."""
    from_a = parse_query("SELECT DISTINCT ?s FROM ex:source-a WHERE { ?s a schema:Place }", PREFIXES)
    graphs = parse_query("SELECT ?g ?s WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s a schema:Place } } }", PREFIXES)
    for engine in engs.values():
        assert set(engine.run(from_a).rows) == {(ex("tokyo"),)}
        assert set(engine.run(from_a, QueryDataset((ex("curated"),))).rows) == {(ex(c),) for c in ("tokyo", "seoul", "beijing")}
        # named graphs only: the default graph is empty, GRAPH ranges over the ones named
        named_only = engine.run(graphs, QueryDataset(named_graphs=(ex("curated"),)))
        assert set(named_only.rows) == {(ex("curated"), ex(c)) for c in ("tokyo", "seoul", "beijing")}


def test_engines_load_n_quads_as_they_load_a_dataset(engs):
    """A server hands its workers the dataset as N-Quads bytes."""
    from_bytes = engines(mini_dataset().serialize(format="nquads", encoding="utf-8"))
    for query in ("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } }"):
        expected = Counter(run_both(engs, query)["rdflib"].rows)
        assert {name: Counter(r.rows) for name, r in run_both(from_bytes, query).items()} == \
            {name: expected for name in from_bytes}
    assert {e.graph_names for e in from_bytes.values()} == {e.graph_names for e in engs.values()}


def test_from_an_iri_outside_the_dataset_is_refused(engs):
    for engine in engs.values():
        parsed = parse_query("SELECT * FROM <http://example.org/elsewhere> WHERE { ?s ?p ?o }")
        with pytest.raises(QueryRefused, match="names no graph of the dataset"):
            engine.run(parsed)


@pytest.mark.parametrize("query", [
    "SELECT ?c ?name ?rank WHERE { ?o ex:cluster ?c ; ex:rank ?rank . ?c schema:name ?name }",
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT ?s ?note ?share ?ok WHERE { { ?s ex:note ?note } UNION { ?s ex:share ?share ; ex:ok ?ok } }",
    "SELECT ?name WHERE { ex:seoul schema:name ?name FILTER langMatches(lang(?name), 'en') }",
    "SELECT (SUM(?r) AS ?sum) (MAX(?r) AS ?max) (AVG(?r * 1.5) AS ?avg) (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o ex:rank ?r }",
    "SELECT ?s (CONCAT(STR(?s), \"!\") AS ?c) (STRLEN(?n) AS ?len) WHERE { ?s schema:name ?n FILTER(lang(?n) = 'zh') }",
    "SELECT ?s ?y WHERE { ?s ex:year ?y FILTER(?y = \"2023\"^^xsd:gYear) } ORDER BY ?s",
    "SELECT ?s ?rank WHERE { ?s ex:rank ?rank OPTIONAL { ?s ex:share ?x } FILTER(!BOUND(?x)) }",
])
def test_engines_agree_on_solutions_as_multisets(engs, query):
    results = run_both(engs, query)
    rdflib_rows, oxigraph_rows = (Counter(r.rows) for r in results.values())
    assert rdflib_rows == oxigraph_rows
    assert rdflib_rows  # every query here has answers


def test_typed_literals_come_back_typed(engs):
    results = run_both(engs, "SELECT ?r ?y ?share ?ok WHERE { { ?o ex:rank ?r ; ex:year ?y } UNION { ?o ex:share ?share ; ex:ok ?ok } }")
    for result in results.values():
        terms = {t for row in result.rows for t in row if t is not None}
        assert Literal("1", datatype=XSD.integer) in terms
        assert Literal("2023", datatype=XSD.gYear) in terms
        assert Literal("3", datatype=XSD.decimal) in terms  # 3.0 in XSD 1.1 canonical form
        assert Literal("true", datatype=XSD.boolean) in terms


def test_ask_construct_describe_agree(engs):
    ask = run_both(engs, "ASK { ex:tokyo schema:name \"东京-横滨\"@zh }")
    assert {r.boolean for r in ask.values()} == {True}
    construct = run_both(engs, "CONSTRUCT { ?c ex:label ?n } WHERE { ?c schema:name ?n FILTER(lang(?n) = 'en') }")
    describe = run_both(engs, "DESCRIBE ex:seoul")
    for results in (construct, describe):
        rdflib_graph, oxigraph_graph = (set(r.graph) for r in results.values())
        assert rdflib_graph == oxigraph_graph and rdflib_graph
    assert (ex("seoul"), URIRef("http://schema.org/name"), Literal("首尔", lang="zh")) in describe["oxigraph"].graph


def test_language_tags_and_strings_are_normalised():
    assert normalize(Literal("Seoul", lang="en-GB")) == Literal("Seoul", lang="en-gb")
    assert normalize(Literal("x", datatype=XSD.string)) == Literal("x")
    assert normalize(Literal("3.0", datatype=XSD.decimal)) == Literal("3", datatype=XSD.decimal)
    assert normalize(Literal("-0.0", datatype=XSD.decimal)) == Literal("0", datatype=XSD.decimal)
    assert normalize(Literal("2.50", datatype=XSD.decimal)) == Literal("2.5", datatype=XSD.decimal)


def test_unknown_engine():
    with pytest.raises(QueryError, match="unknown SPARQL engine 'jena'; use one of: oxigraph, rdflib"):
        open_engine("jena", mini_dataset())


def test_oxigraph_syntax_error_keeps_line_and_column(engs):
    # rdflib's parser accepts a GROUP BY that does not bind the projected variable; Oxigraph does not.
    from giigraph.errors import QuerySyntaxError

    parsed = parse_query("SELECT ?s\nWHERE { ?s ?p ?o }\nGROUP BY ?p", source="q.rq")
    with pytest.raises(QuerySyntaxError) as err:
        engs["oxigraph"].run(parsed)
    assert err.value.line is not None and err.value.column is not None
    assert str(err.value).startswith("syntax error in q.rq at line")


def test_evaluation_errors_are_query_errors(engs):
    # rdflib raises Python errors for an invalid regular expression; Oxigraph gives no solution.
    results = {}
    for name, engine in engs.items():
        try:
            results[name] = engine.run(parse_query('SELECT ?s WHERE { ?s ?p ?o FILTER REGEX(STR(?o), "(") }'))
        except QueryError as exc:
            results[name] = str(exc)
    assert results["rdflib"].startswith("rdflib could not evaluate the query: ")
    assert results["oxigraph"].rows == ()
