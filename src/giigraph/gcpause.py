"""Keeping Python's cycle collector off millions of long-lived objects.

Loading and building a big corpus make records, tuples and strings that live until the end and
form no reference cycles; the collector would still walk all of them again and again (a third of
the build time at a million triples). Reference counting frees everything as usual meanwhile.

Pausing alone does not end the walks: what a paused step made is still young to the collector, and
the next collections of the young generations walk all of it, twice (generation 0, then 1: 0.6 s of
a rebuild at a million triples). So a step whose result lasts (`lasting`: the records, the graphs,
the index) freezes what is alive when it returns (`gc.freeze`: out of every collection), inside a
`long_lived` block (a whole build), which unfreezes it all when it ends.
"""
from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

F = TypeVar("F", bound=Callable)
#: How many `long_lived` blocks are open.
_long_lived = 0


def without_gc(func: F) -> F:
    """Run `func` with the cycle collector paused (and restored as it was, even on error)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with paused():
            return func(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def lasting(func: F) -> F:
    """`without_gc` for a step whose result lives as long as the `long_lived` block it runs in: what
    is alive when it returns is frozen then (not a step whose garbage holds cycles: they would last too)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with paused(freeze=True):
            return func(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


@contextmanager
def paused(freeze: bool = False) -> Iterator[None]:
    """The cycle collector paused in the block, and restored as it was, even on error; with `freeze`,
    inside a `long_lived` block, what is alive when the block ends is frozen first."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze and _long_lived:
            gc.freeze()
        if enabled:
            gc.enable()


@contextmanager
def long_lived() -> Iterator[None]:
    """A block (a build) in which what `lasting` steps make lives until it ends: frozen as each returns,
    all unfrozen when the block ends (a cycle of garbage frozen meanwhile is collected after that)."""
    global _long_lived
    _long_lived += 1
    try:
        yield
    finally:
        _long_lived -= 1
        if not _long_lived:
            gc.unfreeze()


@contextmanager
def frozen(*make: Callable[[], object]) -> Iterator[None]:
    """Leave the objects alive now (the built dataset and its index) out of every cycle collection
    until the block ends; objects made inside it are collected as usual. Without this, each full
    collection while the dumps are written walks the whole dataset again (about 6 s of CPU at 1M triples).

    `make` (e.g. the index) run first with the collector paused and frozen with the rest: made
    before, the first collection after it would walk its million new objects once (0.3 s at 1M)."""
    with paused():
        for step in make:
            step()
        gc.freeze()
    try:
        yield
    finally:
        if not _long_lived:  # else the enclosing block unfreezes
            gc.unfreeze()
