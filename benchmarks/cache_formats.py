"""What the build cache's safety costs, and what a data-only format for its entries would cost.

    .venv/bin/python benchmarks/cache_formats.py [--triples 1m] [--work DIR]

Builds the synthetic corpus of `corpus.py` once with a build cache (`giigraph.build_dist`), then on
that warm cache prints:

- the time of the folder check each build makes before it uses the cache (`check_folder`: the
  folder, its ancestors and the folders inside), and how many folders it looked at;
- per kind of entry, what loading every entry takes as the cache keeps it (SHA-256 of the payload,
  then `pickle.loads`) against the same values written as JSON (SHA-256, then `json.loads`): sizes
  and seconds. JSON here only parses: turning its lists and dicts back into the records' classes,
  tuples and sets would cost more, so the JSON figures are a lower bound.

Prints a Markdown table (benchmarks/README.md keeps one). Nothing is asserted: compare figures of
one run.
"""
from __future__ import annotations

import argparse
import dataclasses
import enum
import hashlib
import json
import pickle
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

from giigraph import build_dist, buildcache  # noqa: E402

ROUNDS = 20


def plain(value: object) -> object:
    """`value` as JSON can hold it: what a data-only cache would write (dates and the like as text)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def loads(payloads: list[bytes], load) -> float:
    """Seconds to check and load every payload, as the cache does."""
    start = time.perf_counter()
    for payload in payloads:
        hashlib.sha256(payload).digest()
        load(payload)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", default="1m", help="corpus size: 100k, 1m or a number")
    parser.add_argument("--work", type=Path, default=None, help="folder for corpus, dumps and cache")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="giigraph-cache-formats-"))
    data = corpus.generate(work / "corpus", corpus.parse_size(args.triples))
    root = work / "cache"
    build_dist(work / "dist", data_dir=data, source_cache=buildcache.SourceCache(root))

    start = time.perf_counter()
    for _ in range(ROUNDS):
        buildcache.check_folder(root)
    folders = sum(1 for p in root.rglob("*") if p.is_dir())
    print(f"folder check: {(time.perf_counter() - start) / ROUNDS * 1000:.1f} ms ({folders} folders)\n")

    print("| entries | count | pickle MB | pickle s | JSON MB | JSON s (parse only) | JSON / pickle |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    totals = [0.0, 0.0]
    skip = len(buildcache.MAGIC) + 32
    for kind in ("sources", "graphs", *buildcache.PIECES):
        pickles = [p.read_bytes()[skip:] for p in sorted((root / kind).rglob("*")) if p.is_file()]
        texts = [json.dumps(plain(pickle.loads(p))).encode() for p in pickles]
        seconds = loads(pickles, pickle.loads), loads(texts, json.loads)
        totals = [t + s for t, s in zip(totals, seconds)]
        print(f"| {kind} | {len(pickles):,} | {sum(map(len, pickles)) / 1e6:.1f} | {seconds[0]:.3f} "
              f"| {sum(map(len, texts)) / 1e6:.1f} | {seconds[1]:.3f} | {seconds[1] / seconds[0]:.2f} |")
    print(f"| all | | | {totals[0]:.3f} | | {totals[1]:.3f} | {totals[1] / totals[0]:.2f} |")


if __name__ == "__main__":
    main()
