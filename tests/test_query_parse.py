"""Parsing: forms, projection order, predeclared prefixes, syntax errors with line and column."""
from __future__ import annotations

import pytest
from rdflib import URIRef

from giigraph.errors import QueryRefused, QuerySyntaxError
from giigraph.query.parse import QueryDataset, parse_query

from query_support import PREFIXES


@pytest.mark.parametrize("text, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("ASK { ?s ?p ?o }", "ASK"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DESCRIBE <http://example.org/x>", "DESCRIBE"),
])
def test_query_forms(text, form):
    assert parse_query(text).form == form


def test_projection_keeps_the_select_order():
    assert parse_query("SELECT ?z ?a (1 AS ?m) WHERE { ?a ?z ?q }").variables == ("z", "a", "m")


def test_select_star_is_in_order_of_first_appearance():
    # rdflib's own order for SELECT * is a set's, so it changes from run to run.
    parsed = parse_query("SELECT * WHERE { ?s ?p ?o . ?o ?q ?zeta . BIND(1 AS ?b) }")
    assert parsed.variables == ("s", "p", "o", "q", "zeta", "b")


def test_predeclared_prefixes_and_own_prefix_declarations():
    assert parse_query("SELECT ?s WHERE { ?s a schema:Place }", PREFIXES).form == "SELECT"
    redeclared = parse_query("PREFIX schema: <https://schema.org/> SELECT ?s WHERE { ?s a schema:Place }", PREFIXES)
    assert "https://schema.org/Place" in str(redeclared.algebra.algebra)


def test_dataset_clauses_are_read():
    parsed = parse_query("SELECT * FROM <http://g/1> FROM NAMED <http://g/2> WHERE { ?s ?p ?o }")
    assert parsed.dataset == QueryDataset((URIRef("http://g/1"),), (URIRef("http://g/2"),))
    prefixed = parse_query("SELECT * FROM g:curated WHERE { ?s ?p ?o }", {"g": "http://g/"})
    assert prefixed.dataset.default_graphs == (URIRef("http://g/curated"),)
    assert not parse_query("ASK {}").dataset


def test_syntax_error_has_line_and_column():
    with pytest.raises(QuerySyntaxError) as err:
        parse_query("SELECT ?x\nWHERE {\n  ?x ?y\n}", source="bad.rq")
    assert (err.value.line, err.value.column) == (3, 3)
    assert str(err.value).startswith("syntax error in bad.rq at line 3, column 3: Expected")


def test_undeclared_prefix_is_located():
    with pytest.raises(QuerySyntaxError) as err:
        parse_query("SELECT ?x WHERE {\n  ?x foo:bar <http://a/b:c> }")
    assert (err.value.line, err.value.column) == (2, 6)
    assert "undeclared prefix foo:" in str(err.value)


def test_empty_query_is_a_syntax_error():
    with pytest.raises(QuerySyntaxError):
        parse_query("   ")


@pytest.mark.parametrize("text, words", [
    ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT DATA"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
    ("CLEAR ALL", "CLEAR"),
    ("LOAD <http://example.org/data.ttl>", "LOAD <http://example.org/data.ttl> would fetch remote data"),
])
def test_updates_are_refused(text, words):
    with pytest.raises(QueryRefused, match="SPARQL Update") as err:
        parse_query(text)
    assert words in str(err.value) and "giigraph is read-only" in str(err.value)
