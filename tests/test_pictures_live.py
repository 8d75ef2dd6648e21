"""The pictures in a real browser: map, charts and the SPARQL editor in headless Chromium, on a real
`giigraph serve`, with every request the pages make recorded (none may leave the server)."""
from __future__ import annotations

import csv
import re
import urllib.parse
import urllib.request

import pytest

from conftest import chromium_browser
from test_serve_live import ARTIFACTS, server  # noqa: F401  (the server fixture)

CLAIM = "/doc/claim/three-of-top-five-in-china"


def rows(server: str, query: str, cluster: str | None = None) -> list[dict]:
    """A bundled query's answer from the endpoint, as CSV, as the charts load it."""
    from giigraph.charts import CLUSTER_RANKS
    from giigraph.query.library import bundled_query

    text = CLUSTER_RANKS.query_text(cluster) if cluster else bundled_query(query).text
    url = f"{server}/sparql?{urllib.parse.urlencode({'query': text, 'format': 'csv'})}"
    with urllib.request.urlopen(url, timeout=30) as r:
        return list(csv.DictReader(r.read().decode().splitlines()))


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_browser() as browser:
        yield browser


class Recorder:
    """Every request a page makes and every console message, to check nothing leaves the server."""

    def __init__(self, page, server: str) -> None:
        self.server, self.requests, self.console, self.failed = server, [], [], []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        page.on("requestfailed", lambda r: self.failed.append(r.url))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))

    def check(self) -> None:
        foreign = [u for u in self.requests if not (u.startswith(self.server + "/") or u.startswith(("data:", "blob:")))]
        assert foreign == [], f"requests to other hosts: {foreign}"
        assert self.failed == [], f"failed requests: {self.failed}"
        assert not [m for m in self.console if m.startswith(("error", "pageerror"))], self.console


def test_home_page_map_and_charts(server, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    seen = Recorder(page, server)
    page.goto(server + "/")
    economies = rows(server, "clusters-per-economy-2023")
    scatter = rows(server, "pct-applications-and-publications-2023")
    assert len(economies) >= 10 and len(scatter) >= 35
    figures = page.locator("figure.chart[data-drawn=true]")
    expect(figures).to_have_count(2)
    bars = page.locator("#chart-clusters-per-economy-2023 g.mark-rect.role-mark path")
    expect(bars).to_have_count(len(economies))
    points = page.locator("#chart-pct-applications-and-publications-2023 g.mark-symbol.role-mark path")
    expect(points).to_have_count(len(scatter))

    located = rows(server, "cluster-locations-2023")
    assert len(located) >= 35, "the ranked clusters have coordinates"
    page.wait_for_function("document.querySelector('#cluster-map').dataset.markers !== undefined")
    markers = page.locator("#cluster-map .leaflet-marker-icon")
    expect(markers).to_have_count(len(located))
    expect(page.locator("#cluster-map path.leaflet-interactive, #cluster-map svg path")).not_to_have_count(0)  # land
    listed = page.locator(".map-list ol.clusters > li")  # the text the map draws, for screen readers
    expect(listed).to_have_count(len(located))
    expect(listed.first).to_contain_text(located[0]["name"])
    page.locator("#cluster-map").focus()  # keyboard: Tab reaches the first marker, Enter opens its popup
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('place-marker')")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith(located[0]["name"])
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(f"rank {located[0]['rank']} in GII 2023")
    assert popup.get_by_role("link").get_attribute("href") == located[0]["cluster"].replace(
        "https://w3id.org/giigraph", "")
    page.screenshot(path=str(ARTIFACTS / "home-pictures.png"), full_page=True)
    seen.check()
    assert any("/sparql?" in u and "format=csv" in u for u in seen.requests), "charts load their query's answer"
    page.close()


def test_sparql_editor_runs_a_bundled_question(server, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    seen = Recorder(page, server)
    page.goto(server + "/sparql")
    expect(page.locator("#yasgui .CodeMirror")).to_be_visible()
    expect(page.locator("form.query")).to_be_hidden()  # the plain form is for pages without JavaScript
    page.screenshot(path=str(ARTIFACTS / "sparql-editor-start.png"), full_page=True)
    text = page.evaluate("document.querySelector('#yasgui .CodeMirror').CodeMirror.getValue()")
    assert "PREFIX gii: <https://w3id.org/giigraph/ontology#>" in text, text
    page.get_by_role("link", name=re.compile("top five of the GII 2023")).click()
    table = page.locator("#yasgui .yasr table.dataTable tbody tr")
    expect(table).to_have_count(6)
    expect(table.last).to_contain_text("Shanghai-Suzhou")
    page.screenshot(path=str(ARTIFACTS / "sparql-editor.png"), full_page=True)
    seen.check()
    queries = [u for u in seen.requests if u.startswith(server + "/sparql")]
    assert queries, "the editor asked this server's endpoint"
    page.close()


def test_cluster_page_ranks_chart_and_claim_queries(server, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    seen = Recorder(page, server)
    page.goto(server + "/doc/cluster/shanghai-suzhou.html")
    ranks = rows(server, "cluster-ranks")  # the bundled query is about Shanghai-Suzhou
    assert {r["rank"] for r in ranks} == {"5", "6"}
    expect(page.locator("figure.chart[data-drawn=true]")).to_have_count(1)
    expect(page.locator("#chart-cluster-ranks g.mark-symbol.role-mark path")).to_have_count(len(ranks))
    page.wait_for_function("document.querySelector('#cluster-map').dataset.markers !== undefined")
    expect(page.locator("#cluster-map .leaflet-marker-icon")).to_have_count(2)  # Shanghai and Suzhou
    cities = page.locator("section.location ul.cities > li")  # the list the map draws
    expect(cities).to_have_count(2)
    expect(cities.first).to_contain_text("Shanghai")
    page.screenshot(path=str(ARTIFACTS / "shanghai-suzhou-pictures.png"), full_page=True)

    page.goto(server + "/doc/cluster/tokyo-yokohama.html")  # another cluster: its own ranks
    tokyo = rows(server, "cluster-ranks", "https://w3id.org/giigraph/id/cluster/tokyo-yokohama")
    assert tokyo and {r["rank"] for r in tokyo} == {"1"}
    expect(page.locator("#chart-cluster-ranks g.mark-symbol.role-mark path")).to_have_count(len(tokyo))

    page.goto(server + CLAIM)
    blocks = page.locator("details.query")
    expect(blocks).to_have_count(3)  # support and contradiction tests, evidence query: collapsed
    expect(blocks.first.locator("pre")).to_be_hidden()
    blocks.first.locator("summary").click()
    expect(blocks.first.locator("pre")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "claim.png"), full_page=True)
    blocks.first.get_by_role("link", name="Open in the SPARQL editor").click()
    # the first block is the contradiction test (properties sort by label): ASK, false for a supported claim
    expect(page.locator("#yasgui .yasr")).to_contain_text("False")
    seen.check()
    page.close()


def test_pages_without_javascript_show_the_built_svg(server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    seen = Recorder(page, server)
    page.goto(server + "/")
    images = page.locator("figure.chart img")
    assert images.count() == 2
    for i in range(2):
        src = images.nth(i).get_attribute("src")
        assert src.startswith("/charts/") and src.endswith(".svg")
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 300")
    for cluster in ("tokyo-yokohama", "chengdu"):  # clusters the build draws no chart for
        page.goto(f"{server}/doc/cluster/{cluster}.html")
        image = page.locator("#chart-cluster-ranks img")
        assert image.get_attribute("src") == f"/charts/cluster-ranks/id/cluster/{cluster}.svg"
        image.evaluate("img => img.decode()")
        assert image.evaluate("img => img.naturalWidth > 300")
        drawn = page.request.get(server + image.get_attribute("src")).text()
        marks = re.search(r'<g class="mark-symbol role-mark[^"]*"[^>]*>(.*?)</g>', drawn, re.S).group(1)
        observations = rows(server, "cluster-ranks", f"https://w3id.org/giigraph/id/cluster/{cluster}")
        assert marks.count("<path") == len(observations) > 0  # one mark per rank observation
        assert all(f">{r['year']}</text>" in drawn for r in observations)  # the editions, as text
        page.screenshot(path=str(ARTIFACTS / f"{cluster}-without-javascript.png"), full_page=True)
    page.goto(server + "/sparql?" + urllib.parse.urlencode({"query": "SELECT ?c WHERE { ?c a gii:Cluster } LIMIT 3"}))
    assert page.locator("table.results tbody tr").count() == 3  # the plain form and its results
    page.screenshot(path=str(ARTIFACTS / "home-without-javascript.png"))
    seen.check()
    context.close()
