"""What `giigraph publish` would send, and where its credentials come from, without any network."""
from __future__ import annotations

import httpx
import pytest
from rdflib import Dataset, Literal, URIRef

from giigraph.errors import InputError
from giigraph.publish import credentials, describe
from giigraph.publish.plan import Endpoints, check_iri, graph_uploads, make_plan, staging_iri

STORE = "http://127.0.0.1:7878/store"
UPDATE = "http://127.0.0.1:7878/update"


def tiny(graphs: int = 2, triples: int = 3) -> Dataset:
    ds = Dataset()
    for g in range(graphs):
        graph = ds.graph(URIRef(f"https://example.org/graph/{g}"))
        for t in range(triples):
            subject = URIRef(f"https://example.org/s{t}")
            graph.add((subject, URIRef("https://example.org/p"), Literal(f"v{g}-{t}", lang="en")))
    return ds


def test_one_upload_per_named_graph_as_sorted_ntriples():
    uploads = graph_uploads(tiny())
    assert [u.target for u in uploads] == ["https://example.org/graph/0", "https://example.org/graph/1"]
    for u in uploads:
        lines = u.ntriples.decode().splitlines()
        assert lines == sorted(lines) and len(lines) == u.triples == 3
        assert u.staging is None and u.landing == u.target


def test_graph_option_merges_every_graph_into_one():
    (upload,) = graph_uploads(tiny(), "https://example.org/all")
    assert upload.target == "https://example.org/all" and upload.triples == 6


def test_default_graph_triples_need_a_graph_option():
    ds = tiny()
    ds.add((URIRef("https://example.org/a"), URIRef("https://example.org/b"), Literal("c")))
    with pytest.raises(InputError, match="1 triples outside named graphs; give --graph IRI"):
        graph_uploads(ds)


def test_nothing_to_publish_is_an_input_error():
    with pytest.raises(InputError, match="no triples to publish"):
        graph_uploads(Dataset())


@pytest.mark.parametrize("bad", ["graph", "https://example.org/a b", "https://example.org/<x>", ""])
def test_graph_names_must_be_absolute_iris(bad):
    with pytest.raises(InputError, match="is not an absolute IRI"):
        check_iri(bad, "--graph")


def test_staging_graph_is_fixed_per_target_and_a_valid_iri():
    target = "https://w3id.org/giigraph/graph/source/cnipnews-2023-10-08"
    assert staging_iri(target) == "urn:giigraph:staging:" + target
    assert check_iri(staging_iri("https://example.org/g?x=1#f"), "staging")


@pytest.mark.parametrize("kwargs,message", [
    ({"store": "ftp://example.org/store"}, "is not an http(s) URL"),
    ({"store": "http://u:p@example.org/store"}, "--store must not carry credentials"),
    ({"store": STORE, "update": "http://u@example.org/update"}, "--update-endpoint must not carry credentials"),
    ({"store": STORE, "protocol": "sparql"}, "unknown protocol"),
    ({"store": UPDATE, "protocol": "update", "update": "http://127.0.0.1:1/update"}, "is for --protocol gsp"),
])
def test_endpoints_are_checked(kwargs, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Endpoints(**kwargs)


def test_gsp_direct_plan_puts_each_graph_and_has_no_switch():
    plan = make_plan(tiny(), Endpoints(STORE))
    assert not plan.staged and plan.commit is None
    (put,) = plan.uploads[0]
    assert (put.method, put.url, put.params) == ("PUT", STORE, (("graph", "https://example.org/graph/0"),))
    assert put.content_type == "application/n-triples" and put.body == plan.graphs[0].ntriples


def test_gsp_staged_plan_puts_into_staging_then_moves_all_in_one_update():
    plan = make_plan(tiny(), Endpoints(STORE, update=UPDATE))
    assert plan.staged
    assert [reqs[0].params for reqs in plan.uploads] == [(("graph", staging_iri(g.target)),) for g in plan.graphs]
    assert plan.commit.url == UPDATE and plan.commit.content_type == "application/sparql-update"
    assert plan.commit.body.decode() == (
        "MOVE GRAPH <urn:giigraph:staging:https://example.org/graph/0> TO GRAPH <https://example.org/graph/0> ;\n"
        "MOVE GRAPH <urn:giigraph:staging:https://example.org/graph/1> TO GRAPH <https://example.org/graph/1> ;\n"
        "DROP SILENT GRAPH <urn:giigraph:published>\n")  # the --changed hashes are no longer true


def test_update_plan_batches_whole_lines_and_clears_staging_first():
    plan = make_plan(tiny(1, 40), Endpoints(UPDATE, protocol="update"), chunk_bytes=1000)
    (requests,) = plan.uploads
    assert len(requests) > 1
    bodies = [r.body.decode() for r in requests]
    assert bodies[0].startswith("DROP SILENT GRAPH <urn:giigraph:staging:https://example.org/graph/0> ;\nINSERT DATA {")
    assert not any(b.startswith("DROP") for b in bodies[1:])
    sent = [line for b in bodies for line in b.splitlines() if line.startswith("<")]
    assert sent == plan.graphs[0].ntriples.decode().splitlines()
    assert all(b.endswith("} }\n") for b in bodies)


def test_update_batches_stay_under_virtuosos_triple_limit():
    plan = make_plan(tiny(1, 4500), Endpoints(UPDATE, protocol="update"))
    sizes = [sum(line.startswith("<") for line in r.body.decode().splitlines()) for r in plan.uploads[0]]
    assert sizes == [2000, 2000, 500]


def test_big_graph_store_uploads_go_in_chunks_put_then_post():
    plan = make_plan(tiny(1, 40), Endpoints(STORE), chunk_bytes=1000)
    (requests,) = plan.uploads
    assert [r.method for r in requests] == ["PUT"] + ["POST"] * (len(requests) - 1) and len(requests) > 2
    assert all(len(r.body) <= 1000 and r.body.endswith(b"\n") for r in requests)
    assert b"".join(r.body for r in requests) == plan.graphs[0].ntriples
    assert len(make_plan(tiny(1, 40), Endpoints(STORE)).uploads[0]) == 1


def test_describe_lists_every_request_and_no_secret():
    plan = make_plan(tiny(), Endpoints(STORE, update=UPDATE))
    text = describe(plan, "netrc file /home/u/.netrc, machine 127.0.0.1")
    assert "credentials: netrc file /home/u/.netrc, machine 127.0.0.1" in text
    assert text.count("PUT http://127.0.0.1:7878/store?graph=urn:giigraph:staging:") == 2
    assert "POST http://127.0.0.1:7878/update (application/sparql-update" in text
    assert "data: 2 graph(s), 6 triples" in text


# --- credentials ----------------------------------------------------------------------------------
def _header(creds: credentials.Credentials) -> str | None:
    if creds.auth is None:
        return None
    request = httpx.Request("GET", STORE)
    return next(creds.auth.sync_auth_flow(request)).headers.get("Authorization")


def test_no_credentials(tmp_path):
    creds = credentials.for_url(STORE, {"NETRC": str(tmp_path / "missing")})
    assert creds.auth is None and creds.origin == "none"


def test_user_and_password_from_the_environment():
    creds = credentials.for_url(STORE, {"GIIGRAPH_STORE_USER": "alice", "GIIGRAPH_STORE_PASSWORD": "pw"})
    assert _header(creds) == httpx.BasicAuth("alice", "pw")._auth_header
    assert "pw" not in creds.origin


def test_digest_on_request():
    creds = credentials.for_url(STORE, {"GIIGRAPH_STORE_USER": "a", "GIIGRAPH_STORE_PASSWORD": "b",
                                        "GIIGRAPH_STORE_AUTH": "digest"})
    assert isinstance(creds.auth, httpx.DigestAuth)


def test_token_wins_over_user_and_netrc(tmp_path):
    creds = credentials.for_url(STORE, {"GIIGRAPH_STORE_TOKEN": "t0k", "GIIGRAPH_STORE_USER": "alice",
                                        "GIIGRAPH_STORE_PASSWORD": "pw"})
    assert _header(creds) == "Bearer t0k"


def test_half_a_password_pair_is_an_error():
    with pytest.raises(InputError, match=r"\$GIIGRAPH_STORE_PASSWORD is not set"):
        credentials.for_url(STORE, {"GIIGRAPH_STORE_USER": "alice"})


def test_unknown_auth_scheme_is_an_error():
    with pytest.raises(InputError, match="is not an auth scheme"):
        credentials.for_url(STORE, {"GIIGRAPH_STORE_USER": "a", "GIIGRAPH_STORE_PASSWORD": "b",
                                    "GIIGRAPH_STORE_AUTH": "ntlm"})


def test_netrc_entry_for_the_store_host(tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine other.example login x password y\nmachine 127.0.0.1 login alice password pw\n")
    netrc.chmod(0o600)
    creds = credentials.for_url(STORE, {"NETRC": str(netrc)})
    assert _header(creds) == httpx.BasicAuth("alice", "pw")._auth_header
    assert creds.origin == f"netrc file {netrc}, machine 127.0.0.1"
    assert credentials.for_url("http://elsewhere.example/store", {"NETRC": str(netrc)}).auth is None


def test_malformed_netrc_names_file_and_line(tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login alice password pw\nfrobnicate x\n")
    netrc.chmod(0o600)
    with pytest.raises(InputError, match=f"{netrc}:2: bad follower token 'frobnicate'"):
        credentials.for_url(STORE, {"NETRC": str(netrc)})


@pytest.mark.parametrize("store,auth,warned", [
    ("http://store.example/store", True, True),
    ("https://store.example/store", True, False),
    ("http://store.example/store", False, False),
    ("http://127.0.0.1:7878/store", True, False),
    ("http://localhost:7878/store", True, False),
])
def test_credentials_over_plain_http_are_warned_about(store, auth, warned):
    from giigraph.publish import cleartext_warnings

    creds = credentials.Credentials(httpx.BasicAuth("a", "b") if auth else None, "a test")
    notes = cleartext_warnings(credentials.HostCredentials({credentials.origin(store): creds}))
    assert bool(notes) == warned
    assert all(n == "warning: credentials (a test) go over plain http to store.example; use https" for n in notes)


ENV = {"GIIGRAPH_STORE_USER": "alice", "GIIGRAPH_STORE_PASSWORD": "pw", "NETRC": "/nonexistent"}


def test_environment_credentials_go_to_the_store_origin_only():
    creds = credentials.for_endpoints(["https://store.example/update", "https://query.example/sparql",
                                       "http://store.example/sparql", "https://store.example:8443/sparql"],
                                      "https://store.example/store", ENV)
    assert _header(creds.for_url("https://store.example:443/update")) == httpx.BasicAuth("alice", "pw")._auth_header
    for other in ("https://query.example/sparql", "http://store.example/sparql", "https://store.example:8443/x"):
        assert creds.for_url(other).auth is None, other
    assert creds.for_url("https://never.example/").auth is None  # an origin not planned for gets nothing
    shared = credentials.for_endpoints(["https://query.example/sparql"], "https://store.example/store", ENV,
                                       same_credentials=True)
    assert _header(shared.for_url("https://query.example/sparql")) == httpx.BasicAuth("alice", "pw")._auth_header


def test_netrc_entries_go_to_their_own_hosts(tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine store.example login alice password pw\nmachine query.example login bob password b0b\n")
    netrc.chmod(0o600)
    creds = credentials.for_endpoints(["https://query.example/sparql", "https://third.example/update"],
                                      "https://store.example/store", {"NETRC": str(netrc)})
    assert _header(creds.for_url("https://store.example/store")) == httpx.BasicAuth("alice", "pw")._auth_header
    assert _header(creds.for_url("https://query.example/sparql")) == httpx.BasicAuth("bob", "b0b")._auth_header
    assert creds.for_url("https://third.example/update").auth is None
    assert "machine query.example" in creds.describe() and "pw" not in creds.describe()


def test_one_warning_per_cleartext_host():
    from giigraph.publish import cleartext_warnings

    creds = credentials.for_endpoints(["http://query.example/sparql", "https://update.example/u"],
                                      "http://store.example/store", ENV, same_credentials=True)
    assert [n.rsplit(" to ", 1)[1] for n in cleartext_warnings(creds)] == ["store.example; use https",
                                                                          "query.example; use https"]


# --- --changed: hashes and what to send -----------------------------------------------------------
def test_metadata_graph_reads_back_what_it_records():
    import pyoxigraph

    from giigraph.publish.changes import Recorded, metadata_ntriples, parse_metadata

    recorded = {"https://example.org/graph/0": Recorded("ab" * 32, 3), "https://example.org/graph/1": Recorded("cd" * 32, 1),
                "https://example.org/graph/2": Recorded("ab" * 32, 3)}  # equal content: one checksum node
    body = metadata_ntriples(recorded)
    assert b"_:" not in body and body.count(b"\n") == 2 * 3 + 3 * 2
    assert parse_metadata(pyoxigraph.parse(body, pyoxigraph.RdfFormat.N_TRIPLES)) == recorded


def test_changed_plan_sends_new_and_changed_graphs_and_drops_the_removed():
    from giigraph.publish.changes import META_GRAPH, Recorded

    graphs = graph_uploads(tiny(3))
    recorded = {graphs[0].target: Recorded(graphs[0].sha256, 3), graphs[1].target: Recorded("0" * 64, 3),
                "https://example.org/graph/gone": Recorded("1" * 64, 9)}
    plan = make_plan(tiny(3), Endpoints(STORE, update=UPDATE), recorded=recorded)
    assert [g.target for g in plan.graphs] == [graphs[1].target, graphs[2].target, META_GRAPH]
    assert plan.kept == ((graphs[0].target, 3),) and plan.dropped == ("https://example.org/graph/gone",)
    assert plan.commit.body.decode().endswith(f"TO GRAPH <{META_GRAPH}> ;\nDROP SILENT GRAPH <https://example.org/graph/gone>\n")
    direct = make_plan(tiny(3), Endpoints(STORE), recorded=recorded)
    assert [r.method for r in direct.prelude] == ["PUT"]  # the hashes of what stays, before anything changes
    assert [r.method for r in direct.uploads[-1]] == ["DELETE", "PUT"]
    unchanged = make_plan(tiny(3), Endpoints(STORE, update=UPDATE),
                          recorded={g.target: Recorded(g.sha256, 3) for g in graphs})
    assert not unchanged.graphs and not unchanged.commit and len(unchanged.kept) == 3


def test_digests_cut_from_nquads_equal_the_uploaded_ntriples_hashes():
    """The hashes --changed compares (cut from the dataset's sorted N-Quads lines) are those of the bytes
    a publish sends, with the graph's IRI on each line, also with a literal that looks like a line end
    and graphs whose IRIs extend one another."""
    from giigraph.quads import Quads

    ds = tiny(3)
    ds.graph(URIRef("https://example.org/graph/1x")).add(
        (URIRef("https://example.org/s0"), URIRef("https://example.org/p"), Literal('a "b" <https://example.org/graph/1> .\n')))
    ds.graph(URIRef("https://example.org/graph/1")).add(
        (URIRef("https://example.org/s0"), URIRef("https://example.org/p"), Literal("v1-0", lang="en-GB")))
    quads = Quads.from_rdflib(ds)
    quads.nq_lines()
    assert quads.graph_digests() == {u.target: (u.sha256, u.triples) for u in graph_uploads(ds)}


@pytest.mark.parametrize("seed", range(40))
def test_metadata_patch_gives_the_metadata_graph_a_full_rewrite_gives(seed):
    """Patching the metadata graph in the switching update (delete the entries of what was sent or
    dropped, their checksum nodes once unused, insert the new entries) leaves exactly the triples a full
    rewrite writes, also when equal graphs share one checksum node."""
    import random

    import pyoxigraph

    from giigraph.publish.changes import META_GRAPH, Recorded, compare, metadata_ntriples, metadata_patch

    rng = random.Random(seed)
    hashes = [f"{n:02x}" * 32 for n in range(4)]
    names = [f"https://example.org/graph/{n}" for n in range(6)]
    recorded = {g: Recorded(rng.choice(hashes), rng.randint(1, 3)) for g in rng.sample(names, rng.randint(1, 6))}
    current = {g: Recorded(rng.choice(hashes), rng.randint(1, 3)) for g in rng.sample(names, rng.randint(1, 6))}
    changes = compare({g: r.sha256 for g, r in current.items()}, recorded)
    touched = [g for g in current if g in changes.sent or recorded.get(g) != current[g]] + list(changes.dropped)
    store = pyoxigraph.Store()
    store.load(metadata_ntriples(recorded), pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.NamedNode(META_GRAPH))
    for step in metadata_patch(recorded, current, touched):
        store.update(step)
    want = {q.triple for q in pyoxigraph.parse(metadata_ntriples(current), pyoxigraph.RdfFormat.N_TRIPLES)}
    assert {q.triple for q in store} == want
