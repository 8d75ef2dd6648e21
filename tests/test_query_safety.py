"""Queries that would fetch remote data are refused before any engine sees them: nothing is sent.

A listener on 127.0.0.1 stands in for a remote endpoint. A control test shows that Oxigraph,
unguarded, does call it for SERVICE; then every refused query must leave it untouched. These are
the checks of `giigraph query` and of the SPARQL endpoint alike (the endpoint's HTTP mapping is
tested in test_serve_http.py, its end-to-end refusal in test_serve_live.py).
"""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import URIRef

from giigraph.cli import main
from giigraph.errors import QueryRefused
from giigraph.query import ENGINE_NAMES
from giigraph.query.parse import QueryDataset, parse_query
from giigraph.query.run import run_query

from loopback import Listener
from query_support import EX, PREFIXES, engines, mini_dataset, remote_queries

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture
def listener(monkeypatch):
    """The listener, with no proxy variable that could divert loopback traffic elsewhere."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    server = Listener()
    yield server
    server.close()


def test_control_unguarded_oxigraph_calls_the_listener(listener):
    """Without giigraph's check, Oxigraph federates SERVICE: the listener does see that."""
    with pytest.raises(OSError):
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}"))
    requests = listener.settle()
    assert len(requests) == 1 and requests[0].startswith(b"POST /sparql HTTP/1.1")


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_remote_queries_are_refused_and_never_sent(listener, engine):
    dataset = mini_dataset()
    for text in remote_queries(listener.url):
        with pytest.raises(QueryRefused, match="never fetches remote data|giigraph is read-only"):
            run_query(dataset, text, engine=engine, prefixes=PREFIXES)
    assert listener.settle() == []


def test_protocol_graphs_outside_the_dataset_are_refused_and_never_sent(listener):
    """default-graph-uri / named-graph-uri (SPARQL Protocol) obey the rule of FROM / FROM NAMED."""
    parsed = parse_query("SELECT * WHERE { ?s ?p ?o }")
    remote = URIRef(f"{listener.url}/data.ttl")
    for name, engine in engines(mini_dataset()).items():
        for requested, keyword in ((QueryDataset(default_graphs=(remote,)), "default-graph-uri"),
                                   (QueryDataset((URIRef(EX + "curated"),), (remote,)), "named-graph-uri")):
            with pytest.raises(QueryRefused) as err:
                engine.run(parsed, requested)
            assert str(err.value).startswith(f"refused: {keyword} <{remote}> names no graph of the dataset")
    assert listener.settle() == []


def test_cli_refuses_with_a_clear_message_and_sends_nothing(listener):
    runner = CliRunner()
    for engine in ENGINE_NAMES:
        for text in remote_queries(listener.url):
            result = runner.invoke(main, ["query", "--engine", engine, text])
            assert result.exit_code == 2, result.output
            assert result.output.startswith("error: refused: ")
            assert "remote data" in result.output or "giigraph is read-only" in result.output
    assert listener.settle() == []


def test_service_message_names_the_endpoint(listener):
    with pytest.raises(QueryRefused) as err:
        run_query(mini_dataset(), f"SELECT * WHERE {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}")
    assert str(err.value) == (
        f"refused: SERVICE <{listener.url}/sparql> in the query would send a query to another endpoint, "
        "and giigraph never fetches remote data; query the dataset only"
    )
