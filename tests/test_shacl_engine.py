"""The fast SHACL engine reports exactly what pyshacl reports, on the project's shapes and on shapes
that use every feature the engine evaluates; SPARQL constraints run once per constraint."""
from __future__ import annotations

from pathlib import Path

import pytest

import giigraph
from giigraph import validation
from giigraph.rdfio import parse_triples, read_quads
from giigraph.shacl.shapes import read_shapes
from giigraph.shacl.sparql import Plan, SparqlRunner
from giigraph.validation import validate_graph
from shacl_faults import plant

COVERAGE = Path(__file__).parent / "fixtures" / "shacl" / "coverage.ttl"
SH = "http://www.w3.org/ns/shacl#"


def _shape_sets() -> dict[str, tuple]:
    sets = {"coverage": tuple(parse_triples(COVERAGE))}
    if validation.shape_triples():
        sets["project"] = validation.shape_triples()
    return sets


SHAPES = _shape_sets()


@pytest.fixture(params=["clean", "faults"])
def quads(request):
    data = giigraph.build_quads()
    return plant(data) if request.param == "faults" else data


@pytest.mark.parametrize("shapes", SHAPES.values(), ids=SHAPES.keys())
def test_same_report_as_pyshacl(shapes, quads):
    fast = validate_graph(quads, "fast", shapes)
    reference = validate_graph(quads, "pyshacl", shapes)
    assert fast.engine == "fast" and reference.engine == "pyshacl"
    assert fast.conforms == reference.conforms
    assert fast.results == reference.results
    assert fast.text() == reference.text()


def test_the_faults_hit_every_kind_of_constraint():
    report = validate_graph(plant(giigraph.build_quads()), "fast", SHAPES["coverage"])
    components = {r.component for r in report.results}
    expected = {"Class", "Datatype", "MinCount", "MaxCount", "MinExclusive", "MinInclusive", "MaxExclusive",
                "MinLength", "MaxLength", "Pattern", "LanguageIn", "UniqueLang", "Equals", "Disjoint", "LessThan",
                "LessThanOrEquals", "Not", "And", "Or", "Xone", "Node", "QualifiedMinCount", "QualifiedMaxCount",
                "Closed", "HasValue", "In", "SPARQL"}
    assert {c + "ConstraintComponent" for c in expected} <= components
    assert {r.severity for r in report.results} >= {"Violation", "Warning"}


def test_without_messages_only_the_wording_of_messages_differs():
    """Shapes with no sh:message get a message of our own; every other field matches pyshacl's."""
    shapes = tuple(t for t in SHAPES["coverage"] if t[1] != SH + "message")
    quads = plant(giigraph.build_quads())
    fields = lambda report: sorted((r.focus, r.path, r.value, r.component, r.shape, r.severity)  # noqa: E731
                                   for r in report.results)
    assert fields(validate_graph(quads, "fast", shapes)) == fields(validate_graph(quads, "pyshacl", shapes))


def test_sparql_constraints_run_set_based_and_agree_with_per_node_runs():
    """The rewrite (one query for all focus nodes) gives the rows that pre-binding gives, node by node."""
    quads = plant(giigraph.build_quads())
    roots, _ = read_shapes(SHAPES["coverage"])
    runner = SparqlRunner(quads.union_store)
    checked = 0
    for shape in roots:
        constraints = [c for name, c in shape.params if name == "sparql"]
        focus = {s for s, props in quads.by_subject().items()
                 if any(t in props.get("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ())
                        for kind, t in shape.targets)}
        for constraint in constraints:
            plan = Plan(shape, constraint)
            set_based = runner(shape, constraint, shape, focus)
            one_by_one = runner(shape, constraint, None, focus)
            rows = lambda by_focus: {k: sorted(map(repr, v)) for k, v in by_focus.items() if v}  # noqa: E731
            assert rows(set_based) == rows(one_by_one)
            checked += plan.groups is not None
    assert checked >= 2  # the unique-rank rule and the UNION / NOT EXISTS rule were rewritten


def test_the_unique_rank_rule_is_one_query():
    roots, _ = read_shapes(SHAPES["coverage"])
    observation = next(s for s in roots if str(s.node).endswith("#Observation"))
    (constraint,) = [c for name, c in observation.params if name == "sparql"]
    plan = Plan(observation, constraint)
    assert plan.groups  # rewritten: the targets open each group that uses $this
    assert plan.set_query("?this a ?t .").count("SELECT DISTINCT ?this") == len(plan.groups)


def test_aggregates_fall_back_to_one_query_per_focus_node():
    roots, _ = read_shapes(SHAPES["coverage"])
    statement = next(s for s in roots if str(s.node).endswith("#Statement"))
    plans = [Plan(statement, c) for name, c in statement.params if name == "sparql"]
    assert [p.groups is not None for p in plans].count(False) == 1


def test_shapes_the_engine_does_not_evaluate_go_to_pyshacl():
    shapes = tuple(parse_triples(COVERAGE)) + (
        ("https://example.org/shapes#JS", SH + "js", "https://example.org/shapes#fn"),
        ("https://example.org/shapes#JS", SH + "targetNode", "https://example.org/x"),
    )
    assert validate_graph(giigraph.build_quads(), "auto", shapes).engine == "pyshacl"


def test_report_graph_is_a_w3c_validation_report():
    report = validate_graph(plant(giigraph.build_quads()), "fast", SHAPES["coverage"])
    text = report.turtle()
    assert "sh:ValidationReport" in text and "sh:conforms false" in text
    assert text.count("sh:ValidationResult") == len(report.results)


EDGE_SHAPES = """
@prefix ex: <https://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:Person a sh:NodeShape ;
    sh:targetClass ex:Person ;
    sh:property [ sh:path ex:knows ; sh:node ex:Person ; sh:message "knows people" ] ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:datatype xsd:string ; sh:message "one name" ] .
ex:Later a sh:NodeShape ;
    sh:targetNode ex:d ;
    sh:property [ sh:path ex:when ; sh:not ex:Bounded ; sh:message "not bounded" ] .
ex:Bounded a sh:NodeShape ;
    sh:hasValue ex:nothing ;
    sh:minInclusive "2020-01-01T05:00:00Z"^^xsd:dateTime .
"""
EDGE_DATA = """
@prefix ex: <https://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a a ex:Person ; ex:name "a" ; ex:knows ex:b .
ex:b ex:knows ex:c .
ex:c ex:name "c" .
ex:e a ex:Person ; ex:name 5 ; ex:knows ex:c .
ex:d ex:when "P1D"^^xsd:duration .
"""


def test_recursive_shapes_and_unordered_values_in_a_shape_referred_to(tmp_path):
    """A shape that reaches itself (ex:Person) is checked as written, not judged node by node; a value
    that cannot be compared (a duration with a dateTime bound) does not stop the fast engine when the
    shape it is checked against fails first on another constraint (sh:hasValue), as pyshacl does."""
    (tmp_path / "shapes.ttl").write_text(EDGE_SHAPES)
    (tmp_path / "data.ttl").write_text(EDGE_DATA)
    shapes, quads = tuple(parse_triples(tmp_path / "shapes.ttl")), read_quads([tmp_path / "data.ttl"])
    fast, reference = validate_graph(quads, "fast", shapes), validate_graph(quads, "pyshacl", shapes)
    assert fast.engine == "fast" and fast.results == reference.results
    assert [(r.focus, r.path, r.component) for r in fast.results] == [
        ("ex:a", "ex:knows", "NodeConstraintComponent"), ("ex:e", "ex:name", "DatatypeConstraintComponent")]


def test_a_limit_applies_to_each_focus_node(tmp_path):
    """LIMIT (and OFFSET) in a SPARQL constraint bound the rows of one focus node, as pre-binding runs
    it: the query is not rewritten to run once for all focus nodes, where it would bound them all."""
    (tmp_path / "shapes.ttl").write_text("""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <https://example.org/S> a sh:NodeShape ; sh:targetClass <https://example.org/T> ;
            sh:sparql [ sh:message "has a p" ;
                        sh:select "SELECT $this ?value WHERE { $this <https://example.org/p> ?value } LIMIT 1" ] .
        """)
    (tmp_path / "data.ttl").write_text("""
        <https://example.org/a> a <https://example.org/T> ; <https://example.org/p> 1 .
        <https://example.org/b> a <https://example.org/T> ; <https://example.org/p> 3 .
        """)
    shapes, quads = tuple(parse_triples(tmp_path / "shapes.ttl")), read_quads([tmp_path / "data.ttl"])
    fast, reference = validate_graph(quads, "fast", shapes), validate_graph(quads, "pyshacl", shapes)
    assert fast.engine == "fast" and fast.results == reference.results
    assert [r.focus for r in fast.results] == ["<https://example.org/a>", "<https://example.org/b>"]
