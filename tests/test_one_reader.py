"""One reader for every command: `validate`, `publish`, `claims` and `query --data` read files with
`rdfio.read_quads` (Oxigraph's parsers), so a literal is what the file says, never rdflib's rewrite."""
from __future__ import annotations

import subprocess
import sys

import giigraph
from giigraph.publish import Endpoints, make_plan
from giigraph.rdfio import read_quads
from giigraph.terms import Literal

XSD = "http://www.w3.org/2001/XMLSchema#"
TRIG = """@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/g> {
  <http://example.org/s> <http://example.org/count> "0042"^^xsd:integer ;
      <http://example.org/day> "2023-10-08+08:00"^^xsd:date ;
      <http://example.org/flag> "1"^^xsd:boolean ;
      <http://example.org/share> "01.50"^^xsd:decimal .
}
"""
AS_WRITTEN = {Literal("0042", datatype=XSD + "integer"), Literal("2023-10-08+08:00", datatype=XSD + "date"),
              Literal("1", datatype=XSD + "boolean"), Literal("01.50", datatype=XSD + "decimal")}


def test_the_reader_keeps_literals_as_written(tmp_path):
    path = tmp_path / "data.trig"
    path.write_text(TRIG)
    assert {o for _, _, o in read_quads([path]).graphs["http://example.org/g"]} == AS_WRITTEN
    assert {str(o) for _, _, o, _ in giigraph.read_rdf([path]).quads()} == {lit[0] for lit in AS_WRITTEN}


def test_publish_sends_the_literals_of_the_file(tmp_path):
    path = tmp_path / "data.trig"
    path.write_text(TRIG)
    plan = make_plan(giigraph.read_rdf([path]), Endpoints("http://127.0.0.1:9/store", "gsp", None, None))
    body = b"".join(r.body for requests in plan.uploads for r in requests).decode()
    for lexical in ('"0042"^^', '"2023-10-08+08:00"^^', '"1"^^', '"01.50"^^'):
        assert lexical in body


def test_query_data_reads_the_file_with_the_same_reader(tmp_path):
    """Through a SPARQL store the values are equal, not always the lexical forms (Oxigraph stores
    `"0042"^^xsd:integer` as 42): the query sees the file's values."""
    path = tmp_path / "data.trig"
    path.write_text(TRIG)
    done = subprocess.run([sys.executable, "-m", "giigraph", "query", "--data", str(path), "--format", "csv",
                           "SELECT (?o + 0 AS ?n) WHERE { ?s <http://example.org/count> ?o }"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["n", "42"]


def test_the_rdflib_engine_reads_nquads_with_the_same_reader():
    """The N-Quads a server hands its query workers are read by the one reader too (rdflib's own
    parser would make `"0042"^^xsd:integer` `"42"`)."""
    from giigraph.query.engines import open_engine
    from giigraph.query.parse import parse_query

    data = b'<http://e.org/s> <http://e.org/p> "0042"^^<http://www.w3.org/2001/XMLSchema#integer> <http://e.org/g> .\n'
    result = open_engine("rdflib", data).run(parse_query("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {}, "q"))
    assert [str(row[0]) for row in result.rows] == ["0042"]
