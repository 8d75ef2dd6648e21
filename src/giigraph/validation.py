"""SHACL validation, and reports a curator can read.

Shapes are every `*.ttl` under `shapes/`, or any shapes graph given. The data graph is the union of
all named graphs, with no inference: published data writes its types out, so nothing needs to be
inferred to check it. `conforms` is SHACL's: no result at all, whatever its severity; what fails a
command is chosen by severity (`ValidationReport.fails`, the CLI's `--fail-on`). SPARQL in the
shapes is checked before either engine runs (nothing may be fetched).

Two engines give the same results (a test proves it on the project's shapes and on fixtures):
`giigraph.shacl` (SHACL Core over an in-memory index, SHACL-SPARQL as one Oxigraph query per
constraint; linear in the data) is the one used, and pyshacl, the reference, is used for shapes
with features the fast engine does not evaluate, or when asked for (`engine="pyshacl"`). Both are
held to the W3C SHACL test suite (`tests/test_w3c_shacl.py`).
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .gcpause import without_gc
from .quads import Quads, typed_literals
from .resources import SHAPES_DIR
from .shacl.engine import RawResult
from .terms import BNode, Literal, Term, Triple, n3

if TYPE_CHECKING:
    from rdflib import Dataset, Graph

    from .shacl.footprint import Memo

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

    def fails(self, fail_on: str = "violation") -> bool:
        """Whether a result is at least as severe as `fail_on` (violation, warning or info); a
        severity outside SHACL's three counts as a violation."""
        worst = SEVERITIES.index(fail_on)
        return any(SEVERITIES.index(r.severity.lower()) <= worst if r.severity.lower() in SEVERITIES else True
                   for r in self.results)

    def text(self) -> str:
        """One block per focus node, one line per problem, sorted so the report is stable."""
        if self.conforms:
            return "The data conforms to the shapes: no problems found.\n"
        counts = Counter(r.severity.lower() for r in self.results)
        tally = ", ".join(f"{n} {severity}(s)" for severity, n in sorted(counts.items(), key=_severity_order))
        lines = [f"The data does not conform: {len(self.results)} problem(s): {tally}.", ""]
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


#: Severities from the most to the least severe; `--fail-on` names one of them.
SEVERITIES = ("violation", "warning", "info")


@dataclass(frozen=True)
class ShapesGraph:
    """A shapes graph as plain triples, with the prefixes its files declared (pyshacl reads them)."""

    triples: tuple[Triple, ...]
    prefixes: tuple[tuple[str, str], ...] = ()


@cache
def shape_triples() -> tuple[Triple, ...]:
    """Every shapes file, parsed once per process (by pyoxigraph, into plain triples)."""
    return project_shapes().triples


@cache
def project_shapes() -> ShapesGraph:
    """The project's shapes (`shapes/*.ttl`), read once per process."""
    from .rdfio import read_quads

    quads = read_quads(sorted(SHAPES_DIR.glob("*.ttl")))
    return ShapesGraph(tuple(sorted(quads.union(), key=str)), tuple(sorted(quads.prefixes.items())))


ShapesInput = "ShapesGraph | Quads | Graph | Dataset | tuple[Triple, ...] | list[Path] | None"


def load_shapes(shapes: ShapesInput) -> ShapesGraph:
    """Any shapes: None (the project's), plain quads, an rdflib graph, plain triples or RDF files."""
    if shapes is None:
        return ShapesGraph(shape_triples(), project_shapes().prefixes)
    if isinstance(shapes, ShapesGraph):
        return shapes
    if isinstance(shapes, (list, tuple)) and all(isinstance(s, (str, Path)) for s in shapes) and shapes:
        from .rdfio import read_quads

        shapes = read_quads(shapes)
    if isinstance(shapes, (list, tuple)):
        return ShapesGraph(tuple(shapes))
    quads = shapes if isinstance(shapes, Quads) else Quads.from_rdflib(shapes)
    return ShapesGraph(tuple(quads.union()), tuple(sorted(quads.prefixes.items())))


def validate_graph(graph: "Quads | Graph | Dataset", engine: str = "auto",
                   shapes: ShapesInput = None) -> ValidationReport:
    """Validate plain quads, or an rdflib graph or dataset (all graphs together), against the shapes
    (the project's by default). Shapes the spec forbids raise `ShapesError`; with engine "fast",
    shapes the fast engine does not evaluate raise `Unsupported` ("auto" then asks pyshacl)."""
    quads = graph if isinstance(graph, Quads) else Quads.from_rdflib(graph)
    return _validate(quads, load_shapes(shapes), engine)[0]


def _validate(quads: Quads, shapes: ShapesGraph, engine: str, since: "Since | None" = None,
              parsed: "Parsed | None" = None) -> tuple[ValidationReport, bool]:
    """The report, and whether the data's literals were found kept as written by Oxigraph's store;
    `parsed`: what a previous validation parsed of the same shapes by the same code, which this one
    takes and fills for the next (`Parsed`)."""
    from .shacl.shapes import Unsupported

    _check_local(shapes, parsed)
    if engine != "pyshacl":
        try:
            return _fast(quads, shapes, since, None if parsed is None else parsed.reads)
        except Unsupported:
            if engine == "fast":
                raise
    return _pyshacl(quads, shapes), False


@without_gc  # the data's millions of objects are alive: a collection while parsing would walk them all
def _check_local(shapes: ShapesGraph, parsed: "Parsed | None" = None) -> None:
    """Refuse shapes whose SPARQL would reach outside the data (SERVICE, LOAD, FROM <remote>), before
    either engine runs anything: Oxigraph federates SERVICE, rdflib (under pyshacl) fetches FROM IRIs.
    With `parsed`, texts whose digest (with their prefixes and the code parsing them) a previous check
    passed (`Parsed.local`) are not parsed again, the verdict being a function of them; the digest of
    those passed here is left there. This skips no check where a query runs: `query.safety.checked`
    still lexes every query an engine executes (`sparql.Plan`, `SparqlRunner`)."""
    from .shacl.shapes import sparql_texts

    texts = sparql_texts(shapes.triples)
    if not texts:
        return
    digest = None
    if parsed is not None:
        digest = hashlib.sha256(parsed.readers + json.dumps(
            [shapes.prefixes, sorted(text for _, text in texts)]).encode()).digest()
        if digest == parsed.local:
            return
    from .query.parse import check_local, parse_query

    for node, text in texts:
        check_local(parse_query(text, dict(shapes.prefixes), source=f"the SPARQL of shape node {n3(node)}"),
                    frozenset())
    if digest is not None:
        parsed.local = digest  # type: ignore[union-attr]


@dataclass
class Parsed:
    """What parsing the shapes' SPARQL with rdflib derived in a validation, filled by it for the next
    validation of the same shapes to take instead of parsing again (0.4 s of CPU of a rebuild, with the
    import of rdflib's SPARQL parser, which nothing else of a rebuild needs): the digest of the texts
    `_check_local` passed (a validation refused leaves nothing) and what each SHACL-SPARQL query reads
    (`footprint.Memo`). Each is a function of the texts and of the code that parsed them (`readers`:
    giigraph's modules, rdflib's and pyparsing's versions); taken only from a validation by the same
    code. Nothing of the safety check is skipped where a query runs."""

    readers: bytes
    local: bytes = b""
    reads: "Memo" = field(default_factory=dict)


@dataclass(frozen=True)
class Kept:
    """What a validation by the fast engine leaves for the next one of the same shapes, so that it can
    judge only what a change of the data reaches (`revalidate_graph`)."""

    #: The project's shapes' digest (`project_shapes_digest`).
    shapes: str
    #: The focus nodes that had a result (results are not kept: those nodes are judged again).
    reported: frozenset[Term]
    #: Whether every literal of the data was found kept as written by Oxigraph's store (SHACL-SPARQL
    #: runs there): each literal is judged on its own, so the next data's are if the added ones are.
    literals: bool = False
    #: What this validation parsed of the shapes' SPARQL (`Parsed`).
    parsed: Parsed | None = None


#: What an incremental validation starts from: the focus nodes reported before, the triples added and
#: removed since, and whether the literals were all kept as written then (`Kept`).
Since = tuple[Iterable[Term], Iterable[Triple], Iterable[Triple], bool]


@cache
def project_shapes_digest() -> str:
    """The SHA-256 of the project's shapes files (names and bytes): the same in every process, where
    the parsed shapes are not (their blank nodes are labelled anew on each parse)."""
    digest = hashlib.sha256()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def revalidate_graph(quads: Quads, kept: Kept | None, added: Iterable[Triple] = (),
                     removed: Iterable[Triple] = ()) -> tuple[ValidationReport, Kept | None]:
    """`validate_graph(quads)` (the project's shapes, engine "auto"), after a validation that left
    `kept` on data that differed from `quads` by the triples `added` and `removed`: SHACL Core judges
    only the focus nodes the change can reach (`shacl/footprint.py`), with the same report. Without
    `kept`, or with other shapes, validates in full. Returns what this validation leaves for the next
    (None when the fast engine did not answer), with what it parsed of the shapes' SPARQL (`Parsed`,
    taken from `kept` when the shapes and the code parsing them are the same)."""
    from .buildcache import readers_fingerprint

    digest = project_shapes_digest()
    same = kept is not None and kept.shapes == digest
    since = (kept.reported, tuple(added), tuple(removed), kept.literals) if same else None
    before = kept.parsed if same else None
    parsed = (Parsed(before.readers, before.local, dict(before.reads))
              if before is not None and before.readers == readers_fingerprint() else Parsed(readers_fingerprint()))
    report, literals = _validate(quads, load_shapes(None), "auto", since, parsed)
    return report, Kept(digest, frozenset(r.focus for r in report.raw), literals, parsed) if report.engine == "fast" else None


@without_gc
def _fast(quads: Quads, shapes: ShapesGraph, since: "Since | None" = None,
          memo: "Memo | None" = None) -> tuple[ValidationReport, bool]:
    """The fast engine's report, and whether the data's literals were found kept as written by the
    store; `since`: where a validation of data that differed by a change left off (`revalidate_graph`).
    When every literal was kept then, only the added ones are checked (`Kept.literals`). With `memo`,
    the shapes' footprints are worked out, their SPARQL reads taken from it and added to it, for the
    next validation (`Parsed`), even where this one judges every focus node."""
    from .shacl.engine import Data, Validator
    from .shacl.footprint import footprints, revalidate
    from .shacl.shapes import read_shapes
    from .shacl.sparql import SparqlRunner

    roots, _ = read_shapes(shapes.triples)
    follows = since is not None and since[3]
    added = since[1] if since is not None else ()
    runner = SparqlRunner(quads.union_store, (lambda: typed_literals(added)) if follows else quads.typed_literals)
    validator = Validator(Data(quads.by_subject(), few=since is not None), runner)
    reads = None if memo is None else footprints(validator, roots, memo)
    raw = validator.validate(roots) if since is None else revalidate(validator, roots, *since[:3], reads)
    return ValidationReport(not raw, _results(raw, quads.prefixes), tuple(raw), "fast",
                            lambda: report_graph(not raw, tuple(raw), shapes.triples)), runner.checked


@contextmanager
def exact_rdflib() -> Iterator[None]:
    """rdflib keeping every literal as written and quiet about ill-formed ones: by default it rewrites
    "none"^^xsd:boolean as "false" (the report would show a value the data does not hold) and logs a
    traceback for each literal it cannot convert."""
    import rdflib

    logger = logging.getLogger("rdflib.term")
    saved = rdflib.NORMALIZE_LITERALS, logger.disabled
    rdflib.NORMALIZE_LITERALS, logger.disabled = False, True
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS, logger.disabled = saved


def _pyshacl(quads: Quads, shapes: ShapesGraph) -> ValidationReport:
    with exact_rdflib():
        return _run_pyshacl(quads, shapes)


def _run_pyshacl(quads: Quads, shapes: ShapesGraph) -> ValidationReport:
    from pyshacl import validate as shacl
    from pyshacl.errors import ReportableRuntimeError
    from rdflib import Graph
    from rdflib.namespace import SH as RSH

    from .convert import from_rdflib, to_rdflib
    from .errors import ShapesError

    data = Graph()
    for prefix, ns in quads.prefixes.items():
        data.bind(prefix, ns, override=True, replace=True)
    data.addN((to_rdflib(s), to_rdflib(p), to_rdflib(o), data) for s, p, o in quads.union())
    shapes_graph = Graph()
    for prefix, ns in shapes.prefixes:
        shapes_graph.bind(prefix, ns, override=True, replace=True)
    shapes_graph.addN((to_rdflib(s), to_rdflib(p), to_rdflib(o), shapes_graph) for s, p, o in _runnable(shapes.triples))
    try:
        conforms, report, _ = shacl(data, shacl_graph=shapes_graph, inference="none", abort_on_first=False,
                                    allow_infos=False, allow_warnings=False)
    except ReportableRuntimeError as exc:
        raise ShapesError(f"the shapes cannot be evaluated: {' '.join(exc.message.split())}") from None
    except NotImplementedError as exc:  # e.g. $shapesGraph, which neither engine evaluates
        raise ShapesError(f"neither SHACL engine evaluates these shapes: {exc}") from None
    if isinstance(report, Exception):  # pyshacl returns its ValidationFailure in place of a report
        raise ShapesError(f"the shapes cannot be evaluated: {' '.join(str(report).split())}")

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
    """The shapes with each SPARQL text pyshacl would run (on rdflib, which fetches SERVICE and FROM,
    and expands `\\u` escapes its own way) replaced by the text `query.safety.checked` lets run.
    (`_check_local` has checked these texts, and the sh:declare parts pyshacl pastes before them.)"""
    from .query.safety import checked

    return [(s, p, Literal(checked(o[0], f"the SPARQL of shape node {n3(s)}", graphs=()), o[1], o[2]))
            if p in _SPARQL_TEXTS and isinstance(o, Literal) else (s, p, o) for s, p, o in shapes]


_SPARQL_TEXTS = {SH + "select", SH + "ask", SH + "construct", SH + "update"}


def _severity_order(item: tuple[str, int]) -> tuple[int, str]:
    return (SEVERITIES.index(item[0]) if item[0] in SEVERITIES else -1, item[0])


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


def report_graph(conforms: bool, raw: tuple[RawResult, ...], shapes: tuple[Triple, ...] = ()) -> "Graph":
    """The W3C SHACL validation report of plain results, as an rdflib graph; a result path that is a
    blank node (a complex path) is copied from the shapes with the triples that describe it."""
    with exact_rdflib():
        return _report_graph(conforms, raw, shapes)


def _report_graph(conforms: bool, raw: tuple[RawResult, ...], shapes: tuple[Triple, ...]) -> "Graph":
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
            if value is not None:
                g.add((node, p, to_rdflib(value)))
        if isinstance(r.path, BNode):
            g += _described(r.path, shapes)
        for message in r.messages:
            g.add((node, RSH.resultMessage, RLiteral(message)))
    return g


def _described(node: BNode, triples: tuple[Triple, ...]) -> "list":
    """The triples reachable from a blank node through blank nodes (a path, a list), as rdflib triples."""
    from .convert import to_rdflib

    out, todo, seen = [], [node], {node}
    by_subject: dict = {}
    for s, p, o in triples:
        if isinstance(s, BNode):
            by_subject.setdefault(s, []).append((s, p, o))
    while todo:
        for s, p, o in by_subject.get(todo.pop(), ()):
            out.append((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
            if isinstance(o, BNode) and o not in seen:
                seen.add(o)
                todo.append(o)
    return out
