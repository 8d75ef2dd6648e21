"""Content negotiation: real clients' Accept headers, q-values, wildcards, malformed headers."""
from __future__ import annotations

import pytest

from giigraph.errors import InputError, NotAcceptable
from giigraph.serve.conneg import negotiate, parse_accept
from giigraph.serve.documents import DOCUMENT_OFFERS
from giigraph.serve.sparql import OFFERS

CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
          "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept, expected", [
    (CHROME, "html"),
    (FIREFOX, "html"),
    ("*/*", "turtle"),                                   # curl
    (None, "turtle"),                                    # no header at all
    ("", "turtle"),
    ("text/turtle", "turtle"),
    ("application/ld+json", "jsonld"),
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', "jsonld"),
    ("application/json", "jsonld"),                      # JSON-LD is JSON
    ("application/n-triples", "nt"),
    ("application/rdf+xml", "xml"),
    ("application/trig", "trig"),
    ("application/n-quads", "nquads"),
    # equal weights: the server's order decides (Turtle first), as for rdflib's own Accept header
    ("application/rdf+xml, text/n3, text/turtle, application/n-triples, application/ld+json, "
     "application/n-quads, application/trix, application/trig, text/html;q=0.5", "turtle"),
    ("text/turtle;q=0.5, application/n-triples", "nt"),  # q-values decide
    ("text/*;q=0.3, application/ld+json;q=0.2", "turtle"),
    ("text/*, text/turtle;q=0", "html"),                 # the specific range wins over the wildcard
    ("*/*;q=0.1, application/rdf+xml;q=0.9", "xml"),
    ("TEXT/Turtle", "turtle"),                           # types are case-insensitive
    (" , text/html ,", "html"),                          # empty list elements are allowed
])
def test_documents_by_accept(accept, expected):
    assert negotiate(accept, DOCUMENT_OFFERS)[1] == expected


@pytest.mark.parametrize("accept", ["image/png", "text/turtle;q=0, */*;q=0", "application/pdf, image/*"])
def test_nothing_acceptable_lists_the_offers(accept):
    with pytest.raises(NotAcceptable) as info:
        negotiate(accept, DOCUMENT_OFFERS)
    assert "text/turtle" in info.value.offers and "text/html" in info.value.offers


@pytest.mark.parametrize("accept", ["foo", "*/html", "text/html;q=2", "text/html;q=0.1234", "text/html;q=x",
                                    "text/html junk", "text/", "/html", "text/html;=1"])
def test_malformed_accept_is_an_input_error(accept):
    with pytest.raises(InputError, match="malformed Accept"):
        negotiate(accept, DOCUMENT_OFFERS)


@pytest.mark.parametrize("accept, select, ask, graph", [
    # SPARQLWrapper's defaults for JSON, XML, CSV, TSV, Turtle and JSON-LD
    ("application/sparql-results+json,application/json,text/javascript,application/javascript",
     "json", "json", "jsonld"),
    ("application/sparql-results+xml", "xml", "xml", None),
    ("text/csv", "csv", None, None),  # CSV and TSV have no form for an ASK answer
    ("text/tab-separated-values", "tsv", None, None),
    ("application/turtle,text/turtle", None, None, "turtle"),
    ("application/ld+json,application/x-json+ld", None, None, "jsonld"),
    # rdflib's SPARQLStore asks for XML results and RDF/XML graphs
    ("application/sparql-results+xml, application/rdf+xml", "xml", "xml", "xml"),
    ("*/*", "json", "json", "turtle"),
    (CHROME, "text/html", "text/html", "text/html"),
])
def test_sparql_formats_by_query_form(accept, select, ask, graph):
    def pick(form):
        try:
            return negotiate(accept, OFFERS[form])[1]
        except NotAcceptable:
            return None
    assert (pick("SELECT"), pick("ASK"), pick("CONSTRUCT"), pick("DESCRIBE")) == (select, ask, graph, graph)


def test_quoted_parameters_may_hold_commas():
    [r] = parse_accept('application/ld+json;profile="a,b";q=0.5')
    assert (r.type, r.subtype, r.q) == ("application", "ld+json", 0.5)
