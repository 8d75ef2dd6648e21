"""The path the CLI runs (plain quads, our writers) writes the same bytes as the rdflib reference path."""
from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

import giigraph
import reference_path
from giigraph.config import resolve_base
from giigraph.export import write_dist
from giigraph.quads import Quads, index
from giigraph.rdfio import serialize
from giigraph.terms import Literal
from giigraph.turtle import turtle

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import corpus  # noqa: E402


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    return corpus.generate(tmp_path_factory.mktemp("corpus") / "data", 10_000)


@pytest.mark.parametrize("source", ["article", "synthetic"])
def test_dist_is_byte_identical_to_the_reference_path(source, synthetic, tmp_path):
    data_dir = synthetic if source == "synthetic" else None
    base = resolve_base(None)
    quads = giigraph.build_quads(base, data_dir)
    fast, reference = tmp_path / "fast", tmp_path / "reference"
    write_dist(quads, fast, base, giigraph.__version__)
    reference_path.write_dist(giigraph.build(base, data_dir), reference, base, giigraph.__version__, quads.prefixes)
    names = sorted(p.name for p in reference.iterdir())
    assert sorted(p.name for p in fast.iterdir()) == sorted([*names, "charts"])  # the reference draws no charts
    for name in names:
        assert (fast / name).read_bytes() == (reference / name).read_bytes(), name


XSD = "http://www.w3.org/2001/XMLSchema#"
#: Objects of one predicate each, grouped as they can meet in published data (rdflib's order of
#: numbers among other literals depends on the order it reads them in, so they are not mixed here).
#: Only terms rdflib writes exactly: where it changes a value (`"2.5"^^xsd:double` as `2.5e+00`),
#: ours differ by design (test_writers_exact.py).
TRICKY = {
    "text": [Literal("two\nlines"), Literal('ends with a quote"'), Literal('"""triple"""\nquoted'),
             Literal("back\\slash"), Literal("carriage\rreturn"), Literal("tab\tand ünïcødé 中文"),
             Literal("tagged", lang="en-GB"), Literal("中文", lang="zh"), Literal("plain", datatype=XSD + "string"),
             Literal("2023", datatype=XSD + "gYear"), Literal("x", datatype=XSD + "integer"),
             Literal("custom", datatype="https://example.org/ns#type")],
    "numbers": [Literal(-5), Literal(12), Literal("1.50", datatype=XSD + "decimal"), Literal(1e-7)],
    "flags": [Literal(True), Literal(False)],
    "iris": ["https://example.org/ns#local", "https://example.org/ns#with.dot.", "https://example.org/ns#(paren)",
             "https://example.org/ns#a%20b", "https://example.org/other/x",
             "https://example.org/ns#", "https://example.org/ns#é-local", "urn:isbn:0451450523",
             "https://example.org/ns#_under", "https://example.org/ns#-dash", "https://example.org/ns#9lives"],
}


def test_turtle_writer_matches_rdflib_on_tricky_terms():
    prefixes = {"ex": "https://example.org/ns#", "xsd": XSD, "other": "https://example.org/other/"}
    triples = {(f"https://example.org/ns#{group}", "https://example.org/ns#p", o)
               for group, objects in TRICKY.items() for o in objects}
    triples |= {(o, "https://example.org/other/q", Literal(i)) for i, o in enumerate(TRICKY["iris"])}
    quads = Quads(prefixes)
    quads.graph().update(triples)
    reference = quads.to_rdflib()
    graph = Graph()
    for prefix, ns in reference.namespaces():
        graph.bind(prefix, ns, override=True, replace=True)
    for s, p, o, _ in reference.quads():
        graph.add((s, p, o))
    assert "".join(turtle(index(triples), prefixes)).encode() == graph.serialize(format="turtle", encoding="utf-8")
    assert serialize(quads, "nt") == reference_path._sorted_lines(graph.serialize(format="nt", encoding="utf-8"))


def test_trig_keeps_multiline_text_intact():
    triples = {("https://example.org/ns#s", "https://example.org/ns#p", Literal("two\n\nlines\n  indented"))}
    quads = Quads({"ex": "https://example.org/ns#"})
    quads.graph("https://example.org/graph").update(triples)
    parsed = list(ox.parse(serialize(quads, "trig"), format=ox.RdfFormat.TRIG))
    assert [q.object.value for q in parsed] == ["two\n\nlines\n  indented"]


def test_build_for_the_public_api_is_the_same_dataset(dataset):
    """`giigraph.build()` (rdflib) and `giigraph.build_quads()` hold the same quads."""
    assert Quads.from_rdflib(dataset).graphs == giigraph.build_quads().graphs


def test_export_needs_no_rdflib_and_no_validation_engine():
    import subprocess

    code = ("import sys; from giigraph.cli import main\n"
            "try:\n    main(['export', '-o', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rdflib', 'pyshacl') or 'shacl' in m))")
    out = subprocess.run([sys.executable, "-c", code, "/dev/null"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_trig_reference_keeps_graphs_written_without_a_prefix():
    """A graph whose Turtle needs no @prefix line is compared too (the reference once dropped it)."""
    quads = Quads({"ex": "https://example.org/ns#"})
    quads.graph("https://example.org/g1").add(("https://example.org/ns#s", "https://example.org/ns#p", Literal("x")))
    quads.graph("https://example.org/g2").add(("urn:a", "http://example.org/p/", Literal("two\nlines")))
    reference = reference_path._trig(quads.to_rdflib())
    assert b"<urn:a> <http://example.org/p/>" in reference
    assert serialize(quads, "trig") == reference
