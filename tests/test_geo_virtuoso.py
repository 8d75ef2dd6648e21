"""Stores can use the coordinates: the N-Quads dump, loaded into a real Virtuoso 7 (the `virtuoso`
fixture of conftest.py), answers spatial queries with Virtuoso's own `bif:st_*` functions over the
GeoSPARQL WKT literals (Virtuoso reads `geo:wktLiteral` as geometries when it loads them)."""
from __future__ import annotations

from collections import Counter, defaultdict

import pyoxigraph
import pytest

from giigraph.cli import main

#: The test's own base, so its graphs never meet other tests' in the shared store.
BASE = "http://geo.test/giigraph/"
PREFIXES = """PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX schema: <http://schema.org/>
PREFIX gii: <https://w3id.org/giigraph/ontology#>
"""
#: Clusters whose every city lies in the box: the cluster's MULTIPOINT, its bounding box inside.
CLUSTERS_IN_BOX = PREFIXES + """SELECT ?cluster WHERE {{
  ?cluster a gii:Cluster ; geo:hasGeometry/geo:asWKT ?wkt .
  FILTER STRSTARTS(STR(?cluster), "{base}")
  BIND (bif:st_geomfromtext(STR(?wkt)) AS ?shape)
  FILTER (bif:st_xmin(?shape) >= {west} && bif:st_xmax(?shape) <= {east}
          && bif:st_ymin(?shape) >= {south} && bif:st_ymax(?shape) <= {north})
}}"""
#: The same question through the cities' POINTs: no city of the cluster outside the polygon.
CLUSTERS_WITH_NO_CITY_OUTSIDE = PREFIXES + """SELECT ?cluster WHERE {{
  ?cluster a gii:Cluster .
  FILTER STRSTARTS(STR(?cluster), "{base}")
  FILTER NOT EXISTS {{
    ?cluster schema:containsPlace/geo:hasGeometry/geo:asWKT ?wkt .
    FILTER (!bif:st_contains(bif:st_geomfromtext("POLYGON(({west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}))"),
                             bif:st_geomfromtext(STR(?wkt))))
  }}
}}"""
YANGTZE_RIVER_DELTA = {"west": 118, "east": 123, "south": 29, "north": 33}
KANTO = {"west": 139, "east": 140.5, "south": 35, "north": 36}


@pytest.fixture(scope="module")
def loaded(virtuoso, tmp_path_factory):
    """The dump built under BASE, one Graph Store Protocol PUT per named graph; dropped afterwards."""
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("geo") / "dist"
    result = CliRunner().invoke(main, ["build", "--base", BASE, "--out", str(out)])
    assert result.exit_code == 0, result.output
    graphs: dict[str, list[pyoxigraph.Triple]] = defaultdict(list)
    for quad in pyoxigraph.parse(path=str(out / "giigraph.nq"), format=pyoxigraph.RdfFormat.N_QUADS):
        graphs[quad.graph_name.value].append(quad.triple)
    try:
        for graph, triples in graphs.items():
            virtuoso.put_graph(graph, pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES))
        assert virtuoso.graph_counts(BASE) == Counter({g: len(t) for g, t in graphs.items()})
        yield virtuoso
    finally:
        virtuoso.drop(BASE)


def clusters(server, query: str, box: dict) -> set[str]:
    rows = server.query(query.format(base=BASE, **box)).json()["results"]["bindings"]
    return {row["cluster"]["value"].removeprefix(f"{BASE}id/cluster/") for row in rows}


def test_virtuoso_finds_the_clusters_within_a_box_around_the_yangtze_river_delta(loaded):
    assert clusters(loaded, CLUSTERS_IN_BOX, YANGTZE_RIVER_DELTA) == {"shanghai-suzhou", "nanjing", "hangzhou"}


def test_the_cities_points_give_the_same_clusters(loaded):
    assert clusters(loaded, CLUSTERS_WITH_NO_CITY_OUTSIDE, YANGTZE_RIVER_DELTA) == {"shanghai-suzhou", "nanjing",
                                                                                     "hangzhou"}


def test_another_box_finds_other_clusters(loaded):
    """Tokyo-Yokohama lies in the Kanto box; no cluster spans Kanto and somewhere else."""
    assert clusters(loaded, CLUSTERS_IN_BOX, KANTO) == {"tokyo-yokohama"}
    assert clusters(loaded, CLUSTERS_WITH_NO_CITY_OUTSIDE, KANTO) == {"tokyo-yokohama"}
