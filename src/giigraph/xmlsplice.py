"""The RDF/XML dump of a rebuild spliced from the previous build's file, one subject's element at a time.

Oxigraph writes the RDF/XML dump (`rdfio.write_rdfxml`) from the sorted N-Triples dump as it reads
it: a header naming the prefixes, then one element per subject in the order of the N-Triples lines
(`<subject>` strings sorted), each a block from its line `\\t<name ...>` to the next such line, then
`</rdf:RDF>`. A block is made of its subject's triples alone, and the header of the prefixes alone;
text never holds a raw `<` (XML escapes it), so a block starts at every line `\\t<` that does not
close one. So, given the exact change since the previous build, the new file is the previous one
with the blocks of the subjects the change touches made again (Oxigraph writes them from their
lines in this build's N-Triples dump, as a full write would) and put in place of the old ones, found
by binary search. Blank nodes are labelled in order of appearance over the whole file
(`rdfio._for_xml`), so a change that touches one, or a subject made again that refers to one, is
written in full; so is a previous file that is not what
the previous build wrote, or that does not lay out as described (`Stale`).
"""
from __future__ import annotations

import io
import mmap
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Stale
from .splice import Edit, first_line_not_below, rewrite
from .terms import BNode

if TYPE_CHECKING:
    from .rebuild import Rebuild

_CLOSE = ord("/")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#x([0-9A-Fa-f]+)|#([0-9]+));")
_FOOTER = b"</rdf:RDF>"


def spliced_rdfxml(rebuild: "Rebuild | None", ntriples: Path, path: Path, prefixes: dict[str, str]) -> tuple[int, str] | None:
    """The RDF/XML dump written into `path` (its size and SHA-256) from the previous build's file, with
    the elements of the subjects `rebuild`'s change touches made from their lines in `ntriples`
    (this build's N-Triples dump) with `prefixes`; None where that cannot be done exactly (the caller
    writes it in full). What RDF/XML cannot hold is refused as a full write refuses it."""
    if rebuild is None or rebuild.previous is None or rebuild.change is None:
        return None
    expected = rebuild.previous.dumps.get(path.name)
    change = rebuild.change
    touched = {s for s, _, _ in change.union_added} | {s for s, _, _ in change.union_removed}
    if expected is None or any(isinstance(t, BNode) for triple in (*change.union_added, *change.union_removed)
                               for t in triple):
        return None
    keys = sorted(f"<{s}>".encode("utf-8") for s in touched)
    try:
        laid = _made_again(_lines_of(ntriples, keys), prefixes)
        return rewrite(rebuild.out / path.name, expected, lambda old: _edits(old, laid, keys), path,
                       checked=rebuild.checked(path.name))
    except (Stale, OSError):
        return None


def _lines_of(ntriples: Path, keys: list[bytes]) -> bytes:
    """The lines of `ntriples` (sorted N-Triples) whose subject is one of `keys` (`<iri>`, sorted)."""
    found = bytearray()
    with open(ntriples, "rb") as fh:
        if not os.fstat(fh.fileno()).st_size:
            return b""
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as nt:
            at = 0
            for key in keys:
                start = key + b" "
                at = first_line_not_below(nt, start, at)
                while nt[at:at + len(start)] == start:
                    end = nt.find(b"\n", at) + 1
                    if not end:
                        raise Stale(f"{ntriples}: its last line has no line feed")
                    found += nt[at:end]
                    at = end
    return bytes(found)


#: The RDF/XML of some subjects: the text before the first block, each block by its subject's key,
#: the text after the last.
Laid = tuple[bytes, dict[bytes, bytes], bytes]


def _made_again(lines: bytes, prefixes: dict[str, str]) -> Laid:
    """The RDF/XML of these N-Triples lines, as the dump is written (`rdfio`'s writer, its checks included)."""
    import pyoxigraph as ox

    from .rdfio import _serialize_xml, _xml_prefixes

    triples = list(ox.parse(lines, format=ox.RdfFormat.N_TRIPLES))
    if any(isinstance(t.object, ox.BlankNode) for t in triples):  # its label depends on the whole file
        raise Stale("a subject made again refers to a blank node")
    out = io.BytesIO()
    _serialize_xml(triples, _xml_prefixes(prefixes), out)
    xml = out.getvalue()
    footer = xml.rfind(_FOOTER)
    starts = _starts(xml, 0, len(xml))
    if footer < 0 or (starts and starts[-1] > footer):
        raise Stale("the RDF/XML writer's output is not laid out as expected")
    ends = [*starts[1:], footer]
    return (xml[:starts[0]] if starts else xml[:footer],
            {_key(xml, start): xml[start:end] for start, end in zip(starts, ends)}, xml[footer:])


def _edits(old: "mmap.mmap | bytes", laid: Laid, keys: list[bytes]) -> list[Edit]:
    """The edits of the previous file `old`: each of `keys`' old block cut, its new one (if it still
    has triples) put in its place."""
    header, blocks, tail = laid
    footer = len(old) - len(tail)
    if old[:len(header)] != header or old[footer:] != tail or footer < len(header):
        raise Stale("the previous RDF/XML file does not start and end as this build's would")
    edits: list[Edit] = []
    at = len(header)
    for key in keys:
        at = _block_not_below(old, key, at, footer)
        if key in blocks:
            edits.append((at, blocks[key], False))
        if at < footer and _key(old, at) == key:
            end = _next_start(old, at + 1, footer)
            edits.append((at, old[at:end], True))
            at = end
    return edits


def _starts(xml: "mmap.mmap | bytes", lo: int, hi: int) -> list[int]:
    """The offsets of every block's first line in `xml[lo:hi]` (`lo` at a line's start)."""
    starts = []
    at = _next_start(xml, lo, hi)
    while at < hi:
        starts.append(at)
        at = _next_start(xml, at + 1, hi)
    return starts


def _next_start(xml: "mmap.mmap | bytes", pos: int, hi: int) -> int:
    """The offset of the first block's first line starting at or after `pos` (`hi` if none before it)."""
    at = max(pos - 1, 0)  # the line feed before the line at `pos`
    while True:
        at = xml.find(b"\n\t<", at, hi)
        if at < 0 or at + 3 >= hi:
            return hi
        if xml[at + 3] != _CLOSE:
            return at + 1
        at += 3


def _block_not_below(old: "mmap.mmap | bytes", key: bytes, lo: int, hi: int) -> int:
    """The offset of the first block from `lo` (a block's start) whose subject does not sort below `key`
    (`hi` if none), by binary search."""
    while lo < hi:
        mid = (lo + hi) // 2
        start = old.rfind(b"\n\t<", max(lo - 1, 0), mid + 1) + 1
        while start > lo and old[start + 2] == _CLOSE:  # a closing line: the block's own start is before
            start = old.rfind(b"\n\t<", max(lo - 1, 0), start - 1) + 1
        start = max(start, lo)
        if _key(old, start) < key:
            lo = _next_start(old, start + 1, hi)
        else:
            hi = start
    return lo


def _key(xml: "mmap.mmap | bytes", start: int) -> bytes:
    """The subject of the block at `start`, as its N-Triples term (`<iri>`, UTF-8)."""
    end = xml.find(b">", start)
    line = bytes(xml[start:end])
    about = line.find(b' rdf:about="')
    if not line.startswith(b"\t<") or about < 0:  # a blank node (rdf:nodeID), or not a block
        raise Stale(f"not a block of a named subject: {line[:80]!r}")
    value = line[about + len(b' rdf:about="'):]
    if value.count(b'"') != 1 or not value.endswith(b'"'):
        raise Stale(f"not one rdf:about attribute: {line[:80]!r}")
    text = value[:-1].decode("utf-8")
    if "&" in text:
        if _ENTITY.sub("", text).count("&"):
            raise Stale(f"an unknown entity in {line[:80]!r}")
        text = _ENTITY.sub(_unescaped, text)
    return f"<{text}>".encode("utf-8")


def _unescaped(match: re.Match[str]) -> str:
    named, hexadecimal, decimal = match.groups()
    return _ENTITIES[named] if named else chr(int(hexadecimal, 16) if hexadecimal else int(decimal))
