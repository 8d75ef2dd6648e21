"""The charts: their bundled queries answer as the tables say, `giigraph build` draws one mark per row,
the same bytes on every run, and the README shows what the build draws."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import yaml

from giigraph.charts import CHARTS, CLUSTER_RANKS, CLUSTER_VALUES, ECONOMIES, PCT_VS_PUBLICATIONS, svg, write_charts
from giigraph.query.run import dataset_prefixes, run_query
from giigraph.resources import DATA_DIR

ROOT = Path(__file__).resolve().parents[1]
WIPO_TABLE = next(s["url"] for s in yaml.safe_load((DATA_DIR / "curated" / "cited-sources.yaml").read_text())["cited_sources"]
                  if s["id"] == "gii-2023-appendix-table-3")


def table(name: str) -> list[dict]:
    return list(csv.DictReader((DATA_DIR / "tables" / name).open(encoding="utf-8")))


@pytest.fixture(scope="module")
def answers(dataset):
    """Each chart's answer, as CSV (what vl-convert and the browser draw), on the Oxigraph engine."""
    from giigraph.query.engines import open_engine
    from giigraph.query.parse import parse_query

    prefixes = dataset_prefixes()
    engine = open_engine("oxigraph", dataset, prefixes)
    found = {}
    for chart in CHARTS:
        out = io.BytesIO()
        engine.write(parse_query(chart.query_text(), prefixes), "csv", out)
        found[chart.name] = out.getvalue().decode()
    return found


def test_pct_and_publications_are_wipos_table_rows(answers):
    got = {(int(r["rank"]), int(r["pctApplications"]), int(r["publications"]))
           for r in csv.DictReader(answers[PCT_VS_PUBLICATIONS.name].splitlines())}
    expected = {(int(r["rank"]), int(r["pct_applications"]), int(r["publications"])) for r in table("cluster-figures.csv")
                if r["edition"] == "gii-2023" and r["source"] == WIPO_TABLE and r["pct_applications"] and r["publications"]}
    assert got == expected and len(got) >= 35


def test_cluster_ranks_name_each_source_and_edition(dataset, answers):
    got = {(r["year"], r["rank"], r["source"]) for r in csv.DictReader(answers[CLUSTER_RANKS.name].splitlines())}
    assert ("2023", "5", "World Intellectual Property Organization") in got  # WIPO's table
    assert ("2023", "5", "China Intellectual Property News") in got  # the article
    assert ("2022", "6", "China Intellectual Property News") in got
    assert {(year, rank) for year, rank, _ in got} == {("2022", "6"), ("2023", "5")}
    tokyo = run_query(dataset, CLUSTER_RANKS.query_text("https://w3id.org/giigraph/id/cluster/tokyo-yokohama"),
                      prefixes=dataset_prefixes())
    assert {int(row[1]) for row in tokyo.rows} == {1}


def test_the_ranks_query_names_its_cluster_on_one_line():
    assert CLUSTER_RANKS.query_text().count(CLUSTER_VALUES) == 1
    with pytest.raises(ValueError):
        PCT_VS_PUBLICATIONS.query_text("https://w3id.org/giigraph/id/cluster/tokyo-yokohama")


@pytest.mark.parametrize("chart", CHARTS, ids=lambda c: c.name)
def test_svg_has_one_mark_per_row_and_is_the_same_bytes_every_time(chart, answers):
    rows = len(answers[chart.name].splitlines()) - 1
    drawn = svg(chart, answers[chart.name])
    assert drawn.startswith("<svg") and chart.title.replace("&", "&amp;") in drawn
    group = re.search(rf'<g class="mark-{chart.mark} role-mark[^"]*"[^>]*>(.*?)</g>', drawn, re.S).group(1)
    assert group.count("<path") == rows > 0
    svg(ECONOMIES, answers[ECONOMIES.name])  # drawing something else in between changes nothing
    assert svg(chart, answers[chart.name]) == drawn


def test_the_readme_shows_the_charts_the_build_draws(tmp_path):
    import giigraph

    drawn = write_charts(giigraph.build_quads().union_store(), dataset_prefixes(), tmp_path)
    readme = (ROOT / "README.md").read_text()
    for path in (tmp_path / f"{name}.svg" for name in drawn):
        shown = ROOT / "docs" / "charts" / path.name
        assert f"](docs/charts/{path.name})" in readme, f"the README does not show {path.name}"
        assert shown.read_bytes() == path.read_bytes(), \
            f"docs/charts/{path.name} is out of date: giigraph build, then copy dist/charts/*.svg to docs/charts/"


def test_chart_queries_are_bundled_and_open_with_their_question():
    from giigraph.query.library import bundled_query

    for chart in CHARTS:
        assert bundled_query(chart.query).question.endswith("?")


def test_a_chart_whose_answer_is_the_same_is_not_drawn_again(tmp_path, monkeypatch):
    """A rebuild gives the drawings of the build before (`Rebuild.left`): a chart whose CSV answer and
    vl-convert are the same is that SVG, byte for byte; another answer, or another vl-convert, is drawn."""
    import giigraph
    from giigraph import charts

    store = giigraph.build_quads().union_store()
    first = write_charts(store, dataset_prefixes(), tmp_path / "first")
    drawn_again = []
    real_svg = charts.svg
    monkeypatch.setattr(charts, "svg", lambda chart, csv: drawn_again.append(chart.name) or real_svg(chart, csv))
    again = write_charts(store, dataset_prefixes(), tmp_path / "again", first)
    assert again == first and drawn_again == []
    assert all((tmp_path / "again" / f"{n}.svg").read_bytes() == (tmp_path / "first" / f"{n}.svg").read_bytes()
               for n in first)
    stale = {ECONOMIES.name: (first[ECONOMIES.name][0] + "another row\n", "<svg>old</svg>"),
             PCT_VS_PUBLICATIONS.name: ("vl-convert 0.0\n" + first[PCT_VS_PUBLICATIONS.name][0].split("\n", 1)[1],
                                        "<svg>old</svg>")}
    assert write_charts(store, dataset_prefixes(), tmp_path / "third", {**first, **stale}) == first
    assert sorted(drawn_again) == sorted(stale)
