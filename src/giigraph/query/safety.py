r"""What may run: the one check every SPARQL text passes before any engine sees it.

Every path that executes SPARQL calls `checked` and runs the text it returns, never the text it was
given: `giigraph query` and the endpoint's workers (through `parse.parse_query`), the claim tests
stored in the data (`claims`, `build`), and SHACL-SPARQL (Oxigraph, or pyshacl's rdflib).

Why a check of its own, and not rdflib's parse: two parsers read our queries, and they disagree at
the edges of the grammar. Oxigraph ends a `#` comment at a carriage return, rdflib only at a line
feed, so `# c\r SERVICE <x> {...}` is a comment to rdflib and a SERVICE call to Oxigraph. rdflib
expands `\u` escapes before parsing (SPARQL 1.1; and greedily, `\u` with 8 digits), Oxigraph only
inside strings and IRIs. Oxigraph reads a keyword glued to a word (`trueSERVICE`, `SERVICE:x` with
no `SERVICE:` prefix) as two tokens. A check that trusts one parser is read past by the other.

So `checked` (1) rewrites the query into a text both parsers read alike, and that text is what
runs: code-point escapes expanded once, as SPARQL 1.1 says (refused if that leaves another escape a
parser would expand again); outside strings, control characters other than tab, line feed and CR LF,
and Unicode line separators refused (inside a string they are data to both). (2) Over that text, a small lexer of its own finds every SERVICE,
LOAD, update keyword and FROM, and refuses them. It errs one way only: text counts as code unless it
is certainly inside a comment, a string, an IRI, a variable or the local part of a prefixed
name, and keywords are found even inside longer words. A rare valid query is refused (an IRI with
an apostrophe, a prefix named like a keyword: `service:`); none that would fetch runs. The bypass corpus and
generated queries in tests/test_query_bypass.py hold it to this against a listener, through every
path.

The alternative, running rdflib's algebra re-serialised, was rejected: rdflib's algebra-to-text is
incomplete, so the engines would answer another query than the one asked.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from functools import lru_cache

from ..errors import QueryRefused

_UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_EIGHT_DIGIT_U = re.compile(r"\\u[0-9A-Fa-f]{8}")  # rdflib's reading of it differs from the standard's
_ANY_ESCAPE = re.compile(r"\\[uU][0-9A-Fa-f]{4}")  # what rdflib (case-insensitive, 4 or 8 digits) expands
_ODD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]|\r(?!\n)")

def _class(*ranges: tuple[int, int] | str) -> str:
    """A regex character class of `ranges` (pairs of code points, or single characters), written as
    the negation of its complement: Python's `re` compiles a class with large ranges in the BMP
    slowly (100 ms for the lexer below), its negation in 1 ms."""
    pairs = sorted((ord(r), ord(r)) if isinstance(r, str) else r for r in ranges)
    gaps, start = [], 0
    for low, high in pairs:
        if low > start:
            gaps.append((start, low - 1))
        start = max(start, high + 1)
    if start <= 0x10FFFF:
        gaps.append((start, 0x10FFFF))
    return "[^" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in gaps) + "]"


# SPARQL 1.1 terminals (§19.8), as far as they hide text from the keyword search.
_BASE = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x2FF), (0x370, 0x37D), (0x37F, 0x1FFF),
         (0x200C, 0x200D), (0x2070, 0x218F), (0x2C00, 0x2FEF), (0x3001, 0xD7FF), (0xF900, 0xFDCF),
         (0xFDF0, 0xFFFD), (0x10000, 0xEFFFF))  # PN_CHARS_BASE
_U = (*_BASE, "_")  # PN_CHARS_U
_NAME = (*_U, (0x30, 0x39), "\u00B7", (0x300, 0x36F), (0x203F, 0x2040))  # VARNAME's later characters
_CHARS = (*_NAME, "-")  # PN_CHARS
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = rf"{_class(*_BASE)}(?:{_class(*_CHARS, '.')}*{_class(*_CHARS)})?"
_TOKEN = re.compile(rf"""
    (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]{_class(*_U, (0x30, 0x39))}{_class(*_NAME)}*)
  | (?P<pname>(?P<prefix>(?:{_PN_PREFIX}|_)?):
               (?P<local>(?:{_class(*_U, ':', (0x30, 0x39))}|{_PLX})
                         (?:(?:{_class(*_CHARS, '.', ':')}|{_PLX})*(?:{_class(*_CHARS, ':')}|{_PLX}))?)?)
  | (?P<space>[ \t\r\n]+)
  | (?P<other>[A-Za-z0-9_]+|.)
""", re.VERBOSE | re.DOTALL)
_KEYWORD = re.compile(r"SERVICE|FROM|" + "|".join(_UPDATES), re.IGNORECASE)
_NEVER_FETCHES = "and giigraph never fetches remote data"


def checked(text: str, source: str = "the query", *, prefixes: Mapping[str, str] | None = None,
            graphs: Collection[str] | None = None) -> str:
    """The text an engine may run for `text`, or QueryRefused if it could reach outside the data.

    Refused: SERVICE anywhere, updates (LOAD, INSERT, ...), characters and escapes the parsers
    read differently, and, when `graphs` is given, FROM / FROM NAMED naming any other graph (None:
    the caller checks FROM itself, as `parse.check_local` does on rdflib's parse). `prefixes` are
    the ones the engine predeclares; they resolve `FROM p:x` (and `SERVICE p:x` in messages).
    """
    return _checked(text, source, tuple(sorted((prefixes or {}).items())),
                    None if graphs is None else frozenset(graphs))


@lru_cache(maxsize=1024)  # the same constraint runs once per focus node; clients repeat queries
def _checked(text: str, source: str, prefixes: tuple[tuple[str, str], ...], graphs: frozenset[str] | None) -> str:
    text = _expanded(text, source)
    tokens = [(m.lastgroup, m) for m in _TOKEN.finditer(text)]
    _refuse_odd_characters(text, tokens, source)
    declared = dict(prefixes) | _declarations(tokens)
    code = _code(text, tokens, source)
    operations = [(m.group().upper(), m.start()) for m in _KEYWORD.finditer(code)]
    for keyword, at in operations:
        if keyword == "SERVICE":
            target = _target(text, tokens, at + len(keyword), declared, skip="SILENT")
            raise QueryRefused(f"refused: SERVICE {target or 'at ' + _where(text, at)} in {source} would send a query "
                               f"to another endpoint, {_NEVER_FETCHES}; query the dataset only")
    updates = [keyword + _data_or_where(code, at + len(keyword)) for keyword, at in operations if keyword in _UPDATES]
    if updates:
        loads = [_target(text, tokens, at + 4, declared, skip="SILENT") for k, at in operations if k == "LOAD"]
        detail = f", and LOAD {loads[0]} would fetch remote data: giigraph never fetches remote data" if loads else ""
        raise QueryRefused(f"refused: {source} is a SPARQL Update ({', '.join(dict.fromkeys(updates))}), "
                           f"not a query; giigraph is read-only{detail}")
    if graphs is not None:
        for keyword, at in operations:  # only FROM is left
            named = re.match(r"\s*NAMED", code[at + 4:], re.IGNORECASE)
            target = _target(text, tokens, at + 4, declared, skip="NAMED")
            if target is None or target[1:-1] not in graphs:
                raise remote_graph("FROM NAMED" if named else "FROM", target or "at " + _where(text, at), f" in {source}")
    return text


def _data_or_where(code: str, after: int) -> str:
    """` DATA` / ` WHERE` when that word follows INSERT or DELETE, to name the operation."""
    word = re.match(r"\s*(DATA|WHERE)(?![A-Za-z])", code[after:], re.IGNORECASE)
    return f" {word.group(1).upper()}" if word else ""


def prefix_declaration(prefix: str, namespace: str, source: str) -> str:
    """`PREFIX prefix: <namespace>` for a SHACL sh:declare, refused unless each part is one token:
    pyshacl pastes them in front of the query, where a namespace holding `> SERVICE <...` would run."""
    if not re.fullmatch(f"(?:{_PN_PREFIX})?", prefix) \
            or not re.fullmatch(r'[^<>"{}|^`\\\x00-\x20]*', namespace):
        raise QueryRefused(f"refused: {source} declares the prefix {prefix!r} as {namespace!r}, "
                           "which is not a SPARQL prefix name and an IRI")
    return f"PREFIX {prefix}: <{namespace}>\n"


def remote_graph(keyword: str, target: str, where: str) -> QueryRefused:
    """The refusal of a graph IRI outside the dataset (FROM, or the protocol's graph parameters)."""
    return QueryRefused(f"refused: {keyword} {target}{where} names no graph of the dataset, {_NEVER_FETCHES}; "
                        "use one of the dataset's graphs (SELECT DISTINCT ?g WHERE { GRAPH ?g {} } lists them)")


def _expanded(text: str, source: str) -> str:
    """`text` with its code-point escapes expanded (SPARQL 1.1 §19.2), refused if that spells another."""
    def expand(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryRefused(f"refused: {match.group()} at {_where(text, match.start())} in {source} is not "
                               "a Unicode character")
        return chr(code)

    if ambiguous := _EIGHT_DIGIT_U.search(text):
        raise QueryRefused(f"refused: {ambiguous.group()} at {_where(text, ambiguous.start())} in {source}: "
                           "SPARQL reads \\u with 4 hex digits, rdflib with 8; write \\U and 8 digits, or the "
                           "character itself")
    expanded = _ESCAPE.sub(expand, text)
    if again := _ANY_ESCAPE.search(expanded):
        raise QueryRefused(f"refused: {source} spells an escape ({again.group()}) with escapes; SPARQL "
                           "parsers differ on whether to expand it again: write the character itself")
    return expanded


def _refuse_odd_characters(text: str, tokens: list[tuple[str | None, re.Match]], source: str) -> None:
    """Refuse, outside strings, the characters parsers read differently as line ends or spaces
    (control characters but tab, LF and CR LF; U+2028, U+2029); surrogates anywhere."""
    strings = [(m.start(), m.end()) for kind, m in tokens if kind == "string"]
    for match in _ODD.finditer(text):
        at, char = match.start(), match.group()
        if "\ud800" <= char <= "\udfff" or not any(start < at < end for start, end in strings):
            name = f" ({unicodedata.name(char).lower()})" if unicodedata.name(char, "") else ""
            hint = "end lines with LF or CR LF" if char == "\r" else "write it as an escape inside a string"
            raise QueryRefused(f"refused: {source} holds U+{ord(char):04X}{name} at {_where(text, at)}, outside "
                               f"a string, which SPARQL parsers read differently; {hint}")


def _declarations(tokens: list[tuple[str | None, re.Match]]) -> dict[str, str]:
    """PREFIX declarations of the text, `PREFIX p: <ns>` as consecutive tokens (to name IRIs only)."""
    words = [(kind, m) for kind, m in tokens if kind not in ("space", "comment")]
    declared = {}
    for (kind, first), (name_kind, name), (iri_kind, iri) in zip(words, words[1:], words[2:]):
        if (kind, first.group().upper(), name_kind, iri_kind) == ("other", "PREFIX", "pname", "iri") \
                and not name.group("local"):
            declared[name.group("prefix")] = iri.group()[1:-1]
    return declared


def _code(text: str, tokens: list[tuple[str | None, re.Match]], source: str) -> str:
    """`text` with what is certainly no keyword blanked out, positions kept: comments, strings, IRIs,
    variables and the local part of prefixed names. A prefix stays: Oxigraph reads `SERVICE:x` as
    SERVICE and `:x`, even with a `SERVICE:` prefix declared."""
    out = list(text)
    for kind, m in tokens:
        if kind == "pname":
            start = m.start("local")
        elif kind in ("comment", "string", "iri", "var"):
            start = m.start()
        else:
            continue
        if kind == "iri" and "'" in m.group():
            raise QueryRefused(f"refused: the IRI {m.group()} at {_where(text, m.start())} in {source} holds an apostrophe, "
                               "which SPARQL parsers may read as the start of a string; write it as %27")
        if start >= 0:
            out[start:m.end()] = " " * (m.end() - start)
    return "".join(out)


def _target(text: str, tokens: list[tuple[str | None, re.Match]], after: int, declared: Mapping[str, str],
            skip: str) -> str | None:
    """The IRI (as <...>) or variable a keyword ending at `after` names, skipping SILENT / NAMED."""
    following = [(kind, m) for kind, m in tokens if m.start() >= after and kind not in ("space", "comment")]
    if following and following[0][0] == "other" and following[0][1].group().upper() == skip:
        following = following[1:]
    if not following:
        return None
    kind, m = following[0]
    if kind == "iri":
        return m.group()
    if kind == "var":
        return m.group()
    if kind == "pname" and m.group("prefix") in declared:
        return f"<{declared[m.group('prefix')]}{_unescape_local(m.group('local') or '')}>"
    return None


def _unescape_local(local: str) -> str:
    return re.sub(r"\\(.)", r"\1", local)


def _where(text: str, at: int) -> str:
    line = text.count("\n", 0, at) + 1
    return f"line {line}, column {at - (text.rfind(chr(10), 0, at) + 1) + 1}"
