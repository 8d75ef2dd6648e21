"""Queries that would fetch remote data are refused before any engine sees them: nothing is sent.

A listener on 127.0.0.1 stands in for a remote endpoint. A control test shows that Oxigraph,
unguarded, does call it for SERVICE; then every refused query must leave it untouched.
"""
from __future__ import annotations

import socket
import threading
import time

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from giigraph.cli import main
from giigraph.errors import QueryRefused
from giigraph.query import ENGINE_NAMES
from giigraph.query.run import run_query

from query_support import PREFIXES, mini_dataset


class Listener:
    """Accepts TCP connections on a free loopback port and records what each one sends."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.requests.append(conn.recv(4096))
                except OSError:
                    self.requests.append(b"")

    def settle(self) -> list[bytes]:
        """Give a connection in flight time to land, then report what arrived."""
        time.sleep(0.2)
        return self.requests

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture
def listener(monkeypatch):
    """The listener, with no proxy variable that could divert loopback traffic elsewhere."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    server = Listener()
    yield server
    server.close()


def remote_queries(url: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?endpoint {{ <{url}/sparql> }} SERVICE ?endpoint {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ OPTIONAL {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }} }} }} }}",
        f"ASK {{ ?s ?p ?o MINUS {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }} }}",
        f"DESCRIBE ?s WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"ASK FROM <{url}/data.ttl> {{ ?s ?p ?o }}",
        f"LOAD <{url}/data.ttl>",
        f"LOAD SILENT <{url}/data.ttl> INTO GRAPH <http://example.org/g>",
    ]


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
        with pytest.raises(QueryRefused, match="never fetches remote data|only reads the dataset"):
            run_query(dataset, text, engine=engine, prefixes=PREFIXES)
    assert listener.settle() == []


def test_cli_refuses_with_a_clear_message_and_sends_nothing(listener):
    runner = CliRunner()
    for engine in ENGINE_NAMES:
        for text in remote_queries(listener.url):
            result = runner.invoke(main, ["query", "--engine", engine, text])
            assert result.exit_code == 2, result.output
            assert result.output.startswith("error: ")
            assert result.output.startswith("error: refused: ")
            assert "remote data" in result.output or "only reads the dataset" in result.output
    assert listener.settle() == []


def test_service_message_names_the_endpoint(listener):
    with pytest.raises(QueryRefused) as err:
        run_query(mini_dataset(), f"SELECT * WHERE {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}")
    assert str(err.value) == (
        f"refused: SERVICE <{listener.url}/sparql> in the query would send a query to another endpoint, "
        "and giigraph never fetches remote data; query the dataset only"
    )
