"""Results formats: byte for byte against Oxigraph's own W3C writers, and against the specs' rules."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from giigraph import formats
from giigraph.errors import InputError, QueryError
from giigraph.query.parse import parse_query
from giigraph.query.results import QueryResult, select_result
from giigraph.query.writers import formats_for, output_format, table, write_result

from query_support import PREFIXES, engines, mini_dataset, run_both

# Values that exercise every rule of the formats: IRIs, blank nodes, language tags, the short forms
# of numbers and booleans, a datatype without one, escapes, commas, quotes, empty strings, unbound.
VALUES_QUERY = r"""
SELECT ?iri ?text ?int ?dec ?bool ?typed ?plain ?empty ?bnode WHERE {
  VALUES (?iri ?text ?int ?dec ?bool ?typed ?plain ?empty) {
    (<http://x/y> "t\tab\nnl \"q\" é"@en-GB 5 2.50 true "x"^^<http://e/dt> "plain,comma" "")
    (UNDEF "北京"@zh -3 "0.0"^^xsd:decimal false "2023"^^xsd:gYear "a\\b\rc" UNDEF)
  }
  BIND(BNODE("b") AS ?bnode)
}"""
# Characters JSON must escape or may leave, and that XML 1.0 cannot carry at all.
CONTROL_QUERY = r'SELECT ?c ?n WHERE { VALUES (?c ?n) { ("\b\f\u001f\u007f/\u2028" 1) } }'
SRX = "{http://www.w3.org/2005/sparql-results#}"
NATIVE = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}


def written(result: QueryResult, fmt: str, prefixes=None) -> bytes:
    out = io.BytesIO()
    write_result(result, fmt, out, prefixes)
    return out.getvalue()


@pytest.fixture(scope="module")
def ours():
    """The VALUES query through our Oxigraph engine, and Oxigraph's own serialisation of it."""
    result = run_both(engines(mini_dataset()), VALUES_QUERY)["oxigraph"]
    store = ox.Store()

    def reference(fmt):
        return store.query(VALUES_QUERY, prefixes=PREFIXES).serialize(format=fmt).decode()

    return result, reference


@pytest.mark.parametrize("query", [
    VALUES_QUERY,
    CONTROL_QUERY,
    "SELECT ?s ?name WHERE { ?s schema:name ?name OPTIONAL { ?s ex:rank ?r } }",
    "SELECT ?none ?s WHERE { ?s ex:rank ?r }",  # a column never bound
])
@pytest.mark.parametrize("fmt", sorted(NATIVE))
def test_our_writers_give_oxigraph_s_bytes(query, fmt):
    """What lets the Oxigraph engine hand these formats to pyoxigraph's writers (JSON: plus a newline)."""
    result = run_both(engines(mini_dataset()), query)["oxigraph"]
    native = engines(mini_dataset())["oxigraph"]._store.query(query, prefixes=PREFIXES)
    reference = native.serialize(format=NATIVE[fmt]) + (b"\n" if fmt == "json" else b"")
    assert written(result, fmt) == reference


@pytest.mark.parametrize("fmt", formats_for("SELECT"))
def test_oxigraph_engine_writes_as_the_rdflib_engine(fmt):
    """Natively or not, both engines give the same bytes (one column: CSV is not handed over)."""
    for query in (VALUES_QUERY.replace("?bnode WHERE", "WHERE"), "SELECT ?x WHERE { OPTIONAL { ?s ex:nothing ?x } }",
                  "SELECT * WHERE { ?s ex:rank ?r ; ex:cluster ?c } ORDER BY ?s"):  # Oxigraph would sort the columns
        parsed = parse_query(query, PREFIXES)
        outputs = set()
        for engine in engines(mini_dataset()).values():
            out = io.BytesIO()
            engine.write(parsed, fmt, out)
            outputs.add(out.getvalue())
        assert len(outputs) == 1, outputs


def test_csv_of_one_column_keeps_an_unbound_row():
    result = select_result(["x"], [{}])
    assert written(result, "csv") == b'x\r\n""\r\n'


def test_tsv_follows_the_spec():
    result = select_result(["a", "b"], [{"a": URIRef("http://x/"), "b": Literal("1", datatype=URIRef("http://www.w3.org/2001/XMLSchema#double"))}, {}])
    # Header with '?', terms in SPARQL syntax, a double without exponent in long form, unbound empty, LF.
    assert written(result, "tsv") == b'?a\t?b\n<http://x/>\t"1.0"^^<http://www.w3.org/2001/XMLSchema#double>\n\t\n'


def test_json_follows_the_spec(ours):
    result, _ = ours
    ours_json = json.loads(written(result, "json"))
    assert ours_json["head"] == {"vars": ["iri", "text", "int", "dec", "bool", "typed", "plain", "empty", "bnode"]}
    assert ours_json["results"]["bindings"][0]["text"] == {"type": "literal", "value": "t\tab\nnl \"q\" é", "xml:lang": "en-gb"}
    assert ours_json["results"]["bindings"][0]["bnode"]["type"] == "bnode"


def _xml_tree(data: str | bytes) -> list:
    """Elements, attributes and text; whitespace between elements does not count."""
    root = ET.fromstring(data)
    assert root.tag == f"{SRX}sparql"
    return [(e.tag, sorted(e.attrib.items()), (e.text or "") if len(e) == 0 else "") for e in root.iter()]


def test_xml_equals_oxigraph(ours):
    result, reference = ours
    tree = _xml_tree(written(result, "xml"))
    # Oxigraph 0.5.13 still writes a CR raw, so it reads back as LF (fixed upstream: oxigraph#1785).
    as_oxigraph_reads = [(tag, attrs, text.replace("\r", "\n")) for tag, attrs, text in tree]
    assert as_oxigraph_reads == _xml_tree(reference(ox.QueryResultsFormat.XML))
    # rdflib's writer loses both (RDFLib/rdflib#3138 for the zero; the CR as above).
    assert (f"{SRX}literal", [("datatype", "http://www.w3.org/2001/XMLSchema#decimal")], "0") in tree
    assert (f"{SRX}literal", [], "a\\b\rc") in tree


def test_xml_refuses_what_xml_cannot_carry():
    result = run_both(engines(mini_dataset()), CONTROL_QUERY)["oxigraph"]
    with pytest.raises(QueryError, match=r"U\+0008, which XML 1.0 cannot carry; use json, csv or tsv"):
        written(result, "xml")


def test_csv_reads_back_and_uses_crlf(ours):
    result, _ = ours
    data = written(result, "csv").decode()
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert rows[0] == ["iri", "text", "int", "dec", "bool", "typed", "plain", "empty", "bnode"]
    assert rows[1][:8] == ["http://x/y", 't\tab\nnl "q" é', "5", "2.5", "true", "x", "plain,comma", ""]
    assert data.startswith("iri,text,int,dec,bool,typed,plain,empty,bnode\r\n")


def test_ask_in_json_and_xml():
    yes = QueryResult("ASK", boolean=True)
    assert written(yes, "json") == b'{"head":{},"boolean":true}\n'
    tree = _xml_tree(written(yes, "xml"))
    assert (f"{SRX}boolean", [], "true") in tree and (f"{SRX}head", [], "") in tree
    assert written(QueryResult("ASK", boolean=False), "table") == b"false\n"


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_ask_has_no_csv_or_tsv_form(fmt):
    assert formats_for("ASK") == ("table", "json", "xml")
    with pytest.raises(InputError, match=f"{fmt.upper()} results format has no form for an ASK answer; use table, json, xml"):
        output_format("ASK", fmt)
    with pytest.raises(InputError, match=f"{fmt.upper()} results format has no form for an ASK"):
        written(QueryResult("ASK", boolean=True), fmt)


def test_table_aligns_wide_characters_and_uses_prefixes():
    import wcwidth

    result = select_result(["name", "city"], [
        {"name": Literal("北京", lang="zh"), "city": URIRef("http://example.org/beijing")},
        {"name": Literal(12), "city": URIRef("http://example.org/a")},
        {"city": URIRef("http://other.org/x")},
    ])
    lines = table(result.variables, result.rows, PREFIXES).splitlines()
    assert [line.split() for line in lines[2:4]] == [['"北京"@zh', "ex:beijing"], ["12", "ex:a"]]
    assert lines[4].strip() == "<http://other.org/x>"
    # "北京" takes four terminal columns: the second column starts at the same place on every line.
    starts = {wcwidth.wcswidth(line[: line.rindex(" ") + 1]) for line in (lines[0], *lines[2:5])}
    assert len(starts) == 1


def test_table_wraps_long_values():
    long_text = Literal("word " * 40)
    text = table(["t"], [(long_text,)], {})
    assert max(len(line) for line in text.splitlines()) < 100


@pytest.mark.parametrize("form, fmt, path, expected", [
    ("SELECT", None, None, "table"),
    ("SELECT", "JSON", None, "json"),
    ("SELECT", None, "out.srj", "json"),
    ("SELECT", None, "out.tsv", "tsv"),
    ("SELECT", "application/sparql-results+xml", None, "xml"),
    ("ASK", "xml", None, "xml"),
    ("CONSTRUCT", None, None, "turtle"),
    ("CONSTRUCT", "json", None, "jsonld"),
    ("DESCRIBE", "xml", None, "xml"),
    ("DESCRIBE", None, "out.nt", "nt"),
    ("CONSTRUCT", "ttl", "out.nt", "turtle"),
])
def test_output_format_depends_on_the_query_form(form, fmt, path, expected):
    assert output_format(form, fmt, path) == expected


def test_graph_formats_are_refused_for_select_and_results_formats_for_construct():
    with pytest.raises(InputError, match="SELECT results cannot be written as 'turtle'"):
        output_format("SELECT", "turtle")
    with pytest.raises(InputError, match="unknown RDF format 'csv'"):
        output_format("CONSTRUCT", "csv")


def test_results_registry():
    assert formats.results_names() == ["table", "csv", "tsv", "json", "xml"]
    assert formats.get_results("text/tab-separated-values").name == "tsv"
    with pytest.raises(InputError):
        formats.get_results("yaml")
