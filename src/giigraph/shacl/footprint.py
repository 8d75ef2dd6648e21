"""SHACL Core after a small change of the data: only the focus nodes whose results can differ are judged.

A targeted shape's footprint is every triple its judgement of one focus node can read, described as
reads: a place reached from the focus node by a sequence of steps (a predicate followed forwards or
backwards: its path's, then a nested shape's on each value node), and a predicate read there
(forwards, backwards, or every predicate forwards for sh:closed). A changed triple that a read
matches puts that read's node at its place; walking the steps back over the new data (and the
removed triples) gives every focus node whose judgement can read it. A node no changed triple
reaches reads what it read before, so its judgement is the same; those that had a result before are
judged again anyway, since their results are not kept (`reported`). The walk back may find more
nodes than needed (never fewer): exactness costs only time.

A shape whose footprint is not finite or not known is validated in full: SPARQL (it runs on the
store), zeroOrMore/oneOrMore paths, shapes reaching themselves (there the order of the checks decides),
a nested property shape under a property shape (its results are on value nodes, once for all focus
nodes), and any change of rdfs:subClassOf (every instance test reads it).
"""
from __future__ import annotations

from collections.abc import Iterable
from itertools import product

from ..quads import index
from ..terms import Term, Triple
from .engine import RawResult, Validator, _referred
from .shapes import RDF_TYPE, RDFS, Path, Shape

#: A predicate followed forwards (subject to object) or backwards.
Step = tuple[str, bool]
#: Steps from the focus node to a place; the predicate read there (None: every one), its direction, and
#: for a test of instances (sh:class, targets), the class: a change of a type it is not a superclass of
#: does not matter.
Read = tuple[tuple[Step, ...], "str | None", bool, "str | None"]

#: More ways along a shape's paths than this: validated in full.
MOST_WAYS = 256
_COMPARED = ("equals", "disjoint", "lessThan", "lessThanOrEquals")


class Unbounded(Exception):
    """The shape's footprint is not finite or not known."""


def revalidate(validator: Validator, roots: list[Shape], reported: Iterable[Term],
               added: Iterable[Triple], removed: Iterable[Triple]) -> list[RawResult]:
    """Exactly `validator.validate(roots)` (the same results in the same order), on data that differs
    from the previous validation's by the triples `added` and `removed`, where `reported` are the focus
    nodes that had a result then (of any shape: the previous results' focus nodes)."""
    changed = [*added, *removed]
    if any(p == RDFS + "subClassOf" for _, p, _ in changed):
        return validator.validate(roots)
    reads: dict[Shape, frozenset[Read]] = {}
    for root in roots:
        try:
            reads[root] = footprint(validator, root)
        except Unbounded:
            continue
    reached: dict[Shape, set[Term]] = {}
    reported = set(reported)
    targets = _Targets(validator)

    def focus(root: Shape) -> list[Term] | None:
        """The focus nodes to judge, in the full validation's order (made while SPARQL runs)."""
        if root not in reads:
            return None
        if not reached:
            reached.update(_reached(validator, reads, changed, removed))
        nodes = [n for n in reached[root] | reported if targets.holds(root, n)]
        with_results = list(dict.fromkeys(r.focus for r in validator.check(root, nodes, root)))
        if len(with_results) > 1:  # the order of the focus nodes is the order of their results
            order = {n: i for i, n in enumerate(validator.focus_nodes(root))}
            with_results.sort(key=order.__getitem__)
        return with_results
    return validator.validate(roots, focus)


def footprint(validator: Validator, shape: Shape) -> frozenset[Read]:
    """What judging a focus node of the targeted `shape` reads: its targets' triples, and what
    `reads` finds; raises Unbounded."""
    if validator._reaches_cycle(shape) or not _separable(shape):
        raise Unbounded(shape.node)
    found = set(_reads(shape, {}))
    for kind, target in shape.targets:
        if kind == "targetClass":
            found.add(((), RDF_TYPE, True, target))  # type: ignore[arg-type]
        elif kind in ("targetSubjectsOf", "targetObjectsOf"):
            found.add(((), target, kind == "targetSubjectsOf", None))  # type: ignore[arg-type]
    return frozenset(found)


def _separable(shape: Shape) -> bool:
    """Whether the shape's results on some focus nodes are its results on each of them, put together:
    not so for a property shape's nested property shapes, checked once on all value nodes."""
    return all(shape.path is None and _separable(param) for name, param in shape.params  # type: ignore[arg-type]
               if name == "property")


def _reads(shape: Shape, known: dict[int, frozenset[Read]]) -> frozenset[Read]:
    """The reads of the shape's constraints on one focus node, steps counted from it."""
    done = known.get(id(shape))
    if done is not None:
        return done
    if shape.deactivated:
        return frozenset()
    ways = _ways(shape.path) if shape.path is not None else [()]  # from the focus node to each value node
    found: set[Read] = {(way[:i], p, forwards, None) for way in ways for i, (p, forwards) in enumerate(way)}
    for name, param in shape.params:
        if name in ("sparql", "component"):
            raise Unbounded(shape.node)
        if name == "class":
            found.update((way, RDF_TYPE, True, param) for way in ways)  # type: ignore[misc]
        elif name in _COMPARED:
            found.add(((), param, True, None))  # type: ignore[arg-type]
        elif name == "closed" and param[0]:  # type: ignore[index]
            found.update((way, None, True, None) for way in ways)
    for other in _referred(shape):  # on each value node
        found.update((way + steps, *read) for steps, *read in _reads(other, known) for way in ways)  # type: ignore[misc]
    done = known[id(shape)] = frozenset(found)
    return done


def _ways(path: Path) -> list[tuple[Step, ...]]:
    """The sequences of steps a path can take (as `Data._walk` follows it); raises Unbounded for
    zeroOrMore and oneOrMore paths, and past MOST_WAYS."""
    kind, arg = path.kind, path.arg
    if kind == "pred":
        ways: list[tuple[Step, ...]] = [((arg, True),)]  # type: ignore[list-item]
    elif kind == "inv":
        ways = [((arg.arg, False),)] if arg.kind == "pred" else _ways(arg.inverse())  # type: ignore[attr-defined]
    elif kind == "seq":
        ways = [sum(parts, ()) for parts in product(*(_ways(step) for step in arg))]  # type: ignore[attr-defined]
    elif kind == "alt":
        ways = [way for step in arg for way in _ways(step)]  # type: ignore[attr-defined]
    elif kind == "opt":
        ways = [(), *_ways(arg)]  # type: ignore[arg-type]
    else:
        raise Unbounded(path)
    ways = list(dict.fromkeys(ways))
    if len(ways) > MOST_WAYS:
        raise Unbounded(path)
    return ways


def _reached(validator: Validator, reads: dict[Shape, frozenset[Read]], changed: list[Triple],
             removed: Iterable[Triple]) -> dict[Shape, set[Term]]:
    """For each shape, the nodes whose judgement can read a changed triple: each read a changed
    triple matches, walked back from its node to the focus node, one step at a time for all reads
    (the steps followed forwards need the nodes linking to a node: one pass over the data)."""
    by_predicate: dict[str | None, list[tuple[Shape, tuple[Step, ...], bool, str | None]]] = {}
    for shape, found in reads.items():
        for steps, p, forwards, cls in found:
            by_predicate.setdefault(p, []).append((shape, steps, forwards, cls))
    superclasses = validator.data.superclasses
    at: dict[tuple[Shape, tuple[Step, ...]], set[Term]] = {}  # nodes at a place of a shape's reads
    for s, p, o in changed:
        for shape, steps, forwards, cls in by_predicate.get(p, []) + by_predicate.get(None, []):
            if cls is None or cls in superclasses(o):  # type: ignore[arg-type]
                at.setdefault((shape, steps), set()).add(s if forwards else o)
    removed = list(removed)
    removed_from = index(removed)
    deepest = max((len(steps) for _, steps in at), default=0)
    for depth in range(deepest, 0, -1):
        places = [(key, nodes) for key, nodes in at.items() if len(key[1]) == depth]
        wanted: dict[str, set[Term]] = {}
        for (_, steps), nodes in places:
            p, forwards = steps[-1]
            if forwards:
                wanted.setdefault(p, set()).update(nodes)
        linking = _linking(validator.data.out, wanted, removed)
        for (shape, steps), nodes in places:
            p, forwards = steps[-1]
            back = at.setdefault((shape, steps[:-1]), set())
            for node in nodes:
                if forwards:
                    back.update(linking.get((p, node), ()))
                else:
                    back.update(validator.data.objects(node, p))
                    back.update(removed_from.get(node, {}).get(p, ()))
    return {shape: at.get((shape, ()), set()) for shape in reads}


def _linking(out: dict[Term, dict[str, list[Term]]], wanted: dict[str, set[Term]],
             removed: list[Triple]) -> dict[tuple[str, Term], list[Term]]:
    """The subjects linking to each wanted node by its predicate, in the data or the removed triples:
    one pass over the data, reading only the wanted predicates."""
    found: dict[tuple[str, Term], list[Term]] = {}
    if not wanted:
        return found
    predicates = set(wanted)
    for s, props in out.items():
        for p in predicates.intersection(props):
            nodes = wanted[p]
            for o in props[p]:
                if o in nodes:
                    found.setdefault((p, o), []).append(s)
    for s, p, o in removed:
        if o in wanted.get(p, ()):
            found.setdefault((p, o), []).append(s)
    return found


class _Targets:
    """Whether a node is a focus node of a shape, from the node's own triples (targetObjectsOf
    lists the objects of its predicate once)."""

    def __init__(self, validator: Validator) -> None:
        self.data = validator.data
        self._objects: dict[str, set[Term]] = {}

    def holds(self, shape: Shape, node: Term) -> bool:
        data = self.data
        for kind, target in shape.targets:
            if kind == "targetNode":
                found = node == target
            elif kind == "targetClass":
                found = data.is_instance(node, target)  # type: ignore[arg-type]
            elif kind == "targetSubjectsOf":
                found = target in data.out.get(node, {})
            else:
                objects = self._objects.get(target)  # type: ignore[arg-type]
                if objects is None:
                    objects = self._objects[target] = set(data.objects_of(target))  # type: ignore[index, arg-type]
                found = node in objects
            if found:
                return True
        return False
