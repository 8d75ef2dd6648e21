"""Daily work on a big corpus: rebuilding and republishing after one new article.

    .venv/bin/python benchmarks/incremental.py [--triples 1m] [--work DIR] [--skip-build | --skip-publish]

On the synthetic corpus of `corpus.py` (1M triples by default), in one run:

- **build**: `giigraph build --data-dir CORPUS` as a fresh process: clean without the cache, clean
  filling an empty cache, then again after one article was added (`corpus.add_article`), with the
  cache: wall seconds and the process's peak RSS (`wait4`).
- **publish**: the publish step itself (`giigraph.publish.run`, the dataset built beforehand), against
  an Oxigraph server (`oxigraph serve`, PyPI) and Virtuoso 7 (`virtuoso-t`, Debian), both started
  here on free loopback ports with empty stores: a full publish (`--changed` on an empty store sends
  everything and records the hashes; one PUT per graph), then `--changed` after the article was
  added, staged (the sent graphs switched by one update), counting at the query endpoint. Each dataset
  has its sorted N-Quads lines made beforehand, as `giigraph publish --changed` makes them before it
  validates (SHACL's store is cut from them): `--changed` cuts the graphs' hashes from them
  (`Quads.graph_digests`). The full
  publish is not staged: on Oxigraph 0.5 one update moving 2,128 staged graphs (1.1M quads) into
  place did not finish within 5 x 60 s.

Prints a Markdown table (benchmarks/README.md keeps one). Nothing here is asserted: machines are
shared and noisy, compare figures of one run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

import corpus  # noqa: E402
from loopback import OxigraphServer, oxigraph_command  # noqa: E402
from virtuoso import VirtuosoServer  # noqa: E402

from giigraph import build_quads  # noqa: E402
from giigraph.publish import Endpoints, run  # noqa: E402

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def timed_build(data: Path, out: Path, *extra: str) -> tuple[float, float]:
    """`giigraph build` as its own process: (wall seconds, peak RSS in MB)."""
    command = [sys.executable, "-m", "giigraph", "build", "--data-dir", str(data), "--out", str(out), *extra]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status:
        raise SystemExit(f"build failed: {process.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


def validated(dataset):
    """The dataset as `giigraph publish --changed` has it after validation: with its sorted N-Quads lines."""
    dataset.nq_lines()
    return dataset


def timed_publish(dataset, endpoints: Endpoints, env: dict[str, str]) -> tuple[float, str]:
    """`publish --changed` of `dataset` (already built): wall seconds and the summary's first line."""
    dataset.forget("digests")  # each publish computes the graphs' hashes, as one `giigraph publish` does
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        start = time.perf_counter()
        summary = run(dataset, endpoints, changed=True, show_progress=False, timeout=900)
        return time.perf_counter() - start, summary.splitlines()[0]
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", default="1m", help="corpus size: 100k, 1m or a number")
    parser.add_argument("--work", type=Path, default=None, help="folder for corpus, dumps and stores")
    parser.add_argument("--skip-build", action="store_true", help="only the publish figures")
    parser.add_argument("--skip-publish", action="store_true", help="only the build figures")
    args = parser.parse_args()
    for variable in PROXY_VARIABLES:
        os.environ.pop(variable, None)  # loopback traffic only
    os.environ["NETRC"] = "/nonexistent"
    triples = corpus.parse_size(args.triples)
    work = args.work or Path(tempfile.mkdtemp(prefix="giigraph-incremental-"))
    data = work / "corpus"
    corpus.generate(data, triples)
    rows = []

    before = None if args.skip_publish else validated(build_quads(data_dir=data))
    cache = ("--cache", str(work / "cache"))
    if not args.skip_build:
        shutil.rmtree(work / "cache", ignore_errors=True)
        clean_s, clean_mb = timed_build(data, work / "dist", "--no-cache")
        cold_s, cold_mb = timed_build(data, work / "dist", *cache)
    article = corpus.add_article(data, triples)
    if not args.skip_build:
        again_s, again_mb = timed_build(data, work / "dist", *cache)
        rows.append(("build", "clean (--no-cache)", clean_s, f"{clean_mb:,.0f} MB peak"))
        rows.append(("build", "clean, filling an empty cache", cold_s, f"{cold_mb:,.0f} MB peak"))
        rows.append(("build", "after one new article (cache)", again_s,
                     f"{again_mb:,.0f} MB peak; {100 * again_s / clean_s:.0f} % of clean"))
    if not args.skip_publish:
        after = validated(build_quads(data_dir=data))
        print(f"corpus: {len(before):,} quads, then {len(after):,} with {article.name}", file=sys.stderr)
        rows += publish_rows(work, before, after)

    print(f"\n{args.triples} corpus, {os.cpu_count()} cores\n")
    print("| step | run | seconds | notes |\n|---|---|---|---|")
    for step, what, seconds, notes in rows:
        print(f"| {step} | {what} | {seconds:.2f} | {notes} |")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


def publish_rows(work: Path, before, after) -> list[tuple[str, str, float, str]]:
    """Full publish of `before`, then `--changed` of `after`, on an Oxigraph server and Virtuoso 7."""
    rows = []
    stores = work / "stores"
    shutil.rmtree(stores, ignore_errors=True)
    stores.mkdir(parents=True)
    oxigraph = OxigraphServer(oxigraph_command(), stores / "oxigraph", stores / "oxigraph.log")
    (stores / "virtuoso").mkdir()
    virtuoso = VirtuosoServer(shutil.which("virtuoso-t"), stores / "virtuoso")
    try:
        for name, server, env in (("Oxigraph server", oxigraph, {}), ("Virtuoso 7", virtuoso, virtuoso.env)):
            direct = Endpoints(server.store, query=server.query_url)
            staged = Endpoints(server.store, update=server.update, query=server.query_url)
            full_s, full_line = timed_publish(before, direct, env)
            changed_s, changed_line = timed_publish(after, staged, env)
            print(f"{name}: {full_line}\n{name}: {changed_line}", file=sys.stderr)
            rows.append((f"publish, {name}", "full (everything sent; one PUT per graph)", full_s, ""))
            rows.append((f"publish, {name}", "--changed after one new article (staged)", changed_s,
                         f"{100 * changed_s / full_s:.1f} % of full"))
    finally:
        oxigraph.stop()
        virtuoso.stop()
    return rows


if __name__ == "__main__":
    main()
