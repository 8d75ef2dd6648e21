"""The linked-data web application (Starlette): routes, representations, errors.

IRI policy (W3C "Cool URIs", 303 variant): a thing's IRI `/id/{kind}/{slug}` is not a document,
so it answers `303 See Other` to the document in the negotiated format, `/doc/{kind}/{slug}.{ext}`.
`/doc/{kind}/{slug}` negotiates in place (with `Content-Location`), and an extension (`.ttl`,
`.jsonld`, `.nt`, `.rdf`, `.trig`, `.nq`, `.html`) or `?format=` fixes the format. Other IRIs of
the dataset (named graphs, the dataset, the ontology, dumps) are documents and negotiate in place.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import Awaitable
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import TypeVar

from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route

from .. import formats
from ..export import VOID_FILE
from ..errors import (
    GiigraphError, InputError, NotAcceptable, QueryError, QueryOutOfMemory, QueryRefused, QueryTimeout, QueryTooLarge,
)
from ..query.engines import exact_engine
from ..query.results import GRAPH_FORMS
from ..rdfio import serialize
from ..vocab import ONTOLOGY_IRI
from . import chart_svgs, documents, sparql
from .assets import CONTENT_SECURITY_POLICY, compress, static_app
from .conneg import negotiate
from .documents import DOCUMENT_OFFERS, HTML
from .pages import Views
from .site import Site
from .workers import Limits, QueryPool

log = logging.getLogger("giigraph.serve")
T = TypeVar("T")

FILE_TYPES = {"context.jsonld": "application/ld+json", VOID_FILE: "text/turtle"}
ERROR_OFFERS = {"text/plain": "text", "text/html": "html", "application/json": "json",
                "application/sparql-results+json": "json", "application/ld+json": "json"}
STATUS = [(NotAcceptable, 406), (QueryRefused, 403), (QueryTimeout, 503), (QueryTooLarge, 422),
          (QueryOutOfMemory, 507), (QueryError, 400), (InputError, 400)]


def create_app(site: Site, limits: Limits = Limits(), workers: int = 2, max_query_bytes: int = 64 * 1024,
               body_timeout: float = 10.0) -> CommonHeaders:
    """The application serving `site`; SPARQL runs in `workers` killable processes, a request body
    must arrive within `body_timeout` seconds. Queries resolve relative IRIs against the endpoint's IRI."""
    views = Views(site)
    endpoint_iri = site.iri_for_path("sparql")
    pool = QueryPool(site.nquads, site.prefixes, sparql.OFFERS_BY_FORM, limits, workers, base=endpoint_iri,
                     engine=exact_engine("oxigraph", site.dataset))
    ranks_drawer = chart_svgs.RanksDrawer(pool)

    @lru_cache(maxsize=4096)
    def representation(iri: str, fmt: str, doc_path: str) -> tuple[bytes, str]:
        """Body and ETag of one document; the data never changes while the server runs."""
        if iri == endpoint_iri:
            body = serialize(sparql.service_description(endpoint_iri, site.graph_names), fmt)
        elif iri == ONTOLOGY_IRI:
            body = views.ontology(site.ontology, serialize(site.ontology, "jsonld")).encode() if fmt == HTML \
                else serialize(site.ontology, fmt)
        else:
            description = documents.describe(site.dataset, site.void, iri, site.graph_names)
            if fmt == HTML:
                body = views.resource(iri, description, doc_path, serialize(description, "jsonld")).encode()
            else:
                body = serialize(description, fmt)
        return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'

    def chosen_format(request: Request, offers: dict[str, str] = DOCUMENT_OFFERS) -> str:
        if "format" in request.query_params:
            return documents.format_param(request.query_params["format"])
        return negotiate(request.headers.get("accept"), offers)[1]

    def document(request: Request, iri: str, doc_path: str, fmt: str | None,
                 offers: dict[str, str] = DOCUMENT_OFFERS) -> Response:
        negotiated = fmt is None
        fmt = fmt or chosen_format(request, offers)
        body, etag = representation(iri, fmt, doc_path)
        headers = {"Link": documents.link_header(doc_path), "ETag": etag,
                   "Cache-Control": "public, max-age=300"}
        if negotiated:
            headers["Vary"] = "Accept"
            headers["Content-Location"] = f"{doc_path}.{documents.extension(fmt)}"
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=documents.media_type(fmt), headers=headers)

    # --- routes ----------------------------------------------------------------------------------------
    async def home(request: Request) -> Response:
        fmt = chosen_format(request, {"text/html": HTML, **DOCUMENT_OFFERS})
        if fmt != HTML:
            return document(request, site.dataset_iri, "/dataset", fmt)
        return html_response(views.home(str(request.base_url)), link=documents.link_header("/dataset"))

    async def thing(request: Request) -> Response:
        path = request.path_params["path"]
        stem, fmt = documents.split_extension(path)
        if site.iri_for_path(f"id/{path}") in site.known:
            stem, fmt = path, None
        elif fmt is None or site.iri_for_path(f"id/{stem}") not in site.known:
            raise HTTPException(404, f"{site.iri_for_path(f'id/{path}')} is not a resource of this dataset")
        fmt = fmt or chosen_format(request)
        return RedirectResponse(f"/doc/{stem}.{documents.extension(fmt)}", status_code=303,
                                headers={"Vary": "Accept"})

    async def doc(request: Request) -> Response:
        stem, fmt = documents.split_extension(request.path_params["path"])
        iri = site.iri_for_path(f"id/{stem}")
        if iri not in site.known:
            raise HTTPException(404, f"there is no document about {iri}")
        return document(request, iri, f"/doc/{stem}", fmt)

    async def other(request: Request) -> Response:
        """Any other IRI of the dataset under the base: the dataset, named graphs, ..."""
        stem, fmt = documents.split_extension(request.path_params["path"])
        iri = site.iri_for_path(stem)
        if iri not in site.known:
            raise HTTPException(404, f"{site.iri_for_path(request.path_params['path'])} is not a resource of this dataset")
        return document(request, iri, f"/{stem}", fmt)

    async def ontology(request: Request) -> Response:
        fmt = documents.EXTENSIONS.get(request.path_params.get("ext", ""))
        if "ext" in request.path_params and fmt is None:
            raise HTTPException(404, "no such ontology document")
        return document(request, ONTOLOGY_IRI, "/ontology", fmt)

    async def void(request: Request) -> Response:
        """The VoID/DCAT description byte for byte as `giigraph build` writes it (dist/void.ttl)."""
        return Response(site.files[VOID_FILE], media_type=FILE_TYPES[VOID_FILE],
                        headers={"Link": '</dataset>; rel="alternate"'})

    async def dumps_index(request: Request) -> Response:
        return html_response(views.render("dumps.html", title="Downloads"))

    async def dump_file(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in site.files:
            raise HTTPException(404, f"no file {name} in the downloads")
        media_type = FILE_TYPES.get(name) or formats.from_path(name).media_type
        link = ", ".join(f'</dumps/{f.filename}>; rel="alternate"; type="{f.media_type}"' for f in formats.FORMATS)
        return Response(site.files[name], media_type=media_type, headers={"Link": link})

    async def chart(request: Request) -> Response:
        """The charts `giigraph build` draws (dist/charts/), shown by pages when JavaScript is off."""
        name = f"charts/{request.path_params['name']}"
        if name not in site.files:
            raise HTTPException(404, f"no chart {request.path_params['name']}")
        return Response(site.files[name], media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=300"})

    async def cluster_ranks_chart(request: Request) -> Response:
        """A cluster's ranks chart, drawn on first request (see chart_svgs), for its page without JavaScript."""
        iri = site.iri_for_path(request.path_params["path"])
        if iri not in site.known or not site.has_ranks(iri):
            raise HTTPException(404, f"{iri} is not a cluster with ranks")
        body, etag = await unless_disconnected(request, ranks_drawer.svg(iri))
        headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="image/svg+xml", headers=headers)

    async def endpoint(request: Request) -> Response:
        req = await sparql.read_request(request, max_query_bytes, body_timeout)
        if req.query is None:  # people get the query form, programs the service description
            fmt = chosen_format(request)
            if fmt == HTML:
                return html_response(views.render("sparql.html", title="SPARQL endpoint", query=None), vary=True)
            body, _ = representation(endpoint_iri, fmt, "/sparql")
            return Response(body, media_type=documents.media_type(fmt), headers={"Vary": "Accept"})
        job, html_for = sparql.job_for(req)
        answer = await unless_disconnected(request, pool.run(job))
        if answer.form in html_for:
            shown = {"text": answer.body.decode()} if answer.form in GRAPH_FORMS else sparql.table(answer.body)
            return html_response(views.render("sparql.html", title="SPARQL results", query=req.query,
                                              result=shown), vary=True)
        return Response(answer.body, media_type=sparql.media_type(answer.form, answer.format),
                        headers={"Vary": "Accept"})

    def html_response(text: str, link: str | None = None, vary: bool = False) -> Response:
        headers = {"Vary": "Accept"} if vary or link else {}
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        if link:
            headers["Link"] = link
        return Response(text, media_type="text/html", headers=headers)

    # --- errors ----------------------------------------------------------------------------------------
    async def on_disconnect(request: Request, exc: Exception) -> Response:
        """The client went away (mid-body, or while its query ran): nothing to answer, nothing went wrong."""
        log.info("client disconnected: %s %s", request.method, request.url.path)
        return Response(status_code=400)

    async def on_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            status, message = exc.status_code, exc.detail
        else:
            status = next((code for cls, code in STATUS if isinstance(exc, cls)), 500)
            message = str(exc)
        if status == 500:  # logged in full here, never shown to the client
            log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
            message = "internal server error"
        headers = dict(getattr(exc, "headers", None) or {})
        if status == 503:
            headers["Retry-After"] = "5"
        if status == 405:
            headers.setdefault("Allow", "GET, HEAD" if request.url.path != "/sparql" else "GET, HEAD, POST")
        return error_response(request, status, message, headers)

    def error_response(request: Request, status: int, message: str, headers: dict) -> Response:
        try:
            kind = negotiate(request.headers.get("accept"), ERROR_OFFERS)[1]
        except GiigraphError:
            kind = "text"
        if kind == "json":
            return Response(json.dumps({"status": status, "message": message}), status_code=status,
                            media_type="application/json", headers=headers)
        if kind == "html" and request.method != "HEAD":
            title = {404: "Not found", 406: "Not acceptable"}.get(status, "Error")
            page = views.render("error.html", title=title, status=status, message=message)
            return Response(page, status_code=status, media_type="text/html", headers=headers)
        return Response(message + "\n", status_code=status, media_type="text/plain", headers=headers)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        await pool.start()
        try:
            yield
        finally:
            await pool.close()

    routes = [
        Route("/sparql", endpoint, methods=["GET", "HEAD", "POST"]),  # first: the most asked path
        Route("/", home),
        Route("/id/{path:path}", thing),
        Route("/doc/{path:path}", doc),
        Route("/ontology", ontology),
        Route("/ontology.{ext}", ontology),
        Route("/dumps/", dumps_index),
        Route("/dumps/{name}", dump_file),
        Route("/.well-known/void", void),
        Route(chart_svgs.PREFIX + "{path:path}.svg", cluster_ranks_chart),
        Route("/charts/{name}", chart),
        Mount("/static", static_app(), name="static"),
        Route("/{path:path}", other),
    ]
    handlers = {Exception: on_error, HTTPException: on_error, GiigraphError: on_error, ClientDisconnect: on_disconnect}
    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)
    compress(app)
    app.state.site, app.state.pool = site, pool
    return CommonHeaders(app, licence=site.licence)


async def unless_disconnected(request: Request, work: Awaitable[T]) -> T:
    """Await `work` in this task; if the client hangs up first, cancel it (a query's worker is killed)
    and raise ClientDisconnect. uvicorn tells a handler by a `http.disconnect` message on `receive`."""
    task = asyncio.current_task()
    watch = asyncio.ensure_future(_disconnected(request))
    waiting = True

    def hung_up(watch: asyncio.Task) -> None:
        if waiting and not watch.cancelled():
            watch.exception()  # retrieved: a receive that failed is a client gone too
            task.cancel()

    watch.add_done_callback(hung_up)
    try:
        return await work
    except asyncio.CancelledError:
        if not watch.done() or watch.cancelled():
            raise  # cancelled from elsewhere (the server stopping)
        task.uncancel()
        raise ClientDisconnect from None
    finally:
        waiting = False
        watch.cancel()


async def _disconnected(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


CORS_MAX_AGE = "86400"


class CommonHeaders:
    """The outermost layer, so every response has them, a 500 too: the licence as a `Link`, CORS
    for read-only public data (any origin; preflights answered here for every path), nosniff."""

    def __init__(self, app: Starlette, licence: str) -> None:
        self.app, self.link = app, f'<{licence}>; rel="license"'
        self.state = app.state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["method"] == "OPTIONS":
            return await self._options(scope, send)

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                link = headers.get("link")
                headers["Link"] = f"{link}, {self.link}" if link else self.link
                headers.setdefault("Access-Control-Allow-Origin", "*")
                headers.setdefault("Access-Control-Expose-Headers", "Link, Content-Location, Vary")
                headers.setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _options(self, scope, send) -> None:
        """A CORS preflight (or a plain OPTIONS): which methods and headers a page elsewhere may use."""
        methods = "GET, HEAD, POST, OPTIONS" if scope["path"] == "/sparql" else "GET, HEAD, OPTIONS"
        asked = Headers(scope=scope).get("access-control-request-headers", "")
        headers = [("Allow", methods), ("Access-Control-Allow-Origin", "*"),
                   ("Access-Control-Allow-Methods", methods), ("Access-Control-Max-Age", CORS_MAX_AGE),
                   ("Link", self.link), ("Vary", "Access-Control-Request-Headers")]
        if asked and _HEADER_LIST.fullmatch(asked):  # any header may be sent: the data is public, read-only
            headers.append(("Access-Control-Allow-Headers", asked))
        await Response(status_code=204, headers=dict(headers))(scope, None, send)


_HEADER_LIST = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*")
