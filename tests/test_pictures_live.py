"""The pictures in a real browser: map, charts and the SPARQL editor in headless Chromium, on a real
`giigraph serve`, with every request the pages make recorded (none may leave the server)."""
from __future__ import annotations

import json
import os
import re
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import require_tool
from test_serve_live import ARTIFACTS, CHROMIUM_FLAGS, server  # noqa: F401  (the server fixture)

CLAIM = "/doc/claim/three-of-top-five-in-china"


def rows(server: str, query: str, cluster: str | None = None) -> list[dict]:
    """A bundled query's answer from the endpoint, as the charts load it."""
    from giigraph.charts import CHARTS

    chart = next(c for c in CHARTS if c.query == query)
    spec = chart.from_endpoint(server + "/sparql", chart.query_text(cluster))
    with urllib.request.urlopen(spec["data"]["url"], timeout=30) as r:
        return list(__import__("csv").DictReader(r.read().decode().splitlines()))


@pytest.fixture(scope="module")
def browser():
    chromium = require_tool(shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium"),
                            "chromium")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


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
    located = rows(server, "cluster-locations-2023") if False else None
    economies = rows(server, "clusters-per-economy-2023")
    scatter = rows(server, "pct-applications-and-publications-2023")
    assert len(economies) >= 10 and len(scatter) >= 35
    figures = page.locator("figure.chart[data-drawn=true]")
    expect(figures).to_have_count(2)
    bars = page.locator("#chart-clusters-per-economy-2023 g.mark-rect.role-mark path")
    expect(bars).to_have_count(len(economies))
    points = page.locator("#chart-pct-applications-and-publications-2023 g.mark-symbol.role-mark path")
    expect(points).to_have_count(len(scatter))
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
