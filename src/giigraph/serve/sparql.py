"""The SPARQL 1.1 Protocol endpoint's HTTP layer: read the request, negotiate, hand over to a worker.

GET `?query=`, POST `application/x-www-form-urlencoded` and POST `application/sparql-query` are
accepted, with `default-graph-uri` / `named-graph-uri`; the result format is negotiated per query
form against what `giigraph.query`'s writers can write for it (SELECT: the W3C results formats; ASK:
JSON and XML; CONSTRUCT/DESCRIBE: the triple formats of `formats.py`, and `text/n3` answered with
Turtle, which is N3), and a `format=` the endpoint knows overrides Accept (an unknown or empty one
is ignored, as SPARQLWrapper's `format=n3` expects). Parameters are decoded strictly: percent-escapes
that are not UTF-8 are a 400, never a query with U+FFFD in it. Updates are refused (403) whichever
way they come; what a query may read is checked by `giigraph.query` in the worker.
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from functools import lru_cache, wraps
from urllib.parse import parse_qsl

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, VOID
from starlette.datastructures import MultiDict
from starlette.exceptions import HTTPException
from starlette.requests import Request

from .. import formats
from ..errors import InputError, NotAcceptable, QueryRefused
from ..query.parse import QueryDataset
from ..query.results import FORMS, GRAPH_FORMS
from ..query.writers import formats_for
from .conneg import negotiate
from .workers import Job

HTML = "text/html"
N3 = "text/n3"  # Turtle is N3: a client asking for N3 gets Turtle
RESULTS_PREFERENCE = ("json", "xml", "csv", "tsv")  # breaks ties, so `*/*` gets SPARQL JSON


def _offers(form: str) -> dict[str, str]:
    """Media type -> format name for a `form` query's result, in the endpoint's order of preference."""
    if form in GRAPH_FORMS:  # a graph result has no named graphs: the triple formats
        offers = {f.media_type: f.name for f in formats.FORMATS if not f.quads and f.name in formats_for(form)}
        return {**offers, "application/json": "jsonld", N3: "turtle", HTML: HTML}
    names = [n for n in RESULTS_PREFERENCE if n in formats_for(form)]
    return {**{formats.get_results(n).media_type: n for n in names},
            "application/json": "json", "application/xml": "xml", HTML: HTML}


OFFERS: dict[str, dict[str, str]] = {form: _offers(form) for form in FORMS}
#: `?format=` values: short names of results formats, `html`, a media type, or a format of the registry.
FORMAT_PARAM: dict[str, str] = {
    "json": "application/sparql-results+json, application/ld+json",
    "xml": "application/sparql-results+xml, application/rdf+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "html": HTML,
    "n3": N3,
}


@dataclass(frozen=True)
class ProtocolRequest:
    query: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    accept: str | None


async def read_request(request: Request, max_bytes: int, body_timeout: float) -> ProtocolRequest:
    """The protocol operation in a GET or POST; HTTP errors for wrong media types, sizes or a slow body."""
    params = MultiDict(_parameters(request.scope["query_string"], "the query string"))
    query: list[str] = []
    if request.method == "POST":
        content_type, *type_params = (p.strip().lower() for p in request.headers.get("content-type", "").split(";"))
        if any(p.startswith("charset=") and p not in ("charset=utf-8", 'charset="utf-8"') for p in type_params):
            raise HTTPException(415, "send the request in UTF-8 (SPARQL 1.1 Protocol)")
        body = await _read_body(request, max_bytes, body_timeout)
        if content_type == "application/x-www-form-urlencoded":
            params = MultiDict([*params.multi_items(), *_parameters(body, "the form body")])
            if "query" not in params and "update" not in params:
                raise InputError("the form has no query parameter")
        elif content_type == "application/sparql-query":
            try:
                query = [body.decode("utf-8")]
            except UnicodeDecodeError:
                raise InputError("the query is not UTF-8") from None
        elif content_type == "application/sparql-update":
            raise QueryRefused("SPARQL Update is not allowed: this endpoint is read-only")
        else:
            raise HTTPException(415, "POST a query as application/x-www-form-urlencoded or application/sparql-query")
    if "update" in params:
        raise QueryRefused("SPARQL Update is not allowed: this endpoint is read-only")
    query += params.getlist("query")
    if len(query) > 1:
        raise InputError("give exactly one query")
    if query and len(query[0].encode("utf-8")) > max_bytes:
        raise HTTPException(413, f"the query is longer than {max_bytes} bytes")
    default_graphs = tuple(params.getlist("default-graph-uri"))
    named_graphs = tuple(params.getlist("named-graph-uri"))
    accept = _format_param(params.get("format", "")) or request.headers.get("accept")
    return ProtocolRequest(query[0] if query else None, default_graphs, named_graphs, accept)


def _memo_short(max_length: int, size: int = 256):
    """Memoise a pure function of one string (and constants) for arguments up to `max_length`
    long: clients repeat their queries and Accept headers; a long one is computed each time, so
    the memory held stays bounded."""
    def wrap(function):
        memo = lru_cache(maxsize=size)(function)

        @wraps(function)
        def call(key, *rest):
            return memo(key, *rest) if len(key or "") <= max_length else function(key, *rest)
        return call
    return wrap


@_memo_short(16 * 1024)  # decoding a query's percent-escapes in Python takes about 0.1 ms
def _parameters(encoded: bytes, where: str) -> tuple[tuple[str, str], ...]:
    """`application/x-www-form-urlencoded` pairs, decoded strictly (bad UTF-8 is an InputError)."""
    try:
        return tuple(parse_qsl(encoded.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict"))
    except UnicodeDecodeError:
        raise InputError(f"{where} has bytes or percent-escapes that are not UTF-8") from None


def _format_param(value: str) -> str | None:
    """The Accept header a `format=` value stands for; None (use Accept) if the endpoint does not know it.

    Short names of results formats, `html`, `n3`, a media type (SPARQLWrapper sends those), or a format
    of the registry."""
    fmt = value.strip().lower()
    if fmt in FORMAT_PARAM:
        return FORMAT_PARAM[fmt]
    if "/" in fmt:
        return fmt
    try:
        return formats.get(fmt).media_type
    except InputError:
        return None


async def _read_body(request: Request, max_bytes: int, timeout: float) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise HTTPException(413, f"the request body is larger than {max_bytes} bytes")
    chunks, size = [], 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > max_bytes:
                    raise HTTPException(413, f"the request body is larger than {max_bytes} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise HTTPException(408, f"the request body did not arrive within {timeout:g} s") from None
    return b"".join(chunks)


def job_for(req: ProtocolRequest) -> tuple[Job, frozenset[str]]:
    """The worker's job, and the query forms for which the client prefers an HTML page (the
    worker then writes JSON results or Turtle for the page). Raises InputError on a bad Accept."""
    chosen, html = _formats_for(req.accept)
    dataset = QueryDataset(tuple(map(URIRef, req.default_graphs)), tuple(map(URIRef, req.named_graphs)))
    return Job(req.query or "", chosen, dataset), html


@_memo_short(1024)  # four negotiations
def _formats_for(accept: str | None) -> tuple[dict[str, str | None], frozenset[str]]:
    """For each query form, the format to answer in; and the forms to show as an HTML page."""
    chosen = {form: _choose(accept, OFFERS[form]) for form in FORMS}
    html = frozenset(form for form, fmt in chosen.items() if fmt == HTML)
    for form in html:
        chosen[form] = "turtle" if form in GRAPH_FORMS else "json"
    return chosen, html  # shared by the jobs of the same Accept: read, never changed


def _choose(accept: str | None, offers: dict[str, str]) -> str | None:
    try:
        return negotiate(accept, offers)[1]
    except NotAcceptable:
        return None


def media_type(form: str, fmt: str) -> str:
    """The Content-Type of a `form` query's result written in format `fmt`."""
    return (formats.get(fmt) if form in GRAPH_FORMS else formats.get_results(fmt)).media_type


def table(body: bytes) -> dict:
    """SPARQL JSON results as a table for the HTML page."""
    data = json.loads(body)
    if "boolean" in data:
        return {"boolean": data["boolean"]}
    return {"vars": data["head"]["vars"],
            "rows": [[row.get(v) for v in data["head"]["vars"]] for row in data["results"]["bindings"]]}


OFFERS_BY_FORM = {form: list(offers) for form, offers in OFFERS.items()}

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
W3C_FORMATS = Namespace("http://www.w3.org/ns/formats/")
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "JSON-LD", "N-Triples", "RDF_XML")


def service_description(endpoint: str, graph_names: frozenset[str]) -> Graph:
    """SPARQL 1.1 Service Description, returned by GET on the endpoint without a query."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    service, dataset = URIRef(endpoint), URIRef(f"{endpoint}#dataset")
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    for name in RESULT_FORMATS:
        g.add((service, SD.resultFormat, W3C_FORMATS[name]))
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    for name in sorted(graph_names):
        named = URIRef(f"{name}#sd")
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
        g.add((named, SD.graph, URIRef(f"{name}#void")))  # the VoID subset with its triple count
    return g
