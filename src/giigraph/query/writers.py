"""Write query results: W3C results formats for SELECT/ASK, RDF formats for CONSTRUCT/DESCRIBE.

One set of writers for `giigraph query` and the SPARQL endpoint, on both engines, writing to a
binary stream row by row (the endpoint's size cap raises from `out.write`).
Graph results are written by `rdfio.serialize`, like every dump. The results formats are written
here, to the bytes pyoxigraph's own writers give, so that the Oxigraph engine can hand SELECT
results to those (`write_native`, much faster on large results) and both engines answer alike.
Not rdflib's writers: its JSON puts `results` before `head`, it has no TSV, and its XML drops
literals whose value is false or zero (RDFLib/rdflib#3138); neither XML writer keeps a carriage
return (written raw, XML readers turn it into a line feed), ours writes `&#13;`.
The terminal table shows terms the way SPARQL writes them, with the dataset's prefixes.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from rdflib import BNode, URIRef
from tabulate import tabulate

from .. import formats
from ..errors import InputError, QueryError
from ..rdfio import serialize
from .results import GRAPH_FORMS, QueryResult, Term

_SHORT_FORMS = {  # Turtle's abbreviations for these datatypes, when the lexical form allows them
    "http://www.w3.org/2001/XMLSchema#integer": re.compile(r"[+-]?[0-9]+"),
    "http://www.w3.org/2001/XMLSchema#decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    "http://www.w3.org/2001/XMLSchema#double": re.compile(
        r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"
    ),
    "http://www.w3.org/2001/XMLSchema#boolean": re.compile(r"true|false"),
}
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
SRX_NAMESPACE = "http://www.w3.org/2005/sparql-results#"
TABLE_CELL_WIDTH = 80
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not even as &#...;
_PN_LOCAL = re.compile(r"[A-Za-z0-9_](?:[\w.-]*[\w-])?")


def output_format(form: str, fmt: str | None = None, path: str | Path | None = None) -> str:
    """The format name to write a `form` query's result in: `fmt`, else from `path`, else the default.

    SELECT/ASK take a results format (default: table); CONSTRUCT/DESCRIBE an RDF format
    (default: turtle). `json` and `xml` mean the results formats for the first and
    JSON-LD / RDF/XML for the second.
    """
    key = fmt or (Path(path).suffix.lstrip(".") if path and Path(path).suffix else None)
    if form in GRAPH_FORMS:
        return formats.get(key).name if key else "turtle"
    if not key:
        return "table"
    try:
        name = formats.get_results(key).name
    except InputError:
        raise InputError(
            f"{form} results cannot be written as {key!r}; use one of: "
            f"{', '.join(formats.results_names())} (RDF formats are for CONSTRUCT and DESCRIBE)"
        ) from None
    _check_form(form, name)
    return name


def formats_for(form: str) -> tuple[str, ...]:
    """The format names a `form` query's result can be written in."""
    if form in GRAPH_FORMS:
        return tuple(formats.names())
    return tuple(n for n in formats.results_names() if form == "SELECT" or n not in _ROWS_ONLY)


def _check_form(form: str, fmt: str) -> None:
    if fmt not in formats_for(form):
        raise InputError(
            f"the W3C {fmt.upper()} results format has no form for an {form} answer; "
            f"use {', '.join(formats_for(form))}"
        )


def write_result(result: QueryResult, fmt: str, out: BinaryIO, prefixes: Mapping[str, str] | None = None) -> None:
    """Write `result` in format `fmt` (a name `output_format` returned) to the binary stream `out`."""
    if result.is_graph:
        out.write(serialize(result.graph, fmt))
        return
    _check_form(result.form, fmt)
    if result.form == "ASK":
        out.write(_BOOLEAN_WRITERS[fmt](result.boolean).encode("utf-8"))
    else:
        write_rows(result.variables, result.rows, fmt, out, prefixes)


def write_rows(variables: Sequence[str], rows: Iterable[Sequence[Term | None]], fmt: str, out: BinaryIO,
               prefixes: Mapping[str, str] | None = None) -> None:
    """Write SELECT results row by row as `rows` yields them, so a size cap in `out.write` stops early."""
    if fmt == "table":
        out.write(table(variables, list(rows), prefixes or {}).encode("utf-8"))
        return
    for chunk in _ROW_WRITERS[fmt](variables, rows):
        out.write(chunk.encode("utf-8"))


def write_native(answer: ox.QuerySolutions, variables: Sequence[str], fmt: str, out: BinaryIO) -> bool:
    """Write an Oxigraph SELECT answer with pyoxigraph's own writer where it gives our bytes; else False.

    The tests hold both writers to the same bytes. Not for XML (Oxigraph writes a CR raw, see
    above), nor for CSV of one column (Oxigraph writes an unbound value as an empty line, Python's
    csv as `""`, which no reader mistakes for a blank line), nor where Oxigraph orders the columns
    otherwise (`SELECT *`: it sorts them; giigraph keeps the order of the query text).
    """
    if fmt not in _NATIVE or (fmt == "csv" and len(variables) < 2):
        return False
    if [v.value for v in answer.variables] != list(variables):
        return False
    native, end = _NATIVE[fmt]
    answer.serialize(out, native)
    out.write(end)
    return True


def _tsv(variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> Iterator[str]:
    """SPARQL 1.1 TSV: `?var` headers, terms in SPARQL/Turtle syntax, unbound as empty, LF line ends."""
    yield "\t".join(f"?{v}" for v in variables) + "\n"
    for row in rows:
        yield "\t".join("" if t is None else _sparql_term(t) for t in row) + "\n"


def _csv(variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> Iterator[str]:
    """SPARQL 1.1 CSV: plain values (IRIs, lexical forms, `_:` blank nodes), CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: Iterable[str]) -> str:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(variables)
    for row in rows:
        yield line("" if t is None else f"_:{t}" if isinstance(t, BNode) else str(t) for t in row)


def _json(variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> Iterator[str]:
    """SPARQL 1.1 JSON, laid out as Oxigraph writes it (compact, `head` first), with a final newline."""
    yield '{"head":{"vars":' + _dumps(list(variables)) + '},"results":{"bindings":['
    for i, row in enumerate(rows):
        yield ("," if i else "") + _dumps({v: _json_term(t) for v, t in zip(variables, row) if t is not None})
    yield "]}}\n"


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if term.language:
        return {"type": "literal", "value": str(term), "xml:lang": term.language}
    if term.datatype:
        return {"type": "literal", "value": str(term), "datatype": str(term.datatype)}
    return {"type": "literal", "value": str(term)}


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _xml(variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> Iterator[str]:
    """SPARQL Query Results XML Format (Second Edition)."""
    yield _xml_head(variables) + "<results>\n"
    for row in rows:
        cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                        for v, t in zip(variables, row) if t is not None)
        yield f"<result>{cells}</result>\n"
    yield "</results>\n</sparql>\n"


def _xml_head(variables: Sequence[str]) -> str:
    head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
    return f'<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="{SRX_NAMESPACE}">\n<head>{head}</head>\n'


def _xml_term(term: Term) -> str:
    bad = _NOT_XML.search(str(term))
    if bad:
        raise QueryError(f"the result holds U+{ord(bad.group()):04X}, which XML 1.0 cannot carry; use json, csv or tsv")
    text = escape(str(term), {"\r": "&#13;"})
    if isinstance(term, URIRef):
        return f"<uri>{text}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{text}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{text}</literal>"
    if term.datatype:
        return f"<literal datatype={quoteattr(str(term.datatype))}>{text}</literal>"
    return f"<literal>{text}</literal>"


_ROW_WRITERS = {"tsv": _tsv, "csv": _csv, "json": _json, "xml": _xml}
_BOOLEAN_WRITERS = {
    "json": lambda answer: '{"head":{},"boolean":' + _dumps(answer) + "}\n",
    "xml": lambda answer: _xml_head(()) + f"<boolean>{_dumps(answer)}</boolean>\n</sparql>\n",
    "table": lambda answer: _dumps(answer) + "\n",
}
_ROWS_ONLY = ("csv", "tsv")  # the W3C CSV and TSV results formats have no form for an ASK answer
_NATIVE = {  # format -> pyoxigraph's writer, and what we write after it
    "json": (ox.QueryResultsFormat.JSON, b"\n"),
    "tsv": (ox.QueryResultsFormat.TSV, b""),
    "csv": (ox.QueryResultsFormat.CSV, b""),
}


def table(variables: Sequence[str], rows: Iterable[Sequence[Term | None]], prefixes: Mapping[str, str]) -> str:
    """An aligned text table (wide CJK characters count double).

    Values longer than TABLE_CELL_WIDTH wrap; rows are then ruled off so they stay apart.
    """
    cells = [["" if t is None else _sparql_term(t, prefixes) for t in row] for row in rows]
    wraps = any(len(cell) > TABLE_CELL_WIDTH for row in cells for cell in row)
    return tabulate(
        cells, headers=list(variables), tablefmt="simple_grid" if wraps else "simple",
        disable_numparse=True, maxcolwidths=TABLE_CELL_WIDTH if wraps else None,
    ) + "\n"


def _sparql_term(term: Term, prefixes: Mapping[str, str] | None = None) -> str:
    """A term in SPARQL/Turtle syntax; IRIs as prefixed names when `prefixes` has a fitting one."""
    if isinstance(term, URIRef):
        return _iri(str(term), prefixes or {})
    if isinstance(term, BNode):
        return f"_:{term}"
    lexical = str(term)
    datatype = str(term.datatype) if term.datatype else None
    if datatype in _SHORT_FORMS and _SHORT_FORMS[datatype].fullmatch(lexical):
        return lexical
    quoted = '"' + "".join(_ESCAPES.get(c, c) for c in lexical) + '"'
    if term.language:
        return f"{quoted}@{term.language}"
    return f"{quoted}^^{_iri(datatype, prefixes or {})}" if datatype else quoted


def _iri(iri: str, prefixes: Mapping[str, str]) -> str:
    for prefix, namespace in sorted(prefixes.items(), key=lambda item: -len(item[1])):
        local = iri[len(namespace):]
        if iri.startswith(namespace) and _PN_LOCAL.fullmatch(local):
            return f"{prefix}:{local}"
    return f"<{iri}>"
