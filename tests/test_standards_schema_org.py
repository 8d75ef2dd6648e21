"""Every schema.org term the published data uses exists in schema.org's own release file (30.0,
tests/standards/schema.org, vendored with its licence), and every statement respects the property's
schema:domainIncludes and schema:rangeIncludes, through rdfs:subClassOf: the subject has a type in the
domain, an IRI object a type in the range (or the range admits a URL), a literal a data type of the
range. The VoID/DCAT description (dist/void.ttl: the schema.org Dataset) is checked with the data."""
from __future__ import annotations

import gzip
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

import giigraph
from giigraph.export import describe
from giigraph.namespaces import RDF, RDFS, SCHEMA, XSD
from giigraph.terms import Literal

RELEASE = Path(__file__).parent / "standards" / "schema.org" / "schemaorg-current-http.ttl.gz"
S = str(SCHEMA)
#: The literal data types schema.org has, and the XSD types whose values each admits.
DATATYPES = {
    S + "Text": {XSD.string, RDF.langString}, S + "URL": {XSD.anyURI},
    S + "Number": {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int},
    S + "Integer": {XSD.integer, XSD.int}, S + "Float": {XSD.double, XSD.float, XSD.decimal},
    S + "Date": {XSD.date, XSD.gYear, XSD.gYearMonth}, S + "DateTime": {XSD.dateTime},
    S + "Boolean": {XSD.boolean}, S + "Time": {XSD.time},
}
#: Reasoned exceptions: (property, what) -> why. Kept short; each entry is checked to be still needed.
ALLOWED: dict[tuple[str, str], str] = {}


class Vocabulary:
    def __init__(self, triples) -> None:
        self.classes: set[str] = set()
        self.properties: set[str] = set()
        self.parents: dict[str, set[str]] = defaultdict(set)
        self.domain: dict[str, set[str]] = defaultdict(set)
        self.range: dict[str, set[str]] = defaultdict(set)
        for s, p, o in triples:
            if p == RDF.type and o == RDFS.Class:
                self.classes.add(s)
            elif p == RDF.type and o == RDF.Property:
                self.properties.add(s)
            elif p == RDFS.subClassOf:
                self.parents[s].add(o)
            elif p == S + "domainIncludes":
                self.domain[s].add(o)
            elif p == S + "rangeIncludes":
                self.range[s].add(o)

    def ancestors(self, cls: str) -> set[str]:
        seen, todo = set(), [cls]
        while todo:
            c = todo.pop()
            if c not in seen:
                seen.add(c)
                todo.extend(self.parents.get(c, ()))
        return seen

    def literal_fits(self, prop: str, lit: Literal) -> bool:
        datatype = XSD.string if lit[2] is None else lit[2]
        datatype = RDF.langString if lit[1] else datatype
        ranges = {a for r in self.range[prop] for a in self.ancestors(r)} | self.range[prop]
        return any(datatype in DATATYPES.get(r, ()) for r in self.range[prop]) or \
            (S + "Text" in ranges and datatype in (XSD.string, RDF.langString))


def _term(t) -> object:
    if isinstance(t, ox.NamedNode):
        return t.value
    if isinstance(t, ox.Literal):
        lang = t.language
        return Literal(t.value, lang=lang) if lang else Literal(t.value, datatype=t.datatype.value)
    return str(t)


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    data = gzip.decompress(RELEASE.read_bytes())
    return Vocabulary((_term(q.subject), _term(q.predicate), _term(q.object))
                      for q in ox.parse(data, format=ox.RdfFormat.TURTLE))


@pytest.fixture(scope="module")
def published() -> set:
    quads = giigraph.build_quads()
    return quads.union() | describe(quads, [], "https://w3id.org/giigraph/", giigraph.__version__)


def schema_types(triples) -> dict[str, set[str]]:
    types: dict[str, set[str]] = defaultdict(set)
    for s, p, o in triples:
        if p == RDF.type and isinstance(o, str) and o.startswith(S):
            types[s].add(o)
    return types


def problems(vocabulary: Vocabulary, triples) -> set[tuple[str, str, str]]:
    """(property or class, subject, what is wrong) for every statement schema.org does not allow."""
    types = schema_types(triples)
    found = set()
    for cls in {c for ts in types.values() for c in ts} - vocabulary.classes:
        found.add((cls, "", "no such schema.org type"))
    for s, p, o in triples:
        if not p.startswith(S):
            continue
        if p not in vocabulary.properties:
            found.add((p, s, "no such schema.org property"))
            continue
        closure = {a for t in types.get(s, ()) for a in vocabulary.ancestors(t)}
        if not closure & vocabulary.domain[p]:
            found.add((p, s, "subject has no type in the domain"))
        if isinstance(o, tuple):
            if not vocabulary.literal_fits(p, o):
                found.add((p, s, f"literal {o[2] or 'with language'} outside the range"))
        elif S + "URL" not in vocabulary.range[p]:
            object_closure = {a for t in types.get(o, ()) for a in vocabulary.ancestors(t)}
            if not object_closure & vocabulary.range[p]:
                found.add((p, s, "object has no type in the range"))
    return found


def test_the_release_file_is_schema_org_30(vocabulary):
    assert len(vocabulary.classes) > 800 and len(vocabulary.properties) > 1400
    assert S + "Dataset" in vocabulary.classes and vocabulary.domain[S + "subjectOf"] == {S + "Thing"}
    assert vocabulary.domain[S + "pagination"] >= {S + "Article", S + "Chapter"}


def test_every_schema_org_statement_respects_the_vocabulary(vocabulary, published):
    found = {(p, what) for p, _, what in problems(vocabulary, published)}
    assert found <= set(ALLOWED), sorted(problems(vocabulary, published) - {x for x in problems(vocabulary, published)
                                                                            if (x[0], x[2]) in ALLOWED})
    assert set(ALLOWED) <= found, "an allow-list entry is no longer needed"


@pytest.mark.parametrize("triple, expected", [
    (("ex:a", RDF.type, S + "CreativeWork"), None),
    (("ex:a", S + "pagination", Literal("1-2")), "subject has no type in the domain"),
    (("ex:a", S + "mentions", "ex:thing"), "object has no type in the range"),
    (("ex:a", S + "nonsenseProperty", "ex:b"), "no such schema.org property"),
    (("ex:a", S + "position", Literal("2023-01-01", datatype=XSD.date)), "literal"),
], ids=["ok", "domain", "range", "unknown", "literal"])
def test_the_check_reports_a_planted_misuse(vocabulary, triple, expected):
    found = problems(vocabulary, [("ex:a", RDF.type, S + "CreativeWork"), triple])
    if expected is None:
        assert found == set()
    else:
        assert any(w.startswith(expected) for _, _, w in found), found
