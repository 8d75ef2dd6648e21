"""`giigraph query` end to end: query sources, data sources, formats, files and errors."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from rdflib import Graph

from giigraph.cli import main

from query_support import TRIG

TOP_FIVE_EN = ["Tokyo-Yokohama", "Shenzhen-Hong Kong-Guangzhou", "Seoul", "Beijing", "Shanghai-Suzhou"]


def run(*args: str):
    return CliRunner().invoke(main, ["query", *args])


def test_bundled_query_prints_an_aligned_table():
    result = run("top-five-2023")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["rank", "cluster", "economy", "code"]
    assert lines[2].split()[0] == "1" and '"Tokyo-Yokohama"@en' in lines[2]
    assert len(lines) == 2 + 6


def test_inline_query_with_predeclared_prefixes_as_csv():
    result = run("SELECT ?rank ?name WHERE { ?o gii:rank ?rank ; gii:edition report:gii-2023 ; "
                 "dcterms:source article:cnipnews-2023-10-08 ; "
                 "gii:cluster/schema:name ?name FILTER langMatches(lang(?name), 'en') } ORDER BY ?rank",
                 "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output, newline="")))
    assert rows == [["rank", "name"], *([str(i + 1), name] for i, name in enumerate(TOP_FIVE_EN))]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_query_file_and_json_results(tmp_path, engine):
    query = tmp_path / "people.rq"
    query.write_text("# Who?\nSELECT ?name WHERE { ?p a schema:Person ; schema:name ?name FILTER(lang(?name) = 'zh') }\n")
    result = run("-f", str(query), "--engine", engine, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["head"] == {"vars": ["name"]}
    assert {b["name"]["value"] for b in data["results"]["bindings"]} == {"张广军", "刘华", "张桥"}


def test_data_files_instead_of_the_built_dataset(tmp_path):
    (tmp_path / "mini.trig").write_text(TRIG)
    (tmp_path / "extra.ttl").write_text("<http://example.org/x> <http://schema.org/name> \"X\"@en .\n")
    result = run("--data", str(tmp_path / "mini.trig"), "--data", str(tmp_path / "extra.ttl"),
                 "SELECT ?name WHERE { ?s schema:name ?name FILTER langMatches(lang(?name), 'en') } ORDER BY ?name",
                 "--format", "tsv")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "?name" and sorted(lines[1:]) == ['"Beijing"@en', '"Seoul"@en', '"Seoul"@en-gb',
                                                         '"Tokyo-Yokohama"@en', '"X"@en']
    # in any order: SPARQL does not order literals of different language tags, and the data's 3.0 (which
    # Oxigraph's store keeps as "3") has rdflib answer, which orders them otherwise than Oxigraph


def test_construct_defaults_to_turtle_and_takes_any_rdf_format(tmp_path):
    turtle = run("cluster-places")
    assert turtle.exit_code == 0, turtle.output
    graph = Graph().parse(data=turtle.output, format="turtle")
    assert len(graph) > 0
    jsonld = run("describe-shanghai-suzhou", "--format", "jsonld")
    assert jsonld.exit_code == 0, jsonld.output
    assert isomorphic_to_turtle(jsonld.output, run("describe-shanghai-suzhou").output)


def isomorphic_to_turtle(jsonld_text: str, turtle_text: str) -> bool:
    from rdflib.compare import isomorphic

    return isomorphic(Graph().parse(data=jsonld_text, format="json-ld"), Graph().parse(data=turtle_text, format="turtle"))


def test_output_file_takes_its_format_from_the_extension(tmp_path):
    out = tmp_path / "answer.srx"
    result = run("claim-three-of-top-five-in-china", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert "<boolean>true</boolean>" in out.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["answer.srx"]  # no temporary file left behind


def test_list_shows_every_bundled_query_with_its_question():
    result = run("--list")
    assert result.exit_code == 0
    assert "top-five-2023\tWhich clusters are the top five of the GII 2023 S&T cluster ranking" in result.output
    assert len(result.output.splitlines()) >= 15


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_syntax_error_gives_line_and_column_and_exit_2(tmp_path, engine):
    query = tmp_path / "bad.rq"
    query.write_text("SELECT ?x\nWHERE {\n  ?x schema:name\n}\n")
    result = run("-f", str(query), "--engine", engine)
    assert result.exit_code == 2
    assert result.output.startswith(f"error: syntax error in {query} at line 3, column 3: ")


def test_unknown_bundled_query_lists_the_available_ones():
    result = run("top-ten")
    assert result.exit_code == 2
    assert result.output.startswith("error: no bundled query named 'top-ten'; available: article, article-claims,")


@pytest.mark.parametrize("args, message", [
    ((), "give a query (SPARQL text or the name of a bundled query) or -f FILE"),
    (("top-five-2023", "--format", "turtle"), "SELECT results cannot be written as 'turtle'"),
    (("cluster-places", "--format", "csv"), "unknown RDF format 'csv'"),
    (("claim-three-of-top-five-in-china", "--format", "tsv"), "TSV results format has no form for an ASK"),
    (("top-five-2023", "--data", "missing.ttl"), "missing.ttl: no such file"),
    (("-f", "missing.rq"), "cannot read query file 'missing.rq'"),
])
def test_usage_and_input_errors_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_bad_engine_is_a_usage_error():
    result = run("top-five-2023", "--engine", "jena")
    assert result.exit_code == 2
    assert "'jena' is not one of 'oxigraph', 'rdflib'" in result.output


def test_real_process():
    proc = subprocess.run(
        [sys.executable, "-m", "giigraph", "query", "shanghai-suzhou-rank-change", "--format", "tsv"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "?rank2022\t?rank2023\t?placesGained\n6\t5\t1\n"


def test_bundled_queries_follow_another_base():
    result = run("shanghai-suzhou-rank-change", "--base", "https://example.org/kg/", "--format", "tsv")
    assert result.exit_code == 0, result.output
    assert result.output == "?rank2022\t?rank2023\t?placesGained\n6\t5\t1\n"
    iri = run("SELECT ?c WHERE { ?c a gii:Cluster ; schema:name 'Beijing'@en }", "--base", "https://example.org/kg/",
              "--format", "csv")
    assert iri.output.splitlines()[1] == "https://example.org/kg/id/cluster/beijing"


def test_query_from_standard_input():
    result = CliRunner().invoke(main, ["query", "-f", "-", "--format", "tsv"],
                                input="SELECT DISTINCT ?code WHERE { ?o dcterms:source article:cnipnews-2023-10-08 ; "
                                      "gii:cluster/gii:economy/gii:economyCode ?code } ORDER BY ?code")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["?code", '"CN"', '"HK"', '"JP"', '"KR"']


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_an_ill_formed_literal_is_answered_without_rdflib_noise(tmp_path, engine):
    """rdflib warns about lexical forms it cannot turn into values; the answer keeps them as written,
    and nothing but the answer is printed."""
    data = tmp_path / "weird.nt"
    data.write_text('<http://e/s> <http://e/p> "yes"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n')
    done = subprocess.run([sys.executable, "-m", "giigraph", "query", "--engine", engine, "--data", str(data),
                           "CONSTRUCT WHERE { ?s ?p ?o }", "--format", "nt"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert '"yes"^^<http://www.w3.org/2001/XMLSchema#boolean>' in done.stdout
