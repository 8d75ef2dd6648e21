"""What a publish sends: the store's endpoints, the graphs as N-Triples, and every HTTP request.

Planning touches no network, so `--dry-run` prints exactly the requests a real run makes.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit


from .. import formats
from ..errors import InputError
from ..quads import DEFAULT_GRAPH, Quads, ntriples
from .changes import META_GRAPH, Recorded, compare, content_hash, metadata_ntriples, metadata_patch

if TYPE_CHECKING:
    import rdflib

PROTOCOLS = ("gsp", "update")
STAGING_PREFIX = "urn:giigraph:staging:"
NTRIPLES = formats.get("nt").media_type
SPARQL_UPDATE = "application/sparql-update"
GSP_CHUNK_BYTES = 16 << 20
"""Largest Graph Store Protocol body: a bigger graph is PUT in its first chunk, then POSTed (added) chunk
by chunk, so no request meets a store's or a gateway's cap on request sizes."""
BATCH_BYTES = 1 << 20
BATCH_TRIPLES = 2000
"""Largest INSERT DATA request, in bytes and triples: Virtuoso 7's SPARQL compiler fails with "memory
exhausted" at about 5,000 triples in one INSERT DATA, whatever their size."""

_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*")


def check_iri(value: str, what: str) -> str:
    """Return `value` if it can be written as a SPARQL/N-Triples IRI, else raise InputError."""
    if not _IRI.fullmatch(value):
        raise InputError(f"{what} {value!r} is not an absolute IRI (no spaces or <>\"{{}}|^`\\ allowed)")
    return value


def check_url(value: str, what: str) -> str:
    """Return an http(s) endpoint URL; refuse credentials in it (they belong in env or netrc)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{what} {value!r} is not an http(s) URL, e.g. http://localhost:7878/store")
    if parts.username is not None or parts.password is not None:
        raise InputError(
            f"{what} must not carry credentials: set $GIIGRAPH_STORE_USER and $GIIGRAPH_STORE_PASSWORD "
            "(or $GIIGRAPH_STORE_TOKEN), or use a netrc file"
        )
    return value


@dataclass(frozen=True)
class Endpoints:
    """Where a store takes data, updates and queries (each vendor lays them out differently).

    `store` is the Graph Store Protocol endpoint (protocol "gsp") or the SPARQL Update endpoint
    (protocol "update"). With an update endpoint the graphs are staged and switched in one update;
    without a query endpoint, graphs are counted by GSP GET (gsp) or at the update URL (update).
    """

    store: str
    protocol: str = "gsp"
    update: str | None = None
    query: str | None = None

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise InputError(f"unknown protocol {self.protocol!r}; use one of: {', '.join(PROTOCOLS)}")
        check_url(self.store, "--store")
        if self.update:
            check_url(self.update, "--update-endpoint")
        if self.query:
            check_url(self.query, "--query-endpoint")
        if self.protocol == "update" and self.update and self.update != self.store:
            raise InputError("--update-endpoint is for --protocol gsp; with update, --store is the update endpoint")

    @property
    def update_url(self) -> str | None:
        """The SPARQL Update endpoint, if any: staging and the atomic switch need it."""
        return self.store if self.protocol == "update" else self.update

    @property
    def urls(self) -> tuple[str, ...]:
        """Every endpoint a publish may talk to: the store, then the update and query endpoints."""
        return tuple(u for u in (self.store, self.update_url, self.query_url) if u)

    @property
    def query_url(self) -> str | None:
        """The SPARQL query endpoint used for counting, if any (else counts come from GSP GET)."""
        return self.query or (self.store if self.protocol == "update" else None)


@dataclass(frozen=True)
class Request:
    """One HTTP request of a publish, as sent and as `--dry-run` shows it."""

    method: str
    url: str
    params: tuple[tuple[str, str], ...] = ()
    content_type: str | None = None
    body: bytes = b""
    summary: str = ""
    missing_ok: bool = False
    """A 404 answer is success too (deleting a graph that may not exist)."""

    def describe(self) -> str:
        """One line: method, URL with its query, media type, size and what it carries."""
        query = "&".join(f"{k}={quote(v, safe=':/')}" for k, v in self.params)
        target = f"{self.url}{'&' if '?' in self.url else '?'}{query}" if query else self.url
        body = f" ({self.content_type}, {len(self.body):,} bytes)" if self.body else ""
        return f"{self.method} {target}{body}" + (f"  # {self.summary}" if self.summary else "")


@dataclass(frozen=True)
class GraphUpload:
    """One named graph to publish: its IRI on the store, where it is staged, and its triples."""

    target: str
    ntriples: bytes
    triples: int
    staging: str | None = None

    @property
    def landing(self) -> str:
        """The graph the upload writes to: the staging graph if staged, else the target."""
        return self.staging or self.target

    @property
    def sha256(self) -> str:
        """The content hash `--changed` records: of the graph's sorted N-Quads lines (each N-Triples
        line ends in " .\n", and nowhere else: a literal's line break is escaped)."""
        return content_hash(self.ntriples.replace(b" .\n", f" <{self.target}> .\n".encode()))


@dataclass(frozen=True)
class Plan:
    """Everything a publish sends, in order: a prelude (direct mode: invalidate the metadata graph),
    uploads per graph, then the one switching update. With --changed, `graphs` are the graphs sent
    (and the metadata graph, last), `kept` the graphs left as they are, `dropped` those removed."""

    endpoints: Endpoints
    graphs: tuple[GraphUpload, ...]
    uploads: tuple[tuple[Request, ...], ...]
    commit: Request | None
    prelude: tuple[Request, ...] = ()
    changed: bool = False
    kept: tuple[tuple[str, int], ...] = ()
    dropped: tuple[str, ...] = ()
    patched: int | None = None
    """The triples of the metadata graph when the switching update patches it in place (not sent)."""

    @property
    def untouched(self) -> tuple[tuple[str, int], ...]:
        """Graphs not sent and the triples they must hold: the kept ones, 0 in the dropped ones, and the
        metadata graph when it is patched."""
        patched = () if self.patched is None else ((META_GRAPH, self.patched),)
        return self.kept + tuple((iri, 0) for iri in self.dropped) + patched

    @property
    def staged(self) -> bool:
        return self.commit is not None

    @property
    def upload_bytes(self) -> int:
        return sum(len(r.body) for reqs in self.uploads for r in reqs)

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)


def staging_iri(target: str) -> str:
    """The staging graph of `target`: fixed per target, so a re-run replaces a leftover one."""
    return STAGING_PREFIX + quote(target, safe=":/@!$&'()*+,;=-._~")


def _parts(quads: Quads, graph: str | None) -> list[tuple[str, set]]:
    """The graphs to publish: the data's named graphs, or all of it merged into `graph`."""
    if graph is not None:
        parts = [(check_iri(graph, "--graph"), quads.union())]
    else:
        loose = len(quads.graphs.get(DEFAULT_GRAPH, ()))
        if loose:
            raise InputError(f"the data has {loose:,} triples outside named graphs; give --graph IRI to publish "
                             "everything into one named graph")
        parts = [(check_iri(name, "graph name"), quads.graphs[name]) for name in quads.names()]
    if not any(triples for _, triples in parts):
        raise InputError("there are no triples to publish")
    return parts


def _upload(iri: str, triples: set, staged: bool) -> GraphUpload:
    return GraphUpload(iri, ntriples(triples), len(triples), staging_iri(iri) if staged else None)


def graph_uploads(data: Quads | rdflib.Dataset, graph: str | None = None,
                  staged: bool = False) -> tuple[GraphUpload, ...]:
    """The data's named graphs (or all of it merged into `graph`) as N-Triples uploads."""
    quads = data if isinstance(data, Quads) else Quads.from_rdflib(data)
    return tuple(_upload(iri, triples, staged) for iri, triples in _parts(quads, graph))


def _chunks(ntriples: bytes, max_bytes: int, max_lines: int | None = None) -> list[bytes]:
    """N-Triples cut at line ends into pieces of at most `max_bytes` (and `max_lines`) each."""
    pieces: list[list[bytes]] = [[]]
    size = 0
    for line in ntriples.splitlines(keepends=True):
        current = pieces[-1]
        if current and (size + len(line) > max_bytes or (max_lines is not None and len(current) >= max_lines)):
            pieces.append(current := [])
            size = 0
        current.append(line)
        size += len(line)
    return [b"".join(lines) for lines in pieces]


def _lines(ntriples: bytes) -> int:
    return ntriples.count(b"\n")


def _gsp_put(endpoints: Endpoints, upload: GraphUpload, chunk_bytes: int) -> tuple[Request, ...]:
    """PUT the graph (replacing it); a graph above `chunk_bytes` goes as a PUT and POSTs that add."""
    into = f"staging graph of <{upload.target}>" if upload.staging else f"<{upload.target}>"
    pieces = _chunks(upload.ntriples, chunk_bytes)
    if len(pieces) == 1:
        return (Request("PUT", endpoints.store, (("graph", upload.landing),), NTRIPLES, upload.ntriples,
                        f"{upload.triples:,} triples into {into}"),)
    return tuple(Request("PUT" if n == 1 else "POST", endpoints.store, (("graph", upload.landing),), NTRIPLES,
                         piece, f"chunk {n}/{len(pieces)}: {_lines(piece):,} triples into {into}")
                 for n, piece in enumerate(pieces, 1))


def _insert_data(endpoints: Endpoints, upload: GraphUpload, batch_bytes: int) -> tuple[Request, ...]:
    """DROP SILENT the staging graph, then INSERT DATA in batches of whole lines (idempotent)."""
    batches = _chunks(upload.ntriples, batch_bytes, BATCH_TRIPLES)
    requests = []
    for n, lines in enumerate(batches, 1):
        head = f"DROP SILENT GRAPH <{upload.landing}> ;\n" if n == 1 else ""
        body = f"{head}INSERT DATA {{ GRAPH <{upload.landing}> {{\n".encode() + lines + b"} }\n"
        requests.append(Request("POST", endpoints.store, (), SPARQL_UPDATE, body,
                                f"batch {n}/{len(batches)}: {_lines(lines):,} triples into staging graph "
                                f"of <{upload.target}>"))
    return tuple(requests)


def switch_update(graphs: tuple[GraphUpload, ...], drop: tuple[str, ...] = (), then: tuple[str, ...] = ()) -> str:
    """One SPARQL Update moving every staging graph onto its target, dropping `drop`, then the operations
    `then`: one transaction on the store."""
    steps = [f"MOVE GRAPH <{g.staging}> TO GRAPH <{g.target}>" for g in graphs]
    return " ;\n".join(steps + [f"DROP SILENT GRAPH <{iri}>" for iri in drop] + list(then)) + "\n"


def _delete(endpoints: Endpoints, iri: str, why: str) -> Request:
    return Request("DELETE", endpoints.store, (("graph", iri),), summary=why, missing_ok=True)


PATCH_GRAPHS = 100
"""Up to this many graphs sent or dropped, a staged --changed publish patches the metadata graph in its
switching update; more, and the whole metadata graph is sent and moved like the others."""


def make_plan(dataset: Quads | rdflib.Dataset, endpoints: Endpoints, graph: str | None = None,
              chunk_bytes: int | None = None, recorded: Mapping[str, Recorded] | None = None,
              patchable: bool = False) -> Plan:
    """Every request that publishing `dataset` to `endpoints` sends, in order; no request body above
    `chunk_bytes` (default GSP_CHUNK_BYTES, BATCH_BYTES with SPARQL Update) unless one line is.
    With `recorded` (what the store's metadata graph says, --changed) only new or changed graphs are
    sent, graphs recorded but gone are dropped, and the metadata graph is rewritten (`patchable`: the
    store's metadata graph holds exactly what giigraph wrote for `recorded`, so a staged publish patches
    the entries that change in its switching update); without it the metadata graph is removed (its
    hashes would no longer be true)."""
    staged = endpoints.update_url is not None
    quads = dataset if isinstance(dataset, Quads) else Quads.from_rdflib(dataset)
    parts = _parts(quads, graph)
    prelude: tuple[Request, ...] = ()
    kept: tuple[tuple[str, int], ...] = ()
    dropped: tuple[str, ...] = ()
    patch: tuple[str, ...] = ()
    patched = None
    if recorded is None:
        graphs = tuple(_upload(iri, triples, staged) for iri, triples in parts)
        drop = (META_GRAPH,)
        if not staged:
            prelude = (_delete(endpoints, META_GRAPH, "remove the metadata graph of --changed (no longer true)"),)
    else:
        # the named graphs' hashes are cut from the sorted N-Quads lines validation made, not serialised again
        digests = quads.graph_digests() if graph is None else None
        made = {} if digests else {iri: _upload(iri, triples, staged) for iri, triples in parts}
        meta = ({iri: Recorded(*digests[iri]) for iri, _ in parts} if digests else
                {iri: Recorded(u.sha256, u.triples) for iri, u in made.items()})
        changes = compare({iri: rec.sha256 for iri, rec in meta.items()}, recorded)
        kept = tuple((iri, rec.triples) for iri, rec in meta.items() if iri not in changes.sent)
        dropped = drop = changes.dropped
        sent = tuple(made.get(iri) or _upload(iri, triples, staged) for iri, triples in parts if iri in changes.sent)
        graphs = ()
        if (sent or dropped) and staged and patchable and len(sent) + len(dropped) <= PATCH_GRAPHS:
            graphs = sent
            patch = tuple(metadata_patch(recorded, meta, [g.target for g in sent] + list(dropped)))
            patched = metadata_ntriples(meta).count(b"\n")
        elif sent or dropped:
            body = metadata_ntriples(meta)
            graphs = sent + (GraphUpload(META_GRAPH, body, body.count(b"\n"), staging_iri(META_GRAPH) if staged else None),)
            if not staged:  # first forget the hashes of what is about to change, so a break never leaves a lie
                still = metadata_ntriples({iri: meta[iri] for iri, _ in kept})
                prelude = (_gsp_put(endpoints, GraphUpload(META_GRAPH, still, still.count(b"\n")),
                                    chunk_bytes or GSP_CHUNK_BYTES) if kept else
                           (_delete(endpoints, META_GRAPH, "remove the metadata graph"),))
    if endpoints.protocol == "update":
        uploads = tuple(_insert_data(endpoints, g, chunk_bytes or BATCH_BYTES) for g in graphs)
    else:
        uploads = tuple(_gsp_put(endpoints, g, chunk_bytes or GSP_CHUNK_BYTES) for g in graphs)
    if dropped and not staged:  # direct: drop the removed graphs before the metadata graph is written
        uploads = uploads[:-1] + (tuple(_delete(endpoints, iri, "drop: no longer in the data") for iri in dropped)
                                  + uploads[-1],)
    commit = None
    if staged and (graphs or patch or recorded is None):
        commit = Request("POST", endpoints.update_url, (), SPARQL_UPDATE, switch_update(graphs, drop, patch).encode(),
                         f"switch {len(graphs)} staged graph(s) into place in one update"
                         + (", patching the metadata graph" if patch else ""))
    return Plan(endpoints, graphs, uploads, commit, prelude, recorded is not None, kept, dropped, patched)
