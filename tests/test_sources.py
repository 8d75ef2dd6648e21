"""Curated data errors: each is one line naming file and line, exit 2, and nothing is written."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from giigraph.cli import main

ARTICLE = "sources/cnipnews-2023-10-08.yaml"


def _edit(data: Path, name: str, old: str, new: str) -> None:
    path = data / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(data: Path, name: str, needle: str) -> int:
    """Line of the last occurrence of needle (a duplicate is reported where it repeats)."""
    lines = (data / name).read_text(encoding="utf-8").splitlines()
    return max(i for i, line in enumerate(lines, 1) if needle in line)


CASES = {
    "malformed YAML": ("curated/places.yaml", "  - id: tokyo\n", "  - id: tokyo\n   bad: [\n",
                       "bad: [", "malformed YAML"),
    "dangling reference": ("curated/clusters.yaml", "cities: [shanghai, suzhou]", "cities: [shanghai, atlantis]",
                           "atlantis", "names unknown city 'atlantis'"),
    "duplicate id": ("curated/places.yaml", "  - id: yokohama\n", "  - id: tokyo\n",
                     "- id: tokyo", "duplicate city id 'tokyo'"),
    "bad date": (ARTICLE, "published: 2023-10-08T15:37:00+08:00", "published: 2023-13-45T15:37:00+08:00",
                 "published:", "is not an ISO 8601 date-time"),
    "date without offset": (ARTICLE, "published: 2023-10-08T15:37:00+08:00", "published: 2023-10-08T15:37:00",
                            "published:", "must carry a UTC offset"),
    "bad language tag": ("curated/places.yaml", "name: {en: Tokyo, zh: 东京}", "name: {en: Tokyo, zh_CN: 东京}",
                         "zh_CN", "'zh_CN' is not a valid BCP 47 language tag"),
    "rank of 0": (ARTICLE, "edition: gii-2023, rank: 1,", "edition: gii-2023, rank: 0,",
                  "rank: 0", "field 'rank' must be in 1..100, not 0"),
    "unknown field": ("curated/places.yaml", "    code: JP\n", "    code: JP\n    capital: tokyo\n",
                      "capital: tokyo", "unknown field 'capital'"),
    "missing field": ("curated/clusters.yaml", "    economies: [japan]\n", "",
                      "- id: tokyo-yokohama", "missing required field 'economies'"),
    "latitude out of range": ("curated/places.yaml", "    lat: 35.6895\n", "    lat: 135.6895\n",
                              "lat: 135.6895", "field 'lat' must be in -90..90, not 135.6895"),
    "latitude without longitude": ("curated/places.yaml", "    long: 139.69171\n", "",
                                   "lat: 35.6895", "'lat' and 'long' go together"),
    "excerpt of reported speech": (ARTICLE, "mode: reported\n    speakers: [liu-hua]",
                                   "mode: reported\n    excerpt: true\n    speakers: [liu-hua]", "excerpt: true",
                                   "only direct speech is quoted, so only it can be an excerpt"),
    "passage out of range": (ARTICLE, "role: director\n    passages: [9]", "role: director\n    passages: [99]",
                             "passages: [99]", "cites passage 99"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_source_data_is_one_line_with_file_and_line(case, data_copy, tmp_path, runner):
    name, old, new, line_needle, message = CASES[case]
    _edit(data_copy, name, old, new)
    out = tmp_path / "dist"
    result = runner.invoke(main, ["build", "--data-dir", str(data_copy), "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    expected_line = _line_of(data_copy, name, line_needle)
    assert re.match(rf"error: .*{re.escape(name)}:{expected_line}: ", lines[0]), lines[0]
    assert message in lines[0]
    assert not out.exists()
    assert not list(tmp_path.glob(".dist*")), "a staging folder was left behind"


def test_failed_build_leaves_previous_dist_untouched(data_copy, tmp_path, runner):
    out = tmp_path / "dist"
    assert runner.invoke(main, ["build", "--data-dir", str(data_copy), "--out", str(out)]).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    _edit(data_copy, "curated/clusters.yaml", "cities: [shanghai, suzhou]", "cities: [shanghai, atlantis]")
    assert runner.invoke(main, ["build", "--data-dir", str(data_copy), "--out", str(out)]).exit_code == 2
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_ambiguous_reference_asks_for_a_kind(data_copy, tmp_path, runner):
    # "beijing" is both a city and a cluster: a statement mentioning it must say which.
    _edit(data_copy, ARTICLE, "      - city/beijing\n", "      - beijing\n")
    result = runner.invoke(main, ["build", "--data-dir", str(data_copy), "--out", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert "ambiguous" in result.stderr and "city/beijing" in result.stderr
