"""Reading RDF files, writing every format deterministically, and writing files atomically.

Same graph in, same bytes out, on every run and machine: N-Triples and N-Quads lines are sorted,
RDF/XML is written by pyoxigraph from sorted triples (rdflib's order follows PYTHONHASHSEED),
Turtle and TriG by rdflib (whose order is stable once there are no blank nodes), JSON-LD by
`jsonld.py`. Published data has no blank nodes, so sorting is a canonical form.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.plugin import PluginException

from . import formats
from .errors import InputError


def union(graph: Graph | Dataset) -> Graph:
    """All triples of every named graph in one graph, with the same prefixes."""
    if not isinstance(graph, Dataset):
        return graph
    out = Graph()
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=True, replace=True)
    for s, p, o, _ in graph.quads((None, None, None, None)):
        out.add((s, p, o))
    return out


def as_dataset(graph: Graph | Dataset) -> Dataset:
    """A Dataset view: a plain Graph becomes the default graph of a new Dataset."""
    if isinstance(graph, Dataset):
        return graph
    ds = Dataset()
    for prefix, ns in graph.namespaces():
        ds.bind(prefix, ns, override=True, replace=True)
    for triple in graph:
        ds.add(triple)
    return ds


def serialize(graph: Graph | Dataset, fmt: str) -> bytes:
    """Deterministic bytes of the graph (or dataset) in a registry format."""
    spec = formats.get(fmt)
    if spec.name == "jsonld":
        from .jsonld import to_jsonld

        return to_jsonld(union(graph))
    if spec.name == "nt":
        return _sorted_lines(union(graph).serialize(format="nt", encoding="utf-8"))
    if spec.name == "nquads":
        return _sorted_lines(as_dataset(graph).serialize(format="nquads", encoding="utf-8"))
    if spec.name == "xml":
        return _rdfxml(union(graph))
    if spec.name == "trig":
        return _trig(as_dataset(graph))
    return union(graph).serialize(format="turtle", encoding="utf-8")


def _trig(ds: Dataset) -> bytes:
    """TriG with graphs in IRI order (rdflib's own TriG writer orders graphs by hash)."""
    prefixes: set[bytes] = set()
    blocks: list[bytes] = []
    graphs = [ds.default_graph] if len(ds.default_graph) else []
    for g in graphs + [ds.graph(name) for name in graph_names(ds)]:
        named = Graph()
        for prefix, ns in ds.namespaces():
            named.bind(prefix, ns, override=True, replace=True)
        for triple in g:
            named.add(triple)
        head, _, body = named.serialize(format="turtle", encoding="utf-8").partition(b"\n\n")
        prefixes.update(line for line in head.splitlines() if line.startswith(b"@prefix"))
        # not indented: indenting would change the text of multi-line ("""...""") literals
        label = b"" if g is ds.default_graph else g.identifier.n3().encode() + b" "
        blocks.append(label + b"{\n" + body.strip() + b"\n}\n")
    return b"\n".join(sorted(prefixes)) + b"\n\n" + b"\n".join(blocks)


def _sorted_lines(data: bytes) -> bytes:
    lines = sorted(set(line for line in data.splitlines() if line.strip()))
    return b"".join(line + b"\n" for line in lines)


def _rdfxml(graph: Graph) -> bytes:
    import pyoxigraph as ox

    from .oxi import to_ox_term

    triples = sorted(graph, key=lambda t: (str(t[0]), str(t[1]), t[2].n3()))
    prefixes = {p: str(ns) for p, ns in graph.namespaces() if p}
    return ox.serialize(
        (ox.Triple(to_ox_term(s), to_ox_term(p), to_ox_term(o)) for s, p, o in triples),
        format=ox.RdfFormat.RDF_XML, prefixes=prefixes,
    )


def read_rdf(paths: Iterable[str | Path]) -> Dataset:
    """Read RDF files into one Dataset; quad formats keep their graphs, triples go to the default graph."""
    ds = Dataset()
    for path in map(Path, paths):
        spec = formats.from_path(path)
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        try:
            if spec.quads:
                ds.parse(path, format=spec.rdflib_name)
            else:
                ds.default_graph.parse(path, format=spec.rdflib_name)
        except (PluginException, ValueError, SyntaxError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot parse as {spec.label}: {_first_line(exc)}") from None
        except Exception as exc:  # rdflib's parsers raise many unrelated types on bad input
            raise InputError(f"{path}: cannot parse as {spec.label}: {_first_line(exc)}") from None
    return ds


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())[:300]


def blank_nodes(graph: Graph | Dataset) -> list[tuple]:
    """Statements that use a blank node: published data must have none."""
    quads = graph.quads((None, None, None, None)) if isinstance(graph, Dataset) else ((*t, None) for t in graph)
    return [q for q in quads if any(isinstance(t, BNode) for t in q[:3])]


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old content or the new, never half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def graph_names(ds: Dataset) -> list[URIRef]:
    """Named graphs that hold triples, sorted."""
    return sorted(
        g.identifier for g in ds.graphs()
        if isinstance(g.identifier, URIRef) and len(g) and g.identifier != ds.default_graph.identifier
    )
