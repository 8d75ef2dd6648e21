"""SHACL validation with pyshacl, and reports a curator can read.

Shapes are every `*.ttl` under `shapes/`. The data graph is the union of all named graphs, with no
inference: published data writes its types out, so nothing needs to be inferred to check it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .rdfio import union
from .resources import SHAPES_DIR


@dataclass(frozen=True, order=True)
class Result:
    """One SHACL validation result, flattened to what a curator needs."""

    focus: str
    path: str
    message: str
    value: str
    component: str
    shape: str
    severity: str


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    results: tuple[Result, ...]
    graph: Graph

    def text(self) -> str:
        """One block per focus node, one line per problem, sorted so the report is stable."""
        if self.conforms:
            return "The data conforms to the shapes: no problems found.\n"
        lines = [f"The data does not conform: {len(self.results)} problem(s).", ""]
        current = None
        for r in self.results:
            if r.focus != current:
                current = r.focus
                lines.append(f"{r.focus}")
            where = f"{r.path}: " if r.path else ""
            value = f" (value: {r.value})" if r.value else ""
            lines.append(f"  {r.severity.lower()}: {where}{r.message}{value} [{r.component}]")
        return "\n".join(lines) + "\n"

    def json(self) -> str:
        doc = {"conforms": self.conforms, "results": [r.__dict__ for r in self.results]}
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"

    def turtle(self) -> str:
        """The W3C validation report graph."""
        return self.graph.serialize(format="turtle")


@cache
def shapes_graph() -> Graph:
    """Every shapes file, parsed once per process."""
    g = Graph()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


def validate_graph(graph: Graph) -> ValidationReport:
    """Validate a graph or dataset (all graphs together) against the shapes."""
    from pyshacl import validate as shacl

    data = union(graph)
    conforms, report, _ = shacl(
        data, shacl_graph=shapes_graph(), inference="none", abort_on_first=False,
        allow_infos=True, allow_warnings=True,
    )
    names = _Namer(data)
    results = tuple(sorted(_result(report, node, names) for node in report.subjects(RDF.type, SH.ValidationResult)))
    return ValidationReport(bool(conforms), results, report)


class _Namer:
    """Short, stable names for IRIs: prefixed where a prefix of the data fits."""

    def __init__(self, graph: Graph) -> None:
        self.prefixes = sorted(((str(ns), p) for p, ns in graph.namespaces() if p), key=lambda x: -len(x[0]))

    def __call__(self, node: Node | None) -> str:
        if node is None:
            return ""
        if isinstance(node, URIRef):
            for ns, prefix in self.prefixes:
                if str(node).startswith(ns) and "/" not in str(node)[len(ns):]:
                    return f"{prefix}:{str(node)[len(ns):]}"
            return f"<{node}>"
        if isinstance(node, Literal):
            return node.n3()
        return str(node)


def _result(report: Graph, node: Node, name: _Namer) -> Result:
    get = lambda p: report.value(node, p)  # noqa: E731
    component = get(SH.sourceConstraintComponent)
    messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
    return Result(
        focus=name(get(SH.focusNode)),
        path=name(get(SH.resultPath)) if isinstance(get(SH.resultPath), URIRef) else "",
        message="; ".join(messages) or "constraint not met",
        value=name(get(SH.value)),
        component=str(component).rsplit("#", 1)[-1] if component else "",
        shape=name(get(SH.sourceShape)) if isinstance(get(SH.sourceShape), URIRef) else "",
        severity=str(get(SH.resultSeverity) or SH.Violation).rsplit("#", 1)[-1],
    )
