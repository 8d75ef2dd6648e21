"""The union's index by subject made graph by graph (`quads.index_union`) is the index of the union:
the same objects for each subject and predicate, each once, whichever graphs hold a triple, with
hostile terms and with lists long enough to be kept as sets too."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from giigraph.quads import Quads, index, index_union
from giigraph.terms import BNode, Literal
from rdf_strategies import datasets

FEW = st.sampled_from(["http://ex.org/a", "http://ex.org/b", BNode("a"), "http://ex.org/_:a"])
OBJECTS = st.one_of(FEW, st.builds(Literal, st.sampled_from(["a", "http://ex.org/a", "_:a"])),
                    st.integers(0, 40).map(lambda n: f"http://ex.org/o{n}"))  # up to 41 objects of one predicate
GRAPHS = st.one_of(
    st.lists(st.sets(st.tuples(FEW, st.sampled_from(["http://ex.org/p", "http://ex.org/q"]), OBJECTS), max_size=60),
             max_size=5),
    st.lists(st.sets(st.tuples(st.just("http://ex.org/a"), st.just("http://ex.org/p"), OBJECTS), max_size=40),
             max_size=4))  # one long list, met again in other graphs


def _as_sets(idx) -> dict:
    return {s: {p: set(objects) for p, objects in props.items()} for s, props in idx.items()}


@settings(max_examples=300, deadline=None)
@given(GRAPHS)
def test_the_index_of_graphs_read_in_turn_is_the_index_of_their_union(graphs):
    made = index_union(graphs)
    assert _as_sets(made) == _as_sets(index(set().union(*graphs)))
    assert all(len(objects) == len(set(objects)) for props in made.values() for objects in props.values())


@settings(max_examples=100, deadline=None)
@given(datasets())
def test_a_datasets_index_is_its_unions(quads: Quads):
    assert _as_sets(quads.by_subject()) == _as_sets(index(quads.union()))
