"""`giigraph validate FILE --shapes SHAPES` and `giigraph.validate(graph, shapes=...)`: any RDF against
any shapes, severities and `--fail-on`, the W3C report in Turtle, and nothing fetched while validating."""
from __future__ import annotations

import pytest
from rdflib import RDF, BNode, Graph
from rdflib.namespace import SH

import giigraph
from giigraph.cli import main
from giigraph.terms import XSD_NS, Literal
from loopback import Listener

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/ns#> .
"""
DATA = PREFIXES + """
<thing> a ex:Thing ; ex:when "2023-02-30"^^xsd:date ; ex:size "300"^^xsd:byte ; ex:next [ ex:name "b" ] .
"""
SHAPES = PREFIXES + """
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:when ; sh:datatype xsd:date ; sh:message "a real day" ] ;
    sh:property [ sh:path ex:size ; sh:datatype xsd:byte ; sh:severity sh:Warning ] ;
    sh:property [ sh:path ( ex:next ex:name ) ; sh:minLength 2 ; sh:severity sh:Info ] .
"""


@pytest.fixture
def files(tmp_path):
    data, shapes = tmp_path / "data.ttl", tmp_path / "shapes.ttl"
    data.write_text(DATA)
    shapes.write_text(SHAPES)
    return data, shapes


def test_any_rdf_against_any_shapes_with_severities(runner, files):
    data, shapes = files
    result = runner.invoke(main, ["validate", str(data), "--shapes", str(shapes)])
    assert result.exit_code == 1, result.output
    thing = (data.parent / "thing").as_uri()  # the file URL is the base IRI
    assert f"<{thing}>" in result.stdout
    assert "3 problem(s): 1 violation(s), 1 warning(s), 1 info(s)" in result.stdout
    assert "violation: ex:when: a real day" in result.stdout
    assert "  warning: ex:size:" in result.stdout
    assert "  info: " in result.stdout


@pytest.mark.parametrize("fail_on, kept, status", [
    ("violation", "warning", 0), ("warning", "warning", 1), ("warning", "info", 0), ("info", "info", 1),
])
def test_fail_on_chooses_the_severity_that_fails(runner, files, fail_on, kept, status):
    data, shapes = files
    text = shapes.read_text()
    drop = {"warning": ('sh:datatype xsd:date ;', 'sh:minLength 2 ;'), "info": ('sh:datatype xsd:date ;', 'sh:datatype xsd:byte ;')}
    for constraint in drop[kept]:
        text = text.replace(constraint, "")
    shapes.write_text(text)
    result = runner.invoke(main, ["validate", str(data), "--shapes", str(shapes), "--fail-on", fail_on])
    assert result.exit_code == status, result.output
    assert f"  {kept}: " in result.stdout and "1 problem(s)" in result.stdout


def test_turtle_is_the_w3c_report_with_complex_paths(runner, files):
    data, shapes = files
    result = runner.invoke(main, ["validate", str(data), "--shapes", str(shapes), "--format", "turtle"])
    report = Graph().parse(data=result.stdout, format="turtle")
    node = report.value(None, RDF.type, SH.ValidationReport, any=False)
    assert report.value(node, SH.conforms).toPython() is False
    results = list(report.objects(node, SH.result))
    assert len(results) == 3
    paths = [report.value(r, SH.resultPath) for r in results]
    sequence = next(p for p in paths if isinstance(p, BNode))
    assert [str(x) for x in report.items(sequence)] == ["http://example.org/ns#next", "http://example.org/ns#name"]


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_library_validates_with_any_shapes(files, engine):
    data, shapes = files
    graph = giigraph.read_rdf([data])
    report = giigraph.validate(graph, engine=engine, shapes=[shapes])
    assert not report.conforms and report.fails("info") and report.fails("violation")
    assert sorted(r.component for r in report.results) == ["DatatypeConstraintComponent"] * 2 + [
        "MinLengthConstraintComponent"]


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_an_impossible_day_in_the_project_data_is_a_violation(engine):
    """Before, the fast engine checked dates by pattern only and passed "2023-02-30T...": pyshacl did not."""
    quads = giigraph.build_quads()
    published = "http://schema.org/datePublished"
    for name in list(quads.graphs):
        triples = quads.graph(name)  # (clears what the dataset kept from before the change)
        for s, p, o in [t for t in triples if t[1] == published]:
            triples.discard((s, p, o))
            triples.add((s, p, Literal("2023-02-30T15:37:00+08:00", None, XSD_NS + "dateTime")))
    report = giigraph.validate(quads, engine=engine)
    assert [r.component for r in report.results] == ["DatatypeConstraintComponent"]


REMOTE = [
    "SELECT $this WHERE {{ $this ?p ?o . SERVICE <{url}/sparql> {{ ?a ?b ?c }} }}",
    "SELECT $this FROM <{url}/data.ttl> WHERE {{ $this ?p ?o }}",
    "SELECT $this WHERE {{ $this ?p ?o FILTER EXISTS {{ {{ SELECT $this WHERE {{ SERVICE <{url}/q> {{ $this ?x ?y }} }} }} }} }}",
    "LOAD <{url}/data.ttl>",
]


@pytest.fixture
def listener(monkeypatch):
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    server = Listener()
    yield server
    server.close()


@pytest.mark.parametrize("engine", ["auto", "fast", "pyshacl"])
@pytest.mark.parametrize("query", REMOTE, ids=["service", "from", "nested-service", "load"])
def test_shapes_reaching_outside_are_refused_before_anything_runs(runner, files, listener, engine, query, tmp_path):
    data, shapes = files
    text = query.format(url=listener.url)
    shapes.write_text(PREFIXES + f'ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:sparql [ sh:select """{text}""" ] .')
    from giigraph.errors import QueryRefused

    with pytest.raises(QueryRefused, match="never fetches remote data|read-only"):
        giigraph.validate(giigraph.read_rdf([data]), engine=engine, shapes=[shapes])
    result = runner.invoke(main, ["validate", str(data), "--shapes", str(shapes)])
    assert result.exit_code == 2 and result.stderr.startswith("error: refused: "), result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert listener.settle() == []


def test_export_under_a_file_is_one_error_line(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(main, ["export", "-o", str(blocker / "sub" / "out.ttl")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot write ") and len(result.stderr.strip().splitlines()) == 1
    assert blocker.read_text() == "not a folder" and sorted(p.name for p in tmp_path.iterdir()) == ["file"]
