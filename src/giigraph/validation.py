"""SHACL validation, and reports a curator can read.

Shapes are every `*.ttl` under `shapes/`. The data graph is the union of all named graphs, with no
inference: published data writes its types out, so nothing needs to be inferred to check it.

Two engines give the same results (a test proves it on the project's shapes and on fixtures):
`giigraph.shacl` (SHACL Core over an in-memory index, SHACL-SPARQL as one Oxigraph query per
constraint; linear in the data) is the one used, and pyshacl, the reference, is used for shapes
with features the fast engine does not evaluate, or when asked for (`engine="pyshacl"`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Callable

from .gcpause import without_gc
from .quads import Quads
from .resources import SHAPES_DIR
from .shacl.engine import RawResult
from .terms import BNode, Literal, Term, Triple, n3

if TYPE_CHECKING:
    from rdflib import Dataset, Graph

SH = "http://www.w3.org/ns/shacl#"
ENGINES = ("auto", "fast", "pyshacl")


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
    raw: tuple[RawResult, ...] = field(default=(), repr=False, compare=False)
    engine: str = "fast"
    _graph: "Callable[[], Graph] | None" = field(default=None, repr=False, compare=False)

    @cached_property
    def graph(self) -> "Graph":
        """The W3C validation report as an rdflib graph (made on first use)."""
        return self._graph() if self._graph else report_graph(self.conforms, self.raw)

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
def shape_triples() -> tuple[Triple, ...]:
    """Every shapes file, parsed once per process (by pyoxigraph, into plain triples)."""
    from .rdfio import parse_triples

    return tuple(t for path in sorted(SHAPES_DIR.glob("*.ttl")) for t in parse_triples(path))


def validate_graph(graph: "Quads | Graph | Dataset", engine: str = "auto",
                   shapes: tuple[Triple, ...] | None = None) -> ValidationReport:
    """Validate plain quads, or an rdflib graph or dataset (all graphs together), against the shapes."""
    from .shacl.shapes import Unsupported

    quads = graph if isinstance(graph, Quads) else Quads.from_rdflib(graph)
    shapes = shape_triples() if shapes is None else shapes
    if engine != "pyshacl":
        try:
            return _fast(quads, shapes)
        except Unsupported:
            if engine == "fast":
                raise
    return _pyshacl(quads, shapes)


@without_gc
def _fast(quads: Quads, shapes: tuple[Triple, ...]) -> ValidationReport:
    from .shacl.engine import Data, Validator
    from .shacl.shapes import read_shapes
    from .shacl.sparql import SparqlRunner

    roots, _ = read_shapes(shapes)
    runner: list[SparqlRunner] = []

    def sparql(*args):  # the store is made only if a SPARQL constraint runs
        if not runner:
            runner.append(SparqlRunner(quads.store()))
        return runner[0](*args)

    raw = Validator(Data(quads.by_subject()), sparql).validate(roots)
    conforms = not any(r.severity == SH + "Violation" for r in raw)
    return ValidationReport(conforms, _results(raw, quads.prefixes), tuple(raw), "fast")


def _pyshacl(quads: Quads, shapes: tuple[Triple, ...]) -> ValidationReport:
    from pyshacl import validate as shacl
    from rdflib import Graph
    from rdflib.namespace import SH as RSH

    from .convert import from_rdflib, to_rdflib

    data = Graph()
    for prefix, ns in quads.prefixes.items():
        data.bind(prefix, ns, override=True, replace=True)
    data.addN((to_rdflib(s), to_rdflib(p), to_rdflib(o), data) for s, p, o in quads.union())
    shapes_graph = Graph()
    shapes_graph.addN((to_rdflib(s), to_rdflib(p), to_rdflib(o), shapes_graph) for s, p, o in _runnable(shapes))
    conforms, report, _ = shacl(data, shacl_graph=shapes_graph, inference="none", abort_on_first=False,
                                allow_infos=True, allow_warnings=True)

    def get(node, p):
        value = report.value(node, p)
        return None if value is None else from_rdflib(value)

    raw = []
    for node in report.objects(None, RSH.result):  # top-level results; nested ones hang off sh:detail
        messages = tuple(sorted(str(m) for m in report.objects(node, RSH.resultMessage)))
        raw.append(RawResult(get(node, RSH.focusNode), get(node, RSH.resultPath), get(node, RSH.value),
                             get(node, RSH.sourceConstraintComponent), get(node, RSH.sourceShape),
                             get(node, RSH.resultSeverity) or SH + "Violation", messages,
                             get(node, RSH.sourceConstraint)))
    return ValidationReport(bool(conforms), _results(raw, quads.prefixes), tuple(raw), "pyshacl", lambda: report)


def _runnable(shapes: tuple[Triple, ...]) -> list[Triple]:
    """The shapes with each SPARQL text pyshacl would run (rdflib, which fetches SERVICE and FROM)
    replaced by the text `query.safety.checked` lets run, and every sh:declare checked: pyshacl
    pastes the declarations in front of the query."""
    from .query.safety import checked, prefix_declaration

    out, declared = [], {}
    for s, p, o in shapes:
        if p in _SPARQL_TEXTS and isinstance(o, Literal):
            o = Literal(checked(o[0], f"the {p[len(SH):]} query of the SHACL node {n3(s)}", graphs=()), o[1], o[2])
        elif p in (SH + "prefix", SH + "namespace"):
            declared.setdefault(s, {})[p] = o[0] if isinstance(o, Literal) else o
        out.append((s, p, o))
    for node, parts in declared.items():
        prefix_declaration(str(parts.get(SH + "prefix", "")), str(parts.get(SH + "namespace", "")),
                           f"the SHACL declaration {n3(node)}")
    return out


_SPARQL_TEXTS = {SH + "select", SH + "ask", SH + "construct", SH + "update"}


# --- results a curator reads ----------------------------------------------------------------------

def _results(raw: list[RawResult], prefixes: dict[str, str]) -> tuple[Result, ...]:
    name = Namer(prefixes)
    return tuple(sorted(Result(
        focus=name(r.focus),
        path=name(r.path) if type(r.path) is str else "",
        message="; ".join(sorted(set(r.messages))) or "constraint not met",
        value=name(r.value),
        component=r.component.rsplit("#", 1)[-1] if r.component else "",
        shape=name(r.shape) if type(r.shape) is str else "",
        severity=(r.severity or SH + "Violation").rsplit("#", 1)[-1],
    ) for r in raw))


class Namer:
    """Short, stable names for IRIs: prefixed where a prefix of the data fits."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = sorted(((ns, p) for p, ns in prefixes.items() if p), key=lambda x: -len(x[0]))

    def __call__(self, node: Term | None) -> str:
        if node is None:
            return ""
        if type(node) is str:
            for ns, prefix in self.prefixes:
                if node.startswith(ns) and "/" not in node[len(ns):]:
                    return f"{prefix}:{node[len(ns):]}"
            return f"<{node}>"
        if isinstance(node, Literal):
            return n3(node)
        return str(node)


def report_graph(conforms: bool, raw: tuple[RawResult, ...]) -> "Graph":
    """The W3C SHACL validation report of plain results, as an rdflib graph."""
    from rdflib import BNode as RBNode, Graph, Literal as RLiteral
    from rdflib.namespace import RDF as R, SH as RSH

    from .convert import to_rdflib

    g = Graph()
    g.bind("sh", RSH)
    report = RBNode()
    g.add((report, R.type, RSH.ValidationReport))
    g.add((report, RSH.conforms, RLiteral(conforms)))
    for r in raw:
        node = RBNode()
        g.add((report, RSH.result, node))
        g.add((node, R.type, RSH.ValidationResult))
        for p, value in ((RSH.focusNode, r.focus), (RSH.resultPath, r.path), (RSH.value, r.value),
                         (RSH.sourceConstraintComponent, r.component), (RSH.sourceShape, r.shape),
                         (RSH.resultSeverity, r.severity), (RSH.sourceConstraint, r.source_constraint)):
            if value is not None and not isinstance(value, BNode):
                g.add((node, p, to_rdflib(value)))
        for message in r.messages:
            g.add((node, RSH.resultMessage, RLiteral(message)))
    return g
