"""Reading back from the store: triples per graph, to prove what arrived equals what was sent, and
the metadata graph `--changed` compares with.

With a SPARQL query endpoint: one COUNT query for all graphs. Without one (plain Graph Store
Protocol): GET each graph and count what comes back.
"""
from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

import pyoxigraph

from .. import formats
from ..errors import PublishError
from .changes import META_GRAPH, Recorded, holds_exactly, parse_metadata
from .client import StoreClient
from .plan import Endpoints, Request

FORM = "application/x-www-form-urlencoded"
SPARQL_JSON = "application/sparql-results+json"
GRAPH_ACCEPT = f"{formats.get('nt').media_type}, {formats.get('turtle').media_type};q=0.9"


LISTED_GRAPHS = 32
"""Up to this many graphs are counted by a query listing them; more by one query counting every graph of
the store (the rows of other graphs are ignored): Virtuoso 7 takes about 20 s over a list of 2,107
graphs holding 1.1M triples, and 0.3 s to count every graph."""


def count_query(iris: Sequence[str]) -> str:
    """SELECT the number of triples of each graph; graphs that do not exist give no row."""
    if len(iris) > LISTED_GRAPHS:
        return "SELECT ?g (COUNT(*) AS ?n) WHERE {\n  GRAPH ?g { ?s ?p ?o }\n} GROUP BY ?g\n"
    values = " ".join(f"<{iri}>" for iri in iris)
    return ("SELECT ?g (COUNT(*) AS ?n) WHERE {\n"
            f"  VALUES ?g {{ {values} }}\n  GRAPH ?g {{ ?s ?p ?o }}\n}} GROUP BY ?g\n")


def count_requests(endpoints: Endpoints, iris: Sequence[str]) -> tuple[Request, ...]:
    """The requests that count `iris` on the store (shown by --dry-run, sent by count())."""
    if endpoints.query_url:
        body = urlencode({"query": count_query(iris)}).encode()
        return (Request("POST", endpoints.query_url, (), FORM, body,
                        f"count the triples of {len(iris)} graph(s)"),)
    return tuple(Request("GET", endpoints.store, (("graph", iri),), summary=f"count the triples of <{iri}>")
                 for iri in iris)


def _parse_counts(request: Request, payload: object, iris: Sequence[str]) -> dict[str, int]:
    counts = dict.fromkeys(iris, 0)
    try:
        for row in payload["results"]["bindings"]:  # type: ignore[index]
            if (iri := row["g"]["value"]) in counts:
                counts[iri] = int(row["n"]["value"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PublishError(f"POST {request.url}: the count query's answer is not SPARQL JSON results ({exc})") from None
    return counts


def fetch_graph(client: StoreClient, request: Request, retries: int | None = None) -> list[pyoxigraph.Triple]:
    """The triples a GET (Graph Store Protocol) or a CONSTRUCT returns; none if the graph is absent (404)."""
    response = client.send(request, retries=retries, accept=GRAPH_ACCEPT)
    if response.status_code == 404:
        return []
    client.expect_success(request, response)
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    rdf_format = pyoxigraph.RdfFormat.from_media_type(media_type) if media_type else None
    if rdf_format is None:
        raise PublishError(f"{request.method} {request.url}: the store sent the graph as "
                           f"{media_type or 'no media type'}, which cannot be read; give --query-endpoint")
    try:
        return list(pyoxigraph.parse(response.content, rdf_format))
    except SyntaxError as exc:
        raise PublishError(f"{request.method} {request.url}: the store sent unreadable {media_type}: {exc}") from None


def count(client: StoreClient, endpoints: Endpoints, iris: Sequence[str], retries: int | None = None) -> dict[str, int]:
    """Triples in each graph of `iris` on the store (0 for a graph that does not exist)."""
    requests = count_requests(endpoints, iris)
    if endpoints.query_url:
        response = client.call(requests[0], retries=retries, accept=SPARQL_JSON)
        try:
            payload = response.json()
        except ValueError:
            raise PublishError(f"POST {requests[0].url}: the count query's answer is not JSON") from None
        return _parse_counts(requests[0], payload, iris)
    return {iri: len(set(fetch_graph(client, request, retries))) for iri, request in zip(iris, requests, strict=True)}


def metadata_request(endpoints: Endpoints) -> Request:
    """How --changed reads the metadata graph: GET from the Graph Store, else CONSTRUCT at the query endpoint."""
    if endpoints.protocol == "gsp":
        return Request("GET", endpoints.store, (("graph", META_GRAPH),), summary="read the metadata graph")
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{META_GRAPH}> {{ ?s ?p ?o }} }}"
    return Request("POST", endpoints.query_url or endpoints.store, (), FORM, urlencode({"query": query}).encode(),
                   "read the metadata graph")


def recorded(client: StoreClient, endpoints: Endpoints) -> tuple[dict[str, Recorded], bool]:
    """The graphs the store's metadata graph records, with their hashes and counts (none if it is absent),
    and whether it holds exactly what giigraph writes for them (then it may be patched in place)."""
    try:
        triples = fetch_graph(client, metadata_request(endpoints))
        graphs = parse_metadata(triples)
        return graphs, bool(graphs) and holds_exactly(triples, graphs)
    except PublishError as exc:
        raise PublishError(f"nothing was published: reading the metadata graph <{META_GRAPH}> failed: {exc}") from exc
