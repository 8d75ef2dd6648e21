"""The home page and the /dataset page embed the data set as schema.org `Dataset` JSON-LD that meets
Google's Dataset requirements (name, description; licence, creator, distributions with a download URL
and a format, spatial and temporal coverage), and says only what the VoID/DCAT description says."""
from __future__ import annotations

import json
import re

import pytest
from pyld import jsonld
from rdflib import Graph, URIRef
from starlette.testclient import TestClient

from giigraph.serve.app import create_app
from giigraph.serve.site import load_site
from giigraph.serve.workers import Limits

BASE = "https://w3id.org/giigraph/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SCRIPT = re.compile(r'<script type="application/ld\+json">\s*(.*?)\s*</script>', re.S)


@pytest.fixture(scope="module")
def site():
    return load_site()


@pytest.fixture(scope="module")
def client(site):
    with TestClient(create_app(site, Limits(timeout=5))) as c:
        yield c


def dataset_objects(page: str) -> list[dict]:
    blocks = [json.loads(text.replace("<\\/", "</")) for text in SCRIPT.findall(page)]
    return [b for b in blocks if b.get("@type") == "Dataset"]


@pytest.mark.parametrize("path", ["/", "/dataset"])
def test_page_embeds_a_google_dataset(client, site, path):
    r = client.get(path, headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    (ds,) = dataset_objects(r.text)
    assert ds["@id"] == BASE + "dataset"
    assert ds["name"].startswith("giigraph") and 50 <= len(ds["description"]) <= 5000
    assert ds["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert ds["creator"]["@type"] == "Organization" and ds["creator"]["name"]
    years = sorted(str(y) for (y,) in site.union.query(
        "SELECT DISTINCT ?y WHERE { ?o <https://w3id.org/giigraph/ontology#edition> ?e . ?e <http://purl.org/dc/terms/issued> ?y }"))
    assert ds["temporalCoverage"] == f"{years[0]}/{years[-1]}"  # the editions the data holds figures of
    assert ds["spatialCoverage"]["@type"] == "Place" and ds["spatialCoverage"]["name"]
    assert ds["keywords"] and ds["isAccessibleForFree"] is True
    downloads = ds["distribution"]
    assert len(downloads) == 6
    for d in downloads:
        assert d["@type"] == "DataDownload" and d["contentUrl"].startswith(BASE + "dumps/giigraph.")
        assert d["encodingFormat"] in {"text/turtle", "application/ld+json", "application/n-triples",
                                       "application/trig", "application/n-quads", "application/rdf+xml"}


def test_the_json_ld_says_only_what_the_void_says(client, site):
    (ds,) = dataset_objects(client.get("/", headers={"Accept": BROWSER}).text)
    nquads = jsonld.to_rdf(ds, {"format": "application/n-quads"})
    embedded = Graph().parse(data=nquads, format="nt")
    assert len(embedded) > 40
    assert not [t for t in embedded if t not in site.void]
    assert (URIRef(BASE + "dataset"), URIRef("http://schema.org/distribution"),
            URIRef(BASE + "dumps/giigraph.nq")) in embedded


def test_other_pages_embed_no_dataset(client):
    page = client.get("/id/cluster/shanghai-suzhou", headers={"Accept": BROWSER}, follow_redirects=True).text
    assert SCRIPT.findall(page) and not dataset_objects(page)
