"""The build cache: a rebuild reads and builds only the sources that changed (or whose graph quotes a
changed record), and writes the same bytes as a clean build; a corrupt or stale entry is made
again, never trusted."""
from __future__ import annotations

import grp
import hashlib
import json
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from giigraph import build_dist, buildcache, export
from giigraph.buildcache import SourceCache
from giigraph.cli import main
from giigraph.config import resolve_base
from giigraph.model import Source
from giigraph.quads import Quads, sorted_lines
from giigraph.rebuild import Change, Previous, Rebuild
from giigraph.terms import XSD_NS as XSD, Literal
from giigraph.shacl import footprint
from giigraph.shacl.engine import Data, Validator
from giigraph.resources import DATA_DIR

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import corpus  # noqa: E402


def dumps(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_build(data: Path, out: Path) -> dict[str, bytes]:
    build_dist(out, data_dir=data)
    return dumps(out)


def test_article_rebuilt_from_the_cache_is_byte_identical(tmp_path, runner):
    cache = tmp_path / "cache"
    for run in ("cold", "warm"):
        result = runner.invoke(main, ["build", "--out", str(tmp_path / run), "--cache", str(cache)])
        assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["build", "--out", str(tmp_path / "none"), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert dumps(tmp_path / "cold") == dumps(tmp_path / "warm") == dumps(tmp_path / "none")
    for kind in ("sources", "graphs", *buildcache.PIECES):
        assert len(list((cache / kind).rglob("*"))) > len(list((DATA_DIR / "sources").glob("*.yaml")))


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    return corpus.generate(tmp_path_factory.mktemp("corpus") / "data", 10_000)


def add_change_remove(data: Path) -> Path:
    """One article added (its file returned), a source changed ("Roundtable" renamed), another removed."""
    added = corpus.add_article(data, 10_000)
    files = sorted(p for p in (data / "sources").glob("*.yaml") if p != added)
    changed = next(p for p in files if "Roundtable" in p.read_text(encoding="utf-8"))
    removed = next(p for p in files if p != changed)
    changed.write_text(changed.read_text(encoding="utf-8").replace("Roundtable", "Round table"), encoding="utf-8")
    removed.unlink()
    return added


def test_corpus_source_added_changed_removed(small_corpus, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(small_corpus, data)
    cache = SourceCache(tmp_path / "cache")
    n = len(list((data / "sources").glob("*.yaml")))
    build_dist(tmp_path / "first", data_dir=data, source_cache=cache)
    counted = (cache, cache.resolved, cache.graphs, *cache.graphs.pieces.values())
    assert {(c.hits, c.misses) for c in counted} == {(0, n)}

    added = add_change_remove(data)
    for c in counted:
        c.hits = c.misses = 0
    out = tmp_path / "second"
    build_dist(out, data_dir=data, source_cache=cache)
    # the new and the changed file were read, resolved, built and written; the others were taken
    # resolved (their records as read were not needed)
    assert (cache.hits, cache.misses) == (0, 2)
    assert {(c.hits, c.misses) for c in counted[1:]} == {(n - 2, 2)}
    assert dumps(out) == clean_build(data, tmp_path / "clean")
    assert added.exists() and b"Round table" in (out / "giigraph.nq").read_bytes()


def test_a_changed_record_that_graphs_quote_rebuilds_those_graphs_only(small_corpus, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(small_corpus, data)
    cache = SourceCache(tmp_path / "cache")
    build_dist(tmp_path / "first", data_dir=data, source_cache=cache)
    clusters = data / "curated" / "clusters.yaml"
    text = clusters.read_text(encoding="utf-8")
    cluster = text.split("- id: ", 2)[1].split("\n")[0]
    name = text.split("    en: ", 2)[1].split("\n")[0]
    clusters.write_text(text.replace(f"    en: {name}\n", f"    en: {name} Renamed\n", 1), encoding="utf-8")
    ranked = [p for p in (data / "sources").glob("*.yaml") if f"cluster: {cluster}\n" in p.read_text(encoding="utf-8")]
    assert 0 < len(ranked) < len(list((data / "sources").glob("*.yaml")))
    counted = (cache.graphs, *cache.graphs.pieces.values())
    for c in counted:
        c.hits = c.misses = 0
    out = tmp_path / "second"
    build_dist(out, data_dir=data, source_cache=cache)
    assert {c.misses for c in counted} == {len(ranked)}  # the graphs whose rank labels name the cluster
    assert dumps(out) == clean_build(data, tmp_path / "clean")
    assert f"{name} Renamed: rank".encode() in (out / "giigraph.nq").read_bytes()


def test_graphs_of_other_code_are_not_used(small_corpus, tmp_path, monkeypatch):
    cache = SourceCache(tmp_path / "cache")
    build_dist(tmp_path / "first", data_dir=small_corpus, source_cache=cache)
    monkeypatch.setattr(buildcache, "package_fingerprint", lambda: b"another giigraph")
    counted = (cache.graphs, *cache.graphs.pieces.values())
    for c in counted:
        c.hits = c.misses = 0
    build_dist(tmp_path / "second", data_dir=small_corpus, source_cache=cache)
    assert {c.hits for c in counted} == {0} and cache.graphs.misses > 0
    assert dumps(tmp_path / "second") == dumps(tmp_path / "first")


@pytest.mark.parametrize("kind", ["sources", "resolved", "curated", "graphs", *buildcache.PIECES])
def test_corrupt_or_truncated_entries_are_read_again(small_corpus, tmp_path, kind):
    cache = SourceCache(tmp_path / "cache")
    counted = {"sources": cache, "resolved": cache.resolved, "curated": cache.curated, "graphs": cache.graphs,
               **cache.graphs.pieces}[kind]
    build_dist(tmp_path / "first", data_dir=small_corpus, source_cache=cache)
    if kind == "sources":  # records as read are needed only where resolved ones are not kept
        shutil.rmtree(tmp_path / "cache" / "resolved")
    entries = sorted(p for p in (tmp_path / "cache" / kind).rglob("*") if p.is_file())
    entries[0].write_bytes(entries[0].read_bytes()[:-10])  # truncated
    flipped = bytearray(entries[1].read_bytes())
    flipped[-5] ^= 0xFF  # one byte changed: the payload no longer matches its digest
    entries[1].write_bytes(bytes(flipped))
    entries[2].write_bytes(b"")
    counted.hits = counted.misses = 0
    build_dist(tmp_path / "second", data_dir=small_corpus, source_cache=cache)
    assert counted.misses == 3
    assert dumps(tmp_path / "second") == dumps(tmp_path / "first")
    counted.hits = counted.misses = 0
    build_dist(tmp_path / "third", data_dir=small_corpus, source_cache=cache)
    assert counted.misses == 0  # the entries were rewritten, sound


def test_a_trig_block_is_kept_per_graph_and_prefixes():
    """TriG takes a graph's block from where it is kept only under the prefixes it was written with."""
    from giigraph.turtle import Names, trig

    graphs = {"http://ex.org/g": {("http://ex.org/a", "http://ex.org/p", "http://ex.org/b")}}
    asked = []

    def made(name, kind, make, variant):
        asked.append((name, kind, variant))
        return make()

    texts = []
    for prefix in ("ex", "x"):
        names = Names({prefix: "http://ex.org/"})
        names.scan({"http://ex.org/a": {"http://ex.org/p": ["http://ex.org/b"]}})
        texts.append("".join(trig(graphs, names, made)))
    assert [(name, kind) for name, kind, _ in asked] == [("http://ex.org/g", "trig")] * 2
    assert asked[0][2] != asked[1][2]
    assert texts == ["@prefix ex: <http://ex.org/> .\n\n<http://ex.org/g> {\n    ex:a ex:p ex:b .\n}\n",
                     "@prefix x: <http://ex.org/> .\n\n<http://ex.org/g> {\n    x:a x:p x:b .\n}\n"]


# --- pruning: the cache keeps what the last build of each data folder used, nothing more ---

KINDS = ("sources", "resolved", "curated", "graphs", *buildcache.PIECES)


def entries(root: Path, kinds: tuple[str, ...] = KINDS) -> dict[str, set[str]]:
    return {kind: {p.name for p in (root / kind).rglob("*") if p.is_file()} for kind in kinds}


def backdate(root: Path) -> None:
    """As if every file of the cache had been written an hour ago (before the next build starts)."""
    for path in root.rglob("*"):
        os.utime(path, (time.time() - 3600,) * 2)


def manifest(root: Path, data: Path, kinds: tuple[str, ...] = KINDS) -> dict[str, set[str]]:
    (path,) = [p for p in (root / "manifests").glob("*.json")
               if json.loads(p.read_text())["data_dir"] == str(data.resolve())]
    return {kind: set(names) for kind, names in json.loads(path.read_text())["entries"].items() if kind in kinds}


def test_entries_no_build_used_are_pruned(small_corpus, tmp_path):
    data, root = tmp_path / "data", tmp_path / "cache"
    shutil.copytree(small_corpus, data)
    cache = SourceCache(root)
    build_dist(tmp_path / "first", data_dir=data, source_cache=cache)
    before = entries(root)
    files = sorted((data / "sources").glob("*.yaml"))
    changed = next(p for p in files if "Roundtable" in p.read_text(encoding="utf-8"))
    removed = next(p for p in files if p != changed)
    removed.unlink()
    changed.write_text(changed.read_text(encoding="utf-8").replace("Roundtable", "Round table"), encoding="utf-8")
    backdate(root)
    build_dist(tmp_path / "second", data_dir=data, source_cache=cache)
    after = entries(root)
    for kind in set(KINDS) - {"curated"}:  # the removed source's and the changed one's old entries are gone, a new one came
        assert len(after[kind]) == len(before[kind]) - 1 == len(files) - 1
        assert len(after[kind] - before[kind]) == 1
    assert after["curated"] == before["curated"] and after["curated"]  # the curated files are unchanged
    assert after == manifest(root, data)
    records = entries(root, ("builds",))  # what the build into "second" left for the next; the first's is gone
    assert len(records["builds"]) == 1 and records == manifest(root, data, ("builds",))
    assert dumps(tmp_path / "second") == clean_build(data, tmp_path / "clean")
    counted = (cache, cache.graphs, *cache.graphs.pieces.values())
    for c in counted:
        c.hits = c.misses = 0
    build_dist(tmp_path / "third", data_dir=data, source_cache=cache)
    assert {c.misses for c in counted} == {0}  # nothing the build needs was pruned
    assert dumps(tmp_path / "third") == dumps(tmp_path / "second")


def test_entries_used_by_forked_writers_are_kept(small_corpus, tmp_path, monkeypatch):
    """For big data the sorted dumps, Turtle and TriG are written by forked copies of the build: what
    they read of the cache or wrote to it is in the build's manifest, so the next build keeps it."""
    monkeypatch.setattr(export, "APART_QUADS", 0)  # the small corpus written as big data is
    data, root = tmp_path / "data", tmp_path / "cache"
    shutil.copytree(small_corpus, data)
    cache = SourceCache(root)
    build_dist(tmp_path / "first", data_dir=data, source_cache=cache)
    made = entries(root)
    assert made == manifest(root, data) and all(made.values())
    backdate(root)
    build_dist(tmp_path / "second", data_dir=data, source_cache=cache)
    assert entries(root) == made == manifest(root, data)
    assert dumps(tmp_path / "second") == dumps(tmp_path / "first") == clean_build(data, tmp_path / "clean")


@pytest.mark.parametrize("gone", ["deleted", "unused"])
def test_a_data_folder_sharing_the_cache_keeps_its_entries_until_gone(small_corpus, tmp_path, gone):
    article, root = tmp_path / "article", tmp_path / "cache"
    shutil.copytree(DATA_DIR, article)
    cache = SourceCache(root)
    build_dist(tmp_path / "a1", data_dir=article, source_cache=cache)
    build_dist(tmp_path / "c1", data_dir=small_corpus, source_cache=cache)
    backdate(root)
    build_dist(tmp_path / "c2", data_dir=small_corpus, source_cache=cache)
    counted = (cache, cache.graphs, *cache.graphs.pieces.values())
    for c in counted:
        c.hits = c.misses = 0
    build_dist(tmp_path / "a2", data_dir=article, source_cache=cache)
    assert {c.misses for c in counted} == {0}  # the corpus's builds left the article's entries
    assert dumps(tmp_path / "a2") == dumps(tmp_path / "a1")
    assert all(manifest(root, article)[kind] <= entries(root)[kind] for kind in KINDS)

    if gone == "deleted":
        shutil.rmtree(article)
    else:
        (path,) = [p for p in (root / "manifests").glob("*.json") if str(article.resolve()) in p.read_text()]
        text = json.loads(path.read_text())
        path.write_text(json.dumps({**text, "used": time.time() - (buildcache.MANIFEST_DAYS + 1) * 86400}))
    backdate(root)
    build_dist(tmp_path / "c3", data_dir=small_corpus, source_cache=cache)
    assert entries(root) == manifest(root, small_corpus)  # the article's manifest and entries dropped
    assert len(list((root / "manifests").glob("*.json"))) == 1
    assert dumps(tmp_path / "c3") == dumps(tmp_path / "c1")


def test_a_crashed_sweep_leaves_a_usable_cache_and_spares_what_another_build_writes(tmp_path, monkeypatch):
    data, root = tmp_path / "data", tmp_path / "cache"
    shutil.copytree(DATA_DIR, data)
    cache = SourceCache(root)
    build_dist(tmp_path / "first", data_dir=data, source_cache=cache)
    (manifest_name,) = [p.name for p in (root / "manifests").iterdir()]
    names = sorted(p for p in (root / "graphs").rglob("*") if p.is_file())
    leftover = names[0].with_name(".tmp-crashed")  # a write that crashed before its rename
    leftover.write_bytes(b"half an entry")
    (root / "manifests" / ".tmp-crashed").write_bytes((root / "manifests" / manifest_name).read_bytes())
    backdate(root)
    deleted = []

    def crash(path):
        if len(deleted) == 3:
            raise KeyboardInterrupt
        deleted.append(path)
        os.remove(path)

    monkeypatch.setattr(buildcache.os, "unlink", crash)
    with pytest.raises(KeyboardInterrupt), cache.build(data, resolve_base()):
        pass  # a build that used no entry: its sweep deletes every one, and crashes after three
    assert len(deleted) == 3
    monkeypatch.undo()
    counted = (cache, cache.graphs, *cache.graphs.pieces.values())
    for c in counted:
        c.hits = c.misses = 0
    build_dist(tmp_path / "second", data_dir=data, source_cache=cache)
    assert dumps(tmp_path / "second") == dumps(tmp_path / "first")
    assert sum(c.misses for c in counted) <= 3  # only the deleted entries were made again
    assert not leftover.exists() and [p.name for p in (root / "manifests").iterdir()] == [manifest_name]

    backdate(root)
    with cache.build(data, resolve_base()):  # meanwhile another build writes an entry no manifest names yet
        fresh = root / "graphs" / "ab" / ("ab" * 32)
        fresh.parent.mkdir(exist_ok=True)
        fresh.write_bytes(b"")
    assert fresh.exists() and entries(root)["graphs"] == {fresh.name}
    build_dist(tmp_path / "third", data_dir=data, source_cache=cache)
    assert dumps(tmp_path / "third") == dumps(tmp_path / "first")


def test_concurrent_builds_of_two_data_folders_keep_each_others_entries(tmp_path):
    """Two `giigraph build` processes sharing a cache: each sweep leaves every entry the other names."""
    root, folders = tmp_path / "cache", [tmp_path / "a", tmp_path / "b"]
    for folder in folders:
        shutil.copytree(DATA_DIR, folder)
    source = sorted((folders[1] / "sources").glob("*.yaml"))[0]
    source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # b's entry differs
    for run in range(2):
        builds = [subprocess.Popen([sys.executable, "-m", "giigraph.cli", "build", "--data-dir", str(folder),
                                    "--cache", str(root), "--out", str(tmp_path / f"out-{folder.name}-{run}")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                  for folder in folders]
        assert [b.wait(timeout=300) for b in builds] == [0, 0], [b.stderr.read() for b in builds]
        for folder in folders:
            assert all(manifest(root, folder)[kind] <= entries(root)[kind] for kind in KINDS)
        backdate(root)
    for folder in folders:
        assert dumps(tmp_path / f"out-{folder.name}-1") == clean_build(folder, tmp_path / f"clean-{folder.name}")


def test_builds_with_two_bases_keep_each_others_graphs(tmp_path):
    """A manifest is per (data folder, base IRI): building with base B does not prune base A's graphs.
    A manifest of the data folder alone (as earlier giigraphs wrote) is dropped with what it named."""
    data, root = tmp_path / "data", tmp_path / "cache"
    shutil.copytree(DATA_DIR, data)
    cache = SourceCache(root)
    stale = root / "graphs" / "ab" / ("ab" * 32)
    stale.parent.mkdir()
    stale.write_bytes(b"")
    (root / "manifests" / "old.json").write_text(json.dumps(
        {"data_dir": str(data.resolve()), "used": time.time(), "entries": {"graphs": [stale.name]}}))
    backdate(root)
    counted = (cache.graphs, *cache.graphs.pieces.values())
    a, b = resolve_base(), "http://example.org/gii/"
    lookups = []
    for run, base in enumerate((a, b, a)):
        for c in counted:
            c.hits = c.misses = 0
        build_dist(tmp_path / f"out{run}", base=base, data_dir=data, source_cache=cache)
        lookups.append([(c.hits, c.misses) for c in counted])
        backdate(root)
    first, second, third = lookups
    assert first[0] == second[0] == (0, 1)  # the article's graph, made for each base
    assert third == [(hits + misses, 0) for hits, misses in first]  # nothing of base A was pruned by B's build
    assert dumps(tmp_path / "out2") == dumps(tmp_path / "out0") != dumps(tmp_path / "out1")
    assert not stale.exists() and len(list((root / "manifests").iterdir())) == 2


# --- the cache folder: used only if no one but the user and root can change what it holds ---

def owned_by_another(path: Path, monkeypatch) -> None:
    """Make `path` another user's (uid 65534): chowned when the tests run as root (as in CI), else
    seen so by the check's lstat."""
    if os.geteuid() == 0:
        os.lchown(path, 65534, 65534)
        return
    lstat = os.lstat

    def another(p, *args, **kwargs):
        status = lstat(p, *args, **kwargs)
        return os.stat_result((*status[:4], 65534, 65534, *status[6:])) if Path(p) == path else status

    monkeypatch.setattr(buildcache.os, "lstat", another)


def in_group(path: Path, gid: int, monkeypatch) -> None:
    """Give `path` group `gid`: chgrp'd when the tests run as root (as in CI), else seen so by the
    check's lstat."""
    if os.geteuid() == 0:
        os.lchown(path, -1, gid)
        return
    lstat = buildcache.os.lstat

    def regrouped(p, *args, **kwargs):
        status = lstat(p, *args, **kwargs)
        return os.stat_result((*status[:5], gid, *status[6:])) if Path(p) == path else status

    monkeypatch.setattr(buildcache.os, "lstat", regrouped)


def members(gid: int) -> set[str]:
    """Who is in group `gid`: those with it as primary group, and its listed members."""
    return {u.pw_name for u in pwd.getpwall() if u.pw_gid == gid} | set(grp.getgrgid(gid).gr_mem)


SHARED_GID = 65534  # nogroup: the primary group of nobody, _apt and others


def unsafe_setups(tmp_path: Path, monkeypatch) -> dict[str, tuple[Path, str]]:
    """Each refused setup: the --cache folder to give and what the message must say."""
    assert len(members(SHARED_GID)) > 1
    group = tmp_path / "group"
    group.mkdir(mode=0o770)
    group.chmod(0o770)
    in_group(group, SHARED_GID, monkeypatch)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # world-writable, no sticky bit: anyone may rename what it holds
    sticky_self = tmp_path / "sticky-self"
    sticky_self.mkdir()
    sticky_self.chmod(0o1777)
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    squatted = tmp_path / "tmp" / "giigraph-cache"  # made in a sticky folder by someone else first
    squatted.mkdir(parents=True, mode=0o700)
    squatted.parent.chmod(0o1777)
    link = tmp_path / "their-link"
    link.symlink_to(tmp_path / "mine")
    (tmp_path / "mine").mkdir(mode=0o700)
    to_group = tmp_path / "link-to-group"
    to_group.symlink_to(group)
    inside = tmp_path / "inside"
    (inside / "graphs").mkdir(parents=True, mode=0o700)
    (inside / "graphs").chmod(0o777)
    (tmp_path / "file").write_text("")
    for path in (theirs, squatted, link):
        owned_by_another(path, monkeypatch)
    return {
        "group-writable": (group, f"{group} is writable by group or others (mode 770); run chmod go-w {group}"),
        "world-writable parent": (shared / "cache", f"{shared} is writable by group or others (mode 777)"),
        "sticky cache folder": (sticky_self, f"{sticky_self} is writable by group or others (mode 1777)"),
        "another user's": (theirs, f"{theirs} is owned by uid 65534, neither you"),
        "another user's in a sticky folder": (squatted, f"{squatted} is owned by uid 65534"),
        "another user's symlink": (link, f"{link} (a symlink) is owned by uid 65534"),
        "symlink to a group-writable folder": (to_group, f"{group} is writable by group or others"),
        "group-writable folder inside": (inside, f"{inside / 'graphs'} is writable by group or others"),
        "under a file": (tmp_path / "file" / "cache", f"{tmp_path / 'file' / 'cache'} cannot be checked"),
    }


@pytest.mark.parametrize("setup", ["group-writable", "world-writable parent", "sticky cache folder",
                                   "another user's", "another user's in a sticky folder", "another user's symlink",
                                   "symlink to a group-writable folder", "group-writable folder inside",
                                   "under a file"])
def test_an_unsafe_cache_folder_is_refused(tmp_path, monkeypatch, runner, setup):
    folder, says = unsafe_setups(tmp_path, monkeypatch)[setup]
    before = sorted(tmp_path.rglob("*"))
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", "--out", str(out), "--cache", str(folder)])
    assert result.exit_code == 2
    assert result.output == f"error: build cache {folder}: {says}" + result.output.split(says, 1)[1]
    assert result.output.count("\n") == 1 and result.output.endswith(", or build with --no-cache\n")
    assert sorted(tmp_path.rglob("*")) == before and not out.exists()  # nothing made, nothing written


def test_a_cache_writable_by_its_owners_private_group_is_used(tmp_path, runner):
    """A user private group (one member: the owner), as umask 002 leaves folders in it, is the
    owner alone: Debian's OpenSSH accepts it, and so does the cache."""
    me = pwd.getpwuid(os.geteuid())
    assert members(me.pw_gid) == {me.pw_name}
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o770)
    folder.chmod(0o770)
    os.chown(folder, -1, me.pw_gid)
    result = runner.invoke(main, ["build", "--out", str(tmp_path / "out"), "--cache", str(folder)])
    assert result.exit_code == 0, result.output
    assert (folder / "graphs").is_dir()


def test_a_cache_in_a_sticky_folder_or_behind_ones_own_symlink_is_used(tmp_path, runner):
    sticky = tmp_path / "tmp"
    sticky.mkdir()
    sticky.chmod(0o1777)  # like /tmp: others may add files, not rename ours
    real = tmp_path / "real"
    link = tmp_path / "link"
    link.symlink_to(real)
    for run, folder in enumerate((sticky / "giigraph-cache", link)):
        result = runner.invoke(main, ["build", "--out", str(tmp_path / f"out{run}"), "--cache", str(folder)])
        assert result.exit_code == 0, result.output
        for made in (folder, *folder.iterdir()):
            assert made.resolve().stat().st_mode & 0o777 == 0o700
        assert list((folder / "graphs").rglob("*"))
    assert dumps(tmp_path / "out0") == dumps(tmp_path / "out1")


# --- a rebuild into the same folder follows the change from the previous build (`rebuild.py`) ---

def _lines(path: Path) -> set[bytes]:
    return set(path.read_bytes().splitlines(keepends=True))


def _spy(monkeypatch) -> dict[str, object]:
    """What the build's `Rebuild` worked out: its change, and the union's store it made (or None)."""
    seen: dict[str, object] = {}
    compare, union_store = Rebuild.compare, Rebuild.union_store

    def spied_compare(self, quads):
        seen["change"] = compare(self, quads)
        return seen["change"]

    def spied_store(self):
        seen["store"] = union_store(self)
        return seen["store"]
    monkeypatch.setattr(Rebuild, "compare", spied_compare)
    monkeypatch.setattr(Rebuild, "union_store", spied_store)
    return seen


@pytest.mark.parametrize("apart", [True, False], ids=["forked writers", "one process"])
def test_a_rebuild_into_the_same_folder_patches_the_previous_union(small_corpus, tmp_path, monkeypatch, apart):
    """One source added, one changed, one removed: the change is exactly the difference of the two
    unions (a triple another graph still holds stays), the store of the union is the previous one
    patched, and the output the bytes of a clean build."""
    if apart:
        monkeypatch.setattr(export, "APART_QUADS", 0)
    data, out = tmp_path / "data", tmp_path / "dist"
    shutil.copytree(small_corpus, data)
    cache = SourceCache(tmp_path / "cache")
    build_dist(out, data_dir=data, source_cache=cache)
    before = _lines(out / "giigraph.nt")
    add_change_remove(data)
    seen = _spy(monkeypatch)
    xml, spliced_xml = [], export.spliced_rdfxml
    monkeypatch.setattr(export, "spliced_rdfxml", lambda *args: xml.append(spliced_xml(*args)) or xml[-1])
    build_dist(out, data_dir=data, source_cache=cache)
    after = _lines(out / "giigraph.nt")
    change = seen["change"]
    assert isinstance(change, Change) and len(change.graphs) == 3
    assert len(xml) == 1 and xml[0] is not None  # RDF/XML spliced from the previous file
    assert _nt(change.union_added) == after - before and _nt(change.union_removed) == before - after
    fresh = ox.Store()  # what a build loads from its own N-Triples
    fresh.load(path=str(out / "giigraph.nt"), format=ox.RdfFormat.N_TRIPLES)
    assert set(seen["store"].result()) == set(fresh)
    assert dumps(out) == clean_build(data, tmp_path / "clean")


def test_the_union_changes_only_where_no_other_graph_holds_a_triple():
    """A triple leaves the union when its last graph drops it, and joins it when no graph held it."""
    G1, G2, G3, G4 = (f"http://ex.org/g{n}" for n in range(1, 5))
    a, b, c, x, y = ((f"http://ex.org/{n}", "http://ex.org/p", "http://ex.org/o") for n in "abcxy")
    previous = Previous({G1: frozenset({a, b}), G2: frozenset({b, c}), G3: frozenset({x})}, {})
    quads = Quads()
    quads.graph(G2).update({b, c})
    quads.graph(G3).update({x, a})
    quads.graph(G4).update({b, y})
    change = Rebuild(None, Path("cache-entry"), Path("dist"), previous).compare(quads)  # type: ignore[arg-type]
    assert change == Change(frozenset({G1, G3, G4}),
                            {G1: frozenset({a, b}), G3: frozenset(), G4: frozenset()},
                            {G1: frozenset(), G3: frozenset({a}), G4: frozenset({b, y})},
                            frozenset(), frozenset({y}))


def test_a_record_whose_identities_were_pickled_ahead_is_the_same_record(tmp_path):
    """`Rebuild.note` pickles the graphs' identities while the writers work; what `finish` records is
    then what it records without: a graph made on every run by its triples, a cached one by its key."""
    G1, G2 = "http://ex.org/g1", "http://ex.org/g2"
    s, p = "http://ex.org/s", "http://ex.org/p"
    triples = {(s, p, Literal("é", lang="fr")), (s, p, "http://ex.org/o")}
    quads = Quads()
    quads.graph(G1).update(triples)
    quads.graph(G2).add((s, "http://ex.org/q", Literal("1", datatype=XSD + "integer")))
    quads.kept[G2] = (1, type("Kept", (), {"key": b"k" * 32})())
    cache = SourceCache(tmp_path / "cache")
    recorded = []
    for ahead in (False, True):
        rebuild = Rebuild(cache, tmp_path / f"entry-{ahead}", tmp_path / "dist", None)
        if ahead:
            rebuild.note(quads)
        rebuild.finish(quads, {"giigraph.nq": (1, "0" * 64)})
        recorded.append(cache.builds.load(rebuild.entry))
    dumps = {"giigraph.nq": (1, "0" * 64)}
    assert recorded[0] == recorded[1] == Previous({G1: frozenset(triples), G2: b"k" * 32}, dumps)


def test_no_change_is_followed_for_terms_that_do_not_read_back_as_themselves():
    """An old graph's triples are read back from its N-Quads lines: a new graph's terms in another form
    than the reader's ("x"^^xsd:string, an upper-case tag) would seem changed, so nothing is followed."""
    s, p, G = "http://ex.org/s", "http://ex.org/p", "http://ex.org/g"
    previous = Previous({G: frozenset({(s, p, "http://ex.org/o")})}, {})
    for term in (Literal("x", datatype=XSD + "string"), Literal("x", lang="EN")):
        quads = Quads()
        quads.graph(G).add((s, p, term))
        assert Rebuild(None, Path("entry"), Path("dist"), previous).compare(quads) is None  # type: ignore[arg-type]
    quads = Quads()
    quads.graph(G).add((s, p, Literal("x", lang="en")))
    assert Rebuild(None, Path("entry"), Path("dist"), previous).compare(quads) is not None  # type: ignore[arg-type]


def _nt(triples) -> set[bytes]:
    return {line.encode() for line in sorted_lines(triples)}


def test_a_previous_dump_edited_by_hand_is_not_trusted(small_corpus, tmp_path, monkeypatch):
    """The previous N-Triples dump is used only if it is byte for byte what the previous build wrote
    (here with no kept store to open instead: `storecache.py`)."""
    data, out = tmp_path / "data", tmp_path / "dist"
    shutil.copytree(small_corpus, data)
    cache = SourceCache(tmp_path / "cache")
    build_dist(out, data_dir=data, source_cache=cache)
    shutil.rmtree(tmp_path / "cache" / "stores")
    nt = out / "giigraph.nt"
    nt.write_bytes(nt.read_bytes().replace(b"Roundtable", b"Roundtabel"))  # same size, other bytes
    corpus.add_article(data, 10_000)
    seen = _spy(monkeypatch)
    build_dist(out, data_dir=data, source_cache=cache)
    assert isinstance(seen["change"], Change) and seen["store"] is None
    assert dumps(out) == clean_build(data, tmp_path / "clean")


def test_no_change_is_followed_without_a_sound_record(small_corpus, tmp_path, monkeypatch):
    """Another output folder, or the lines of a changed graph gone from the cache: the whole dataset is
    made again, with the same bytes."""
    data, out = tmp_path / "data", tmp_path / "dist"
    shutil.copytree(small_corpus, data)
    cache = SourceCache(tmp_path / "cache")
    build_dist(out, data_dir=data, source_cache=cache)
    changed = next(p for p in sorted((data / "sources").glob("*.yaml")) if "Roundtable" in p.read_text(encoding="utf-8"))
    changed.write_text(changed.read_text(encoding="utf-8").replace("Roundtable", "Round table"), encoding="utf-8")
    seen = _spy(monkeypatch)
    build_dist(tmp_path / "elsewhere", data_dir=data, source_cache=cache)
    assert seen["change"] is None
    shutil.rmtree(tmp_path / "cache" / "nq")  # the old graph's lines, which its triples are read from
    build_dist(out, data_dir=data, source_cache=cache)
    assert seen["change"] is None and seen["store"] is None
    assert dumps(out) == dumps(tmp_path / "elsewhere") == clean_build(data, tmp_path / "clean")


def test_a_rebuild_judges_only_the_focus_nodes_the_change_reaches(small_corpus, tmp_path, monkeypatch):
    """One source added, one changed, one removed: the rebuild's SHACL Core judges a few focus nodes
    (those the change reaches), its results are a full validation's, and it leaves its state for the
    next build, which (one more article) judges incrementally again; the output stays a clean build's."""
    data, out = tmp_path / "data", tmp_path / "dist"
    shutil.copytree(small_corpus, data)
    cache = SourceCache(tmp_path / "cache")
    build_dist(out, data_dir=data, source_cache=cache)
    runs: list[tuple[int, int]] = []
    revalidate = footprint.revalidate

    def spied(validator, roots, reported, added, removed, reads=None):
        judged, check = [], validator.check
        validator.check = lambda shape, nodes, targeted, first=False: (
            judged.extend(nodes) if targeted is shape else None, check(shape, nodes, targeted, first))[1]
        results = revalidate(validator, roots, reported, added, removed, reads)
        validator.check = check
        everything = Validator(Data(validator.data.out), validator.sparql)
        assert results == everything.validate(roots)
        runs.append((len(judged), sum(len(everything.focus_nodes(root)) for root in roots)))
        return results
    monkeypatch.setattr(footprint, "revalidate", spied)
    add_change_remove(data)
    build_dist(out, data_dir=data, source_cache=cache)
    corpus.add_article(data, 10_000)
    build_dist(out, data_dir=data, source_cache=cache)
    # an article of 12; the second change is none (add_article made that same file): nothing judged, the
    # SHACL-SPARQL constraints included
    assert len(runs) == 2 and 0 < runs[0][0] < runs[0][1] / 4 and runs[1][0] == 0
    assert dumps(out) == clean_build(data, tmp_path / "clean")


@pytest.mark.parametrize("apart", [True, False], ids=["forked writers", "one process"])
def test_what_a_writer_leaves_reaches_the_next_build_that_follows_the_change(small_corpus, tmp_path, monkeypatch,
                                                                             apart):
    """A writer's `Rebuild.leave`, in a forked copy or here, is recorded once the build succeeded, and
    given back (`left`) to the next build into the same folder, only while it follows the change."""
    data, out = tmp_path / "data", tmp_path / "dist"
    shutil.copytree(small_corpus, data)
    cache = SourceCache(tmp_path / "cache")
    monkeypatch.setattr(export, "APART_QUADS", 0 if apart else 10 ** 9)
    write, finish, build, recorded = export._write, Rebuild.finish, [0], []

    def leaving(dataset, staging, name, rebuild=None):  # each writer given the rebuild leaves what it was left
        if rebuild is not None:
            rebuild.leave(f"test {name}", (build[0], rebuild.left(f"test {name}")))
        return write(dataset, staging, name, rebuild)

    def recording(self, quads, dumps):  # what the test's writers left, beside what the real ones leave
        recorded.append({step[5:]: value for step, value in self.leaving.items() if step.startswith("test ")})
        return finish(self, quads, dumps)

    def left(value) -> dict[str, object]:  # by each writer given the rebuild (all but RDF/XML)
        return {name: value for name in ("nt", "nquads", "jsonld", "turtle", "trig")}
    monkeypatch.setattr(export, "_write", leaving)
    monkeypatch.setattr(Rebuild, "finish", recording)
    build_dist(out, data_dir=data, source_cache=cache)
    assert recorded[-1] == left((0, None))
    corpus.add_article(data, 10_000)
    build[0] = 1
    build_dist(out, data_dir=data, source_cache=cache)
    assert recorded[-1] == left((1, (0, None)))
    build[0] = 2
    build_dist(tmp_path / "elsewhere", data_dir=data, source_cache=cache)  # no previous build there
    assert recorded[-1] == left((2, None))


def _loaded(data: Path, cache: SourceCache | None) -> object:
    """The corpus loaded from `data`, or the error it raises, as a string."""
    from giigraph import sources
    from giigraph.errors import SourceError

    try:
        return sources.load(data, cache)
    except SourceError as error:
        return str(error)


RESOLVED_CASES = {  # curated edits (file, [(old, new)]); the article's file is unchanged, so its resolved records are kept
    "a bare reference made ambiguous": ("curated/places.yaml", [(
        "cities:\n", "cities:\n  - id: wipo\n    name: {en: Wipo}\n    within: japan\n")]),
    "a referenced id gone": ("curated/organizations.yaml", [("  - id: wipo-office-in-china\n", "  - id: wipo-cn\n")]),
    "a bare reference now naming another kind": ("curated/places.yaml", [  # a region becomes a province
        ("  - id: yangtze-river-delta\n    name: {en: Yangtze River Delta, zh: 长江三角洲}\n"
         "    contains: [city/shanghai, suzhou, city/nanjing, city/hangzhou]\n", ""),
        ("provinces:\n", "provinces:\n  - id: yangtze-river-delta\n    name: {en: Yangtze River Delta}\n"
         "    economy: china\n")]),
    "nothing a reference asks": ("curated/places.yaml", [("{en: Yokohama,", "{en: Yokohama City,")]),
}


@pytest.mark.parametrize("case", RESOLVED_CASES, ids=list(RESOLVED_CASES))
def test_sources_are_taken_resolved_only_while_their_references_resolve_the_same(tmp_path, case):
    """A source file's resolved records are reused only if every reference they were resolved with finds
    the same kinds now: else the file is resolved again, with the corpus (or the first error) of a load
    without the cache."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    cache = SourceCache(tmp_path / "cache")
    first = _loaded(data, cache)
    assert first == _loaded(data, None) and not isinstance(first, str)
    name, edits = RESOLVED_CASES[case]
    text = (data / name).read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    (data / name).write_text(text, encoding="utf-8")
    cache.resolved.hits = cache.resolved.misses = 0
    again = _loaded(data, cache)
    assert again == _loaded(data, None)
    if not isinstance(again, str):  # each source's digest kept with it is the digest of the source taken
        assert again.digests == tuple(buildcache.digest(Source(s.article, s.records)) for s in again.sources)
    if case == "a bare reference now naming another kind":  # resolved anew, without an error
        assert any("province/yangtze-river-delta" in getattr(r, "mentions", ()) for r in again.sources[0].records)
    n = len(list((data / "sources").glob("*.yaml")))
    assert cache.resolved.hits == (n if case == "nothing a reference asks" else n - 1)


def test_errors_name_the_file_of_the_data_folder_built(tmp_path, monkeypatch):
    """Two data folders with the same files share no records read, nor one folder named two ways: a
    record names the file it was read in, and an error found after reading (here, a reference left
    unknown) cites this folder's file, as it was named."""
    cache = SourceCache(tmp_path / "cache")
    first, second = tmp_path / "first", tmp_path / "second"
    shutil.copytree(DATA_DIR, first)
    shutil.copytree(DATA_DIR, second)
    assert not isinstance(_loaded(first, cache), str)
    orgs = second / "curated" / "organizations.yaml"
    orgs.write_text(orgs.read_text(encoding="utf-8").replace("  - id: wipo-office-in-china\n", "  - id: wipo-cn\n"),
                    encoding="utf-8")
    error = _loaded(second, cache)
    assert error == _loaded(second, None) and str(second / "sources") in error
    monkeypatch.chdir(tmp_path)
    error = _loaded(Path("second"), cache)
    assert error == _loaded(Path("second"), None) and error.startswith("second/sources/")


@pytest.mark.parametrize("apart", [True, False], ids=["forked writers", "one process"])
def test_a_spliced_rebuild_keeps_the_pieces_a_full_write_would_take(small_corpus, tmp_path, monkeypatch, apart):
    """A rebuild that splices every dump reads no graph's pieces, but lists them as used: the sweep
    keeps them for the next full write (into another folder, after a big change)."""
    monkeypatch.setattr(export, "APART_QUADS", 0 if apart else 10 ** 9)
    data, root, out = tmp_path / "data", tmp_path / "cache", tmp_path / "dist"
    shutil.copytree(small_corpus, data)
    cache = SourceCache(root)
    build_dist(out, data_dir=data, source_cache=cache)
    before = entries(root, buildcache.PIECES)
    assert all(before.values())
    backdate(root)
    corpus.add_article(data, 10_000)
    build_dist(out, data_dir=data, source_cache=cache)
    after = entries(root, buildcache.PIECES)
    assert all(before[kind] <= after[kind] for kind in buildcache.PIECES), {
        kind: len(before[kind] - after[kind]) for kind in buildcache.PIECES}


def test_source_files_are_resolved_as_path_resolve_resolves_them(tmp_path, monkeypatch):
    """The entry of a source file names it resolved (`_resolved`: its folder resolved once, the file
    alone looked at): the same as `Path.resolve()`, for a symlinked file or folder, a chain of symlinks,
    a dangling or missing one, a `..` and a relative path."""
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    for name in ("a.yaml", "b.yaml", "sub/c.yaml"):
        (real / name).write_text(name, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "linked.yaml").symlink_to(real / "a.yaml")
    (data / "chained.yaml").symlink_to(data / "linked.yaml")
    (data / "dangling.yaml").symlink_to(tmp_path / "gone.yaml")
    (data / "up.yaml").symlink_to(Path("..") / "real" / "b.yaml")
    (tmp_path / "folder").symlink_to(real / "sub")
    (data / "plain.yaml").write_text("plain", encoding="utf-8")
    paths = [data / "plain.yaml", data / "linked.yaml", data / "chained.yaml", data / "dangling.yaml",
             data / "up.yaml", data / "missing.yaml", tmp_path / "folder" / "c.yaml",
             tmp_path / "folder" / ".." / "a.yaml", real / "sub" / ".." / "b.yaml", tmp_path / "folder" / ".."]
    monkeypatch.chdir(tmp_path)
    paths += [Path("data/linked.yaml"), Path("folder/c.yaml"), Path("data") / "plain.yaml", Path("x.yaml")]
    assert buildcache._resolved(paths) == [p.resolve() for p in paths]
    present = [p for p in paths if p.is_file()]
    cache = SourceCache(tmp_path / "cache")
    assert len(set(cache.entries(present))) == len(present)  # each path as given is its own entry


def test_a_graph_entry_checks_only_the_records_of_other_sources_it_read(small_corpus, tmp_path):
    """The records of a graph's own source are in its entry's key (the source's digest): its reads
    name only the others it looked up (the clusters its ranks name), each with its digest now; a
    change to its own records is another key (`test_corpus_source_added_changed_removed`)."""
    from giigraph import sources

    cache = SourceCache(tmp_path / "cache")
    loaded = sources.load(small_corpus, cache)
    build_dist(tmp_path / "out", data_dir=small_corpus, source_cache=cache)
    index = {r.ref: r for r in loaded.all_records()}
    base, fingerprint = resolve_base(None).encode(), buildcache.package_fingerprint()
    quoted = 0
    for source, source_digest in zip(loaded.sources, loaded.digests, strict=True):
        key = hashlib.sha256(fingerprint + base + b"\0" + source_digest).digest()
        reads, _ = cache.graphs.load(cache.graphs.path(key))
        own = {source.article.ref, *(r.ref for r in source.records)}
        assert not own & reads.keys()
        assert reads == {ref: buildcache.digest(index[ref]) for ref in reads}
        quoted += any(ref.startswith("cluster/") for ref in reads)
    assert quoted > 0


def test_a_rebuild_unpickles_no_source_whose_records_it_does_not_read(small_corpus, tmp_path, monkeypatch):
    """Sources taken resolved from the cache stay pickled (`sources._Kept`) unless a graph built reads
    their records: after one article is added, none is unpickled; the output is a clean build's."""
    from giigraph import sources

    data = tmp_path / "data"
    shutil.copytree(small_corpus, data)
    cache = SourceCache(tmp_path / "cache")
    build_dist(tmp_path / "first", data_dir=data, source_cache=cache)
    corpus.add_article(data, 10_000)
    unpickled, load = [], sources._Kept._load

    def spied(self):
        if self._source is None:
            unpickled.append(self.id)
        return load(self)
    monkeypatch.setattr(sources._Kept, "_load", spied)
    cache.graphs.hits = 0
    build_dist(tmp_path / "second", data_dir=data, source_cache=cache)
    assert cache.graphs.hits > 0 and unpickled == []
    assert dumps(tmp_path / "second") == clean_build(data, tmp_path / "clean")


def test_an_id_a_kept_source_holds_is_a_duplicate_with_its_place(tmp_path):
    """A kept source's ids are checked from what is kept beside it: a new file repeating one is the
    same error, citing the same first place, as without the cache."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    cache = SourceCache(tmp_path / "cache")
    assert not isinstance(_loaded(data, cache), str)
    original = next((data / "sources").glob("*.yaml"))
    text = original.read_text(encoding="utf-8")
    assert f"  id: {original.stem}\n" in text
    (data / "sources" / "zz-copy.yaml").write_text(text.replace(f"  id: {original.stem}\n", "  id: zz-copy\n", 1),
                                                   encoding="utf-8")
    error = _loaded(data, cache)
    assert isinstance(error, str) and "duplicate" in error and f"first defined at {original}:" in error
    assert error == _loaded(data, None)
