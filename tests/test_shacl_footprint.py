"""SHACL Core after a change, judging only the focus nodes the change can reach (`shacl/footprint.py`),
gives exactly the results of a full validation of the new data: same results, same order."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import giigraph
from giigraph.quads import Quads
from giigraph.rdfio import parse_triples
from giigraph.shacl import footprint
from giigraph.shacl.engine import Data, RawResult, Validator
from giigraph.shacl.footprint import revalidate
from giigraph.shacl.shapes import Unsupported, read_shapes
from giigraph.shacl.sparql import SparqlRunner
from giigraph.terms import Literal, Term, Triple
from giigraph.validation import Kept, revalidate_graph, validate_graph
from shacl_faults import plant
from test_shacl_engine import RDF_TYPE, SHAPES, _data, _vocabulary

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDFS_SUBCLASS = RDFS + "subClassOf"
HUB = "http://example.org/hub"
FIXTURES = Path(__file__).parent / "fixtures" / "shacl"
ALL_SHAPES = {**SHAPES, "footprint": tuple(parse_triples(FIXTURES / "footprint.ttl")),
              "sparql": tuple(parse_triples(FIXTURES / "sparql.ttl"))}


def _validator(quads: Quads, shapes: tuple, few: bool = False) -> tuple[Validator, list]:
    roots, _ = read_shapes(shapes)
    return Validator(Data(quads.by_subject(), few), SparqlRunner(quads.union_store, quads.typed_literals)), roots


def _full(quads: Quads, shapes: tuple) -> list[RawResult]:
    validator, roots = _validator(quads, shapes)
    return validator.validate(roots)


def _incremental(old: Quads, new: Quads, shapes: tuple) -> list[RawResult]:
    """The new data validated after the old, as a rebuild does: only the old results' focus nodes kept."""
    reported = {r.focus for r in _full(old, shapes)}
    validator, roots = _validator(new, shapes, few=True)
    before, after = old.union(), new.union()
    return revalidate(validator, roots, reported, after - before, before - after)


def _quads(triples) -> Quads:
    quads = Quads()
    quads.graph().update(triples)
    return quads


def _agree(old: Quads, new: Quads, shapes: tuple) -> list[RawResult]:
    try:
        _full(old, shapes)
    except Unsupported:  # no previous state: a rebuild validates in full
        return []
    try:
        full = _full(new, shapes)
    except Unsupported:
        with pytest.raises(Unsupported):
            _incremental(old, new, shapes)
        return []
    assert _incremental(old, new, shapes) == full
    return full


@st.composite
def _changed(draw, shapes: tuple) -> tuple[Quads, Quads]:
    """Old data over the shapes' vocabulary, and new data: some of its triples removed, others added
    (the same kinds, with subclass links and links to and from a hub node)."""
    old = draw(_data(shapes)).union()
    predicates, classes, _ = _vocabulary(shapes)
    more = draw(_data(shapes)).union()
    subjects = sorted({s for s, _, _ in old | more if type(s) is str})
    hub = [(s, p, HUB) for s in subjects for p in draw(st.lists(st.sampled_from(predicates), max_size=2))]
    hub += [(HUB, p, o) for p, o in draw(st.lists(st.tuples(st.sampled_from(predicates),
                                                            st.sampled_from(subjects or [HUB])), max_size=3))]
    hub += [(HUB, RDF_TYPE, c) for c in draw(st.lists(st.sampled_from(classes), max_size=1))]
    subclass = draw(st.lists(st.tuples(st.sampled_from(classes), st.just(RDFS_SUBCLASS), st.sampled_from(classes)),
                             max_size=1))
    if draw(st.booleans()):
        old |= set(hub)
    candidates = sorted(more | set(hub) | set(subclass), key=repr)
    added = draw(st.lists(st.sampled_from(candidates), max_size=8)) if candidates else []
    dropped = draw(st.lists(st.sampled_from(sorted(old, key=repr)), max_size=8)) if old else []
    return _quads(old), _quads((old - set(dropped)) | set(added))


@pytest.mark.parametrize("name", ALL_SHAPES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_incremental_is_the_full_validation_on_generated_changes(name, data):
    """Random data, a random change of it (types, subclasses, a hub node, hostile literals): the
    results of judging only what the change reaches are the full validation's, in its order."""
    shapes = ALL_SHAPES[name]
    old, new = data.draw(_changed(shapes))
    _agree(old, new, shapes)


@st.composite
def _dense(draw) -> tuple[Quads, Quads]:
    """Old and new data over few nodes and the fixture's predicates and classes (dense: the queries'
    joins, EXISTS and groups meet often), the new with some triples removed and others added."""
    nodes = [EX + "n0", EX + "n1", EX + "n2", EX + "A", EX + "m"]
    objects = st.one_of(st.sampled_from(nodes), st.sampled_from([Literal("1"), Literal("2", datatype=XSD_INT)]))
    triple = st.one_of(st.tuples(st.sampled_from(nodes[:3]), st.just(RDF_TYPE), st.sampled_from([EX + "A", EX + "B"])),
                       st.tuples(st.sampled_from(nodes), st.sampled_from([EX + p for p in "abcdem"]), objects))
    old = set(draw(st.lists(triple, max_size=20)))
    removed = set(draw(st.lists(st.sampled_from(sorted(old, key=repr)), max_size=4))) if old else set()
    return _quads(old), _quads((old - removed) | set(draw(st.lists(triple, max_size=4))))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_sparql_constraints_judged_incrementally_report_what_a_full_validation_and_pyshacl_report(data):
    """SHACL-SPARQL (variable predicates, NOT EXISTS, OPTIONAL, GROUP BY/HAVING, paths, and queries
    run in full) on random data and a random change: judging only the focus nodes the change reaches
    gives the full validation's results in its order, and on the dense data pyshacl's report where the
    fast engine answers (not on hostile literals: pyshacl fills messages in with `re`, which fails on a
    backslash, and reports "x"^^xsd:string as written where Oxigraph's store holds "x")."""
    shapes = ALL_SHAPES["sparql"]
    dense = data.draw(st.booleans())
    old, new = data.draw(_dense() if dense else _changed(shapes))
    _agree(old, new, shapes)
    if not dense:
        return
    try:
        fast = validate_graph(new, "fast", shapes)
    except Unsupported:
        return
    assert fast.results == validate_graph(new, "pyshacl", shapes).results


def _sparql_agree(old: set[Triple], new: set[Triple], shape: str) -> tuple[set[Term], set[Term]]:
    """Both ways (old to new, new to old) judged incrementally as in full: the focus nodes with a
    result of the fixture's `shape` before and after."""
    shapes = ALL_SHAPES["sparql"]
    before = _agree(_quads(new), _quads(old), shapes)
    after = _agree(_quads(old), _quads(new), shapes)
    return tuple({r.focus for r in results if r.shape == EX + shape} for results in (before, after))  # type: ignore[return-value]


def test_a_type_two_steps_away_inside_nested_exists():
    """ex:Exists: n0's ex:e value loses its type, which an EXISTS inside a NOT EXISTS reads: n0's
    result comes (and goes when the type is back), though n0 had none and its own triples are the same."""
    old = {(EX + "n0", EX + "e", EX + "n1"), (EX + "n1", RDF_TYPE, EX + "A"), (EX + "n2", EX + "c", EX + "A")}
    assert _sparql_agree(old, old - {(EX + "n1", RDF_TYPE, EX + "A")}, "Exists") == (set(), {EX + "n0"})
    assert _sparql_agree(old, old - {(EX + "n2", EX + "c", EX + "A")}, "Exists") == (set(), {EX + "n0"})


def test_a_measure_declared_elsewhere_reached_through_a_variable_predicate():
    """ex:Measures: a node declares ex:m a measure (?component ex:c ?path, reached from the data set
    only through the predicate of ?value ?path ?any): the data set whose observation has an ex:m
    value for another measure gets its result."""
    old = {(EX + "set", RDF_TYPE, EX + "A"), (EX + "o", EX + "a", EX + "set"), (EX + "o", EX + "b", EX + "n"),
           (EX + "o", EX + "n", Literal("1")), (EX + "o", EX + "m", Literal("2"))}
    assert _sparql_agree(old, old | {(EX + "x", EX + "c", EX + "m")}, "Measures") == (set(), {EX + "set"})


def test_a_group_starts_and_stops_breaking_having():
    """ex:Unique (GROUP BY, HAVING COUNT > 1): a second figure for the same measure and value makes
    the source's group break it; removing it mends it."""
    old = {(EX + "o1", EX + "d", EX + "src"), (EX + "o1", EX + "b", EX + "m"), (EX + "o1", EX + "c", EX + "v"),
           (EX + "o1", EX + "m", Literal("1")), (EX + "o2", EX + "d", EX + "src"), (EX + "o2", EX + "b", EX + "m"),
           (EX + "o2", EX + "e", EX + "v")}
    assert _sparql_agree(old, old | {(EX + "o2", EX + "m", Literal("2"))}, "Unique") == (set(), {EX + "src"})


def test_an_optional_match_removed():
    """ex:Optional: the only ex:A linking by ex:c to the value two steps on loses its type: the
    OPTIONAL no longer matches and the focus node gets its result."""
    old = {(EX + "n0", RDF_TYPE, EX + "B"), (EX + "n0", EX + "a", EX + "n1"), (EX + "n2", EX + "b", EX + "n1"),
           (EX + "n3", EX + "c", EX + "n2"), (EX + "n3", RDF_TYPE, EX + "A")}
    assert _sparql_agree(old, old - {(EX + "n3", RDF_TYPE, EX + "A")}, "Optional") == (set(), {EX + "n0"})


def test_what_each_sparql_query_reads_or_why_it_runs_in_full():
    """The fixture's queries: the reads of those analysed (from $this, through variable predicates,
    EXISTS and paths), and Unbounded for a variable bound in one UNION branch, a oneOrMore path and a
    sub-select."""
    roots, _ = read_shapes(ALL_SHAPES["sparql"])
    found = {}
    for shape in roots:
        for name, constraint in shape.params:
            if name == "sparql":
                try:
                    found[shape.node.rsplit("/", 1)[-1]] = footprint._sparql_reads(shape, constraint)
                except footprint.Unbounded:
                    found[shape.node.rsplit("/", 1)[-1]] = None
    assert [name for name, reads in found.items() if reads is None] == ["OneBranch", "OneOrMore", "SubSelect"]
    a, c, d = EX + "a", EX + "c", EX + "d"
    assert (((a, False), (None, None)), c, False, None) in found["Measures"]  # ?component ex:c ?path
    assert (((d, False),), None, True, None) in found["Unique"]  # ?observation ?path ?figure
    assert ((a, True), (EX + "b", False), (c, False)) in {steps for steps, *_ in found["Optional"]}


def test_sparql_constraints_run_on_the_focus_nodes_the_change_reaches():
    """A hundred measured data sets, one observation changed: the variable-predicate query
    (ex:Measures) and the grouped one (ex:Unique) run for the one data set and source reached only."""
    shapes = ALL_SHAPES["sparql"]
    triples = set()
    for i in range(100):
        triples |= {(EX + f"set{i}", RDF_TYPE, EX + "A"), (EX + f"o{i}", EX + "a", EX + f"set{i}"),
                    (EX + f"o{i}", EX + "b", EX + "m"), (EX + f"o{i}", EX + "m", Literal("1", datatype=XSD_INT)),
                    (EX + f"o{i}", EX + "d", EX + f"src{i}"), (EX + f"o{i}", EX + "c", EX + "x")}
    old = _quads(triples)
    new = _quads(triples - {(EX + "o7", EX + "m", Literal("1", datatype=XSD_INT))})
    validator, roots = _validator(new, shapes, few=True)
    runs = []
    runner = validator.sparql

    def spied(shape, constraint, targeted, focus_nodes, some=False):
        runs.append((shape.node, targeted is not None, len(focus_nodes), some))
        return runner(shape, constraint, targeted, focus_nodes, some)
    validator.sparql = spied  # type: ignore[assignment]
    reported = {r.focus for r in _full(old, shapes)}
    assert revalidate(validator, roots, reported, set(), old.union() - new.union()) == _full(new, shapes)
    assert (EX + "Measures", True, 1, True) in runs and (EX + "Unique", True, 1, True) in runs
    assert {EX + "set7"} == {r.focus for r in _full(new, shapes) if r.shape == EX + "Measures"}
    assert all(n == 1 or not some for _, _, n, some in runs)


# --- the cases that matter, by hand -----------------------------------------------------------------

EX = "http://example.org/"
SDO = "http://schema.org/"
GII = "https://w3id.org/giigraph/ontology#"
CITY, CLUSTER = SDO + "City", GII + "Cluster"
XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"


def _cluster_data(n: int) -> set[Triple]:
    """A cluster (a hub: n rank observations link to it) with a city, each typed."""
    triples = {(EX + "c", RDF_TYPE, CLUSTER), (EX + "c", SDO + "containsPlace", EX + "city"),
               (EX + "city", RDF_TYPE, CITY), (EX + "c", SDO + "name", Literal("Wuhan", "en"))}
    triples |= {(EX + f"r{i}", GII + "cluster", EX + "c") for i in range(n)}
    return triples


def test_an_inverse_path_to_a_hub():
    """ex:Far's sh:qualifiedValueShape reads the hub's referrers (^gii:cluster) and their types: one
    referrer typed a City, then a second, breaks sh:qualifiedMaxCount 1 on the hub alone."""
    shapes = ALL_SHAPES["footprint"]
    old = _cluster_data(50) | {(EX + "r3", RDF_TYPE, CITY)}
    new = old | {(EX + "r40", RDF_TYPE, CITY)}
    full = _agree(_quads(old), _quads(new), shapes)
    assert [r.component.rsplit("#")[-1] for r in full if r.focus == EX + "c"] == ["QualifiedMaxCountConstraintComponent"]
    assert not [r for r in _agree(_quads(new), _quads(old), shapes) if r.focus == EX + "c"]  # and back


def test_sh_class_on_a_node_whose_type_changes():
    """A town two steps from the cluster (in one of its cities) loses its type: the cluster's sh:class
    result appears, and goes when the type is back."""
    shapes = ALL_SHAPES["footprint"]
    old = _cluster_data(1) | {(EX + "town", SDO + "containedInPlace", EX + "city"), (EX + "town", RDF_TYPE, CITY)}
    new = old - {(EX + "town", RDF_TYPE, CITY)}
    full = _agree(_quads(old), _quads(new), shapes)
    assert {(r.focus, r.value, r.component.rsplit("#")[-1]) for r in full} >= {
        (EX + "c", EX + "town", "ClassConstraintComponent")}
    assert not any(r.component.endswith("ClassConstraintComponent") for r in _agree(_quads(new), _quads(old), shapes))


def test_a_node_leaves_and_joins_a_target():
    """A cluster with problems loses its type (its results go), another gains it (its results come)."""
    shapes = SHAPES["coverage"]
    old = _cluster_data(0) | {(EX + "d", SDO + "name", Literal("x"))}
    new = (old - {(EX + "c", RDF_TYPE, CLUSTER)}) | {(EX + "d", RDF_TYPE, CLUSTER)}
    before, after = _full(_quads(old), shapes), _agree(_quads(old), _quads(new), shapes)
    clusters = [{r.focus for r in results if r.shape == "https://example.org/shapes#Cluster"}  # its IRI pattern
                for results in (before, after)]
    assert clusters == [{EX + "c"}, {EX + "d"}]


def test_a_removed_article():
    """An article's triples all removed, others' links to it kept: the project shapes' results are the
    full validation's (and then the article back)."""
    shapes = SHAPES["project"]
    article = EX + "article"
    kept = {(EX + "claim", RDF_TYPE, GII + "CheckableClaim"), (EX + "claim", SDO + "isBasedOn", article),
            (EX + "claim", SDO + "text", Literal("A claim.", "en"))}
    gone = {(article, RDF_TYPE, SDO + "NewsArticle"), (article, SDO + "name", Literal("News", "en")),
            (article, SDO + "url", "https://example.org/news"), (EX + "p1", SDO + "isPartOf", article),
            (EX + "p1", RDF_TYPE, GII + "Passage"), (EX + "p1", SDO + "position", Literal("1", datatype=XSD_INT))}
    full = _agree(_quads(kept | gone), _quads(kept), shapes)
    assert (EX + "claim", article) in {(r.focus, r.value) for r in full}  # isBasedOn no longer a document
    _agree(_quads(kept), _quads(kept | gone), shapes)



def test_a_subclass_change_validates_in_full():
    """rdfs:subClassOf is read by every instance test: a change of it leaves nothing to reuse."""
    shapes = ALL_SHAPES["footprint"]
    old = _cluster_data(2) | {(EX + "r0", RDF_TYPE, EX + "Town"), (EX + "r1", RDF_TYPE, EX + "Town")}
    new = old | {(EX + "Town", RDFS_SUBCLASS, CITY)}  # two cities link to the cluster: one too many
    assert [r.component.rsplit("#")[-1] for r in _agree(_quads(old), _quads(new), shapes) if r.focus == EX + "c"] == [
        "QualifiedMaxCountConstraintComponent"]


def test_only_what_the_change_reaches_is_judged():
    """One cluster of a hundred gets a label, the same as its name (sh:disjoint): that cluster is judged
    again, and the node that had a result before (ex:Lone's), not the 99 others."""
    shapes = ALL_SHAPES["footprint"]
    names = {EX + f"c{i}": Literal(f"C{i}", "en") for i in range(100)}
    old = _quads({(c, RDF_TYPE, CLUSTER) for c in names} | {(c, SDO + "name", name) for c, name in names.items()})
    new = _quads(old.union() | {(EX + "c7", RDFS + "label", names[EX + "c7"])})
    reported = {r.focus for r in _full(old, shapes)}
    assert reported == {EX + "n1"}
    validator, roots = _validator(new, shapes, few=True)
    judged, check = [], validator.check
    validator.check = lambda shape, nodes, targeted, first=False: (  # type: ignore[method-assign]
        judged.extend(nodes) if targeted is shape else None, check(shape, nodes, targeted, first))[1]
    assert revalidate(validator, roots, reported, new.union() - old.union(), set()) == _full(new, shapes)
    assert EX + "c7" in judged and set(judged) <= {EX + "c7", EX + "n1"}
    assert EX + "c7" in {r.focus for r in _full(new, shapes)}


def test_a_rebuild_validation_keeps_the_focus_nodes_with_results(monkeypatch):
    """`revalidate_graph`: the article validated, then with the planted faults (every fault a change),
    then clean again: each time the report of a full validation (results in its order), judged
    incrementally; a state left by other shapes is not used."""
    calls = []
    revalidate = footprint.revalidate
    monkeypatch.setattr(footprint, "revalidate", lambda *args: calls.append(args) or revalidate(*args))
    clean = giigraph.build_quads()
    report, kept = revalidate_graph(clean, None)
    assert kept is not None and report.conforms and not kept.reported and not calls
    old, conforms = clean, []
    for new in (plant(giigraph.build_quads()), giigraph.build_quads()):
        before, after = old.union(), new.union()
        report, left = revalidate_graph(new, kept, after - before, before - after)
        full = validate_graph(new)
        assert report.raw == full.raw and report.results == full.results and report.engine == "fast"
        assert left == Kept(kept.shapes, frozenset(r.focus for r in full.raw), True, kept.parsed)
        old, kept = new, left
        conforms.append(report.conforms)
    assert len(calls) == 2 and conforms == [False, True]  # the faults reported, then none
    revalidate_graph(clean, Kept("other shapes", kept.reported), clean.union() - old.union(), old.union() - clean.union())
    assert len(calls) == 2


def test_the_shapes_digest_a_rebuild_compares_is_the_same_in_every_process():
    """A rebuild runs in another process than the build it follows: what it compares with that build's
    must not depend on the parse (blank nodes are labelled anew each time), else it judges in full."""
    code = "from giigraph.validation import project_shapes_digest; print(project_shapes_digest())"
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            for _ in range(2)}
    assert len(runs) == 1 and len(runs.pop().strip()) == 64


def test_a_rebuild_checks_only_the_added_literals_against_the_store(monkeypatch):
    """Every literal kept as written by the store is a verdict on each literal: after a validation that
    found it so, only the change's literals are checked (no pass over every graph's); an added literal
    the store rewrites ("01"^^xsd:integer) sends the validation to pyshacl, as a full one goes."""
    clean = giigraph.build_quads()
    _, kept = revalidate_graph(clean, None)
    assert kept is not None and kept.literals

    def everything(self):
        raise AssertionError("every graph's literals read")
    for value, engine in (("1", "fast"), ("01", "pyshacl")):
        new = giigraph.build_quads()
        added = {(EX + "claim", EX + "count", Literal(value, datatype=XSD_INT))}
        new.graph().update(added)
        with monkeypatch.context() as m:
            m.setattr(Quads, "typed_literals", everything)
            report, left = revalidate_graph(new, kept, added, ())
        full = validate_graph(new)
        assert report.engine == full.engine == engine and report.results == full.results
        assert (left is not None and left.literals) == (engine == "fast")


def test_sparql_on_a_property_shape_reads_from_the_focus_node(tmp_path):
    """A property shape's SPARQL constraint binds `$this` to the focus node (the path is `$PATH`): a
    triple added on the focus node itself is what the incremental validation must reach (found in review)."""
    (tmp_path / "shapes.ttl").write_text(f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
        ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property ex:P .
        ex:P sh:path ex:p ; sh:sparql [ sh:select "SELECT $this ?value WHERE {{ $this $PATH ?value . $this <{EX}q> ?x }}" ] .
        """, encoding="utf-8")
    shapes = tuple(parse_triples(tmp_path / "shapes.ttl"))
    old = {(EX + "n1", RDF_TYPE, EX + "A"), (EX + "n1", EX + "p", EX + "v")}
    new = old | {(EX + "n1", EX + "q", EX + "w")}
    assert len(_agree(_quads(old), _quads(new), shapes)) == 1
    assert not _agree(_quads(new), _quads(old), shapes)  # and back
