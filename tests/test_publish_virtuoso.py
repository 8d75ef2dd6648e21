"""`giigraph publish` against a real Virtuoso 7 on loopback (the `virtuoso` fixture of conftest.py)."""
from __future__ import annotations

GRAPH = "urn:test:virtuoso-fixture"


def test_the_fixture_serves_the_graph_store_and_sparql(virtuoso):
    virtuoso.put_graph(GRAPH, b'<urn:s> <urn:p> "x" .\n<urn:s> <urn:p> "y"@en .\n')
    assert virtuoso.graph_counts(GRAPH) == {GRAPH: 2}
    assert virtuoso.query(f"ASK {{ GRAPH <{GRAPH}> {{ <urn:s> <urn:p> \"y\"@en }} }}").json()["boolean"] is True
    virtuoso.drop(GRAPH)
    assert virtuoso.graph_counts(GRAPH) == {}
