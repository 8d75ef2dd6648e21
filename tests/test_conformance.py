"""Every dump read by RDF implementations nobody here wrote: Raptor, Serd, N3.js and jsonld.js.

Each parses the file of `giigraph build` strictly (any error or warning fails) and its output must
be the built dataset, statement for statement. `make tools` installs them; in CI a missing one fails.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_tool
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from giigraph import formats

TOOLS = Path(__file__).resolve().parents[1] / "tools"
NODE_MODULES = TOOLS / "node_modules"

RAPPER_SYNTAX = {"turtle": "turtle", "nt": "ntriples", "xml": "rdfxml", "trig": "trig", "nquads": "nquads"}
SERD_SYNTAX = {"turtle": "turtle", "nt": "ntriples", "trig": "trig", "nquads": "nquads"}
N3_SYNTAX = {"turtle": "Turtle", "nt": "N-Triples", "trig": "TriG", "nquads": "N-Quads"}


def _rapper(fmt: str, path: Path) -> list[str]:
    return [require_tool(shutil.which("rapper"), "rapper (Debian raptor2-utils)"),
            "-q", "-i", RAPPER_SYNTAX[fmt], "-o", "nquads", str(path), path.as_uri()]


def _serdi(fmt: str, path: Path) -> list[str]:
    return [require_tool(shutil.which("serdi"), "serdi (Debian serdi)"), "-q", "-i", SERD_SYNTAX[fmt],
            "-o", "nquads", str(path), path.as_uri()]


def _node(script: str, package: str, *args: str) -> list[str]:
    node = require_tool(shutil.which("node"), "node")
    require_tool(str(NODE_MODULES / package) if (NODE_MODULES / package).is_dir() else None,
                 f"npm {package} in tools/node_modules")
    return [node, str(TOOLS / script), *args]


def _n3(fmt: str, path: Path) -> list[str]:
    return _node("n3-parse.mjs", "n3", N3_SYNTAX[fmt], str(path))


def _jsonld_js(fmt: str, path: Path) -> list[str]:
    return _node("jsonld-to-nquads.mjs", "jsonld", str(path))


CASES = ([("rapper", fmt) for fmt in RAPPER_SYNTAX] + [("serdi", fmt) for fmt in SERD_SYNTAX]
         + [("n3", fmt) for fmt in N3_SYNTAX] + [("jsonld.js", "jsonld")])
COMMANDS = {"rapper": _rapper, "serdi": _serdi, "n3": _n3, "jsonld.js": _jsonld_js}


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The dumps as the `giigraph build` command writes them."""
    out = tmp_path_factory.mktemp("conformance") / "dist"
    subprocess.run([sys.executable, "-m", "giigraph", "build", "--out", str(out)], check=True,
                   capture_output=True, timeout=300)
    return out


def test_every_registry_format_is_checked_by_an_independent_tool():
    assert {fmt for _, fmt in CASES} == set(formats.names())


@pytest.mark.parametrize("tool,fmt", CASES, ids=[f"{t}-{f}" for t, f in CASES])
def test_independent_tool_reads_the_dump_as_the_built_dataset(tool, fmt, dist, dataset, graph):
    path = dist / formats.get(fmt).filename
    done = subprocess.run(COMMANDS[tool](fmt, path), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # a warning is a failure too
    read = Dataset()
    read.parse(data=done.stdout, format="nquads")
    if formats.get(fmt).quads:
        names = {g for *_, g in dataset.quads()}
        assert {g for *_, g in read.quads()} == names
        for name in names:
            assert isomorphic(read.graph(name), dataset.graph(name)), name
    else:
        assert len(read.default_graph) == len(graph)
        assert isomorphic(Graph() + read.default_graph, graph)


@pytest.mark.parametrize("tool,fmt", [("rapper", "turtle"), ("serdi", "turtle"), ("n3", "turtle"),
                                      ("rapper", "xml"), ("jsonld.js", "jsonld")])
def test_independent_tool_rejects_a_broken_dump(tool, fmt, dist, tmp_path):
    """The checks above mean something: the same tools fail on a damaged copy."""
    spec = formats.get(fmt)
    data = (dist / spec.filename).read_bytes()
    broken = tmp_path / spec.filename
    # cut in half and end inside an IRI, so the damage shows even where the cut meets a statement's end
    broken.write_bytes(data[: len(data) // 2] + b"<https://unterminated")
    done = subprocess.run(COMMANDS[tool](fmt, broken), capture_output=True, text=True, timeout=120)
    assert done.returncode != 0, done.stdout[-300:]


def test_jsonld_js_loads_no_remote_document(tmp_path):
    doc = tmp_path / "remote.jsonld"
    doc.write_text('{"@context": "https://w3id.org/giigraph/context.jsonld", "@id": "https://example.org/x", '
                   '"name": "x"}')
    done = subprocess.run(_jsonld_js("jsonld", doc), capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "remote document loading is disabled: https://w3id.org/giigraph/context.jsonld" in done.stderr
