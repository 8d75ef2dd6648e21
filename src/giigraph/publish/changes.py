"""Incremental publish (`--changed`): which graphs differ from what the store holds, by content hash.

`giigraph publish --changed` keeps, on the store, the named graph `urn:giigraph:published`: for every
graph it published, the SHA-256 of the graph's sorted N-Quads lines (the N-Triples it uploaded, each
line with the graph's IRI) and its triple count, in the vocabulary the VoID/DCAT description of `dist/` uses:

    <G> spdx:checksum <urn:giigraph:sha256:HEX> ; void:triples N .
    <urn:giigraph:sha256:HEX> a spdx:Checksum ; spdx:algorithm spdx:checksumAlgorithm_sha256 ;
        spdx:checksumValue "HEX"^^xsd:hexBinary .

A graph whose hash is recorded and equal is kept; one that is new or differs is sent; a graph recorded
there but no longer in the data is dropped (only graphs giigraph recorded are ever dropped). A publish
without `--changed` removes the metadata graph, so hashes of data it did not record are never trusted.
A staged publish patches the metadata graph inside its switching update (`metadata_patch`) when the
store holds exactly what giigraph wrote there; otherwise it sends the whole graph again.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph

from ..namespaces import RDF, SPDX, VOID, XSD

META_GRAPH = "urn:giigraph:published"
CHECKSUM_PREFIX = "urn:giigraph:sha256:"


@dataclass(frozen=True)
class Recorded:
    """What the metadata graph says the store holds in one graph."""

    sha256: str
    triples: int


def content_hash(nquads: bytes) -> str:
    """The SHA-256 of a graph's sorted N-Quads lines, in hex: what `--changed` compares."""
    return hashlib.sha256(nquads).hexdigest()


def metadata_ntriples(graphs: Mapping[str, Recorded]) -> bytes:
    """The metadata graph for `graphs` as sorted N-Triples (a checksum node is shared by equal graphs)."""
    lines = set()
    for target, rec in graphs.items():
        node = f"<{CHECKSUM_PREFIX}{rec.sha256}>"
        lines |= {f"<{target}> <{SPDX.checksum}> {node} .",
                  f'<{target}> <{VOID.triples}> "{rec.triples}"^^<{XSD.integer}> .',
                  f"{node} <{RDF.type}> <{SPDX.Checksum}> .",
                  f"{node} <{SPDX.algorithm}> <{SPDX.checksumAlgorithm_sha256}> .",
                  f'{node} <{SPDX.checksumValue}> "{rec.sha256}"^^<{XSD.hexBinary}> .'}
    return "".join(line + "\n" for line in sorted(lines)).encode()


def parse_metadata(triples: Iterable[pyoxigraph.Triple]) -> dict[str, Recorded]:
    """The graphs the metadata graph records; an entry without hash or count is left out (sent again)."""
    checksum: dict[str, str] = {}
    value: dict[str, str] = {}
    count: dict[str, int] = {}
    for t in triples:
        subject, predicate = t.subject.value, t.predicate.value
        if predicate == SPDX.checksum:
            checksum[subject] = t.object.value
        elif predicate == SPDX.checksumValue:
            value[subject] = t.object.value.lower()
        elif predicate == VOID.triples:
            try:
                count[subject] = int(t.object.value)
            except ValueError:
                continue
    return {g: Recorded(value[node], count[g]) for g, node in checksum.items() if node in value and g in count}


def holds_exactly(triples: Iterable[pyoxigraph.Triple], graphs: Mapping[str, Recorded]) -> bool:
    """Whether the store's metadata graph (`triples`) is exactly what giigraph writes for `graphs`, so
    that it can be patched in place rather than rewritten."""
    written = pyoxigraph.parse(metadata_ntriples(graphs), pyoxigraph.RdfFormat.N_TRIPLES)
    return {str(t) for t in triples} == {str(t) for t in written}  # strings: hashing terms is slower


def metadata_patch(recorded: Mapping[str, Recorded], current: Mapping[str, Recorded], touched: Iterable[str]) -> list[str]:
    """SPARQL Update operations that turn the metadata graph recording `recorded` into the one recording
    `current`, rewriting only the entries of the `touched` graphs (sent or dropped); a checksum node is
    removed only when no graph uses it any more."""
    touched = sorted(touched)
    steps = [f"DELETE {{ GRAPH <{META_GRAPH}> {{ <{g}> ?p ?o }} }} WHERE {{ GRAPH <{META_GRAPH}> {{ <{g}> ?p ?o }} }}"
             for g in touched if g in recorded]
    used = {rec.sha256 for rec in current.values()}
    for sha in sorted({recorded[g].sha256 for g in touched if g in recorded} - used):
        node = f"<{CHECKSUM_PREFIX}{sha}>"
        steps.append(f"DELETE {{ GRAPH <{META_GRAPH}> {{ {node} ?p ?o }} }} WHERE {{ GRAPH <{META_GRAPH}> {{ {node} ?p ?o }} }}")
    added = metadata_ntriples({g: current[g] for g in touched if g in current})
    if added:
        steps.append(f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{\n{added.decode()}}} }}")
    return steps


@dataclass(frozen=True)
class Changes:
    """The graphs to send (new or changed), to keep (same hash) and to drop (recorded, no longer in the data)."""

    sent: frozenset[str]
    kept: tuple[str, ...]
    dropped: tuple[str, ...]


def compare(current: Mapping[str, str], recorded: Mapping[str, Recorded]) -> Changes:
    """Compare the data's graphs (IRI -> SHA-256) with what the store's metadata records."""
    sent = frozenset(g for g, sha in current.items() if (rec := recorded.get(g)) is None or rec.sha256 != sha)
    return Changes(sent, tuple(g for g in current if g not in sent),
                   tuple(sorted(g for g in recorded if g not in current)))
