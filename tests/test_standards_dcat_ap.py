"""The VoID/DCAT description (dist/void.ttl) against the official DCAT-AP 3.0.1 SHACL shapes
(tests/standards/dcat-ap, vendored with their licence): the constraints and class ranges of the release,
and its recommended properties (shapes_recommended.ttl, severity Warning) held as strictly as the
mandatory ones. No result of any severity is allowed. pySHACL, the reference SHACL engine, runs them."""
from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF, SH

import giigraph
from giigraph.export import VOID_FILE

DCAT_AP = Path(__file__).parent / "standards" / "dcat-ap"
DATASET = URIRef("https://w3id.org/giigraph/dataset")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    """The release's shapes. Five sh:property links of dcat-ap-SHACL.ttl + ranges.ttl name property shapes
    the release never defines (pySHACL refuses an undefined shape): those links, and nothing else, are
    dropped; every defined shape stays."""
    g = Graph()
    for name in ("dcat-ap-SHACL.ttl", "ranges.ttl", "shapes_recommended.ttl"):
        g.parse(DCAT_AP / name, format="turtle")
    dangling = [(s, p, o) for s, p, o in g.triples((None, SH.property, None)) if (o, SH.path, None) not in g]
    assert len(dangling) == 5
    for triple in dangling:
        g.remove(triple)
    return g


@pytest.fixture(scope="module")
def void(tmp_path_factory) -> Graph:
    out = tmp_path_factory.mktemp("dcat") / "dist"
    giigraph.build_dist(out)
    return Graph().parse(out / VOID_FILE, format="turtle")


def results(data: Graph, shapes: Graph) -> list[tuple[str, str, str, str]]:
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=False)
    found = sorted((str(report.value(r, SH.resultSeverity)), str(report.value(r, SH.focusNode)),
                    str(report.value(r, SH.resultPath)), str(report.value(r, SH.resultMessage)))
                   for r in report.subjects(RDF.type, SH.ValidationResult))
    assert conforms == (not found)
    return found


def test_void_meets_dcat_ap_3_with_the_recommended_properties(void, shapes):
    assert results(void, shapes) == []


def test_a_catalog_holds_the_dataset(void):
    catalogs = set(void.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1 and (catalogs.pop(), DCAT.dataset, DATASET) in void


@pytest.mark.parametrize("path, severity", [
    (DCAT.accessURL, SH.Violation),  # mandatory on a distribution
    (DCAT.keyword, SH.Warning),  # recommended on a data set
], ids=["access-url", "keyword"])
def test_a_planted_gap_is_reported(void, shapes, path, severity):
    broken = Graph()
    for t in void:
        broken.add(t)
    broken.remove((None, path, None))
    found = results(broken, shapes)
    assert found and {(sev, p) for sev, _, p, _ in found} == {(str(severity), str(path))}
