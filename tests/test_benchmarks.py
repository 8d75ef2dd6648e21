"""The benchmark corpus is deterministic and valid source data; the benchmark runs end to end.

Timings are printed by `benchmarks/pipeline.py`, never asserted here.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import giigraph
from giigraph import sources
from giigraph.validation import validate_graph

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import corpus  # noqa: E402


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*.yaml")):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    first = corpus.generate(tmp_path / "a", 5_000)
    again = corpus.generate(tmp_path / "b", 5_000)
    other = corpus.generate(tmp_path / "c", 5_000, seed=7)
    assert _digest(first) == _digest(again) != _digest(other)


def test_corpus_is_valid_source_data_of_about_the_size_asked(tmp_path):
    data = corpus.generate(tmp_path / "data", 10_000)
    loaded = sources.load(data)
    kinds = {type(r).__name__ for s in loaded.sources for r in s.records}
    assert kinds >= {"Ranking", "RankFact", "Post", "Event", "Statement", "Claim"}
    assert len(loaded.sources) > 10
    quads = giigraph.build_quads(data_dir=data)
    assert 9_000 <= len(quads.union()) <= 11_000
    report = validate_graph(quads)
    assert report.conforms, report.text()


def test_pipeline_benchmark_runs_and_prints_the_table(tmp_path):
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "pipeline.py"), "--sizes", "2k", "--budget", "120", "--cli-runs", "1",
         "--corpora", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for stage in ("load", "build", "validate", "turtle", "ntriples", "jsonld", "queries", "**total**"):
        assert f"| {stage} |" in out
    assert "failed" not in out
    assert "`giigraph export`" in out and "conforms=True" in out


def test_clean_build_benchmark_prints_time_and_peak_of_every_process(tmp_path):
    data = corpus.generate(tmp_path / "data", 2_000)
    result = subprocess.run([sys.executable, str(BENCHMARKS / "clean_build.py"), "--corpus", f"2k={data}"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("| this checkout | 2k |"))
    wall, peak = (float(cell.replace(",", "")) for cell in row.strip("|").split("|")[2:4])
    assert wall > 0 and peak > 20


def test_shacl_suite_benchmark_prints_counts_per_engine_and_folder():
    result = subprocess.run([sys.executable, str(BENCHMARKS / "shacl_suite.py"), "--repeat", "1"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "| **all** | 120 | 119 | 119 (+1 unsupported) | 118 |" in result.stdout
    assert "| core/node | 32 |" in result.stdout and "| fast |" in result.stdout


def test_cache_formats_benchmark_prints_the_check_and_a_row_per_kind(tmp_path):
    result = subprocess.run([sys.executable, str(BENCHMARKS / "cache_formats.py"), "--triples", "2k",
                             "--work", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("folder check: ")
    rows = [line.split(" | ") for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    assert [row[0][2:] for row in rows[1:]] == ["sources", "graphs", "nq", "trig", "turtle", "jsonld", "all"]
    assert all(int(row[1].replace(",", "")) > 0 for row in rows[1:-1])  # entries of each kind were loaded
    assert all(float(row[-1].rstrip(" |")) > 0 for row in rows[1:])  # and timed both ways
