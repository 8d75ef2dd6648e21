"""SHACL Core and SHACL-SPARQL after a small change of the data: only the focus nodes whose results
can differ are judged.

A targeted shape's footprint is every triple its judgement of one focus node can read, described as
reads: a place reached from the focus node by a sequence of steps (a predicate followed forwards or
backwards: its path's, then a nested shape's on each value node; None: any predicate), and a predicate
read there (forwards, backwards, or None: every predicate, as sh:closed reads). A changed triple that a
read matches puts that read's node at its place; walking the steps back over the new data (and the
removed triples) gives every focus node whose judgement can read it. A node no changed triple
reaches reads what it read before, so its judgement is the same; those that had a result before are
judged again anyway, since their results are not kept (`reported`). The walk back may find more
nodes than needed (never fewer): exactness costs only time.

A SHACL-SPARQL constraint reads what its query's triple patterns match (`_sparql_reads`): each pattern
is reached from $this through patterns that bind, in every solution it can join, the variable it
shares with them (a variable bound in one branch of a UNION only, or by OPTIONAL, reaches nothing),
FILTER (NOT) EXISTS and OPTIONAL patterns included. With $this pre-bound, the query's answer for one
focus node (aggregates too) is a function of the triples so reached, so a node the change does not
reach has the answer it had.

A shape whose footprint is not finite or not known is validated in full: SPARQL queries with
sub-selects, GRAPH, VALUES, LIMIT, zeroOrMore/oneOrMore paths, or a pattern reached only through a BIND
or from the object of a variable predicate; SPARQL-based components; zeroOrMore/oneOrMore paths of
SHACL Core; shapes reaching themselves (there the order of the checks decides); a nested property
shape under a property shape (its results are on value nodes, once for all focus nodes); and any
change of rdfs:subClassOf (every instance test reads it).
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from itertools import product
from typing import TYPE_CHECKING

from ..quads import index
from ..terms import BNode, Term, Triple
from .engine import RawResult, Validator, _referred
from .shapes import RDF_TYPE, RDFS, Path, Shape, SparqlConstraint, Unsupported

if TYPE_CHECKING:
    import pyoxigraph

#: A predicate (None: any) followed forwards (subject to object) or backwards; (None, None): from a
#: subject to the predicates of its triples (a SPARQL pattern's variable predicate).
Step = tuple["str | None", "bool | None"]
#: Steps from the focus node to a place; the predicate read there (None: every one), its direction, and
#: for a test of instances (sh:class, targets), the class: a change of a type it is not a superclass of
#: does not matter.
Read = tuple[tuple[Step, ...], "str | None", bool, "str | None"]

#: What each SHACL-SPARQL query reads, by its exact text as parsed (prefixes, then the pre-bound query;
#: None: Unbounded): a pure function of that text and of the code reading it (rdflib's parser and
#: `_Patterns`), so a validation by the same code may take it from the previous one (`validation.Parsed`).
Memo = dict[str, "frozenset[Read] | None"]

#: More ways along a shape's paths than this: validated in full.
MOST_WAYS = 256
_COMPARED = ("equals", "disjoint", "lessThan", "lessThanOrEquals")


class Unbounded(Exception):
    """The shape's footprint is not finite or not known."""


def revalidate(validator: Validator, roots: list[Shape], reported: Iterable[Term],
               added: Iterable[Triple], removed: Iterable[Triple],
               reads: "dict[Shape, frozenset[Read]] | None" = None) -> list[RawResult]:
    """Exactly `validator.validate(roots)` (the same results in the same order), on data that differs
    from the previous validation's by the triples `added` and `removed`, where `reported` are the focus
    nodes that had a result then (of any shape: the previous results' focus nodes); `reads`: the roots'
    `footprints`, if worked out already."""
    from .sparql import SparqlRunner

    changed = [*added, *removed]
    if any(p == RDFS + "subClassOf" for _, p, _ in changed):
        return validator.validate(roots)
    if isinstance(validator.sparql, SparqlRunner) and not validator.sparql.literals_kept():
        return validator.validate(roots)  # SHACL-SPARQL refuses wherever it runs: as the full validation does
    if reads is None:
        reads = footprints(validator, roots)
    reached: dict[Shape, set[Term]] = {}
    reported = set(reported)
    linked = _Linked(validator)
    targets = _Targets(validator, linked)

    def focus(root: Shape) -> list[Term] | None:
        """The focus nodes to judge, in the full validation's order (made while SPARQL runs)."""
        if root not in reads:
            return None
        if not reached:
            reached.update(_reached(validator, reads, changed, removed, linked))
        nodes = [n for n in reached[root] | reported if targets.holds(root, n)]
        validator.judging[id(root)] = set(nodes)
        with_results = list(dict.fromkeys(r.focus for r in validator.check(root, nodes, root)))
        if len(with_results) > 1:  # the order of the focus nodes is the order of their results
            order = {n: i for i, n in enumerate(validator.focus_nodes(root))}
            with_results.sort(key=order.__getitem__)
        return with_results
    return validator.validate(roots, focus, [root for root in roots if root in reads])


def footprints(validator: Validator, roots: list[Shape], memo: Memo | None = None) -> dict[Shape, frozenset[Read]]:
    """The `footprint` of each root whose footprint is known; `memo`: as for `footprint`."""
    found: dict[Shape, frozenset[Read]] = {}
    for root in roots:
        try:
            found[root] = footprint(validator, root, memo)
        except Unbounded:
            continue
    return found


def footprint(validator: Validator, shape: Shape, memo: Memo | None = None) -> frozenset[Read]:
    """What judging a focus node of the targeted `shape` reads: its targets' triples, and what
    `reads` finds; raises Unbounded. `memo`: the reads of SHACL-SPARQL queries known (`Memo`), where
    those parsed are added."""
    if validator._reaches_cycle(shape) or not _separable(shape):
        raise Unbounded(shape.node)
    found = set(_reads(shape, {}, {} if memo is None else memo))
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


def _reads(shape: Shape, known: dict[int, frozenset[Read]], memo: Memo) -> frozenset[Read]:
    """The reads of the shape's constraints on one focus node, steps counted from it."""
    done = known.get(id(shape))
    if done is not None:
        return done
    if shape.deactivated:
        return frozenset()
    ways = _ways(shape.path) if shape.path is not None else [()]  # from the focus node to each value node
    found: set[Read] = {(way[:i], p, forwards, None) for way in ways for i, (p, forwards) in enumerate(way)}
    for name, param in shape.params:
        if name == "sparql":  # `$this` is the focus node, of a property shape too (its path is `$PATH`)
            found.update(_sparql_reads(shape, param, memo))  # type: ignore[arg-type]
        elif name == "component":
            raise Unbounded(shape.node)
        if name == "class":
            found.update((way, RDF_TYPE, True, param) for way in ways)  # type: ignore[misc]
        elif name in _COMPARED:
            found.add(((), param, True, None))  # type: ignore[arg-type]
        elif name == "closed" and param[0]:  # type: ignore[index]
            found.update((way, None, True, None) for way in ways)
    for other in _referred(shape):  # on each value node
        found.update((way + steps, *read) for steps, *read in _reads(other, known, memo) for way in ways)  # type: ignore[misc]
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


def _sparql_reads(shape: Shape, constraint: SparqlConstraint, memo: Memo | None = None) -> frozenset[Read]:
    """What the constraint's query reads for one focus node ($this), as the query runs
    (`sparql.Plan`); raises Unbounded for a query whose reads are not known exactly. A text in
    `memo` is not parsed again (the reads are a function of the text); one parsed is added to it."""
    from .sparql import Plan

    plan = Plan(shape, constraint)
    text = plan.prefixes + plan.query
    if memo is None or text not in memo:
        found = _text_reads(text)
        if memo is not None:
            memo[text] = found
    else:
        found = memo[text]
    if found is None:
        raise Unbounded(constraint.node)
    return found


def _text_reads(text: str) -> frozenset[Read] | None:
    """What a pre-bound query reads (`_Patterns`), parsed by rdflib; None where not known exactly."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        algebra = translateQuery(parseQuery(text)).algebra
    except Exception:  # noqa: BLE001 - what rdflib cannot read, the constraint runs in full
        return None
    found: set[Read] = set()
    try:
        _Patterns(found).walk(algebra, {})
    except Exception:  # noqa: BLE001 - Unbounded, or an algebra this walk does not know: in full
        return None
    return frozenset(found)


#: Variables bound in every solution of a pattern, each with the ways from $this that reach it.
Bound = dict[str, frozenset[tuple[Step, ...]]]


class _Unanchored(Unbounded):
    """A triple pattern none of whose ends is reached from $this (yet: a join's other side may)."""


class _Patterns:
    """Walks a query's algebra (rdflib's) from $this, adding each triple pattern's reads to `found`."""

    _THROUGH = {"SelectQuery", "AskQuery", "Project", "Distinct", "Reduced", "OrderBy"}

    def __init__(self, found: set[Read]) -> None:
        self.found = found

    def walk(self, node, bound: Bound) -> Bound:
        """The variables `node` binds in all its solutions, reached from $this; `bound`: the outer ones."""
        bound = {**bound, "this": frozenset({()})}  # pre-bound: the focus node, everywhere
        name = getattr(node, "name", None)
        if name in self._THROUGH:
            out = self.walk(node.p, bound)
        elif name == "BGP":
            out = self._bgp(node.triples, bound)
        elif name == "Join":
            try:
                out = self.walk(node.p2, self.walk(node.p1, bound))
            except _Unanchored:
                out = self.walk(node.p1, self.walk(node.p2, bound))
        elif name == "LeftJoin":
            out = self.walk(node.p1, bound)
            self._exists(node.get("expr"), {**self.walk(node.p2, out), **out})
        elif name == "Union":
            one, other = self.walk(node.p1, bound), self.walk(node.p2, bound)
            out = {v: one[v] | other[v] for v in one.keys() & other.keys()}
        elif name == "Filter":
            out = self.walk(node.p, bound)
            self._exists(node.expr, out)
        elif name == "Extend":
            out = self.walk(node.p, bound)
            self._exists(node.expr, out)
            if _is_variable(node.expr) and str(node.expr) in out:
                out[str(node.var)] = out[str(node.expr)]
        elif name in ("Group", "AggregateJoin"):  # one focus node's solutions, grouped: nothing bound after
            self._exists(node.get("expr") if name == "Group" else node.A, self.walk(node.p, bound))
            out = {}
        else:  # sub-selects, GRAPH, VALUES, MINUS, SERVICE, LIMIT and OFFSET
            raise Unbounded(name)
        if name == "OrderBy":
            self._exists(node.expr, out)
        return {**out, "this": frozenset({()})}

    def _exists(self, expr, bound: Bound) -> None:
        """The patterns of each (NOT) EXISTS in `expr`, reached from the variables bound outside."""
        from rdflib.plugins.sparql.algebra import translateGroupGraphPattern
        from rdflib.plugins.sparql.parserutils import CompValue

        todo = [expr]
        while todo:
            item = todo.pop()
            if isinstance(item, CompValue):
                if item.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
                    graph = item.graph
                    if graph.name == "GroupGraphPatternSub":
                        graph = translateGroupGraphPattern(graph)
                    self.walk(graph, bound)
                    continue
                todo.extend(item.values())
            elif isinstance(item, (list, tuple)):
                todo.extend(item)

    def _bgp(self, triples: list, bound: Bound) -> Bound:
        """A group of triple patterns, all in every solution: each reached from an end another reached."""
        out = dict(bound)
        todo = [(s, p, _hops(p), o) for s, p, o in triples]
        while todo:
            left = []
            for s, p, hops, o in todo:
                for start, end, ways in ((s, o, hops), (o, s, [_reversed(way) for way in hops])):
                    if _is_variable(start) and str(start) in out:
                        reached = self._read(out[str(start)], ways)
                        if _is_variable(end) and str(end) not in out:
                            out[str(end)] = reached
                        if start is s and _is_variable(p) and str(p) not in out:  # to the predicates of s
                            out[str(p)] = frozenset(way + ((None, None),) for way in out[str(s)])
                        break
                else:
                    left.append((s, p, hops, o))
            if len(left) == len(todo):
                raise _Unanchored(left[0][0])
            todo = left
        return out

    def _read(self, starts: frozenset[tuple[Step, ...]], ways: list[tuple[Step, ...]]) -> frozenset[tuple[Step, ...]]:
        """Reads of the ways from each start, and the ways to their ends."""
        ends = set()
        for start in starts:
            for way in ways:
                for i, (p, forwards) in enumerate(way):
                    self.found.add((start + way[:i], p, forwards, None))
                ends.add(start + way)
        if len(ends) > MOST_WAYS:
            raise Unbounded(ways)
        return frozenset(ends)


def _is_variable(term: object) -> bool:
    from rdflib import Variable

    return isinstance(term, Variable)


def _hops(path: object) -> list[tuple[Step, ...]]:
    """The step sequences a triple pattern's predicate (an IRI, a variable, a path) takes from its
    subject to its object; raises Unbounded for */+/? and negated paths."""
    from rdflib import URIRef
    from rdflib.paths import AlternativePath, InvPath, SequencePath

    if isinstance(path, URIRef):
        return [((str(path), True),)]
    if _is_variable(path):
        return [((None, True),)]
    if isinstance(path, InvPath):
        return [_reversed(way) for way in _hops(path.arg)]
    if isinstance(path, SequencePath):
        ways = [sum(parts, ()) for parts in product(*(_hops(step) for step in path.args))]
    elif isinstance(path, AlternativePath):
        ways = [way for step in path.args for way in _hops(step)]
    else:
        raise Unbounded(path)
    if len(ways) > MOST_WAYS:
        raise Unbounded(path)
    return list(dict.fromkeys(ways))


def _reversed(way: tuple[Step, ...]) -> tuple[Step, ...]:
    return tuple((p, not forwards) for p, forwards in reversed(way))


def _reached(validator: Validator, reads: dict[Shape, frozenset[Read]], changed: list[Triple],
             removed: Iterable[Triple], linked: "_Linked") -> dict[Shape, set[Term]]:
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
        linking = _linking(validator.data.out, wanted, removed, linked)
        for (shape, steps), nodes in places:
            p, forwards = steps[-1]
            back = at.setdefault((shape, steps[:-1]), set())
            for node in nodes:
                if forwards:
                    back.update(linking.get((p, node), ()))
                elif forwards is None:  # the node is a predicate: the subjects with it
                    back.update(validator.data.subjects_of(node))  # type: ignore[arg-type]
                    back.update(s for s, q, _ in removed if q == node)
                elif p is None:  # any predicate
                    for props in (validator.data.out.get(node, {}), removed_from.get(node, {})):
                        for objects in props.values():
                            back.update(objects)
                else:
                    back.update(validator.data.objects(node, p))
                    back.update(removed_from.get(node, {}).get(p, ()))
    return {shape: at.get((shape, ()), set()) for shape in reads}


def _linking(out: dict[Term, dict[str, list[Term]]], wanted: dict["str | None", set[Term]],
             removed: list[Triple], linked: "_Linked") -> dict[tuple["str | None", Term], list[Term]]:
    """The subjects linking to each wanted node by its predicate (None: any), in the data or the
    removed triples: looked up in the store (`linked`) where it can tell, else one pass over the
    data, reading only the wanted predicates (all, for None)."""
    if not wanted:
        return {}
    found = _looked_up(wanted, linked)
    if found is None:
        found = _passed(out, wanted)
    for s, p, o in removed:
        for q in (p, None):
            if o in wanted.get(q, ()):
                found.setdefault((q, o), []).append(s)
    return found


def _looked_up(wanted: dict["str | None", set[Term]], linked: "_Linked") -> dict[tuple["str | None", Term], list[Term]] | None:
    """`_passed`, from the store; None where it cannot tell."""
    found: dict[tuple[str | None, Term], list[Term]] = {}
    for p, nodes in wanted.items():
        for o in nodes:
            subjects = linked.subjects(p, o)
            if subjects is None:
                return None
            if subjects:
                found[p, o] = subjects
    return found


def _passed(out: dict[Term, dict[str, list[Term]]], wanted: dict["str | None", set[Term]]) -> dict[tuple["str | None", Term], list[Term]]:
    """The subjects linking to each wanted node by its predicate (None: any) in the data, in one pass."""
    found: dict[tuple[str | None, Term], list[Term]] = {}
    predicates = set(wanted) - {None}
    anything = wanted.get(None, set())
    for s, props in out.items():
        for p in predicates.intersection(props):
            nodes = wanted[p]
            for o in props[p]:
                if o in nodes:
                    found.setdefault((p, o), []).append(s)
        if anything:
            for objects in props.values():
                for o in objects:
                    if o in anything:
                        found.setdefault((None, o), []).append(s)
    return found


class _Linked:
    """The subjects of the data's triples with a given predicate and object, from the union's Oxigraph
    store (SHACL-SPARQL's, which indexes triples by object) instead of a pass over the data, where it
    holds exactly the data's terms: once every literal was found kept there as written
    (`SparqlRunner.literals_kept`), and never through a blank node (the store labels them anew)."""

    def __init__(self, validator: Validator) -> None:
        self.runner = validator.sparql

    @cached_property
    def store(self) -> "pyoxigraph.Store | None":
        """The store, asked for when first needed (shapes without SPARQL need none)."""
        from .sparql import SparqlRunner

        if not isinstance(self.runner, SparqlRunner) or not self.runner.literals_kept():
            return None
        store = self.runner.store
        return None if isinstance(store, Unsupported) else store

    def subjects(self, p: "str | None", o: Term) -> list[Term] | None:
        """The subjects of the triples (?, `p`, `o`) (`p` None: any predicate; a subject once per
        triple), or None where the store cannot tell."""
        if isinstance(o, BNode) or self.store is None:
            return None
        import pyoxigraph as ox

        from ..convert import to_ox

        out: list[Term] = []
        for quad in self.store.quads_for_pattern(None, None if p is None else ox.NamedNode(p), to_ox(o)):
            if not isinstance(quad.subject, ox.NamedNode):
                return None
            out.append(quad.subject.value)
        return out


class _Targets:
    """Whether a node is a focus node of a shape, from the node's own triples (targetObjectsOf
    lists the objects of its predicate once)."""

    def __init__(self, validator: Validator, linked: "_Linked") -> None:
        self.data = validator.data
        self.linked = linked
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
                subjects = self.linked.subjects(target, node)  # type: ignore[arg-type]
                if subjects is not None:
                    found = bool(subjects)
                else:
                    objects = self._objects.get(target)  # type: ignore[arg-type]
                    if objects is None:
                        objects = self._objects[target] = set(data.objects_of(target))  # type: ignore[index, arg-type]
                    found = node in objects
            if found:
                return True
        return False
