"""The terms of `namespaces.py` as rdflib namespaces, for code that works on rdflib graphs.

`GII` and `SCHEMA` are `DefinedNamespace`s with `_fail = True` built from the plain term lists,
so a typo raises here too and the lists exist once; a test checks `GII` against
`ontology/giigraph.ttl`. The core pipeline uses `namespaces.py` and never imports rdflib.
"""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import (  # noqa: F401  (re-exported for code on rdflib graphs)
    DCAT, DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, VANN, VOID, XSD, DefinedNamespace,
    DefinedNamespaceMeta,
)

from . import namespaces
from .namespaces import ONTOLOGY_IRI, PREFIXES, data_prefixes  # noqa: F401
from .terms import ClosedNamespace


def _defined(name: str, plain: ClosedNamespace, doc: str) -> DefinedNamespaceMeta:
    namespace = {"_NS": Namespace(str(plain)), "_fail": True, "__doc__": doc,
                 "__annotations__": dict.fromkeys(plain.terms, URIRef), "__module__": __name__}
    return DefinedNamespaceMeta(name, (DefinedNamespace,), namespace)


GII = _defined("GII", namespaces.GII, "giigraph's own terms (see namespaces.GII).")
SCHEMA = _defined("SCHEMA", namespaces.SCHEMA, "The schema.org terms giigraph writes (http://schema.org/).")

GEO = Namespace(str(namespaces.GEO))
WGS84 = Namespace(str(namespaces.WGS84))
SF = Namespace(str(namespaces.SF))
SDMX_DIMENSION = Namespace(str(namespaces.SDMX_DIMENSION))
SDMX_ATTRIBUTE = Namespace(str(namespaces.SDMX_ATTRIBUTE))
UNIT = Namespace(str(namespaces.UNIT))
WIKIDATA = Namespace(str(namespaces.WIKIDATA))
FREQ = Namespace(str(namespaces.FREQ))
CC = Namespace(str(namespaces.CC))
SPDX = Namespace(str(namespaces.SPDX))

DATA_LICENSE = URIRef(namespaces.DATA_LICENSE)
