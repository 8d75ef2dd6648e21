"""`giigraph serve` for real: a uvicorn subprocess on a free loopback port, driven by SPARQLWrapper,
by concurrent clients, by a SERVICE query aimed at a listener, and by headless Chromium."""
from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from SPARQLWrapper import CSV, JSON, N3, TSV, TURTLE, XML, JSONLD, POST, POSTDIRECTLY, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from conftest import chromium_browser
from giigraph_server import RUNAWAY, TOP5, GiigraphServer
from loopback import Listener
from query_support import remote_queries

TIMEOUT = 2.0
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def server():
    """`giigraph serve --port 0` as a subprocess; yields its URL, checks it is still alive after."""
    live = GiigraphServer("--timeout", str(TIMEOUT), "--workers", "2")
    assert live.url.startswith("http://127.0.0.1:"), "the server must bind loopback by default"
    yield live.url
    assert live.alive(), "the server died during the tests"
    assert live.stop() in (0, -signal.SIGINT), "no clean shutdown on Ctrl-C"


def sparql(server: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(POST if method != "GET" else "GET")
    if method == "POSTDIRECTLY":
        client.setRequestMethod(POSTDIRECTLY)
    client.setTimeout(30)
    return client


# --- the protocol through a real client library --------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"])
def test_sparqlwrapper_select_json(server, method):
    rows = sparql(server, TOP5, JSON, method).queryAndConvert()["results"]["bindings"]
    assert [r["rank"]["value"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert rows[4]["cluster"]["value"].endswith("/id/cluster/shanghai-suzhou")


def test_sparqlwrapper_select_xml_csv_tsv(server):
    xml = sparql(server, TOP5, XML).queryAndConvert()
    assert len(xml.getElementsByTagName("result")) == 5
    csv = sparql(server, TOP5, CSV).queryAndConvert().decode()
    assert csv.splitlines()[0] == "cluster,rank" and len(csv.splitlines()) == 6
    tsv = sparql(server, TOP5, TSV).queryAndConvert().decode()
    assert tsv.splitlines()[0] == "?cluster\t?rank"


def test_sparqlwrapper_ask_and_construct(server):
    assert sparql(server, "ASK { ?s a gii:Cluster }", JSON).queryAndConvert()["boolean"] is True
    query = "CONSTRUCT { ?c a gii:Cluster } WHERE { ?c a gii:Cluster }"
    turtle = sparql(server, query, TURTLE).queryAndConvert()
    g = Graph().parse(data=turtle, format="turtle")
    shsz = URIRef("https://w3id.org/giigraph/id/cluster/shanghai-suzhou")
    assert (shsz, RDF.type, URIRef("https://w3id.org/giigraph/ontology#Cluster")) in g
    n3 = sparql(server, query, N3).queryAndConvert()  # format=n3: answered with Turtle, which is N3
    assert (shsz, RDF.type, URIRef("https://w3id.org/giigraph/ontology#Cluster")) in Graph().parse(data=n3, format="n3")
    jsonld = sparql(server, query, JSONLD).queryAndConvert()
    assert (shsz, RDF.type, URIRef("https://w3id.org/giigraph/ontology#Cluster")) in jsonld


def test_sparqlwrapper_sees_400_for_malformed_queries(server):
    with pytest.raises(QueryBadFormed) as info:
        sparql(server, "SELECT * WHERE { ?s ?p }", JSON).query()
    assert "syntax error in the query at line 1" in str(info.value)


# --- safety --------------------------------------------------------------------------------------------

def test_runaway_query_is_stopped_while_others_are_answered(server):
    def runaway():
        started = time.monotonic()
        try:
            urllib.request.urlopen(urllib.request.Request(
                f"{server}/sparql", data=f"query={urllib.parse.quote(RUNAWAY)}".encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"}), timeout=30)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), time.monotonic() - started
        return 200, "", time.monotonic() - started

    def others():
        time.sleep(0.3)  # let the runaway query start first
        answers = []
        while time.monotonic() - begun < TIMEOUT:
            t0 = time.monotonic()
            rows = sparql(server, f"{TOP5}\n# {len(answers)}", JSON).queryAndConvert()["results"]["bindings"]
            answers.append((len(rows), time.monotonic() - t0))
            page = urllib.request.urlopen(f"{server}/doc/cluster/shanghai-suzhou.ttl", timeout=5).read()
            assert b"shanghai-suzhou" in page
        return answers

    begun = time.monotonic()
    with ThreadPoolExecutor(2) as pool:
        slow, fast = pool.submit(runaway), pool.submit(others)
        status, body, took = slow.result()
        answers = fast.result()
    assert status == 503 and "time limit" in body, (status, body)
    assert TIMEOUT <= took < TIMEOUT + 2, f"stopped after {took:.1f} s"
    assert answers and all(n == 5 and t < 1.5 for n, t in answers), answers
    # the killed worker is replaced: the endpoint answers again, on both workers
    time.sleep(1.0)
    for i in range(4):  # new text each time: a worker answers, not the server's cache of answers
        assert len(sparql(server, f"{TOP5}\n# again {i}", JSON).queryAndConvert()["results"]["bindings"]) == 5


def test_one_keep_alive_connection_gets_every_kind_of_response_whole(server):
    """The server sends a response's headers and body in one write: responses without a body (HEAD,
    304, a preflight's 204), an interim 100 Continue and full ones must still all arrive, at once and
    in order, one after the other on the same connection."""
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(server).netloc, timeout=5)
    try:
        def ask(method, path, body=None, **headers):
            started = time.monotonic()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            assert time.monotonic() - started < 2, f"{method} {path} took {time.monotonic() - started:.1f} s"
            return response, content

        response, turtle = ask("GET", "/doc/cluster/shanghai-suzhou.ttl")
        assert response.status == 200 and b"shanghai-suzhou" in turtle
        response, content = ask("HEAD", "/doc/cluster/shanghai-suzhou.ttl")
        assert response.status == 200 and content == b"" and int(response.headers["Content-Length"]) == len(turtle)
        etag = response.headers["ETag"]
        response, content = ask("GET", "/doc/cluster/shanghai-suzhou.ttl", **{"If-None-Match": etag})
        assert response.status == 304 and content == b""
        response, content = ask("OPTIONS", "/sparql", Origin="http://127.0.0.1:1")
        assert response.status == 204 and response.headers["Access-Control-Allow-Origin"] == "*"
        response, content = ask("POST", "/sparql", body=b"ASK {}", Expect="100-continue",
                                **{"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
        assert response.status == 200 and json.loads(content) == {"head": {}, "boolean": True}
        response, content = ask("GET", "/sparql?query=" + urllib.parse.quote("ASK {}"),
                                Accept="application/sparql-results+json")
        assert response.status == 200 and json.loads(content)["boolean"] is True
    finally:
        connection.close()


def test_service_and_remote_from_never_reach_the_network(server):
    listener = Listener()
    try:
        for query in remote_queries(listener.url):
            with pytest.raises(urllib.error.HTTPError) as info:
                sparql(server, query, JSON, "POST").query()
            assert info.value.code == 403, query
        with pytest.raises(urllib.error.HTTPError) as info:  # the protocol's dataset, too
            urllib.request.urlopen(f"{server}/sparql?" + urllib.parse.urlencode(
                {"query": "ASK { ?s ?p ?o }", "default-graph-uri": f"{listener.url}/data.ttl"}), timeout=10)
        assert info.value.code == 403
        assert listener.settle() == [], "the endpoint contacted the listener"
    finally:
        listener.close()


# --- a person with a browser ---------------------------------------------------------------------------

def test_browser_home_to_shanghai_suzhou(server):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(server + "/")
        expect(page.locator("h1")).to_contain_text("Global Innovation Index 2023")
        top = page.locator("ol.top-clusters > li")
        expect(top).to_have_count(5)
        expect(top.nth(0)).to_contain_text("Tokyo-Yokohama")
        page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)

        top.nth(4).get_by_role("link", name="Shanghai-Suzhou").click()
        page.wait_for_url("**/doc/cluster/shanghai-suzhou.html")  # the browser followed the 303
        expect(page.locator("h1")).to_have_text("Shanghai-Suzhou")
        expect(page.locator("p.zh")).to_have_text("上海-苏州")
        expect(page.locator(".types")).to_contain_text("science and technology cluster")
        expect(page.locator("section.facts")).to_contain_text("rank 5 in Global Innovation Index 2023")
        expect(page.locator("section.facts")).to_contain_text("rank 6 in Global Innovation Index 2022")
        expect(page.locator("table.props").first).to_contain_text("Suzhou")
        expect(page.locator("section.passages")).to_contain_text("Passage 10")
        expect(page.locator("footer")).to_contain_text("CC BY 4.0")
        expect(page.locator("footer")).to_contain_text("China Intellectual Property News")
        jsonld = page.locator('script[type="application/ld+json"]').text_content()
        assert "shanghai-suzhou" in jsonld and "上海-苏州" in jsonld
        page.screenshot(path=str(ARTIFACTS / "shanghai-suzhou.png"), full_page=True)

        page.get_by_role("link", name="Suzhou", exact=True).first.click()
        expect(page.locator("h1")).to_have_text("Suzhou")

        page.goto(server + "/sparql")  # pick a bundled question, see its answer in the editor
        page.get_by_role("link", name=re.compile("top five of the GII 2023")).click()
        answer = page.locator("#yasgui .yasr table.dataTable tbody tr")
        expect(answer).to_have_count(6)
        expect(answer.last).to_contain_text("Shanghai-Suzhou")
        page.screenshot(path=str(ARTIFACTS / "sparql.png"), full_page=True)
    assert (ARTIFACTS / "shanghai-suzhou.png").stat().st_size > 10_000


CROSS_ORIGIN_PAGE = b"""<!doctype html><title>another origin</title><p id="out">waiting</p>
<script>
async function ask(endpoint, query) {
  const response = await fetch(endpoint, {method: "POST", body: query, headers: {
    "Content-Type": "application/sparql-query",
    "Accept": "application/sparql-results+json, " + Array.from({length: 40}, (_, i) => `application/x-${i};q=0.1`).join(", ")}});
  return {status: response.status, body: await response.json()};  // readable only if CORS allowed it
}
</script>"""


def test_a_page_on_another_origin_queries_the_endpoint(server):
    """A YASGUI-like page served from another loopback origin POSTs application/sparql-query with a long
    Accept header: Chromium sends a CORS preflight, and the query must still reach the endpoint."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(CROSS_ORIGIN_PAGE)

        def log_message(self, *args):
            pass

    other = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        with chromium_browser() as browser:
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{other.server_address[1]}/")
            result = page.evaluate("([endpoint, query]) => ask(endpoint, query)", [f"{server}/sparql", TOP5])
    finally:
        other.shutdown()
        other.server_close()
    assert result["status"] == 200
    assert [b["rank"]["value"] for b in result["body"]["results"]["bindings"]] == ["1", "2", "3", "4", "5"]


def test_serve_on_a_busy_port_is_a_usage_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "giigraph", "serve", "--port", str(port)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")
