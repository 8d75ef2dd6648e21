"""`giigraph publish` against a real Oxigraph server on loopback: loads, answers, re-publishes,
and what a broken connection, a 503, credentials and TLS do to it."""
from __future__ import annotations

import base64
import os
import re
import ssl
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
import trustme
from click.testing import CliRunner
from conftest import require_tool
from loopback import LoopbackProxy, OxigraphServer, free_port, oxigraph_command, sparql_json_rows

from giigraph import serialize
from giigraph.builder import ALL_KINDS
from giigraph.cli import main
from giigraph.config import DEFAULT_BASE
from giigraph.publish.plan import STAGING_PREFIX, graph_uploads
from giigraph.resources import QUERIES_DIR
from giigraph.vocab import data_prefixes

HERE = Path(__file__).parent
QUERIES = sorted(QUERIES_DIR.glob("*.rq")) + sorted((HERE / "publish-queries").glob("*.rq"))
GRAPH_TYPES = "application/n-triples"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def _start(tmp_path_factory) -> OxigraphServer:
    command = require_tool(oxigraph_command(), "oxigraph (the server from PyPI: pip install oxigraph)")
    where = tmp_path_factory.mktemp("oxigraph")
    return OxigraphServer(command, where / "store", where / "server.log")


@pytest.fixture
def oxigraph(tmp_path_factory):
    """A real Oxigraph server with an empty store of its own, on a free loopback port."""
    server = _start(tmp_path_factory)
    yield server
    alive = server.alive()
    server.stop()
    assert alive, "the oxigraph server died during the test"


@pytest.fixture(scope="module")
def oxigraph_module(tmp_path_factory):
    server = _start(tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture
def proxy_factory():
    """Make LoopbackProxy instances in front of a server; all closed after the test."""
    made: list[LoopbackProxy] = []

    def make(upstream_port: int, **options) -> LoopbackProxy:
        made.append(LoopbackProxy(upstream_port, **options))
        return made[-1]

    yield make
    for proxy in made:
        proxy.close()


def publish(*args: str, env: dict[str, str] | None = None):
    """Run `giigraph publish ARGS` in-process, with no credentials or proxies from the environment
    (a proxy variable would send loopback traffic elsewhere)."""
    clean = {**dict.fromkeys(PROXY_VARIABLES), "GIIGRAPH_STORE_USER": None, "GIIGRAPH_STORE_PASSWORD": None, "GIIGRAPH_STORE_TOKEN": None,
             "NETRC": "/nonexistent/netrc", "SSL_CERT_FILE": None, **(env or {})}
    return CliRunner().invoke(main, ["publish", *args], env=clean)


def error_of(result) -> str:
    """The error report: stderr from its `error:` line on (retry notes come before it)."""
    stderr = result.stderr
    return stderr[stderr.index("error: "):]


def expected_counts(dataset) -> dict[str, int]:
    return {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}


@pytest.fixture(scope="module")
def published(oxigraph_module, dataset):
    result = publish("--store", oxigraph_module.store, "--update-endpoint", oxigraph_module.update)
    assert result.exit_code == 0, result.output
    return oxigraph_module


@pytest.fixture(scope="module")
def local_store(dataset):
    store = pyoxigraph.Store()
    store.load(serialize(dataset, "nquads"), pyoxigraph.RdfFormat.N_QUADS)
    return store


def standalone(text: str) -> str:
    """The query with PREFIX lines for the prefixes giigraph predeclares, as a store needs it."""
    declared = {m.lower() for m in re.findall(r"(?im)^\s*PREFIX\s+([\w-]*):", text)}
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in data_prefixes(DEFAULT_BASE, ALL_KINDS).items()
                       if p.lower() not in declared)
    return prologue + text


def test_there_are_queries():
    assert QUERIES, "no competency queries found"


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_answers_over_http_equal_local_answers(published, local_store, query):
    text = standalone(query.read_text(encoding="utf-8"))
    local = local_store.query(text, use_default_graph_as_union=True)
    if isinstance(local, pyoxigraph.QueryTriples):
        remote = published.query(text, accept=GRAPH_TYPES).text
        expected = local.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES).decode()
        assert set(remote.splitlines()) == set(expected.splitlines())
        assert remote.strip(), "the query returned no triples: it tests nothing"
    else:
        remote = sparql_json_rows(published.query(text).text)
        expected = sparql_json_rows(local.serialize(format=pyoxigraph.QueryResultsFormat.JSON).decode())
        assert remote == expected
        assert remote or isinstance(remote, bool), "the query has no answer: it tests nothing"


def test_store_holds_exactly_the_dataset(published, dataset, local_store):
    """Quad for quad, as a store writes them: Oxigraph gives typed numbers back in their canonical
    form (a share printed 1.0 comes back as 1), so the dataset is compared as Oxigraph reads it."""
    assert published.graph_counts() == expected_counts(dataset)
    as_read = local_store.dump(format=pyoxigraph.RdfFormat.N_QUADS).decode()
    assert len(as_read.splitlines()) == len(serialize(dataset, "nquads").decode().splitlines())
    assert published.dump() == set(as_read.splitlines())


MODES = {
    "gsp-direct": lambda s: ["--store", s.store],
    "gsp-staged": lambda s: ["--store", s.store, "--update-endpoint", s.update],
    "gsp-staged-sparql-count": lambda s: ["--store", s.store, "--update-endpoint", s.update,
                                          "--query-endpoint", s.query_url],
    "update": lambda s: ["--protocol", "update", "--store", s.update, "--query-endpoint", s.query_url],
}


@pytest.mark.parametrize("mode", MODES)
def test_republishing_replaces_and_never_duplicates(oxigraph, dataset, mode):
    want = expected_counts(dataset)
    for _ in range(2):
        result = publish(*MODES[mode](oxigraph))
        assert result.exit_code == 0, result.output
        assert oxigraph.graph_counts() == want
    assert "counted on the store" in result.stdout
    for iri, n in want.items():
        assert f"<{iri}>" in result.stdout and f"{n:,} triples" in result.stdout


def test_one_graph_option_merges_everything(oxigraph, dataset):
    result = publish("--store", oxigraph.store, "--graph", "https://example.org/graph/gii")
    assert result.exit_code == 0, result.output
    triples = {quad[:3] for quad in dataset.quads((None, None, None, None))}
    assert oxigraph.graph_counts() == {"https://example.org/graph/gii": len(triples)}


def test_publish_from_a_dump_file(oxigraph, dataset, tmp_path):
    nq = tmp_path / "giigraph.nq"
    nq.write_bytes(serialize(dataset, "nquads"))
    result = publish(str(nq), "--store", oxigraph.store, "--update-endpoint", oxigraph.update)
    assert result.exit_code == 0, result.output
    assert oxigraph.graph_counts() == expected_counts(dataset)


def test_triples_only_dump_needs_a_graph(oxigraph, dataset, tmp_path):
    ttl = tmp_path / "giigraph.ttl"
    ttl.write_bytes(serialize(dataset, "turtle"))
    result = publish(str(ttl), "--store", oxigraph.store)
    assert result.exit_code == 2
    assert "outside named graphs; give --graph" in result.stderr
    assert oxigraph.graph_counts() == {}


def test_dry_run_prints_requests_and_sends_nothing(oxigraph, proxy_factory, dataset):
    proxy = proxy_factory(oxigraph.port)
    result = publish("--store", proxy.url + "/store", "--update-endpoint", proxy.url + "/update", "--dry-run")
    assert result.exit_code == 0, result.output
    assert proxy.connections == 0 and oxigraph.graph_counts() == {}
    out = result.stdout
    assert out.startswith("dry run: nothing is sent")
    for iri, n in expected_counts(dataset).items():
        assert f"<{iri}> via <{STAGING_PREFIX}{iri}>: {n:,} triples" in out
        assert f"MOVE GRAPH <{STAGING_PREFIX}{iri}> TO GRAPH <{iri}>" in out
    assert out.count("PUT ") == len(expected_counts(dataset))


def test_count_difference_fails_loudly_and_publishes_nothing(oxigraph, tmp_path):
    # Oxigraph keeps typed literals by value: "1.0" and "1.00" as xsd:decimal become one triple
    # (rdflib keeps two, as RDF says: they are different literals).
    data = tmp_path / "odd.nq"
    line = '<https://example.org/s> <https://example.org/p> "{}"^^<http://www.w3.org/2001/XMLSchema#decimal> <{}> .\n'
    data.write_text("".join(line.format(v, "https://example.org/g") for v in ("1.0", "1.00")))
    result = publish(str(data), "--store", oxigraph.store, "--update-endpoint", oxigraph.update)
    assert result.exit_code == 1
    assert "nothing was published: the store did not keep what was sent" in result.stderr
    assert "<https://example.org/g>: 1 of 2 triples arrived" in result.stderr
    assert oxigraph.graph_counts() == {}  # staging graph removed, target never created
    result = publish(str(data), "--store", oxigraph.store)
    assert result.exit_code == 1
    assert "<https://example.org/g> holds 1 triples, 2 expected" in result.stderr


# --- a connection killed mid-way -----------------------------------------------------------------
def _middle_line(dataset, graph_index: int) -> bytes:
    """A triple from the middle of the graph-th upload: the proxy cuts right before it."""
    body = graph_uploads(dataset)[graph_index].ntriples.splitlines()
    return body[len(body) // 2]


def _old_version(server, dataset) -> set[str]:
    """Put a previous version of the first two graphs to upload in the store, to see what a failed
    publish leaves."""
    old = "<https://w3id.org/giigraph/id/x> <http://www.w3.org/2000/01/rdf-schema#label> \"old\" <{}> .\n"
    server.load("".join(old.format(upload.target) for upload in graph_uploads(dataset)[:2]).encode())
    return server.dump()


@pytest.mark.parametrize("protocol", ["gsp", "update"])
@pytest.mark.parametrize("cut_graph", [0, 1])
def test_cut_connection_while_staged_leaves_store_as_it_was(oxigraph, proxy_factory, dataset, protocol, cut_graph):
    before = _old_version(oxigraph, dataset)
    proxy = proxy_factory(oxigraph.port, cut_at=_middle_line(dataset, cut_graph))
    if protocol == "gsp":
        args = ["--store", proxy.url + "/store", "--update-endpoint", proxy.url + "/update"]
    else:
        args = ["--protocol", "update", "--store", proxy.url + "/update", "--query-endpoint", proxy.url + "/query"]
    result = publish(*args, "--retries", "1")
    assert result.exit_code == 1, result.output
    assert proxy.cuts == 2  # the first try and its retry
    message = error_of(result)
    assert message.startswith("error: nothing was published: uploading <")
    assert f"(graph {cut_graph + 1} of {len(graph_uploads(dataset))}) to its staging graph failed" in message
    assert "connection lost" in message and "(after 2 attempts)" in message
    assert "The store's graphs are as they were; the staging graphs were removed." in message
    assert "Run the same publish again" in message
    assert oxigraph.dump() == before

    result = publish(*args, "--retries", "0")  # the proxy still cuts every upload; the store directly:
    assert result.exit_code == 1
    result = publish(*(a.replace(proxy.url, oxigraph.url) for a in args))
    assert result.exit_code == 0, result.output
    assert oxigraph.graph_counts() == expected_counts(dataset)


@pytest.mark.parametrize("cut_graph", [0, 1])
def test_cut_connection_in_direct_mode_names_the_incomplete_graph(oxigraph, proxy_factory, dataset, cut_graph):
    _old_version(oxigraph, dataset)
    uploads = graph_uploads(dataset)
    proxy = proxy_factory(oxigraph.port, cut_at=_middle_line(dataset, cut_graph))
    result = publish("--store", proxy.url + "/store", "--retries", "0")
    assert result.exit_code == 1, result.output
    message = error_of(result)
    assert message.count("\n") == 1, "one line"
    assert message.startswith(f"error: publishing stopped at graph {cut_graph + 1} of {len(uploads)}, the store is "
                              f"HALF-PUBLISHED: PUT {proxy.url}/store: connection lost")
    broken = uploads[cut_graph]
    counts = oxigraph.graph_counts()
    assert counts[broken.target] != broken.triples
    assert f"INCOMPLETE <{broken.target}>: the store holds {counts[broken.target]:,} triples there, " \
           f"{broken.triples:,} were sent (its previous state, or what it kept of the broken upload)" in message
    rest = len(uploads) - cut_graph - 1
    assert f"; not sent {rest} graph(s) (<{uploads[cut_graph + 1].target}>, " in message
    assert message.rstrip().endswith("switch them all at once.")
    if cut_graph == 0:
        assert "replaced" not in message
        assert counts[uploads[1].target] == 1
    else:
        assert f"replaced 1 graph(s) (<{uploads[0].target}>); INCOMPLETE" in message
        assert counts[uploads[0].target] == uploads[0].triples
    assert f"and {rest - 3} more). Run the same publish again" in message
    result = publish("--store", oxigraph.store)
    assert result.exit_code == 0, result.output
    assert oxigraph.graph_counts() == expected_counts(dataset)


def test_failed_switch_publishes_nothing(oxigraph, proxy_factory, dataset):
    before = _old_version(oxigraph, dataset)
    proxy = proxy_factory(oxigraph.port, cut_at=b"MOVE GRAPH")
    result = publish("--store", proxy.url + "/store", "--update-endpoint", proxy.url + "/update", "--retries", "1")
    assert result.exit_code == 1, result.output
    assert error_of(result).startswith(f"error: nothing was published: the switching update failed: POST "
                                       f"{proxy.url}/update: connection lost")
    assert "The store's graphs are as they were; the staging graphs were removed." in result.stderr
    assert oxigraph.dump() == before


def test_switch_done_but_its_answer_lost_is_found_out(oxigraph, proxy_factory, dataset):
    """The store switched, the answer never came: the counts show it, and the publish succeeds."""
    _old_version(oxigraph, dataset)
    proxy = proxy_factory(oxigraph.port, cut_at=b"MOVE GRAPH", lose_answer=True)
    result = publish("--store", proxy.url + "/store", "--update-endpoint", proxy.url + "/update", "--retries", "1")
    assert result.exit_code == 0, result.output
    assert proxy.cuts == 2  # the switch, and its retry that the store refused (nothing left to move)
    assert oxigraph.graph_counts() == expected_counts(dataset)


def test_a_dropped_connection_is_retried(oxigraph, proxy_factory, dataset):
    proxy = proxy_factory(oxigraph.port, cut_at=_middle_line(dataset, 1), cut_times=1)
    result = publish("--store", proxy.url + "/store", "--update-endpoint", proxy.url + "/update")
    assert result.exit_code == 0, result.output
    assert proxy.cuts == 1
    assert "retrying in 0.5 s (1/4): PUT" in result.stderr and "connection lost" in result.stderr
    assert oxigraph.graph_counts() == expected_counts(dataset)


def test_5xx_is_retried_with_backoff(oxigraph, proxy_factory, dataset):
    proxy = proxy_factory(oxigraph.port, fail_first=2)
    result = publish("--store", proxy.url + "/store", "--update-endpoint", proxy.url + "/update")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("HTTP 503 Service Unavailable: store restarting") == 2
    assert "retrying in 1 s (2/4)" in result.stderr
    assert oxigraph.graph_counts() == expected_counts(dataset)


def test_5xx_beyond_the_retries_fails_and_changes_nothing(oxigraph, proxy_factory):
    proxy = proxy_factory(oxigraph.port, fail_first=100)
    result = publish("--store", proxy.url + "/store", "--retries", "1")
    assert result.exit_code == 1
    assert "HTTP 503 Service Unavailable: store restarting (after 2 attempts)" in result.stderr
    assert oxigraph.graph_counts() == {}


def test_unreachable_store_is_a_clear_error():
    url = f"http://127.0.0.1:{free_port()}"
    result = publish("--store", url + "/store", "--update-endpoint", url + "/update", "--retries", "0")
    assert result.exit_code == 1
    assert error_of(result).startswith("error: nothing was published: uploading <")
    assert "cannot connect" in result.stderr


# --- credentials and TLS --------------------------------------------------------------------------
SECRET = "s3cr3t-Pa55"


def _authorization(proxy) -> set[bytes]:
    return {line.split(b":", 1)[1].strip() for line in bytes(proxy.transcript).split(b"\r\n")
            if line.lower().startswith(b"authorization:")}


@pytest.mark.parametrize("source", ["env", "netrc", "token"])
def test_credentials_are_sent_and_never_shown(oxigraph, proxy_factory, tmp_path, source):
    proxy = proxy_factory(oxigraph.port)
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login alice password {SECRET}\n")
    netrc.chmod(0o600)
    env = {"env": {"GIIGRAPH_STORE_USER": "alice", "GIIGRAPH_STORE_PASSWORD": SECRET},
           "netrc": {"NETRC": str(netrc)},
           "token": {"GIIGRAPH_STORE_TOKEN": SECRET}}[source]
    args = ["--store", proxy.url + "/store", "--update-endpoint", proxy.url + "/update"]
    dry = publish(*args, "--dry-run", env=env)
    result = publish(*args, env=env)
    assert result.exit_code == 0, result.output
    basic = b"Basic " + base64.b64encode(f"alice:{SECRET}".encode())
    assert _authorization(proxy) == ({b"Bearer " + SECRET.encode()} if source == "token" else {basic})
    origin = {"env": "user and password from $GIIGRAPH_STORE_USER/$GIIGRAPH_STORE_PASSWORD",
              "netrc": f"netrc file {netrc}, machine 127.0.0.1", "token": "bearer token from $GIIGRAPH_STORE_TOKEN"}
    assert f"credentials: {origin[source]}" in dry.stdout
    for text in (dry.output, result.output):
        assert SECRET not in text and base64.b64encode(f"alice:{SECRET}".encode()).decode() not in text


@pytest.mark.parametrize("same", [False, True])
def test_environment_credentials_go_to_the_store_host_only(oxigraph, proxy_factory, dataset, same):
    """Two listeners: the store's, and a query endpoint on another origin that must not get the store's
    credentials unless --same-credentials says it shares them."""
    store, elsewhere = proxy_factory(oxigraph.port), proxy_factory(oxigraph.port)
    env = {"GIIGRAPH_STORE_USER": "alice", "GIIGRAPH_STORE_PASSWORD": SECRET}
    result = publish("--store", store.url + "/store", "--update-endpoint", store.url + "/update",
                     "--query-endpoint", elsewhere.url + "/query", *(["--same-credentials"] if same else []), env=env)
    assert result.exit_code == 0, result.output
    basic = b"Basic " + base64.b64encode(f"alice:{SECRET}".encode())
    assert _authorization(store) == {basic}
    assert elsewhere.connections and _authorization(elsewhere) == ({basic} if same else set())
    assert oxigraph.graph_counts() == expected_counts(dataset)


def test_netrc_entries_go_to_their_own_hosts(oxigraph, proxy_factory, tmp_path):
    store, elsewhere = proxy_factory(oxigraph.port), proxy_factory(oxigraph.port)
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login alice password {SECRET}\nmachine localhost login bob password b0b\n")
    netrc.chmod(0o600)
    query = elsewhere.url.replace("127.0.0.1", "localhost") + "/query"
    result = publish("--store", store.url + "/store", "--query-endpoint", query, env={"NETRC": str(netrc)})
    assert result.exit_code == 0, result.output
    assert _authorization(store) == {b"Basic " + base64.b64encode(f"alice:{SECRET}".encode())}
    assert _authorization(elsewhere) == {b"Basic " + base64.b64encode(b"bob:b0b")}


def test_credentials_in_the_url_are_refused(oxigraph):
    result = publish("--store", f"http://alice:{SECRET}@127.0.0.1:{oxigraph.port}/store")
    assert result.exit_code == 2
    assert "--store must not carry credentials" in result.stderr and SECRET not in result.output


@pytest.fixture
def tls_proxy(oxigraph, proxy_factory):
    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return ca, proxy_factory(oxigraph.port, tls=context)


def test_tls_certificates_are_verified(oxigraph, tls_proxy, tmp_path, dataset):
    ca, proxy = tls_proxy
    args = ["--store", proxy.url + "/store", "--update-endpoint", proxy.url + "/update", "--retries", "0"]
    result = publish(*args)
    assert result.exit_code == 1
    assert "CERTIFICATE_VERIFY_FAILED" in result.stderr
    assert oxigraph.graph_counts() == {}
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    result = publish(*args, env={"SSL_CERT_FILE": str(ca_file)})
    assert result.exit_code == 0, result.output
    assert oxigraph.graph_counts() == expected_counts(dataset)


def test_publish_as_a_real_process(oxigraph, dataset):
    """The installed command, as a user runs it: exit status, stdout, and the store's contents."""
    completed = subprocess.run(
        [sys.executable, "-m", "giigraph", "publish", "--store", oxigraph.store, "--update-endpoint", oxigraph.update],
        capture_output=True, text=True, timeout=120,
        env={k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES and not k.startswith("GIIGRAPH_STORE")})
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith(f"published {len(expected_counts(dataset))} graph(s)")
    assert oxigraph.graph_counts() == expected_counts(dataset)


# --- publish --changed ----------------------------------------------------------------------------
META = "urn:giigraph:published"


def _versions(dataset, tmp_path: Path) -> tuple[Path, Path, dict[str, int], dict[str, int], tuple[str, str, str]]:
    """Two versions of the data as N-Quads: the dataset with an extra article graph, and then with that
    graph removed, another added and one graph changed (a triple more)."""
    triple = '<https://w3id.org/giigraph/id/{}> <http://www.w3.org/2000/01/rdf-schema#label> "{}" <{}> .\n'
    base = serialize(dataset, "nquads").decode()
    changed = sorted(expected_counts(dataset))[0]
    removed, added = (f"https://w3id.org/giigraph/graph/source/test-{n}-article" for n in ("old", "new"))
    first, second = tmp_path / "first.nq", tmp_path / "second.nq"
    first.write_text(base + triple.format("x", "old", removed), encoding="utf-8")
    second.write_text(base + triple.format("y", "new", added) + triple.format("z", "more", changed), encoding="utf-8")
    before = {**expected_counts(dataset), removed: 1}
    after = {**expected_counts(dataset), added: 1}
    after[changed] += 1
    return first, second, before, after, (changed, removed, added)


def check_changed_publish(args: list[str], env: dict[str, str], counts, dataset, tmp_path: Path) -> None:
    """--changed on a store: the first run sends all, the next nothing, then exactly what changed;
    `counts()` gives the store's triples per graph (giigraph's graphs and the metadata graph)."""
    first, second, before, after, (changed, removed, added) = _versions(dataset, tmp_path)
    result = publish(str(first), *args, "--changed", env=env)
    assert result.exit_code == 0, result.output
    assert f"sent {len(before)} graph(s), kept 0, dropped 0; counted on the store: {sum(before.values()):,} " \
           "triples" in result.stdout
    now = counts()
    assert now.pop(META) == 5 * len(before) and now == before
    result = publish(str(first), *args, "--changed", env=env)
    assert result.exit_code == 0, result.output
    assert f"sent 0 graph(s), kept {len(before)}, dropped 0" in result.stdout
    assert f"kept     {len(before)} graph(s) unchanged: <" in result.stdout

    result = publish(str(second), *args, "--changed", env=env)
    assert result.exit_code == 0, result.output
    assert f"sent 2 graph(s), kept {len(after) - 2}, dropped 1; counted on the store: {sum(after.values()):,} " \
           f"triples in {len(after)} graph(s), as expected" in result.stdout
    assert f"  sent     <{changed}>  {after[changed]:,} triples" in result.stdout
    assert f"  sent     <{added}>  1 triples" in result.stdout and f"  dropped  <{removed}>" in result.stdout
    now = counts()
    assert now.pop(META) == 5 * len(after) and now == after

    result = publish(str(second), *args, env=env)  # a publish without --changed forgets the hashes
    assert result.exit_code == 0, result.output
    assert META not in counts()
    assert f"sent {len(after)} graph(s), kept 0" in publish(str(second), *args, "--changed", env=env).stdout


@pytest.mark.parametrize("mode", MODES)
def test_changed_sends_only_what_changed(oxigraph, dataset, tmp_path, mode):
    check_changed_publish(MODES[mode](oxigraph), {}, oxigraph.graph_counts, dataset, tmp_path)


def test_changed_dry_run_reads_the_hashes_and_sends_nothing(oxigraph, dataset, tmp_path):
    args = MODES["gsp-staged"](oxigraph)
    first, second, _, after, _ = _versions(dataset, tmp_path)
    assert publish(str(first), *args, "--changed").exit_code == 0
    before = oxigraph.dump()
    dry = publish(str(second), *args, "--changed", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"patched in the switching update): send 2 graph(s), keep {len(after) - 2}, drop 1" in dry.stdout
    assert oxigraph.dump() == before
