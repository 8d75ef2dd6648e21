"""SHACL Core evaluated in one pass over an in-memory index; SHACL-SPARQL handed to `sparql.py`.

Each targeted shape is checked on its focus nodes by plain dictionary look-ups, so the cost grows
with the data, never with its square. Results carry the same fields pyshacl reports (focus node,
path, value, component, shape, severity, messages); a test proves both engines agree.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import NamedTuple

from ..terms import XSD_NS, XSD_STRING, BNode, Literal, Term, Triple, is_well_formed, numeric_value
from .shapes import COMPONENTS, RDF_TYPE, RDFS, SH, Path, Shape, SparqlConstraint

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
    """The data graph: objects by subject and predicate; subjects by object, classes by instance, on demand."""

    def __init__(self, by_subject: dict[Term, dict[str, list[Term]]]) -> None:
        self.out = by_subject
        self._inv: dict[Term, dict[str, list[Term]]] | None = None
        self._instances: dict[str, set[Term]] = {}
        self._superclasses: dict[str, set[str]] | None = None

    @classmethod
    def from_triples(cls, triples: Iterable[Triple]) -> "Data":
        out: dict = {}
        for s, p, o in triples:
            out.setdefault(s, {}).setdefault(p, []).append(o)
        return cls(out)

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

    def superclasses(self, cls: str) -> set[str]:
        """cls and everything it is a subclass of (rdfs:subClassOf*, in the data graph)."""
        if self._superclasses is None:
            self._superclasses = {}
        if cls not in self._superclasses:
            seen, todo = {cls}, [cls]
            while todo:
                for parent in self.objects(todo.pop(), RDFS + "subClassOf"):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            self._superclasses[cls] = seen  # type: ignore[assignment]
        return self._superclasses[cls]

    def is_instance(self, node: Term, cls: str) -> bool:
        return any(cls in self.superclasses(t) for t in self.objects(node, RDF_TYPE))  # type: ignore[arg-type]

    def instances(self, cls: str) -> set[Term]:
        if cls not in self._instances:
            subclasses = {c for c in self._all_classes() if cls in self.superclasses(c)} | {cls}
            self._instances[cls] = {s for s, props in self.out.items()
                                    if not subclasses.isdisjoint(props.get(RDF_TYPE, ()))}
        return self._instances[cls]

    def _all_classes(self) -> set[str]:
        return {o for props in self.out.values() for o in props.get(RDF_TYPE, ())}  # type: ignore[misc]

    def values(self, focus: Term, path: Path) -> list[Term]:
        kind = path.kind
        if kind == "pred":
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
            return {s for s in self.out for n in nodes if n in self._walk({s}, inner)}
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


# --- the validator -------------------------------------------------------------------------------

class Validator:
    """Checks data against shapes; SPARQL constraints go through `sparql` (set-based, on Oxigraph)."""

    def __init__(self, data: Data, sparql: "SparqlEngine | None" = None) -> None:
        self.data = data
        self.sparql = sparql
        self._conforms: dict[tuple[int, Term], bool] = {}
        self._sparql_rows: dict[tuple[int, int, int], dict] = {}

    def validate(self, roots: list[Shape]) -> list[RawResult]:
        results: list[RawResult] = []
        for shape in roots:
            for focus in self.focus_nodes(shape):
                results.extend(self.check(shape, focus, shape))
        return results

    def focus_nodes(self, shape: Shape) -> set[Term]:
        nodes: set[Term] = set()
        data = self.data
        for kind, target in shape.targets:
            if kind == "targetClass":
                nodes |= data.instances(target)  # type: ignore[arg-type]
            elif kind == "targetNode":
                nodes.add(target)
            elif kind == "targetSubjectsOf":
                nodes |= {s for s, props in data.out.items() if target in props}
            else:
                nodes |= {o for props in data.out.values() for o in props.get(target, ())}  # type: ignore[arg-type]
        return nodes

    def conforms(self, node: Term, shape: Shape) -> bool:
        key = (id(shape), node)
        if key not in self._conforms:
            self._conforms[key] = True  # a recursive reference conforms while it is being checked
            self._conforms[key] = next(iter(self.check(shape, node, None)), None) is None
        return self._conforms[key]

    def check(self, shape: Shape, focus: Term, targeted: Shape | None) -> Iterator[RawResult]:
        """Results of one shape on one focus node. `targeted` is the shape whose targets gave the
        focus node (SPARQL constraints then run once for all of them), None inside sh:node & co."""
        if shape.deactivated:
            return
        values = self.data.values(focus, shape.path) if shape.path else [focus]
        for name, param in shape.params:
            check = CHECKS.get(name)
            if check is not None:
                for value in check(self, shape, focus, values, param):
                    yield self.result(shape, focus, name, value)
            elif name == "property":
                yield from self.check(param, focus, targeted)  # type: ignore[arg-type]
            elif name == "sparql":
                yield from self._sparql(shape, focus, param, targeted)  # type: ignore[arg-type]
            else:
                yield from RESULTS[name](self, shape, focus, values, param)

    def result(self, shape: Shape, focus: Term, name: str, value: Term | None, path: Term | None = None,
               component: str | None = None) -> RawResult:
        messages = tuple(m[0] for m in shape.messages) or (generic_message(name, focus, value),)
        return RawResult(focus, path if path is not None else shape.path_node, value,
                         SH + (component or COMPONENTS[name]), shape.node, shape.severity, messages)

    def _sparql(self, shape: Shape, focus: Term, constraint: SparqlConstraint,
                targeted: Shape | None) -> Iterator[RawResult]:
        if self.sparql is None:
            raise RuntimeError("SPARQL constraints need a SPARQL engine")
        if targeted is None:
            rows = self.sparql(shape, constraint, None, {focus})
        else:
            key = (id(shape), id(constraint), id(targeted))
            if key not in self._sparql_rows:
                self._sparql_rows[key] = self.sparql(shape, constraint, targeted, self.focus_nodes(targeted))
            rows = self._sparql_rows[key]
        for this, path, value, bound in rows.get(focus, ()):
            if value is None and not shape.is_property:
                value = focus
            messages = {_fill_template(m[0], this, path, value, bound) for m in constraint.messages}
            messages |= {_fill_template(m[0], this, path, value, bound) for m in shape.messages}
            yield RawResult(this if this is not None else focus, path if path is not None else shape.path_node,
                            value, SH + COMPONENTS["sparql"], shape.node, shape.severity,
                            tuple(sorted(messages)), constraint.node)


#: (shape, constraint, shape whose targets are the focus nodes or None, focus nodes) -> rows by focus node
SparqlEngine = Callable[[Shape, SparqlConstraint, "Shape | None", set], dict]


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


# --- constraint components: each yields the value node of every problem (None: no value node) -------

def _class(v: Validator, shape: Shape, focus: Term, values: list[Term], cls: str) -> Iterator[Term | None]:
    data = v.data
    for value in values:
        if isinstance(value, Literal) or not data.is_instance(value, cls):
            yield value


def _datatype(v: Validator, shape: Shape, focus: Term, values: list[Term], datatype: str) -> Iterator[Term | None]:
    for value in values:
        if not isinstance(value, Literal):
            yield value
            continue
        _, lang, actual = value
        if actual == datatype:
            ok = is_well_formed(value)
        elif datatype == RDFS + "Literal":
            ok = True
        elif datatype == RDFS + "Datatype":
            ok = actual is not None
        elif datatype == XSD_STRING:
            ok = actual is None and not lang
        elif datatype == RDF_LANGSTRING:
            ok = bool(lang)
        else:
            ok = False
        if not ok:
            yield value


_KINDS = {
    SH + "IRI": (True, False, False), SH + "BlankNode": (False, True, False), SH + "Literal": (False, False, True),
    SH + "BlankNodeOrIRI": (True, True, False), SH + "BlankNodeOrLiteral": (False, True, True),
    SH + "IRIOrLiteral": (True, False, True),
}


def _node_kind(v: Validator, shape: Shape, focus: Term, values: list[Term], kind: str) -> Iterator[Term | None]:
    iri_ok, bnode_ok, literal_ok = _KINDS[kind]
    for value in values:
        if isinstance(value, Literal):
            ok = literal_ok
        elif isinstance(value, BNode):
            ok = bnode_ok
        else:
            ok = iri_ok
        if not ok:
            yield value


def _min_count(v: Validator, shape: Shape, focus: Term, values: list[Term], n: int) -> Iterator[Term | None]:
    if len(values) < n:
        yield None


def _max_count(v: Validator, shape: Shape, focus: Term, values: list[Term], n: int) -> Iterator[Term | None]:
    if len(values) > n:
        yield None


def _comparable(value: Term, bound: Literal) -> int | None:
    """value compared with bound (-1, 0, 1), or None when they cannot be compared."""
    if not isinstance(value, Literal):
        return None
    a, b = numeric_value(value), numeric_value(bound)
    if a is not None and b is not None:
        if isinstance(a, float) != isinstance(b, float):
            a, b = float(a), float(b)
        elif isinstance(a, Decimal) or isinstance(b, Decimal):
            a, b = Decimal(a), Decimal(b)
        return (a > b) - (a < b)
    if a is not None or b is not None:
        return None
    if (value[2] or XSD_STRING) != (bound[2] or XSD_STRING) or value[1] or bound[1]:
        return None
    if value[2] not in (None, XSD_STRING, XSD_NS + "date", XSD_NS + "dateTime", XSD_NS + "gYear"):
        return None
    return (value[0] > bound[0]) - (value[0] < bound[0])


def _range(accept: Callable[[int], bool]) -> Callable:
    def check(v: Validator, shape: Shape, focus: Term, values: list[Term], bound: Literal) -> Iterator[Term | None]:
        for value in values:
            order = _comparable(value, bound)
            if order is None or not accept(order):
                yield value
    return check


def _length(accept: Callable[[int, int], bool]) -> Callable:
    def check(v: Validator, shape: Shape, focus: Term, values: list[Term], n: int) -> Iterator[Term | None]:
        for value in values:
            if isinstance(value, BNode) or not accept(len(_text(value)), n):
                yield value
    return check


_PATTERNS: dict[tuple[str, str], re.Pattern] = {}


def _pattern(v: Validator, shape: Shape, focus: Term, values: list[Term], param: tuple[str, str]) -> Iterator[Term | None]:
    regex = _PATTERNS.get(param)
    if regex is None:
        pattern, flags = param
        bits = 0
        for flag, bit in (("i", re.I), ("m", re.M), ("s", re.S), ("x", re.X)):
            if flag in flags:
                bits |= bit
        regex = _PATTERNS[param] = re.compile(pattern, bits)
    for value in values:
        if isinstance(value, BNode) or not regex.search(_text(value)):
            yield value


def _language_in(v: Validator, shape: Shape, focus: Term, values: list[Term], tags: tuple) -> Iterator[Term | None]:
    wanted = {t[0].lower() for t in tags if isinstance(t, Literal)}
    for value in values:
        lang = value[1] if isinstance(value, Literal) else None
        if not lang or not ("*" in wanted or lang.lower() in wanted or lang.split("-")[0].lower() in wanted):
            yield value


def _unique_lang(v: Validator, shape: Shape, focus: Term, values: list[Term], unique: bool) -> Iterator[Term | None]:
    if not unique:
        return
    seen: set[str] = set()
    duplicates: set[str] = set()
    for value in values:
        if isinstance(value, Literal) and value[1]:
            lang = value[1].lower()
            (duplicates if lang in seen else seen).add(lang)
    for _ in duplicates:
        yield None


def _equals(v: Validator, shape: Shape, focus: Term, values: list[Term], other: str) -> Iterator[Term | None]:
    mine, theirs = set(values), set(v.data.objects(focus, other))
    yield from mine - theirs
    yield from theirs - mine


def _disjoint(v: Validator, shape: Shape, focus: Term, values: list[Term], other: str) -> Iterator[Term | None]:
    yield from set(values) & set(v.data.objects(focus, other))


def _less(strict: bool) -> Callable:
    def check(v: Validator, shape: Shape, focus: Term, values: list[Term], other: str) -> Iterator[Term | None]:
        for value in values:
            for bound in v.data.objects(focus, other):
                order = _comparable(value, bound) if isinstance(bound, Literal) else None
                if order is None or order > 0 or (strict and order == 0):
                    yield value
    return check


def _not(v: Validator, shape: Shape, focus: Term, values: list[Term], other: Shape) -> Iterator[Term | None]:
    for value in values:
        if v.conforms(value, other):
            yield value


def _and(v: Validator, shape: Shape, focus: Term, values: list[Term], shapes: tuple[Shape, ...]) -> Iterator[Term | None]:
    for value in values:
        if not all(v.conforms(value, s) for s in shapes):
            yield value


def _or(v: Validator, shape: Shape, focus: Term, values: list[Term], shapes: tuple[Shape, ...]) -> Iterator[Term | None]:
    for value in values:
        if not any(v.conforms(value, s) for s in shapes):
            yield value


def _xone(v: Validator, shape: Shape, focus: Term, values: list[Term], shapes: tuple[Shape, ...]) -> Iterator[Term | None]:
    for value in values:
        if sum(v.conforms(value, s) for s in shapes) != 1:
            yield value


def _node(v: Validator, shape: Shape, focus: Term, values: list[Term], other: Shape) -> Iterator[Term | None]:
    for value in values:
        if not v.conforms(value, other):
            yield value


def _has_value(v: Validator, shape: Shape, focus: Term, values: list[Term], wanted: Term) -> Iterator[Term | None]:
    if wanted not in values:
        yield None


def _in(v: Validator, shape: Shape, focus: Term, values: list[Term], allowed: tuple) -> Iterator[Term | None]:
    for value in values:
        if value not in allowed:
            yield value


CHECKS: dict[str, Callable] = {
    "class": _class, "datatype": _datatype, "nodeKind": _node_kind, "minCount": _min_count,
    "maxCount": _max_count, "minExclusive": _range(lambda o: o > 0), "minInclusive": _range(lambda o: o >= 0),
    "maxExclusive": _range(lambda o: o < 0), "maxInclusive": _range(lambda o: o <= 0),
    "minLength": _length(lambda n, low: n >= low), "maxLength": _length(lambda n, high: n <= high),
    "pattern": _pattern, "languageIn": _language_in, "uniqueLang": _unique_lang, "equals": _equals,
    "disjoint": _disjoint, "lessThan": _less(True), "lessThanOrEquals": _less(False), "not": _not, "and": _and,
    "or": _or, "xone": _xone, "node": _node, "hasValue": _has_value, "in": _in,
}


def _qualified(validator: Validator, shape: Shape, focus: Term, values: list[Term], param: tuple) -> Iterator[RawResult]:
    other, low, high, disjoint = param
    siblings = [s for s in shape.siblings if s is not other] if disjoint else []
    count = sum(1 for value in values if validator.conforms(value, other)
                and not any(validator.conforms(value, s) for s in siblings))
    if low is not None and count < low:
        yield validator.result(shape, focus, "qualifiedValueShape", None, component="QualifiedMinCountConstraintComponent")
    if high is not None and count > high:
        yield validator.result(shape, focus, "qualifiedValueShape", None, component="QualifiedMaxCountConstraintComponent")


def _closed(validator: Validator, shape: Shape, focus: Term, values: list[Term], param: tuple) -> Iterator[RawResult]:
    closed, ignored = param
    if not closed:
        return
    allowed = set(ignored) | {p.path.arg for name, p in shape.params if name == "property"
                              and p.path is not None and p.path.kind == "pred"}
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
