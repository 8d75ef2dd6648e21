"""What the server publishes, assembled once at start-up and never changed while it runs.

The dumps and the VoID/DCAT description are the very bytes `giigraph build` writes (built through
`build_dist`, which refuses data that does not conform to the shapes), so what is served and what
is downloaded cannot drift apart. Pages and documents are views of this object.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS

from .. import __version__, build, build_dist
from ..config import resolve_base
from ..export import VOID_FILE, dataset_iri
from ..query.library import bundled_query
from ..query.run import dataset_prefixes, run_query
from ..resources import ONTOLOGY_FILE
from ..vocab import CC, DATA_LICENSE, GII, ONTOLOGY_IRI, SCHEMA

MAP_QUERY = "cluster-locations-2023"  # the bundled query behind the home page's map
LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, SCHEMA.name, DCTERMS.title, FOAF.name, SCHEMA.headline)

# The latest edition whose number one is in the data (a source may give a single later rank).
TOP_CLUSTERS_QUERY = """
SELECT DISTINCT ?cluster ?rank ?edition WHERE {
  { SELECT (MAX(?y) AS ?year) WHERE { ?o a gii:RankObservation ; gii:edition/dcterms:issued ?y ; gii:rank 1 } }
  ?obs a gii:RankObservation ; gii:cluster ?cluster ; gii:edition ?edition ; gii:rank ?rank .
  ?edition dcterms:issued ?year .
} ORDER BY ?rank LIMIT 5
"""


@dataclass
class Site:
    """The dataset and everything published beside it, under one base IRI."""

    base: str
    dataset: Dataset
    ontology: Graph
    void: Graph
    files: dict[str, bytes]
    licence: str = str(DATA_LICENSE)
    licence_name: str = "CC BY 4.0"
    version: str = __version__
    _labels: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for graph in (self.union, self.ontology, self.void):
            for prop in LABEL_PROPERTIES:
                for s, label in graph.subject_objects(prop):
                    if isinstance(label, Literal):
                        self._labels.setdefault(str(s), {}).setdefault(label.language or "", str(label))

    # --- identity ------------------------------------------------------------------------------------
    @cached_property
    def prefixes(self) -> dict[str, str]:
        """The prefixes predeclared in queries: the dataset's, plus one per kind of our resources."""
        return dataset_prefixes(self.base)

    @cached_property
    def graph_names(self) -> frozenset[str]:
        return frozenset(str(g.identifier) for g in self.dataset.graphs() if len(g))

    @cached_property
    def union(self) -> Graph:
        from ..rdfio import union

        return union(self.dataset)

    @cached_property
    def dataset_iri(self) -> str:
        return str(dataset_iri(self.base))

    @cached_property
    def nquads(self) -> bytes:
        return self.files["giigraph.nq"]

    def iri_for_path(self, path: str) -> str:
        """The IRI a request path names under the served base."""
        return self.base + path.lstrip("/")

    def href(self, iri: str) -> str:
        """Where a page links for an IRI: a local path for ours, the IRI itself for the rest."""
        if iri.startswith(self.base):
            return "/" + iri[len(self.base):]
        if iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_IRI + "#"):
            return "/ontology" + iri[len(ONTOLOGY_IRI):]
        return iri

    @cached_property
    def known(self) -> frozenset[str]:
        """Every IRI under the base that the data, the VoID description or the graph names use."""
        iris = set(self.graph_names)
        for graph in (self.union, self.void):
            for s, p, o in graph:
                iris.update(str(t) for t in (s, o) if isinstance(t, URIRef))
        return frozenset(i.split("#")[0] for i in iris if i.startswith(self.base))

    # --- labels ----------------------------------------------------------------------------------------
    def labels(self, iri: str) -> dict[str, str]:
        return self._labels.get(iri, {})

    def label(self, iri: str, lang: str = "en") -> str:
        """A name for people: the label in `lang`, else untagged, else any, else a prefixed name."""
        labels = self.labels(iri)
        for key in (lang, ""):
            if key in labels:
                return labels[key]
        return next(iter(labels.values()), None) or self.curie(iri)

    def curie(self, iri: str) -> str:
        best = max(((p, ns) for p, ns in self.prefixes.items() if iri.startswith(ns)),
                   key=lambda item: len(item[1]), default=None)
        return f"{best[0]}:{iri[len(best[1]):]}" if best else iri

    # --- what the home page shows ----------------------------------------------------------------------
    @cached_property
    def top_clusters(self) -> list[tuple[str, int, str]]:
        """(cluster IRI, rank, edition IRI) of the five best-ranked clusters in the latest edition."""
        result = run_query(self.dataset, TOP_CLUSTERS_QUERY, engine="rdflib", prefixes=self.prefixes)
        return [(str(c), int(r), str(e)) for c, r, e in result.rows]

    @cached_property
    def cluster_locations(self) -> list[dict]:
        """The ranked clusters with coordinates, as the bundled query the home page's map draws gives them."""
        result = run_query(self.dataset, bundled_query(MAP_QUERY).text, engine="oxigraph", prefixes=self.prefixes)
        return [{"iri": str(row["cluster"]), "name": str(row["name"]), "rank": int(row["rank"]),
                 "share": float(row["totalShare"]) if row.get("totalShare") is not None else None,
                 "lat": float(row["latitude"]), "long": float(row["longitude"])} for row in result.bindings()]

    def has_ranks(self, cluster: str) -> bool:
        return any(self.union.value(o, GII.rank) is not None for o in self.union.subjects(GII.cluster, URIRef(cluster)))

    @cached_property
    def counts(self) -> dict[str, int]:
        union = self.union
        return {"triples": len(union), "quads": len(self.dataset),
                "resources": len(set(union.subjects())), "graphs": len(self.graph_names)}

    @cached_property
    def by_type(self) -> list[tuple[str, list[str]]]:
        """Our classes and the resources of each, for browsing from the home page."""
        classes = sorted(set(self.ontology.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class"))),
                         key=lambda c: self.label(str(c)))
        listing = []
        ours = [c for c in classes if str(c).startswith(ONTOLOGY_IRI + "#")]
        for cls in [*ours, SCHEMA.Person, SCHEMA.Organization, SCHEMA.City, SCHEMA.Event]:
            members = sorted({str(s) for s in self.union.subjects(RDF.type, cls)}, key=self.label)
            if members:
                listing.append((str(cls), members))
        return listing

    @cached_property
    def sources(self) -> list[tuple[str, str, str]]:
        """(IRI, publisher, date) of what the data was read in: what the dataset prov:wasDerivedFrom."""
        found = []
        for src in sorted(self.void.objects(URIRef(self.dataset_iri), PROV.wasDerivedFrom)):
            if (src, RDF.type, SCHEMA.NewsArticle) not in self.union:  # GeoNames is credited apart
                continue
            publisher = self.union.value(src, SCHEMA.publisher)
            published = self.union.value(src, SCHEMA.datePublished)
            found.append((str(src), self.label(str(publisher)) if publisher else "",
                          str(published)[:10] if published else ""))
        return found

    @cached_property
    def credits(self) -> list[tuple[str, str, str, str]]:
        """(name, URL, licence IRI, licence name) of each other data set the data draws on whose
        licence asks for attribution (GeoNames), as the VoID credits it."""
        void, found = self.void, []
        for src in sorted(void.objects(URIRef(self.dataset_iri), PROV.wasDerivedFrom)):
            name = void.value(src, CC.attributionName)
            if name is not None:
                licence = str(void.value(src, DCTERMS.license))
                found.append((str(name), str(void.value(src, CC.attributionURL)), licence,
                              self.licence_name if licence == self.licence else licence))
        return found


def load_site(base: str | None = None, data_dir: Path | None = None) -> Site:
    """Build, validate and export the dataset in memory; raises ValidationFailed if it does not conform."""
    base = resolve_base(base)
    with tempfile.TemporaryDirectory(prefix="giigraph-serve-") as tmp:
        out = Path(tmp) / "dist"
        files = {path.relative_to(out).as_posix(): path.read_bytes() for path in build_dist(out, base, data_dir)}
    void = Graph().parse(data=files[VOID_FILE], format="turtle")
    ontology = Graph().parse(ONTOLOGY_FILE, format="turtle")
    return Site(base, build(base, data_dir), ontology, void, files)

