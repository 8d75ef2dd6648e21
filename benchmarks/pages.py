"""What the home page costs a browser: bytes transferred and time to a rendered map and charts.

Starts `giigraph serve` on a free loopback port and opens the home page in headless Chromium
(the Debian package, through Playwright), RUNS times with an empty cache and RUNS times again with
the cache the first visit filled (the static files are immutable for a year). Prints, per visit:
the bytes on the wire (Chromium's encodedDataLength: compressed bodies plus headers), the number of
requests, and the time from navigation start to the map's markers drawn over the basemap and to
both charts drawn (medians). Then what a page read without JavaScript waits for its cluster's ranks
chart, which the server draws on first request: the first drawing (vl-convert starting), each other
cluster's first drawing, and a drawing asked for again (kept), as medians over CLUSTERS clusters.

    .venv/bin/python benchmarks/pages.py [--runs 5]

Figures are for comparison within one run: the machine is shared and noisy.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
import urllib.request

from serve_bench import start_giigraph

MAP_DRAWN = "() => document.querySelector('#cluster-map')?.dataset.markers !== undefined"
CHARTS_DRAWN = "() => document.querySelectorAll('figure.chart[data-drawn=true]').length == 2"
CLUSTERS = ("tokyo-yokohama", "shenzhen-hong-kong-guangzhou", "seoul", "beijing", "nanjing", "wuhan", "hangzhou",
            "chengdu")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--no-proxy-server"]


def visit(context, url: str) -> dict:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    transferred, requests = [0], [0]
    cdp.on("Network.loadingFinished", lambda e: transferred.__setitem__(0, transferred[0] + e["encodedDataLength"]))
    cdp.on("Network.requestWillBeSent", lambda e: requests.__setitem__(0, requests[0] + 1))
    page.goto(url)
    has_map = page.locator("#cluster-map").count() > 0
    if has_map:
        page.wait_for_function(MAP_DRAWN, polling=5)
    map_ms = page.evaluate("performance.now()") if has_map else None
    page.wait_for_function(CHARTS_DRAWN, polling=5)
    charts_ms = page.evaluate("performance.now()")
    page.wait_for_load_state("networkidle")
    markers = page.locator(".leaflet-marker-icon").count()
    page.close()
    return {"bytes": transferred[0], "requests": requests[0], "map_ms": map_ms, "charts_ms": charts_ms,
            "markers": markers}


def ranks_svg_ms(url: str, cluster: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(f"{url}/charts/cluster-ranks/id/cluster/{cluster}.svg", timeout=60) as r:
        assert r.read().startswith(b"<svg")
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if not chromium:
        sys.exit("chromium is not installed (make tools)")
    from playwright.sync_api import sync_playwright

    proc, url = start_giigraph(0)  # the server on core 0, Chromium wherever the system puts it
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=FLAGS)
            results = {"empty cache": [], "cached": []}
            for _ in range(args.runs):
                context = browser.new_context(viewport={"width": 1280, "height": 1000})
                results["empty cache"].append(visit(context, url + "/"))
                results["cached"].append(visit(context, url + "/"))
                context.close()
            browser.close()
        first = ranks_svg_ms(url, CLUSTERS[0])
        drawn = [ranks_svg_ms(url, c) for c in CLUSTERS[1:]]
        kept = [ranks_svg_ms(url, c) for c in CLUSTERS[1:]]
    finally:
        proc.terminate()
        proc.wait(15)
    print(f"home page of {url}/ in headless Chromium, {args.runs} visits each (medians)")
    print(f"{'visit':12} {'requests':>8} {'transferred':>12} {'map drawn':>10} {'charts drawn':>13} {'markers':>8}")
    for name, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) if runs[0][k] is not None else None for k in runs[0]}
        shown = f"{med['map_ms']:.0f} ms" if med["map_ms"] is not None else "no map"
        print(f"{name:12} {med['requests']:>8.0f} {med['bytes'] / 1e6:>9.3f} MB {shown:>10} "
              f"{med['charts_ms']:>10.0f} ms {med['markers']:>8.0f}")
    print(f"a cluster's ranks SVG (no JavaScript): first drawing {first:.0f} ms, another cluster's "
          f"{statistics.median(drawn):.0f} ms, asked again {statistics.median(kept):.0f} ms "
          f"(medians over {len(drawn)} clusters)")


if __name__ == "__main__":
    main()
