"""Compact JSON-LD that web developers can read: short terms, typed values, language maps.

rdflib's JSON-LD writer emits expanded-style value objects and every bound namespace, and pyld's
compaction is slow on big graphs; we write compact JSON-LD directly: one node object per subject
(sorted), terms derived from the predicates and classes in use, each coerced to the one kind of
value it holds. The tests prove it expands (pyld, jsonld.js) to the same graph, on our data and
on generated hostile terms: a prefix is left out of the context when an IRI of the data would
read as a compact IRI with it (`schema:x` as an IRI of its own), integers and booleans become JSON
numbers and booleans only when that expands to the same lexical form (and integers only within
the 53 bits JavaScript keeps exactly), blank nodes keep their labels. The text is what
`json.dumps(doc, ensure_ascii=False, indent=2)` prints, written by a small streaming printer (the
json module indents in pure Python).

A rebuild (`analysis` and `spliced` given the `Rebuild`) works the analysis out from counts the
previous build left and the union's change, and, when it is the previous one, copies the previous
dump's node objects but those of the subjects the change touches.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Stale
from .quads import Index, Quads
from .rebuild import Tally
from .splice import Edit, rewrite
from .terms import XSD_BOOLEAN, XSD_INTEGER, XSD_STRING, BNode, Literal, Term, check_iri, check_language, n3
from .namespaces import PREFIXES, RDF

# Which vocabulary gets the short term when two share a local name (schema:name beats foaf:name).
PRIORITY = ("schema", "gii", "org", "prov", "rdfs", "skos", "dcterms", "qb", "foaf", "dcat", "void", "owl")
_NATIVE = {XSD_INTEGER, XSD_BOOLEAN}
_SAFE_INTEGER = 2 ** 53 - 1  # JSON numbers beyond it lose digits in JavaScript (jsonld.js)
_RDF_TYPE = RDF.type
_ORDERED_PREFIXES = sorted(PREFIXES, key=lambda p: (PRIORITY.index(p) if p in PRIORITY else len(PRIORITY), p))
_STEP = "jsonld"  # what this module leaves for the next build (`Rebuild.leave`): its `Counts`

if TYPE_CHECKING:
    import mmap

    from .rebuild import Rebuild


def _split(iri: str, blocked: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """(prefix, local name) for an IRI in one of our known vocabularies (prefixes in `blocked` excepted)."""
    for prefix in _ORDERED_PREFIXES:
        ns = PREFIXES[prefix]
        if iri.startswith(ns) and iri[len(ns):].replace("_", "a").replace("-", "a").isalnum() and prefix not in blocked:
            return prefix, iri[len(ns):]
    return None


def _value_kind(o: Term) -> str:
    if type(o) is str or isinstance(o, BNode):
        return "@id"
    if isinstance(o, Literal):
        lexical, lang, datatype = o
        if lang:
            return "@language"
        if datatype is None or datatype == XSD_STRING:
            return "string"
        if datatype in _NATIVE and _native(o) is not None:
            return "native"
        return datatype
    return "@id"


def _native(o: Literal) -> int | bool | None:
    """The JSON number or boolean that expands back to exactly this literal, if there is one."""
    lexical, _, datatype = o
    if datatype == XSD_BOOLEAN:
        return {"true": True, "false": False}.get(lexical)
    if datatype == XSD_INTEGER:
        try:
            value = int(lexical)
        except ValueError:
            return None
        return value if str(value) == lexical and abs(value) <= _SAFE_INTEGER else None
    return None


def build_context(subjects: Index) -> dict:
    """The @context for a graph (indexed by subject): used prefixes, one term per predicate and class,
    with coercions. Checks every IRI and language tag of the graph on the way (`terms.check_iri`)."""
    return _context(subjects)[0]


#: The @context, the term (with its definition) of each predicate IRI, the term of each class IRI.
Analysis = tuple[dict, dict[str, tuple[str, dict]], dict[str, str]]


def _context(subjects: Index) -> Analysis:
    """The @context, and the term (with its definition) of each predicate IRI, the term of each class IRI."""
    return _derive(_counts(subjects))


@dataclass(frozen=True)
class Counts(Tally):
    """What the analysis of a graph is derived from (`_derive`), counted per triple: a rebuild works its
    analysis out from the previous build's and the union's change (`Rebuild.tallied`)."""

    #: (predicate, kind of value (`_value_kind`; an IRI of rdf:type is a class instead)) -> triples
    kinds: dict[tuple[str, str], int]
    #: class IRI -> rdf:type triples
    classes: dict[str, int]
    #: scheme of the IRIs that read as compact IRIs (no "//" after the colon) -> their occurrences
    #: in triples (as subject, predicate, object, datatype)
    schemes: dict[str, int]


def _counts(subjects: Index) -> Counts:
    """The counts of a graph (indexed by subject), checking each of its IRIs and language tags on the way."""
    kinds: dict[str, dict[str, int]] = {}
    classes: dict[str, int] = {}
    iris: set[str] = set()
    languages: set[str] = set()
    add_iri, plain = iris.add, (None, XSD_STRING)
    for s, props in subjects.items():
        if type(s) is str:
            add_iri(s)
        for p, objects in props.items():
            add_iri(p)
            kind = kinds.get(p)
            if kind is None:
                kind = kinds[p] = {}
            for o in objects:  # one pass: the IRIs and the kind of each value (`_value_kind`, inlined for the common ones)
                if type(o) is str:
                    add_iri(o)
                    if p == _RDF_TYPE:
                        classes[o] = classes.get(o, 0) + 1
                        continue
                    value = "@id"
                elif type(o) is Literal:
                    if o[1]:
                        languages.add(o[1])
                        value = "@language"
                    elif o[2] in plain:
                        value = "string"
                    else:
                        add_iri(o[2])
                        value = _value_kind(o)
                else:
                    value = _value_kind(o)
                kind[value] = kind.get(value, 0) + 1
    for iri in iris:
        check_iri(iri)
    for tag in languages:
        check_language(tag)
    compact = {iri for iri in iris if not iri.partition(":")[2].startswith("//")}
    return Counts({(p, value): n for p, kind in kinds.items() for value, n in kind.items()},
                  classes, _occurrences(subjects, compact) if compact else {})


def _occurrences(subjects: Index, compact: set[str]) -> dict[str, int]:
    """How often the IRIs `compact` (that read as compact IRIs) occur in the graph's triples, per scheme,
    in the places `_counts` reads IRIs from."""
    out: dict[str, int] = {}

    def count(iri: str, n: int = 1) -> None:
        scheme = iri.partition(":")[0]
        out[scheme] = out.get(scheme, 0) + n
    plain = (None, XSD_STRING)
    for s, props in subjects.items():
        for p, objects in props.items():
            if type(s) is str and s in compact:
                count(s, len(objects))
            if p in compact:
                count(p, len(objects))
            for o in objects:
                if type(o) is str:
                    if o in compact:
                        count(o)
                elif type(o) is Literal and not o[1] and o[2] not in plain and o[2] in compact:
                    count(o[2])
    return out


def _derive(counts: Counts) -> Analysis:
    """The analysis (`_context`) of a graph whose counts are `counts`."""
    kinds: dict[str, set[str]] = defaultdict(set)  # rdf:type with classes only has no term of its own
    for p, value in counts.kinds:
        kinds[p].add(value)
    classes = set(counts.classes)
    blocked = frozenset(counts.schemes)
    used_prefixes: set[str] = set()
    terms: dict[str, dict | str] = {}

    def compact(iri: str) -> str:
        split = _split(iri, blocked)
        if split is None:
            return iri
        used_prefixes.add(split[0])
        return f"{split[0]}:{split[1]}"

    def term_name(iri: str) -> str | None:
        split = _split(iri, blocked)
        if split is None:
            return None
        name = split[1]
        clash = name in terms or name in PREFIXES or name in blocked or name.startswith("@")
        return f"{split[0]}:{name}" if clash else name

    predicates: dict[str, tuple[str, dict]] = {}
    for p in sorted(kinds, key=lambda iri: _rank(iri, blocked)):
        definition: dict[str, str] = {"@id": compact(p)}
        (kind,) = kinds[p] if len(kinds[p]) == 1 else ("mixed",)
        name = term_name(p)
        if name is None:  # an IRI outside our vocabularies: written in full, its values spelt out
            predicates[p] = (p, {})
            continue
        if kind == "@id":
            definition["@type"] = "@id"
        elif kind == "@language":
            definition["@container"] = "@language"
        elif kind not in ("string", "native", "mixed"):
            definition["@type"] = compact(kind)
        terms[name] = definition
        predicates[p] = (name, definition)
    types: dict[str, str] = {}
    for c in sorted(classes, key=lambda iri: _rank(iri, blocked)):
        if c in predicates:  # a class that is also a predicate: its term serves both
            types[c] = predicates[c][0]
            continue
        name = term_name(c)
        if name is None:
            types[c] = c
        else:
            types[c] = name
            terms[name] = compact(c)
    for name, definition in terms.items():  # a datatype spelt as its own term is a cyclic definition
        if isinstance(definition, dict) and definition.get("@type") == name:
            definition["@type"] = _full(name)
    context: dict[str, object] = {"@version": 1.1}
    context.update({p: PREFIXES[p] for p in sorted(used_prefixes)})
    context.update(sorted(terms.items()))
    return context, predicates, types


def _full(compact: str) -> str:
    prefix, _, local = compact.partition(":")
    return PREFIXES[prefix] + local


def _rank(iri: str, blocked: frozenset[str] = frozenset()) -> tuple:
    split = _split(iri, blocked)
    if split is None:
        return (len(PRIORITY) + 1, "", iri)
    prefix, local = split
    return (PRIORITY.index(prefix) if prefix in PRIORITY else len(PRIORITY), local, prefix)


def analysis(quads: Quads, rebuild: "Rebuild | None" = None) -> Analysis:
    """The @context of a dataset's union and the terms of its predicates and classes, worked out once
    (checking every IRI) for the dump and `context.jsonld` alike. With `rebuild`, from the counts the
    previous build left and the union's change where it can (checking the IRIs the change adds), and
    this build's counts are left for the next."""
    def make() -> Analysis:
        counts = rebuild.tallied(_STEP, _counts) if rebuild is not None else None
        if counts is None:
            counts = _counts(quads.by_subject())
        if rebuild is not None:
            rebuild.leave(_STEP, counts)
        return _derive(counts)
    return quads.shared("jsonld", make)  # type: ignore[return-value]


def spliced(quads: Quads, path: Path, rebuild: "Rebuild | None") -> tuple[int, str] | None:
    """The dump written into `path` (its size and SHA-256) from the previous build's file in the output
    folder, when the analysis is the one that file was written with: the node objects of the subjects
    the union's change touches are cut out and written anew (in their sorted place), the others copied
    (`splice.rewrite`, which checks the file's SHA-256 as it is read). None where it cannot be spliced
    exactly (no record, another analysis, not the file that build wrote, no node object left)."""
    if rebuild is None or rebuild.change is None or rebuild.previous is None:
        return None
    left, expected = rebuild.left(_STEP), rebuild.previous.dumps.get(path.name)
    analysed = analysis(quads, rebuild)
    if not isinstance(left, Counts) or expected is None or _derive(left) != analysed:
        return None
    change = rebuild.change
    subjects = quads.by_subject()
    touched = sorted({s for s, _, _ in change.union_removed} | {s for s, _, _ in change.union_added})
    nodes = {s: _node(s, subjects[s], analysed) for s in touched if s in subjects}
    header = _header(analysed[0]).encode("utf-8")
    try:
        written = rewrite(rebuild.out / path.name, expected, lambda old: _node_edits(old, header, touched, nodes), path,
                          checked=rebuild.checked(path.name))
    except (Stale, OSError):
        return None
    quads.keep_made("jsonld", change.graphs, _terms(analysed))  # the node objects a full write would take
    return written


_OPEN = b"\n    {\n"  # the line that opens a top-level node object (JSON strings hold no raw line feed)
_CLOSE = b"\n    }"  # the line that closes it
_SEPARATOR = ",\n    "
_TAIL = "\n  ]\n}\n"
_ID = b'      "@id": '


def _node_edits(old: "mmap.mmap | bytes", header: bytes, touched: list[Term], nodes: dict[Term, str]) -> list[Edit]:
    """The edits (`splice.rewrite`) that make the dump `old` (`header`, then node objects sorted by subject)
    the dump whose node objects of `touched` (sorted) are `nodes` (none for a subject no longer described).
    Each node object is found by binary search; what is cut or put in is a node object with the separator
    before it ("," and a line feed; the first node object has no comma). `Stale` if `old` is not such a dump."""
    first, end = len(header), len(old) - len(_TAIL)
    if old[:first] != header or old[end:] != _TAIL.encode() or old[first:first + len(_OPEN)] != _OPEN:
        raise Stale("not a dump with this context and node objects")
    edits: list[Edit] = []
    at = first
    for s in touched:
        at = _first_node_not_below(old, s, at, end)
        unit = at - 1 if first < at < end else at  # where the node object at `at` starts, with its separator
        if at < end and _subject_at(old, at) == s:
            following = _node_end(old, at, end)
            edits.append((unit, old[unit:following], True))
            unit = following
        if s in nodes:
            edits.append((unit, (_SEPARATOR + nodes[s]).encode("utf-8"), False))
    kept = first  # where the first node object left of the previous file starts (`end` if none is)
    for offset, piece, cut in edits:
        if cut:
            if offset != kept:
                break
            kept = offset + len(piece)
    put = next(((n, offset) for n, (offset, _, cut) in enumerate(edits) if not cut), None)
    if put is not None and put[1] <= kept:  # a new node object comes first: without its comma
        n, offset = put
        edits[n] = (offset, edits[n][1][1:], False)
        if kept == first:  # before the previous first, which gains one
            last = max(i for i, (o, _, _) in enumerate(edits) if o == first)
            edits.insert(last + 1, (first, b",", False))
    elif kept < end:
        if kept > first:  # a node object that followed others comes first: without its comma
            edits.append((kept, b",", True))
            edits.sort(key=lambda edit: edit[0])  # stable: edits at one offset keep their order
    else:
        raise Stale("no node object left")
    return edits


def _first_node_not_below(old: "mmap.mmap | bytes", subject: Term, lo: int, hi: int) -> int:
    """The offset of the first node object opened at or after `lo` (one is) whose subject does not sort
    below `subject` (`hi` if none does), by binary search."""
    while lo < hi:
        mid = (lo + hi) // 2
        start = old.rfind(_OPEN, lo, mid + len(_OPEN))
        if start < 0:
            raise Stale("no node object where one was")
        if _subject_at(old, start) < subject:
            following = old.find(_OPEN, start + 1, hi)
            lo = hi if following < 0 else following
        else:
            hi = start
    return lo


def _subject_at(old: "mmap.mmap | bytes", at: int) -> str:
    """The subject of the node object opened at `at`."""
    start = at + len(_OPEN)
    line = old[start:old.find(b"\n", start)]
    if not line.startswith(_ID):
        raise Stale("a node object without its @id first")
    try:
        subject = json.loads(line[len(_ID):].rstrip(b","))
    except ValueError as exc:
        raise Stale("a node object whose @id is not a JSON string") from exc
    if not isinstance(subject, str):
        raise Stale("a node object whose @id is not a JSON string")
    return subject


def _node_end(old: "mmap.mmap | bytes", at: int, end: int) -> int:
    """Where the node object opened at `at` ends (the next one's separator, or the end of the graph)."""
    close = old.find(_CLOSE, at, end)
    following = close + len(_CLOSE)
    if close < 0 or (following != end and old[following:following + 1 + len(_OPEN)] != b"," + _OPEN):
        raise Stale("a node object not closed where the next opens")
    return following


def jsonld_chunks(subjects: Index, analysed: Analysis, kept: dict[Term, str] | None = None) -> Iterator[str]:
    """A graph (indexed by subject) as compact JSON-LD with its context inline, one node object at a time;
    `analysed`: its `analysis`; `kept`: node objects of some subjects written already (`kept_nodes`)."""
    yield _header(analysed[0])
    first = True
    kept = kept or {}
    for s in sorted(subjects):
        text = kept.get(s)
        yield (_SEPARATOR[1:] if first else _SEPARATOR) + (text if text is not None else _node(s, subjects[s], analysed))
        first = False
    yield (_TAIL if not first else "]\n}\n")


def _header(context: dict) -> str:
    """The dump up to its first node object."""
    return '{\n  "@context": ' + _dumps(context, 1) + ',\n  "@graph": ['


def _node(s: Term, props: dict[str, list[Term]], analysed: Analysis) -> str:
    """One subject's node object, as the dump prints it."""
    _, predicates, classes = analysed
    node: dict[str, object] = {"@id": s}
    values = {}
    for p, objects in props.items():
        if p == _RDF_TYPE:
            names = sorted(classes[c] for c in objects if type(c) is str)
            if names:
                node["@type"] = names[0] if len(names) == 1 else names
            objects = [o for o in objects if type(o) is not str]
            if not objects:
                continue
        term, definition = predicates[p]
        values[term] = _values(objects, definition)
    node.update(sorted(values.items()))
    return _dumps(node, 2)


def kept_nodes(quads: Quads, analysed: Analysis) -> dict[Term, str]:
    """The node objects of the subjects that one graph alone describes, as `quads.kept` holds them
    (`Quads.kept_by_subject`): a node object reads only its subject's triples and the terms."""
    return quads.kept_by_subject(
        "jsonld", lambda subjects: {s: _node(s, props, analysed) for s, props in subjects.items()}, _terms(analysed))


def _terms(analysed: Analysis) -> bytes:
    """The terms of the predicates and classes: with a graph, what its node objects are made of."""
    _, predicates, classes = analysed
    return repr((sorted(predicates.items()), sorted(classes.items()))).encode()


def context_document(subjects: Index, analysed: Analysis | None = None) -> bytes:
    """The context alone, as published beside the dumps (`context.jsonld`); `analysed` as for `jsonld_chunks`."""
    context = analysed[0] if analysed else build_context(subjects)
    return (json.dumps({"@context": context}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _object_key(o: Term) -> tuple:
    return (o[1] or "", n3(o)) if isinstance(o, Literal) else ("", n3(o))


def _values(objects: list[Term], definition: dict) -> object:
    values = sorted(objects, key=_object_key) if len(objects) > 1 else objects
    if definition.get("@container") == "@language":
        by_lang: dict[str, list[str]] = defaultdict(list)
        for o in values:
            by_lang[o[1]].append(o[0])
        return {lang: v[0] if len(v) == 1 else v for lang, v in sorted(by_lang.items())}
    coerced = definition.get("@type")
    out = [_value(o, coerced) for o in values]
    return out[0] if len(out) == 1 else out


def _value(o: Term, coerced: str | None) -> object:
    if type(o) is str or isinstance(o, BNode):
        return o if coerced == "@id" else {"@id": o}
    lexical, lang, datatype = o
    if coerced is not None:
        return lexical
    if lang:
        return {"@value": lexical, "@language": lang}
    if datatype is None or datatype == XSD_STRING:
        return lexical
    native = _native(o) if datatype in _NATIVE else None
    if native is not None:
        return native
    return {"@value": lexical, "@type": datatype}


_string = json.encoder.encode_basestring  # the C encoder, as json.dumps(ensure_ascii=False) uses


def _dumps(value: object, level: int) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2)` for a value nested `level` deep."""
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = "\n" + "  " * (level + 1)
        return "{" + inner + ("," + inner).join(
            f"{_string(k)}: {_dumps(v, level + 1)}" for k, v in value.items()) + "\n" + "  " * level + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        inner = "\n" + "  " * (level + 1)
        return "[" + inner + ("," + inner).join(_dumps(v, level + 1) for v in value) + "\n" + "  " * level + "]"
    return json.dumps(value)
