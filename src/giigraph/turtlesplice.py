"""Turtle and TriG of a rebuild spliced from the previous build's files, where the change allows it.

Both dumps are laid out from what little decides their layout (`turtle.py`): a header of the used
prefixes; Turtle's subjects in rdflib's order (instances of rdfs:Class first, then by (is blank, how
often the node is an object, IRI)), each with a statement that reads only its own triples and the
names; TriG's graphs in IRI order, each a block that reads only its graph's triples and the names.
A build that writes them leaves that layout for the next (`Rebuild.leave`): how often each prefix is
used (counted per triple) and each node referenced, each statement's length in order, each block's
span. Given the exact change, the next build updates the counts, renders again only the statements of
the subjects the change touches (and moves those whose place in the order changed), the header and
the changed graphs' blocks, and copies everything else from the previous file (`splice.rewrite`,
which checks that file's SHA-256 as it copies).

A name is a function of the IRI and the namespaces' prefixes, except where rdflib would mint a
prefix (`ns1`, ...) for a predicate: the order in which they are minted depends on the whole data, so
no layout is left where one was minted, and none is followed where one would be. Where anything is
not as recorded, the dump is written in full (`None`, or `Stale` caught), never guessed.
"""
from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Stale
from .quads import Index, Quads
from .splice import Segment, edits_of, rewrite
from .terms import BNode, Literal, Term, Triple
from .turtle import (
    RDF_TYPE, RDFS_CLASS, Names, Scanned, _order, _prefixes_key, _statements, trig, trig_block, trig_header,
    trig_order, turtle,
)

if TYPE_CHECKING:
    from .rebuild import Rebuild

TURTLE, TRIG = "turtle", "trig"


@dataclass(frozen=True)
class TurtleLayout:
    """How a Turtle dump was laid out, and the counts that decide it. Its nodes are kept as lines of
    text (no IRI or blank node label holds a line feed), which a rebuild loads many times faster than
    as many objects."""

    prefixes: bytes  # the namespaces' prefixes the names were made with (`turtle._prefixes_key`)
    uses: dict[str, int]  # per prefix, the triples that name something with it (a triple once per term)
    nodes: tuple[str, array]  # the nodes that are objects, one a line, and the triples each is the object of
    subjects: tuple[str, int]  # the subjects as written, one a line, and how many
    classes: int  # how many of them, first, are instances of rdfs:Class
    header: int  # the header's length in bytes
    lengths: array  # each subject's statement's length in bytes, in order

    @classmethod
    def of(cls, prefixes: bytes, uses: dict[str, int], references: dict[Term, int], order: list[Term],
           classes: int, header: int, lengths: array) -> "TurtleLayout":
        return cls(prefixes, uses, ("\n".join(references), array("q", references.values())),
                   ("\n".join(order), len(order)), classes, header, lengths)

    def order(self) -> list[Term]:
        return _terms(*self.subjects)

    def references(self) -> dict[Term, int]:
        text, counts = self.nodes
        return dict(zip(_terms(text, len(counts)), counts, strict=True))


def _terms(text: str, count: int) -> list[Term]:
    """The `count` terms of `text`, one a line; `Stale` if there are not as many."""
    terms: list[Term] = text.split("\n") if count else []
    if len(terms) != count:
        raise Stale("a layout's terms are not one a line")
    return [BNode(t) if t.startswith("_:") else t for t in terms] if "_:" in text else terms


@dataclass(frozen=True)
class TrigLayout:
    """How a TriG dump was laid out: each graph's block's span (without the blank line before it)."""

    prefixes: bytes
    header: int
    blocks: dict[str, tuple[int, int]]


# --- written in full: the layout is left -------------------------------------------------------------

def laid_out(quads: Quads, name: str, names: Scanned, kept: dict[Term, str] | None,
             rebuild: "Rebuild | None") -> Iterator[str]:
    """Turtle (`name` "turtle") or TriG of `quads` in chunks of text, as `turtle.turtle`/`turtle.trig` write
    them; with `rebuild`, the layout is left for the next build once the last chunk is made (unless a
    prefix was minted)."""
    named, references = names
    leave = rebuild is not None and _prefixes_key(named) == _prefixes_key(Names(quads.prefixes))
    if name == TURTLE:
        subjects = quads.by_subject()
        order = _order(subjects, references)
        chunks = turtle(subjects, quads.prefixes, names, kept, order)
        if not leave:
            yield from chunks
            return
        header = next(chunks)
        yield header
        lengths = array("q")
        for _, text in zip(order, chunks):  # the statements, then the last line feed
            lengths.append(_size(text))
            yield text
        yield from chunks
        classes = sum(1 for s in order if RDFS_CLASS in subjects[s].get(RDF_TYPE, ()))  # `_order` puts them first
        rebuild.leave(TURTLE, TurtleLayout.of(  # type: ignore[union-attr]
            _prefixes_key(named), _uses(subjects, named, references), dict(references), order, classes,
            _size(header), lengths))
        return
    chunks = trig(quads.graphs, named, quads.made)
    if not leave:
        yield from chunks
        return
    header = next(chunks)
    yield header
    at = _size(header)
    blocks = {}
    for i, (g, text) in enumerate(zip(trig_order(quads.graphs), chunks, strict=True)):
        size = _size(text)
        blocks[g] = (at + bool(i), size - bool(i))
        at += size
        yield text
    rebuild.leave(TRIG, TrigLayout(_prefixes_key(named), _size(header), blocks))  # type: ignore[union-attr]


def _size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _prefix(label: str) -> str | None:
    """The prefix of a name (None for an IRI written in full)."""
    return None if label[0] == "<" else label[:label.index(":")]


def _uses(subjects: Index, names: Names, references: dict[Term, int]) -> dict[str, int]:
    """Per prefix, the triples of the union that name something with it (its subject, its predicate,
    its object or the object's datatype), from the names and counts `Names.scan` worked out."""
    labels = names.labels
    predicates, datatypes, sizes = names.counted
    counts = [(labels[s], size) for s, size in zip(subjects, sizes, strict=True) if type(s) is str]
    counts += [(labels[o], count) for o, count in references.items() if type(o) is str]
    counts += [(names.verbs[p], count) for p, count in predicates.items() if p != RDF_TYPE]
    counts += [(labels[datatype], count) for datatype, count in datatypes.items()]
    uses: dict[str, int] = {}
    for label, count in counts:
        prefix = _prefix(label)
        if prefix is not None:
            uses[prefix] = uses.get(prefix, 0) + count
    return uses


# --- spliced ------------------------------------------------------------------------------------------

@dataclass
class _Now:
    """The names and counts of this build's union, from the previous layout and the change."""

    names: Names
    uses: dict[str, int]
    before: dict[Term, int]  # the previous build's references
    references: dict[Term, int]


def spliced(dataset: Quads, name: str, path: Path, rebuild: "Rebuild") -> tuple[int, str] | None:
    """Turtle (`name` "turtle") or TriG of `dataset` written into `path` (its size and SHA-256) from the
    previous build's file and layout, with the layout left for the next build; None where it cannot be
    spliced exactly (then the caller writes it in full)."""
    expected = rebuild.previous.dumps.get(path.name) if rebuild.previous is not None else None
    layout = rebuild.left(name)
    kind = TurtleLayout if name == TURTLE else TrigLayout
    if expected is None or rebuild.change is None or not isinstance(layout, kind):
        return None
    try:
        now = dataset.shared("turtle splice", lambda: _now(dataset, rebuild))
        if not isinstance(now, _Now) or layout.prefixes != _prefixes_key(now.names):
            return None
        if isinstance(layout, TurtleLayout):
            changed = rebuild.change.union_added | rebuild.change.union_removed
            segments, left = _turtle(dataset, now, layout, changed)
        else:
            segments, left = _trig(dataset, now, layout, rebuild.change.graphs)
        written = rewrite(rebuild.out / path.name, expected, lambda old: edits_of(old, segments), path,
                          checked=rebuild.checked(path.name))
    except (Stale, OSError):  # not the file or the layout the previous build left (or none): written in full
        return None
    rebuild.leave(name, left)
    dataset.keep_made(name, rebuild.change.graphs, layout.prefixes)
    return written


def _now(dataset: Quads, rebuild: "Rebuild") -> _Now | None:
    """The previous Turtle layout's counts updated with the union's change; None if there is no layout,
    or a prefix would be minted."""
    layout, change = rebuild.left(TURTLE), rebuild.change
    if not isinstance(layout, TurtleLayout) or change is None:
        return None
    names = Names(dataset.prefixes)
    if _prefixes_key(names) != layout.prefixes:
        return None
    namespaces = {prefix: namespace for namespace, prefix in names.by_namespace.items()}
    uses, before = dict(layout.uses), layout.references()
    references = dict(before)
    for step, triples in ((-1, change.union_removed), (1, change.union_added)):
        for s, p, o in triples:
            for label in (names.iri(s) if type(s) is str else None, names.verb(p) if p != RDF_TYPE else None,
                          names.iri(o) if type(o) is str else
                          names.iri(o[2]) if o.__class__ is Literal and o[2] else None):
                prefix = _prefix(label) if label is not None else None
                if prefix is not None:
                    uses[prefix] = uses.get(prefix, 0) + step
            if not isinstance(o, Literal):
                references[o] = references.get(o, 0) + step
    if len(names.by_namespace) != len(namespaces) or any(n < 0 for n in (*uses.values(), *references.values())):
        return None  # a prefix minted, or counts that are not this data's
    for counts in (uses, references):
        for key in [key for key, count in counts.items() if not count]:
            del counts[key]
    names.used = {prefix: namespaces[prefix] for prefix in uses}
    return _Now(names, uses, before, references)


def _named(now: _Now, predicates: Iterable[str]) -> None:
    """Each predicate named as a verb; `Stale` where a prefix would be minted for one."""
    before = len(now.names.by_namespace)
    for p in predicates:
        now.names.verb(p)
    if len(now.names.by_namespace) != before:
        raise Stale("a prefix would be minted")


def _check_used(now: _Now) -> None:
    """`Stale` unless the names used while rendering are those the header lists (counted)."""
    if set(now.names.used) != set(now.uses):
        raise Stale(f"the prefixes used are not those counted: {sorted(set(now.names.used) ^ set(now.uses))}")


def _turtle(dataset: Quads, now: _Now, layout: TurtleLayout,
            changed: frozenset[Triple]) -> tuple[list[Segment], TurtleLayout]:
    """The new Turtle file as spans of the previous one and statements rendered again, and its layout."""
    subjects = dataset.by_subject()
    order, lengths, top, before = layout.order(), layout.lengths, layout.classes, now.before
    count = len(order)
    starts = list(accumulate(lengths, initial=layout.header))

    def old_key(s: Term) -> tuple:
        return (isinstance(s, BNode), before.get(s, 0), s)

    def old_place(s: Term) -> int | None:
        i = bisect_left(order, s, 0, top)
        if i < top and order[i] == s:
            return i
        i = bisect_left(order, old_key(s), top, count, key=old_key)
        return i if i < count and order[i] == s else None

    references = now.references
    touched = {s for s, _, _ in changed} | {o for _, _, o in changed if not isinstance(o, Literal)}
    cut = sorted(i for i in map(old_place, touched) if i is not None)
    put: list[tuple[int, tuple, Term]] = []  # (place in the previous order, new key, subject)
    for s in touched:
        props = subjects.get(s)
        if props is None:
            continue
        if RDFS_CLASS in props.get(RDF_TYPE, ()):
            put.append((bisect_left(order, s, 0, top), (0, s), s))
        else:
            key = (isinstance(s, BNode), references.get(s, 0), s)
            put.append((bisect_left(order, key, top, count, key=old_key), (1, *key), s))
    put.sort(key=lambda item: (item[0], item[1]))
    rendered = [p for _, _, s in put for p in subjects[s]]
    _named(now, rendered)
    texts = [text.encode("utf-8") for text in _statements(now.names, subjects, [s for _, _, s in put], 0)]
    header = now.names.header().encode("utf-8")
    _check_used(now)

    new_order: list[Term] = []
    new_lengths = array("q")
    segments: list[Segment] = [header]
    at = 0

    def copy(end: int) -> None:
        if at < end:
            new_order.extend(order[at:end])
            new_lengths.extend(lengths[at:end])
            segments.append((starts[at], starts[end]))

    cuts, puts = iter(cut), iter(zip(put, texts, strict=True))
    next_cut, next_put = next(cuts, None), next(puts, None)
    while next_cut is not None or next_put is not None:
        if next_put is not None and (next_cut is None or next_put[0][0] <= next_cut):
            (place, _, s), text = next_put
            copy(place)
            at = max(at, place)
            new_order.append(s)
            new_lengths.append(len(text))
            segments.append(text)
            next_put = next(puts, None)
        else:
            copy(next_cut)  # type: ignore[arg-type]
            at = next_cut + 1  # type: ignore[operator]
            next_cut = next(cuts, None)
    copy(count)
    segments.append((starts[count], starts[count] + 1))  # the last line feed
    classes = top - sum(1 for i in cut if i < top) + sum(1 for _, key, _ in put if key[0] == 0)
    return segments, TurtleLayout.of(layout.prefixes, now.uses, references, new_order, classes,
                                           len(header), new_lengths)


def _trig(dataset: Quads, now: _Now, layout: TrigLayout,
          changed: frozenset[str]) -> tuple[list[Segment], TrigLayout]:
    """The new TriG file as spans of the previous one and blocks rendered again, and its layout."""
    graphs = dataset.graphs
    order = trig_order(graphs)
    again = {g for g in order if g in changed or g not in layout.blocks}
    _named(now, {p for g in again for _, p, _ in graphs[g]})
    header = trig_header(now.names).encode("utf-8")
    segments: list[Segment] = [header]
    blocks: dict[str, tuple[int, int]] = {}
    at = len(header)
    for i, g in enumerate(order):
        if g in again:
            text = trig_block(g, graphs[g], now.names, dataset.made).encode("utf-8")
            segments.append(b"\n" + text if i else text)
            size = len(text)
        else:
            start, size = layout.blocks[g]
            if i and start > layout.header:  # the blank line before it comes with it
                segments.append((start - 1, start + size))
            else:
                segments.extend([b"\n", (start, start + size)] if i else [(start, start + size)])
        blocks[g] = (at + bool(i), size)
        at += bool(i) + size
    _check_used(now)
    return segments, TrigLayout(layout.prefixes, len(header), blocks)
