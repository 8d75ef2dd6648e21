"""The bypass corpus: queries written to slip a SERVICE, LOAD or FROM past giigraph's check, run
through every path that executes SPARQL (query, claims, build, SHACL-SPARQL; serve in
test_serve_live.py), with a listener on 127.0.0.1 that must see no connection.

Differential: each case first runs unguarded on the engine that would fetch it (Oxigraph's query or
update, rdflib's evaluator), and the listener must see that; then through giigraph it is refused
and the listener sees nothing. A property test then generates queries around a SERVICE with the
characters and tokens the parsers disagree on, and holds `safety.checked` to: whatever it lets
through runs on neither engine with a request to the listener.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib.plugins.sparql
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st
from rdflib import Dataset

from giigraph.cli import main
from giigraph.errors import QueryRefused, QuerySyntaxError
from giigraph.query.safety import checked
from giigraph.quads import Quads
from giigraph.rdfio import parse_quads, parse_triples
from giigraph.validation import validate_graph

from loopback import Listener
from query_support import TRIG, mini_dataset

DATA = Path(__file__).resolve().parents[1] / "data"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
GII = "https://w3id.org/giigraph/ontology#"

#: name -> (template, the engine that fetches it unguarded; "spec": Oxigraph once the escapes are
#: expanded as SPARQL 1.1 says, which neither engine does in comments; "none": no engine here reads
#: it as a fetch today, refused all the same because the parsers read it differently). {Q}: the query form's head (`SELECT *`,
#: `ASK`, `SELECT $this`), {U}: the listener's URL. Python escapes (\r, \f) are raw characters in
#: the query; SPARQL escapes are written \\u....
CORPUS: dict[str, tuple[str, str]] = {
    "plain": ("{Q} WHERE {{ ?s ?p ?o SERVICE <{U}/f> {{ ?s ?p ?x }} }}", "oxigraph"),
    "comment ended by CR": ("{Q} WHERE {{ ?s ?p ?o # c\r SERVICE <{U}/f> {{ ?s ?p ?x }} \n}}", "oxigraph"),
    "comment ended by \\u000D": ("{Q} WHERE {{ ?s ?p ?o # c\\u000D SERVICE <{U}/f> {{ ?s ?p ?x }} \n}}", "spec"),
    "comment ended by \\u000a": ("{Q} WHERE {{ ?s ?p ?o # c\\u000a SERVICE <{U}/f> {{ ?s ?p ?x }} \n}}", "rdflib"),
    "comment ended by \\U0000000D": ("{Q} WHERE {{ ?s ?p ?o # c\\U0000000D SERVICE <{U}/f> {{ ?s ?p ?x }} \n}}",
                                      "spec"),
    "form feed before SERVICE": ("{Q} WHERE {{ ?s ?p ?o .\fSERVICE <{U}/f> {{ ?s ?p ?x }} }}", "none"),
    "form feed ending a comment": ("{Q} WHERE {{ ?s ?p ?o # c\f SERVICE <{U}/f> {{ ?s ?p ?x }} \n}}", "none"),
    "line separator ending a comment": ("{Q} WHERE {{ ?s ?p ?o # c\u2028 SERVICE <{U}/f> {{ ?s ?p ?x }} \n}}",
                                        "none"),
    "keyword as \\u escapes": ("{Q} WHERE {{ ?s ?p ?o \\u0053\\u0045RVICE <{U}/f> {{ ?s ?p ?x }} }}", "rdflib"),
    "lower-case keyword": ("{Q} WHERE {{ ?s ?p ?o sErViCe <{U}/f> {{ ?s ?p ?x }} }}", "oxigraph"),
    "endpoint IRI with \\u escapes": ("{Q} WHERE {{ ?s ?p ?o SERVICE <{U}/\\u0066> {{ ?s ?p ?x }} }}", "oxigraph"),
    "string closed by an escape": ('{Q} WHERE {{ ?s ?p ?o FILTER(?o != "\\u0022) '
                                   'SERVICE <{U}/f> {{ ?s ?p ?x }} FILTER(?o != "") }}', "rdflib"),
    "\\u with 8 digits, as rdflib reads it": ('{Q} WHERE {{ ?s ?p ?o FILTER(?o != "\\u00000022) '
                                              'SERVICE <{U}/f> {{ ?s ?p ?x }} FILTER(?o != "") }}', "rdflib"),
    "keyword glued to true": ("{Q} WHERE {{ ?s ?p trueSERVICE <{U}/f> {{ ?s ?p ?x }} }}", "oxigraph"),
    "keyword glued to a number": ("{Q} WHERE {{ ?s ?p 1SERVICE <{U}/f> {{ ?s ?p ?x }} }}", "oxigraph"),
    "keyword glued to a prefixed name": ("PREFIX : <{U}/> {Q} WHERE {{ ?s ?p ?o SERVICE:f {{ ?s ?p ?x }} }}",
                                         "oxigraph"),
    "less-than and an apostrophe": ("{Q} WHERE {{ ?s ?p ?o FILTER(?o<'x>') SERVICE <{U}/f> {{ ?s ?p ?x }} #'\n}}",
                                    "oxigraph"),
    "prefixed endpoint": ("PREFIX r: <{U}/> {Q} WHERE {{ ?s ?p ?o SERVICE r:f {{ ?s ?p ?x }} }}", "oxigraph"),
    "nested SERVICE": ("{Q} WHERE {{ ?s ?p ?o SERVICE <{U}/a> {{ SERVICE <{U}/b> {{ ?s ?p ?x }} }} }}", "oxigraph"),
    "SERVICE SILENT": ("{Q} WHERE {{ ?s ?p ?o SERVICE SILENT <{U}/f> {{ ?s ?p ?x }} }}", "oxigraph"),
    "SERVICE on a variable": ("{Q} WHERE {{ VALUES ?e {{ <{U}/f> }} SERVICE ?e {{ ?s ?p ?x }} }}", "none"),
    "SERVICE in FILTER EXISTS in a subquery": (
        "{Q} WHERE {{ {{ SELECT ?s WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{U}/f> {{ ?s ?p ?x }} }} }} }} }}",
        "oxigraph"),
    "FROM": ("{Q} FROM <{U}/d.ttl> WHERE {{ ?s ?p ?o }}", "rdflib"),
    "FROM NAMED": ("{Q} FROM NAMED <{U}/d.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", "rdflib"),
    "FROM a prefixed name": ("PREFIX r: <{U}/> {Q} FROM r:d.ttl WHERE {{ ?s ?p ?o }}", "rdflib"),
    "FROM with \\u escapes": ("{Q} \\u0046ROM <{U}/\\u0064.ttl> WHERE {{ ?s ?p ?o }}", "rdflib"),
    "LOAD": ("LOAD <{U}/d.ttl>", "update"),
    "LOAD SILENT INTO GRAPH": ("LOAD SILENT <{U}/d.ttl> INTO GRAPH <http://example.org/g>", "update"),
    "LOAD as \\u escapes": ("\\u004cOAD <{U}/d.ttl>", "rdflib update"),
}
HEADS = {"query": "SELECT *", "claim": "ASK", "shacl": "SELECT $this"}


@pytest.fixture(scope="module")
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """No proxy variable may divert loopback traffic elsewhere."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def case(name: str, url: str, head: str = HEADS["query"]) -> str:
    return CORPUS[name][0].format(Q=head, U=url)


def quiet(listener: Listener) -> bool:
    """True if nothing reached the listener since the last call (then forgets what did)."""
    arrived = list(listener.settle())
    listener.requests.clear()
    return arrived == []


def run_unguarded(engine: str, text: str) -> None:
    """Run `text` as its engine would with no check; errors (the listener hangs up) are expected."""
    store = ox.Store()
    for value in ("o", True, 1):
        store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal(value)))
    try:
        if engine == "spec":
            list(store.query(re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
                                    lambda m: chr(int(m.group(1) or m.group(2), 16)), text)))
        elif engine == "oxigraph":
            list(store.query(text))
        elif engine == "update":
            store.update(text)
        elif engine == "rdflib update":
            mini_dataset().update(text)
        else:
            dataset = mini_dataset()
            dataset.default_union = True
            list(dataset.query(text))
    except Exception:  # noqa: BLE001  the listener answers nothing useful
        pass


@pytest.mark.parametrize("name", [name for name, (_, engine) in CORPUS.items() if engine != "none"])
def test_control_each_case_fetches_when_run_unguarded(listener, monkeypatch, name):
    """Differential control: without giigraph's check, the case does reach the listener."""
    engine = CORPUS[name][1]
    monkeypatch.setattr(rdflib.plugins.sparql, "SPARQL_LOAD_GRAPHS", True)
    run_unguarded(engine, case(name, listener.url))
    assert not quiet(listener), f"{name}: {engine} did not fetch; the case tests nothing"


def test_the_check_refuses_every_case(listener):
    for name in CORPUS:
        for head in HEADS.values():
            with pytest.raises(QueryRefused, match=r"^refused: "):
                checked(case(name, listener.url, head), graphs=())
    assert quiet(listener)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_query_refuses_every_case_in_one_line(listener, engine):
    runner = CliRunner()
    for name in CORPUS:
        result = runner.invoke(main, ["query", "--engine", engine, case(name, listener.url)])
        assert result.exit_code == 2, (name, result.output)
        assert result.output.startswith("error: refused: ") and result.output.count("\n") == 1, (name, result.output)
    assert quiet(listener)


def _claim_file(tmp_path: Path, test: str) -> Path:
    """N-Quads with one claim whose contradiction test is `test` (the support test and the evidence
    query are harmless: the contradiction test runs first)."""
    claim, graph = "<https://example.org/claim/c>", "<https://example.org/graph/g>"
    lines = [f"{claim} <{GII}{p}> {ox.Literal(q)} {graph} ." for p, q in (
        ("contradictionTest", test), ("supportTest", "ASK {}"),
        ("evidenceQuery", "SELECT ?evidence ?source WHERE { FILTER(false) }"))]
    path = tmp_path / "claims.nq"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_claims_file_refuses_every_case_in_one_line(listener, tmp_path):
    runner = CliRunner()
    for name in CORPUS:
        result = runner.invoke(main, ["claims", str(_claim_file(tmp_path, case(name, listener.url, "ASK")))])
        assert result.exit_code == 2, (name, result.output)
        assert result.output.startswith("error: refused: ") and result.output.count("\n") == 1, (name, result.output)
        assert "gii:contradictionTest of <https://example.org/claim/c>" in result.output
    assert quiet(listener)


def test_claims_file_control_a_harmless_test_runs(tmp_path):
    result = CliRunner().invoke(main, ["claims", str(_claim_file(tmp_path, "ASK { FILTER(false) }"))])
    assert result.exit_code == 0, result.output
    assert "1 claims: 1 supported, 0 not decidable, 0 contradicted" in result.output


def test_build_refuses_every_case_stored_in_the_claim_tests(listener, tmp_path):
    """A test in data/curated/claim-tests.yaml is checked when the sources are read, before any build."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    tests = data / "curated" / "claim-tests.yaml"
    original = tests.read_text(encoding="utf-8")
    first = original.index("    supported_if: |")
    end = original.index("    contradicted_if:", first)
    runner = CliRunner()
    for name in CORPUS:
        stored = case(name, listener.url, "ASK")
        tests.write_text(original[:first] + f"    supported_if: {json.dumps(stored)}\n" + original[end:],
                         encoding="utf-8")
        result = runner.invoke(main, ["build", "--data-dir", str(data), "--out", str(tmp_path / "dist")])
        assert result.exit_code == 2, (name, result.output)
        assert result.output.startswith("error: ") and "claim-tests.yaml:" in result.output, (name, result.output)
        assert ": refused: " in result.output and result.output.count("\n") == 1, (name, result.output)
    assert not (tmp_path / "dist").exists()
    assert quiet(listener)


def _shapes(tmp_path: Path, select: str) -> tuple:
    path = tmp_path / "shapes.ttl"
    path.write_text(f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/shape> a sh:NodeShape ; sh:targetNode <http://example.org/tokyo> ;
    sh:sparql <http://example.org/constraint> .
<http://example.org/constraint> sh:select {ox.Literal(select)} .
""", encoding="utf-8")
    return tuple(parse_triples(path))


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_shacl_sparql_refuses_every_case(listener, tmp_path, engine):
    data = Quads.from_rdflib(mini_dataset())
    for name in CORPUS:
        with pytest.raises(QueryRefused, match=r"^refused: "):
            validate_graph(data, engine, _shapes(tmp_path, case(name, listener.url, HEADS["shacl"])))
    assert quiet(listener)


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_shacl_sparql_control_a_harmless_constraint_runs(tmp_path, engine):
    data = parse_quads(TRIG.replace(" 3.0 ", " 3.5 ").encode(), "trig")  # the data as Oxigraph keeps it
    report = validate_graph(data, engine, _shapes(tmp_path, "SELECT $this WHERE { $this ?p ?o }"))
    assert not report.conforms and len(report.results) >= 1


def test_a_shacl_declaration_cannot_smuggle_a_service(listener, tmp_path):
    """pyshacl pastes sh:declare in front of the query: a namespace must be one IRI."""
    path = tmp_path / "shapes.ttl"
    path.write_text(f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/shape> a sh:NodeShape ; sh:targetNode <http://example.org/tokyo> ;
    sh:sparql [ sh:select "SELECT $this WHERE {{ $this ?p ?o }}" ; sh:prefixes <http://example.org/p> ] .
<http://example.org/p> sh:declare [ sh:prefix "ex" ;
    sh:namespace "http://example.org/> SELECT * WHERE {{ SERVICE <{listener.url}/f> {{ ?s ?p ?o }} }} #" ] .
""", encoding="utf-8")
    for engine in ("fast", "pyshacl"):
        with pytest.raises(QueryRefused, match="declares the prefix 'ex'"):
            validate_graph(Quads.from_rdflib(mini_dataset()), engine, tuple(parse_triples(path)))
    assert quiet(listener)


# --- serve: the endpoint's workers, with and without their network namespace ------------------------

@pytest.fixture(scope="module", params=["namespace", "no namespace"])
def endpoint(request):
    """`giigraph serve` on a free loopback port; with "no namespace" ($GIIGRAPH_NO_NETNS) its workers
    stay on the network, as on a machine without network namespaces. Yields (URL, stderr lines)."""
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    if request.param == "no namespace":
        env["GIIGRAPH_NO_NETNS"] = "1"
    proc = subprocess.Popen([sys.executable, "-m", "giigraph", "serve", "--port", "0", "--workers", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    lines: list[str] = []
    url, started = None, time.monotonic()
    while url is None and time.monotonic() - started < 60:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            pytest.fail(f"giigraph serve exited with {proc.returncode}: {''.join(lines)}")
        lines.append(line)
        if "Serving giigraph at " in line:
            url = line.split("Serving giigraph at ")[1].split()[0].rstrip("/")
    assert url, "".join(lines)

    def drain():
        for line in proc.stderr:
            lines.append(line)

    threading.Thread(target=drain, daemon=True).start()
    yield request.param, url, lines
    proc.terminate()
    proc.wait(15)


def test_serve_refuses_every_case(listener, endpoint):
    kind, url, log = endpoint
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for name in CORPUS:
        body = urllib.parse.urlencode({"query": case(name, listener.url)}).encode()
        with pytest.raises(urllib.error.HTTPError) as info:
            opener.open(urllib.request.Request(f"{url}/sparql", data=body), timeout=30)
        assert info.value.code == 403, (name, info.value.read())
        assert info.value.read().decode().startswith("refused: "), name
    assert quiet(listener)
    # the control: whether the worker left the network is what the server logged
    isolated = not any("could not leave the network" in line for line in log)
    if kind == "no namespace":
        assert not isolated, "GIIGRAPH_NO_NETNS did not keep the worker on the network"


# --- generated queries ---------------------------------------------------------------------------------

#: Characters the parsers (and our lexer) could read differently, and text that opens something
#: (a comment, a string, an IRI, a name, an expression) around a SERVICE and text that may close it.
SEPARATORS = ["", " ", "\n", "\r", "\r\n", "\t", "\f", "\v", "\x85", "\u2028", "\u00a0", "\\u000D", "\\u000A",
              "\\u0020", "\\U0000000D", "\\u0009"]
OPENERS = ["", "# c", "#", 'FILTER(?o != "', "FILTER(?o != '", 'FILTER(?o != """', "FILTER(?o != '''",
           'FILTER(?o != "\\u0022)', "FILTER(?o != '\\u0027)", "FILTER(?o<'x>')", "FILTER(?o<", "?s ?p ex:a\\'",
           "?s ?p ex:a\\", "?s ?p true", "?s ?p 1", ".", "?s ?p ex:a.", "?s ?p ?v", "?s ?p \"x\"@en", "?s ?p _:b",
           "{", "OPTIONAL {", "FILTER NOT EXISTS {", "\\u0023", "<http://example.org/#", "ex:"]
CLOSERS = ["", "\n", ")", '")', "')", '""")', "''')", 'FILTER(?o != "")', "FILTER(?o != '')", "#'\n", "> ?o)",
           ". ?s ?p 'x'", "}", "> ?p ?o", "\\u0022)", "\\u0027)"]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(OPENERS), st.lists(st.one_of(st.just(" "), st.sampled_from(SEPARATORS)), min_size=3, max_size=3),
       st.sampled_from(CLOSERS), st.sampled_from(["SERVICE", "service", "\\u0053ERVICE", "SERVICE SILENT"]))
def test_whatever_the_check_lets_through_fetches_nothing(listener, opener, separators, closer, keyword):
    text = (f"PREFIX ex: <http://example.org/> SELECT * WHERE {{ ?s ?p ?o {separators[0]}{opener}{separators[1]}"
            f"{keyword} <{listener.url}/f> {{ ?s ?p ?x }}{separators[2]}{closer} }}")
    try:
        runnable = checked(text)
    except (QueryRefused, QuerySyntaxError):
        return
    for engine in ("oxigraph", "rdflib"):
        run_unguarded(engine, runnable)  # returns once the listener has hung up: no need to wait
    assert listener.requests == [], repr(text)


def test_the_lexer_s_character_classes_are_the_grammar_s():
    """`_class` writes each class as the negation of its complement: the same characters."""
    from giigraph.query.safety import _BASE, _class

    positive = re.compile("[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _BASE) + "]")
    negated = re.compile(_class(*_BASE))
    points = [*range(0x3100), *range(0xD700, 0x10100), 0xEFFFF, 0xF0000, 0x10FFFF]
    assert [c for c in points if bool(positive.match(chr(c))) != bool(negated.match(chr(c)))] == []
    assert negated.match("Z") and negated.match("\u3001") and not negated.match("\u3000")
