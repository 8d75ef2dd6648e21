"""Content negotiation (RFC 9110 §12.5.1): the one function every route uses to pick a media type.

Documents, dumps, the ontology and SPARQL results all call `negotiate()` with their own table of
offers, in the server's order of preference: that order breaks ties, so curl's `*/*` gets the
first offer (Turtle for documents) while a browser, which names `text/html`, gets HTML.
Media-type parameters (`charset`, a JSON-LD `profile`) make a range more specific but do not stop
it matching: we serve one variant per type.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from ..errors import InputError, NotAcceptable

T = TypeVar("T")

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_PARAM = rf"\s*;\s*({_TOKEN})\s*=\s*({_TOKEN}|\"(?:[^\"\\]|\\.)*\")"
_RANGE = re.compile(rf"\s*({_TOKEN})/({_TOKEN})((?:{_PARAM})*)\s*")
_PARAMS = re.compile(_PARAM)
_QVALUE = re.compile(r"(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header."""

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    q: float

    @property
    def specificity(self) -> tuple[int, int]:
        """`*/*` < `type/*` < `type/subtype` < `type/subtype;param`."""
        level = 0 if self.type == "*" else 1 if self.subtype == "*" else 2
        return level, len(self.params)

    def matches(self, media_type: str) -> bool:
        kind, _, sub = media_type.partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)


ANY = MediaRange("*", "*", (), 1.0)


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header; a missing or empty one accepts anything. Raises InputError."""
    if header is None or not header.strip():
        return [ANY]
    ranges, pos = [], 0
    while pos < len(header):
        if header[pos] in ", \t":
            pos += 1  # RFC 9110 §5.6.1: empty list elements and whitespace are allowed
            continue
        match = _RANGE.match(header, pos)
        if not match or (match.end() < len(header) and header[match.end()] != ","):
            bad = header[pos:].split(",")[0].strip()
            raise InputError(f"malformed Accept header {header!r}: {bad!r} is not a media range")
        ranges.append(_parse_range(match, header))
        pos = match.end()
    return ranges or [ANY]


def _parse_range(match: re.Match, header: str) -> MediaRange:
    kind, sub = match.group(1).lower(), match.group(2).lower()
    if kind == "*" and sub != "*":
        raise InputError(f"malformed Accept header {header!r}: {kind}/{sub} is not a media range")
    params, q = [], 1.0
    for name, value in _PARAMS.findall(match.group(3)):
        if name.lower() == "q":
            if not _QVALUE.match(value):
                raise InputError(f"malformed Accept header {header!r}: q={value} is not a weight in 0..1")
            q = float(value)
            break  # parameters after the weight are extensions, not part of the range
        params.append((name.lower(), value))
    return MediaRange(kind, sub, tuple(params), q)


def negotiate(header: str | None, offers: Mapping[str, T]) -> tuple[str, T]:
    """Pick the offer (media type -> value) the client prefers; ties go to the earlier offer.

    Each offer takes the weight of the most specific range that matches it; weight 0 excludes
    it. Raises InputError on a malformed header and NotAcceptable (with the list) if nothing fits.

    >>> negotiate("text/html,*/*;q=0.8", {"text/turtle": "ttl", "text/html": "html"})
    ('text/html', 'html')
    >>> negotiate("*/*", {"text/turtle": "ttl", "text/html": "html"})
    ('text/turtle', 'ttl')
    """
    ranges = parse_accept(header)
    best: tuple[float, str] | None = None
    for media_type in offers:
        matching = [r for r in ranges if r.matches(media_type)]
        if not matching:
            continue
        top = max(r.specificity for r in matching)
        q = max(r.q for r in matching if r.specificity == top)
        if q > 0 and (best is None or q > best[0]):
            best = (q, media_type)
    if best is None:
        raise NotAcceptable(list(dict.fromkeys(offers)))
    return best[1], offers[best[1]]
