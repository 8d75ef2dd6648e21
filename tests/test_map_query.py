"""The map's query: one point per cluster ranked in GII 2023, at the mean of its cities' coordinates as
the curators give them (data/curated/places.yaml), read here directly with PyYAML."""
from __future__ import annotations

import pytest
import yaml
from rdflib import URIRef

from giigraph.query.library import bundled_query
from giigraph.query.run import dataset_prefixes, run_query
from giigraph.resources import DATA_DIR
from giigraph.vocab import GII

BASE = "https://w3id.org/giigraph/"
GII_2023 = URIRef(BASE + "id/report/gii-2023")


def test_each_ranked_cluster_is_at_the_mean_of_its_cities(dataset, graph):
    places = yaml.safe_load((DATA_DIR / "curated" / "places.yaml").read_text(encoding="utf-8"))
    located = {c["id"]: (c["lat"], c["long"]) for c in places["cities"] if c.get("lat") is not None}
    clusters = yaml.safe_load((DATA_DIR / "curated" / "clusters.yaml").read_text(encoding="utf-8"))["clusters"]
    ranked = {str(c) for obs in graph.subjects(GII.edition, GII_2023) if graph.value(obs, GII.rank) is not None
              for c in graph.objects(obs, GII.cluster)}
    expected = {}
    for cluster in clusters:
        iri = f"{BASE}id/cluster/{cluster['id']}"
        points = [located[c] for c in cluster["cities"] if c in located]
        if iri in ranked and points:
            expected[iri] = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    result = run_query(dataset, bundled_query("cluster-locations-2023").text, prefixes=dataset_prefixes())
    got = {str(row["cluster"]): (float(row["latitude"]), float(row["longitude"])) for row in result.bindings()}
    assert len(expected) >= 35, "the ranked clusters have coordinates"
    assert got.keys() == expected.keys()
    for iri, (lat, long) in expected.items():
        assert got[iri] == (pytest.approx(lat, abs=1e-9), pytest.approx(long, abs=1e-9)), iri
    ranks = [int(row["rank"]) for row in result.bindings()]
    assert ranks == sorted(ranks) and ranks[0] == 1
