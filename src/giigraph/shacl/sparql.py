"""SHACL-SPARQL constraints on Oxigraph: one query per constraint, not one per focus node.

SHACL runs a constraint's SELECT once per focus node with `$this` pre-bound; at a million triples
that is tens of thousands of queries. Here `$this` becomes a variable and every group pattern
that uses it starts with the shape's targets, `{ SELECT DISTINCT ?this WHERE { <targets> } }`:
each group is then evaluated for all focus nodes at once, exactly as pre-binding evaluates it for
one, and the rows are split by `?this`. Groups inside EXISTS need nothing: EXISTS substitutes the
outer `?this`. Queries this rewrite cannot keep equivalent (GRAPH, VALUES, MINUS, sub-selects,
aggregates) run once per focus node with Oxigraph's pre-binding (`substitutions`), which is SHACL's
own semantics. A test compares both ways with pyshacl.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from ..convert import from_ox, to_ox
from ..query.safety import checked
from ..terms import Term, nt
from .shapes import RDF_TYPE, RDFS, Shape, SparqlConstraint, Unsupported

_TOKEN = re.compile(r"""
    (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<comment>\#[^\n]*)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<open>\{) | (?P<close>\})
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)
_REFUSED = {"GRAPH", "SERVICE", "VALUES", "MINUS", "GROUP", "HAVING", "COUNT", "SUM", "MIN", "MAX", "AVG",
            "SAMPLE", "GROUP_CONCAT"}


class Plan:
    """A constraint's query, pre-bound ($PATH, $currentShape) and, where possible, rewritten set-based."""

    def __init__(self, shape: Shape, constraint: SparqlConstraint) -> None:
        text = checked(constraint.select, f"the SHACL-SPARQL constraint {nt(constraint.node)}", graphs=())
        if re.search(r"[?$]shapesGraph\b", text):
            raise Unsupported(f"$shapesGraph in {constraint.node}")
        text = re.sub(r"\$currentShape\b", nt(shape.node) if isinstance(shape.node, str) else "?currentShape", text)
        if shape.path is not None:
            text = re.sub(r"\$PATH\b", shape.path.sparql(), text)
        self.prefixes = constraint.prefixes
        self.query = text
        self.projects_this = _projects(text, "this")
        self.groups = _groups(text)  # None: not rewritable

    def set_query(self, targets: str) -> str:
        """The query with the targets opening every group that uses ?this, and ?this projected."""
        text = self.query
        for position in sorted(self.groups or (), reverse=True):
            text = text[:position] + f" {{ SELECT DISTINCT ?this WHERE {{ {targets} }} }} " + text[position:]
        if not self.projects_this:
            text = re.sub(r"\bSELECT\s+((?:DISTINCT|REDUCED)\s+)?", lambda m: m.group(0) + "?this ", text, count=1,
                          flags=re.I)
        return self.prefixes + text


def _projects(text: str, name: str) -> bool:
    head = re.split(r"\bWHERE\b|\{", text, maxsplit=1, flags=re.I)[0]
    return bool(re.search(r"\*|[?$]%s\b" % name, head))


def _groups(text: str) -> list[int] | None:
    """Offsets just inside each group pattern whose content uses ?this (not inside EXISTS), or None
    when the query has a feature the set-based rewrite cannot keep equivalent."""
    frames: list[dict] = []  # open braces: {"pos", "kind", "this"}
    found: list[int] = []
    previous: list[str] = []
    selects = 0
    for m in _TOKEN.finditer(text):
        kind, value = m.lastgroup, m.group()
        if kind in ("comment", "string", "iri") or (kind == "other" and value.isspace()):
            continue
        if kind == "word":
            word = value.upper()
            if word in _REFUSED:
                return None
            if word == "SELECT":
                selects += 1
                if selects > 1:
                    return None
        elif kind == "var" and value[1:] == "this":
            for frame in frames:
                frame["this"] = True
        elif kind == "open":
            inside_exists = any(f["kind"] == "exists" for f in frames)
            frame_kind = "exists" if previous[-1:] == ["EXISTS"] else "group"
            frames.append({"pos": m.end(), "kind": "exists" if inside_exists else frame_kind, "this": False})
        elif kind == "close":
            if not frames:
                return None
            frame = frames.pop()
            if frame["kind"] == "group" and frame["this"]:
                found.append(frame["pos"])
        previous.append(value.upper() if kind == "word" else value)
    return found if not frames else None


def target_pattern(shape: Shape) -> str | None:
    """The shape's targets as a SPARQL pattern binding ?this, or None if it has none."""
    parts = []
    for kind, target in shape.targets:
        term = nt(target)
        if kind == "targetClass":
            parts.append(f"?this <{RDF_TYPE}>/<{RDFS}subClassOf>* {term} .")
        elif kind == "targetNode":
            parts.append(f"VALUES ?this {{ {term} }}")
        elif kind == "targetSubjectsOf":
            parts.append(f"?this {term} ?target_object_ .")
        else:
            parts.append(f"?target_subject_ {term} ?this .")
    if not parts:
        return None
    return " UNION ".join(f"{{ {p} }}" for p in parts)


class SparqlRunner:
    """Runs SPARQL constraints on one Oxigraph store (its default graph the union of all graphs)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.plans: dict[tuple[int, int], Plan] = {}

    def __call__(self, shape: Shape, constraint: SparqlConstraint, targeted: Shape | None,
                 focus_nodes: set[Term]) -> dict[Term, list[tuple]]:
        key = (id(shape), id(constraint))
        plan = self.plans.get(key)
        if plan is None:
            plan = self.plans[key] = Plan(shape, constraint)
        targets = target_pattern(targeted) if targeted is not None else None
        rows: dict[Term, list[tuple]] = defaultdict(list)
        if plan.groups and targets is not None:
            for solution, variables in self._select(plan.set_query(targets), None):
                values = _row(solution, variables)
                this = values.get("this")
                if this in focus_nodes:
                    _add(rows[this], values, plan.projects_this)
        else:
            query = plan.prefixes + plan.query
            for focus in focus_nodes:
                for solution, variables in self._select(query, focus):
                    _add(rows[focus], _row(solution, variables), plan.projects_this)
        return rows

    def _select(self, query: str, focus: Term | None) -> Iterable[tuple]:
        substitutions = {ox.Variable("this"): to_ox(focus)} if focus is not None else None
        query = checked(query, "a SHACL-SPARQL constraint", graphs=())  # what runs, with its prefixes
        try:
            solutions = self.store.query(query, use_default_graph_as_union=True, substitutions=substitutions)
        except SyntaxError as exc:
            raise Unsupported(f"SPARQL constraint does not parse: {exc}") from None
        variables = [v.value for v in solutions.variables]
        for solution in solutions:
            yield solution, variables


def _row(solution: ox.QuerySolution, variables: list[str]) -> dict[str, Term]:
    out = {}
    for name in variables:
        term = solution[name]
        if term is not None:
            out[name] = from_ox(term)
    return out


def _add(rows: list[tuple], values: dict[str, Term], projects_this: bool) -> None:
    """One result row (this, path, value, other bindings), skipping repeats as pyshacl does."""
    values = dict(values)
    if values.pop("failure", None) is not None:
        raise Unsupported("a SPARQL constraint reported ?failure")
    this = values.pop("this", None)
    row = (this if projects_this else None, values.pop("path", None), values.pop("value", None), values)
    if row[:3] != (None, None, None) and row not in rows:
        rows.append(row)

