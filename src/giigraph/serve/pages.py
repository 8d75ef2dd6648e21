"""HTML pages for people: view models built from the site, rendered with Jinja2 templates.

Every page shows labels in English and Chinese, links each IRI to its own page, says which named
graph (curated data, or the source it was read in) each statement comes from, and embeds the
same description as JSON-LD for search engines.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from .. import formats
from ..charts import CLUSTER_RANKS, HOME_CHARTS, Chart
from ..namespaces import GEONAMES
from ..query.library import bundled_queries, bundled_query
from ..vocab import GEO, GII, ONTOLOGY_IRI, SCHEMA, WGS84
from . import chart_svgs
from .assets import static_url, vendor_url
from .documents import alternates
from .site import MAP_QUERY, Site

TEMPLATES = Path(__file__).with_name("templates")
FIRST_QUERY = "top-five-2023"  # the bundled query the empty form starts with
QUERY_PROPERTIES = {GII.supportTest, GII.contradictionTest, GII.evidenceQuery}  # values that are SPARQL text
ENDPOINT = "/sparql"


@dataclass(frozen=True)
class Value:
    """One RDF term as shown: text, where it links, its language or datatype."""

    text: str
    href: str | None = None
    title: str | None = None
    lang: str | None = None
    datatype: str | None = None
    graph: str | None = None
    graph_href: str | None = None
    editor_href: str | None = None  # for SPARQL text: the query opened in the SPARQL editor
    query_form: str | None = None  # for SPARQL text: SELECT, ASK, ...


@dataclass(frozen=True)
class Figure:
    """A chart on a page: the spec the browser draws, the SVG shown without JavaScript, the query behind it."""

    chart: Chart
    spec: str  # Vega-Lite as JSON, its data loaded from this server's endpoint
    query_href: str  # the query in the SPARQL editor
    svg_href: str | None  # the SVG `giigraph build` drew, or the server draws (a cluster's ranks)


@dataclass
class Row:
    prop: Value
    values: list[Value] = field(default_factory=list)


@dataclass(frozen=True)
class Located:
    """A place as a page shows where it is: its coordinates in words and its GeoNames features."""

    place: Value
    coordinates: str | None
    geonames: tuple[Value, ...]
    lat: float | None = None  # the coordinates as numbers, for the map
    long: float | None = None


@dataclass(frozen=True)
class Location:
    """Where the page's resource is: itself, the cities it contains, and its GeoSPARQL geometry."""

    here: Located
    cities: tuple[Located, ...]
    wkt: str | None


@dataclass
class Fact:
    """A fact node that points at the resource (a rank observation, a statement, ...)."""

    node: Value
    rows: list[Row]
    passages: list[Value]


class Views:
    """Turns IRIs and descriptions into what the templates show."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                               trim_blocks=True, lstrip_blocks=True)
        bundled = [(q.name, q.question, q.text) for q in bundled_queries()]
        first = next(text for name, _, text in bundled if name == FIRST_QUERY)
        self.env.globals.update(site=site, v=self, bundled=bundled, first_query=first, static=static_url, vendor=vendor_url,
                                editor_href=editor_href)

    def render(self, template: str, **context) -> str:
        return self.env.get_template(template).render(**context)

    # --- terms -----------------------------------------------------------------------------------------
    def term(self, node, graph: str | None = None) -> Value:
        site = self.site
        where = {"graph": self.graph_name(graph), "graph_href": site.href(graph)} if graph else {}
        if isinstance(node, Literal):
            datatype = site.curie(str(node.datatype)) if node.datatype else None
            return Value(str(node), lang=node.language, datatype=datatype, **where)
        iri = str(node)
        return Value(site.label(iri), href=site.href(iri), title=iri, **where)

    def graph_name(self, graph: str) -> str:
        """`graph/curated` -> "curated"; `graph/source/x` -> "source x"."""
        rest = graph[len(self.site.base) + len("graph/"):] if graph.startswith(self.site.base) else graph
        return rest.replace("/", " ")

    def rows(self, quads, skip=frozenset()) -> list[Row]:
        """Group (predicate, object, graph) by predicate, sorted by the predicate's label."""
        grouped: dict[str, Row] = {}
        for p, o, g in quads:
            if p in skip:
                continue
            row = grouped.setdefault(str(p), Row(self.term(p)))
            value = self.term(o, g)
            if p in QUERY_PROPERTIES and isinstance(o, Literal):
                form = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", str(o), re.IGNORECASE)
                value = replace(value, editor_href=editor_href(str(o)), query_form=form and form.group(1).upper())
            if value not in row.values:
                row.values.append(value)
        for row in grouped.values():
            row.values.sort(key=lambda v: (v.lang or "", v.text))
        return sorted(grouped.values(), key=lambda r: r.prop.text.lower())

    # --- pages -----------------------------------------------------------------------------------------
    def resource(self, iri: str, description: Dataset, doc_path: str, jsonld: bytes) -> str:
        site, node = self.site, URIRef(iri)
        out = [(p, o, str(g)) for _, p, o, g in description.quads((node, None, None, None))]
        types = sorted({self.term(o) for p, o, _ in out if p == RDF.type}, key=lambda v: v.text)
        incoming, facts = [], []
        for s in sorted({s for s, _, _, _ in site.dataset.quads((None, None, node, None))}, key=str):
            fact = self._fact(s, node)
            if fact:
                facts.append(fact)
            for _, p, _, g in site.dataset.quads((s, None, node, None)):
                incoming.append((self.term(s), self.term(p), self.graph_name(str(g))))
        passages = {v.href: v for f in facts for v in f.passages}
        passages.update({v.href: v for v in self._passages(node)})
        is_cluster = (node, RDF.type, GII.Cluster) in site.union
        return self.render(
            "resource.html", iri=iri, title=site.label(iri), labels=site.labels(iri), types=types,
            location=self.location(node),
            ranks=self.figure(CLUSTER_RANKS, iri) if is_cluster and site.has_ranks(iri) else None,
            rows=self.rows(out, skip={RDF.type}), facts=facts, incoming=incoming,
            passages=sorted(passages.values(), key=lambda v: v.title or ""),
            alternates=alternates(doc_path), jsonld=_script_safe(jsonld),
            dataset_jsonld=_script_safe(dataset_jsonld(site.void, node)) if iri == site.dataset_iri else None,
        )

    def location(self, node: URIRef) -> Location | None:
        """Where a place is (GeoNames' coordinates and features); None for what has no place."""
        union = self.site.union
        cities = tuple(self._located(c) for c in sorted(union.objects(node, SCHEMA.containsPlace), key=str)
                       if (c, WGS84.lat, None) in union)
        geometry = union.value(node, GEO.hasGeometry)
        wkt = union.value(geometry, GEO.asWKT) if geometry is not None else None
        here = self._located(node)
        if not (here.coordinates or here.geonames or cities or wkt):
            return None
        return Location(here, cities, str(wkt) if wkt is not None else None)

    def _located(self, node: URIRef) -> Located:
        union = self.site.union
        lat, long = union.value(node, WGS84.lat), union.value(node, WGS84.long)
        coordinates = None
        if lat is not None and long is not None:
            lat, long = lat.toPython(), long.toPython()
            coordinates = f"{abs(lat)}° {'N' if lat >= 0 else 'S'}, {abs(long)}° {'E' if long >= 0 else 'W'}"
            lat, long = float(lat), float(long)
        features = sorted(str(o) for o in union.objects(node, OWL.sameAs) if str(o).startswith(GEONAMES))
        geonames = tuple(Value(f"GeoNames {f[len(GEONAMES):].strip('/')}", href=f, title=f) for f in features)
        return Located(self.term(node), coordinates, geonames, lat, long)

    def _fact(self, s, target: URIRef) -> Fact | None:
        """A node that links here and names its source passage is shown as a fact, in full."""
        passages = self._passages(s)
        if not passages:
            return None
        quads = [(p, o, str(g)) for _, p, o, g in self.site.dataset.quads((s, None, None, None))]
        rows = self.rows(quads, skip={RDF.type, RDFS.label, PROV.wasDerivedFrom})
        rows = [r for r in rows if not any(v.title == str(target) for v in r.values)]
        return Fact(self.term(s), rows, passages)

    def _passages(self, s) -> list[Value]:
        found = []
        for passage in sorted(set(self.site.union.objects(s, PROV.wasDerivedFrom)), key=str):
            topic = self.site.union.value(passage, SCHEMA.description)
            found.append(Value(self.site.label(str(passage)), href=self.site.href(str(passage)),
                               title=str(topic) if topic else str(passage)))
        return sorted(found, key=lambda v: v.href or "")

    def home(self, served: str) -> str:
        """The home page; `served` is the URL the client used, for copy-paste examples."""
        site = self.site
        top = [(self.term(URIRef(c)), site.labels(c).get("zh"), rank, self.term(URIRef(e)))
               for c, rank, e in site.top_clusters]
        browse = [(self.term(URIRef(cls)), [self.term(URIRef(m)) for m in members]) for cls, members in site.by_type]
        dataset = URIRef(site.dataset_iri)
        locations = [{**c, "href": site.href(c["iri"])} for c in site.cluster_locations]
        return self.render("home.html", served=served, top=top, browse=browse, counts=site.counts,
                           locations=locations, map_query=bundled_query(MAP_QUERY),
                           charts=[self.figure(chart) for chart in HOME_CHARTS],
                           title=site.label(site.dataset_iri),
                           description=str(site.void.value(dataset, URIRef("http://purl.org/dc/terms/description"))),
                           dumps=self.dumps, alternates=alternates("/dataset"),
                           dataset_jsonld=_script_safe(dataset_jsonld(site.void, dataset)))

    def figure(self, chart: Chart, cluster: str | None = None) -> Figure:
        """A chart as a page shows it; for the ranks chart, about `cluster`."""
        query = chart.query_text(cluster)
        built = f"charts/{chart.name}.svg"
        if query == chart.query_text() and built in self.site.files:  # dist/charts/ draws the bundled query's answer
            svg_href = "/" + built
        else:
            svg_href = chart_svgs.href(self.site.href(cluster)) if cluster and cluster.startswith(self.site.base) else None
        return Figure(chart, json.dumps(chart.from_endpoint(ENDPOINT, query), ensure_ascii=False),
                      editor_href(query), svg_href)

    def with_prefixes(self, query: str) -> str:
        """`query` declaring the predeclared prefixes it uses, after its opening comments.

        The endpoint knows them anyway; the editor checks that every prefix is declared, and a
        copied query then runs on any endpoint."""
        lines = query.splitlines(keepends=True)
        head = 0
        while head < len(lines) and lines[head].startswith("#"):
            head += 1
        body = "".join(line.split("#", 1)[0] if line.lstrip().startswith("#") else line for line in lines[head:])
        used = [p for p in sorted(self.site.prefixes)
                if re.search(rf"(?<![\w:/#<.?$-]){re.escape(p)}:", body)
                and not re.search(rf"(?i)\bPREFIX\s+{re.escape(p)}:", body)]
        declared = "".join(f"PREFIX {p}: <{self.site.prefixes[p]}>\n" for p in used)
        return "".join(lines[:head]) + declared + "".join(lines[head:])

    @cached_property
    def dumps(self) -> list[tuple[str, str, str, int]]:
        """(file name, label, media type, size) of every published file."""
        listing = [(f.filename, f"{f.label} dump", f.media_type) for f in formats.FORMATS]
        listing += [("context.jsonld", "JSON-LD context", "application/ld+json"),
                    ("void.ttl", "VoID/DCAT description", "text/turtle")]
        return [(name, label, mt, len(self.site.files[name])) for name, label, mt in listing]

    def ontology(self, graph: Graph, jsonld: bytes) -> str:
        onto = URIRef(ONTOLOGY_IRI)
        header = [(p, o, None) for p, o in graph.predicate_objects(onto)]
        sections, seen = [], set()
        for title, kinds in (("Classes", (OWL.Class,)),
                             ("Properties", (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)),
                             ("Concepts and other individuals", (SKOS.ConceptScheme, SKOS.Concept, OWL.NamedIndividual))):
            terms = sorted({s for k in kinds for s in graph.subjects(RDF.type, k)
                            if str(s).startswith(ONTOLOGY_IRI + "#") and s not in seen}, key=str)
            seen.update(terms)
            sections.append((title, [self._ontology_term(graph, t) for t in terms]))
        return self.render("ontology.html", title=self._by_lang(graph, onto, URIRef("http://purl.org/dc/terms/title")),
                           rows=self.rows(header), sections=sections, alternates=alternates("/ontology"),
                           jsonld=_script_safe(jsonld))

    @staticmethod
    def _by_lang(graph: Graph, s, p) -> dict[str, str]:
        return {o.language or "": str(o) for o in graph.objects(s, p) if isinstance(o, Literal)}

    def _ontology_term(self, graph: Graph, t: URIRef) -> dict:
        quads = [(p, o, None) for p, o in graph.predicate_objects(t)]
        return {"anchor": str(t).split("#")[1], "iri": str(t),
                "labels": self._by_lang(graph, t, RDFS.label) or self._by_lang(graph, t, SKOS.prefLabel),
                "definitions": self._by_lang(graph, t, SKOS.definition),
                "rows": self.rows(quads, skip={RDFS.label, SKOS.prefLabel, SKOS.definition})}


def editor_href(query: str) -> str:
    """A link that opens `query` in the SPARQL editor (and, without JavaScript, runs it)."""
    return f"{ENDPOINT}?{urlencode({'query': query})}"


#: Properties whose values are links, for the schema.org Dataset JSON-LD (strings there are IRIs).
_LINKS = ("url", "license", "contentUrl", "sameAs")


def dataset_jsonld(void: Graph, dataset: URIRef) -> bytes:
    """The data set as one schema.org `Dataset` object, as Google's Dataset search reads it.

    Built from the schema.org statements of the VoID/DCAT description (name, description, licence,
    creator, distributions with contentUrl and encodingFormat, spatial and temporal coverage, ...), with
    the nodes they name (creator, place, downloads) nested in place: the same facts, framed as one tree.
    """
    schema = str(SCHEMA._NS)
    plain: set[str] = set()  # terms with untagged strings: they get "@language": null in the context

    def literal(key: str, o: Literal) -> object:
        if o.datatype == XSD.boolean:
            return o.toPython()
        if o.language == "en":
            return str(o)
        if o.language is None and o.datatype is None:
            plain.add(key)
            return str(o)
        return {"@value": str(o), **({"@language": o.language} if o.language else {"@type": str(o.datatype)})}

    def node(s: URIRef, depth: int) -> dict:
        out: dict = {"@id": str(s)}
        types = sorted(str(o)[len(schema):] for o in void.objects(s, RDF.type) if str(o).startswith(schema))
        if types:
            out["@type"] = types[0] if len(types) == 1 else types
        for p, o in sorted(void.predicate_objects(s)):
            if not str(p).startswith(schema) or p == RDF.type:
                continue
            key = str(p)[len(schema):]
            if isinstance(o, Literal):
                value = literal(key, o)
            elif depth and key not in _LINKS and any(str(t).startswith(schema) for t in void.objects(o, RDF.type)):
                value = node(o, depth - 1)
            else:
                value = str(o)
            out.setdefault(key, []).append(value)
        return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in out.items()}

    tree = node(dataset, 1)
    context = {"@vocab": schema, "@language": "en", **{key: {"@type": "@id"} for key in _LINKS},
               **{key: {"@language": None} for key in sorted(plain)}}
    return json.dumps({"@context": context, **tree}, ensure_ascii=False).encode("utf-8")


def _script_safe(jsonld: bytes) -> str:
    """JSON-LD text safe inside <script>: nothing in it can end the element (`</script>`) or open a
    comment (`<!--`). `<`, `>` and `&` occur only inside JSON strings, where `\\u003c` etc. mean the
    same characters, so the JSON reads back unchanged (`<\\!` would be an invalid JSON escape)."""
    text = json.dumps(json.loads(jsonld), ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
