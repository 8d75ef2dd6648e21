"""The linked-data app in-process (Starlette's TestClient; SPARQL still runs in real worker processes):
every route, media type and error status."""
from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID, XSD
from starlette.testclient import TestClient

from giigraph import formats
from giigraph.query.library import bundled_queries
from giigraph.query.run import answer
from giigraph.rdfio import union
from giigraph.serve.app import create_app
from giigraph.serve.site import load_site
from giigraph.serve.workers import Limits
from giigraph.vocab import DATA_LICENSE, GEO, GII, ONTOLOGY_IRI

BASE = "https://w3id.org/giigraph/"
SHSZ = "/id/cluster/shanghai-suzhou"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
LICENCE_LINK = f'<{DATA_LICENSE}>; rel="license"'
RANKS = "SELECT DISTINCT ?cluster ?rank WHERE { ?o gii:cluster ?cluster ; gii:rank ?rank ; gii:edition report:gii-2023 } ORDER BY ?rank"


@pytest.fixture(scope="module")
def site():
    return load_site()


@pytest.fixture(scope="module")
def client(site):
    with TestClient(create_app(site, Limits(timeout=5)), follow_redirects=False) as c:
        yield c


def parse_quads(body: bytes, media_type: str) -> Dataset:
    ds = Dataset()
    ds.parse(data=body, format=formats.get(media_type).rdflib_name, publicID=BASE)
    return ds


def parse(body: bytes, media_type: str) -> Graph:
    """All triples of a response, whatever its format (named graphs merged)."""
    return union(parse_quads(body, media_type))


# --- dereferencing -------------------------------------------------------------------------------------

@pytest.mark.parametrize("accept, ext", [(BROWSER, "html"), ("*/*", "ttl"), (None, "ttl"),
                                         ("application/ld+json", "jsonld"), ("application/n-triples", "nt"),
                                         ("application/rdf+xml", "rdf"), ("application/n-quads", "nq")])
def test_thing_iri_answers_303_to_the_negotiated_document(client, accept, ext):
    r = client.get(SHSZ, headers={"Accept": accept} if accept else {})
    assert r.status_code == 303
    assert r.headers["location"] == f"/doc/cluster/shanghai-suzhou.{ext}"
    assert r.headers["vary"] == "Accept"
    assert LICENCE_LINK in r.headers["link"]


@pytest.mark.parametrize("fmt", [f for f in formats.FORMATS])
def test_every_format_of_the_registry_describes_the_cluster(client, fmt):
    r = client.get(f"/doc/cluster/shanghai-suzhou.{fmt.extension}")
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == fmt.media_type
    ds = parse(r.content, fmt.media_type)
    thing = URIRef(BASE + SHSZ[1:])
    assert (thing, RDF.type, GII.Cluster) in ds
    assert Literal("上海-苏州", lang="zh") in set(ds.objects(thing, None))
    assert any(o == thing for o in ds.objects(None, GII.cluster)), "incoming rank observations are described"
    if fmt.quads:  # provenance survives: each statement stays in its named graph
        names = {str(g.identifier) for g in parse_quads(r.content, fmt.media_type).graphs() if len(g)}
        assert {BASE + "graph/curated", BASE + "graph/source/cnipnews-2023-10-08"} <= names


def test_generic_document_negotiates_in_place(client):
    r = client.get("/doc/cluster/shanghai-suzhou", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/ld+json"
    assert r.headers["content-location"] == "/doc/cluster/shanghai-suzhou.jsonld"
    assert [v.strip() for v in r.headers["vary"].split(",")] == ["Accept", "Accept-Encoding"]  # gzipped too
    links = r.headers["link"]
    for fmt in formats.FORMATS:
        assert f'</doc/cluster/shanghai-suzhou.{fmt.extension}>; rel="alternate"; type="{fmt.media_type}"' in links
    assert LICENCE_LINK in links


def test_format_parameter_and_extensions(client):
    assert client.get(SHSZ + "?format=nt").headers["location"].endswith(".nt")
    assert client.get(SHSZ + ".ttl").headers["location"] == "/doc/cluster/shanghai-suzhou.ttl"
    r = client.get("/doc/cluster/shanghai-suzhou?format=text/turtle")
    assert r.headers["content-type"].startswith("text/turtle")
    assert client.get("/doc/cluster/shanghai-suzhou?format=nope").status_code == 400


def test_etag_gives_304(client):
    r = client.get("/doc/cluster/shanghai-suzhou.ttl")
    again = client.get("/doc/cluster/shanghai-suzhou.ttl", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize("path", ["/id/cluster/atlantis", "/doc/cluster/atlantis", "/doc/cluster/atlantis.ttl",
                                  "/id/nothing", "/no/such/thing", "/dumps/secret.txt", "/ontology.pdf",
                                  "/static/none.css"])
def test_unknown_resources_are_404(client, path):
    r = client.get(path, headers={"Accept": "*/*"})
    assert r.status_code == 404
    assert LICENCE_LINK in r.headers["link"]


def test_406_lists_what_is_available(client):
    r = client.get("/doc/cluster/shanghai-suzhou", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "text/turtle" in r.text and "application/ld+json" in r.text and "text/html" in r.text
    assert client.get(SHSZ, headers={"Accept": "image/png"}).status_code == 406


def test_malformed_accept_is_400(client):
    r = client.get(SHSZ, headers={"Accept": "text/html;q=lots"})
    assert r.status_code == 400 and "Accept" in r.text


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "POST"])
@pytest.mark.parametrize("path", ["/", SHSZ, "/doc/cluster/shanghai-suzhou.ttl", "/ontology", "/dumps/giigraph.ttl",
                                  "/.well-known/void"])
def test_read_only_routes_refuse_writes(client, method, path):
    r = client.request(method, path)
    assert r.status_code == 405
    assert "GET" in r.headers["allow"]


def test_named_graph_and_dataset_iris_dereference(client, site):
    r = client.get("/graph/source/cnipnews-2023-10-08", headers={"Accept": "application/n-quads"})
    assert r.status_code == 200
    ds = parse_quads(r.content, "application/n-quads")
    graph = URIRef(BASE + "graph/source/cnipnews-2023-10-08")
    assert len(ds.graph(graph)) == len(site.dataset.graph(graph))
    r = client.get("/dataset", headers={"Accept": "text/turtle"})
    assert (URIRef(BASE + "dataset"), RDF.type, VOID.Dataset) in parse(r.content, "text/turtle")


def test_every_iri_of_the_dataset_dereferences(client, site):
    for iri in sorted(site.known):
        path = site.href(iri)
        r = client.get(path, headers={"Accept": "text/turtle"})
        if path.startswith("/id/"):
            assert r.status_code == 303, iri
            r = client.get(r.headers["location"])
        assert r.status_code == 200, iri


# --- pages for people ---------------------------------------------------------------------------------

def test_entity_page(client):
    r = client.get("/doc/cluster/shanghai-suzhou.html")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "<h1>Shanghai-Suzhou</h1>" in page
    assert '<p class="zh" lang="zh">上海-苏州</p>' in page
    assert 'href="/id/city/suzhou"' in page and 'href="/id/economy/china"' in page       # properties link
    assert "Links to this resource" in page and "rank 5 in Global Innovation Index 2023" in page
    assert 'href="/id/passage/cnipnews-2023-10-08-p5"' in page                           # source passages
    assert f'rel="license" href="{DATA_LICENSE}"' in page and "China Intellectual Property News" in page
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    embedded = Graph().parse(data=match.group(1), format="json-ld")
    thing = URIRef(BASE + SHSZ[1:])
    assert (thing, URIRef("http://schema.org/name"), Literal("Shanghai-Suzhou", lang="en")) in embedded


def test_home_page(client, site):
    r = client.get("/", headers={"Accept": BROWSER})
    page = r.text
    assert r.status_code == 200 and "Top five S&amp;T clusters" in page
    top = re.findall(r'<li value="(\d)"><a href="(/id/cluster/[^"]+)"', page)
    assert top[0] == ("1", "/id/cluster/tokyo-yokohama") and top[4] == ("5", "/id/cluster/shanghai-suzhou")
    assert f"<strong>{site.counts['triples']:,}</strong> triples" in page
    for target in ("/sparql", "/ontology", "/dumps/giigraph.ttl", "/dumps/giigraph.nq", "/.well-known/void"):
        assert f'href="{target}"' in page
    assert client.get("/", headers={"Accept": "text/turtle"}).headers["content-type"].startswith("text/turtle")


def test_ontology_documentation_and_data(client):
    page = client.get("/ontology", headers={"Accept": BROWSER})
    assert page.status_code == 200 and 'id="Cluster"' in page.text and "科技集群" in page.text
    r = client.get("/ontology", headers={"Accept": "text/turtle"})
    onto = Graph().parse(data=r.content, format="turtle")
    assert (URIRef(ONTOLOGY_IRI), RDF.type, URIRef("http://www.w3.org/2002/07/owl#Ontology")) in onto
    assert r.headers["content-location"] == "/ontology.ttl"
    r = client.get("/ontology.jsonld")
    assert len(Graph().parse(data=r.content, format="json-ld")) == len(onto)


def test_dumps_are_the_built_files(client, site, tmp_path):
    from giigraph import build_dist

    out = tmp_path / "dist"
    for path in build_dist(out):  # the dumps under /dumps/, the charts under /charts/
        url = f"/{path.relative_to(out).as_posix()}" if path.parent.name == "charts" else f"/dumps/{path.name}"
        r = client.get(url)
        assert r.status_code == 200 and r.content == path.read_bytes(), path.name
    assert client.get("/charts/cluster-ranks.svg").headers["content-type"] == "image/svg+xml"
    assert client.get("/dumps/giigraph.trig").headers["content-type"] == "application/trig"
    assert client.get("/dumps/", headers={"Accept": BROWSER}).status_code == 200


def test_a_clusters_ranks_chart_is_drawn_from_the_endpoints_answer(client, site):
    from giigraph.charts import CLUSTER_RANKS, svg

    tokyo = "/id/cluster/tokyo-yokohama"
    page = client.get("/doc/cluster/tokyo-yokohama.html").text
    src = f"/charts/cluster-ranks{tokyo}.svg"
    assert f'<noscript><img src="{src}"' in page  # the picture for browsers without JavaScript
    csv = client.get("/sparql", params={"query": CLUSTER_RANKS.query_text(BASE + tokyo[1:]), "format": "csv"})
    r = client.get(src)
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
    assert r.text == svg(CLUSTER_RANKS, csv.text)  # what the build would draw: the same bytes
    assert client.get(src, headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    for other in ("/charts/cluster-ranks/id/cluster/no-such-cluster.svg", "/charts/cluster-ranks/id/economy/china.svg",
                  "/charts/cluster-ranks/../sparql.svg"):
        assert client.get(other).status_code == 404, other


def test_well_known_void(client, site):
    r = client.get("/.well-known/void")
    assert r.content == site.files["void.ttl"]  # the very document giigraph build writes to dist/void.ttl
    assert r.headers["content-type"].startswith("text/turtle")
    g = parse(r.content, r.headers["content-type"])
    dataset = URIRef(BASE + "dataset")
    assert (dataset, VOID.sparqlEndpoint, URIRef(BASE + "sparql")) in g
    assert (dataset, VOID.dataDump, URIRef(BASE + "dumps/giigraph.nq")) in g


def test_errors_are_short_and_never_leak_internals(client):
    r = client.get("/id/cluster/atlantis", headers={"Accept": "application/json"})
    assert r.json() == {"status": 404, "message": f"{BASE}id/cluster/atlantis is not a resource of this dataset"}
    r = client.get("/id/cluster/atlantis", headers={"Accept": BROWSER})
    assert "Not found" in r.text and "Traceback" not in r.text


# --- SPARQL protocol ----------------------------------------------------------------------------------

def test_sparql_get_json(client):
    r = client.get(f"/sparql?query={quote(RANKS)}", headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/sparql-results+json"
    rows = r.json()["results"]["bindings"]
    assert [row["rank"]["value"] for row in rows][:5] == ["1", "2", "3", "4", "5"]
    assert rows[4]["cluster"]["value"] == BASE + "id/cluster/shanghai-suzhou"
    assert LICENCE_LINK in r.headers["link"]


@pytest.mark.parametrize("accept, media_type", [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
])
def test_sparql_post_form_each_results_format(client, accept, media_type):
    r = client.post("/sparql", data={"query": RANKS}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media_type
    assert "shanghai-suzhou" in r.text


def test_sparql_tsv_follows_the_w3c_format(client):
    r = client.post("/sparql", content=RANKS.encode(), headers={"Content-Type": "application/sparql-query",
                                                                "Accept": "text/tab-separated-values"})
    lines = r.text.splitlines()
    assert lines[0] == "?cluster\t?rank"
    assert lines[5] == f"<{BASE}id/cluster/shanghai-suzhou>\t5"


@pytest.mark.parametrize("fmt", [f for f in formats.FORMATS if not f.quads])
def test_sparql_construct_in_every_triple_format(client, fmt):
    query = "CONSTRUCT { ?c ?p ?o } WHERE { ?c a gii:Cluster ; ?p ?o }"
    r = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query",
                                                       "Accept": fmt.media_type})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == fmt.media_type
    g = Graph().parse(data=r.content, format=fmt.rdflib_name)
    assert (URIRef(BASE + SHSZ[1:]), RDF.type, GII.Cluster) in g


def test_sparql_ask_and_describe(client):
    r = client.get("/sparql", params={"query": "ASK { cluster:shanghai-suzhou gii:economy economy:china }"},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.json()["boolean"] is True
    r = client.get("/sparql", params={"query": "DESCRIBE cluster:shanghai-suzhou", "format": "nt"})
    assert r.headers["content-type"] == "application/n-triples" and "上海-苏州" in r.text


def test_sparql_dataset_from_local_graphs(client):
    curated_only = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/giigraph/graph/curated> WHERE { ?o gii:rank ?r }"
    r = client.get("/sparql", params={"query": curated_only}, headers={"Accept": "text/csv"})
    assert r.text.splitlines()[1] == "0", "ranks live in the source graph, not in the curated one"
    r = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?o gii:rank ?r }",
                                      "default-graph-uri": BASE + "graph/source/cnipnews-2023-10-08"},
                   headers={"Accept": "text/csv"})
    assert int(r.text.splitlines()[1]) > 0


def test_sparql_html_form_and_results_page(client):
    form = client.get("/sparql", headers={"Accept": BROWSER})
    assert form.status_code == 200 and "<textarea" in form.text
    page = client.get("/sparql", params={"query": RANKS}, headers={"Accept": BROWSER})
    assert page.status_code == 200 and "cluster:shanghai-suzhou" in page.text


def test_sparql_form_offers_the_bundled_queries(client):
    from html import unescape

    form = client.get("/sparql", headers={"Accept": BROWSER}).text
    top_five = next(q for q in bundled_queries() if q.name == "top-five-2023")
    assert unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", form, re.S).group(1)) == top_five.text
    found = re.findall(r'<li><a href="(/sparql\?query=[^"]+)" data-example="[^"]+">([^<]+)</a> <code>([^<]+)</code>', form)
    links = {name: (unescape(href), unescape(question)) for href, question, name in found}
    assert sorted(links) == [q.name for q in bundled_queries()]
    href, question = links["top-five-2023"]
    assert question == top_five.question
    page = client.get(href, headers={"Accept": BROWSER})
    assert page.status_code == 200 and "Shanghai-Suzhou" in page.text and "6 rows" in page.text


@pytest.mark.parametrize("name, fmt", [("top-five-2023", "json"), ("top-five-2023", "xml"), ("top-five-2023", "csv"),
                                       ("top-five-2023", "tsv"), ("claim-three-of-top-five-in-china", "xml"),
                                       ("cluster-places", "turtle"), ("describe-shanghai-suzhou", "jsonld")])
def test_endpoint_answers_as_giigraph_query_does(client, name, fmt):
    """One implementation: the endpoint's bytes are `giigraph query NAME --format FMT`'s."""
    query = next(q for q in bundled_queries() if q.name == name)
    media_type = (formats.get(fmt) if fmt in ("turtle", "jsonld") else formats.get_results(fmt)).media_type
    r = client.post("/sparql", content=query.text.encode(),
                    headers={"Content-Type": "application/sparql-query", "Accept": media_type})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media_type
    assert r.content == answer(name, fmt=fmt)


@pytest.mark.parametrize("request_kwargs, status, message", [
    ({"params": {"query": "SELECT * WHERE { ?s ?p }"}}, 400, "syntax error in the query at line 1"),
    ({"params": {"query": ["ASK {}", "ASK {}"]}}, 400, "exactly one"),
    ({"params": {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, 403, "read-only"),
    ({"params": {"update": "CLEAR ALL"}}, 403, "read-only"),
    ({"params": {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}}, 403, "SERVICE"),
    ({"params": {"query": "ASK {}", "named-graph-uri": "http://127.0.0.1:9/g"}}, 403, "named-graph-uri <http"),
    ({"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}, 406, "application/sparql-results+json"),
    ({"params": {"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, "headers": {"Accept": "text/csv"}}, 406, "text/turtle"),
    ({"params": {"query": "ASK {}"}, "headers": {"Accept": "text/csv"}}, 406, "application/sparql-results+xml"),
    ({"params": {"query": "ASK {}"}, "headers": {"Accept": "text/csv;q=7"}}, 400, "malformed Accept"),
])
def test_sparql_errors(client, request_kwargs, status, message):
    r = client.get("/sparql", **request_kwargs)
    assert r.status_code == status, r.text
    assert message in r.text


def test_sparql_post_errors(client):
    update = client.post("/sparql", content="CLEAR ALL", headers={"Content-Type": "application/sparql-update"})
    assert update.status_code == 403
    assert client.post("/sparql", content="ASK {}", headers={"Content-Type": "text/plain"}).status_code == 415
    big = client.post("/sparql", content="ASK {} #" + "x" * 70_000,
                      headers={"Content-Type": "application/sparql-query"})
    assert big.status_code == 413
    assert client.request("PUT", "/sparql").status_code == 405


def test_sparql_result_cap(site):
    with TestClient(create_app(site, Limits(timeout=5, max_result_bytes=2000), workers=1)) as small:
        r = small.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
        assert r.status_code == 422 and "LIMIT" in r.text
        assert small.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_sparql_service_description(client, site):
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    g = parse(r.content, "text/turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = URIRef(BASE + "sparql")
    assert (endpoint, RDF.type, URIRef(sd + "Service")) in g
    assert (endpoint, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in g
    named = {str(graph.identifier) for graph in site.dataset.graphs() if len(graph)}
    assert {str(o) for o in g.objects(None, URIRef(sd + "name"))} == named
    assert {BASE + "graph/curated", BASE + "graph/source/cnipnews-2023-10-08"} < named


def test_head_has_headers_and_no_body(client):
    r = client.head("/doc/cluster/shanghai-suzhou.ttl")
    assert r.status_code == 200 and r.content == b""
    assert r.headers["content-type"].startswith("text/turtle") and LICENCE_LINK in r.headers["link"]


def test_static_files_are_cached_for_a_year_and_compressed(client):
    from giigraph.serve.assets import static_url, vendor_url

    page = client.get("/", headers={"Accept": BROWSER})
    assert page.headers["content-encoding"] == "gzip" and "Accept-Encoding" in page.headers["vary"]
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self' blob:" in policy
    for url in (vendor_url("vega", "vega.min.js"), static_url("charts.js"), vendor_url("world-atlas", "countries-110m.json")):
        assert url in page.text or "world-atlas" in url  # the basemap is named on pages with a map
        r = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200 and r.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert r.headers["content-encoding"] == "gzip"
    assert re.fullmatch(r"/static/map\.js\?v=[0-9a-f]{12}", static_url("map.js"))
    assert client.get("/static/vendor/leaflet-0.0.1/leaflet.js").status_code == 404


def test_footer_names_publisher_and_date_only_where_known(client):
    footer = client.get("/", headers={"Accept": BROWSER}).text.split('<footer class="site">')[1]
    assert "(, )" not in footer and "()" not in footer and "(, " not in footer and ", )" not in footer
    assert "(China Intellectual Property News, 2023-10-08)" in footer


# --- where places are: coordinates, GeoNames links, geo in the JSON-LD ---------------------------------

def embedded_jsonld(html: str) -> Dataset:
    text = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    return Dataset().parse(data=text.replace("<\\/", "</"), format="json-ld")


def test_a_city_page_shows_its_coordinates_and_geonames_link_and_its_jsonld_carries_geo(client):
    html = client.get("/doc/city/suzhou.html").text
    location = re.search(r'<section class="location">.*?</section>', html, re.S).group(0)
    assert "31.30408° N, 120.59538° E" in location
    assert '<a class="geonames" href="https://sws.geonames.org/1886760/">GeoNames 1886760</a>' in location
    assert "POINT(120.59538 31.30408)" in location
    footer = re.search(r"<footer.*?</footer>", html, re.S).group(0)
    assert '<a href="https://www.geonames.org/">GeoNames</a> (<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>)' in footer
    page = union(embedded_jsonld(html))
    city = URIRef(f"{BASE}id/city/suzhou")
    coordinates = page.value(city, URIRef("http://schema.org/geo"))
    assert coordinates == URIRef(f"{city}#coordinates")
    assert page.value(coordinates, URIRef("http://schema.org/latitude")) == Literal("31.30408", datatype=XSD.decimal)
    assert page.value(coordinates, URIRef("http://schema.org/longitude")) == Literal("120.59538", datatype=XSD.decimal)


def test_a_cluster_page_shows_its_cities_coordinates_and_its_multipoint(client):
    html = client.get("/doc/cluster/shanghai-suzhou.html").text
    location = re.search(r'<section class="location">.*?</section>', html, re.S).group(0)
    assert re.search(r'Shanghai</a>: <span class="coordinates">31.22222° N, 121.45806° E</span> · '
                     r'<a class="geonames" href="https://sws.geonames.org/1796236/">', location)
    assert "MULTIPOINT((121.45806 31.22222), (120.59538 31.30408))" in location
    page = union(embedded_jsonld(html))
    geometry = URIRef(f"{BASE}id/cluster/shanghai-suzhou#geometry")
    assert page.value(URIRef(f"{BASE}id/cluster/shanghai-suzhou"), GEO.hasGeometry) == geometry
    assert str(page.value(geometry, GEO.asWKT)) == "MULTIPOINT((121.45806 31.22222), (120.59538 31.30408))"


def test_a_page_of_something_without_a_place_has_no_location(client):
    assert 'class="location"' not in client.get("/doc/person/zhang-qiao.html").text


def test_a_city_document_holds_its_geometry_and_coordinates_nodes(client):
    body = client.get("/doc/city/suzhou.ttl").content
    doc = union(parse_quads(body, "text/turtle"))
    geometry = URIRef(f"{BASE}id/city/suzhou#geometry")
    assert str(doc.value(geometry, GEO.asWKT)) == "POINT(120.59538 31.30408)"
    assert b"@prefix wgs84: <http://www.w3.org/2003/01/geo/wgs84_pos#> ." in body
    assert b"wgs84:lat 31.30408" in body


def _embedded_jsonld(page: str) -> list:
    """The JSON of each <script type="application/ld+json"> of an HTML page, as a browser reads it."""
    from html.parser import HTMLParser

    class Scripts(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside, self.found = False, []

        def handle_starttag(self, tag, attrs):
            self.inside = tag == "script" and ("type", "application/ld+json") in attrs
            if self.inside:
                self.found.append("")

        def handle_endtag(self, tag):
            self.inside = False

        def handle_data(self, data):
            if self.inside:
                self.found[-1] += data

    parser = Scripts()
    parser.feed(page)
    return [json.loads(text) for text in parser.found]


def test_a_page_embeds_its_jsonld_exactly(client):
    page = client.get("/doc/cluster/shanghai-suzhou", headers={"Accept": "text/html"})
    document = client.get("/doc/cluster/shanghai-suzhou", headers={"Accept": "application/ld+json"})
    assert _embedded_jsonld(page.text) == [document.json()]


def test_hostile_strings_in_embedded_jsonld_read_back_unchanged():
    from giigraph.serve.pages import _script_safe

    hostile = {"@id": "https://example.org/x", "label": ["</script><script>alert(1)</script>", "<!-- a -->",
                                                         "a & b > c", "<\\!--", "\u2028"]}
    text = _script_safe(json.dumps(hostile).encode())
    assert "<" not in text and ">" not in text and "&" not in text
    page = f'<html><head><script type="application/ld+json">{text}</script></head><body><p>after</p></body></html>'
    assert _embedded_jsonld(page) == [hostile]
