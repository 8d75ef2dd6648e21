"""Reading RDF files, writing every format deterministically, and writing files atomically.

Every command reads RDF files with one function, `read_quads` (Oxigraph's parsers), which keeps
literals exactly as written: what `validate FILE` checks is what `publish FILE` sends and `claims
FILE` judges.

Same graph in, same bytes out, on every run and machine. The writers take plain quads
(`quads.py`) and run in one pass each: N-Triples and N-Quads as sorted lines, Turtle and TriG by
`turtle.py` (rdflib's layout, graphs in IRI order), JSON-LD by `jsonld.py`, RDF/XML by pyoxigraph
from the sorted N-Triples lines. Published data has no blank nodes, so sorting is a canonical form. rdflib
graphs are accepted too (converted first); rdflib itself is imported only for them.
"""
from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from . import formats
from .errors import InputError
from .quads import Quads
from .terms import Triple

if TYPE_CHECKING:
    from rdflib import Dataset, Graph, URIRef

    from .rebuild import Rebuild

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_OX_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES", "trig": "TRIG", "nquads": "N_QUADS", "xml": "RDF_XML",
               "jsonld": "JSON_LD"}


def serialize(data: "Quads | Graph | Dataset", fmt: str) -> bytes:
    """Deterministic bytes of the data (plain quads, or an rdflib graph or dataset) in a registry format."""
    return b"".join(chunks(data, fmt))


def chunks(data: "Quads | Graph | Dataset", fmt: str, rebuild: "Rebuild | None" = None) -> Iterator[bytes]:
    """The serialisation in pieces, so big dumps stream to disk (and to a checksum) as they are made;
    with `rebuild`, Turtle and TriG leave their layout for the next build's splice (`turtlesplice`)."""
    quads = data if isinstance(data, Quads) else Quads.from_rdflib(data)
    name = formats.get(fmt).name
    if name == "nt":
        yield from _encoded(quads.nt_lines())
    elif name == "nquads":
        yield from _encoded(quads.nq_lines())
    elif name in ("turtle", "trig"):
        from .turtle import kept_statements, scanned
        from .turtlesplice import laid_out

        names = scanned(quads)
        kept = kept_statements(quads, names[0]) if name == "turtle" and quads.kept else None
        yield from _encoded(laid_out(quads, name, names, kept, rebuild))
    elif name == "jsonld":
        from .jsonld import analysis, jsonld_chunks, kept_nodes

        analysed = analysis(quads)
        kept = kept_nodes(quads, analysed) if quads.kept else None
        yield from _encoded(jsonld_chunks(quads.by_subject(), analysed, kept))
    else:
        buffer = io.BytesIO()
        _rdfxml(quads, buffer)
        yield buffer.getvalue()


def _encoded(pieces: Iterable[str], size: int = 1 << 20) -> Iterator[bytes]:
    """UTF-8 bytes in blocks of about `size` characters."""
    block: list[str] = []
    length = 0
    for piece in pieces:
        block.append(piece)
        length += len(piece)
        if length >= size:
            yield _utf8("".join(block))
            block, length = [], 0
    if block:
        yield _utf8("".join(block))


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: no RDF text holds one
        raise InputError(f"cannot write {text[max(exc.start - 40, 0):exc.end + 40]!r}: "
                         f"it holds a lone surrogate (U+{ord(text[exc.start]):04X}), which is not Unicode text") from None


def write_rdfxml(ntriples: Path, path: Path, prefixes: dict[str, str]) -> tuple[int, str]:
    """RDF/XML streamed into `path` from a file of sorted N-Triples (the build's dump), with the
    dataset's `prefixes` where RDF/XML can use them: Oxigraph parses the file and writes as it goes,
    nothing is formatted or sorted again, and what RDF/XML cannot hold is refused on the way
    (`_for_xml`). Returns the size and SHA-256, as `write_stream` does."""
    import pyoxigraph as ox

    def fill(out: _Checksummed) -> None:
        _serialize_xml(ox.parse(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES), _xml_prefixes(prefixes), out)
    return _write_with(Path(path), fill)


def _rdfxml(quads: Quads, output: BinaryIO) -> None:
    """RDF/XML by pyoxigraph into `output`, from the sorted N-Triples lines (a subject's triples side by side)."""
    import pyoxigraph as ox

    from .quads import LineReader

    triples = ox.parse(LineReader(quads.nt_lines()), format=ox.RdfFormat.N_TRIPLES)
    _serialize_xml(triples, _xml_prefixes(quads.prefixes), output)


def _serialize_xml(triples, prefixes: dict[str, str], output: BinaryIO) -> None:
    """pyoxigraph's RDF/XML of `triples` (Oxigraph's, as parsed), checked and relabelled by `_for_xml`, into `output`."""
    import pyoxigraph as ox

    ox.serialize(_for_xml(triples), output, format=ox.RdfFormat.RDF_XML, prefixes=prefixes)


def _xml_prefixes(prefixes: dict[str, str]) -> dict[str, str]:
    from .turtle import usable_prefix

    return {p: ns for p, ns in prefixes.items() if p and usable_prefix(p, ns)}


def _for_xml(triples):
    """The triples as they pass to the RDF/XML writer, refusing what RDF/XML cannot hold (pyoxigraph
    writes it without a word): a predicate or class with no XML name at its end (a typed node is
    written as an element of its class), text XML 1.0 forbids or changes (its readers turn a raw
    carriage return into a line feed). Each blank node is relabelled `b0`, `b1`, ... in order of
    appearance (rdf:nodeID needs an XML name). Checked in the writing process, where it costs the
    parent nothing."""
    import re

    import pyoxigraph as ox

    from .terms import PN_CHARS, PN_CHARS_U

    not_xml = re.compile("[\x00-\x08\x0b\x0c\r\x0e-\x1f\ufffe\uffff]").search
    name = re.compile(f"[{PN_CHARS_U}][{PN_CHARS}.]*\\Z").search
    literal, blank, rdf_type = ox.Literal, ox.BlankNode, ox.NamedNode(_RDF_TYPE)
    names: set = set()
    labels: dict = {}

    def named(iri) -> None:
        if not name(iri.value):
            raise InputError(f"RDF/XML cannot name <{iri.value}> (as a predicate or class, it must end in an XML "
                             "name); use another format")
        names.add(iri)

    def label(term):
        if type(term) is blank:
            if term not in labels:
                labels[term] = blank(f"b{len(labels)}")
            return labels[term]
        return term

    for t in triples:
        s, p, o, _ = t
        if p not in names:
            named(p)
        if type(o) is literal:
            if not_xml(o.value):
                raise InputError(f"RDF/XML cannot hold the text {o.value[:80]!r} (a control character XML 1.0 "
                                 "forbids or changes); use another format")
        elif p == rdf_type and type(o) is not blank and o not in names:
            named(o)
        yield ox.Triple(label(s), p, label(o)) if type(s) is blank or type(o) is blank else t


def write_stream(path: Path, pieces: Iterable[bytes]) -> tuple[int, str]:
    """Write pieces to a file (flushed to disk); returns its size and SHA-256, computed on the way."""
    def fill(out: _Checksummed) -> None:
        for piece in pieces:
            out.write(piece)
    return _write_with(path, fill)


class _Checksummed:
    """A binary file that takes the size and SHA-256 of what is written to it. Hashing and writing
    happen in a thread (both release the GIL), so they overlap with making the next piece."""

    def __init__(self, fh: BinaryIO) -> None:
        import hashlib
        import queue
        import threading

        self.fh, self.digest, self.size = fh, hashlib.sha256(), 0
        self._pending: queue.Queue = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="giigraph-write", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while (data := self._pending.get()) is not None:
            if self._error is None:
                try:
                    self.fh.write(data)
                    self.digest.update(data)
                except BaseException as exc:  # raised in the writing thread by close()
                    self._error = exc

    def write(self, data: bytes) -> int:
        if self._error is not None:
            raise self._error
        self._pending.put(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass  # close() writes everything

    def close(self) -> None:
        """Wait until every piece is written; raise what writing raised."""
        self._pending.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


def _write_with(path: Path, fill: Callable[[_Checksummed], None]) -> tuple[int, str]:
    with open(path, "wb") as fh:
        out = _Checksummed(fh)
        try:
            fill(out)
        finally:
            out.close()
        fh.flush()
        os.fsync(fh.fileno())
    return out.size, out.digest.hexdigest()


# --- reading -----------------------------------------------------------------------------------------

def parse_triples(path: Path, fmt: str | None = None) -> list[Triple]:
    """Every triple of an RDF file (graphs merged), parsed by pyoxigraph into plain terms."""
    path = Path(path)
    spec = formats.get(fmt) if fmt else formats.from_path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return [(s, p, o) for s, p, o, _ in _parse(str(path), _file(path), spec, {})]


def _file(path: Path) -> dict:
    """What Oxigraph reads a file from; relative IRIs resolve against the file, as Raptor and Jena do."""
    return {"path": str(path), "base_iri": path.resolve().as_uri()}


def read_quads(paths: Iterable[str | Path]) -> Quads:
    """Read RDF files into plain quads, with the prefixes they declare; quad formats keep their graphs,
    triples go to the default graph."""
    quads = Quads()
    for path in map(Path, paths):
        spec = formats.from_path(path)
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        _read_into(quads, str(path), _file(path), spec)
    return quads


def parse_quads(data: bytes, fmt: str, source: str = "the data") -> Quads:
    """RDF in memory (e.g. N-Quads handed to a query worker) read into plain quads, as files are."""
    quads = Quads()
    _read_into(quads, source, {"input": data}, formats.get(fmt))
    return quads


def _read_into(quads: Quads, source: str, what: dict, spec: formats.RdfFormat) -> None:
    """Add the quads Oxigraph parses from `what` (a path or bytes) to `quads`, with the prefixes declared."""
    for s, p, o, g in _parse(source, what, spec, quads.prefixes):
        quads.graph(g).add((s, p, o))


def _parse(source: str, what: dict, spec: formats.RdfFormat, prefixes: dict[str, str]) -> Iterator[tuple]:
    """The quads as plain terms; the prefixes declared are added to `prefixes`."""
    import pyoxigraph as ox

    from .convert import from_ox

    try:
        parser = ox.parse(**what, format=getattr(ox.RdfFormat, _OX_FORMATS[spec.name]))
        for q in parser:
            g = q.graph_name
            yield (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object),
                   "" if isinstance(g, ox.DefaultGraph) else from_ox(g))
        for prefix, namespace in parser.prefixes.items():
            prefixes.setdefault(prefix, namespace)
    except (SyntaxError, ValueError, OSError) as exc:
        raise InputError(f"{source}: cannot parse as {spec.label}: {_first_line(exc)}") from None


# --- rdflib graphs (the public API returns them) --------------------------------------------------

def union(graph: "Graph | Dataset") -> "Graph":
    """All triples of every named graph in one rdflib graph, with the same prefixes."""
    from rdflib import Dataset, Graph

    if not isinstance(graph, Dataset):
        return graph
    out = Graph()
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=True, replace=True)
    for s, p, o, _ in graph.quads((None, None, None, None)):
        out.add((s, p, o))
    return out


def read_rdf(paths: Iterable[str | Path]) -> "Dataset":
    """Read RDF files into one rdflib Dataset, with the one reader (`read_quads`: Oxigraph's parsers,
    literals exactly as written); quad formats keep their graphs, triples go to the default graph."""
    return read_quads(paths).to_rdflib()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())[:300]


def blank_nodes(graph: "Graph | Dataset") -> list[tuple]:
    """Statements that use a blank node: published data must have none."""
    from rdflib import BNode, Dataset

    quads = graph.quads((None, None, None, None)) if isinstance(graph, Dataset) else ((*t, None) for t in graph)
    return [q for q in quads if any(isinstance(t, BNode) for t in q[:3])]


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old content or the new, never half of it."""
    import tempfile

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:  # a parent is a file, no permission, ...: nothing has been written
        raise InputError(f"cannot write {path}: {exc.strerror or exc}"
                         f"{f' ({exc.filename})' if exc.filename else ''}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def graph_names(ds: "Dataset") -> "list[URIRef]":
    """Named graphs of an rdflib Dataset that hold triples, sorted."""
    from rdflib import URIRef

    return sorted(
        g.identifier for g in ds.graphs()
        if isinstance(g.identifier, URIRef) and len(g) and g.identifier != ds.default_graph.identifier
    )
