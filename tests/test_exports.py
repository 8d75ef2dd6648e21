"""Every export parses back to the built graph, in independent parsers too, byte-identically every run."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyld import jsonld
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, RDF, VOID, XSD

import giigraph
from giigraph import formats
from giigraph.export import CONTEXT_FILE, VOID_FILE
from giigraph.rdfio import blank_nodes
from giigraph.vocab import SPDX


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build") / "dist"
    giigraph.build_dist(out)
    return out


@pytest.mark.parametrize("fmt", formats.FORMATS, ids=lambda f: f.name)
def test_each_export_parses_back_isomorphic(fmt, dist, dataset, graph):
    path = dist / fmt.filename
    if fmt.name == "jsonld":
        parsed = Graph().parse(path, format="json-ld")
        assert isomorphic(parsed, graph)
    elif fmt.quads:
        parsed = Dataset()
        parsed.parse(path, format=fmt.rdflib_name)
        for name in {g for *_, g in dataset.quads()}:
            assert isomorphic(parsed.graph(name), dataset.graph(name)), name
        assert len(parsed) == len(dataset)
    else:
        assert isomorphic(Graph().parse(path, format=fmt.rdflib_name), graph)


@pytest.mark.parametrize("name,oxformat", [("turtle", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES),
                                           ("trig", ox.RdfFormat.TRIG), ("nquads", ox.RdfFormat.N_QUADS),
                                           ("xml", ox.RdfFormat.RDF_XML)])
def test_pyoxigraph_strict_parser_accepts_the_export(name, oxformat, dist, dataset):
    path = dist / formats.get(name).filename
    quads = list(ox.parse(path=str(path), format=oxformat))
    in_graphs = len(set(dataset.quads()))  # len(dataset) counts a triple stated in two graphs once
    assert len(quads) == (in_graphs if oxformat in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS) else len(set(
        (q.subject, q.predicate, q.object) for q in quads)))
    assert len({(q.subject, q.predicate, q.object) for q in quads}) == len({(s, p, o) for s, p, o, _ in dataset.quads()})


def _refuse_remote(url, options=None):
    raise jsonld.JsonLdError(f"remote document loading is disabled ({url})", "loading document failed")


def test_jsonld_expands_with_pyld_to_the_same_graph(dist, graph):
    doc = json.loads((dist / "giigraph.jsonld").read_text(encoding="utf-8"))
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": _refuse_remote})
    assert isomorphic(Graph().parse(data=nquads, format="nquads"), graph)


def test_jsonld_is_compact_with_the_published_context(dist):
    doc = json.loads((dist / "giigraph.jsonld").read_text(encoding="utf-8"))
    context = json.loads((dist / CONTEXT_FILE).read_text(encoding="utf-8"))
    assert doc["@context"] == context["@context"]
    node = next(n for n in doc["@graph"] if n["@id"].endswith("/id/cluster/shanghai-suzhou"))
    assert node["@type"] == ["Cluster", "Place"]
    assert node["name"] == {"en": "Shanghai-Suzhou", "zh": "上海-苏州"}
    assert node["containsPlace"] == ["https://w3id.org/giigraph/id/city/shanghai",
                                     "https://w3id.org/giigraph/id/city/suzhou"]
    rank = next(n for n in doc["@graph"] if n["@id"].endswith("cnipnews-2023-10-08-gii-2023-shanghai-suzhou"))
    assert rank["rank"] == 5
    article = next(n for n in doc["@graph"] if n["@id"].endswith("/id/article/cnipnews-2023-10-08"))
    # schema:datePublished also has xsd:date values (the cited sources), so the context cannot coerce it
    assert article["datePublished"] == {"@value": "2023-10-08T15:37:00+08:00", "@type": str(XSD.dateTime)}
    assert context["@context"]["datePublished"] == {"@id": "schema:datePublished"}


def test_no_blank_nodes_in_published_data(dataset):
    assert blank_nodes(dataset) == []


def test_every_iri_of_ours_follows_the_one_pattern_per_kind(graph):
    base = "https://w3id.org/giigraph/id/"
    ours = {t for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(base)}
    import re

    # a place's geometry and coordinates are hash IRIs of the place (#geometry, #coordinates)
    bad = [t for t in ours if not re.fullmatch(re.escape(base) + r"[a-z]+/[a-z0-9]+(-[a-z0-9]+)*(#geometry|#coordinates)?", str(t))]
    assert not bad
    assert len(ours) > 90


def test_void_describes_every_dump_with_size_and_checksum(dist):
    void = Graph().parse(dist / VOID_FILE)
    dumps = list(void.subjects(RDF.type, DCAT.Distribution))
    assert len(dumps) == len(formats.FORMATS)
    for dump in dumps:
        data = (dist / str(dump).rsplit("/", 1)[1]).read_bytes()
        assert int(void.value(dump, DCAT.byteSize)) == len(data)
        checksum = void.value(void.value(dump, SPDX.checksum), SPDX.checksumValue)
        assert str(checksum) == hashlib.sha256(data).hexdigest()
    dataset_iri = URIRef("https://w3id.org/giigraph/dataset")
    assert int(void.value(dataset_iri, VOID.triples)) == len(Graph().parse(dist / "giigraph.nt"))


def test_void_in_dataset_goes_from_each_named_graph_to_its_subset(dist):
    """void:inDataset: from a document (here a named graph) to the void:Dataset it belongs to."""
    void = Graph().parse(dist / VOID_FILE)
    dataset_iri = URIRef("https://w3id.org/giigraph/dataset")
    # the other subsets are the linksets (test_geo.py)
    subsets = {s for s in void.objects(dataset_iri, VOID.subset) if (s, RDF.type, VOID.Linkset) not in void}
    links = set(void.subject_objects(VOID.inDataset))
    assert subsets and {subset for _, subset in links} == subsets
    for graph, subset in links:
        assert URIRef(f"{graph}#void") == subset and (subset, RDF.type, VOID.Dataset) in void
        assert (graph, RDF.type, VOID.Dataset) not in void


def test_build_is_byte_identical_across_hash_seeds(tmp_path):
    """rdflib's set order follows PYTHONHASHSEED: every format must not."""
    digests = set()
    for seed in ("0", "1", "4242"):
        out = tmp_path / f"dist-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "giigraph", "build", "--out", str(out)], check=True, env=env,
                       capture_output=True)
        digests.add(tuple((p.relative_to(out).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest())
                          for p in sorted(out.rglob("*")) if p.is_file()))
    assert len(digests) == 1


def test_dumps_written_by_other_processes_are_the_same_files(dist, tmp_path, monkeypatch):
    """Big builds write RDF/XML in a process of its own and Turtle and TriG in a forked copy (a second
    core): the same bytes, and the same sizes and checksums in the description, as written in process
    (the article is small enough for that)."""
    from giigraph import export

    monkeypatch.setattr(export, "APART_QUADS", 0)
    out = tmp_path / "dist"
    giigraph.build_dist(out)
    names = sorted(p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    for name in names:
        assert (out / name).read_bytes() == (dist / name).read_bytes(), name


def test_a_failed_build_leaves_nothing_while_the_forked_writer_runs(tmp_path, monkeypatch):
    from giigraph import export
    from giigraph.errors import InputError

    def fail(*args):
        raise InputError("refused")

    monkeypatch.setattr(export, "APART_QUADS", 0)
    monkeypatch.setattr(export, "context_document", fail)  # in this process, after the fork
    out = tmp_path / "dist"
    with pytest.raises(InputError, match="refused"):
        export.write_dist(giigraph.build_quads(), out, "https://w3id.org/giigraph/", "0")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_build_leaves_nothing_while_the_rdfxml_process_runs(tmp_path, monkeypatch):
    from giigraph import export
    from giigraph.errors import ValidationFailed

    def refuse(dataset):
        raise ValidationFailed(None, "refused")

    monkeypatch.setattr(export, "APART_QUADS", 0)
    out = tmp_path / "dist"
    with pytest.raises(ValidationFailed):
        export.write_dist(giigraph.build_quads(), out, "https://w3id.org/giigraph/", "0", refuse)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("in_process", [True, False], ids=["in-process", "own-process"])
def test_what_rdfxml_cannot_hold_fails_the_build_and_leaves_nothing(tmp_path, monkeypatch, in_process):
    """The RDF/XML writer refuses a literal XML 1.0 cannot carry, in this process or its own; the build
    then raises that one error and writes nothing."""
    from giigraph import export
    from giigraph.errors import InputError
    from giigraph.terms import Literal

    monkeypatch.setattr(export, "APART_QUADS", 1 << 40 if in_process else 0)
    dataset = giigraph.build_quads()
    dataset.graph(dataset.names()[0]).add(("https://w3id.org/giigraph/id/cluster/shanghai-suzhou",
                                           "http://schema.org/description", Literal("bell\x07")))
    with pytest.raises(InputError, match="RDF/XML cannot hold the text 'bell\\\\x07'"):
        export.write_dist(dataset, tmp_path / "dist", "https://w3id.org/giigraph/", "0")
    assert list(tmp_path.iterdir()) == []


def test_what_the_forked_writer_raises_fails_the_build_and_leaves_nothing(tmp_path, monkeypatch):
    from giigraph import export
    from giigraph.errors import InputError

    write = export.chunks

    def chunks(dataset, name, rebuild=None):
        if name == "trig":
            raise InputError("TriG refused")
        return write(dataset, name, rebuild)

    monkeypatch.setattr(export, "APART_QUADS", 0)
    monkeypatch.setattr(export, "chunks", chunks)  # inherited by the fork
    with pytest.raises(InputError, match="TriG refused"):
        export.write_dist(giigraph.build_quads(), tmp_path / "dist", "https://w3id.org/giigraph/", "0")
    assert list(tmp_path.iterdir()) == []


def test_what_the_forked_sorted_writer_raises_comes_before_a_validation_failure(tmp_path, monkeypatch):
    """Big builds write N-Quads and N-Triples in a forked copy while this process validates: data that
    cannot be written fails the build with that one error, as when they were written first, even if
    validation fails meanwhile; nothing is left."""
    from giigraph import export
    from giigraph.errors import InputError, ValidationFailed

    write = export.chunks

    def chunks(dataset, name, rebuild=None):
        if name == "nquads":
            raise InputError("N-Quads refused")
        return write(dataset, name, rebuild)

    def refuse(dataset):
        raise ValidationFailed(None, "refused")

    monkeypatch.setattr(export, "APART_QUADS", 0)
    monkeypatch.setattr(export, "chunks", chunks)  # inherited by the fork
    with pytest.raises(InputError, match="N-Quads refused"):
        export.write_dist(giigraph.build_quads(), tmp_path / "dist", "https://w3id.org/giigraph/", "0", refuse)
    assert list(tmp_path.iterdir()) == []


def test_configured_base_moves_every_resource(tmp_path):
    ds = giigraph.build(base="http://example.org/gii/")
    iris = {str(s) for s, *_ in ds.quads()}
    assert "http://example.org/gii/id/cluster/shanghai-suzhou" in iris
    assert not [i for i in iris if i.startswith("https://w3id.org/giigraph/id/")]
