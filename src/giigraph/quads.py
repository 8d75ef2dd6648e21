"""The built dataset as plain quads: named graphs of triples of `terms.py` terms, plus its prefixes.

This is what the pipeline passes along (build -> validate -> writers -> store). What several steps
need is computed once and kept: the union of the graphs, its index by subject (Turtle, JSON-LD and
SHACL read it), the sorted N-Quads lines (the N-Quads and N-Triples dumps), the Oxigraph store of
every quad (claims), and the store of the union (SHACL-SPARQL and the charts), which `giigraph build`
loads from its N-Triples dump in a thread while Python validates (Oxigraph's parser releases the
GIL). They assume the graphs no longer change once read.
It converts to an rdflib Dataset for the public API, only when asked.
"""
from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from .apart import in_thread
from .gcpause import lasting, without_gc
from .terms import BNode, Literal, Term, Triple, check_bnode, check_iri, check_language, nt

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib

DEFAULT_GRAPH = ""
T = TypeVar("T")
Index = dict[Term, dict[str, list[Term]]]


def typed_literals(triples: Iterable[Triple]) -> set[Literal]:
    """The distinct literals with a datatype or a language tag among the triples' objects."""
    return {o for o in set(map(itemgetter(2), triples)) if o.__class__ is Literal and (o[1] or o[2])}


class Quads:
    """Named graphs (IRI -> set of triples; "" is the default graph) and the prefixes to write them with."""

    def __init__(self, prefixes: dict[str, str] | None = None) -> None:
        self.graphs: dict[str, set[Triple]] = {}
        self.prefixes: dict[str, str] = dict(prefixes or {})
        self._cache: dict[str, object] = {}
        #: Where what the dumps make of a graph is kept (the build cache), with the graph's triple count
        #: then: its sorted N-Quads lines (`nq_lines` merges them instead of formatting the graph
        #: again), its TriG block, its subjects' Turtle statements and JSON-LD node objects are taken
        #: from there while the count is the same (graphs only grow), or saved there once made (`made`).
        self.kept: dict[str, tuple[int, Kept]] = {}
        self._literals: dict[str, set[Literal]] = {}  # per graph, for `typed_literals`

    def graph(self, name: str = DEFAULT_GRAPH) -> set[Triple]:
        """The triples of one graph, created empty if new (add to it while building)."""
        self._cache.clear()
        self._literals.pop(name, None)
        return self.graphs.setdefault(name, set())

    def adopt(self, name: str, triples: set[Triple]) -> None:
        """Make `triples` graph `name`, which must be empty: a set no one else holds (just unpickled from
        the build cache) becomes the graph itself rather than being copied, every triple hashed again."""
        if self.graphs.get(name):
            raise ValueError(f"graph {name} already holds triples")
        self._cache.clear()
        self._literals.pop(name, None)
        self.graphs[name] = triples

    def typed_literals(self) -> set[Literal]:
        """The distinct literals with a datatype or a language tag, of every graph: those an Oxigraph
        store may keep in another form (`convert.rewritten_by_store`; the claims and SHACL-SPARQL ask).
        Each graph's are kept until `graph()` hands the graph out again, so asking after the claim
        reviews were added reads only their graph."""
        out: set[Literal] = set()
        for name, triples in self.graphs.items():
            found = self._literals.get(name)
            if found is None:
                found = self._literals[name] = typed_literals(triples)
            out |= found
        return out

    def names(self) -> list[str]:
        """Named graphs that hold triples, sorted."""
        return sorted(name for name, triples in self.graphs.items() if name and triples)

    def __len__(self) -> int:
        """Number of quads."""
        return sum(map(len, self.graphs.values()))

    def forget(self, *keys: str) -> None:
        """Drop kept results no longer needed (e.g. "store" once validation is done), to free memory."""
        for key in keys:
            self._cache.pop(key, None)

    def _cached(self, key: str, make):
        if key not in self._cache:
            self._cache[key] = make()
        value = self._cache[key]
        return value.result() if isinstance(value, Future) else value

    def shared(self, key: str, make: Callable[[], object]) -> object:
        """A result that several steps of another module need (e.g. the JSON-LD context, for the dump
        and `context.jsonld`), made once; dropped with the others when a graph changes."""
        return self._cached(key, make)

    def union(self) -> set[Triple]:
        """Every triple of every graph, once."""
        def make() -> set[Triple]:
            graphs = [g for g in self.graphs.values() if g]
            return graphs[0] if len(graphs) == 1 else set().union(*graphs)
        return self._cached("union", make)  # type: ignore[return-value]

    def by_subject(self) -> Index:
        """The union indexed by subject, then predicate: {s: {p: [o, ...]}} (`index_union` of the graphs)."""
        return self._cached("by_subject", lambda: index_union(self.graphs.values()))  # type: ignore[return-value]

    def nt_lines(self) -> Iterator[str]:
        """The union as sorted, distinct N-Triples lines.

        When every triple sits in a named graph and the sorted N-Quads lines exist already, they are
        cut instead of sorting again (N-Quads lines in order are their triples in order, each
        triple's copies side by side), one line at a time."""
        if "nq" not in self._cache or self.graphs.get(DEFAULT_GRAPH):
            yield from sorted_lines(self.union())
            return
        previous = ""
        for line in self._cache["nq"]:  # type: ignore[attr-defined]
            triple = line[:line.rindex(" ", 0, -3)] + " .\n"
            if triple != previous:
                yield triple
                previous = triple

    def nq_lines(self) -> list[str]:
        """Every quad as sorted, distinct N-Quads lines (graphs' sorted lines kept in `kept` merged by
        the sort, which finds these runs: the same lines as sorting all, in a fraction of the time)."""
        def make() -> list[str]:
            lines: list[str] = []
            for name in self.graphs:
                lines.extend(self._graph_lines(name))
            lines.sort()
            return lines
        return self._cached("nq", make)  # type: ignore[return-value]

    def _graph_lines(self, name: str) -> list[str]:
        """Graph `name`'s sorted N-Quads lines, from `kept` or made (and saved there)."""
        return self.made(name, "nq", lambda: sorted(_lines(self.graphs[name], name)))

    def keep_lines(self, changed: Iterable[str]) -> None:
        """Leave every graph's sorted N-Quads lines in `kept` for the next build, as `nq_lines` does,
        when the N-Quads dump was not made of them (spliced): those of the graphs in `changed` are made
        unless kept, the others' (the same as in the build that made them) are listed as used, unread."""
        changed = set(changed)
        for name in changed & self.kept.keys():
            self._graph_lines(name)
        self.keep_made("nq", changed)

    def keep_made(self, kind: str, changed: Iterable[str], variant: bytes = b"") -> None:
        """List what `made` keeps of `kind` for the graphs not in `changed` as used, unread: a dump
        spliced from the previous build's file was not made of them, the next full write may be."""
        changed = set(changed)
        for name, (count, kept) in self.kept.items():
            if name not in changed and count == len(self.graphs.get(name, ())):
                kept.keep(kind, variant)

    def made(self, name: str, kind: str, make: Callable[[], T], variant: bytes = b"") -> T:
        """What `make()` makes of graph `name` (`kind`: "nq", "trig", "turtle", "jsonld"; `variant`: what else it
        depends on), taken from `kept` if it holds it for the graph as it is, else made (and saved there)."""
        count, kept = self.kept.get(name, (-1, None))
        if kept is None or count != len(self.graphs[name]):
            return make()
        value = kept.load(kind, variant)
        if value is None:
            value = make()
            kept.save(kind, value, variant)
        return value  # type: ignore[return-value]

    def kept_by_subject(self, kind: str, make: Callable[[Index], dict[Term, str]],
                        variant: bytes) -> dict[Term, str]:
        """A dump's piece for each subject that one graph alone describes: `make(index of a graph)`
        gives a graph's, taken from `kept` (the build cache) or made and kept there. A piece that
        reads only its subject's triples (and what `variant` names) is then the same from the union."""
        pieces: dict[Term, str] = {}
        graphs: dict[Term, int] = {}
        for name, triples in self.graphs.items():
            if name in self.kept:
                made = self.made(name, kind, lambda: make(index(triples)), variant)  # noqa: B023
                pieces.update(made)
                described: Iterable[Term] = made
            else:
                described = {s for s, _, _ in triples}
            for s in described:
                graphs[s] = graphs.get(s, 0) + 1
        return {s: piece for s, piece in pieces.items() if graphs[s] == 1}

    def kept_used(self) -> object:
        """What a forked copy of this dataset asked of `kept` (a build cache lists what it used), for
        `kept_use` of the original: the graphs' `Kept` share one store, so one answers for all."""
        return next(iter(self.kept.values()))[1].used() if self.kept else None

    def kept_use(self, used: object) -> None:
        """Count `used` (a copy's `kept_used`) as asked of `kept` here."""
        if self.kept and used is not None:
            next(iter(self.kept.values()))[1].use(used)

    def graph_digests(self) -> dict[str, tuple[str, int]] | None:
        """Each named graph's SHA-256 (hex) of its sorted N-Quads lines and its triple count, cut in one
        pass from the dataset's sorted N-Quads lines (`publish --changed` makes them before validating):
        the lines of one graph, in order, are that graph's sorted lines. None if the default graph
        holds triples."""
        if self.graphs.get(DEFAULT_GRAPH):
            return None

        def make() -> dict[str, tuple[str, int]]:
            tails = {f" {_graph_term(name)} .\n": name for name in self.graphs if name}
            runs: dict[str, list[str]] = {tail: [] for tail in tails}
            lines = self.nq_lines()
            start, tail = 0, ""
            for n, line in enumerate(lines):  # sorted lines come in runs of one graph: slice runs, not lines
                if not tail or not line.endswith(tail):
                    if n:
                        runs[tail] += lines[start:n]
                    start, tail = n, line[line.rindex(" ", 0, -3):]
            if lines:
                runs[tail] += lines[start:]
            return {tails[tail]: (hashlib.sha256("".join(graph_lines).encode()).hexdigest(), len(graph_lines))
                    for tail, graph_lines in runs.items()}
        return self._cached("digests", make)  # type: ignore[return-value]

    def store(self) -> "pyoxigraph.Store":
        """An in-memory Oxigraph store holding every quad, loaded from the N-Quads lines (parsed in Rust)."""
        def make():
            import pyoxigraph as ox

            store = ox.Store()
            if self.graphs:
                load_written(store, LineReader(self.nq_lines()), ox.RdfFormat.N_QUADS)
            return store
        return self._cached("store", make)

    def union_store(self) -> "pyoxigraph.Store":
        """An in-memory Oxigraph store whose default graph is the union, as a set (a triple in several
        graphs is there once; Oxigraph's own union view would repeat it) and no named graph: SHACL's
        data graph, and what the charts' queries (which name no graph) read."""
        def make():
            import pyoxigraph as ox

            if not self.graphs.get(DEFAULT_GRAPH):  # the N-Triples lines are cut from them; publish hashes them
                self.nq_lines()
            store = ox.Store()
            load_written(store, LineReader(self.nt_lines()), ox.RdfFormat.N_TRIPLES)
            return store
        return self._cached("union_store", make)

    def use_union_store(self, store: "Future[pyoxigraph.Store]") -> None:
        """Take `store` (being made elsewhere, e.g. the previous build's patched) as `union_store()`."""
        self._cache["union_store"] = store

    def load_union_store(self, ntriples: Path, ready: Callable[[], object] | None = None) -> None:
        """Start loading `union_store()` from a file of these N-Triples (the build's dump), in a thread,
        once `ready()` returns (the file is complete; what it raises, `union_store()` raises);
        `union_store()` waits for it. The Rust parser runs without the GIL, beside Python's work."""
        def make():
            import pyoxigraph as ox

            if ready is not None:
                ready()
            store = ox.Store()
            load_written(store, ntriples, ox.RdfFormat.N_TRIPLES)
            return store
        self._cache["union_store"] = in_thread(make)

    # --- rdflib ---------------------------------------------------------------------------------------
    def to_rdflib(self) -> "rdflib.Dataset":
        """An rdflib Dataset with the same graphs and prefixes."""
        from rdflib import Dataset

        from .convert import to_rdflib

        ds = Dataset()
        for prefix, ns in self.prefixes.items():
            ds.bind(prefix, ns, replace=True)
        for name, triples in self.graphs.items():
            graph = ds.graph(to_rdflib(name)) if name else ds.default_graph
            graph.addN((to_rdflib(s), to_rdflib(p), to_rdflib(o), graph) for s, p, o in triples)
        return ds

    @classmethod
    def from_rdflib(cls, graph: "rdflib.Graph | rdflib.Dataset") -> "Quads":
        """Plain quads of an rdflib Graph (default graph) or Dataset (its graphs)."""
        from rdflib import Dataset

        from .convert import from_rdflib

        quads = cls({p: str(ns) for p, ns in graph.namespaces() if p})
        if isinstance(graph, Dataset):
            default = graph.default_graph.identifier
            for s, p, o, g in graph.quads((None, None, None, None)):
                g = getattr(g, "identifier", g)
                name = DEFAULT_GRAPH if g is None or g == default else str(g)
                quads.graph(name).add((from_rdflib(s), from_rdflib(p), from_rdflib(o)))
        else:
            quads.graph().update((from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in graph)
        return quads


class Kept(Protocol):
    """A store of what the dumps make of one graph, by kind: None when it holds none (or none sound)."""

    def load(self, kind: str, variant: bytes = b"") -> object | None: ...

    def save(self, kind: str, value: object, variant: bytes = b"") -> None: ...

    def keep(self, kind: str, variant: bytes = b"") -> None:
        """List what the store holds of `kind` as used by this build (left for the next), unread."""

    def used(self) -> object:
        """What was asked of the store so far (by every graph's `Kept` of one build: they share it)."""

    def use(self, used: object) -> None:
        """Count as asked of this store what `used()` gave in a copy of this process (a forked writer)."""


class LineReader(io.RawIOBase):
    """Lines of text as a binary stream, encoded a block at a time (no copy of the whole text)."""

    def __init__(self, lines: Iterable[str], block: int = 20_000) -> None:
        self._blocks = ("".join(chunk).encode("utf-8") for chunk in _batched(lines, block))
        self._block = memoryview(b"")
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._offset >= len(self._block):
            block = next(self._blocks, None)
            if block is None:
                return 0
            self._block, self._offset = memoryview(block), 0
        size = min(len(buffer), len(self._block) - self._offset)
        buffer[:size] = self._block[self._offset:self._offset + size]
        self._offset += size
        return size


def _batched(items: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@without_gc
def index(triples: Iterable[Triple]) -> Index:
    """Triples indexed by subject, then predicate."""
    out: Index = {}
    for s, p, o in triples:
        props = out.get(s)
        if props is None:
            out[s] = {p: [o]}
        else:
            objects = props.get(p)
            if objects is None:
                props[p] = [o]
            else:
                objects.append(o)
    return out


def load_written(store: "pyoxigraph.Store", source: "io.RawIOBase | bytes | Path",
                 fmt: "pyoxigraph.RdfFormat") -> None:
    """Load N-Triples or N-Quads made by this module's writer (`sorted_lines`, a dump made of them) into
    `store`, parsed leniently: every IRI, language tag and blank node label was checked as it was
    written, so Oxigraph's checks would find nothing (Oxigraph advises `lenient` for input known
    valid); it parses a quarter faster. A test compares both on generated hostile terms."""
    if isinstance(source, Path):
        store.load(path=str(source), format=fmt, lenient=True)
    else:
        store.load(source, format=fmt, lenient=True)


#: From this many objects on, a subject's objects of one predicate are also kept as a set while the
#: union is indexed (`index_union`): a shorter list is searched faster than a set is made.
_SHORT = 16


@lasting
def index_union(graphs: Iterable[Iterable[Triple]]) -> Index:
    """The union of `graphs` indexed by subject, then predicate, as `index` of the union gives it (the
    lists may come in another order), a triple several graphs hold listed once. Each graph is read in
    turn, without making the union: a graph's triples share their subjects, so its index entries are
    at hand, where reading the union's set visits subjects in hash order (three times as long at a
    million triples)."""
    out: Index = {}
    many: dict[tuple[Term, str], set[Term]] = {}  # the objects of a long list, as a set
    for triples in graphs:
        for s, p, o in triples:
            props = out.get(s)
            if props is None:
                out[s] = {p: [o]}
                continue
            objects = props.get(p)
            if objects is None:
                props[p] = [o]
            elif len(objects) < _SHORT:
                if o not in objects:
                    objects.append(o)
            else:
                seen = many.get((s, p))
                if seen is None:
                    seen = many[s, p] = set(objects)
                if o not in seen:
                    seen.add(o)
                    objects.append(o)
    return out


def ntriples(triples: Iterable[Triple]) -> bytes:
    """Sorted, distinct N-Triples of `triples`: the bytes a publish uploads (and hashes) per graph."""
    return "".join(sorted_lines(triples)).encode()


def sorted_lines(triples: Iterable[Triple], graph: str = DEFAULT_GRAPH) -> list[str]:
    """Sorted, distinct N-Triples (graph "") or N-Quads lines of `triples`."""
    return sorted(_lines(triples, graph))


def _lines(triples: Iterable[Triple], graph: str) -> set[str]:
    """N-Triples (graph "") or N-Quads lines; each IRI and language tag is checked and formatted once."""
    iris: dict[str, str] = {}
    checked: set[str] = set()

    def term(t: Term) -> str:
        if type(t) is str:
            out = iris.get(t)
            if out is None:
                out = iris[t] = f"<{check_iri(t)}>"
            return out
        if isinstance(t, Literal):
            tag = t[1] or t[2]
            if tag and tag not in checked:
                checked.add(check_language(tag) if t[1] else check_iri(tag, "datatype IRI"))
            return nt(t)
        return check_bnode(t) if isinstance(t, BNode) else term(str(t))

    if graph:
        graph = " " + _graph_term(graph)
    tail = f"{graph} .\n"
    return {f"{term(s)} {term(p)} {term(o)}{tail}" for s, p, o in triples}


def _graph_term(name: str) -> str:
    """A graph name as N-Quads writes it."""
    return check_bnode(name) if isinstance(name, BNode) else f"<{check_iri(name, 'graph name')}>"
