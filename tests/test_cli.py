"""The command line: help, version, exit statuses, output files, and the refusal to write unchecked data."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

import giigraph
from giigraph import validation
from giigraph.cli import main
from giigraph.rdfio import parse_triples


def test_every_command_has_help_with_an_example(runner):
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for name, command in main.commands.items():
        sub = runner.invoke(main, [name, "--help"])
        assert sub.exit_code == 0, name
        assert "Example" in sub.output, f"{name} --help shows no example"
        assert name in result.output


def test_version_and_python_dash_m():
    result = subprocess.run([sys.executable, "-m", "giigraph", "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == f"giigraph, version {giigraph.__version__}"


def test_export_turtle_to_stdout_by_default(runner, graph):
    result = runner.invoke(main, ["export"])
    assert result.exit_code == 0
    assert isomorphic(Graph().parse(data=result.stdout_bytes, format="turtle"), graph)


@pytest.mark.parametrize("name,fmt", [("out.nq", None), ("out.txt", "jsonld"), ("out.rdf", "application/rdf+xml")])
def test_export_to_file_format_from_extension_or_option(runner, tmp_path, name, fmt, graph):
    args = ["export", "-o", str(tmp_path / name)] + (["--format", fmt] if fmt else [])
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    parse_as = {"out.nq": "nquads", "out.txt": "json-ld", "out.rdf": "xml"}[name]
    parsed = Graph()
    if parse_as == "nquads":
        from rdflib import Dataset

        ds = Dataset()
        ds.parse(tmp_path / name, format="nquads")
        parsed = Graph()
        for s, p, o, _ in ds.quads():
            parsed.add((s, p, o))
    else:
        parsed.parse(tmp_path / name, format=parse_as)
    assert isomorphic(parsed, graph)


def test_export_unknown_format_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(main, ["export", "--format", "yaml", "-o", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: unknown RDF format 'yaml'; use one of: turtle, jsonld, nt, trig, nquads, xml"
    assert not (tmp_path / "x.yaml").exists()


def test_validate_built_dataset_conforms(runner):
    result = runner.invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


def test_validate_file_that_breaks_the_shapes(runner, tmp_path, graph):
    broken = Graph()
    for prefix, ns in graph.namespaces():  # the file keeps the data's prefixes, which the report uses
        broken.bind(prefix, ns, replace=True)
    for triple in graph:
        broken.add(triple)
    shanghai_suzhou = URIRef("https://w3id.org/giigraph/id/cluster/shanghai-suzhou")
    broken.remove((shanghai_suzhou, None, None))
    broken.add((shanghai_suzhou, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                URIRef("https://w3id.org/giigraph/ontology#Cluster")))
    path = tmp_path / "broken.ttl"
    broken.serialize(path, format="turtle")
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert "cluster:shanghai-suzhou" in result.output
    as_json = runner.invoke(main, ["validate", str(path), "--format", "json"])
    assert as_json.exit_code == 1 and '"conforms": false' in as_json.output
    as_turtle = runner.invoke(main, ["validate", str(path), "--format", "turtle"])
    assert "sh:ValidationReport" in as_turtle.output


@pytest.mark.parametrize("content,message", [(None, "no such file"), ("@prefix broken", "cannot parse as Turtle")])
def test_validate_unreadable_input_is_exit_2(runner, tmp_path, content, message):
    path = tmp_path / "input.ttl"
    if content is not None:
        path.write_text(content)
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr and str(path) in result.stderr


def test_build_refuses_to_write_when_shacl_fails(runner, tmp_path, monkeypatch):
    shapes = tmp_path / "strict.ttl"
    shapes.write_text("""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix gii: <https://w3id.org/giigraph/ontology#> .
        @prefix schema: <http://schema.org/> . @prefix ex: <https://example.org/shapes#> .
        ex:ClusterNeedsAFounder a sh:NodeShape ; sh:targetClass gii:Cluster ;
            sh:property ex:ClusterNeedsAFounder-founder .
        ex:ClusterNeedsAFounder-founder sh:path schema:founder ; sh:minCount 1 ; sh:message "A cluster needs a founder" .
    """)
    strict = tuple(parse_triples(shapes))
    monkeypatch.setattr(validation, "shape_triples", lambda: strict)
    out = tmp_path / "dist"
    result = runner.invoke(main, ["build", "--out", str(out)])
    assert result.exit_code == 1
    assert "A cluster needs a founder" in result.stderr
    assert "nothing written" in result.stderr
    assert not out.exists()


def test_bad_base_iri_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(main, ["build", "--out", str(tmp_path / "d"), "--base", "not-an-iri"])
    assert result.exit_code == 2
    assert "base IRI 'not-an-iri'" in result.stderr


@pytest.mark.parametrize("base,reason", [("http://example.org/a b/", "Invalid IRI code point ' '"),
                                         ("http://example.org/%zz/", "Invalid IRI percent encoding"),
                                         ("http://example.org/\n/", "Invalid IRI code point '\\n'")])
@pytest.mark.parametrize("command", ["build", "export", "query"])
def test_base_that_is_not_an_iri_is_one_error_line_exit_2(base, reason, command, tmp_path):
    args = {"build": ["--out", str(tmp_path / "d")], "export": [], "query": ["top-five-2023"]}[command]
    done = subprocess.run([sys.executable, "-m", "giigraph", command, *args, "--base", base],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: base IRI {base!r} is not a valid absolute IRI (RFC 3987): {reason}")
    assert done.stderr.count("\n") == 1 and done.stdout == ""
    assert not (tmp_path / "d").exists()


def test_debug_shows_the_traceback(runner, tmp_path):
    result = runner.invoke(main, ["--debug", "validate", str(tmp_path / "missing.ttl")])
    assert result.exception is not None and result.exit_code != 0


def test_an_unexpected_exception_is_one_line_and_exit_70(runner, monkeypatch):
    """A bug (any exception that is not giigraph's own) is reported in one line, never a traceback."""
    def broken(*args, **kwargs):
        raise KeyError("injected\nover two lines")

    monkeypatch.setattr(giigraph, "build_quads", broken)
    result = runner.invoke(main, ["export"])
    assert result.exit_code == 70
    assert result.stderr == ("error: internal error: KeyError: 'injected\\nover two lines' (a bug in giigraph: "
                             "rerun with --debug for the traceback, and report it)\n")


@pytest.mark.parametrize("debug", [False, True])
def test_an_injected_bug_in_a_real_process(debug):
    code = ("import sys, giigraph\n"
            "def broken(*args, **kwargs): return 1 / 0\n"
            "giigraph.build_quads = broken\n"
            "from giigraph.cli import main\n"
            "main(sys.argv[1:], prog_name='giigraph')\n")
    args = ["--debug", "export"] if debug else ["export"]
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60)
    if debug:
        assert result.returncode == 1 and "Traceback" in result.stderr and "ZeroDivisionError" in result.stderr
    else:
        assert result.returncode == 70 and result.stdout == ""
        assert result.stderr.splitlines() == [
            "error: internal error: ZeroDivisionError: division by zero (a bug in giigraph: rerun with --debug "
            "for the traceback, and report it)"]


def test_a_reader_gone_before_the_output_ends_the_program_quietly(tmp_path):
    """`giigraph build | head -1`: what reads the output went away (here before anything was written);
    the build is done and written, the program ends with status 1 and no error line."""
    import os

    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run([sys.executable, "-m", "giigraph", "build", "--no-cache", "--out", str(tmp_path / "dist")],
                                stdout=write, stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (1, "")
    assert (tmp_path / "dist" / "giigraph.ttl").is_file()


def test_a_broken_pipe_elsewhere_is_still_a_bug(runner, monkeypatch):
    """Only a closed standard output is the reader's choice: a broken pipe from anything else is reported."""
    def broken(*args, **kwargs):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(giigraph, "build_quads", broken)
    result = runner.invoke(main, ["export"])
    assert result.exit_code == 70 and result.stderr.startswith("error: internal error: BrokenPipeError")


def test_ci_entry_point_sets_ci_itself(tmp_path):
    """`.ci/run` must make missing tools fail (CI=true) even when the runner does not set CI."""
    fake_make = tmp_path / "make"
    fake_make.write_text('#!/bin/sh\necho "CI=$CI target=$1"\n')
    fake_make.chmod(0o755)
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin", "HOME": str(tmp_path)}
    script = Path(__file__).resolve().parents[1] / ".ci" / "run"
    result = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "CI=true target=test\n"


def test_the_program_ends_a_build_without_freeing_it_and_says_all(tmp_path):
    """`giigraph build` as a program ends its process as soon as the build succeeded and its listing is
    flushed (`cli.run`): the listing is whole, the files are there, nothing is said on stderr (no
    warning of a writer process or thread left behind), and a failed build still ends as before."""
    out, cache = tmp_path / "dist", tmp_path / "cache"
    command = [sys.executable, "-m", "giigraph", "build", "--out", str(out), "--cache", str(cache)]
    for _ in range(2):  # filling the cache, then a rebuild from the previous build
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0 and done.stderr == "", done.stderr
        listed = [line.split()[0] for line in done.stdout.splitlines()[1:]]
        assert listed == sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    failed = subprocess.run([*command, "--base", "not an IRI"], capture_output=True, text=True, timeout=300)
    assert failed.returncode == 2 and failed.stderr.startswith("error: ") and len(failed.stderr.splitlines()) == 1
