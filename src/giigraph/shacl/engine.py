"""SHACL Core evaluated in one pass over an in-memory index; SHACL-SPARQL handed to `sparql.py`.

Each targeted shape is checked on its focus nodes by plain dictionary look-ups, so the cost grows
with the data, never with its square. Results carry the same fields pyshacl reports (focus node,
path, value, component, shape, severity, messages); a test proves both engines agree.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import NamedTuple

from .. import xsd
from ..terms import XSD_NS, XSD_STRING, BNode, Literal, Term, nt
from .shapes import COMPONENTS, RDF_TYPE, RDFS, SH, ComponentUse, Path, Shape, SparqlConstraint, Unsupported

RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_EMPTY: dict = {}


class RawResult(NamedTuple):
    focus: Term
    path: Term | None
    value: Term | None
    component: str
    shape: Term
    severity: str
    messages: tuple[str, ...]
    source_constraint: Term | None = None


class Data:
    """The data graph, indexed by subject then predicate; inverse links and classes made on demand.

    `few`: only a few nodes will be judged (an incremental validation, `footprint.py`): sh:class reads
    each value node's types instead of listing every instance of the class first."""

    def __init__(self, by_subject: dict[Term, dict[str, list[Term]]], few: bool = False) -> None:
        self.out = by_subject
        self.few = few
        self._inv: dict[Term, dict[str, list[Term]]] | None = None
        self._by_type: dict[str, list[Term]] | None = None
        self._subjects_of: dict[str, list[Term]] | None = None
        self._objects_of: dict[str, list[Term]] = {}
        self._superclasses: dict[str, set[str]] = {}
        self._instances: dict[str, set[Term]] = {}

    def objects(self, s: Term, p: str) -> list[Term]:
        return self.out.get(s, _EMPTY).get(p, ())  # type: ignore[return-value]

    @property
    def inv(self) -> dict[Term, dict[str, list[Term]]]:
        if self._inv is None:
            inv: dict = {}
            for s, props in self.out.items():
                for p, objects in props.items():
                    for o in objects:
                        inv.setdefault(o, {}).setdefault(p, []).append(s)
            self._inv = inv
        return self._inv

    def subjects_of(self, p: str) -> list[Term]:
        """Subjects with a value for p (sh:targetSubjectsOf); every predicate's, in one pass on first use."""
        if self._subjects_of is None:
            index: dict[str, list[Term]] = {}
            for s, props in self.out.items():
                for q in props:
                    subjects = index.get(q)
                    if subjects is None:
                        index[q] = [s]
                    else:
                        subjects.append(s)
            self._subjects_of = index
        return self._subjects_of.get(p, [])

    def objects_of(self, p: str) -> list[Term]:
        """Objects of p, repeated as often as they occur (sh:targetObjectsOf), in one pass per predicate
        asked: the shapes target few predicates, and copying every object of every predicate costs more."""
        known = self._objects_of.get(p)
        if known is None:
            known = self._objects_of[p] = [o for props in self.out.values() for o in props.get(p, ())]
        return known

    def superclasses(self, cls: str) -> set[str]:
        """cls and everything it is a subclass of (rdfs:subClassOf*, in the data graph)."""
        if cls not in self._superclasses:
            seen, todo = {cls}, [cls]
            while todo:
                for parent in self.objects(todo.pop(), RDFS + "subClassOf"):
                    if parent not in seen:
                        seen.add(parent)  # type: ignore[arg-type]
                        todo.append(parent)  # type: ignore[arg-type]
            self._superclasses[cls] = seen
        return self._superclasses[cls]

    def instances(self, cls: str) -> set[Term]:
        """SHACL instances of cls: typed with it or with one of its subclasses (made once per class)."""
        known = self._instances.get(cls)
        if known is not None:
            return known
        if self._by_type is None:
            by_type: dict[str, list[Term]] = {}
            for s, props in self.out.items():
                for t in props.get(RDF_TYPE, ()):
                    by_type.setdefault(t, []).append(s)  # type: ignore[arg-type]
            self._by_type = by_type
        out: set[Term] = set()
        for t, members in self._by_type.items():
            if cls in self.superclasses(t):
                out.update(members)
        self._instances[cls] = out
        return out

    def is_instance(self, node: Term, cls: str) -> bool:
        """Whether node is a SHACL instance of cls, from its own types (`instances` lists them all)."""
        return any(cls in self.superclasses(t) for t in self.objects(node, RDF_TYPE))  # type: ignore[arg-type]

    def members(self, cls: str) -> Container[Term]:
        """`instances(cls)`, or when few nodes are judged, what tests each node's own types on `in`."""
        if self.few and cls not in self._instances:
            return _Instances(self, cls)
        return self.instances(cls)

    def values(self, focus: Term, path: Path) -> list[Term]:
        if path.kind == "pred":
            return self.out.get(focus, _EMPTY).get(path.arg, ())  # type: ignore[return-value]
        return list(self._walk({focus}, path))

    def _walk(self, nodes: set[Term], path: Path) -> set[Term]:
        kind, arg = path.kind, path.arg
        if kind == "pred":
            return {o for n in nodes for o in self.out.get(n, _EMPTY).get(arg, ())}  # type: ignore[arg-type]
        if kind == "inv":
            inner: Path = arg  # type: ignore[assignment]
            if inner.kind == "pred":
                return {s for n in nodes for s in self.inv.get(n, _EMPTY).get(inner.arg, ())}  # type: ignore[arg-type]
            return self._walk(nodes, inner.inverse())
        if kind == "seq":
            for step in arg:  # type: ignore[attr-defined]
                nodes = self._walk(nodes, step)
            return nodes
        if kind == "alt":
            return set().union(*(self._walk(nodes, step) for step in arg))  # type: ignore[attr-defined]
        reached = set(nodes) if kind in ("star", "opt") else set()
        frontier = self._walk(nodes, arg)  # type: ignore[arg-type]
        if kind == "opt":
            return reached | frontier
        while frontier - reached:
            new = frontier - reached
            reached |= new
            frontier = self._walk(new, arg)  # type: ignore[arg-type]
        return reached


class _Instances(NamedTuple):
    """The instances of a class, as `in` sees them, without listing them (`Data.members`)."""

    data: Data
    cls: str

    def __contains__(self, node: object) -> bool:
        return self.data.is_instance(node, self.cls)  # type: ignore[arg-type]


# --- the validator -------------------------------------------------------------------------------

#: Focus nodes with their value nodes, the unit every constraint check works on.
Pairs = list[tuple[Term, "list[Term] | tuple[Term, ...]"]]
#: A shape's judge of focus nodes (true: a problem), or None, and the positions of the parameters it judges.
Compiled = tuple["Callable[[Term], bool] | None", frozenset]
#: A shape's tests: of one value node (true: a problem), of a focus node with its value nodes.
Judged = tuple["list[Callable[[Term], bool]]", "list[Callable[[Term, Sequence[Term]], bool]]"]


class Validator:
    """Checks data against shapes, one constraint at a time over all focus nodes of a shape.

    SPARQL constraints go to `sparql` (one query per constraint on Oxigraph). Most focus nodes have
    no problem: a shape's Core constraints are first judged node by node by one compiled function
    (`_plan`), and the constraints then run, as written, on the nodes judged to have a problem only."""

    def __init__(self, data: Data, sparql: "SparqlEngine | None" = None) -> None:
        self.data = data
        self.sparql = sparql
        self._conforms: dict[tuple[int, Term], bool] = {}
        self._plans: dict[int, Compiled] = {}
        self._cyclic: dict[int, bool] = {}
        self._tests: dict[int, Judged] = {}  # each compiled shape's tests, for a node shape to inline
        self._focus: dict[int, set[Term]] = {}
        self._sparql_rows: dict[tuple[int, int, int], dict] = {}
        #: The focus nodes an incremental validation judges, of the targeted shapes it judges in part
        #: (`footprint.revalidate`): their SPARQL constraints run for those only.
        self.judging: dict[int, set[Term]] = {}
        self._last_props: tuple[list[Term] | None, list[dict[str, list[Term]]]] = (None, [])

    def validate(self, roots: list[Shape], only: "Callable[[Shape], list[Term] | None] | None" = None,
                 partly: Iterable[Shape] = ()) -> list[RawResult]:
        """Every shape on its targets, or on the focus nodes `only(shape)` gives (when not None: an
        incremental validation's, `footprint.py`; `partly`: the shapes it judges on some focus nodes).
        The SPARQL constraints of the other targeted shapes run first, in a thread: Oxigraph evaluates
        without the GIL, beside the Core checks made here meanwhile."""
        results: list[RawResult] = []
        partly = set(map(id, partly))
        with ThreadPoolExecutor(1, thread_name_prefix="giigraph-sparql") as pool:
            for shape in roots if self.sparql is not None else ():
                if id(shape) in partly:
                    continue
                constraints = [c for name, c in shape.params if name == "sparql"] if not shape.deactivated else []
                focus = self.focus_nodes(shape) if constraints else None
                for constraint in constraints if focus else ():
                    self._sparql_rows[id(shape), id(constraint), id(shape)] = pool.submit(  # type: ignore[assignment]
                        self.sparql, shape, constraint, shape, focus)
            try:
                for shape in roots:
                    focus = only(shape) if only is not None else None
                    results.extend(self.check(shape, list(self.focus_nodes(shape)) if focus is None else focus, shape))
            finally:
                pool.shutdown(cancel_futures=True)
        return results

    def focus_nodes(self, shape: Shape) -> set[Term]:
        """The shape's focus nodes (made once per shape: the SPARQL constraints ask for them too)."""
        nodes = self._focus.get(id(shape))
        if nodes is not None:
            return nodes
        nodes = self._focus[id(shape)] = set()
        data = self.data
        for kind, target in shape.targets:
            if kind == "targetClass":
                nodes |= data.instances(target)  # type: ignore[arg-type]
            elif kind == "targetNode":
                nodes.add(target)
            elif kind == "targetSubjectsOf":
                nodes.update(data.subjects_of(target))  # type: ignore[arg-type]
            else:
                nodes.update(data.objects_of(target))  # type: ignore[arg-type]
        return nodes

    def conforms(self, node: Term, shape: Shape) -> bool:
        key = (id(shape), node)
        known = self._conforms.get(key)
        if known is None:
            judge, judged = self._plan(shape)
            if judge is not None and len(judged) == len(shape.params):  # every constraint judged
                try:
                    known = self._conforms[key] = not judge(node)
                    return known
                except Unsupported:  # the constraints themselves decide whether it is unsupported
                    pass
            self._conforms[key] = True  # a recursive reference conforms while it is being checked
            known = self._conforms[key] = not self.check(shape, [node], None, first=True)
        return known

    def conformer(self, shape: Shape) -> Callable[[Term], bool]:
        """`conforms` to one shape; for a shape whose every constraint is judged and that refers to
        no other shape, its judge asked directly (cheaper than remembering each answer)."""
        judge, judged = self._plan(shape)
        if judge is None or len(judged) < len(shape.params) or _referred(shape):
            return lambda node: self.conforms(node, shape)

        def conforms(node: Term) -> bool:
            try:
                return not judge(node)  # type: ignore[misc]
            except Unsupported:
                return self.conforms(node, shape)
        return conforms

    def _plan(self, shape: Shape) -> Compiled:
        key = id(shape)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._compile(shape)
        return plan

    def _compile(self, shape: Shape) -> Compiled:
        """A function telling whether a focus node has a problem with the shape's Core constraints
        (the sh:sparql ones and SPARQL-based components aside), and the positions of those it judges.

        True exactly when running those constraints on that node alone would give a result: each of
        them reports on each focus node on its own. None for a shape that reaches itself through
        sh:node, sh:property & co: there the order of the checks decides which references conform
        while being checked, so they run as written."""
        if shape.deactivated or self._reaches_cycle(shape):
            return None, frozenset()
        own: Judged = ([], [])
        inlined: list[tuple[str, Judged]] = []  # property shapes on a predicate, of a node shape
        judged = set()
        for i, (name, param) in enumerate(shape.params):
            try:
                if self._add_test(shape, name, param, own, inlined):
                    judged.add(i)
            except Exception:  # noqa: BLE001 - e.g. a bound that compares with nothing: run as written, raising there
                continue
        if not judged:
            return None, frozenset()
        self._tests[id(shape)] = own
        return _judge(self.data, shape.path, own, inlined), frozenset(judged)

    def _add_test(self, shape: Shape, name: str, param: object, own: Judged,
                  inlined: list[tuple[str, Judged]]) -> bool:
        """The test of one parameter added to `own` (or a property shape's to `inlined`); False for
        a parameter not judged here."""
        check = CHECKS.get(name)
        if hasattr(check, "test"):
            own[0].append(check.test(self, param))  # type: ignore[union-attr]
        elif hasattr(check, "focus_test"):
            own[1].append(check.focus_test(self, param))  # type: ignore[union-attr]
        elif check is not None:
            own[1].append(_one_pair(check, self, param))
        elif name == "qualifiedValueShape":
            own[1].append(_qualified_test(self, shape, param))  # type: ignore[arg-type]
        elif name == "closed":
            own[1].append(_one_pair(_closed, self, shape, param))
        elif name == "property":
            inner, inner_judged = self._plan(param)  # type: ignore[arg-type]
            if inner is None or len(inner_judged) < len(param.params):  # type: ignore[attr-defined]
                return False
            if shape.path is not None:  # on each value node
                own[0].append(inner)
            elif param.path is not None and param.path.kind == "pred":  # type: ignore[attr-defined]
                inlined.append((param.path.arg, self._tests[id(param)]))  # type: ignore[attr-defined]
            else:
                own[1].append(lambda focus, values: inner(focus))
        else:  # sh:sparql, SPARQL-based components: run on every focus node
            return False
        return True

    def _reaches_cycle(self, shape: Shape) -> bool:
        """Whether a shape referring to itself (directly or not) is reachable from `shape`."""
        key = id(shape)
        known = self._cyclic.get(key)
        if known is None:
            self._cyclic[key] = True  # on the way: reached again, it is on a cycle
            known = self._cyclic[key] = any(self._reaches_cycle(s) for s in _referred(shape))
        return known

    def _bad(self, judge: Callable[[Term], bool], focus_nodes: list[Term]) -> list[Term]:
        """The focus nodes the judge finds a problem with, in their order; one whose judgement raised
        `Unsupported` counts as one, so that the constraints, run as written, decide."""
        try:
            return [f for f in focus_nodes if judge(f)]
        except Unsupported:
            bad = []
            for f in focus_nodes:
                try:
                    if judge(f):
                        bad.append(f)
                except Unsupported:
                    bad.append(f)
            return bad

    def _pairs(self, shape: Shape, focus_nodes: list[Term]) -> Pairs:
        path = shape.path
        if path is None:
            return [(f, (f,)) for f in focus_nodes]
        if path.kind == "pred":
            p = path.arg
            return [(f, props.get(p, ())) for f, props in zip(focus_nodes, self._props(focus_nodes))]  # type: ignore[misc]
        return [(f, self.data.values(f, path)) for f in focus_nodes]

    def check(self, shape: Shape, focus_nodes: list[Term], targeted: Shape | None,
              first: bool = False) -> list[RawResult]:
        """Results of one shape on its focus nodes. `targeted` is the shape whose targets gave the
        focus nodes (SPARQL constraints then run once for all of them), None inside sh:node & co;
        `first`: stop at the first constraint that finds a problem (a conformance check).

        The constraints the shape's judge covers run on the focus nodes it finds a problem with only:
        the others would give them no result."""
        if shape.deactivated or not focus_nodes:
            return []
        judge, judged = self._plan(shape)
        bad = self._bad(judge, focus_nodes) if judge is not None else focus_nodes
        if len(bad) == len(focus_nodes):
            judged = frozenset()
        if len(judged) == len(shape.params) and not bad:
            return []
        path = shape.path
        made: dict[int, Pairs] = {}
        results: list[RawResult] = []
        for i, (name, param) in enumerate(shape.params):
            nodes = bad if i in judged else focus_nodes
            if not nodes:
                continue
            pairs = made.get(id(nodes))
            if pairs is None:
                pairs = made[id(nodes)] = self._pairs(shape, nodes)
            check = CHECKS.get(name)
            if check is not None:
                results.extend(self.result(shape, focus, name, value) for focus, value in check(self, pairs, param))
            elif name == "property":  # on the value nodes: the focus nodes themselves for a node shape
                if path is None:
                    results.extend(self.check(param, nodes, targeted, first))  # type: ignore[arg-type]
                else:
                    values = list(dict.fromkeys(v for _, vs in pairs for v in vs))
                    results.extend(self.check(param, values, None, first))  # type: ignore[arg-type]
            elif name == "sparql":
                results.extend(self._sparql(shape, nodes, param, targeted))  # type: ignore[arg-type]
            elif name == "component":
                results.extend(self._component(shape, pairs, param))  # type: ignore[arg-type]
            else:
                results.extend(RESULTS[name](self, shape, pairs, param))
            if first and results:
                break
        return results

    def _props(self, focus_nodes: list[Term]) -> list[dict[str, list[Term]]]:
        """Each focus node's properties, kept for the next call with the same list: a node shape's
        property shapes all look up the node shape's focus nodes."""
        if self._last_props[0] is not focus_nodes:
            out = self.data.out
            self._last_props = (focus_nodes, [out.get(f, _EMPTY) for f in focus_nodes])
        return self._last_props[1]

    def result(self, shape: Shape, focus: Term, name: str, value: Term | None, path: Term | None = None,
               component: str | None = None) -> RawResult:
        messages = tuple(m[0] for m in shape.messages) or (generic_message(name, focus, value),)
        return RawResult(focus, path if path is not None else shape.path_node, value,
                         SH + (component or COMPONENTS[name]), shape.node, shape.severity, messages)

    def _sparql(self, shape: Shape, focus_nodes: list[Term], constraint: SparqlConstraint,
                targeted: Shape | None) -> Iterator[RawResult]:
        if self.sparql is None:
            raise RuntimeError("SPARQL constraints need a SPARQL engine")
        if targeted is None:
            rows = self.sparql(shape, constraint, None, set(focus_nodes))
        else:
            key = (id(shape), id(constraint), id(targeted))
            if key not in self._sparql_rows:
                some = self.judging.get(id(targeted))
                self._sparql_rows[key] = (self.sparql(shape, constraint, targeted, self.focus_nodes(targeted))
                                          if some is None else self.sparql(shape, constraint, targeted, some, True))
            rows = self._sparql_rows[key]
            if isinstance(rows, Future):  # started by `validate`
                rows = self._sparql_rows[key] = rows.result()
        for focus in focus_nodes:
            found = rows.get(focus, ())
            # in a stable order: one query for all focus nodes or one per node may order them differently
            for this, path, value, bound in sorted(found, key=_row_order) if len(found) > 1 else found:
                if value is None and not shape.is_property:
                    value = focus
                messages = {_fill_template(m[0], this, path, value, bound) for m in constraint.messages}
                messages |= {_fill_template(m[0], this, path, value, bound) for m in shape.messages}
                yield RawResult(this if this is not None else focus, path if path is not None else shape.path_node,
                                value, SH + COMPONENTS["sparql"], shape.node, shape.severity,
                                tuple(sorted(messages)), constraint.node)


    def _component(self, shape: Shape, pairs: Pairs, use: ComponentUse) -> Iterator[RawResult]:
        """A SPARQL-based constraint component, its validator run with pre-bound variables (SHACL §6.3)."""
        if self.sparql is None:
            raise RuntimeError("SPARQL-based constraint components need a SPARQL engine")
        bound = dict(use.bindings)
        for focus, path, value, row in self.sparql.component(shape, use, pairs):  # type: ignore[attr-defined]
            values = {**bound, **row}
            messages = shape.messages or use.validator.messages or use.component.messages
            yield RawResult(focus, path if path is not None else shape.path_node, value, use.component.node,
                            shape.node, shape.severity,
                            tuple(sorted({_fill_template(m[0], focus, path, value, values) for m in messages})))


def _judge(data: Data, path: Path | None, own: Judged,
           inlined: list[tuple[str, Judged]]) -> Callable[[Term], bool]:
    """One focus node judged by a shape's tests (`Validator._compile`), and by those of the property
    shapes on a predicate it has, read from the node's properties looked up once."""
    out = data.out
    if path is not None and path.kind == "pred":
        groups: list[tuple[str | None, Judged]] = [(path.arg, own)]  # type: ignore[list-item]
    else:
        groups = [(None, own), *inlined]  # None: the shape's own value nodes
    lookup = any(p is not None for p, _ in groups)  # a node shape of value tests only reads no properties

    def judge(focus: Term) -> bool:
        props = out.get(focus, _EMPTY) if lookup else _EMPTY
        for p, (value_tests, focus_tests) in groups:
            if p is not None:
                values = props.get(p, ())
            else:
                values = (focus,) if path is None else data.values(focus, path)
            for test in value_tests:
                for value in values:
                    if test(value):
                        return True
            for test2 in focus_tests:
                if test2(focus, values):
                    return True
        return False
    return judge


def _one_pair(run: Callable, *args: object) -> Callable[[Term, Sequence[Term]], bool]:
    """A check of pairs, or a maker of results (`RESULTS`), asked about one focus node and its values."""
    *head, param = args

    def test(focus: Term, values: Sequence[Term]) -> bool:
        for _ in run(*head, [(focus, values)], param):
            return True
        return False
    return test


def _referred(shape: Shape) -> list[Shape]:
    """The shapes a shape's constraints check nodes against."""
    out: list[Shape] = []
    for name, param in shape.params:
        if name in ("property", "node", "not"):
            out.append(param)  # type: ignore[arg-type]
        elif name in ("and", "or", "xone"):
            out.extend(param)  # type: ignore[arg-type]
        elif name == "qualifiedValueShape":
            out.append(param[0])  # type: ignore[index]
            out.extend(shape.siblings)
    return out


#: (shape, constraint, shape whose targets are the focus nodes or None, focus nodes[, True: only some of
#: those targets]) -> rows by focus node
SparqlEngine = Callable[..., dict]


def _row_order(row: tuple) -> tuple:
    """A SPARQL constraint's row (this, path, value, other bindings) as a sort key."""
    return (*(nt(term) if term is not None else "" for term in row[:3]),
            sorted((name, nt(term)) for name, term in row[3].items() if term is not None))


def _fill_template(message: str, this: Term, path: Term | None, value: Term | None, bound: dict) -> str:
    """pyshacl's {?var} / {$var} substitution with each bound value's plain text."""
    values = dict(bound)
    for name, term in (("this", this), ("path", path), ("value", value)):
        if term is not None:
            values[name] = term
    for name, term in values.items():
        message = re.sub("{[?$]%s}" % name, lambda _: _text(term), message)
    return message


def _text(term: Term) -> str:
    return term[0] if isinstance(term, Literal) else str(term)


# --- constraint components: each returns (focus node, value node or None) for every problem ------------

Problems = Iterator[tuple[Term, "Term | None"]]


def _each(test: Callable[[Term], bool]) -> Callable:
    """A component that judges each value node on its own (`test` true: a problem)."""
    def check(v: Validator, pairs: Pairs, param: object) -> Problems:
        judge = test(v, param)  # type: ignore[call-arg]
        return ((focus, value) for focus, values in pairs for value in values if judge(value))
    check.test = test  # type: ignore[attr-defined]
    return check


def _class(v: Validator, cls: str) -> Callable[[Term], bool]:
    instances = v.data.members(cls)
    return lambda value: isinstance(value, Literal) or value not in instances


def _datatype(v: Validator, datatype: str) -> Callable[[Term], bool]:
    unchecked = datatype.startswith(XSD_NS) and not xsd.is_recognised(datatype) or datatype in _UNCHECKED

    def bad(value: Term) -> bool:
        if not isinstance(value, Literal):
            return True
        _, lang, actual = value
        if actual == datatype:
            if unchecked:  # pyshacl (rdflib) knows whether it is well-formed; this engine does not
                raise Unsupported(f"well-formed literals of <{datatype}> are not checked by this engine")
            return not xsd.is_well_formed(value)
        if datatype == RDFS + "Literal":
            return False
        if datatype == RDFS + "Datatype":
            return actual is None
        if datatype == XSD_STRING:
            return actual is not None or bool(lang)
        if datatype == RDF_LANGSTRING:
            return not lang
        return True
    return bad


#: Datatypes whose lexical space is not every string and is not checked here (rdf:HTML's is: RDF 1.1 §5.2).
_UNCHECKED = {"http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral", "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"}

_KINDS = {
    SH + "IRI": (True, False, False), SH + "BlankNode": (False, True, False), SH + "Literal": (False, False, True),
    SH + "BlankNodeOrIRI": (True, True, False), SH + "BlankNodeOrLiteral": (False, True, True),
    SH + "IRIOrLiteral": (True, False, True),
}


def _node_kind(v: Validator, kind: str) -> Callable[[Term], bool]:
    iri_ok, bnode_ok, literal_ok = _KINDS[kind]
    return lambda value: not (literal_ok if isinstance(value, Literal) else bnode_ok if isinstance(value, BNode)
                              else iri_ok)


def _per_focus(test: Callable[[Validator, object], Callable[[Term, Sequence[Term]], bool]]) -> Callable:
    """A component that judges each focus node by its value nodes (`test` true: a problem)."""
    def check(v: Validator, pairs: Pairs, param: object) -> Problems:
        judge = test(v, param)
        return ((focus, None) for focus, values in pairs if judge(focus, values))
    check.focus_test = test  # type: ignore[attr-defined]
    return check


def _min_count(v: Validator, n: int) -> Callable[[Term, Sequence[Term]], bool]:
    return lambda focus, values: len(values) < n


def _max_count(v: Validator, n: int) -> Callable[[Term, Sequence[Term]], bool]:
    return lambda focus, values: len(values) > n


def _comparable(value: Term, bound: Term) -> int | None:
    """value compared with bound (-1, 0, 1) by SPARQL's operators, or None when they cannot be compared
    (SHACL: a violation); what has no exact answer raises Unsupported."""
    if not isinstance(value, Literal) or not isinstance(bound, Literal):
        return None
    return _exactly(xsd.compare, value, bound)


def _range(accept: Callable[[int], bool]) -> Callable:
    def judge(v: Validator, bound: Literal) -> Callable[[Term], bool]:
        if not isinstance(bound, Literal):
            return lambda value: True  # nothing compares with an IRI or a blank node
        limit = _exactly(xsd.value, bound)
        value_of, order_of = xsd.value, xsd.order

        def bad(value: Term) -> bool:
            if not isinstance(value, Literal):
                return True
            order = _exactly(order_of, _exactly(value_of, value), limit)
            return order is None or not accept(order)
        return bad
    return _each(judge)


def _exactly(func: Callable, *args: object):
    """func(*args), its `xsd.Unordered` (no exact answer) raised as Unsupported (pyshacl decides)."""
    try:
        return func(*args)
    except xsd.Unordered as exc:
        raise Unsupported(f"cannot compare literals exactly: {exc}") from None


def _length(accept: Callable[[int, int], bool]) -> Callable:
    def judge(v: Validator, n: int) -> Callable[[Term], bool]:
        return lambda value: isinstance(value, BNode) or not accept(len(_text(value)), n)
    return _each(judge)


_PATTERNS: dict[tuple[str, str], re.Pattern] = {}


def _pattern(v: Validator, param: tuple[str, str]) -> Callable[[Term], bool]:
    regex = _PATTERNS.get(param)
    if regex is None:
        pattern, flags = param
        bits = 0
        for flag, bit in (("i", re.I), ("m", re.M), ("s", re.S), ("x", re.X)):
            if flag in flags:
                bits |= bit
        regex = _PATTERNS[param] = re.compile(pattern, bits)
    search = regex.search
    return lambda value: isinstance(value, BNode) or not search(_text(value))


def _language_in(v: Validator, tags: tuple) -> Callable[[Term], bool]:
    wanted = {t[0].lower() for t in tags if isinstance(t, Literal)}
    if "*" in wanted:
        return lambda value: not (isinstance(value, Literal) and value[1])

    def bad(value: Term) -> bool:
        lang = value[1] if isinstance(value, Literal) else None
        return not lang or not (lang.lower() in wanted or lang.split("-")[0].lower() in wanted)
    return bad


def _unique_lang(v: Validator, pairs: Pairs, unique: bool) -> Problems:
    if not unique:
        return
    for focus, values in pairs:
        for _ in _duplicate_languages(values):
            yield focus, None


def _duplicate_languages(values: Sequence[Term]) -> set[str]:
    """The language tags (lower-cased) that more than one value has."""
    duplicates: set[str] = set()
    if len(values) < 2:
        return duplicates
    seen: set[str] = set()
    for value in values:
        if isinstance(value, Literal) and value[1]:
            lang = value[1].lower()
            (duplicates if lang in seen else seen).add(lang)
    return duplicates


_unique_lang.focus_test = lambda v, unique: (  # type: ignore[attr-defined]
    lambda focus, values: unique and bool(_duplicate_languages(values)))


def _equals(v: Validator, pairs: Pairs, other: str) -> Problems:
    for focus, values in pairs:
        mine, theirs = set(values), set(v.data.objects(focus, other))
        if mine != theirs:
            yield from ((focus, x) for x in mine - theirs)
            yield from ((focus, x) for x in theirs - mine)


def _disjoint(v: Validator, pairs: Pairs, other: str) -> Problems:
    for focus, values in pairs:
        yield from ((focus, x) for x in set(values) & set(v.data.objects(focus, other)))


def _less(strict: bool) -> Callable:
    """sh:lessThan(OrEquals), compared as pyshacl does: IRIs and text as strings, other literals by value."""
    def check(v: Validator, pairs: Pairs, other: str) -> Problems:
        for focus, values in pairs:
            bounds = v.data.objects(focus, other)
            for value in values:
                for bound in bounds:
                    a, b = _as_text(value), _as_text(bound)
                    if (a is None) != (b is None):
                        yield focus, value
                        continue
                    order = ((a > b) - (a < b)) if a is not None else _comparable(value, bound)  # type: ignore[operator]
                    if order is None or order > 0 or (strict and order == 0):
                        yield focus, value
    return check


def _as_text(term: Term) -> str | None:
    if type(term) is str:
        return term
    if isinstance(term, Literal) and (term[1] or term[2] in (None, XSD_STRING)):
        return term[0]
    return None


def _not(v: Validator, other: Shape) -> Callable[[Term], bool]:
    return v.conformer(other)


def _and(v: Validator, shapes: tuple[Shape, ...]) -> Callable[[Term], bool]:
    conformers = [v.conformer(s) for s in shapes]
    return lambda value: not all(conforms(value) for conforms in conformers)


def _or(v: Validator, shapes: tuple[Shape, ...]) -> Callable[[Term], bool]:
    conformers = [v.conformer(s) for s in shapes]
    return lambda value: not any(conforms(value) for conforms in conformers)


def _xone(v: Validator, shapes: tuple[Shape, ...]) -> Callable[[Term], bool]:
    conformers = [v.conformer(s) for s in shapes]
    return lambda value: sum(conforms(value) for conforms in conformers) != 1


def _node(v: Validator, other: Shape) -> Callable[[Term], bool]:
    conforms = v.conformer(other)
    return lambda value: not conforms(value)


def _has_value(v: Validator, wanted: Term) -> Callable[[Term, Sequence[Term]], bool]:
    return lambda focus, values: wanted not in values


def _in(v: Validator, allowed: tuple) -> Callable[[Term], bool]:
    members = set(allowed)
    return lambda value: value not in members


CHECKS: dict[str, Callable] = {
    "class": _each(_class), "datatype": _each(_datatype), "nodeKind": _each(_node_kind), "minCount": _per_focus(_min_count),
    "maxCount": _per_focus(_max_count), "minExclusive": _range(lambda o: o > 0), "minInclusive": _range(lambda o: o >= 0),
    "maxExclusive": _range(lambda o: o < 0), "maxInclusive": _range(lambda o: o <= 0),
    "minLength": _length(lambda n, low: n >= low), "maxLength": _length(lambda n, high: n <= high),
    "pattern": _each(_pattern), "languageIn": _each(_language_in), "uniqueLang": _unique_lang,
    "equals": _equals, "disjoint": _disjoint, "lessThan": _less(True), "lessThanOrEquals": _less(False),
    "not": _each(_not), "and": _each(_and), "or": _each(_or), "xone": _each(_xone), "node": _each(_node),
    "hasValue": _per_focus(_has_value), "in": _each(_in),
}


def _qualified_count(validator: Validator, shape: Shape, param: tuple) -> Callable[[Sequence[Term]], int]:
    """How many of a focus node's values conform to the qualified value shape (and, when disjoint,
    to none of the siblings')."""
    other, _, _, disjoint = param
    siblings = [s for s in shape.siblings if s is not other] if disjoint else []
    conforms, others = validator.conformer(other), [validator.conformer(s) for s in siblings]
    if not others:
        return lambda values: sum(map(conforms, values))
    return lambda values: sum(1 for value in values if conforms(value) and not any(c(value) for c in others))


def _qualified(validator: Validator, shape: Shape, pairs: Pairs, param: tuple) -> Iterator[RawResult]:
    _, low, high, _ = param
    count_of = _qualified_count(validator, shape, param)
    for focus, values in pairs:
        count = count_of(values)
        if low is not None and count < low:
            yield validator.result(shape, focus, "qualifiedValueShape", None,
                                   component="QualifiedMinCountConstraintComponent")
        if high is not None and count > high:
            yield validator.result(shape, focus, "qualifiedValueShape", None,
                                   component="QualifiedMaxCountConstraintComponent")


def _qualified_test(validator: Validator, shape: Shape, param: tuple) -> Callable[[Term, Sequence[Term]], bool]:
    """`_qualified`'s judgement of one focus node: whether it gives a result."""
    _, low, high, _ = param
    count_of = _qualified_count(validator, shape, param)

    def test(focus: Term, values: Sequence[Term]) -> bool:
        count = count_of(values)
        return (low is not None and count < low) or (high is not None and count > high)
    return test


def _closed(validator: Validator, shape: Shape, pairs: Pairs, param: tuple) -> Iterator[RawResult]:
    closed, ignored = param
    if not closed:
        return
    allowed = set(ignored) | {p.path.arg for name, p in shape.params if name == "property"  # type: ignore[union-attr]
                              and p.path is not None and p.path.kind == "pred"}  # type: ignore[union-attr]
    for focus, values in pairs:
        for value in values:
            for p, objects in validator.data.out.get(value, _EMPTY).items():
                if p not in allowed:
                    for o in objects:
                        yield validator.result(shape, focus, "closed", o, path=p)


RESULTS: dict[str, Callable] = {"qualifiedValueShape": _qualified, "closed": _closed}


def generic_message(name: str, focus: Term, value: Term | None) -> str:
    """A message for shapes that give none (the shapes of this project always give one)."""
    label = COMPONENTS.get(name, name).replace("ConstraintComponent", "")
    return f"{label} constraint not met" + (f" by value {_text(value)}" if value is not None else "")
