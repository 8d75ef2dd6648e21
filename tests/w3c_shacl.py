"""The W3C SHACL test suite (vendored in `w3c/shacl/`), read from its manifests and run through
`giigraph.validate`, for the tests and for `benchmarks/shacl_suite.py`.

A test passes when validation gives the expected `sh:conforms` and the same set of results, each
compared on (focusNode, resultPath, value, sourceConstraintComponent, sourceShape, resultSeverity)
as the suite's README asks; a result path that is a blank node is compared as the SPARQL path it
describes. A test whose expected result is `sht:Failure` passes when validation refuses the shapes
with a typed error (`GiigraphError`), the spec's "failure".
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import RDF, BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from giigraph.validation import exact_rdflib

SUITE = Path(__file__).parent / "w3c" / "shacl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
FIELDS = (SH.focusNode, SH.resultPath, SH.value, SH.sourceConstraintComponent, SH.sourceShape, SH.resultSeverity)

#: The approved tests that no engine passes (pyshacl 0.40 neither), and why.
NO_ENGINE_PASSES = {
    "sparql/pre-binding/shapesGraph-001": "uses $shapesGraph, which SHACL lets engines leave out: pyshacl raises "
                                          "NotImplementedError, the own engine Unsupported; giigraph refuses the shapes",
}


@dataclass(frozen=True)
class Case:
    name: str  # e.g. core/node/datatype-001
    data: Path
    shapes: Path
    failure: bool  # the expected result is sht:Failure
    conforms: bool | None
    results: frozenset

    @property
    def folder(self) -> str:
        return self.name.rsplit("/", 1)[0]


@cache
def parse(path: Path) -> Graph:
    """A suite file, read with its file URL as base IRI (the suite's relative IRIs resolve against it),
    its literals as written (rdflib would rewrite the suite's ill-formed ones)."""
    with exact_rdflib():
        return Graph().parse(path, format="turtle", publicID=path.resolve().as_uri())


def cases() -> list[Case]:
    """Every approved test of the suite, in manifest order."""
    out: list[Case] = []
    _read_manifest(SUITE / "manifest.ttl", out)
    return out


def _read_manifest(path: Path, out: list[Case]) -> None:
    g = parse(path)
    manifest = URIRef(path.resolve().as_uri())
    for include in g.objects(manifest, MF.include):
        _read_manifest(_path(include), out)
    for entries in g.objects(manifest, MF.entries):
        for test in Collection(g, entries):
            if (test, MF.status, SHT.approved) not in g:
                continue
            action = g.value(test, MF.action)
            result = g.value(test, MF.result)
            name = str(_path(test).relative_to(SUITE)).removesuffix(".ttl")
            failure = result == SHT.Failure
            out.append(Case(name, _path(g.value(action, SHT.dataGraph)), _path(g.value(action, SHT.shapesGraph)),
                            failure, None if failure else g.value(result, SH.conforms).toPython(),
                            frozenset() if failure else results(g, result)))


def _path(iri) -> Path:
    return Path(str(iri).removeprefix("file://").split("#")[0]).with_suffix(".ttl")


def results(g: Graph, report) -> frozenset:
    """The compared fields of every result of a validation report in graph g."""
    return frozenset(tuple(_key(g, g.value(r, p)) for p in FIELDS) for r in g.objects(report, SH.result))


def _key(g: Graph, term):
    if isinstance(term, BNode) and _is_path(g, term):
        return ("path", path_text(g, term))
    return term


def _is_path(g: Graph, node) -> bool:
    return any(g.value(node, p) is not None for p in (
        RDF.first, SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath))


def path_text(g: Graph, node) -> str:
    """A SHACL path in SPARQL syntax."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if g.value(node, RDF.first) is not None:
        return "(" + "/".join(path_text(g, n) for n in Collection(g, node)) + ")"
    if g.value(node, SH.alternativePath) is not None:
        return "(" + "|".join(path_text(g, n) for n in Collection(g, g.value(node, SH.alternativePath))) + ")"
    for p, suffix in ((SH.inversePath, "^"), (SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"),
                      (SH.zeroOrOnePath, "?")):
        inner = g.value(node, p)
        if inner is not None:
            return f"^{path_text(g, inner)}" if suffix == "^" else f"({path_text(g, inner)}){suffix}"
    raise ValueError(f"not a SHACL path: {node}")


PASS, FAIL, UNSUPPORTED = "pass", "fail", "unsupported"


def run(case: Case, engine: str) -> tuple[str, str]:
    """PASS, FAIL or UNSUPPORTED (the fast engine said it does not evaluate the shapes), and what happened."""
    import giigraph
    from giigraph.errors import GiigraphError
    from giigraph.shacl.shapes import Unsupported

    data = parse(case.data)
    shapes = data if case.shapes == case.data else parse(case.shapes)
    try:
        with exact_rdflib():
            report = giigraph.validate(data, engine=engine, shapes=shapes)
            graph = report.graph
    except Unsupported as exc:
        return UNSUPPORTED, str(exc)
    except GiigraphError as exc:
        return (PASS if case.failure else FAIL), f"refused: {exc}"
    if case.failure:
        return FAIL, "validated, where the suite expects a failure"
    node = graph.value(None, RDF.type, SH.ValidationReport, any=False)
    got = results(graph, node)
    conforms = graph.value(node, SH.conforms).toPython()
    if conforms != case.conforms or conforms != report.conforms:
        return FAIL, f"conforms {conforms}, expected {case.conforms}"
    if got != case.results:
        return FAIL, f"missing {sorted(case.results - got, key=str)}; unexpected {sorted(got - case.results, key=str)}"
    return PASS, "passed"
