"""What a rebuild takes from the previous build of the same data into the same folder, and leaves for the next.

With the build cache, each successful `giigraph build` of a data folder (with a base IRI) into an
output folder records, in the cache, what the next build of the same needs to redo only what a change
reaches (`Previous`): each graph's identity (the build cache's key of what an article's graph was made
from, or, for the few graphs made on every run, their triples), the size and SHA-256 of every dump it
wrote, and the validation's state. The next build compares its dataset with it: `Change` is the exact
difference, per graph and for the union, worked out from the graphs that differ alone (an old graph's
triples are read back from its sorted N-Quads lines in the cache). Where it cannot be known exactly (no
record, another giigraph, an old graph's lines gone from the cache, a change too big to be worth it),
there is no `Change`, and everything is made from the whole dataset, as without a cache.

What uses it so far: the union's Oxigraph store (SHACL-SPARQL, the charts) is the previous one kept on
disk (`storecache.py`), or else loaded, from the start of the build, from the previous N-Triples dump
(its SHA-256 checked against the record first), then patched with the union's change, instead of
waiting for this build's N-Triples file (`Rebuild.union_store`); SHACL Core judges only the focus
nodes the union's change reaches (`Rebuild.validate`); and the previous dumps, which the writers
splice, are hashed as the build starts, while the sources are read (`Rebuild.checked`).
"""
from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from . import formats
from .apart import in_thread
from .errors import Stale
from .quads import DEFAULT_GRAPH, Index, Quads, index, load_written, sorted_lines
from .splice import Signature, checked_files
from .storecache import KeptStore
from .terms import Triple

if TYPE_CHECKING:
    import pyoxigraph

    from .buildcache import SourceCache
    from .validation import ValidationReport

#: A change of more triples than this is not worth following: the whole dataset is redone.
MOST_CHANGED = 100_000
_NT = formats.get("nt").filename
T = TypeVar("T", bound="Tally")


@dataclass(frozen=True)
class Previous:
    """What the last successful build of the same data folder, base IRI and output folder left."""

    #: Each graph's identity: the build cache's key of its pieces (the same key, the same triples), or
    #: the triples themselves for a graph made on every run (the curated entities, GeoNames).
    graphs: dict[str, bytes | frozenset[Triple]]
    #: Every dump in the output folder, by file name: its size and SHA-256 (hex) as written.
    dumps: dict[str, tuple[int, str]]
    #: What the validation kept for the next build's (None: nothing).
    validation: object | None = None
    #: What other steps left for the next build (`Rebuild.leave`), by step: e.g. a dump's layout.
    left: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """The exact difference between the previous build's dataset and this one's."""

    #: The graphs added, removed, or whose triples differ.
    graphs: frozenset[str]
    #: For each of them, the triples it lost and those it gained.
    removed: dict[str, frozenset[Triple]]
    added: dict[str, frozenset[Triple]]
    #: The triples that left the union (no graph holds them any more) and those that joined it.
    union_removed: frozenset[Triple]
    union_added: frozenset[Triple]


@dataclass(frozen=True)
class Tally:
    """Counts taken per triple of a union (each field a dict of counts, none zero), left by a step for
    the next build: the counts of a changed union are the previous ones with the removed triples'
    taken away and the added triples' added (`moved`, `Rebuild.tallied`), without a pass over it."""

    def moved(self: T, removed: T, added: T) -> T:
        """These counts less `removed`'s, plus `added`'s; `Stale` if one would fall below zero (`removed`
        is not part of what these counted)."""
        return type(self)(*(_moved(getattr(self, f.name), getattr(removed, f.name), getattr(added, f.name))
                            for f in fields(self)))


def _moved(counts: dict[Hashable, int], less: dict[Hashable, int], more: dict[Hashable, int]) -> dict[Hashable, int]:
    out = dict(counts)
    for key, n in less.items():
        left = out.get(key, 0) - n
        if left < 0:
            raise Stale(f"{key!r} counted fewer times than removed")
        if left:
            out[key] = left
        else:
            del out[key]
    for key, n in more.items():
        out[key] = out.get(key, 0) + n
    return out


@dataclass
class Rebuild:
    """One build's link to the previous build of the same (data folder, base IRI, output folder):
    opened before the sources are read (`open`), compared with the dataset once it is built
    (`compare`, which sets `change`), recorded for the next once this build succeeded (`finish`).
    `validation` is what this build's validation leaves for the next."""

    cache: "SourceCache"
    entry: Path
    out: Path
    previous: Previous | None
    #: The union's store kept on disk for this record's next build (`storecache.py`), if any.
    kept: KeptStore | None = None
    change: Change | None = None
    validation: object | None = None
    #: What the steps of this build leave for the next (`leave`), recorded by `finish`.
    leaving: dict[str, object] = field(default_factory=dict)
    _seed: "Future[tuple[bool, Future[pyoxigraph.Store] | None]] | None" = field(default=None, repr=False)
    #: Whether the seed is the kept store (set in the seed's thread, read once it is done).
    _seed_kept: bool = field(default=False, repr=False)
    #: The kept store, opened and being patched: this build's union store (sealed by `finish`).
    _patching: "Future[pyoxigraph.Store] | None" = field(default=None, repr=False)
    #: A new kept store being made from this build's N-Triples dump (`make_store`).
    _making: "Future[None] | None" = field(default=None, repr=False)
    #: Each graph's identity, pickled ahead of `finish` (`note`).
    _graphs: "_Pickled | None" = field(default=None, repr=False)
    #: The previous dumps hashed as the build starts, with their files' signatures (`splice.checked_files`).
    _checked: "Future[dict[str, Signature]] | None" = field(default=None, repr=False)

    @classmethod
    def open(cls, cache: "SourceCache", data_dir: Path, base: str, out: Path) -> "Rebuild":
        """The previous build's record, if a sound one exists, and its union's store made ready in a
        thread: the one kept on disk if it holds that union (`storecache.py`), else loaded from the
        previous N-Triples dump (Oxigraph's parser runs without the GIL, beside the reading of the sources)."""
        from .buildcache import package_fingerprint

        out = Path(out).resolve()
        key = hashlib.sha256(package_fingerprint() + f"{Path(data_dir).resolve()}\0{base}\0{out}".encode()).digest()
        entry = cache.builds.path(key)
        previous = cache.builds.load(entry)
        kept = KeptStore(cache.stores.path(key))
        rebuild = cls(cache, entry, out, previous if isinstance(previous, Previous) else None,
                      kept if kept.claim() else None)  # another build of the same holds it: none kept
        if rebuild.previous is not None and _NT in rebuild.previous.dumps:
            size, sha256 = rebuild.previous.dumps[_NT]
            rebuild._seed = in_thread(lambda: rebuild._opened(sha256) or _load_checked(out / _NT, size, sha256))
        if rebuild.previous is not None:
            dumps = rebuild.previous.dumps
            rebuild._checked = in_thread(lambda: checked_files(out, dumps), "giigraph-check")
        return rebuild

    def _opened(self, sha256: str) -> "tuple[bool, Future[pyoxigraph.Store]] | None":
        """The kept store as the seed, if it holds the previous N-Triples dump's triples (`sha256`)."""
        store = self.kept.open(sha256) if self.kept is not None else None
        if store is None:
            return None
        self._seed_kept = True
        done: Future = Future()
        done.set_result(store)
        return True, done

    def compare(self, quads: Quads) -> Change | None:
        """How `quads` differ from the previous build's dataset (kept as `change`); None if that cannot
        be known exactly."""
        self.change = self._compare(quads) if self.previous is not None else None
        return self.change

    def _compare(self, quads: Quads) -> Change | None:
        now = _identities(quads)
        before = self.previous.graphs
        differ = sorted(name for name in now.keys() | before.keys() if now.get(name) != before.get(name))
        if sum(len(quads.graphs.get(n, ())) for n in differ) > MOST_CHANGED:
            return None
        old: dict[str, set[Triple]] = {}
        for name in differ:
            triples = self._old_triples(name)
            if triples is None or not _read_back_alike(quads.graphs.get(name, set()), name):
                return None
            old[name] = triples
        if sum(map(len, old.values())) + sum(len(quads.graphs.get(n, ())) for n in differ) > MOST_CHANGED:
            return None
        removed = {n: frozenset(old[n] - quads.graphs.get(n, set())) for n in differ}
        added = {n: frozenset(quads.graphs.get(n, set()) - old[n]) for n in differ}
        lost, gained = frozenset().union(*removed.values()), frozenset().union(*added.values())
        unchanged = [triples for name, triples in quads.graphs.items() if triples and name not in old]
        now_changed = [quads.graphs[n] for n in differ if quads.graphs.get(n)]
        # intersections walk the smaller set: each pass costs at most the dataset's size, whatever the change
        return Change(frozenset(differ), removed, added,
                      lost - _held(lost, unchanged + now_changed), gained - _held(gained, unchanged + list(old.values())))

    def _old_triples(self, name: str) -> set[Triple] | None:
        """A graph's triples in the previous build: empty if it had none, None if they cannot be read."""
        identity = self.previous.graphs.get(name) if self.previous else None
        if identity is None:
            return set()
        if isinstance(identity, frozenset):
            return set(identity)
        lines = self.cache.graphs.kept_lines(identity)
        return None if lines is None else _read(lines, name)

    def union_store(self) -> "Future[pyoxigraph.Store] | None":
        """The union's store of this build: the previous one's patched with `change`, when there is a
        change and the previous N-Triples dump was there as recorded; None otherwise (the caller loads
        it anew). Waits only for the dump's checksum, read before the store loads it."""
        seed, self._seed = self._seed, None
        if seed is None or self.change is None:
            return None  # a kept store opened as the seed is closed with it, and made anew (`make_store`)
        checked, loaded = seed.result()
        if not checked:
            return None
        change, kept = self.change, self.kept if self._seed_kept else None

        def patch() -> "pyoxigraph.Store":
            store = loaded.result()  # type: ignore[union-attr]
            if kept is not None:
                kept.unseal()  # sealed again once this build succeeded (`finish`)
            return _patched(store, change)
        patching = in_thread(patch)
        if kept is not None:
            self._patching = patching
        return patching

    def make_store(self, ntriples: Path, ready: Callable[[], object] | None = None) -> None:
        """Unless this build's union store is the kept one, patched, start making the store kept for the
        next build from this build's N-Triples dump `ntriples` (in the staging folder, or, once swapped
        in, in the output folder), in a thread, once `ready()` returns (the file is complete)."""
        kept = self.kept
        if kept is None or self._patching is not None:
            return
        swapped = self.out / _NT

        def make() -> None:
            if ready is not None:
                ready()
            try:
                fd = os.open(ntriples, os.O_RDONLY)
            except FileNotFoundError:
                fd = os.open(swapped, os.O_RDONLY)  # the staging folder became the output folder meanwhile
            try:
                again = Path(f"/proc/self/fd/{fd}")  # the same file, wherever it is renamed to
                kept.make(again if again.exists() else ntriples)
            finally:
                os.close(fd)
        self._making = in_thread(make, "giigraph-keep")

    def validate(self, quads: Quads) -> "ValidationReport":
        """The project's SHACL validation of `quads`; SHACL Core judges only the focus nodes the change
        reaches when the previous build's validation left its state (`validation.revalidate_graph`),
        with the same report. What it leaves is kept (`validation`) for the next build."""
        from .validation import Kept, revalidate_graph

        kept = self.previous.validation if self.previous is not None and self.change is not None else None
        change = self.change
        report, self.validation = revalidate_graph(
            quads, kept if isinstance(kept, Kept) else None,
            change.union_added if change is not None else (), change.union_removed if change is not None else ())
        return report

    def checked(self, name: str) -> "Signature | None":
        """The signature the previous dump `name` had when its bytes were found to be the recorded ones,
        as this build started (`splice.checked_files`); None if it was not, or is not known yet (never
        waited for: a forked writer's copy of this process has no thread to wait for)."""
        done = self._checked is not None and self._checked.done() and self._checked.exception() is None
        return self._checked.result().get(name) if done else None  # type: ignore[union-attr]

    def left(self, step: str) -> object | None:
        """What `step` left in the previous build, when this build knows the exact change since (else
        None: what it left describes data this build cannot relate to its own)."""
        return self.previous.left.get(step) if self.previous is not None and self.change is not None else None

    def tallied(self, step: str, tally: Callable[[Index], T]) -> T | None:
        """This union's counts without a pass over it: those `step` left (made by `tally`, which counts the
        triples of an index), moved by the union's change; None if it left none, or they do not add up."""
        left = self.left(step)
        if left is None or self.change is None:
            return None
        removed, added = tally(index(self.change.union_removed)), tally(index(self.change.union_added))
        if type(left) is not type(added):
            return None
        try:
            return left.moved(removed, added)  # type: ignore[attr-defined]
        except Stale:
            return None

    def leave(self, step: str, value: object) -> None:
        """Leave `value` for `step` of the next build (`left`), if this one succeeds. A forked writer's
        are carried back to this process (`export._forked`)."""
        self.leaving[step] = value

    def note(self, quads: Quads) -> None:
        """Pickle each graph's identity for `finish` ahead of it, while the build waits for its writers:
        the graphs made on every run are identified by their triples (0.1-0.2 s to pickle at a million)."""
        self._graphs = _Pickled(_identities(quads))

    def finish(self, quads: Quads, dumps: dict[str, tuple[int, str]]) -> None:
        """Record this build for the next one, and seal the store kept for it with this build's
        N-Triples dump (a cache that cannot be written only costs speed)."""
        graphs = self._graphs if self._graphs is not None else _identities(quads)  # unpickled as the dict
        self.cache.builds.save(self.entry, Previous(graphs, dumps, self.validation,  # type: ignore[arg-type]
                                                    dict(self.leaving)))
        if _NT not in dumps or self.kept is None:
            return
        try:
            if self._patching is not None:
                self.kept.seal(dumps[_NT][1], self._patching.result())
            elif self._making is not None:
                self._making.result()
                self.kept.seal(dumps[_NT][1])
        except Exception:  # noqa: BLE001 - no kept store: the next build loads the dump instead
            pass

    def release(self) -> None:
        """Let the next build of the same use the kept store (this one is over)."""
        if self.kept is not None:
            self.kept.release()


def _read(lines: list[str], name: str) -> set[Triple]:
    """Graph `name`'s triples, read back from its N-Quads lines."""
    from .rdfio import parse_quads

    return parse_quads("".join(lines).encode("utf-8"), "nquads").graphs.get(name, set())


def _read_back_alike(triples: set[Triple], name: str) -> bool:
    """Whether `triples` read back from their N-Quads lines are the same terms (the builder's are:
    checked IRIs, lower-case tags, plain strings). An old graph's triples are so read back: a term
    written in another form (`"x"^^xsd:string`, an upper-case tag) would differ from itself."""
    return _read(sorted_lines(triples, name), name) == triples if triples else True


def _held(triples: frozenset[Triple], graphs: list[set[Triple]]) -> frozenset[Triple]:
    """Those of `triples` that one of `graphs` holds."""
    return frozenset().union(*(triples & g for g in graphs)) if triples else frozenset()


def _identities(quads: Quads) -> dict[str, bytes | frozenset[Triple]]:
    """Each graph's `_identity`, by name (those of the graphs that hold triples)."""
    return {name: _identity(quads, name) for name, triples in quads.graphs.items() if triples}


class _Pickled:
    """A value pickled ahead of the record that holds it: pickling the record copies its bytes, and
    unpickling the record gives the value itself."""

    def __init__(self, value: object) -> None:
        self.payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)

    def __reduce__(self) -> tuple[Callable[[bytes], object], tuple[bytes]]:
        return pickle.loads, (self.payload,)


def _identity(quads: Quads, name: str) -> bytes | frozenset[Triple]:
    """What tells a graph apart from another: its pieces' key in the build cache, if it has one for the
    graph as it is, else its triples."""
    count, kept = quads.kept.get(name, (-1, None))
    key = getattr(kept, "key", None)
    if key is not None and count == len(quads.graphs[name]):
        return key
    return frozenset(quads.graphs[name])


def _load_checked(path: Path, size: int, sha256: str) -> "tuple[bool, Future[pyoxigraph.Store] | None]":
    """Whether `path` holds the bytes recorded (read once, hashed), and if so, their loading into a store
    started. The file is opened once and read from that descriptor: what is hashed is what is loaded."""
    import pyoxigraph as ox

    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False, None
    file = os.fdopen(fd, "rb")
    try:
        if os.fstat(fd).st_size != size or hashlib.file_digest(file, "sha256").hexdigest() != sha256:
            file.close()
            return False, None
    except OSError:
        file.close()
        return False, None

    def load() -> "pyoxigraph.Store":
        with file:
            store = ox.Store()
            again = Path(f"/proc/self/fd/{fd}")  # the same file, read by Oxigraph without the GIL
            if again.exists():
                load_written(store, again, ox.RdfFormat.N_TRIPLES)
            else:
                file.seek(0)
                load_written(store, file, ox.RdfFormat.N_TRIPLES)
            return store
    return True, in_thread(load)


def _patched(store: "pyoxigraph.Store", change: Change) -> "pyoxigraph.Store":
    """`store` (the previous union) with the triples that left the union removed and those that joined added."""
    import pyoxigraph as ox

    if change.union_removed:
        for triple in ox.parse("".join(sorted_lines(change.union_removed, DEFAULT_GRAPH)).encode("utf-8"),
                               format=ox.RdfFormat.N_TRIPLES):
            store.remove(ox.Quad(triple.subject, triple.predicate, triple.object))
    if change.union_added:
        load_written(store, "".join(sorted_lines(change.union_added, DEFAULT_GRAPH)).encode("utf-8"),
                     ox.RdfFormat.N_TRIPLES)
    return store
