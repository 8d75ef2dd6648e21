"""Shared helpers for the query tests: a small dataset of our own and both engines over it."""
from __future__ import annotations

from rdflib import Dataset

from giigraph.query import ENGINE_NAMES
from giigraph.query.engines import open_engine
from giigraph.query.parse import parse_query

EX = "http://example.org/"
PREFIXES = {"ex": EX, "schema": "http://schema.org/", "xsd": "http://www.w3.org/2001/XMLSchema#"}

# Two named graphs sharing triples (the union must be a set), one triple in the default graph,
# CJK labels, a mixed-case language tag, a decimal, and a string that needs escaping.
TRIG = """
@prefix ex: <http://example.org/> .
@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:loose ex:note "in the default graph" .

ex:curated {
    ex:tokyo a schema:Place ; schema:name "Tokyo-Yokohama"@en , "东京-横滨"@zh .
    ex:seoul a schema:Place ; schema:name "Seoul"@en , "首尔"@zh , "Seoul"@en-GB .
    ex:beijing a schema:Place ; schema:name "Beijing"@en .
}
ex:source-a {
    ex:obs1 ex:cluster ex:tokyo ; ex:rank 1 ; ex:year "2023"^^xsd:gYear .
    ex:obs2 ex:cluster ex:seoul ; ex:rank 3 ; ex:year "2023"^^xsd:gYear .
    ex:tokyo a schema:Place .
    ex:seoul ex:note "tab\\there \\"quoted\\"\\nnew line, comma" .
}
ex:source-b {
    ex:obs3 ex:cluster ex:beijing ; ex:rank 4 ; ex:share 3.0 ; ex:ok true .
    ex:tokyo a schema:Place .
}
"""


def mini_dataset() -> Dataset:
    ds = Dataset()
    ds.parse(data=TRIG, format="trig")
    return ds


def engines(dataset: Dataset, prefixes=PREFIXES) -> dict:
    return {name: open_engine(name, dataset, prefixes) for name in ENGINE_NAMES}


def run_both(engs: dict, text: str, prefixes=PREFIXES) -> dict:
    parsed = parse_query(text, prefixes, "test")
    return {name: engine.run(parsed) for name, engine in engs.items()}


def remote_queries(url: str) -> list[str]:
    """Queries that would reach `url` (SERVICE anywhere, FROM, FROM NAMED, LOAD) if they were run."""
    return [
        f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?endpoint {{ <{url}/sparql> }} SERVICE ?endpoint {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ OPTIONAL {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }} }} }} }}",
        f"ASK {{ ?s ?p ?o MINUS {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }} }}",
        f"ASK {{ \\u0053ERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",  # a SPARQL code-point escape
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }} }}",
        f"DESCRIBE ?s WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
        f"PREFIX remote: <{url}/> SELECT * FROM remote:data.ttl WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"ASK FROM <{url}/data.ttl> {{ ?s ?p ?o }}",
        f"LOAD <{url}/data.ttl>",
        f"LOAD SILENT <{url}/data.ttl> INTO GRAPH <http://example.org/g>",
    ]
