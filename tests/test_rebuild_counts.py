"""What a rebuild counts from the previous build's counts and the union's change, and the JSON-LD dump
it splices: the JSON-LD analysis (the @context and the terms) and the description's statistics are
those a pass over the whole union gives, and the dump spliced from the previous file (node objects of
the subjects the change touches written anew, the others copied) is, byte for byte, the dump written
in full; a previous file that is not exactly what was written, or another analysis, is written in full."""
from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giigraph import build_dist, export, jsonld
from giigraph.buildcache import SourceCache
from giigraph.errors import InputError
from giigraph.quads import Quads, index
from giigraph.rebuild import Change, Previous, Rebuild
from giigraph.rdfio import serialize
from giigraph.namespaces import DCTERMS, GEONAMES, GII, SCHEMA, WIKIDATA
from giigraph.terms import Literal
from rdf_strategies import RDF_TYPE, XSD, bnodes, iris, literals
from test_splice import tampered

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import corpus  # noqa: E402

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FILE = "giigraph.jsonld"


@st.composite
def changes(draw) -> tuple[set, set]:
    """Two unions drawn from a few terms, so that they share subjects, predicates, classes and values:
    predicates holding values of one kind in one and of several in the other, classes and IRIs whose
    scheme reads as a prefix (`schema:x`, `urn:x`) found in one only, subjects in one only."""
    names = draw(st.lists(iris, min_size=1, max_size=6, unique=True))
    subjects = draw(st.lists(st.one_of(st.sampled_from(names), bnodes), min_size=1, max_size=6, unique=True))
    predicates = [RDF_TYPE, *draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))]
    values = st.one_of(st.sampled_from(names), st.sampled_from(subjects), literals(),
                       st.sampled_from([Literal("7", datatype=XSD + "integer"), Literal("x", lang="en"), Literal("x")]))
    triples = draw(st.sets(st.tuples(st.sampled_from(subjects), st.sampled_from(predicates), values), max_size=24))
    before = draw(st.sets(st.sampled_from(sorted(triples, key=repr)), max_size=len(triples))) if triples else set()
    after = draw(st.sets(st.sampled_from(sorted(triples, key=repr)), max_size=len(triples))) if triples else set()
    return before, after


def analysed_from_the_change(before: set, after: set) -> tuple[jsonld.Counts, jsonld.Analysis]:
    counts = jsonld._counts(index(before)).moved(jsonld._counts(index(before - after)),
                                                 jsonld._counts(index(after - before)))
    return counts, jsonld._derive(counts)


@SETTINGS
@given(changes())
def test_the_analysis_from_the_counts_and_the_change_is_the_full_one(change):
    before, after = change
    counts, analysed = analysed_from_the_change(before, after)
    assert counts == jsonld._counts(index(after))
    assert analysed == jsonld._context(index(after))


#: what the statistics count: links into GeoNames and Wikidata, news articles, GII editions and their years
_EDITIONS = ["http://example.org/e1", "http://example.org/e2"]
_STATED = [(s, p, o) for s in ["http://example.org/a", *_EDITIONS, WIKIDATA.Q1]
           for p in [RDF_TYPE, GII.edition, DCTERMS.issued, SCHEMA.sameAs, "http://example.org/p"]
           for o in [*_EDITIONS, GEONAMES + "1", GEONAMES + "2", WIKIDATA.Q1, SCHEMA.NewsArticle, SCHEMA.Place,
                     Literal("2023"), Literal("2024", datatype=XSD + "gYear")]]
stated_changes = st.tuples(*[st.sets(st.sampled_from(_STATED), max_size=30)] * 2)


@SETTINGS
@given(stated_changes)
def test_the_statistics_from_the_counts_and_the_change_are_the_full_ones(change):
    before, after = change
    tally = export._tally(index(before)).moved(export._tally(index(before - after)), export._tally(index(after - before)))
    assert tally == export._tally(index(after))
    assert export._stated(tally, index(after)) == export._stated(export._tally(index(after)), index(after))


def test_counts_cannot_lose_what_they_did_not_count():
    s, p = "http://example.org/s", "http://example.org/p"
    counts = jsonld._counts(index({(s, p, Literal("x"))}))
    with pytest.raises(jsonld.Stale):
        counts.moved(jsonld._counts(index({(s, p, "urn:x:y")})), counts)


@pytest.mark.parametrize("added", [("http://example.org/s", "http://example.org/p", "http://example.org/a b"),
                                   ("http://example.org/s", "http://example.org/p", Literal("x", lang="e n"))])
def test_an_added_triple_is_checked_as_the_full_pass_checks_it(added):
    before = {("http://example.org/s", "http://example.org/p", "http://example.org/o")}
    with pytest.raises(InputError):
        jsonld._context(index(before | {added}))
    with pytest.raises(InputError):
        analysed_from_the_change(before, before | {added})


def quads_of(triples: set) -> Quads:
    quads = Quads()
    quads.graph("").update(triples)
    return quads


def previous_dump(out: Path, triples: set) -> tuple[int, str]:
    data = serialize(quads_of(triples), "jsonld")
    (out / FILE).write_bytes(data)
    return len(data), hashlib.sha256(data).hexdigest()


def rebuild_of(out: Path, before: set, after: set, written: tuple[int, str], counts: object) -> Rebuild:
    previous = Previous({}, {FILE: written}, None, {"jsonld": counts})
    change = Change(frozenset({""}), {"": frozenset(before - after)}, {"": frozenset(after - before)},
                    frozenset(before - after), frozenset(after - before))
    return Rebuild(None, out / "entry", out, previous, change=change)  # type: ignore[arg-type]


def pin(before: set, after: set) -> tuple[set, set]:
    """Both unions with a subject that holds every predicate with every kind of value, every class and
    (as values) every subject of either: their analyses are the same."""
    pinned = "http://example.org/~pin"
    held = {(pinned, p, o) for _, p, o in before | after} | {(pinned, "http://example.org/~p", s)
                                                            for s, _, _ in before | after}
    return before | held, after | held


@SETTINGS
@given(changes(), st.booleans())
def test_the_spliced_dump_is_the_full_one(tmp_path, change, pinned):
    """`pinned`: with the same analysis (`pin`), the dump is spliced."""
    before, after = change
    if pinned:
        before, after = pin(before, after)
    out, staging = tmp_path / "out", tmp_path / "staging"
    shutil.rmtree(tmp_path, ignore_errors=True)
    out.mkdir(parents=True), staging.mkdir()
    written = previous_dump(out, before)
    quads = quads_of(after)
    rebuild = rebuild_of(out, before, after, written, jsonld._counts(index(before)))
    spliced = jsonld.spliced(quads, staging / FILE, rebuild)
    full = serialize(quads_of(after), "jsonld")
    if jsonld._context(index(before)) == jsonld._context(index(after)) and after and before:
        assert spliced == (len(full), hashlib.sha256(full).hexdigest())
        assert (staging / FILE).read_bytes() == full
    else:
        assert spliced is None
    assert rebuild.leaving["jsonld"] == jsonld._counts(index(after))


@SETTINGS
@given(changes(), st.data())
def test_a_previous_dump_edited_truncated_or_lengthened_is_written_in_full(tmp_path, change, data):
    before, after = change
    out, staging = tmp_path / "out", tmp_path / "staging"
    shutil.rmtree(tmp_path, ignore_errors=True)
    out.mkdir(parents=True), staging.mkdir()
    before, after = pin(before, after)  # one analysis: it would be spliced
    written = previous_dump(out, before)
    (out / FILE).write_bytes(tampered((out / FILE).read_bytes(), data, st.binary(min_size=1, max_size=3)))
    rebuild = rebuild_of(out, before, after, written, jsonld._counts(index(before)))
    assert jsonld.spliced(quads_of(after), staging / FILE, rebuild) is None


def test_nothing_left_or_another_left_is_written_in_full(tmp_path):
    s, p = "http://example.org/s", "http://schema.org/name"
    before, after = {(s, p, Literal("a"))}, {(s, p, Literal("b"))}
    written = previous_dump(tmp_path, before)
    for left in (None, ("something", "else")):
        rebuild = rebuild_of(tmp_path, before, after, written, left)
        assert jsonld.spliced(quads_of(after), tmp_path / "new.jsonld", rebuild) is None
        assert rebuild.leaving["jsonld"] == jsonld._counts(index(after))  # made from the whole union


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    return corpus.generate(tmp_path_factory.mktemp("corpus") / "data", 10_000)


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("edit", [None, "changed"])
def test_a_rebuild_splices_the_dump_and_counts_only_the_change(small_corpus, tmp_path, monkeypatch, edit):
    """One article added, a source changed, another removed, twice: the rebuild counts the change only
    (never the whole union) for the JSON-LD analysis and the statistics, splices the JSON-LD dump, and
    writes what a clean build writes; a previous dump edited by hand (same size) is written in full."""
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(small_corpus, data)
    cache = SourceCache(tmp_path / "cache")
    build_dist(out, data_dir=data, source_cache=cache)
    counted, outcomes = [], []
    counts, tally, spliced = jsonld._counts, export._tally, jsonld.spliced
    monkeypatch.setattr(jsonld, "_counts", lambda subjects: (counted.append(len(subjects)), counts(subjects))[1])
    monkeypatch.setattr(export, "_tally", lambda subjects: (counted.append(len(subjects)), tally(subjects))[1])
    monkeypatch.setattr(jsonld, "spliced", lambda *a: (outcomes.append(spliced(*a)), outcomes[-1])[1])
    for n, word in enumerate(("Roundtable", "Roundtable0")):
        corpus.add_article(data, 10_000)
        changed = next(p for p in sorted((data / "sources").glob("*.yaml")) if word in p.read_text(encoding="utf-8"))
        changed.write_text(changed.read_text(encoding="utf-8").replace(word, f"{word}{n}"), encoding="utf-8")
        next(p for p in sorted((data / "sources").glob("*.yaml")) if p != changed).unlink()
        if edit:
            (out / FILE).write_bytes((out / FILE).read_bytes().replace(b'"@id"', b'"@iD"', 1))
        counted.clear(), outcomes.clear()
        build_dist(out, data_dir=data, source_cache=cache)
        assert len(counted) == 4 and max(counted) < 200 and len(outcomes) == 1  # removed, added: twice
        assert (outcomes[0] is None) == bool(edit)
        build_dist(tmp_path / f"clean{n}", data_dir=data)
        assert files(out) == files(tmp_path / f"clean{n}")
