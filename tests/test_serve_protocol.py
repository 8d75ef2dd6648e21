"""The SPARQL 1.1 Protocol's finer points and CORS, in-process (SPARQL in real worker processes):
what real clients (SPARQLWrapper, YASGUI, Comunica) send and what a browser on another origin needs."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from starlette.testclient import TestClient

from giigraph.serve.app import create_app
from giigraph.serve.site import load_site
from giigraph.serve.workers import Limits

BASE = "https://w3id.org/giigraph/"
SPARQL_QUERY = {"Content-Type": "application/sparql-query"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ORIGIN = "http://127.0.0.1:9999"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(load_site(), Limits(timeout=5))) as c:
        yield c


def test_relative_iris_in_a_query_resolve_against_the_endpoint(client):
    """W3C `query_content_type_construct`: the service's base IRI MAY be the endpoint's."""
    r = client.post("/sparql", content="CONSTRUCT { <s> <p> 1 } WHERE {}", headers={**SPARQL_QUERY, "Accept": "text/turtle"})
    assert r.status_code == 200, r.text
    g = Graph().parse(data=r.text, format="turtle")
    assert set(g) == {(URIRef(BASE + "s"), URIRef(BASE + "p"), Literal(1))}
    ask = client.get("/sparql", params={"query": "ASK { FILTER(STR(<id/cluster/x>) = STR(cluster:x)) }"})
    assert ask.json()["boolean"] is True


@pytest.mark.parametrize("params, accept, media_type", [
    ({"format": "n3"}, None, "text/turtle"),  # SPARQLWrapper's setReturnFormat(N3)
    ({}, "text/n3", "text/turtle"),  # Turtle is N3
    ({"format": "no-such-format"}, "application/n-triples", "application/n-triples"),  # unknown: Accept decides
    ({"format": ""}, "application/ld+json", "application/ld+json"),
    ({"format": "ttl"}, "application/ld+json", "text/turtle"),  # a known one overrides Accept
])
def test_format_parameter(client, params, accept, media_type):
    r = client.get("/sparql", params={"query": "CONSTRUCT WHERE { cluster:shanghai-suzhou a ?t }", **params},
                   headers={"Accept": accept} if accept else {})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media_type, r.text


@pytest.mark.parametrize("kwargs", [
    {"url": "/sparql?query=ASK%20%7B%7D%20%23%FF"},  # a lone byte that is not UTF-8
    {"url": "/sparql?query=ASK%20%7B%7D%20%23%C3%28"},  # a broken two-byte sequence
    {"url": "/sparql", "content": b"query=ASK%20%7B%7D%20%23%ED%A0%80", "headers": FORM},  # a surrogate
])
def test_percent_escapes_that_are_not_utf8_are_a_400(client, kwargs):
    r = client.request("POST" if "content" in kwargs else "GET", **kwargs)
    assert r.status_code == 400 and "not UTF-8" in r.text, r.text


def test_a_form_post_without_a_query_is_a_400(client):
    r = client.post("/sparql", content=b"default-graph-uri=" + BASE.encode() + b"graph/curated", headers=FORM)
    assert r.status_code == 400 and "no query" in r.text
    assert client.post("/sparql", content=b"", headers=FORM).status_code == 400
    assert client.get("/sparql", headers={"Accept": "text/turtle"}).status_code == 200  # GET: the service description


def test_a_query_in_another_charset_is_refused(client):
    r = client.post("/sparql", content="ASK {}".encode("utf-16"),
                    headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert r.status_code == 415


# --- CORS -----------------------------------------------------------------------------------------------

LONG_ACCEPT = ", ".join(f"application/x-type-{i};q=0.{i % 9 + 1}" for i in range(60)) + ", */*;q=0.1"


@pytest.mark.parametrize("path, methods", [("/sparql", "GET, HEAD, POST, OPTIONS"),
                                           ("/doc/cluster/shanghai-suzhou", "GET, HEAD, OPTIONS"),
                                           ("/id/cluster/shanghai-suzhou", "GET, HEAD, OPTIONS")])
def test_preflights_are_answered(client, path, methods):
    r = client.options(path, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                                      "Access-Control-Request-Headers": "content-type, accept"})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.headers["access-control-allow-methods"] == methods
    assert r.headers["access-control-allow-headers"] == "content-type, accept"
    assert int(r.headers["access-control-max-age"]) >= 600


def test_a_preflight_never_echoes_what_is_not_a_header_name(client):
    r = client.options("/sparql", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "x\r\nSet-Cookie: a=b"})
    assert r.status_code == 204 and "access-control-allow-headers" not in r.headers


@pytest.mark.parametrize("method, url, kwargs, status", [
    ("POST", "/sparql", {"content": "SELECT ?x WHERE { ?x a gii:Cluster } LIMIT 1",
                         "headers": {**SPARQL_QUERY, "Accept": LONG_ACCEPT}}, 200),
    ("GET", "/sparql?query=ASK%20%7B", {}, 400),
    ("GET", "/sparql?query=ASK%20%7B%7D", {"headers": {"Accept": "image/png"}}, 406),
    ("GET", "/sparql?query=INSERT%20DATA%20%7B%7D", {}, 403),
    ("GET", "/doc/cluster/atlantis", {}, 404),
    ("PUT", "/sparql", {}, 405),
])
def test_every_response_allows_any_origin(client, method, url, kwargs, status):
    r = client.request(method, url, **{**kwargs, "headers": {"Origin": ORIGIN, **kwargs.get("headers", {})}})
    assert r.status_code == status, r.text
    assert r.headers["access-control-allow-origin"] == "*"


def test_a_timeout_503_allows_any_origin():
    with TestClient(create_app(load_site(), Limits(timeout=0.5), workers=1)) as c:
        r = c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"},
                  headers={"Origin": ORIGIN})
        assert r.status_code == 503 and r.headers["access-control-allow-origin"] == "*"
        assert r.headers["retry-after"]


# --- the cache of answers -------------------------------------------------------------------------------

def test_answers_are_kept_within_their_budget():
    from giigraph.serve.workers import Answer, AnswerCache, Job

    cache = AnswerCache(max_bytes=100)
    jobs = [Job(f"ASK {{}} #{i}", {"ASK": "json"}) for i in range(4)]
    for job in jobs:
        cache.put(AnswerCache.key(job), Answer("ASK", "json", b"x" * 30))  # 30 + 9 bytes each
    assert cache.size <= 100
    assert cache.get(AnswerCache.key(jobs[0])) is None  # the oldest went first
    assert cache.get(AnswerCache.key(jobs[3])).body == b"x" * 30
    assert AnswerCache.key(Job("ASK {}", {"ASK": "json"})) != AnswerCache.key(Job("ASK {}", {"ASK": "xml"}))
    cache.put(AnswerCache.key(jobs[0]), Answer("ASK", "json", b"x" * 200))  # larger than the budget: not kept
    assert cache.get(AnswerCache.key(jobs[0])) is None and cache.size <= 100


def test_a_repeated_query_is_answered_alike_from_the_cache(client):
    query = {"query": "SELECT ?c WHERE { ?c a gii:Cluster } ORDER BY ?c LIMIT 3"}
    first = client.get("/sparql", params=query, headers={"Accept": "text/csv"})
    again = client.get("/sparql", params=query, headers={"Accept": "text/csv"})
    other = client.get("/sparql", params=query, headers={"Accept": "application/sparql-results+json"})
    assert first.status_code == again.status_code == other.status_code == 200
    assert first.content == again.content and first.headers["content-type"] == again.headers["content-type"]
    assert other.headers["content-type"].startswith("application/sparql-results+json")


def test_an_internal_error_allows_any_origin_and_leaks_nothing(monkeypatch):
    from giigraph.serve import documents

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(documents, "describe", broken)
    with TestClient(create_app(load_site(), Limits(timeout=5), workers=1), raise_server_exceptions=False) as c:
        r = c.get("/doc/cluster/shanghai-suzhou.ttl", headers={"Origin": ORIGIN})
    assert r.status_code == 500 and r.headers["access-control-allow-origin"] == "*"
    assert "secret" not in r.text
