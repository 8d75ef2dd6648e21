"""The W3C SPARQL 1.1 Protocol test manifest (`tests/w3c/sparql11-protocol/`, vendored unchanged), every
test of it, run against the endpoint's application in-process (SPARQL in real worker processes).

Each test's HTTP requests are read from the manifest (method, path, headers, body; `ht:` vocabulary)
and their expected responses too (status class, result kind, ASK answer). Adapted to a read-only
endpoint over giigraph's dataset, and nothing else changed:

- the manifest's `/sparql/` path is `/sparql`;
- its test graphs `http://kasei.us/2009/09/sparql/data/dataN.rdf` (each typing its own IRI as a
  foaf:Document) become three named graphs of the dataset, each holding a `qb:Observation`: as a graph
  name (`default-graph-uri`, `named-graph-uri`, `FROM`) the IRI becomes the graph's, as a resource in a
  query, that observation (`data0.rdf`, which names no data, becomes the first graph);
- an update must be refused (403) instead of done, and the query that follows it, which checks what the
  update did, must then answer `false`: nothing changed.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection
from starlette.testclient import TestClient

from giigraph import formats
from giigraph.serve.app import create_app
from giigraph.serve.site import load_site
from giigraph.serve.workers import Limits

MANIFEST = Path(__file__).parent / "w3c" / "sparql11-protocol" / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
QB_OBSERVATION = URIRef("http://purl.org/linked-data/cube#Observation")
TEST_GRAPH = re.compile(r"http://kasei\.us/2009/09/sparql/data/data(\d)\.rdf")
GRAPH_PARAMS = ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    statuses: frozenset[int]  # acceptable status classes: 2, 3, 4
    result: str | None  # boolean | tabular | RDF
    boolean: bool | None


def manifest_tests() -> list[tuple[str, list[Request]]]:
    g = Graph().parse(MANIFEST, publicID="http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    tests = []
    for test in Collection(g, g.value(manifest, MF.entries)):
        requests = []
        for r in Collection(g, g.value(g.value(test, MF.action), HT.requests)):
            headers = {str(g.value(h, HT.fieldName)): str(g.value(h, HT.fieldValue))
                       for h in (Collection(g, g.value(r, HT.headers)) if g.value(r, HT.headers) else [])}
            body = g.value(r, HT.body)
            response = g.value(r, HT.resp)
            boolean = g.value(response, MF.expectedBoolean)
            requests.append(Request(
                str(g.value(r, HT.methodName)), str(g.value(r, HT.absolutePath)), headers,
                str(g.value(body, CNT.chars)) if body is not None else None,
                frozenset(int(str(s).removeprefix(str(HTS.StatusCode))[0]) for s in g.objects(response, MF.expectedStatus)),
                str(g.value(response, MF.expectedFormat) or "") or None,
                boolean.toPython() if boolean is not None else None))
        tests.append((str(test).rsplit("#", 1)[1], requests))
    return tests


TESTS = manifest_tests()


@pytest.fixture(scope="module")
def site():
    return load_site()


@pytest.fixture(scope="module")
def client(site):
    with TestClient(create_app(site, Limits(timeout=10))) as c:
        yield c


@pytest.fixture(scope="module")
def adapt(site):
    """The manifest's test graphs as the dataset's: (graph IRI, an observation in it) for data0..data3."""
    found = sorted((str(g.identifier), str(s)) for g in site.dataset.graphs()
                   for s in g.subjects(RDF.type, QB_OBSERVATION))
    per_graph = dict(found)  # the last observation of each graph
    graphs = sorted(per_graph)[:3]
    assert len(graphs) == 3, "the dataset needs three graphs with observations for these tests"
    mapping = {n: (graphs[max(n - 1, 0)], per_graph[graphs[max(n - 1, 0)]]) for n in range(4)}

    def query(text: str) -> str:
        text = re.sub(r"(FROM\s+(?:NAMED\s+)?)<" + TEST_GRAPH.pattern + ">",
                      lambda m: f"{m[1]}<{mapping[int(m[2])][0]}>", text)
        return TEST_GRAPH.sub(lambda m: mapping[int(m[1])][1], text)

    def params(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(k, TEST_GRAPH.sub(lambda m: mapping[int(m[1])][0], v) if k in GRAPH_PARAMS else
                 query(v) if k in ("query", "update") else v) for k, v in pairs]

    def request(r: Request) -> dict:
        parts = urlsplit(r.path)
        assert parts.path == "/sparql/"
        url = "/sparql" + ("?" + urlencode(params(parse_qsl(parts.query, keep_blank_values=True))) if parts.query else "")
        content_type = r.headers.get("content-type", "")
        body = r.body
        if body is not None and content_type.startswith("application/x-www-form-urlencoded"):
            body = urlencode(params(parse_qsl(body, keep_blank_values=True)))
        elif body is not None:
            body = query(body)
        encoding = "utf-16" if "charset=UTF-16" in content_type else "utf-8"
        return {"method": r.method, "url": url, "headers": r.headers,
                "content": body.encode(encoding) if body is not None else None}

    return request


def is_update(requests: list[Request]) -> bool:
    return requests[0].headers.get("content-type") == "application/sparql-update" or \
        "update=" in (requests[0].body or "")


@pytest.mark.parametrize("name, requests", TESTS, ids=[name for name, _ in TESTS])
def test_w3c_protocol(client, adapt, name, requests):
    refused_update = False
    for i, r in enumerate(requests):
        response = client.request(**adapt(r))
        status = response.status_code
        if i == 0 and is_update(requests):  # read-only: refused whatever the manifest expects of a store
            assert status == 403 if 2 in r.statuses else 400 <= status < 500, (status, response.text)
            refused_update = True
            continue
        assert status // 100 in r.statuses, (status, response.text)
        if status >= 300:
            continue
        media_type = response.headers["content-type"].split(";")[0]
        if r.result in ("boolean", "tabular"):
            assert media_type in ("application/sparql-results+json", "application/sparql-results+xml",
                                  "text/csv", "text/tab-separated-values"), media_type
        if r.result == "boolean":
            answer = json.loads(response.content)["boolean"]
            assert answer is (False if refused_update else r.boolean if r.boolean is not None else answer)
        if r.result == "RDF":
            Graph().parse(data=response.content, format=formats.get(media_type).rdflib_name)


def test_every_test_of_the_manifest_runs():
    assert len(TESTS) == 34 and len({name for name, _ in TESTS}) == 34
