"""Charts of the Data Cube observations: one Vega-Lite spec per chart, each fed by a bundled query.

A chart's data is its query's answer as W3C SPARQL CSV. In a browser, Vega-Lite loads that CSV from
the server's own endpoint (`/sparql?format=csv&query=...`); `giigraph build` runs the same query and
hands the same CSV to `vl-convert` (Vega in Rust/Deno, no browser), which writes `dist/charts/*.svg`.
So the static picture and the live one are drawn from the same bytes by the same spec.
"""
from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from .query.library import bundled_query

if TYPE_CHECKING:
    import pyoxigraph

CHARTS_DIR = "charts"
#: The line of `queries/cluster-ranks.rq` that names its cluster; a cluster's page puts its own there.
CLUSTER_VALUES = "VALUES ?cluster { cluster:shanghai-suzhou }"
WIDTH = 520


@dataclass(frozen=True)
class Chart:
    """A picture of one bundled query's answer."""

    name: str  # the SVG's file name in dist/charts/ and the figure's id on a page
    query: str  # the bundled query (queries/{query}.rq)
    title: str
    description: str  # what it shows, for people who do not see it (alt text)
    spec: dict  # Vega-Lite, without its data
    parse: dict[str, str] = field(default_factory=dict)  # CSV column -> Vega type ("number", ...)
    mark: str = "symbol"  # the Vega mark drawing one data row: tests count them

    def query_text(self, cluster: str | None = None) -> str:
        """The query behind the chart; for the ranks chart, about `cluster` (an IRI) if given."""
        text = bundled_query(self.query).text
        if cluster is None:
            return text
        if CLUSTER_VALUES not in text:
            raise ValueError(f"queries/{self.query}.rq has no line {CLUSTER_VALUES!r} to name a cluster in")
        return text.replace(CLUSTER_VALUES, f"VALUES ?cluster {{ <{cluster}> }}")

    def vega_lite(self, data: dict) -> dict:
        return {"title": self.title, "description": self.description, "data": data, **self.spec}

    def with_csv(self, csv: str) -> dict:
        """The spec with its data inline (what vl-convert draws)."""
        return self.vega_lite({"values": csv, "format": {"type": "csv", "parse": self.parse}})

    def from_endpoint(self, endpoint: str, query: str) -> dict:
        """The spec with its data loaded from a SPARQL endpoint as CSV (what a browser draws)."""
        url = f"{endpoint}?{urlencode({'query': query, 'format': 'csv'})}"
        return self.vega_lite({"url": url, "format": {"type": "csv", "parse": self.parse}})


def _axis(title: str, **more) -> dict:
    return {"title": title, "labelFontSize": 11, "titleFontSize": 12, **more}


ECONOMIES = Chart(
    "clusters-per-economy-2023", "clusters-per-economy-2023",
    "Top-100 S&T clusters per economy, GII 2023",
    "One bar per economy and count: how many of the top 100 clusters of GII 2023 the economy hosts, and "
    "how many sources give that count. An economy with two bars is one the sources disagree on.",
    {"width": WIDTH, "height": {"step": 20},
     "transform": [{"calculate": "datum.name + ' (' + datum.sources + (datum.sources == 1 ? ' source)' : ' sources)')",
                    "as": "row"}],
     "layer": [
         {"mark": {"type": "bar", "tooltip": True},
          "encoding": {"color": {"field": "sources", "type": "quantitative", "title": "sources giving it",
                                 "scale": {"scheme": "blues", "domainMin": 0}}}},
         {"mark": {"type": "text", "align": "left", "dx": 3}, "encoding": {"text": {"field": "clusters"}}},
     ],
     "encoding": {"y": {"field": "row", "type": "nominal", "sort": {"field": "clusters", "order": "descending"},
                        "axis": _axis(None, labelLimit=320)},
                  "x": {"field": "clusters", "type": "quantitative", "axis": _axis("clusters in the top 100")}}},
    parse={"clusters": "number", "sources": "number"}, mark="rect",
)

PCT_VS_PUBLICATIONS = Chart(
    "pct-applications-and-publications-2023", "pct-applications-and-publications-2023",
    "PCT applications and scientific publications of the ranked clusters, GII 2023",
    "One point per cluster of WIPO's table: its scientific publications (across, log scale) against its "
    "PCT patent applications (up, log scale); the top ten are named.",
    {"width": WIDTH, "height": 380,
     "encoding": {"x": {"field": "publications", "type": "quantitative", "scale": {"type": "log"},
                        "axis": _axis("scientific publications (log scale)", format="~s")},
                  "y": {"field": "pctApplications", "type": "quantitative", "scale": {"type": "log"},
                        "axis": _axis("PCT applications (log scale)", format="~s")}},
     "layer": [
         {"mark": {"type": "point", "filled": True, "size": 60, "tooltip": {"content": "data"}},
          "encoding": {"color": {"field": "rank", "type": "quantitative", "title": "rank",
                                 "scale": {"scheme": "viridis", "reverse": True}}}},
         {"transform": [{"filter": "datum.rank <= 10"}],
          "mark": {"type": "text", "align": "left", "dx": 6, "dy": -4, "fontSize": 10},
          "encoding": {"text": {"field": "name"}}},
     ]},
    parse={"rank": "number", "pctApplications": "number", "publications": "number"},
)

CLUSTER_RANKS = Chart(
    "cluster-ranks", "cluster-ranks",
    "Ranks by edition and source",
    "One point per edition and source: the rank that source gives the cluster in that edition of the "
    "GII (1 is best). Points side by side in one edition are sources that agree.",
    {"width": 320, "height": 200,
     "mark": {"type": "point", "filled": True, "size": 90, "tooltip": {"content": "data"}},
     "encoding": {"x": {"field": "year", "type": "ordinal", "axis": _axis("GII edition", labelAngle=0)},
                  "xOffset": {"field": "source", "type": "nominal"},
                  "y": {"field": "rank", "type": "ordinal", "sort": "ascending", "axis": _axis("rank (1 is best)")},
                  "color": {"field": "source", "type": "nominal", "title": "source",
                            "legend": {"orient": "bottom", "columns": 1, "labelLimit": 400}}}},
    parse={"rank": "number", "year": "string"},
)

HOME_CHARTS = (ECONOMIES, PCT_VS_PUBLICATIONS)
CHARTS = (*HOME_CHARTS, CLUSTER_RANKS)


def svg(chart: Chart, csv: str) -> str:
    """The chart drawn as SVG by vl-convert (no browser, nothing fetched: the data is inline, and
    vl-convert may load no URL at all).

    Vega numbers gradients and clip paths across the whole process (`gradient_7`); they are
    numbered again per picture, so the same chart is the same bytes whatever was drawn before."""
    import vl_convert

    text = vl_convert.vegalite_to_svg(json.loads(json.dumps(chart.with_csv(csv))), allowed_base_urls=[])
    ids: dict[str, str] = {}
    for old in re.findall(r'id="([A-Za-z]+_\d+)"', text):
        kind = old.rsplit("_", 1)[0]
        ids.setdefault(old, f"{kind}_{sum(1 for i in ids if i.rsplit('_', 1)[0] == kind)}")
    if not ids:
        return text
    return re.sub(r'(?<=id=")[A-Za-z]+_\d+(?=")|(?<=#)[A-Za-z]+_\d+(?=\))',
                  lambda m: ids.get(m.group(0), m.group(0)), text)


#: What a chart was drawn from (the vl-convert that drew it, and the query's CSV answer), and the SVG drawn.
Drawing = tuple[str, str]


def write_charts(store: "pyoxigraph.Store", prefixes: Mapping[str, str], out: Path,
                 drawn: Mapping[str, Drawing] | None = None) -> dict[str, Drawing]:
    """Every chart as `out/{name}.svg` (the ranks chart for the cluster its bundled query names); each
    chart's drawing, by name.

    `store`: an Oxigraph store whose default graph is the union of the dataset's graphs, as a set
    (`Quads.union_store`: the one validation loaded), which is the default graph `giigraph query`
    gives; the charts' queries name no graph. They are ours and need no safety check, so they run on
    pyoxigraph directly, and the CSV is pyoxigraph's (the endpoint's bytes): the build path stays free
    of rdflib. `drawn`: the drawings of a build before (`Rebuild.left`): a chart whose answer is the
    same, drawn by the same vl-convert, is that SVG (drawing starts a JavaScript engine: 0.4 s)."""
    import pyoxigraph as ox
    from vl_convert import __version__ as drawer

    out.mkdir(parents=True, exist_ok=True)
    drawings = {}
    for chart in CHARTS:
        answer = io.BytesIO()
        store.query(chart.query_text(), prefixes=dict(prefixes)).serialize(answer, ox.QueryResultsFormat.CSV)
        csv = answer.getvalue().decode("utf-8")
        source = f"{drawer}\n{csv}"
        before = (drawn or {}).get(chart.name)
        picture = before[1] if before is not None and before[0] == source else svg(chart, csv)
        (out / f"{chart.name}.svg").write_text(picture, encoding="utf-8")
        drawings[chart.name] = (source, picture)
    return drawings
