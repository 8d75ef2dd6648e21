"""The one registry of RDF formats: names, aliases, media types, extensions, engine plugin names.

CLI choices, content negotiation, Link headers and the VoID/DCAT distributions all derive from
this table, so a format is added in one place.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import InputError


@dataclass(frozen=True)
class RdfFormat:
    name: str
    label: str
    media_type: str
    extension: str
    rdflib_name: str
    quads: bool
    eu_file_type: str  # its code in the EU file-type authority list (DCAT-AP's dct:format)
    aliases: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        """File name of this format's dump in dist/."""
        return f"giigraph.{self.extension}"


FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", "Turtle", "text/turtle", "ttl", "turtle", False, "RDF_TURTLE", ("ttl",)),
    RdfFormat("jsonld", "JSON-LD", "application/ld+json", "jsonld", "json-ld", False, "JSON_LD", ("json-ld", "json")),
    RdfFormat("nt", "N-Triples", "application/n-triples", "nt", "nt", False, "RDF_N_TRIPLES", ("ntriples", "n-triples")),
    RdfFormat("trig", "TriG", "application/trig", "trig", "trig", True, "RDF_TRIG", ()),
    RdfFormat("nquads", "N-Quads", "application/n-quads", "nq", "nquads", True, "RDF_N_QUADS", ("nq", "n-quads")),
    RdfFormat("xml", "RDF/XML", "application/rdf+xml", "rdf", "xml", False, "RDF_XML",
              ("rdfxml", "rdf/xml", "rdf", "owl")),
)

_LOOKUP: dict[str, RdfFormat] = {}
for _f in FORMATS:
    for _key in (_f.name, _f.media_type, _f.extension, *_f.aliases):
        _LOOKUP.setdefault(_key.lower(), _f)


def names() -> list[str]:
    """Canonical format names, in registry order (for CLI choices and help)."""
    return [f.name for f in FORMATS]


def get(key: str) -> RdfFormat:
    """Look a format up by name, alias, extension or media type, case-insensitively."""
    fmt = _LOOKUP.get(key.strip().lower().split(";")[0].strip())
    if fmt is None:
        raise InputError(f"unknown RDF format {key!r}; use one of: {', '.join(names())}")
    return fmt


def from_path(path: str | Path) -> RdfFormat:
    """Guess a format from a file name's extension."""
    suffix = Path(path).suffix.lstrip(".")
    if not suffix:
        raise InputError(f"cannot tell the RDF format of {str(path)!r} from its name; give --format")
    return get(suffix)


# --- SPARQL query results formats (SELECT/ASK); graph results use the RDF formats above ---

@dataclass(frozen=True)
class ResultsFormat:
    name: str
    label: str
    media_type: str
    extension: str
    aliases: tuple[str, ...] = ()


RESULTS_FORMATS: tuple[ResultsFormat, ...] = (
    ResultsFormat("table", "aligned text table", "text/plain", "txt", ("text", "txt")),
    ResultsFormat("csv", "SPARQL 1.1 CSV", "text/csv", "csv"),
    ResultsFormat("tsv", "SPARQL 1.1 TSV", "text/tab-separated-values", "tsv"),
    ResultsFormat("json", "SPARQL 1.1 JSON", "application/sparql-results+json", "srj", ("srj",)),
    ResultsFormat("xml", "SPARQL 1.1 XML", "application/sparql-results+xml", "srx", ("srx",)),
)

_RESULTS_LOOKUP: dict[str, ResultsFormat] = {}
for _r in RESULTS_FORMATS:
    for _key in (_r.name, _r.media_type, _r.extension, *_r.aliases):
        _RESULTS_LOOKUP.setdefault(_key.lower(), _r)


def results_names() -> list[str]:
    """Canonical results format names, in registry order."""
    return [r.name for r in RESULTS_FORMATS]


def get_results(key: str) -> ResultsFormat:
    """Look a SPARQL results format up by name, alias, extension or media type."""
    fmt = _RESULTS_LOOKUP.get(key.strip().lower().split(";")[0].strip())
    if fmt is None:
        raise InputError(f"unknown SPARQL results format {key!r}; use one of: {', '.join(results_names())}")
    return fmt
