"""Plain RDF terms: an IRI is a `str`, a blank node a `BNode`, a literal a `Literal` tuple.

The core pipeline (sources -> build -> validate -> writers) runs on these instead of rdflib's
classes: they cost a tuple or a string to make, hash and compare in C, and keep rdflib (0.1 s to
import, several times the memory per triple) out of commands that do not need it. `convert.py`
converts to and from rdflib and Oxigraph at the edges.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Union

XSD_NS = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD_NS + "string"
XSD_INTEGER = XSD_NS + "integer"
XSD_DECIMAL = XSD_NS + "decimal"
XSD_DOUBLE = XSD_NS + "double"
XSD_BOOLEAN = XSD_NS + "boolean"
XSD_DATE = XSD_NS + "date"
XSD_DATETIME = XSD_NS + "dateTime"


class BNode(str):
    """A blank node, written `_:label` (no IRI starts with `_:`, so it never equals an IRI)."""

    __slots__ = ()

    def __new__(cls, label: str) -> "BNode":
        return str.__new__(cls, label if label.startswith("_:") else "_:" + label)


class Literal(tuple):
    """(lexical form, language tag or None, datatype IRI or None); built like rdflib's Literal.

    A Python bool, int, float, Decimal, datetime or date gets the XSD datatype and lexical form
    rdflib gives it, so code written against rdflib's `Literal(5)` reads the same here.
    """

    __slots__ = ()

    def __new__(cls, value: object, lang: str | None = None, datatype: str | None = None) -> "Literal":
        if isinstance(value, str):
            return tuple.__new__(cls, (value, lang, None if lang else datatype))
        lexical, natural = _python_literal(value)
        return tuple.__new__(cls, (lexical, None, datatype or natural))

    def __reduce__(self) -> tuple[object, tuple[type, tuple[str, str | None, str | None]]]:
        """Pickled as its three parts (the build cache keeps graphs), made again by `tuple.__new__`, in C:
        the parts are already what `__new__` made of them, and a graph entry unpickles ~300k literals."""
        return tuple.__new__, (Literal, tuple(self))  # type: ignore[return-value]

    @property
    def lexical(self) -> str:
        return self[0]

    @property
    def lang(self) -> str | None:
        return self[1]

    @property
    def datatype(self) -> str | None:
        return self[2]

    def __repr__(self) -> str:
        extra = f", lang={self[1]!r}" if self[1] else f", datatype={self[2]!r}" if self[2] else ""
        return f"Literal({self[0]!r}{extra})"


Term = Union[str, BNode, Literal]
Triple = tuple[str, str, Term]


def _python_literal(value: object) -> tuple[str, str]:
    if isinstance(value, bool):
        return ("true" if value else "false"), XSD_BOOLEAN
    if isinstance(value, int):
        return str(value), XSD_INTEGER
    if isinstance(value, float):
        return _FLOAT_SPECIAL.get(str(value), str(value)), XSD_DOUBLE
    if isinstance(value, Decimal):
        return str(value), XSD_DECIMAL
    if isinstance(value, datetime):
        return value.isoformat(), XSD_DATETIME
    if isinstance(value, date):
        return value.isoformat(), XSD_DATE
    raise TypeError(f"no RDF literal for {value!r}")


_FLOAT_SPECIAL = {"inf": "INF", "-inf": "-INF", "nan": "NaN"}  # Python's names are not XSD lexical forms


def canonical_decimal(value: Decimal) -> str:
    """XSD 1.1 canonical decimal, the form Oxigraph's store keeps: no exponent, no needless zeros,
    "3" for 3.0 (XSD 1.0's and rdflib's form is "3.0")."""
    return format((value or Decimal(0)).normalize(), "f")


class Namespace:
    """An open namespace: `NS.term` and `NS["term"]` are IRI strings (`str(NS)` is the namespace IRI).

    Not a `str` subclass, so terms such as `DCTERMS.title` or `DCTERMS.format` are not shadowed
    by string methods.
    """

    __slots__ = ("_base", "_terms")

    def __init__(self, base: str) -> None:
        self._base = base
        self._terms: dict[str, str] = {}  # each term made once: a million triples share one string, not a copy each

    def __getattr__(self, name: str) -> str:
        if name.startswith("__") or name == "_terms":  # `_terms` is unset only in a half-made copy
            raise AttributeError(name)
        term = self._terms.get(name)
        if term is None:
            term = self._terms[name] = self._term(name)
        return term

    def _term(self, name: str) -> str:
        return self._base + name

    def __getitem__(self, name: str) -> str:
        return self._base + name

    def __str__(self) -> str:
        return self._base

    def __repr__(self) -> str:
        return f"Namespace({self._base!r})"


class ClosedNamespace(Namespace):
    """A namespace with a fixed list of terms: a typo raises instead of minting a new IRI."""

    __slots__ = ("terms",)

    def __init__(self, base: str, terms: str) -> None:
        super().__init__(base)
        self.terms = tuple(terms.split())

    def _term(self, name: str) -> str:
        if name not in self.terms:
            raise AttributeError(f"{name!r} is not a term of the namespace {self._base}")
        return self._base + name

    def __getitem__(self, name: str) -> str:
        if name not in self.terms:
            raise KeyError(f"{name!r} is not a term of the namespace {self._base}")
        return self._base + name

    def __contains__(self, iri: object) -> bool:
        return isinstance(iri, str) and iri.startswith(self._base) and iri[len(self._base):] in self.terms

    def __repr__(self) -> str:
        return f"ClosedNamespace({self._base!r})"


# --- N-Triples ---------------------------------------------------------------------------------------

#: What a quoted string must escape: quote, backslash, line breaks, and the control characters some
#: readers mangle when they come raw (Raptor cuts a string at U+0000; tab stays raw, as rdflib writes it).
_ESCAPED = re.compile(r'[\\"\n\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match) -> str:
    c = match.group()
    return _ESCAPES.get(c) or f"\\u{ord(c):04X}"


def escape(text: str) -> str:
    """The body of a `"..."` string in N-Triples, Turtle and SPARQL: any text, read back exactly."""
    return _ESCAPED.sub(_escape, text) if _ESCAPED.search(text) else text


def nt(term: Term) -> str:
    """A term as N-Triples writes it (rdflib's escaping, plus control characters as `\\uXXXX`)."""
    if type(term) is str:
        return f"<{term}>"
    if isinstance(term, Literal):
        lexical, lang, datatype = term
        text = escape(lexical)
        if lang:
            return f'"{text}"@{lang}'
        if datatype:
            return f'"{text}"^^<{datatype}>'
        return f'"{text}"'
    if isinstance(term, BNode):
        return str(term)
    return f"<{term}>"


def n3(term: Term) -> str:
    """A term as rdflib's `n3()` writes it (long quotes for multi-line text); used as a sort key."""
    if isinstance(term, Literal):
        lexical, lang, datatype = term
        text = quote(lexical)
        if lang:
            return f"{text}@{lang}"
        return f"{text}^^<{datatype}>" if datatype else text
    return str(term) if isinstance(term, BNode) else f"<{term}>"


_LONG_ESCAPED = re.compile(r'[\\\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')
_QUOTES = re.compile(r'"{3,}|"+(?=\\)|"+\Z')


def quote(text: str) -> str:
    """A Turtle string: `"..."`, or `\"\"\"...\"\"\"` when it spans lines (rdflib's layout).

    In the long form a quote stays raw unless three come together, or quotes end the text (where
    they would run into the closing quotes) or come just before an escape: then each is escaped.
    The last rule is for Serd, which misreads an escape right after a raw quote (`"\\r` as `\\r`
    kept literally); the grammar allows it, but a dump should read back in every parser.
    """
    if "\n" not in text:
        return f'"{escape(text)}"'
    encoded = _LONG_ESCAPED.sub(_escape, text) if _LONG_ESCAPED.search(text) else text
    if '"' in encoded:
        encoded = _QUOTES.sub(lambda m: '\\"' * len(m.group()), encoded)
    return f'"""{encoded}"""'


# --- values and order ------------------------------------------------------------------------------

NUMERIC_TYPES = frozenset(XSD_NS + t for t in (
    "integer", "decimal", "double", "float", "byte", "int", "long", "negativeInteger", "nonNegativeInteger",
    "nonPositiveInteger", "positiveInteger", "short", "unsignedByte", "unsignedInt", "unsignedLong",
    "unsignedShort"))
INTEGER_TYPES = frozenset(t for t in NUMERIC_TYPES if not t.endswith(("decimal", "double", "float")))
_INTEGER = r"[+-]?[0-9]+\Z"
_DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z"
_DOUBLE = r"(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN)\Z"


def numeric_value(term: Term) -> int | Decimal | float | None:
    """The number a numeric literal stands for, or None (not numeric, or ill-formed)."""
    if not isinstance(term, Literal) or term[2] not in NUMERIC_TYPES:
        return None
    lexical, datatype = term[0].strip(), term[2]
    if datatype in INTEGER_TYPES:
        return int(lexical) if _compiled(_INTEGER).match(lexical) else None
    if datatype == XSD_DECIMAL:
        return Decimal(lexical) if _compiled(_DECIMAL).match(lexical) else None
    return float(lexical.replace("INF", "inf")) if _compiled(_DOUBLE).match(lexical) else None


@cache
def _compiled(pattern: str) -> re.Pattern:
    """Patterns compiled on first use (only validation needs them; `giigraph export` starts faster)."""
    return re.compile(pattern)


def sort_key(term: Term) -> tuple:
    """A total key that sorts terms as rdflib orders its nodes (blank nodes, IRIs, then literals).

    Literals: numbers first, by value (NaN among the others); the others by datatype (text with or without a language
    counts as xsd:string), language (none first), lexical form, and plain before typed.
    """
    if isinstance(term, Literal):
        number = numeric_value(term)
        if number is not None and number == number:  # NaN compares with nothing: it goes with the text
            return (3, 0, number, "", "", term[0], term[2] or "")
        lexical, lang, datatype = term
        return (3, 1, 0, datatype or XSD_STRING, lang or "", lexical, datatype or "")
    if isinstance(term, BNode):
        return (1, str(term))
    return (2, term)


# --- checks: what the writers refuse rather than write wrongly ------------------------------------

def check_iri(iri: str, what: str = "IRI") -> str:
    """`iri` if it is an absolute IRI (RFC 3987, checked by Oxigraph, as its parsers check what they read).

    Writers call it once per distinct IRI: an IRI that is not one would be read back as another
    term, or not at all."""
    import pyoxigraph as ox

    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        from .errors import InputError

        raise InputError(f"{what} {_shown(iri)} is not a valid absolute IRI (RFC 3987): {_printable(exc)}") from None
    return iri


def check_language(tag: str) -> str:
    """`tag` if it is a well-formed BCP 47 language tag (checked by Oxigraph), else InputError."""
    import pyoxigraph as ox

    try:
        ox.Literal("", language=tag)
    except ValueError as exc:
        from .errors import InputError

        raise InputError(f"language tag {_shown(tag)} is not a well-formed BCP 47 tag: {_printable(exc)}") from None
    return tag


_BNODE_LABEL = None


def check_bnode(node: BNode) -> BNode:
    """`node` if its label can be written in Turtle and N-Triples (`_:` then PN_CHARS), else InputError."""
    global _BNODE_LABEL
    if _BNODE_LABEL is None:
        _BNODE_LABEL = re.compile(f"_:[{PN_CHARS_U}0-9](?:[{PN_CHARS}.]*[{PN_CHARS}])?\\Z")
    if not _BNODE_LABEL.match(node):
        from .errors import InputError

        raise InputError(f"blank node label {_shown(node)} cannot be written in Turtle or N-Triples")
    return node


def _shown(text: str) -> str:
    """A value for a one-line message: quoted, control characters escaped, cut short."""
    return repr(text if len(text) <= 200 else text[:200] + "...")


def _printable(exc: Exception) -> str:
    """A parser's message on one line: characters that are not printable shown as escapes."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(exc))


#: Character classes of the Turtle grammar (prefixed names, blank node labels), for regular expressions.
PN_CHARS_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
                 "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
PN_CHARS_U = PN_CHARS_BASE + "_"
PN_CHARS = PN_CHARS_U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
