"""`giigraph publish` against a real Virtuoso 7 on loopback (the `virtuoso` fixture of conftest.py), as
the README's Virtuoso row configures it: Graph Store Protocol at /sparql-graph-crud-auth and SPARQL
Update at /sparql-auth, both with digest auth, queries at /sparql."""
from __future__ import annotations

from collections import Counter
from decimal import Decimal
from urllib.parse import urlencode

import httpx
import pyoxigraph
import pytest
from test_publish import META, MODES, QUERIES, check_changed_publish, error_of, expected_counts, publish, standalone
from test_publish import local_store  # noqa: F401  (a fixture, shared)

from giigraph.publish.plan import STAGING_PREFIX

FIXTURE_GRAPH = "urn:test:virtuoso-fixture"
OURS = "https://w3id.org/giigraph/"


def test_the_fixture_serves_the_graph_store_and_sparql(virtuoso):
    virtuoso.put_graph(FIXTURE_GRAPH, b'<urn:s> <urn:p> "x" .\n<urn:s> <urn:p> "y"@en .\n')
    assert virtuoso.graph_counts(FIXTURE_GRAPH) == {FIXTURE_GRAPH: 2}
    assert virtuoso.query(f"ASK {{ GRAPH <{FIXTURE_GRAPH}> {{ <urn:s> <urn:p> \"y\"@en }} }}").json()["boolean"] is True
    virtuoso.drop(FIXTURE_GRAPH)
    assert virtuoso.graph_counts(FIXTURE_GRAPH) == {}


@pytest.fixture
def empty(virtuoso):
    """The shared Virtuoso without any graph a publish writes (ours, staging, metadata)."""
    for prefix in (OURS, STAGING_PREFIX, "urn:giigraph:"):
        virtuoso.drop(prefix)
    return virtuoso


def ours(virtuoso) -> Counter:
    return virtuoso.graph_counts(OURS)


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_publishes_and_republishing_never_duplicates(empty, dataset, mode):
    want = expected_counts(dataset)
    for _ in range(2):
        result = publish(*MODES[mode](empty), env=empty.env)
        assert result.exit_code == 0, result.output
        assert ours(empty) == want
        assert not empty.graph_counts(STAGING_PREFIX)
    assert f"published {len(want)} graph(s), {sum(want.values()):,} triples" in result.stdout


@pytest.mark.parametrize("mode", ["gsp-direct", "gsp-staged", "update"])
def test_changed_sends_only_what_changed(empty, dataset, tmp_path, mode):
    check_changed_publish(MODES[mode](empty), empty.env, lambda: ours(empty) + empty.graph_counts(META),
                          dataset, tmp_path)


def test_big_graphs_go_in_chunks(empty, dataset):
    """A graph bigger than one request may carry is sent in several (PUT, then POSTs that add)."""
    result = publish(*MODES["gsp-staged"](empty), "--chunk-mb", "0.05", env=empty.env)
    assert result.exit_code == 0, result.output
    assert ours(empty) == expected_counts(dataset)
    dry = publish(*MODES["gsp-staged"](empty), "--chunk-mb", "0.05", "--dry-run", env=empty.env)
    assert "POST " + empty.store + "?graph=" + STAGING_PREFIX in dry.stdout


def test_wrong_password_is_one_short_line(empty):
    env = {**empty.env, "GIIGRAPH_STORE_PASSWORD": "wrong"}
    result = publish(*MODES["gsp-staged"](empty), env=env)
    assert result.exit_code == 1
    message = error_of(result)
    assert message.count("\n") == 1, message
    assert message.startswith("error: nothing was published: uploading <")
    assert "HTTP 401" in message and "wrong" not in message
    assert "the staging graph <" in message and "may remain" in message  # the one it tried, not all 31
    assert not ours(empty)


# --- the bundled competency queries, answered by Virtuoso ------------------------------------------
@pytest.fixture(scope="module")
def published(virtuoso, dataset):
    for prefix in (OURS, "urn:giigraph:"):
        virtuoso.drop(prefix)
    result = publish(*MODES["gsp-staged-sparql-count"](virtuoso), env=virtuoso.env)
    assert result.exit_code == 0, result.output
    return virtuoso


def _ask_virtuoso(server, text: str, dataset_graphs: list[str], accept: str) -> bytes:
    """POST the query with the dataset given by the protocol: the default graph is the merge of the
    published graphs and the named graphs are exactly them, as locally (Virtuoso's own system graphs
    stay out of the answer)."""
    params = [("query", text)] + [("default-graph-uri", g) for g in dataset_graphs] + \
        [("named-graph-uri", g) for g in dataset_graphs]
    response = httpx.post(server.query_url, content=urlencode(params).encode(), timeout=120, trust_env=False,
                          headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
    response.raise_for_status()
    return response.content


DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def _term(term) -> str | None:
    """A term as text; a computed xsd:decimal to 12 places: the precision of decimal division (AVG)
    is implementation-defined (XPath op:numeric-divide), Virtuoso and Oxigraph keep different digits."""
    if term is None:
        return None
    if isinstance(term, pyoxigraph.Literal) and term.datatype.value == DECIMAL:
        return f"{round(Decimal(term.value), 12)}^^decimal"
    return str(term)


def _rows(result) -> Counter | bool | set:
    if isinstance(result, pyoxigraph.QueryBoolean):
        return bool(result)
    if isinstance(result, pyoxigraph.QueryTriples):
        return {str(t) for t in result}
    return Counter(tuple(_term(s[v]) for v in result.variables) for s in result)


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_answers_over_virtuoso_equal_local_answers(published, local_store, dataset, query):  # noqa: F811
    text = standalone(query.read_text(encoding="utf-8"))
    local = _rows(local_store.query(text, use_default_graph_as_union=True))
    graphs = sorted(expected_counts(dataset))
    if isinstance(local, set):
        # DESCRIBE is the store's choice; Virtuoso's pragma asks for the concise bounded description
        body = _ask_virtuoso(published, 'DEFINE sql:describe-mode "CBD"\n' + text, graphs, "application/n-triples")
        remote = {str(t) for t in pyoxigraph.parse(body, pyoxigraph.RdfFormat.N_TRIPLES)}
    else:
        body = _ask_virtuoso(published, text, graphs, "application/sparql-results+xml")
        remote = _rows(pyoxigraph.parse_query_results(body, pyoxigraph.QueryResultsFormat.XML))
    assert remote == local
    assert remote or isinstance(remote, bool), "the query has no answer: it tests nothing"
