"""Oxigraph's store keeps literals in one form per value ("01"^^xsd:integer as "1", "+00:00" as "Z",
xsd:int as xsd:integer; oxigraph issue #526): whatever answers from it must refuse data whose literals
it would not keep as written, never answer with terms the data does not hold."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import giigraph
from giigraph import claims
from giigraph.builder import _datetime
from giigraph.errors import InputError
from giigraph.query.engines import exact_engine
from giigraph.query.run import run_query
from giigraph.quads import Quads
from giigraph.rdfio import read_quads
from giigraph.shacl.shapes import Unsupported
from giigraph.shacl.sparql import kept_as_written
from giigraph.terms import Literal
from rdf_strategies import literals

XSD = "http://www.w3.org/2001/XMLSchema#"
DATA = """@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a a ex:C ; ex:p "01"^^xsd:integer, "1"^^xsd:integer, "2018-09-01T11:16:00+00:00"^^xsd:dateTime .
"""
SHAPES = """@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ a sh:SPARQLConstraint ; sh:message "v" ;
    sh:select "SELECT $this ?value WHERE { $this <http://example.org/p> ?value }" ] .
ex:T a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ a sh:SPARQLConstraint ; sh:message "two" ;
    sh:select "SELECT $this WHERE { $this <http://example.org/p> ?v . FILTER(isNumeric(?v)) } GROUP BY $this HAVING (COUNT(DISTINCT ?v) < 2)" ] .
"""


def test_shacl_sparql_on_literals_the_store_rewrites_goes_to_pyshacl(tmp_path):
    """The store would report "1" and "...Z" for "01" and "+00:00", lose one of the three values and
    count one distinct number where the data has two: 'fast' refuses, 'auto' answers as pyshacl."""
    (tmp_path / "lit.ttl").write_text(DATA)
    (tmp_path / "shapes.ttl").write_text(SHAPES)
    quads, shapes = read_quads([tmp_path / "lit.ttl"]), [tmp_path / "shapes.ttl"]
    with pytest.raises(Unsupported, match=r"holds \"01\"\^\^.* in another form"):
        giigraph.validate(quads, engine="fast", shapes=shapes)
    auto = giigraph.validate(quads, engine="auto", shapes=shapes)
    reference = giigraph.validate(quads, engine="pyshacl", shapes=shapes)
    assert auto.engine == "pyshacl" and auto.results == reference.results
    assert sorted(r.value for r in auto.results) == [
        f'"01"^^<{XSD}integer>', f'"1"^^<{XSD}integer>', f'"2018-09-01T11:16:00+00:00"^^<{XSD}dateTime>']


@pytest.mark.parametrize("literal", [
    Literal("01", datatype=XSD + "integer"), Literal("1", datatype=XSD + "int"), Literal("1.0", datatype=XSD + "decimal"),
    Literal("1", datatype=XSD + "boolean"), Literal("2018-09-01T11:16:00+00:00", datatype=XSD + "dateTime"),
    Literal("x", lang="en-GB"),
])
def test_a_literal_the_store_rewrites_is_refused(literal):
    with pytest.raises(Unsupported):
        kept_as_written([literal])


def test_literals_the_store_keeps_pass():
    kept = [Literal("1", datatype=XSD + "integer"), Literal("abc", datatype=XSD + "integer"), Literal("x", lang="en-gb"),
            Literal("2018-09-01T11:16:00Z", datatype=XSD + "dateTime"), Literal("x", datatype=XSD + "string"),
            Literal("x"), Literal("POINT(1 2)", datatype="http://www.opengis.net/ont/geosparql#wktLiteral")]
    kept_as_written(kept)


def test_the_built_dataset_is_kept_as_written():
    """The build validates with the fast engine only if the store keeps every literal it writes."""
    kept_as_written(giigraph.build_quads().typed_literals())


@given(st.datetimes(timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=8)),
                                               timezone(timedelta(hours=-5, minutes=-30))])))
def test_the_builder_writes_date_times_as_the_store_keeps_them(value: datetime):
    kept_as_written([_datetime(value)])


# --- queries: `giigraph query`, the endpoint, the claims -----------------------------------------------

def _dataset(objects) -> "Dataset":
    quads = Quads()
    quads.graph("http://example.org/g").update(
        (f"http://example.org/s{i % 3}", "http://example.org/p", o) for i, o in enumerate(objects))
    return quads.to_rdflib()


def test_a_query_on_literals_the_store_rewrites_is_answered_by_rdflib():
    """On Oxigraph's store "01" and "1" are one term: its answer would count one value and show "1"."""
    data = _dataset([Literal("01", datatype=XSD + "integer"), Literal("1", datatype=XSD + "integer")])
    assert exact_engine("oxigraph", data) == "rdflib"
    result = run_query(data, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }", engine="oxigraph")
    assert int(result.rows[0][0]) == 2
    rows = run_query(data, "SELECT ?o WHERE { ?s ?p ?o }", engine="oxigraph").rows
    assert sorted(str(row[0]) for row in rows) == ["01", "1"]


def test_the_built_dataset_is_queried_on_oxigraph():
    dataset = giigraph.build()
    assert exact_engine("oxigraph", dataset) == "oxigraph"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(literals(nul=False), min_size=1, max_size=6))
def test_queries_answer_as_rdflib_on_any_literals(objects):
    """Whatever the literals, `giigraph query` on Oxigraph answers what rdflib answers (xsd:string written
    as simple literals: RDF 1.1 makes them one term, which rdflib counts as two)."""
    data = _dataset([Literal(o[0]) if o[2] == XSD + "string" else o for o in objects])
    for text in ("SELECT ?s ?o WHERE { ?s ?p ?o }", "SELECT DISTINCT ?o WHERE { ?s ?p ?o }",
                 "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }",
                 "SELECT ?a ?b WHERE { ?a ?p ?o . ?b ?p ?o FILTER(?a != ?b) }"):
        assert run_query(data, text, engine="oxigraph").solutions() == run_query(data, text, engine="rdflib").solutions()


def test_claims_on_literals_the_store_rewrites_are_refused():
    quads = Quads()
    quads.graph().add(("http://example.org/a", "http://example.org/p", Literal("01", datatype=XSD + "integer")))
    with pytest.raises(InputError, match="cannot run exactly"):
        claims.check(quads)


def test_typed_literals_see_a_graph_handed_out_again():
    quads = Quads()
    quads.graph("http://example.org/g").add(("http://example.org/a", "http://example.org/p", Literal("x", lang="en")))
    assert quads.typed_literals() == {Literal("x", lang="en")}
    quads.graph("http://example.org/g").add(("http://example.org/a", "http://example.org/p", Literal("01", datatype=XSD + "int")))
    quads.graph().add(("http://example.org/a", "http://example.org/p", Literal("plain")))
    assert quads.typed_literals() == {Literal("x", lang="en"), Literal("01", datatype=XSD + "int")}
