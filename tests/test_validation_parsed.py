"""What a validation keeps of its SPARQL parses (`validation.Parsed`): the next validation of the same
shapes by the same code takes it instead of parsing with rdflib again; anything else parses again, and
a shape that reaches outside the data is refused whatever was kept."""
from __future__ import annotations

import importlib.metadata
import shutil
from pathlib import Path

import pytest
import rdflib.plugins.sparql.parser

import giigraph
from giigraph import build_dist, validation
from giigraph.buildcache import SourceCache, readers_fingerprint
from giigraph.errors import QueryRefused
from giigraph.query import parse
from giigraph.rdfio import parse_triples
from giigraph.rebuild import Rebuild
from giigraph.resources import SHAPES_DIR
from giigraph.shacl import footprint
from giigraph.shacl.engine import Data, Validator
from giigraph.shacl.shapes import read_shapes, sparql_texts
from giigraph.validation import Parsed, ShapesGraph, _check_local, revalidate_graph, validate_graph
from shacl_faults import plant
from test_buildcache import clean_build, corpus, dumps

EX = "http://example.org/"
SERVICE_SHAPE = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
<{EX}Reaching> a sh:NodeShape ; sh:targetNode <{EX}anything> ;
    sh:sparql [ sh:select "SELECT $this WHERE {{ SERVICE <{EX}sparql> {{ $this ?p ?o }} }}" ] .
"""


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The texts rdflib's SPARQL parser is given (by `query.parse` and by `footprint`)."""
    seen: list[str] = []
    original = rdflib.plugins.sparql.parser.parseQuery

    def spied(text):
        seen.append(text)
        return original(text)
    monkeypatch.setattr(rdflib.plugins.sparql.parser, "parseQuery", spied)
    monkeypatch.setattr(parse, "parseQuery", spied)
    return seen


@pytest.fixture
def shapes_dir(tmp_path, monkeypatch) -> Path:
    """A copy of the project's shapes, read as the project's (each process-wide cache of them emptied)."""
    folder = tmp_path / "shapes"
    shutil.copytree(SHAPES_DIR, folder)
    monkeypatch.setattr(validation, "SHAPES_DIR", folder)
    _reread()
    yield folder
    _reread()


def _reread() -> None:
    """The project's shapes read again on next use."""
    for cached in (validation.project_shapes, validation.shape_triples, validation.project_shapes_digest):
        cached.cache_clear()


def _project_sparql() -> tuple[int, int]:
    """How many SPARQL texts the project's shapes hold, and how many SHACL-SPARQL constraints."""
    roots, _ = read_shapes(validation.shape_triples())
    shapes, seen = list(roots), set()
    constraints = 0
    while shapes:
        shape = shapes.pop()
        if id(shape) in seen:
            continue
        seen.add(id(shape))
        constraints += sum(name == "sparql" for name, _ in shape.params)
        shapes.extend(param for name, param in shape.params if name in ("property", "node"))
    return len(sparql_texts(validation.shape_triples())), constraints


def test_the_same_shapes_by_the_same_code_are_not_parsed_again(parses):
    """A first validation parses each text twice (the local check, the footprint's reads) and keeps
    what it found; the next, after a change, parses nothing and gives the full validation's report."""
    texts, constraints = _project_sparql()
    assert texts >= 7 and constraints >= 7
    clean = giigraph.build_quads()
    report, kept = revalidate_graph(clean, None)
    assert kept is not None and kept.parsed is not None and report.conforms
    assert len(parses) == texts + constraints and len(kept.parsed.reads) == constraints
    assert kept.parsed.readers == readers_fingerprint() and kept.parsed.local
    del parses[:]
    new = plant(giigraph.build_quads())
    before, after = clean.union(), new.union()
    report, left = revalidate_graph(new, kept, after - before, before - after)
    assert parses == []
    full = validate_graph(new)
    assert report.raw == full.raw and report.results == full.results and not report.conforms
    assert left is not None and left.parsed == kept.parsed
    # the reads kept are those a parse finds
    assert kept.parsed.reads == {text: footprint._text_reads(text) for text in kept.parsed.reads}


def test_another_rdflib_or_other_shapes_parse_again(parses, monkeypatch, shapes_dir):
    """What was kept by another rdflib (or pyparsing) is not taken, nor after the shapes changed."""
    texts, constraints = _project_sparql()
    clean = giigraph.build_quads()
    _, kept = revalidate_graph(clean, None)
    assert kept is not None
    real = importlib.metadata.version
    with monkeypatch.context() as m:
        m.setattr(importlib.metadata, "version", lambda name: "0.0" if name == "rdflib" else real(name))
        readers_fingerprint.cache_clear()
        try:
            del parses[:]
            _, left = revalidate_graph(clean, kept)
            assert len(parses) == texts + constraints
            assert left is not None and left.parsed is not None and left.parsed.readers != kept.parsed.readers
        finally:
            readers_fingerprint.cache_clear()
    (shapes_dir / "giigraph-shapes.ttl").write_text(
        (shapes_dir / "giigraph-shapes.ttl").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    _reread()
    del parses[:]
    _, left = revalidate_graph(clean, kept)
    assert len(parses) == texts + constraints and left is not None and left.parsed == kept.parsed


def test_the_local_check_is_skipped_only_for_the_texts_and_prefixes_it_passed(parses, tmp_path):
    """`_check_local` with what a previous check passed: the same texts and prefixes are not parsed;
    another text, other prefixes, or another parser's digest are; a SERVICE is refused even so."""
    path = tmp_path / "shapes.ttl"

    def shapes(select: str, prefixes: tuple = (("ex", EX),)) -> ShapesGraph:
        path.write_text(f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
            <{EX}S> a sh:NodeShape ; sh:targetNode <{EX}n> ; sh:sparql [ sh:select "{select}" ] .""",
                        encoding="utf-8")
        return ShapesGraph(tuple(parse_triples(path)), prefixes)
    parsed = Parsed(readers_fingerprint())
    first = shapes("SELECT $this WHERE { $this ex:p ?o }")
    _check_local(first, parsed)
    assert len(parses) == 1 and parsed.local
    _check_local(shapes("SELECT $this WHERE { $this ex:p ?o }"), parsed)  # parsed anew: other blank nodes
    assert len(parses) == 1
    passed = parsed.local
    for other in (shapes("SELECT $this WHERE { $this ex:q ?o }"), ShapesGraph(first.triples, (("ex", EX + "x#"),)),
                  ShapesGraph(first.triples, first.prefixes + (("y", EX + "y#"),))):
        parsed.local = passed
        _check_local(other, parsed)
        assert parsed.local != passed
    assert len(parses) == 4
    elsewhere = Parsed(b"another parser", passed)
    _check_local(first, elsewhere)
    assert len(parses) == 5 and elsewhere.local != passed
    parsed.local = passed
    with pytest.raises(QueryRefused, match="SERVICE"):
        _check_local(shapes(f"SELECT $this WHERE {{ SERVICE <{EX}sparql> {{ $this ?p ?o }} }}"), parsed)
    assert parsed.local == passed


def test_the_reads_are_parsed_only_for_texts_not_known(parses):
    """`footprint.footprints` with a memo: texts known are not parsed, the footprints are the same;
    a text not in it (another query) is parsed and added."""
    quads = giigraph.build_quads()
    roots, _ = read_shapes(validation.shape_triples())
    validator = Validator(Data(quads.by_subject()), None)
    memo: footprint.Memo = {}
    found = footprint.footprints(validator, roots, memo)
    count = len(parses)
    assert count == len(memo) > 0
    assert footprint.footprints(validator, roots, dict(memo)) == found and len(parses) == count
    some = next(iter(memo))
    smaller = {text: reads for text, reads in memo.items() if text != some}
    assert footprint.footprints(validator, roots, smaller) == found and parses[count:] == [some]
    assert smaller == memo


def _spied_validate(monkeypatch) -> list:
    seen: list = []
    validate = Rebuild.validate

    def spied(self, quads):
        report = validate(self, quads)
        seen.append((report, quads, self.validation))
        return report
    monkeypatch.setattr(Rebuild, "validate", spied)
    return seen


def test_a_rebuild_parses_no_sparql_and_writes_a_clean_builds_bytes(tmp_path, monkeypatch, parses):
    """Built, then rebuilt after one article: the rebuild gives rdflib's parser nothing, its report is a
    full validation's, and its dumps are a clean build's."""
    data, out = corpus.generate(tmp_path / "data", 10_000), tmp_path / "dist"
    cache = SourceCache(tmp_path / "cache")
    seen = _spied_validate(monkeypatch)
    build_dist(out, data_dir=data, source_cache=cache)
    assert parses and seen[-1][2].parsed.local
    corpus.add_article(data, 10_000)
    del parses[:]
    build_dist(out, data_dir=data, source_cache=cache)
    report, quads, kept = seen[-1]
    assert parses == [] and kept.parsed == seen[0][2].parsed
    full = validate_graph(quads)
    assert report.raw == full.raw and report.results == full.results
    assert dumps(out) == clean_build(data, tmp_path / "clean")


def test_a_shape_reaching_outside_is_refused_first_and_after_a_rebuild(tmp_path, shapes_dir):
    """A shape with a SERVICE: refused by a first build, and by a rebuild after it was added to shapes
    a previous build passed (and kept its parses of)."""
    data = corpus.generate(tmp_path / "data", 10_000)
    (shapes_dir / "reaching.ttl").write_text(SERVICE_SHAPE, encoding="utf-8")
    with pytest.raises(QueryRefused, match="SERVICE"):
        build_dist(tmp_path / "first", data_dir=data, source_cache=SourceCache(tmp_path / "first-cache"))
    (shapes_dir / "reaching.ttl").unlink()
    _reread()
    cache = SourceCache(tmp_path / "cache")
    build_dist(tmp_path / "dist", data_dir=data, source_cache=cache)
    (shapes_dir / "reaching.ttl").write_text(SERVICE_SHAPE, encoding="utf-8")
    _reread()
    corpus.add_article(data, 10_000)
    with pytest.raises(QueryRefused, match="SERVICE"):
        build_dist(tmp_path / "dist", data_dir=data, source_cache=cache)
