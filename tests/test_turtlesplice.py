"""Turtle and TriG spliced from the previous build's file and layout are, byte for byte, the full
write of the new data, and leave the layout a full write leaves; or they are written in full (a prefix
minted, no layout, a previous file that is not the one written). Random datasets and changes: subjects
that gain or lose references (so they move in the order), rdfs:Class instances, blank nodes,
non-ASCII IRIs and literals, graphs added and removed, prefixes becoming used and unused. Whole
rebuilds in place, which splice both dumps and equal a clean build: test_splice.py."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from giigraph import turtlesplice
from giigraph.errors import InputError
from giigraph.quads import Quads
from giigraph.rdfio import chunks, serialize, write_stream
from giigraph.rebuild import Change, Previous, Rebuild
from giigraph.terms import BNode, Literal
from giigraph.turtle import RDF_TYPE, RDFS_CLASS, RDFS_LABEL, XSD, Names

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rdf_strategies import iris, literals  # noqa: E402

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FILES = {"turtle": "giigraph.ttl", "trig": "giigraph.trig"}
EX, OTHER, MINTED = "http://ex.org/", "http://other.org/", "http://minted.org/"
PREFIXES = {"ex": EX, "o": OTHER, "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "xsd": XSD, "": "urn:x:",
            "dt": "http://dt.org/"}
# few nodes, so that they are objects of each other's triples and move in the order as that changes
NODES = [EX + "a", EX + "b", EX + "é中", OTHER + "x", OTHER + "Ünï", "urn:x:1", "http://noprefix.org/n",
         EX + "Klass", BNode("b1"), BNode("é")]
PREDICATES = [EX + "p", EX + "q", OTHER + "r", RDFS_LABEL, RDF_TYPE, "urn:x:s"]
OBJECTS = st.one_of(st.sampled_from(NODES + [RDFS_CLASS, XSD + "integer"]), st.sampled_from([
    Literal("x"), Literal("é中\n\"", lang="fr"), Literal("1", datatype=XSD + "integer"),
    Literal("2.5e0", datatype=XSD + "double"), Literal("t", datatype="http://dt.org/t"),
    Literal("01", datatype=XSD + "integer")]), literals(), iris)
GRAPHS = ["", EX + "g1", EX + "g2", OTHER + "g3", "http://ünï.org/g"]


@st.composite
def quads(draw, minting: bool) -> set[tuple]:
    predicates = st.sampled_from(PREDICATES + [MINTED + "m"] if minting else PREDICATES)
    subjects = st.sampled_from(NODES)
    return draw(st.sets(st.tuples(subjects, predicates, OBJECTS, st.sampled_from(GRAPHS)), max_size=25))


@st.composite
def changes(draw) -> tuple[Quads, Quads]:
    """A previous dataset and the new one: some of its quads removed, some added (a predicate whose
    namespace has no prefix, for which rdflib mints one, in few of them)."""
    old = draw(quads(draw(st.integers(0, 9)) == 0))
    removed = draw(st.sets(st.sampled_from(sorted(old, key=repr)))) if old else set()
    added = draw(quads(draw(st.integers(0, 9)) == 0))
    return dataset(old), dataset((old - removed) | added)


def dataset(quads: set[tuple]) -> Quads:
    out = Quads(PREFIXES)
    for s, p, o, g in quads:
        out.graph(g).add((s, p, o))
    return out


def change_of(old: Quads, new: Quads) -> Change:
    """The exact change, as `Rebuild.compare` works it out."""
    differ = frozenset(g for g in old.graphs.keys() | new.graphs.keys()
                       if old.graphs.get(g, set()) != new.graphs.get(g, set()))
    before, after = old.union(), new.union()
    return Change(differ, {g: frozenset(old.graphs.get(g, set()) - new.graphs.get(g, set())) for g in differ},
                  {g: frozenset(new.graphs.get(g, set()) - old.graphs.get(g, set())) for g in differ},
                  frozenset(before - after), frozenset(after - before))


def written_in_full(data: Quads, folder: Path) -> Previous:
    """Both dumps written into `folder` by a build that leaves their layout: its record, as the next
    build reads it; data that cannot be written is not a case."""
    folder.mkdir(exist_ok=True)
    build = Rebuild(None, folder / "entry", folder, None)
    try:
        dumps = {FILES[name]: write_stream(folder / FILES[name], chunks(data, name, build)) for name in FILES}
    except InputError:
        assume(False)
    return Previous({}, dumps, None, dict(build.leaving))


def following(previous: Previous, folder: Path, change: Change | None) -> Rebuild:
    """The next build, into `folder`, after `previous`, knowing `change`."""
    return Rebuild(None, folder / "entry", folder, previous, change=change)


def unpacked(left: dict[str, object]) -> dict[str, object]:
    """What the layouts left say (the order of a dictionary's keys aside)."""
    def said(layout: object) -> object:
        if isinstance(layout, turtlesplice.TurtleLayout):
            return (layout.prefixes, layout.uses, layout.references(), layout.order(), layout.classes, layout.header,
                    list(layout.lengths))
        return layout
    return {step: said(layout) for step, layout in left.items()}


def minted(data: Quads) -> bool:
    return any(p.startswith(MINTED) for s, p, o in data.union())


def scanning_refused(monkeypatch) -> None:
    """The whole union is never scanned on the splice path."""
    def scan(self, subjects):
        raise AssertionError("the union was scanned")
    monkeypatch.setattr(Names, "scan", scan)


@SETTINGS
@given(changes())
def test_spliced_is_the_full_write_of_the_new_data(tmp_path, monkeypatch, change):
    old, new = change
    tmp_path = Path(tempfile.mkdtemp(dir=tmp_path))  # one per example
    previous = written_in_full(old, tmp_path / "old")
    assert bool(previous.left) != minted(old)  # no layout where a prefix was minted
    try:
        full = {name: serialize(new, name) for name in FILES}
    except InputError:
        full = None
    rebuild = following(previous, tmp_path / "old", change_of(old, new))
    (tmp_path / "new").mkdir()
    with monkeypatch.context() as patched:
        scanning_refused(patched)
        for name in FILES:
            try:
                written = turtlesplice.spliced(new, name, tmp_path / "new" / FILES[name], rebuild)
            except InputError:
                assert full is None  # what cannot be written is refused, as by the full write
                return
            assert full is not None
            if minted(old) or minted(new):
                assert written is None
                continue
            assert written is not None
            assert (tmp_path / "new" / FILES[name]).read_bytes() == full[name]
    if not (minted(old) or minted(new)):  # what it leaves is what the full write leaves, for the next splice
        assert unpacked(rebuild.leaving) == unpacked(written_in_full(new, tmp_path / "full").left)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes(), st.sampled_from(["changed", "truncated", "lengthened"]), st.data())
def test_a_previous_file_not_as_written_is_written_in_full(tmp_path, change, edit, data):
    old, new = change
    tmp_path = Path(tempfile.mkdtemp(dir=tmp_path))  # one per example
    previous = written_in_full(old, tmp_path / "old")
    rebuild = following(previous, tmp_path / "old", change_of(old, new))
    (tmp_path / "new").mkdir()
    for name in FILES:
        path = tmp_path / "old" / FILES[name]
        raw = path.read_bytes()
        if edit == "changed" and raw:
            at = data.draw(st.integers(0, len(raw) - 1))
            raw = raw[:at] + bytes([raw[at] ^ 1]) + raw[at + 1:]
        else:
            raw = raw[:-1] if edit == "truncated" else raw + b"\n"
        path.write_bytes(raw)
        assert turtlesplice.spliced(new, name, tmp_path / "new" / FILES[name], rebuild) is None


def test_without_a_layout_or_change_it_is_written_in_full(tmp_path):
    old = dataset({(EX + "a", EX + "p", EX + "b", EX + "g1")})
    new = dataset({(EX + "a", EX + "p", EX + "b", EX + "g1"), (EX + "b", EX + "p", Literal("x"), EX + "g2")})
    previous = written_in_full(old, tmp_path / "old")
    followed = following(previous, tmp_path / "old", change_of(old, new))
    unknown = following(previous, tmp_path / "old", None)
    bare = following(Previous({}, previous.dumps, None, {}), tmp_path / "old", change_of(old, new))
    for name in FILES:
        path = tmp_path / FILES[name]
        assert turtlesplice.spliced(new, name, path, unknown) is None
        assert turtlesplice.spliced(new, name, path, bare) is None
        assert turtlesplice.spliced(new, name, path, followed) is not None
        assert path.read_bytes() == serialize(new, name)
