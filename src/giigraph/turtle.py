"""Turtle and TriG, written in one linear pass, byte for byte as rdflib's serializers lay them out.

The published dumps were first written by rdflib; readers (and diffs between releases) rely on
that layout, so this writer keeps it exactly: used prefixes only, sorted; subjects by how often
they are referenced, then by IRI; `rdf:type` first, then `rdfs:label`, then the other predicates
by IRI; objects in rdflib's term order; numbers and booleans bare. It differs from rdflib only in
speed (a dictionary pass instead of a store query per subject) and in that TriG's graphs come in
IRI order, where rdflib's order changed with PYTHONHASHSEED. A test compares both on the article
and on a synthetic corpus. Blank nodes are written as labels, never nested (published data has none).

Where rdflib changes a value it writes, this writer keeps it exactly: a number or boolean is
written bare only when its lexical form is already the Turtle token for its datatype (`"1"^^xsd:boolean`,
`"2.5"^^xsd:double` and `"1"^^xsd:decimal` stay quoted), a prefixed name only when it is valid
Turtle, a prefix only for a namespace that is an IRI; IRIs and language tags that are not valid
are refused (`terms.check_iri`). Every other layout decision is rdflib's.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from unicodedata import category

from .quads import Index, Quads, index
from .terms import (
    PN_CHARS, PN_CHARS_BASE, PN_CHARS_U, BNode, Literal, Term, Triple, check_bnode, check_iri, check_language, quote,
    sort_key,
)

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_CLASS = "http://www.w3.org/2000/01/rdf-schema#Class"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: The Turtle token of each datatype written bare: its lexical form reads back unchanged only if it matches.
_BARE = {XSD + "integer": re.compile(r"[+-]?[0-9]+\Z"),
         XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+\Z"),
         XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+\Z"),
         XSD + "boolean": re.compile(r"(?:true|false)\Z")}
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = re.compile(f"(?:[{PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{PN_CHARS}.:]|{_PLX})*(?:[{PN_CHARS}:]|{_PLX}))?\\Z")
_PN_PREFIX = re.compile(f"[{PN_CHARS_BASE}](?:[{PN_CHARS}.]*[{PN_CHARS}])?\\Z")
_NAME_CATEGORIES = {"Ll", "Lu", "Lo", "Lt", "Nl", "Mc", "Me", "Mn", "Lm", "Nd"}
_SPLIT_START = {"Ll", "Lu", "Lo", "Lt", "Nl", "Nd"}
_NAME_CHARS = {"\u00B7", "\u0387", "-", ".", "_", "%", "(", ")"}
_ASCII_NAME = "".join(sorted(set("-._%()0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")))
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_XMLNS = "http://www.w3.org/XML/1998/namespace"


def split_iri(iri: str) -> tuple[str, str] | None:
    """(namespace, local name) where rdflib splits an IRI for a prefixed name, or None.

    The local name is the longest tail of name characters that starts with a letter, digit or `_`.
    """
    if iri.startswith(_XMLNS):
        return _XMLNS, iri.split(_XMLNS)[1]
    if iri.isascii():  # the common case, with string methods instead of a loop over characters
        cut = len(iri.rstrip(_ASCII_NAME))
        local = iri[cut:].lstrip("-.%()")
        return (iri[:len(iri) - len(local)], local) if cut and local else None
    length = len(iri)
    for i in range(length):
        c = iri[-i - 1]
        if category(c) not in _NAME_CATEGORIES:
            if c in _NAME_CHARS:
                continue
            for j in range(-1 - i, length):
                if category(iri[j]) in _SPLIT_START or iri[j] == "_":
                    if not iri[:j]:
                        break
                    return iri[:j], iri[j:]
            break
    return None


class Names:
    """How IRIs are written (prefixed where rdflib would), each worked out once; the prefixes used.

    Every IRI is checked (`check_iri`) the first time it is named, each language tag the first
    time it is seen."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.by_namespace = {ns: p for p, ns in prefixes.items() if usable_prefix(p, ns)}
        self.used: dict[str, str] = {}
        self.labels: dict[str, str] = {}  # an IRI as subject or object
        self.verbs: dict[str, str] = {RDF_TYPE: "a"}  # an IRI as predicate (may mint a prefix)
        self.languages: set[str] = set()
        #: By `scan`: how many triples use each predicate, and each datatype (on their object), and
        #: each subject's triples, in the order of the index scanned.
        self.counted: tuple[dict[str, int], dict[str, int], list[int]] = ({}, {}, [])

    def iri(self, iri: str) -> str:
        label = self.labels.get(iri)
        if label is None:
            label = self.labels[iri] = self.pname(check_iri(iri)) or f"<{iri}>"
        return label

    def verb(self, iri: str) -> str:
        label = self.verbs.get(iri)
        if label is None:
            label = self.verbs[iri] = self.pname(check_iri(iri), True) or f"<{iri}>"
        return label

    def pname(self, iri: str, generate: bool = False) -> str | None:
        """`prefix:local` as rdflib's Turtle writer forms it, or None where it writes `<iri>` (also
        where rdflib's name would not be valid Turtle)."""
        split = split_iri(iri)
        prefix = self.by_namespace.get(split[0]) if split else None
        if prefix is None and split and generate and _is_iri(split[0]):
            n = 1
            while f"ns{n}" in self.by_namespace.values():
                n += 1
            prefix = self.by_namespace[split[0]] = f"ns{n}"
        if prefix is None:
            prefix = self.by_namespace.get(iri)  # the IRI is a namespace itself
            if prefix is None:
                return None
            namespace, local = iri, ""
        else:
            namespace, local = split  # type: ignore[misc]
        if "(" in local or ")" in local or "%" in local:
            local = _LONE_PERCENT.sub("\\%", local.replace("(", r"\(").replace(")", r"\)"))
        if local and not _PN_LOCAL.match(local):
            return None
        self.used[prefix] = namespace
        return f"{prefix}:{local}"

    def scan(self, subjects: Index) -> dict[Term, int]:
        """Work out every name of a graph and note its prefixes, as rdflib does before writing;
        return how often each node is an object (rdflib orders subjects by it). Prefixes are
        minted for predicates in IRI order, so the same graph gets the same names on every run.
        How many triples use each predicate and each datatype, and each subject's triples, are kept
        (`counted`): what a Turtle layout counts prefixes from (`turtlesplice`), taken on the way."""
        labels, verbs, iri = self.labels, self.verbs, self.iri
        references: dict[Term, int] = {}
        predicates: dict[str, int] = {}
        datatypes: dict[str, int] = {}
        sizes: list[int] = []
        for s, props in subjects.items():
            if type(s) is str and s not in labels:
                iri(s)
            size = 0
            for p, objects in props.items():
                size += len(objects)
                predicates[p] = predicates.get(p, 0) + len(objects)
                for o in objects:
                    if type(o) is str:
                        references[o] = references.get(o, 0) + 1
                        if o not in labels:
                            iri(o)
                    elif isinstance(o, Literal):
                        if o[2]:
                            datatypes[o[2]] = datatypes.get(o[2], 0) + 1
                            if o[2] not in labels:
                                iri(o[2])
                        elif o[1] and o[1] not in self.languages:
                            self.languages.add(check_language(o[1]))
                    else:
                        references[o] = references.get(o, 0) + 1
            sizes.append(size)
        for p in sorted(predicates.keys() - verbs.keys()):
            self.verb(p)
        self.counted = predicates, datatypes, sizes
        return references

    def header(self) -> str:
        return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(self.used.items()))

    # --- labels ------------------------------------------------------------------------------------
    def node(self, term: Term) -> str:
        if type(term) is str:
            return self.labels.get(term) or self.iri(term)
        if isinstance(term, Literal):
            return self.literal(term)
        if isinstance(term, BNode):
            return check_bnode(term)
        return self.iri(str(term))

    def graph(self, name: str) -> str:
        """A graph's label in TriG (an IRI in full, as rdflib writes it, or a blank node)."""
        return check_bnode(name) if isinstance(name, BNode) else f"<{check_iri(name, 'graph name')}>"

    def literal(self, term: Literal) -> str:
        lexical, lang, datatype = term
        bare = _BARE.get(datatype)  # type: ignore[arg-type]
        if bare is not None and bare.match(lexical):
            return lexical
        encoded = quote(lexical)
        if lang:
            if lang not in self.languages:
                self.languages.add(check_language(lang))
            return f"{encoded}@{lang}"
        if datatype:
            return f"{encoded}^^{self.iri(datatype)}"
        return encoded


def usable_prefix(prefix: str, namespace: str) -> bool:
    """Whether `@prefix prefix: <namespace>` is valid Turtle (else the prefix is not used)."""
    return (not prefix or _PN_PREFIX.match(prefix) is not None) and _is_iri(namespace)


def _is_iri(namespace: str) -> bool:
    from .errors import InputError

    try:
        check_iri(namespace)
    except InputError:
        return False
    return True


# --- documents ---------------------------------------------------------------------------------------

def _order(subjects: Index, references: dict[Term, int]) -> list[Term]:
    """rdflib's subject order: instances of rdfs:Class first, then (is blank, references, IRI)."""
    top = sorted(s for s, props in subjects.items() if RDFS_CLASS in props.get(RDF_TYPE, ()))
    done = set(top)
    get = references.get
    rest = sorted((isinstance(s, BNode), get(s, 0), s) for s in subjects if s not in done)
    return top + [s for _, _, s in rest]


def _statements(names: Names, subjects: Index, order: list[Term], depth: int,
                kept: dict[Term, str] | None = None) -> Iterator[str]:
    """Each subject's statement, in `order`; those in `kept` as written there."""
    indent = "    " * depth
    more = ";\n" + "    " * (depth + 1)
    many = ",\n" + "    " * (depth + 2)
    node, labels, verbs = names.node, names.labels, names.verbs
    kept = kept or {}
    for s in order:
        text = kept.get(s)
        if text is not None:
            yield text
            continue
        props = subjects[s]
        if len(props) > 1:
            predicates = sorted(props)
            if RDFS_LABEL in props:
                predicates.remove(RDFS_LABEL)
                predicates.insert(0, RDFS_LABEL)
            if RDF_TYPE in props:
                predicates.remove(RDF_TYPE)
                predicates.insert(0, RDF_TYPE)
        else:
            predicates = list(props)
        parts = []
        for p in predicates:
            objects = props[p]
            if len(objects) > 1:
                objects = sorted(objects, key=sort_key)
                parts.append(verbs[p] + " " + many.join([labels.get(o) or node(o) for o in objects]))  # type: ignore[arg-type]
            else:
                o = objects[0]
                parts.append(verbs[p] + " " + (labels.get(o) or node(o)))  # type: ignore[arg-type]
        yield f"\n{indent}{node(s)} " + (" " + more).join(parts) + " .\n"


#: A graph's names, worked out by `Names.scan`, and how often each node is an object.
Scanned = tuple["Names", dict[Term, int]]
#: What a graph's piece of a dump is, from where it is kept: (graph, kind, make, variant) -> piece.
Made = Callable[[str, str, Callable[[], str], bytes], str]


def scanned(quads: Quads) -> Scanned:
    """The names of a dataset's union, worked out once for its Turtle and its TriG (writing either
    adds no name, so they share it)."""
    def make() -> Scanned:
        names = Names(quads.prefixes)
        return names, names.scan(quads.by_subject())
    return quads.shared("turtle names", make)  # type: ignore[return-value]


def turtle(subjects: Index, prefixes: dict[str, str], names: Scanned | None = None,
           kept: dict[Term, str] | None = None, order: list[Term] | None = None) -> Iterator[str]:
    """A graph (indexed by subject, see `quads.index`) as Turtle, in chunks of text: the header, each
    subject's statement, a last line feed. `names`: its names scanned already (`scanned`), else they
    are worked out here; `kept`: statements of some subjects written already with these names
    (`kept_statements`); `order`: the subjects' order (`_order`) worked out already."""
    if names is None:
        fresh = Names(prefixes)
        names = fresh, fresh.scan(subjects)
    named, references = names
    yield named.header()
    yield from _statements(named, subjects, order if order is not None else _order(subjects, references), 0, kept)
    yield "\n"


def kept_statements(quads: Quads, names: Names) -> dict[Term, str]:
    """The Turtle statements of the subjects that one graph alone describes, as `quads.kept` holds them
    (`Quads.kept_by_subject`): a statement reads only its subject's triples and the names."""
    def make(subjects: Index) -> dict[Term, str]:
        order = list(subjects)
        return dict(zip(order, _statements(names, subjects, order, 0), strict=True))
    return quads.kept_by_subject("turtle", make, _prefixes_key(names))


def _prefixes_key(names: Names) -> bytes:
    """The namespaces' prefixes (complete once the union is scanned): with a graph, what its text is made of."""
    return repr(sorted(names.by_namespace.items())).encode()


def trig(graphs: dict[str, Iterable[Triple]], names: Names, made: Made | None = None) -> Iterator[str]:
    """Named graphs as TriG, in chunks of text: the header, then each graph's block (`trig_order`),
    after a blank line from the second on.

    Each graph is laid out as its own Turtle document, indented in a `<graph> { ... }` block; the
    prefixes of all graphs head the file. `names` were worked out once, on the graphs' union
    (`scanned`); each graph is then indexed and written in turn, so only one graph's index is held.
    """
    yield trig_header(names)
    for i, g in enumerate(trig_order(graphs)):
        yield ("\n" if i else "") + trig_block(g, graphs[g], names, made)


def trig_order(graphs: dict[str, Iterable[Triple]]) -> list[str]:
    """The graphs in the order TriG writes them: the default graph, then each named graph in IRI order."""
    return ([""] if graphs.get("") else []) + sorted(g for g, triples in graphs.items() if g and triples)


def trig_header(names: Names) -> str:
    """TriG's head: the used prefixes, sorted, and a blank line."""
    return "\n".join(sorted(names.header().splitlines())) + "\n\n"


def trig_block(g: str, triples: Iterable[Triple], names: Names, made: Made | None = None) -> str:
    """Graph `g` as a TriG block. It is the same text whenever the graph and the namespaces' prefixes
    are: `made` (e.g. `Quads.made`, the build cache) may hold its statements."""
    def statements() -> str:
        subjects = index(triples)
        references: dict[Term, int] = {}
        for props in subjects.values():
            for objects in props.values():
                for o in objects:
                    if not isinstance(o, Literal):
                        references[o] = references.get(o, 0) + 1
        return "".join(_statements(names, subjects, _order(subjects, references), 1))

    text = made(g, "trig", statements, _prefixes_key(names)) if made is not None else statements()
    return (names.graph(g) + " {" if g else "{") + text + "}\n"
