"""The union's index by subject made graph by graph (`quads.index_union`) is the index of the union:
the same objects for each subject and predicate, each once, whichever graphs hold a triple, with
hostile terms and with lists long enough to be kept as sets too. A graph adopted from the build
cache, and the literals it unpickles, are those it was made of."""
from __future__ import annotations

import copy
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from giigraph.quads import Quads, index, index_union
from giigraph.terms import BNode, Literal
from rdf_strategies import datasets, literals

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


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(literals(), st.builds(Literal, st.one_of(
    st.booleans(), st.integers(), st.floats(), st.decimals(), st.datetimes(), st.dates())))))
def test_literals_pickle_as_themselves(terms):
    """A literal made again by `tuple.__new__` (its `__reduce__`) is the literal pickled: type, parts,
    equality and hash, as `Literal.__new__` would make it from its parts."""
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(terms, protocol=protocol))
        assert back == terms and [hash(t) for t in back] == [hash(t) for t in terms]
        assert [type(t) for t in back] == [Literal] * len(terms)
        assert [Literal(t[0], t[1], t[2]) for t in back] == terms and copy.deepcopy(terms) == terms


@settings(max_examples=100, deadline=None)
@given(datasets())
def test_an_adopted_graph_is_the_graph_as_filled(quads):
    """`adopt` of a set into an empty graph answers as the graph filled with its triples: the union,
    the typed literals and the index are those of the dataset filled, not what was kept before."""
    filled = Quads(quads.prefixes)
    for g, graph in quads.graphs.items():
        filled.graph(g).update(graph)
    name = next(iter(quads.graphs))
    triples = set(quads.graphs[name])
    quads.graph(name).clear()  # empty, as `GraphBuild.add` finds it
    quads.typed_literals(), quads.by_subject(), quads.union()  # kept, the empty graph's too
    quads.adopt(name, triples)
    assert quads.graphs == filled.graphs and quads.typed_literals() == filled.typed_literals()
    assert quads.union() == filled.union() and _sets(quads.by_subject()) == _sets(filled.by_subject())
    with pytest.raises(ValueError):
        quads.adopt(name, set())


def _sets(by_subject) -> dict:
    return {s: {p: set(objects) for p, objects in po.items()} for s, po in by_subject.items()}
