"""Write a QueryResult: W3C results formats for SELECT/ASK, RDF formats for CONSTRUCT/DESCRIBE.

Graph results are written by `rdfio.serialize`, like every dump. CSV and JSON come from rdflib's
results serialisers, which follow the W3C specs. TSV (rdflib has no writer) and XML are written
here: rdflib's XML writer drops literals whose value is false or zero (RDFLib/rdflib#3138) and
writes a carriage return raw, which XML readers turn into a line feed.
The terminal table shows terms the way SPARQL writes them, with the dataset's prefixes.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, URIRef, Variable
from rdflib.query import Result
from tabulate import tabulate

from .. import formats
from ..errors import InputError
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
        return formats.get_results(key).name
    except InputError:
        raise InputError(
            f"{form} results cannot be written as {key!r}; use one of: "
            f"{', '.join(formats.results_names())} (RDF formats are for CONSTRUCT and DESCRIBE)"
        ) from None


def write_result(result: QueryResult, fmt: str, prefixes: Mapping[str, str] | None = None) -> bytes:
    """Serialise `result` in format `fmt` (a name `output_format` returned)."""
    prefixes = prefixes or {}
    if result.is_graph:
        return serialize(result.graph, fmt)
    if fmt == "table":
        return table(result, prefixes).encode("utf-8")
    if result.form == "ASK" and fmt in ("csv", "tsv"):
        raise InputError(
            f"the W3C {fmt.upper()} results format has no form for an ASK answer; use json, xml or table"
        )
    if fmt == "tsv":
        return tsv(result).encode("utf-8")
    if fmt == "xml":
        return xml(result).encode("utf-8")
    return _rdflib_result(result).serialize(format=fmt, encoding="utf-8").rstrip(b"\n") + b"\n"


def tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV: `?var` headers, terms in SPARQL/Turtle syntax, unbound as empty, LF line ends."""
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join("" if t is None else _sparql_term(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def xml(result: QueryResult) -> str:
    """SPARQL Query Results XML Format (Second Edition)."""
    head = "".join(f"<variable name={quoteattr(v)}/>" for v in result.variables)
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<sparql xmlns="{SRX_NAMESPACE}">', f"<head>{head}</head>"]
    if result.form == "ASK":
        lines.append(f"<boolean>{str(result.boolean).lower()}</boolean>")
    else:
        lines.append("<results>")
        for row in result.bindings():
            cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>" for v, t in row.items())
            lines.append(f"<result>{cells}</result>")
        lines.append("</results>")
    lines.append("</sparql>")
    return "\n".join(lines) + "\n"


def _xml_term(term: Term) -> str:
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


def table(result: QueryResult, prefixes: Mapping[str, str]) -> str:
    """An aligned text table (wide CJK characters count double), or `true`/`false` for ASK.

    Values longer than TABLE_CELL_WIDTH wrap; rows are then ruled off so they stay apart.
    """
    if result.form == "ASK":
        return f"{str(result.boolean).lower()}\n"
    rows = [["" if t is None else _sparql_term(t, prefixes) for t in row] for row in result.rows]
    wraps = any(len(cell) > TABLE_CELL_WIDTH for row in rows for cell in row)
    return tabulate(
        rows, headers=list(result.variables), tablefmt="simple_grid" if wraps else "simple",
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


def _rdflib_result(result: QueryResult) -> Result:
    """The result as an rdflib `Result`, for rdflib's CSV and JSON serialisers."""
    out = Result(result.form)
    if result.form == "ASK":
        out.askAnswer = result.boolean
    else:
        out.vars = [Variable(v) for v in result.variables]
        out.bindings = [{Variable(v): t for v, t in row.items()} for row in result.bindings()]
    return out
