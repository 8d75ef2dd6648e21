"""The cycle collector kept off what a build makes to last, and only that (gcpause.py)."""
from __future__ import annotations

import gc
import weakref

import pytest

from giigraph.gcpause import frozen, lasting, long_lived, without_gc


class Node:
    """An object the cycle collector tracks, that can be weakly referenced."""

    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture(autouse=True)
def _nothing_frozen():
    gc.collect()
    assert gc.get_freeze_count() == 0
    yield
    assert gc.get_freeze_count() == 0


def collected(obj: object) -> bool:
    """Whether a collection of every generation may walk `obj` (the frozen are out of all of them)."""
    return any(o is obj for o in gc.get_objects())


@lasting
def make_records() -> list[Node]:
    return [Node() for _ in range(100)]


@without_gc
def make_garbage_cycle() -> weakref.ref:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_what_a_lasting_step_makes_is_out_of_the_collections_until_the_block_ends():
    with long_lived():
        records = make_records()
        assert gc.isenabled()
        assert not collected(records[0]) and gc.get_freeze_count() > 0
    assert collected(records[0])


def test_a_lasting_step_outside_a_build_freezes_nothing():
    records = make_records()
    assert gc.isenabled() and collected(records[0])


def test_a_paused_step_freezes_nothing_so_its_garbage_cycles_are_collected_in_the_build():
    with long_lived():
        make_records()
        ref = make_garbage_cycle()
        assert ref() is not None  # paused: reference counting cannot free a cycle
        gc.collect()
        assert ref() is None


def test_the_dumps_freeze_nested_in_a_build_leaves_the_build_s_objects_frozen():
    with long_lived():
        records = make_records()
        with frozen():
            assert not collected(records[0])
        assert not collected(records[0])  # the build unfreezes, not the dumps' block
    assert collected(records[0])


def test_the_collector_is_restored_as_it_was_even_on_error():
    @lasting
    def fails() -> None:
        raise ValueError("x")

    gc.disable()
    try:
        with long_lived(), pytest.raises(ValueError):
            fails()
        assert not gc.isenabled()
    finally:
        gc.enable()
    with long_lived(), pytest.raises(ValueError):
        fails()
    assert gc.isenabled()


def test_a_build_leaves_nothing_frozen_and_its_dataset_collectable(tmp_path):
    from giigraph import build_dist

    kept: list[weakref.ref] = []
    build_dist(tmp_path / "dist", keep=lambda value: kept.append(weakref.ref(value)))
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert kept and all(ref() is None for ref in kept)
