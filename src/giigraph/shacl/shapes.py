"""Reads a SHACL shapes graph (plain triples) into shapes with compiled paths and constraint parameters,
SPARQL-based constraint components and their uses included.

Anything outside what `engine.py` evaluates (SHACL-JS, sh:rule, $shapesGraph in SPARQL, ...) raises
`Unsupported`, and validation falls back to pyshacl; what SHACL forbids (SHACL-SPARQL breaking the
pre-binding rules) raises `ShapesError`: no engine may run it.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..errors import ShapesError
from ..query.safety import prefix_declaration
from ..terms import XSD_BOOLEAN, Literal, Term, Triple

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = RDF + "type"
RDF_FIRST, RDF_REST, RDF_NIL = RDF + "first", RDF + "rest", RDF + "nil"
OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"
OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"

#: Parameters engine.py evaluates, each with its constraint component's local name.
COMPONENTS = {
    "class": "ClassConstraintComponent", "datatype": "DatatypeConstraintComponent",
    "nodeKind": "NodeKindConstraintComponent", "minCount": "MinCountConstraintComponent",
    "maxCount": "MaxCountConstraintComponent", "minExclusive": "MinExclusiveConstraintComponent",
    "minInclusive": "MinInclusiveConstraintComponent", "maxExclusive": "MaxExclusiveConstraintComponent",
    "maxInclusive": "MaxInclusiveConstraintComponent", "minLength": "MinLengthConstraintComponent",
    "maxLength": "MaxLengthConstraintComponent", "pattern": "PatternConstraintComponent",
    "languageIn": "LanguageInConstraintComponent", "uniqueLang": "UniqueLangConstraintComponent",
    "equals": "EqualsConstraintComponent", "disjoint": "DisjointConstraintComponent",
    "lessThan": "LessThanConstraintComponent", "lessThanOrEquals": "LessThanOrEqualsConstraintComponent",
    "not": "NotConstraintComponent", "and": "AndConstraintComponent", "or": "OrConstraintComponent",
    "xone": "XoneConstraintComponent", "node": "NodeConstraintComponent", "property": "PropertyConstraintComponent",
    "qualifiedValueShape": "QualifiedValueShapeConstraintComponent", "closed": "ClosedConstraintComponent",
    "hasValue": "HasValueConstraintComponent", "in": "InConstraintComponent",
    "sparql": "SPARQLConstraintComponent",
}
#: Parameters read together with another one, or that only describe a shape.
_COMPANIONS = {"flags", "ignoredProperties", "qualifiedMinCount", "qualifiedMaxCount",
               "qualifiedValueShapesDisjoint"}
_DESCRIPTIVE = {"message", "severity", "deactivated", "path", "targetClass", "targetNode", "targetSubjectsOf",
                "targetObjectsOf", "name", "description", "order", "group", "defaultValue", "prefixes",
                "declare", "prefix", "namespace", "select", "ask", "labelTemplate"}
_UNSUPPORTED = {"rule", "js", "jsFunctionName", "jsLibrary", "parameter", "validator", "nodeValidator",
                "propertyValidator", "target", "expression", "values", "shapesGraph", "entailment",
                "condition", "sparqlTarget"}


class Unsupported(Exception):
    """The shapes use a SHACL feature this engine does not evaluate."""


class Graph:
    """The shapes graph, indexed by subject and predicate."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.out: dict[Term, dict[str, list[Term]]] = {}
        for s, p, o in triples:
            self.out.setdefault(s, {}).setdefault(p, []).append(o)

    def objects(self, s: Term, p: str) -> list[Term]:
        return self.out.get(s, {}).get(p, [])

    def value(self, s: Term, p: str) -> Term | None:
        values = self.objects(s, p)
        return values[0] if values else None

    def items(self, head: Term) -> list[Term]:
        """The members of an RDF list."""
        out: list[Term] = []
        seen = set()
        while head != RDF_NIL:
            if head in seen or self.value(head, RDF_FIRST) is None:
                raise Unsupported(f"malformed RDF list at {head}")
            seen.add(head)
            out.append(self.value(head, RDF_FIRST))  # type: ignore[arg-type]
            head = self.value(head, RDF_REST)  # type: ignore[assignment]
        return out


# --- paths -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Path:
    """A SHACL property path: ('pred', iri) | ('inv', path) | ('seq', paths) | ('alt', paths) |
    ('star'|'plus'|'opt', path)."""

    kind: str
    arg: object

    def inverse(self) -> "Path":
        """The path walked backwards."""
        if self.kind == "pred":
            return Path("inv", self)
        if self.kind == "inv":
            return self.arg  # type: ignore[return-value]
        if self.kind == "seq":
            return Path("seq", tuple(p.inverse() for p in reversed(self.arg)))  # type: ignore[call-overload]
        if self.kind == "alt":
            return Path("alt", tuple(p.inverse() for p in self.arg))  # type: ignore[attr-defined]
        return Path(self.kind, self.arg.inverse())  # type: ignore[attr-defined]

    def sparql(self) -> str:
        """The path in SPARQL syntax (for $PATH)."""
        if self.kind == "pred":
            return f"<{self.arg}>"
        if self.kind == "inv":
            return f"^({self.arg.sparql()})"  # type: ignore[attr-defined]
        if self.kind in ("seq", "alt"):
            sep = "/" if self.kind == "seq" else "|"
            return "(" + sep.join(p.sparql() for p in self.arg) + ")"  # type: ignore[attr-defined]
        return f"({self.arg.sparql()}){ {'star': '*', 'plus': '+', 'opt': '?'}[self.kind]}"  # type: ignore[attr-defined]


def read_path(g: Graph, node: Term) -> Path:
    if type(node) is str:
        return Path("pred", node)
    if g.value(node, RDF_FIRST) is not None:
        return Path("seq", tuple(read_path(g, n) for n in g.items(node)))
    for param, kind in (("inversePath", "inv"), ("zeroOrMorePath", "star"), ("oneOrMorePath", "plus"),
                        ("zeroOrOnePath", "opt")):
        target = g.value(node, SH + param)
        if target is not None:
            return Path(kind, read_path(g, target))
    alternatives = g.value(node, SH + "alternativePath")
    if alternatives is not None:
        return Path("alt", tuple(read_path(g, n) for n in g.items(alternatives)))
    raise Unsupported(f"unknown property path {node}")


# --- shapes ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SparqlConstraint:
    node: Term
    select: str
    messages: tuple[Literal, ...]
    prefixes: str


@dataclass(frozen=True)
class Validator:
    """One validator of a SPARQL-based constraint component: an ASK or a SELECT query."""

    node: Term
    form: str  # "ask" | "select"
    query: str
    prefixes: str
    messages: tuple[Literal, ...]


@dataclass(frozen=True)
class Component:
    """A SPARQL-based constraint component (SHACL §6): parameters, and validators by kind of shape."""

    node: Term
    parameters: tuple[tuple[str, str, bool], ...]  # (path, variable name, optional)
    validators: dict = field(hash=False, compare=False)  # "node" | "property" -> Validator
    messages: tuple[Literal, ...] = ()


@dataclass(frozen=True)
class ComponentUse:
    """A shape's use of a component: one value for each parameter it has (SHACL §6.2)."""

    component: Component
    validator: Validator
    bindings: tuple[tuple[str, Term], ...]


@dataclass(eq=False)
class Shape:
    node: Term
    path: Path | None
    path_node: Term | None
    severity: str
    messages: tuple[Literal, ...]
    targets: list[tuple[str, Term]]
    #: (parameter local name, value) in a stable order; `property`, `node` etc. hold Shapes.
    params: list[tuple[str, object]] = field(default_factory=list)
    deactivated: bool = False
    #: Qualified value shapes of the property shapes beside this one (for sh:qualifiedValueShapesDisjoint).
    siblings: list["Shape"] = field(default_factory=list)

    @property
    def is_property(self) -> bool:
        return self.path is not None


def read_shapes(triples: Iterable[Triple]) -> tuple[list[Shape], Callable[[Term], Shape]]:
    """All shapes with targets (validated from the top) and a lookup for any shape by node."""
    g = Graph(triples)
    shapes: dict[Term, Shape] = {}
    components = [_component(g, s) for s, props in sorted(g.out.items(), key=lambda x: str(x[0]))
                  if any(SH + key in props for key in ("parameter", "validator", "nodeValidator", "propertyValidator"))]

    def shape(node: Term) -> Shape:
        if node not in shapes:
            shapes[node] = _placeholder(node)
            _fill(g, shapes[node], shape, components)
        return shapes[node]

    candidates = set()
    for s, props in g.out.items():
        types = set(props.get(RDF_TYPE, ()))
        if types & {SH + "NodeShape", SH + "PropertyShape"} or any(
                SH + t in props for t in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")):
            candidates.add(s)
    roots = [shape(n) for n in sorted(candidates, key=str)]
    for parent in list(shapes.values()):
        children = [p for name, p in parent.params if name == "property"]
        qualified = [q[0] for child in children for name, q in child.params if name == "qualifiedValueShape"]
        for child in children:
            child.siblings.extend(qualified)
    return [s for s in roots if s.targets and not s.deactivated], shape


def _placeholder(node: Term) -> Shape:
    return Shape(node, None, None, SH + "Violation", (), [])


def _fill(g: Graph, shape: Shape, lookup: Callable[[Term], Shape], components: list[Component]) -> None:
    props = g.out.get(shape.node, {})
    for p in props:
        if p.startswith(SH) and p[len(SH):] in _UNSUPPORTED:
            raise Unsupported(f"sh:{p[len(SH):]} on {shape.node}")
    path_node = g.value(shape.node, SH + "path")
    if path_node is not None:
        shape.path, shape.path_node = read_path(g, path_node), path_node
    shape.severity = g.value(shape.node, SH + "severity") or SH + "Violation"  # type: ignore[assignment]
    shape.messages = tuple(m for m in g.objects(shape.node, SH + "message") if isinstance(m, Literal))
    shape.deactivated = any(_true(d) for d in g.objects(shape.node, SH + "deactivated"))
    types = set(g.objects(shape.node, RDF_TYPE))
    for kind in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
        shape.targets.extend((kind, t) for t in g.objects(shape.node, SH + kind))
    if types & {RDFS + "Class", OWL_CLASS} and types & {SH + "NodeShape", SH + "PropertyShape"}:
        shape.targets.append(("targetClass", shape.node))  # an implicit class target
    for p in sorted(props):
        if not p.startswith(SH):
            continue
        name = p[len(SH):]
        if name in _DESCRIPTIVE or name in _COMPANIONS:
            continue
        if name not in COMPONENTS:
            raise Unsupported(f"sh:{name} on {shape.node}")
        for value in props[p]:
            param = _param(g, shape, name, value, lookup)
            if param is not None:
                shape.params.append((name, param))
    for component in components:
        shape.params.extend(("component", use) for use in _uses(component, props, shape.path is not None))


def _uses(component: Component, props: dict[str, list[Term]], is_property: bool) -> list[ComponentUse]:
    """The component's uses by a shape: none unless the shape has every mandatory parameter and the
    component a validator for its kind; one per combination of parameter values."""
    validator = component.validators.get("property" if is_property else "node") or component.validators.get("any")
    if validator is None or any(not optional and not props.get(path) for path, _, optional in component.parameters):
        return []
    combinations: list[tuple[tuple[str, Term], ...]] = [()]
    for path, name, _ in component.parameters:
        values = props.get(path, ())
        if values:
            combinations = [c + ((name, v),) for c in combinations for v in values]
    return [ComponentUse(component, validator, c) for c in combinations]


def _true(value: Term | None) -> bool:
    """Whether a parameter is the literal true: "1"^^xsd:boolean is another term, and SHACL compares
    terms (W3C suite, core/property/uniqueLang-002)."""
    return isinstance(value, Literal) and value[0] == "true" and value[2] == XSD_BOOLEAN


def _param(g: Graph, shape: Shape, name: str, value: Term, lookup: Callable[[Term], Shape]) -> object:
    node = shape.node
    if name in ("property", "node", "not"):
        return lookup(value)
    if name in ("and", "or", "xone"):
        return tuple(lookup(v) for v in g.items(value))
    if name in ("in", "languageIn"):
        return tuple(g.items(value))
    if name == "pattern":
        flags = g.value(node, SH + "flags")
        return (value[0] if isinstance(value, Literal) else str(value), flags[0] if isinstance(flags, Literal) else "")
    if name == "closed":
        ignored = g.value(node, SH + "ignoredProperties")
        return (_true(value), tuple(g.items(ignored)) if ignored else ())
    if name == "qualifiedValueShape":
        low, high = g.value(node, SH + "qualifiedMinCount"), g.value(node, SH + "qualifiedMaxCount")
        disjoint = g.value(node, SH + "qualifiedValueShapesDisjoint")
        return (lookup(value), int(low[0]) if isinstance(low, Literal) else None,
                int(high[0]) if isinstance(high, Literal) else None,
                _true(disjoint))
    if name in ("minCount", "maxCount", "minLength", "maxLength"):
        return int(value[0])  # type: ignore[index]
    if name == "uniqueLang":
        return _true(value)
    if name == "sparql":
        return _sparql(g, value)
    return value


def _sparql(g: Graph, node: Term) -> SparqlConstraint | None:
    from .sparql import check_prebinding

    if any(_true(d) for d in g.objects(node, SH + "deactivated")):
        return None
    select = g.value(node, SH + "select")
    if g.value(node, SH + "ask") is not None or not isinstance(select, Literal):
        raise Unsupported(f"SPARQL constraint {node} needs sh:select")
    check_prebinding(select[0], {"this"}, node)
    return SparqlConstraint(node, select[0], tuple(m for m in g.objects(node, SH + "message")
                                                     if isinstance(m, Literal)), prefixes(g, node))


def sparql_texts(triples: Iterable[Triple]) -> list[tuple[Term, str]]:
    """Every SPARQL query of a shapes graph (constraints, validators, targets, rules) with the PREFIX
    lines it declares, whatever uses it: what a safety check must see before anything runs."""
    g = Graph(triples)
    keys = [SH + k for k in ("select", "ask", "construct")]
    return sorted(((node, prefixes(g, node) + text[0]) for node, props in g.out.items() for key in keys
                   for text in props.get(key, ()) if isinstance(text, Literal)), key=lambda x: (str(x[0]), x[1]))


def prefixes(g: Graph, node: Term) -> str:
    """The PREFIX lines a SPARQL-based constraint or validator declares: sh:declare of its sh:prefixes
    values and of everything they owl:imports, within the shapes graph (SHACL §5.2.1; nothing is fetched)."""
    declarations, seen = set(), set()
    todo = list(g.objects(node, SH + "prefixes"))
    while todo:
        source = todo.pop()
        if source in seen:
            continue
        seen.add(source)
        todo.extend(g.objects(source, OWL_IMPORTS))
        for declare in g.objects(source, SH + "declare"):
            prefix, namespace = g.value(declare, SH + "prefix"), g.value(declare, SH + "namespace")
            if not isinstance(prefix, Literal) or namespace is None:
                raise ShapesError(f"sh:declare of {source} needs sh:prefix and sh:namespace")
            declarations.add(prefix_declaration(prefix[0], namespace[0] if isinstance(namespace, Literal) else namespace,
                                                f"the SHACL declaration {source}"))
    return "".join(sorted(declarations))


def _component(g: Graph, node: Term) -> Component:
    """A SPARQL-based constraint component (SHACL §6), its validators checked against the
    pre-binding rules (Appendix A)."""
    from .sparql import check_prebinding

    parameters = []
    for parameter in g.objects(node, SH + "parameter"):
        path = g.value(parameter, SH + "path")
        if type(path) is not str:
            raise ShapesError(f"a parameter of {node} needs an IRI as sh:path")
        parameters.append((path, _local_name(path), _true(g.value(parameter, SH + "optional"))))
    names = {"this", "value"} | {name for _, name, _ in parameters}
    validators = {}
    for key, kind, form in (("validator", "any", "ask"), ("nodeValidator", "node", "select"),
                            ("propertyValidator", "property", "select")):
        for validator in g.objects(node, SH + key)[:1]:
            if g.value(validator, SH + "ask") is not None:
                form = "ask"
            elif g.value(validator, SH + "select") is not None:
                form = "select"
            text = g.value(validator, SH + form)
            if not isinstance(text, Literal):
                raise Unsupported(f"validator {validator} of {node} has no SPARQL query this engine runs")
            check_prebinding(text[0], names, validator)
            messages = tuple(m for m in g.objects(validator, SH + "message") if isinstance(m, Literal))
            validators[kind] = Validator(validator, form, text[0], prefixes(g, validator), messages)
    return Component(node, tuple(sorted(parameters)), validators,
                     tuple(m for m in g.objects(node, SH + "message") if isinstance(m, Literal)))


def _local_name(iri: str) -> str:
    """The variable a parameter binds: the local name of its path (SHACL §6.1)."""
    return re.split(r"[#/:]", iri)[-1]
