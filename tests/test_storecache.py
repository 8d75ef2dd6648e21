"""The union's store kept on disk between builds (storecache.py): opened only while sealed with the
previous N-Triples dump it holds, patched by a rebuild, sealed again once that build succeeded."""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from giigraph import build_dist, export
from giigraph.buildcache import SourceCache
from giigraph.errors import ValidationFailed
from giigraph.rebuild import Change, Rebuild
from giigraph.storecache import KeptStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import corpus  # noqa: E402
from test_buildcache import _spy, add_change_remove, clean_build, dumps  # noqa: E402


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    return corpus.generate(tmp_path_factory.mktemp("corpus") / "data", 10_000)


@pytest.fixture
def built(small_corpus, tmp_path) -> tuple[Path, Path, SourceCache]:
    """A copy of the corpus, built once with a cache: (data folder, output folder, cache)."""
    data, out = tmp_path / "data", tmp_path / "dist"
    shutil.copytree(small_corpus, data)
    cache = SourceCache(tmp_path / "cache")
    build_dist(out, data_dir=data, source_cache=cache)
    return data, out, cache


def kept_folder(cache: SourceCache) -> Path:
    (folder,) = [p for p in (cache.folder.parent / "stores").glob("*/*") if p.is_dir()]
    return folder


def triples(store: ox.Store) -> set[ox.Quad]:
    return set(store)


def dump_triples(path: Path) -> set[ox.Quad]:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    return set(store)


def held(folder: Path) -> set[ox.Quad]:
    """The triples of the store the seal names."""
    digest, name = (folder / "seal").read_text().split()
    store = ox.Store.read_only(str(folder / name))
    try:
        return set(store)
    finally:
        del store


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def opened(monkeypatch) -> list[bool]:
    """Whether each build's seed was the kept store."""
    seen: list[bool] = []
    original = Rebuild._opened

    def spied(self, digest):
        found = original(self, digest)
        seen.append(found is not None)
        return found
    monkeypatch.setattr(Rebuild, "_opened", spied)
    return seen


def test_a_build_keeps_its_union_sealed_with_its_dump(built):
    data, out, cache = built
    folder = kept_folder(cache)
    assert seal(folder)[0] == sha256(out / "giigraph.nt")
    assert held(folder) == dump_triples(out / "giigraph.nt")
    assert [p.name for p in folder.glob("db-*")] == [seal(folder)[1].name]


@pytest.mark.parametrize("apart", [True, False], ids=["forked writers", "one process"])
def test_a_rebuild_patches_the_kept_store_and_seals_it_with_its_own_dump(built, monkeypatch, tmp_path, apart):
    if apart:
        monkeypatch.setattr(export, "APART_QUADS", 0)
    data, out, cache = built
    add_change_remove(data)
    seen, used = _spy(monkeypatch), opened(monkeypatch)
    build_dist(out, data_dir=data, source_cache=cache)
    assert used == [True] and isinstance(seen["change"], Change)
    assert triples(seen["store"].result()) == dump_triples(out / "giigraph.nt")  # what the rebuild validated
    del seen["store"]
    folder = kept_folder(cache)
    assert seal(folder)[0] == sha256(out / "giigraph.nt")
    assert held(folder) == dump_triples(out / "giigraph.nt")
    assert dumps(out) == clean_build(data, tmp_path / "clean")


def seal(folder: Path) -> tuple[str, Path]:
    digest, name = (folder / "seal").read_text().split()
    return digest, folder / name


@pytest.mark.parametrize("damage", ["unsealed", "other seal", "name outside", "open elsewhere", "gone"])
def test_a_kept_store_not_sealed_with_the_previous_dump_or_in_use_is_not_opened(built, monkeypatch, tmp_path, damage):
    """A store left unsealed (a build that crashed while patching it), sealed with another dump, opened
    by another process, or deleted: the rebuild loads the previous dump instead, with the same bytes,
    and keeps a new store for the next (the one held elsewhere is not touched in place)."""
    data, out, cache = built
    folder = kept_folder(cache)
    holder = None
    if damage == "unsealed":
        KeptStore(folder).unseal()
    elif damage == "other seal":
        (folder / "seal").write_text("0" * 64 + " " + seal(folder)[1].name)
    elif damage == "name outside":  # a seal naming a store elsewhere (the folder above holds one too)
        shutil.copytree(seal(folder)[1], folder.parent / "db-elsewhere")
        (folder / "seal").write_text(seal(folder)[0] + " ../db-elsewhere")
    elif damage == "open elsewhere":
        holder = ox.Store(str(seal(folder)[1]))  # RocksDB refuses a second opening
    else:
        shutil.rmtree(folder)
    corpus.add_article(data, 10_000)
    seen, used = _spy(monkeypatch), opened(monkeypatch)
    build_dist(out, data_dir=data, source_cache=cache)
    assert used == [False] and isinstance(seen["change"], Change) and seen["store"] is not None
    del holder, seen["store"]
    assert seal(folder)[0] == sha256(out / "giigraph.nt")
    assert held(folder) == dump_triples(out / "giigraph.nt")
    assert dumps(out) == clean_build(data, tmp_path / "clean")


def test_a_record_another_build_holds_is_left_to_it(built, monkeypatch, tmp_path):
    """Two builds of the same at once: the second neither opens, patches nor makes the kept store."""
    data, out, cache = built
    folder = kept_folder(cache)
    before = (folder / "seal").read_text(), sorted(p.name for p in folder.iterdir())
    other = KeptStore(folder)
    assert other.claim()
    corpus.add_article(data, 10_000)
    used = opened(monkeypatch)
    build_dist(out, data_dir=data, source_cache=cache)
    assert used == [False]
    assert ((folder / "seal").read_text(), sorted(p.name for p in folder.iterdir())) == before
    assert dumps(out) == clean_build(data, tmp_path / "clean")
    other.release()
    corpus.add_article(data, 10_000)  # the seal names the dump before last: not opened, made anew
    build_dist(out, data_dir=data, source_cache=cache)
    assert used == [False, False] and seal(folder)[0] == sha256(out / "giigraph.nt")


def test_a_rebuild_that_fails_after_patching_leaves_the_store_unsealed(built, monkeypatch, tmp_path):
    data, out, cache = built
    before = dumps(out)
    corpus.add_article(data, 10_000)
    real = Rebuild.validate

    def fails(self, quads):
        self.union_store_seen = quads.union_store()  # the kept store is patched by now
        real(self, quads)
        raise ValidationFailed(None, "refused")  # type: ignore[arg-type]
    monkeypatch.setattr(Rebuild, "validate", fails)
    with pytest.raises(ValidationFailed):
        build_dist(out, data_dir=data, source_cache=cache)
    assert dumps(out) == before
    assert not (kept_folder(cache) / "seal").exists()
    monkeypatch.undo()
    used = opened(monkeypatch)
    build_dist(out, data_dir=data, source_cache=cache)
    assert used == [False]
    assert dumps(out) == clean_build(data, tmp_path / "clean")
    assert held(kept_folder(cache)) == dump_triples(out / "giigraph.nt")


def test_a_build_that_does_not_follow_a_change_makes_the_store_anew(built, monkeypatch, tmp_path):
    """The lines of a changed graph gone from the cache: no change is followed, the kept store is not
    patched but made again from this build's dump."""
    data, out, cache = built
    corpus.add_article(data, 10_000)
    shutil.rmtree(cache.folder.parent / "nq")
    changed = next(p for p in sorted((data / "sources").glob("*.yaml")) if "Roundtable" in p.read_text(encoding="utf-8"))
    changed.write_text(changed.read_text(encoding="utf-8").replace("Roundtable", "Round table"), encoding="utf-8")
    seen = _spy(monkeypatch)
    build_dist(out, data_dir=data, source_cache=cache)
    assert seen["change"] is None
    assert seal(kept_folder(cache))[0] == sha256(out / "giigraph.nt")
    assert held(kept_folder(cache)) == dump_triples(out / "giigraph.nt")


def test_the_store_of_a_build_no_manifest_names_is_swept(built, tmp_path):
    data, out, cache = built
    first = kept_folder(cache)
    for path in (first, *first.rglob("*")):
        os.utime(path, (time.time() - 3600,) * 2)
    build_dist(tmp_path / "elsewhere", data_dir=data, source_cache=cache)
    assert not first.exists()
    assert kept_folder(cache) != first


def test_the_sweep_leaves_a_store_a_build_holds(built, tmp_path):
    data, out, cache = built
    first = kept_folder(cache)
    for path in (first, *first.rglob("*")):
        os.utime(path, (time.time() - 3600,) * 2)
    other = KeptStore(first)
    assert other.claim()
    build_dist(tmp_path / "elsewhere", data_dir=data, source_cache=cache)
    other.release()
    assert first.exists() and held(first) == dump_triples(out / "giigraph.nt")


@pytest.mark.parametrize("chunk", [7, 100, 1 << 20])
def test_a_store_made_a_chunk_at_a_time_holds_the_whole_dump(monkeypatch, tmp_path, chunk):
    """Chunks shorter than a line, of a few lines, and of all of them, cut between lines."""
    from giigraph import storecache
    from giigraph.quads import sorted_lines
    from giigraph.terms import Literal

    triples = {(f"http://ex.org/s{n}", "http://ex.org/p", Literal("x" * n, lang="en") if n % 2 else f"http://ex.org/o{n}")
               for n in range(60)}
    dump = tmp_path / "giigraph.nt"
    dump.write_text("".join(sorted_lines(triples)), encoding="utf-8")
    monkeypatch.setattr(storecache, "CHUNK", chunk)
    kept = KeptStore(tmp_path / "kept")
    assert kept.claim()
    kept.make(dump)
    kept.seal(sha256(dump))
    kept.release()
    assert held(tmp_path / "kept") == dump_triples(dump) and len(dump_triples(dump)) == 60
