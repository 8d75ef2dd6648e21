"""The RDF/XML dump of a rebuild, spliced subject by subject from the previous file, is byte for byte
the dump a full write makes of the new data, whatever the change (subjects added, dropped, changed;
IRIs that sort around each other, escape in XML, or fall outside the prefixes; text that looks like
markup); data with blank nodes, and a previous file that is not what was written, are written in full."""
from __future__ import annotations

import hashlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giigraph.errors import InputError
from giigraph.quads import sorted_lines
from giigraph.rdfio import write_rdfxml
from giigraph.rebuild import Change, Previous, Rebuild
from giigraph.terms import BNode, Literal
from giigraph.xmlsplice import spliced_rdfxml

PREFIXES = {"schema": "http://schema.org/", "ex": "http://ex.org/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# IRIs that share prefixes (one a prefix of another), escape in XML, go beyond ASCII, or have no prefix
SUBJECTS = st.sampled_from(["http://ex.org/a", "http://ex.org/a/b", "http://ex.org/a-b", "http://ex.org/a?x=1&y='2'",
                            "http://ex.org/é", "http://ex.org/中/x", "http://other.org/z", "urn:x:a"])
PREDICATES = st.sampled_from(["http://schema.org/name", "http://schema.org/about", "http://ex.org/p",
                              "http://other.org/q", RDF_TYPE])
OBJECTS = st.one_of(SUBJECTS, st.sampled_from(["http://schema.org/Place", "http://ex.org/Thing", BNode("x"), BNode("y")]),
                    st.builds(Literal, st.text(st.sampled_from("a<>&'\"\n\t é中"), max_size=12)),
                    st.builds(lambda t, lang: Literal(t, lang=lang), st.text("ab<\n\t", max_size=5),
                              st.sampled_from(["en", "zh-hans"])),
                    st.builds(lambda t: Literal(t, datatype="http://www.w3.org/2001/XMLSchema#integer"),
                              st.sampled_from(["1", "01", "x"])))
TRIPLES = st.sets(st.tuples(SUBJECTS, PREDICATES, OBJECTS), max_size=25)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _dumps(folder: Path, triples: set) -> tuple[Path, tuple[int, str]]:
    """The N-Triples and RDF/XML dumps of `triples` written in full into `folder`, as a build writes them."""
    folder.mkdir(exist_ok=True)
    nt = folder / "giigraph.nt"
    nt.write_bytes("".join(sorted_lines(triples)).encode("utf-8"))
    return nt, write_rdfxml(nt, folder / "giigraph.rdf", PREFIXES)


def _rebuild(previous: Path, expected: tuple[int, str], before: set, after: set) -> Rebuild:
    change = Change(frozenset(), {}, {}, frozenset(before - after), frozenset(after - before))
    return Rebuild(None, Path("entry"), previous, Previous({}, {"giigraph.rdf": expected}), change=change)  # type: ignore[arg-type]


@SETTINGS
@given(TRIPLES, TRIPLES, st.data())
def test_spliced_rdfxml_is_the_full_write_of_the_new_data(tmp_path, before, added, data):
    removed = data.draw(st.sets(st.sampled_from(sorted(before, key=repr)), max_size=len(before))) if before else set()
    after = (before - removed) | added
    try:
        _, expected = _dumps(tmp_path / "old", before)
    except InputError:
        return  # no build wrote it
    out = tmp_path / "spliced" / "giigraph.rdf"
    out.parent.mkdir(exist_ok=True)
    try:
        nt, full = _dumps(tmp_path / "new", after)
    except InputError as refused:  # what RDF/XML cannot hold is refused as a full write refuses it
        try:
            written = spliced_rdfxml(_rebuild(tmp_path / "old", expected, before, after),
                                     tmp_path / "new" / "giigraph.nt", out, PREFIXES)
        except InputError as error:
            assert str(error) == str(refused)
        else:  # or left to the full write, which refuses it
            assert written is None and any(isinstance(o, BNode) for _, _, o in after)
        return
    written = spliced_rdfxml(_rebuild(tmp_path / "old", expected, before, after), nt, out, PREFIXES)
    if written is None:  # blank nodes are labelled over the whole file: written in full where one is touched
        assert any(isinstance(o, BNode) for _, _, o in before | after)
        return
    assert written == full
    assert out.read_bytes() == (tmp_path / "new" / "giigraph.rdf").read_bytes()


def test_blank_nodes_or_a_previous_file_not_as_written_are_written_in_full(tmp_path):
    a, p = "http://ex.org/a", "http://schema.org/name"
    before = {(a, p, Literal("x")), ("http://ex.org/b", p, Literal("y"))}
    after = before | {(a, p, Literal("z"))}
    _, expected = _dumps(tmp_path / "old", before)
    nt, full = _dumps(tmp_path / "new", after)
    out = tmp_path / "giigraph.rdf"
    assert spliced_rdfxml(_rebuild(tmp_path / "old", expected, before, after), nt, out, PREFIXES) == full
    blank = after | {(BNode("b1"), p, Literal("w"))}
    nt, _ = _dumps(tmp_path / "blank", blank)
    assert spliced_rdfxml(_rebuild(tmp_path / "old", expected, before, blank), nt, out, PREFIXES) is None
    old = tmp_path / "old" / "giigraph.rdf"
    old.write_bytes(old.read_bytes().replace(b">x<", b">X<"))  # the same size, other bytes
    nt, _ = _dumps(tmp_path / "new", after)
    assert spliced_rdfxml(_rebuild(tmp_path / "old", expected, before, after), nt, out, PREFIXES) is None
    assert hashlib.sha256(old.read_bytes()).hexdigest() != expected[1]


def test_a_subject_made_again_that_refers_to_a_blank_node_is_written_in_full(tmp_path):
    """Blank nodes are labelled b0, b1... in order over the whole file: a changed subject's element that
    refers to one cannot be made alone (here it would say b0 where the file says b1)."""
    p = "http://schema.org/name"
    before = {("http://ex.org/a", p, BNode("y")), ("http://ex.org/s", p, BNode("x"))}
    after = before | {("http://ex.org/s", "http://ex.org/p", Literal("v"))}
    _, expected = _dumps(tmp_path / "old", before)
    nt, _ = _dumps(tmp_path / "new", after)
    out = tmp_path / "spliced" / "giigraph.rdf"
    out.parent.mkdir()
    assert spliced_rdfxml(_rebuild(tmp_path / "old", expected, before, after), nt, out, PREFIXES) is None
