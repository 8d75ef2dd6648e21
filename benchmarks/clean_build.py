"""The clean `giigraph build` of a corpus: wall time and peak memory summed over every process it starts.

    .venv/bin/python benchmarks/corpus.py --triples 1m --out /tmp/corpus-1m     # and 100k
    .venv/bin/python benchmarks/clean_build.py --corpus 100k=/tmp/corpus-100k --corpus 1m=/tmp/corpus-1m \
        [--baseline OTHER-CHECKOUT/.venv/bin/giigraph] [--runs 2]

Each run is `giigraph build --data-dir CORPUS --no-cache --out TMP` in a fresh process; the
proportional resident set (PSS) of that process and of its children (the YAML readers, the RDF/XML
writer) is sampled every 100 ms and summed, and the highest sum is the peak (`/usr/bin/time -v`
gives only the largest single process; reading PSS walks the page tables, so sampling more often
slows the build it measures). With `--baseline`, the other checkout's command runs right after each of ours, so both are
measured under the same load; the dumps of the two are compared byte for byte. Prints a Markdown
table, the medians of the runs, and time(largest)/time(smallest) per command.
"""
from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

OURS = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "giigraph"


def _tree_rss(root: int) -> int:
    """Proportional resident kB (PSS) of `root` and all its descendants, now.

    PSS, not RSS: a child just forked shares its parent's pages, and summing RSS would count them
    twice (a forked 1 GB parent looks like 2 GB for a moment)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                total += next((int(line.split()[1]) for line in fh if line.startswith("Pss:")), 0)
        except OSError:
            pass
    return total


def run(command: Path, corpus: Path, out: Path) -> tuple[float, int]:
    """One clean build: (wall seconds, peak summed resident MB)."""
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    proc = subprocess.Popen([str(command), "build", "--data-dir", str(corpus), "--no-cache", "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.1)
    wall = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"{command} failed on {corpus}: {proc.stderr.read().decode()[-2000:]}")
    return wall, peak // 1024


def same_files(a: Path, b: Path) -> bool:
    names = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    if names != sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file()):
        return False
    return all(filecmp.cmp(a / n, b / n, shallow=False) for n in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", action="append", required=True, metavar="LABEL=DIR")
    parser.add_argument("--baseline", type=Path, help="another checkout's giigraph command, run after ours")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    commands = {"this checkout": OURS, **({"baseline": args.baseline} if args.baseline else {})}
    corpora = [(label, Path(folder)) for label, folder in (c.split("=", 1) for c in args.corpus)]
    figures: dict[tuple[str, str], list[tuple[float, int]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, corpus in corpora:
            for _ in range(args.runs):
                for name, command in commands.items():
                    figures.setdefault((name, label), []).append(run(command, corpus, Path(tmp) / name))
            if args.baseline:
                print(f"{label}: dumps byte-identical to the baseline's: "
                      f"{same_files(Path(tmp) / 'this checkout', Path(tmp) / 'baseline')}")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}; medians of {args.runs} run(s)\n")
    print("| command | corpus | wall s | peak MB (all processes) |")
    print("|---|---|---:|---:|")
    for (name, label), runs in figures.items():
        print(f"| {name} | {label} | {statistics.median(w for w, _ in runs):.1f} "
              f"| {statistics.median(m for _, m in runs):,.0f} |")
    if len(corpora) > 1:
        first, last = corpora[0][0], corpora[-1][0]
        for name in commands:
            ratio = (statistics.median(w for w, _ in figures[name, last])
                     / statistics.median(w for w, _ in figures[name, first]))
            print(f"\n{name}: time({last}) / time({first}) = {ratio:.1f}")


if __name__ == "__main__":
    main()
