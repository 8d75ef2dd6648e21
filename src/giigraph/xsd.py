"""The XSD datatypes RDF uses (XML Schema 1.1 Part 2): which lexical forms are well-formed, and the
values literals stand for where they are ordered, on plain terms.

SHACL's `sh:datatype` needs the first (a literal of a recognised datatype must be in its lexical
space, in range for the bounded integers, a real day of the calendar for dates), its
`sh:minInclusive` & co. the second, with SPARQL's operators: numbers by value across numeric types,
dates and times on the time line (with and without timezone by XSD 1.1's partial order), booleans
false < true, strings by code point. What is not implemented exactly here (durations, times of day,
the g* types, years outside 1..9999) raises `Unordered`: the caller must not guess. Datatypes outside `RECOGNISED` are not checked here.
"""
from __future__ import annotations

import re
from functools import lru_cache
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from .terms import XSD_NS, Literal

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

#: Integer types and their value ranges (None: unbounded).
_INTEGERS = {
    "integer": (None, None), "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1),
    "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1), "short": (-2**15, 2**15 - 1), "byte": (-128, 127),
    "nonNegativeInteger": (0, None), "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 255), "positiveInteger": (1, None),
}
_TZ = r"(Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_YEAR = r"(-?(?:[1-9][0-9]{4,}|[0-9]{4}))"
_TIME = r"([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9](?:\.[0-9]+)?)|(24):(00):(00(?:\.0+)?)"
_DURATION = r"-?P(?=[0-9T])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?"
_PATTERNS = {
    "boolean": r"true|false|1|0",
    "decimal": r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)",
    "float": r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN",
    "double": r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN",
    "dateTime": _YEAR + r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T(?:" + _TIME + ")" + _TZ,
    "dateTimeStamp": _YEAR + r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T(?:" + _TIME + ")" + _TZ[:-1],
    "date": _YEAR + r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])" + _TZ,
    "time": r"(?:" + _TIME + ")" + _TZ,
    "gYear": _YEAR + _TZ,
    "gYearMonth": _YEAR + r"-(0[1-9]|1[0-2])" + _TZ,
    "gMonth": r"--(0[1-9]|1[0-2])" + _TZ,
    "gDay": r"---(0[1-9]|[12][0-9]|3[01])" + _TZ,
    "gMonthDay": r"--(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])" + _TZ,
    "duration": _DURATION,
    "dayTimeDuration": r"-?P(?=[0-9T])(?:[0-9]+D)?(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?",
    "yearMonthDuration": r"-?P(?=[0-9])(?:[0-9]+Y)?(?:[0-9]+M)?",
    "hexBinary": r"(?:[0-9a-fA-F]{2})*",
    "base64Binary": r"(?:(?:[A-Za-z0-9+/] ?){4})*(?:(?:[A-Za-z0-9+/] ?){3}[A-Za-z0-9+/]|(?:[A-Za-z0-9+/] ?){2}"
                    r"[AEIMQUYcgkosw048] ?=|[A-Za-z0-9+/] ?[AQgw] ?= ?=)?",
    "language": r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*",
    "normalizedString": r"[^\t\n\r]*",
    "token": r"(?:[^\s](?:[^\t\n\r ]| (?! ))*[^\s]|[^\s])?",
    "string": r"(?s:.)*", "anyURI": r"(?s:.)*",
}
_COMPILED: dict[str, re.Pattern] = {}
RECOGNISED = frozenset({XSD_NS + name for name in (*_INTEGERS, *_PATTERNS)} | {RDF_NS + "langString"})


class Unordered(Exception):
    """Two literals SPARQL orders only partially (or not at all here): the answer would be a guess."""


def _match(name: str, lexical: str) -> re.Match | None:
    pattern = _COMPILED.get(name)
    if pattern is None:
        pattern = _COMPILED[name] = re.compile(_PATTERNS.get(name, r"[+-]?[0-9]+"))
    return pattern.fullmatch(lexical)


def is_recognised(datatype: str | None) -> bool:
    return datatype is None or datatype in RECOGNISED


@lru_cache(maxsize=1 << 16)  # data repeats its literals (ranks, counts, dates): judged once each
def is_well_formed(term: Literal) -> bool:
    """Whether a literal is in its datatype's lexical space (and value space: ranges, calendar).
    Datatypes not recognised here count as well-formed, as SHACL says of unknown datatypes."""
    lexical, lang, datatype = term
    if datatype == RDF_NS + "langString":
        return bool(lang)
    if datatype is None or not datatype.startswith(XSD_NS):
        return True
    name = datatype[len(XSD_NS):]
    if name in _INTEGERS:
        if not _match(name, lexical):
            return False
        low, high = _INTEGERS[name]
        number = int(lexical)
        return (low is None or number >= low) and (high is None or number <= high)
    if name not in _PATTERNS:
        return True
    match = _match(name, lexical)
    if match is None:
        return False
    if name in ("dateTime", "dateTimeStamp", "date", "gYearMonth", "gMonthDay"):
        return _real_day(name, match.groups())
    return True


def _real_day(name: str, groups: tuple) -> bool:
    if name == "gMonthDay":
        return int(groups[1]) <= (29 if groups[0] == "02" else _days(2000, int(groups[0])))
    if name == "gYearMonth":
        return True
    year, month, day = int(groups[0]), int(groups[1]), int(groups[2])
    return day <= _days(year, month)


def _days(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


@lru_cache(maxsize=1 << 16)
def value(term: Literal) -> tuple[str, object] | None:
    """(kind, value) for comparing: kind is "number", "boolean", "string", "dateTime", or "<datatype>"
    for a datatype unknown here (`order` raises `Unordered` on two of them); None if the literal is
    ill-formed or of a type SPARQL does not order. Raises `Unordered` for what is not implemented
    exactly (durations, times of day, the g* types)."""
    lexical, lang, datatype = term
    if lang:
        return None
    if datatype is None or datatype == XSD_NS + "string":
        return ("string", lexical)
    if not datatype.startswith(XSD_NS):
        return None if datatype in RECOGNISED else ("<" + datatype + ">", lexical)  # ordered by no one here
    if not is_well_formed(term):
        return None
    name = datatype[len(XSD_NS):]
    if name in _INTEGERS:
        return ("number", int(lexical))
    if name == "decimal":
        try:
            return ("number", Decimal(lexical))
        except InvalidOperation:
            return None
    if name in ("float", "double"):
        return ("number", float(lexical.replace("INF", "inf")))
    if name == "boolean":
        return ("boolean", lexical in ("true", "1"))
    if name in ("dateTime", "dateTimeStamp", "date"):
        return ("dateTime", _instant(name, _match(name, lexical).groups()))  # type: ignore[union-attr]
    if name in ("normalizedString", "token", "language", "anyURI"):
        return None  # SPARQL orders xsd:string and simple literals only
    if "Duration" in name or name == "duration":
        raise Unordered(f"xsd:{name} is only partially ordered")
    raise Unordered(f"no exact order implemented for xsd:{name}")


def _instant(name: str, groups: tuple) -> tuple[bool, datetime]:
    """(has a timezone, the instant in UTC or as written) of an xsd:date or xsd:dateTime."""
    year, month, day = int(groups[0]), int(groups[1]), int(groups[2])
    if not 1 <= year <= 9999:
        raise Unordered("years outside 1..9999 are not compared here")
    if name == "date":
        hour = minute = 0
        second, zone = Decimal(0), groups[3]
    else:
        if groups[3] is not None:
            hour, minute, second = int(groups[3]), int(groups[4]), Decimal(groups[5])
        else:
            hour, minute, second = 24, 0, Decimal(0)
        zone = groups[9]
    moment = datetime.combine(date(year, month, day), datetime.min.time()) + timedelta(
        hours=hour, minutes=minute, seconds=float(second))
    if zone is None:
        return (False, moment)
    offset = timedelta(0) if zone == "Z" else (1 if zone[0] == "+" else -1) * timedelta(
        hours=int(zone[1:3]), minutes=int(zone[4:6]))
    return (True, (moment - offset).replace(tzinfo=timezone.utc))


def compare(a: Literal, b: Literal) -> int | None:
    """-1, 0 or 1 as SPARQL's < and = order the two literals; None where SPARQL raises a type error
    (different kinds, ill-formed, language-tagged); `Unordered` where only a partial order exists."""
    return order(value(a), value(b))


def order(left: tuple[str, object] | None, right: tuple[str, object] | None) -> int | None:
    """`compare` on two results of `value` (a bound's value is then computed once)."""
    if left is None or right is None or left[0] != right[0]:
        return None
    x, y = left[1], right[1]
    if type(x) is int and type(y) is int:
        return (x > y) - (x < y)
    if left[0][0] == "<":
        raise Unordered(f"no order known for datatype {left[0]}")
    if left[0] == "number":
        if isinstance(x, float) or isinstance(y, float):
            x, y = float(x), float(y)  # type: ignore[arg-type]
            if x != x or y != y:
                return None  # NaN: every comparison is false
        elif isinstance(x, Decimal) or isinstance(y, Decimal):
            x, y = Decimal(x), Decimal(y)  # type: ignore[arg-type]
    elif left[0] == "dateTime":
        if x[0] != y[0]:  # type: ignore[index]
            return _zoned_against_local(x[1], y[1]) if x[0] else _negate(_zoned_against_local(y[1], x[1]))  # type: ignore[index]
        x, y = x[1], y[1]  # type: ignore[index]
    return (x > y) - (x < y)  # type: ignore[operator]


_FOURTEEN_HOURS = timedelta(hours=14)


def _zoned_against_local(zoned: datetime, local: datetime) -> int | None:
    """XSD 1.1's partial order (Part 2, D.2.1): a time without timezone lies anywhere from -14:00 to
    +14:00; what falls inside that window is incomparable (None), as the W3C SHACL suite expects."""
    instant = zoned.replace(tzinfo=None)
    if instant < local - _FOURTEEN_HOURS:
        return -1
    if instant > local + _FOURTEEN_HOURS:
        return 1
    return None


def _negate(order: int | None) -> int | None:
    return None if order is None else -order
