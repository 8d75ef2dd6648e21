"""Documents about resources: which quads describe an IRI, and their representations.

A description is every quad with the IRI as subject or object, in the named graph it comes from
(so TriG and N-Quads keep the provenance), the quads of its `#` fragments it links to (a place's
`#geometry` and `#coordinates`), plus what the VoID/DCAT description says of it and of its `#`
fragments; a named graph's IRI is described by its contents. The media types on offer come
from `formats.py`, in registry order (Turtle first, so curl's `*/*` gets Turtle), then HTML.
"""
from __future__ import annotations

from rdflib import Dataset, Graph, URIRef

from .. import formats

HTML = "html"

#: media type -> format name, for documents: every registry format, then HTML, then aliases.
DOCUMENT_OFFERS: dict[str, str] = {
    **{f.media_type: f.name for f in formats.FORMATS},
    "text/html": HTML,
    "application/xhtml+xml": HTML,
    "application/json": "jsonld",
}

#: file extension -> format name, for `/doc/x.ttl` and friends.
EXTENSIONS: dict[str, str] = {**{f.extension: f.name for f in formats.FORMATS}, "html": HTML}


def media_type(fmt: str) -> str:
    return "text/html" if fmt == HTML else formats.get(fmt).media_type


def extension(fmt: str) -> str:
    return "html" if fmt == HTML else formats.get(fmt).extension


def format_param(value: str) -> str:
    """`?format=` accepts `html` or any name, alias, extension or media type of the registry."""
    return HTML if value.strip().lower() in (HTML, "text/html") else formats.get(value).name


def split_extension(path: str) -> tuple[str, str | None]:
    """`doc/cluster/x.ttl` -> (`doc/cluster/x`, "turtle"); a path without a known extension is kept."""
    stem, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and ext in EXTENSIONS:
        return stem, EXTENSIONS[ext]
    return path, None


def alternates(path: str) -> list[tuple[str, str, str]]:
    """(href, media type, label) of every variant of the document at `path`."""
    variants = [(f"{path}.{f.extension}", f.media_type, f.label) for f in formats.FORMATS]
    return [(f"{path}.html", "text/html", "HTML"), *variants]


def link_header(path: str) -> str:
    return ", ".join(f'<{href}>; rel="alternate"; type="{mt}"' for href, mt, _ in alternates(path))


def describe(dataset: Dataset, void: Graph, iri: str, graph_names: frozenset[str]) -> Dataset:
    """The quads that describe `iri` (empty if the dataset does not know it)."""
    node = URIRef(iri)
    out = Dataset()
    for prefix, ns in dataset.namespaces():
        out.bind(prefix, ns, override=True, replace=True)
    fragments = set()
    for pattern in ((node, None, None, None), (None, None, node, None)):
        for s, p, o, g in dataset.quads(pattern):
            out.graph(g).add((s, p, o))
            if isinstance(o, URIRef) and str(o).startswith(iri + "#"):
                fragments.add(o)
    for fragment in fragments:  # its own parts: a place's #geometry and #coordinates
        for s, p, o, g in dataset.quads((fragment, None, None, None)):
            out.graph(g).add((s, p, o))
    if iri in graph_names:
        for triple in dataset.graph(node):
            out.graph(node).add(triple)
    for s, p, o in void:
        if s == node or o == node or str(s).startswith(iri + "#"):
            out.add((s, p, o))
    return out

