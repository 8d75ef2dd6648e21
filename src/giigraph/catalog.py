"""The catalogue part of the dataset's description: DCAT-AP 3.0.1 and schema.org Dataset (Google).

`export.describe` writes the VoID statistics and the distributions; this adds what DCAT-AP requires or
recommends (a `dcat:Catalog` holding the dataset, access URLs, formats from the EU file-type authority
list, licence and media types typed as DCAT-AP expects, contact point, keywords, themes, spatial and
temporal coverage) and what Google's Dataset search reads (schema:name, description, license, creator,
distribution as DataDownload with contentUrl and encodingFormat, spatialCoverage, temporalCoverage).
Codes come from the EU Publications Office authority lists and ADMS, which DCAT-AP names; no value is
invented: the temporal coverage is the span of the report editions the data holds.
"""
from __future__ import annotations

from functools import cache

from . import formats
from .namespaces import (
    ADMS_LICENCE, ADMS_PUBLISHER, DATA_LICENSE, DCAT, DCATAP, DCTERMS, EU_AUTHORITY, FOAF, GEO, ONTOLOGY_IRI, PROV,
    RDF, SCHEMA, SKOS, SPDX, VCARD, XSD,
)
from .rdfio import parse_triples
from .resources import ONTOLOGY_FILE
from .terms import Literal, Triple

IANA = "https://www.iana.org/assignments/media-types/"
PUBLISHER_NAME = "giigraph project"
KEYWORDS = ("Global Innovation Index", "science and technology clusters", "WIPO", "innovation", "patents",
            "scientific publications", "linked data")
#: EU data themes (http://publications.europa.eu/resource/authority/data-theme), with their English labels.
THEMES = {"TECH": "Science and technology", "ECON": "Economy and finance"}
THEME_SCHEME = EU_AUTHORITY["data-theme"]
ENGLISH = EU_AUTHORITY["language/ENG"]
#: The whole Earth (GeoNames 6295630): the tables rank clusters in every part of the world.
WORLD = "https://sws.geonames.org/6295630/"
WORLD_BBOX = "POLYGON((-180 -90, 180 -90, 180 90, -180 90, -180 -90))"


def catalog_iri(base: str) -> str:
    return f"{base}dataset#catalog"


def describe(g: set[Triple], d: str, base: str, publisher: str, title: str, description: str,
             years: set[str], sources: set[str], urls: dict[str, formats.RdfFormat]) -> None:
    """Add the catalogue, the DCAT-AP properties and the schema.org Dataset to the description `g`.

    `years`: the report editions' years (xsd:gYear lexical forms); `sources`: what the data was read in;
    `urls`: each dump's IRI and format.
    """
    add = g.add
    english = [Literal(title, lang="en"), Literal(description, lang="en")]
    _catalog(g, d, base, publisher, english)
    _agent(g, publisher)
    contact = f"{base}dataset#contact"
    for t in ((d, DCAT.contactPoint, contact), (contact, RDF.type, VCARD.Kind),
              (contact, RDF.type, VCARD.Organization), (contact, VCARD.fn, Literal(PUBLISHER_NAME, lang="en")),
              (contact, VCARD.hasURL, base)):
        add(t)
    for word in KEYWORDS:
        add((d, DCAT.keyword, Literal(word, lang="en")))
        add((d, SCHEMA.keywords, Literal(word, lang="en")))
    for code in THEMES:
        add((d, DCAT.theme, _theme(g, code)))
    add((d, DCTERMS.spatial, WORLD))
    add((d, SCHEMA.spatialCoverage, WORLD))
    _world(g)
    if years:
        start, end = min(years), max(years)
        period = f"{base}dataset#period"
        for t in ((d, DCTERMS.temporal, period), (period, RDF.type, DCTERMS.PeriodOfTime),
                  (period, DCAT.startDate, Literal(start, datatype=XSD.gYear)),
                  (period, DCAT.endDate, Literal(end, datatype=XSD.gYear)),
                  (d, SCHEMA.temporalCoverage, Literal(f"{start}/{end}"))):
            add(t)
    for source in sources:  # DCAT-AP keeps dct:source for data sets; these are documents
        add((d, PROV.wasDerivedFrom, source))
    # schema.org Dataset, as Google's Dataset search reads it
    for t in ((d, SCHEMA.name, english[0]), (d, SCHEMA.description, english[1]), (d, SCHEMA.license, DATA_LICENSE),
              (d, SCHEMA.creator, publisher), (d, SCHEMA.url, d), (d, SCHEMA.isAccessibleForFree, Literal(True))):
        add(t)
    _licence(g)
    for url, fmt in urls.items():
        _distribution(g, d, url, fmt)


def _catalog(g: set[Triple], d: str, base: str, publisher: str, english: list[Literal]) -> None:
    c = catalog_iri(base)
    scheme = THEME_SCHEME
    for t in ((c, RDF.type, DCAT.Catalog), (c, DCTERMS.title, Literal(f"{PUBLISHER_NAME} catalogue", lang="en")),
              (c, DCTERMS.description, Literal("The data sets the giigraph project publishes.", lang="en")),
              (c, DCTERMS.publisher, publisher), (c, DCAT.dataset, d), (c, DCTERMS.license, DATA_LICENSE),
              (c, DCTERMS.language, ENGLISH), (ENGLISH, RDF.type, DCTERMS.LinguisticSystem),
              (c, DCTERMS.spatial, WORLD), (c, DCAT.themeTaxonomy, scheme), (scheme, RDF.type, SKOS.ConceptScheme),
              (scheme, DCTERMS.title, Literal("Data theme", lang="en")),
              (c, FOAF.homepage, base), (base, RDF.type, FOAF.Document),
              (c, DCTERMS.issued, _release_dates()[0]), (c, DCTERMS.modified, _release_dates()[1])):
        g.add(t)


@cache
def _release_dates() -> tuple[Literal, Literal]:
    """The catalogue's issued and modified dates: the ontology's (dcterms:created, dcterms:modified), which
    the curators set when they release; never the build's clock, so builds stay byte-identical."""
    header = {p: o for s, p, o in parse_triples(ONTOLOGY_FILE) if s == ONTOLOGY_IRI}
    return header[DCTERMS.created], header[DCTERMS.modified]


def _agent(g: set[Triple], publisher: str) -> None:
    kind = ADMS_PUBLISHER.NonProfitOrganisation
    for t in ((publisher, RDF.type, FOAF.Agent), (publisher, RDF.type, FOAF.Organization),
              (publisher, RDF.type, SCHEMA.Organization), (publisher, FOAF.name, Literal(PUBLISHER_NAME, lang="en")),
              (publisher, SCHEMA.name, Literal(PUBLISHER_NAME, lang="en")),
              (publisher, DCTERMS.type, kind), (kind, RDF.type, SKOS.Concept),
              (kind, SKOS.prefLabel, Literal("Non-profit organisation", lang="en"))):
        g.add(t)


def _theme(g: set[Triple], code: str) -> str:
    theme = f"{THEME_SCHEME}/{code}"
    g.add((theme, RDF.type, SKOS.Concept))
    g.add((theme, SKOS.prefLabel, Literal(THEMES[code], lang="en")))
    g.add((theme, SKOS.inScheme, THEME_SCHEME))
    return theme


def _world(g: set[Triple]) -> None:
    for t in ((WORLD, RDF.type, DCTERMS.Location), (WORLD, RDF.type, SCHEMA.Place),
              (WORLD, SCHEMA.name, Literal("Earth", lang="en")),
              (WORLD, DCAT.bbox, Literal(WORLD_BBOX, datatype=GEO.wktLiteral)),
              (WORLD, DCAT.centroid, Literal("POINT(0 0)", datatype=GEO.wktLiteral))):
        g.add(t)


def _licence(g: set[Triple]) -> None:
    kind = ADMS_LICENCE.Attribution
    for t in ((DATA_LICENSE, RDF.type, DCTERMS.LicenseDocument), (DATA_LICENSE, DCTERMS.type, kind),
              (kind, RDF.type, SKOS.Concept), (kind, SKOS.prefLabel, Literal("Attribution", lang="en")),
              (SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm)):
        g.add(t)


def _distribution(g: set[Triple], d: str, url: str, fmt: formats.RdfFormat) -> None:
    media_type = IANA + fmt.media_type
    file_type = EU_AUTHORITY[f"file-type/{fmt.eu_file_type}"]
    stable = EU_AUTHORITY["planned-availability/STABLE"]
    content = "every named graph (one per source)" if fmt.quads else "every triple, named graphs merged"
    for t in ((url, DCAT.accessURL, url), (media_type, RDF.type, DCTERMS.MediaType),
              (url, DCTERMS.format, file_type), (file_type, RDF.type, DCTERMS.MediaTypeOrExtent),
              (url, DCTERMS.description, Literal(f"The whole dataset in {fmt.label}: {content}.", lang="en")),
              (url, DCATAP.availability, stable), (stable, RDF.type, SKOS.Concept),
              (stable, SKOS.prefLabel, Literal("Stable", lang="en")),
              (d, SCHEMA.distribution, url), (url, RDF.type, SCHEMA.DataDownload), (url, SCHEMA.contentUrl, url),
              (url, SCHEMA.encodingFormat, Literal(fmt.media_type)),
              (url, SCHEMA.name, Literal(f"{fmt.label} dump", lang="en"))):
        g.add(t)
