"""SHACL-SPARQL constraints on Oxigraph: one query per constraint, not one per focus node.

SHACL runs a constraint's SELECT once per focus node with `$this` pre-bound; at a million triples
that is tens of thousands of queries. Here `$this` becomes a variable and every group pattern
that uses it starts with the shape's targets, `{ SELECT DISTINCT ?this WHERE { <targets> } }`:
each group is then evaluated for all focus nodes at once, exactly as pre-binding evaluates it for
one, and the rows are split by `?this`. Groups inside EXISTS need nothing: EXISTS substitutes the
outer `?this`. Queries this rewrite cannot keep equivalent (GRAPH, VALUES, MINUS, sub-selects,
aggregates, LIMIT and OFFSET) run once per focus node with Oxigraph's pre-binding (`substitutions`),
which is SHACL's own semantics. A test compares both ways with pyshacl. The validators of SPARQL-based constraint
components run the same way, once per focus node (SELECT) or value node (ASK).

Queries that break SHACL's pre-binding rules (Appendix A) are refused (`check_prebinding`) when the
shapes are read; SERVICE, LOAD and remote FROM were refused before that (`validation._check_local`).
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cached_property

import pyoxigraph as ox

from ..convert import from_ox, rewritten_by_store, to_ox
from ..query.safety import checked
from ..terms import BNode, Term, nt
from ..errors import ShapesError
from .shapes import RDF_TYPE, RDFS, ComponentUse, Shape, SparqlConstraint, Unsupported

_TOKEN = re.compile(r"""
    (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<comment>\#[^\n]*)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\u00B7\u00C0-\uFFFF-]*)?:(?:[\w.:%\\\u00B7\u00C0-\uFFFF-]*[\w:%\u00B7\u00C0-\uFFFF-])?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<open>\{) | (?P<close>\})
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)
_REFUSED = {"GRAPH", "SERVICE", "VALUES", "MINUS", "GROUP", "HAVING", "COUNT", "SUM", "MIN", "MAX", "AVG",
            "SAMPLE", "GROUP_CONCAT", "LIMIT", "OFFSET"}  # LIMIT and OFFSET apply per focus node


#: SPARQL features SHACL forbids with pre-bound variables (SHACL Appendix A).
_FORBIDDEN = {"MINUS", "VALUES"}  # SERVICE too, refused before by the safety check (validation._check_local)
#: Pre-bound variables a sub-select need not return (SHACL §5.2.1).
_OPTIONAL = {"currentShape", "shapesGraph"}


def check_prebinding(text: str, prebound: set[str], node: Term) -> None:
    """Refuse a SHACL-SPARQL query that breaks the pre-binding rules (SHACL Appendix A): MINUS,
    VALUES (SERVICE is refused earlier, by the safety check), `AS ?v` for a pre-bound ?v, or a sub-select that does not return every
    pre-bound variable (`SELECT *` in a sub-select included, as its variables depend on the data)."""
    def refuse(why: str) -> None:
        raise ShapesError(f"the SPARQL query of {nt(node)} {why}, which SHACL forbids where variables are "
                          "pre-bound (SHACL Appendix A)")

    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)
              if m.lastgroup not in ("comment", "string", "iri") and not m.group().isspace()]
    selects = 0
    for i, (kind, value) in enumerate(tokens):
        word = value.upper() if kind == "word" else None
        if word in _FORBIDDEN:
            refuse(f"uses {word}")
        if word == "AS" and i + 1 < len(tokens) and tokens[i + 1][0] == "var" and tokens[i + 1][1][1:] in prebound:
            refuse(f"assigns the pre-bound variable {tokens[i + 1][1]} with AS")
        if word == "SELECT":
            selects += 1
            if selects == 1:
                continue
            head = []
            for k, v in tokens[i + 1:]:
                if v == "{" or (k == "word" and v.upper() == "WHERE"):
                    break
                head.append((k, v))
            if any(v == "*" for _, v in head):
                refuse("has a sub-select with SELECT *")
            returned = {v[1:] for k, v in head if k == "var"}
            missing = sorted(prebound - _OPTIONAL - returned)
            if missing:
                refuse(f"has a sub-select that does not return ${missing[0]}")


def _prebound_text(shape: Shape, text: str) -> str:
    """The query with $currentShape and $PATH written in (SHACL §5.3.1, §6.3)."""
    if re.search(r"[?$]shapesGraph\b", text):
        raise Unsupported("$shapesGraph in a SHACL-SPARQL query")
    text = re.sub(r"\$currentShape\b", nt(shape.node) if isinstance(shape.node, str) else "?currentShape", text)
    if shape.path is not None:
        text = re.sub(r"\$PATH\b", shape.path.sparql(), text)
    return text


def _projecting(text: str, names: list[str]) -> str:
    """The query as a SELECT that projects every variable to pre-bind (Oxigraph substitutes projected
    variables only); an ASK becomes a SELECT whose rows say yes. The answers do not change: each
    added variable has one value per run."""
    for m in _TOKEN.finditer(text):
        word = m.group().upper() if m.lastgroup == "word" else None
        if word == "ASK":
            return text[:m.start()] + "SELECT " + " ".join(f"?{n}" for n in names) + text[m.end():]
        if word == "SELECT":
            head = _projection_head.match(text, m.end())
            projected = set(re.findall(r"[?$](\w+)", text[m.end():].split("{", 1)[0]))
            missing = " ".join(f"?{n}" for n in names if n not in projected)
            return text[:head.end()] + (f" {missing} " if missing else "") + text[head.end():]  # type: ignore[union-attr]
    return text


_projection_head = re.compile(r"\s*(?:(?:DISTINCT|REDUCED)\s+)?", re.I)


class Plan:
    """A constraint's query, pre-bound ($PATH, $currentShape) and, where possible, rewritten set-based."""

    def __init__(self, shape: Shape, constraint: SparqlConstraint) -> None:
        text = _prebound_text(shape, checked(constraint.select, f"the SHACL-SPARQL constraint {nt(constraint.node)}",
                                             graphs=()))
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
    """Runs SPARQL constraints on one Oxigraph store (its default graph the union of all graphs),
    made by `make_store` when the first query runs: shapes without SPARQL need no store. `literals`
    gives the data's literals (at least its typed and tagged ones), which the store must keep as
    written (`kept_as_written`)."""

    def __init__(self, make_store: Callable[[], ox.Store], literals: Callable[[], Iterable[Term]]) -> None:
        self.make_store = make_store
        self.literals = literals
        self.plans: dict[tuple[int, int], Plan] = {}

    @cached_property
    def store(self) -> ox.Store | Unsupported:
        return self._rewritten or self.make_store()  # Unsupported kept, so that each constraint refuses at once

    @cached_property
    def _rewritten(self) -> Unsupported | None:
        try:
            kept_as_written(self.literals())
        except Unsupported as exc:
            return exc
        return None

    def literals_kept(self) -> bool:
        """Whether an Oxigraph store keeps every literal `literals` gives as written (without waiting
        for this one's store)."""
        return self._rewritten is None

    @property
    def checked(self) -> bool:
        """Whether the literals were checked (a query ran, or `literals_kept` asked), and kept."""
        return "_rewritten" in self.__dict__ and self._rewritten is None

    def __call__(self, shape: Shape, constraint: SparqlConstraint, targeted: Shape | None,
                 focus_nodes: set[Term], some: bool = False) -> dict[Term, list[tuple]]:
        """Rows by focus node; `targeted`: the shape whose targets are the focus nodes (`some`: some
        of them, an incremental validation's), None to run once per focus node."""
        _named(focus_nodes)
        if some and not focus_nodes:
            return {}
        key = (id(shape), id(constraint))
        plan = self.plans.get(key)
        if plan is None:
            plan = self.plans[key] = Plan(shape, constraint)
        if some:  # the same set-based query, on these targets only
            targets: str | None = f"VALUES ?this {{ {' '.join(map(nt, focus_nodes))} }}"
        else:
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

    def component(self, shape: Shape, use: ComponentUse, pairs: list) -> Iterable[tuple]:
        """(focus, path, value, other bindings) of each problem a component's validator finds: an ASK
        validator is asked once per value node (false: a problem), a SELECT validator once per focus
        node (each row: a problem), with $this, $value and the parameters pre-bound."""
        validator = use.validator
        names = ["this", "value"] if validator.form == "ask" else ["this"]
        names += [name for name, _ in use.bindings]
        query = validator.prefixes + _projecting(_prebound_text(shape, validator.query), names)
        params = {ox.Variable(name): to_ox(value) for name, value in use.bindings}
        _named([*(focus for focus, _ in pairs), *(value for _, value in use.bindings),
                *(value for _, values in pairs for value in values if validator.form == "ask")])
        for focus, values in pairs:
            if validator.form == "ask":
                for value in values:
                    bindings = {**params, ox.Variable("this"): to_ox(focus), ox.Variable("value"): to_ox(value)}
                    if not any(True for _ in self._run(query, bindings)):
                        yield focus, None, value, {}
                continue
            for solution, variables in self._select(query, focus, params):
                row = _row(solution, variables)
                row.pop("this", None)
                if row.pop("failure", None) is not None:
                    raise Unsupported("a SPARQL validator reported ?failure")
                value = row.pop("value", None)
                yield focus, row.pop("path", None), value if value is not None or shape.is_property else focus, row

    def _run(self, query: str, substitutions: dict | None):
        query = checked(query, "a SHACL-SPARQL query", graphs=())  # what runs, with its prefixes
        store = self.store
        if isinstance(store, Unsupported):
            raise store
        try:
            return store.query(query, use_default_graph_as_union=True, substitutions=substitutions)
        except SyntaxError as exc:
            raise Unsupported(f"SPARQL constraint does not parse: {exc}") from None
        except RuntimeError as exc:  # e.g. a pre-bound variable that the query does not project
            raise Unsupported(f"SPARQL constraint cannot be pre-bound by Oxigraph: {exc}") from None

    def _select(self, query: str, focus: Term | None, params: dict | None = None) -> Iterable[tuple]:
        substitutions = {**(params or {}), ox.Variable("this"): to_ox(focus)} if focus is not None else None
        solutions = self._run(query, substitutions)
        variables = [v.value for v in solutions.variables]
        for solution in solutions:
            yield solution, variables


def kept_as_written(literals: Iterable[Term]) -> None:
    """`Unsupported` unless an Oxigraph store keeps each of the data's `literals` as written
    (`convert.rewritten_by_store`): SHACL-SPARQL would bind, count and report another term."""
    rewritten = rewritten_by_store(literals)
    if rewritten is not None:
        raise Unsupported(f"the data holds {rewritten}, which Oxigraph's store keeps in another form "
                          "(SHACL-SPARQL would see that form)")


def _named(nodes: Iterable[Term]) -> None:
    """`Unsupported` if a node to pre-bind is a blank node: the store relabels blank nodes as it loads
    them, so `_:b` of the data is not `_:b` there (pyshacl decides)."""
    if any(isinstance(node, BNode) for node in nodes):
        raise Unsupported("SHACL-SPARQL on a blank node (the store relabels them)")


def _row(solution: ox.QuerySolution, variables: list[str]) -> dict[str, Term]:
    out = {}
    for name in variables:
        term = solution[name]
        if isinstance(term, ox.BlankNode):  # relabelled by the store: not the data's label
            raise Unsupported("a SHACL-SPARQL result names a blank node (the store relabels them)")
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

