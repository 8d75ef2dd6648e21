"""Splicing a sorted dump: the previous file with lines cut out and put in is, byte for byte, the
file of the new line set, wherever the lines fall (shared prefixes, non-ASCII, block edges, first
and last line, empty files); a previous file that is not exactly what was expected is refused."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giigraph import build_dist, export, splice as splicing, turtlesplice
from giigraph.buildcache import SourceCache
from giigraph.errors import Stale
from giigraph.splice import splice

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import corpus  # noqa: E402

# few letters, so lines share prefixes and sort around each other; non-ASCII of 2, 3 and 4 bytes
LINE = st.text(st.sampled_from("ab <>.\"\\é\u00ff\u0100中\uffff\U0001d11e"), max_size=8).map(lambda s: s + "\n")
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def written(path: Path, lines: set[str]) -> tuple[int, str]:
    data = "".join(sorted(lines)).encode("utf-8")
    path.write_bytes(data)
    return len(data), hashlib.sha256(data).hexdigest()


@st.composite
def changes(draw) -> tuple[set[str], set[str], set[str]]:
    """A previous line set, the lines cut (some of it: maybe none, all, the first or the last) and put (none of it)."""
    old = draw(st.sets(LINE, max_size=30))
    cut = draw(st.sets(st.sampled_from(sorted(old)), max_size=len(old))) if old else set()
    if old and draw(st.booleans()):
        cut |= {min(old)} if draw(st.booleans()) else {max(old)}
    put = draw(st.sets(LINE, max_size=15)) - old
    return old, cut, put


@SETTINGS
@given(changes(), st.integers(1, 40))
def test_spliced_is_the_new_sorted_file(tmp_path, change, block):
    old, cut, put = change
    expected = written(tmp_path / "old", old)
    size, sha256 = splice(tmp_path / "old", expected, cut, put, tmp_path / "new", block)
    new = "".join(sorted(old - cut | put)).encode("utf-8")
    assert (tmp_path / "new").read_bytes() == new
    assert (size, sha256) == (len(new), hashlib.sha256(new).hexdigest())


@SETTINGS
@given(changes(), st.data())
def test_a_line_cut_that_is_not_there_or_put_in_that_is_refused(tmp_path, change, data):
    old, cut, put = change
    expected = written(tmp_path / "old", old)
    wrong = data.draw(LINE)
    if wrong in old:
        put = put | {wrong}
    else:
        cut = cut | {wrong}
    with pytest.raises(Stale):
        splice(tmp_path / "old", expected, cut, put, tmp_path / "new", 7)


def tampered(data: bytes, draw: st.DataObject, more: st.SearchStrategy[bytes]) -> bytes:
    """`data` with a byte changed, cut short, or lengthened by some of `more`."""
    raw = bytearray(data)
    how = draw.draw(st.sampled_from(["edit", "truncate", "lengthen"] if raw else ["lengthen"]))
    if how == "edit":
        at = draw.draw(st.integers(0, len(raw) - 1))
        raw[at] ^= draw.draw(st.integers(1, 255))
    elif how == "truncate":
        del raw[draw.draw(st.integers(0, len(raw) - 1)):]
    else:
        raw += draw.draw(more)
    return bytes(raw)


@SETTINGS
@given(changes(), st.data())
def test_a_previous_file_edited_truncated_or_lengthened_is_refused(tmp_path, change, data):
    old, cut, put = change
    expected = written(tmp_path / "old", old)
    (tmp_path / "old").write_bytes(tampered((tmp_path / "old").read_bytes(), data, LINE.map(str.encode)))
    with pytest.raises(Stale):
        splice(tmp_path / "old", expected, cut, put, tmp_path / "new", 5)


def test_lines_are_placed_across_big_blocks(tmp_path):
    old = {f"<http://example.org/{i:06d}> <p> \"é{i}\" .\n" for i in range(0, 200_000, 2)}
    cut = {f"<http://example.org/{i:06d}> <p> \"é{i}\" .\n" for i in (0, 77_778, 199_998)}
    put = {f"<http://example.org/{i:06d}> <p> \"é{i}\" .\n" for i in (1, 77_777, 77_779, 199_999)}
    expected = written(tmp_path / "old", old)
    splice(tmp_path / "old", expected, cut, put, tmp_path / "new", 1 << 16)
    assert (tmp_path / "new").read_bytes() == "".join(sorted(old - cut | put)).encode()


def _big(tmp_path: Path) -> tuple[tuple[int, str], set[str], set[str], bytes]:
    old = {f"<http://example.org/{i:06d}> <p> \"é{i}\" .\n" for i in range(0, 20_000, 2)}
    cut = {f"<http://example.org/{i:06d}> <p> \"é{i}\" .\n" for i in (0, 7_778, 19_998)}
    put = {f"<http://example.org/{i:06d}> <p> \"é{i}\" .\n" for i in (1, 7_777, 7_779, 19_999)}
    return written(tmp_path / "old", old), cut, put, "".join(sorted(old - cut | put)).encode()


@pytest.mark.parametrize("refusal", [errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP])
def test_spans_the_kernel_cannot_copy_are_written_from_the_mapping(tmp_path, monkeypatch, refusal):
    expected, cut, put, new = _big(tmp_path)
    refused = []

    def cannot(*args):
        refused.append(args)
        raise OSError(refusal, os.strerror(refusal))
    monkeypatch.setattr(splicing.os, "copy_file_range", cannot)
    assert splice(tmp_path / "old", expected, cut, put, tmp_path / "new", 1 << 12) == (len(new), sha(new))
    assert (tmp_path / "new").read_bytes() == new and refused


def test_a_span_copied_in_parts_is_whole(tmp_path, monkeypatch):
    expected, cut, put, new = _big(tmp_path)
    copy = os.copy_file_range
    monkeypatch.setattr(splicing.os, "copy_file_range",
                        lambda src, dst, count, offset: copy(src, dst, min(count, 999), offset))
    assert splice(tmp_path / "old", expected, cut, put, tmp_path / "new", 1 << 12) == (len(new), sha(new))
    assert (tmp_path / "new").read_bytes() == new


def test_a_previous_file_shortened_while_copied_is_refused(tmp_path, monkeypatch):
    expected, cut, put, _ = _big(tmp_path)
    monkeypatch.setattr(splicing.os, "copy_file_range", lambda *args: 0)  # what the kernel answers past the end
    with pytest.raises(Stale):
        splice(tmp_path / "old", expected, cut, put, tmp_path / "new", 1 << 12)


def test_an_edit_out_of_order_or_a_cut_of_other_bytes_is_refused(tmp_path):
    expected = written(tmp_path / "old", {"a\n", "b\n", "c\n"})
    for edits in ([(4, b"c\n", True), (2, b"b\n", True)], [(2, b"x\n", True)], [(7, b"d\n", False)]):
        with pytest.raises(Stale):
            splicing.rewrite(tmp_path / "old", expected, lambda old, e=edits: e, tmp_path / "new", 1)


def test_a_file_checked_at_the_start_is_not_hashed_again_unless_changed_since(tmp_path, monkeypatch):
    """`checked_files` hashes the previous dumps as a rebuild starts; `rewrite` trusts one only while its
    signature is the same: a change since (even with its mtime set back) is hashed, and refused."""
    expected, cut, put, new = _big(tmp_path)
    assert splicing.checked_files(tmp_path, {"old": expected}) == {}  # written within the last second: racy
    monkeypatch.setattr(splicing, "_RACY_NS", 0)
    assert splicing.checked_files(tmp_path, {"old": (expected[0], "0" * 64)}) == {}  # other bytes
    assert splicing.checked_files(tmp_path, {"old": (expected[0] + 1, expected[1])}) == {}  # another size
    checked = splicing.checked_files(tmp_path, {"old": expected, "gone": expected})
    assert list(checked) == ["old"]
    hashed = []
    real = splicing._sha256
    monkeypatch.setattr(splicing, "_sha256", lambda *args, **kw: hashed.append(args) or real(*args, **kw))
    spliced = splice(tmp_path / "old", expected, cut, put, tmp_path / "new", checked=checked["old"])
    assert spliced == (len(new), sha(new))
    assert not hashed
    path = tmp_path / "old"
    status, raw = path.stat(), path.read_bytes()
    middle = raw.index("é10000".encode())
    path.write_bytes(raw[:middle] + "è".encode() + raw[middle + 2:])  # the same size, a span that is copied
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    with pytest.raises(Stale):
        splice(path, expected, cut, put, tmp_path / "new", checked=checked["old"])
    assert hashed


@pytest.mark.parametrize("trusted", [False, True], ids=["hashed", "checked before"])
def test_a_previous_file_written_to_while_it_is_copied_is_refused(tmp_path, monkeypatch, trusted):
    """The kernel copies what the file holds when it copies; a write meanwhile (even one that keeps the
    size) changes its ctime: the splice is refused, hashed or not."""
    expected, cut, put, _ = _big(tmp_path)
    path = tmp_path / "old"
    time.sleep(0.05)  # the write below falls in a later tick of the kernel's clock than the file's
    monkeypatch.setattr(splicing, "_RACY_NS", 0)
    checked = splicing.checked_files(tmp_path, {"old": expected})["old"] if trusted else None
    copy, copies = os.copy_file_range, []

    def meanwhile(src, dst, count, offset):
        if not copies:
            byte = path.read_bytes()[offset:offset + 1]
            with open(path, "r+b") as fh:  # the same byte, written again
                fh.seek(offset)
                fh.write(byte)
        copies.append(count)
        return copy(src, dst, count, offset)
    monkeypatch.setattr(splicing.os, "copy_file_range", meanwhile)
    with pytest.raises(Stale, match="changed while it was read"):
        splice(path, expected, cut, put, tmp_path / "new", 1 << 12, checked)
    assert copies


def test_a_rebuild_asks_for_a_check_only_once_it_is_done():
    """A forked writer's copy of the process has no thread to wait for: a check not done is no check."""
    from concurrent.futures import Future

    from giigraph.rebuild import Rebuild

    rebuild = Rebuild(None, Path("entry"), Path("dist"), None)  # type: ignore[arg-type]
    rebuild._checked = Future()
    assert rebuild.checked("giigraph.nt") is None
    rebuild._checked.set_result({"giigraph.nt": (1, 2, 3, 4, 5)})
    assert rebuild.checked("giigraph.nt") == (1, 2, 3, 4, 5) and rebuild.checked("giigraph.nq") is None
    failed = Rebuild(None, Path("entry"), Path("dist"), None, _checked=Future())  # type: ignore[arg-type]
    failed._checked.set_exception(OSError("unreadable"))  # type: ignore[union-attr]
    assert failed.checked("giigraph.nt") is None


def test_a_line_feed_inside_a_line_is_refused(tmp_path):
    expected = written(tmp_path / "old", {"a\n", "c\n"})
    with pytest.raises(Stale):
        splice(tmp_path / "old", expected, set(), {"b\nb\n"}, tmp_path / "new")


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    return corpus.generate(tmp_path_factory.mktemp("corpus") / "data", 10_000)


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def change_sources(data: Path, again: bool = False) -> None:
    """One article added, one changed, one removed (as in the build cache's tests); `again`: the
    article added and the one changed then changed, another removed."""
    sources = sorted((data / "sources").glob("*.yaml"))
    if again:
        added = corpus.add_article(data, 10_000)
        changed = next(p for p in sources if "Round table" in p.read_text(encoding="utf-8"))
        for path, old, new in ((added, "The article", "The piece"), (changed, "Round table", "Round-table")):
            path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    else:
        added = corpus.add_article(data, 10_000)
        changed = next(p for p in sources if "Roundtable" in p.read_text(encoding="utf-8"))
        changed.write_text(changed.read_text(encoding="utf-8").replace("Roundtable", "Round table"), encoding="utf-8")
    next(p for p in sources if p not in (added, changed)).unlink()


@pytest.fixture
def outcomes(tmp_path, monkeypatch):
    """What each splice of the builds did, by dump file: "spliced", "stale" or "missing" (in a file:
    forked writers splice too); Turtle and TriG: "spliced" or "in full"."""
    log = tmp_path / "splices.jsonl"
    splice_as_is, laid_out_again = splicing.splice, turtlesplice.spliced

    def spy_laid_out(dataset, name, path, rebuild):
        written = laid_out_again(dataset, name, path, rebuild)
        with open(log, "a") as fh:
            fh.write(json.dumps([path.name, "in full" if written is None else "spliced"]) + "\n")
        return written
    monkeypatch.setattr(turtlesplice, "spliced", spy_laid_out)

    def spy(previous, expected, cut, put, path, block=splicing.BLOCK, checked=None):
        try:
            written = splice_as_is(previous, expected, cut, put, path, block, checked)
        except Stale:
            outcome = "stale"
            raise
        except FileNotFoundError:
            outcome = "missing"
            raise
        else:
            outcome = "spliced"
            return written
        finally:
            with open(log, "a") as fh:
                fh.write(json.dumps([path.name, outcome]) + "\n")
    monkeypatch.setattr(splicing, "splice", spy)

    def read() -> list[tuple[str, str]]:
        done = [tuple(json.loads(line)) for line in log.read_text().splitlines()] if log.exists() else []
        log.unlink(missing_ok=True)
        return sorted(done)
    return read


SPLICED = [("giigraph.nq", "spliced"), ("giigraph.nt", "spliced"), ("giigraph.trig", "spliced"),
           ("giigraph.ttl", "spliced")]
IN_FULL = [("giigraph.trig", "in full"), ("giigraph.ttl", "in full")]


@pytest.mark.parametrize("forked", [False, True], ids=["here", "forked"])
def test_rebuilds_in_place_are_spliced_and_are_clean_builds(small_corpus, tmp_path, monkeypatch, outcomes,
                                                            forked):
    if forked:
        monkeypatch.setattr(export, "APART_QUADS", 0)  # the small corpus written as big data is
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(small_corpus, data)
    cache = SourceCache(tmp_path / "cache")
    build_dist(out, data_dir=data, source_cache=cache)
    assert outcomes() == IN_FULL  # nothing to splice from
    for again in (False, True):  # the second splices what the first spliced, with the graphs' lines it left in the cache
        change_sources(data, again)
        build_dist(out, data_dir=data, source_cache=cache)
        assert outcomes() == SPLICED
        assert not (tmp_path / ".out.old").exists()  # the previous folder removed before the build returns
        build_dist(tmp_path / f"clean{again}", data_dir=data)
        assert files(out) == files(tmp_path / f"clean{again}")


@pytest.mark.parametrize("edited", [None, "giigraph.nt", "giigraph.jsonld", "giigraph.rdf"])
def test_dumps_checked_as_the_rebuild_started_are_spliced_unless_edited_since(small_corpus, tmp_path, monkeypatch,
                                                                             edited):
    """With the previous dumps hashed as the rebuild starts (`Rebuild.checked`, waited for here), a rebuild
    is a clean build; a dump edited by hand (same size, its mtime set back) is not taken as checked."""
    from giigraph.rebuild import Rebuild

    monkeypatch.setattr(splicing, "_RACY_NS", 0)
    asked: dict[str, bool] = {}
    checked = Rebuild.checked

    def waited(self, name):
        self._checked.exception()  # done before the writers ask (they are not forked here)
        asked[name] = checked(self, name) is not None
        return checked(self, name)
    monkeypatch.setattr(Rebuild, "checked", waited)
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(small_corpus, data)
    cache = SourceCache(tmp_path / "cache")
    build_dist(out, data_dir=data, source_cache=cache)
    if edited:
        path = out / edited
        status, raw = path.stat(), path.read_bytes()
        at = raw.index(b"Roundtable")
        path.write_bytes(raw[:at] + b"RoundTable" + raw[at + len(b"Roundtable"):])
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    change_sources(data)
    build_dist(out, data_dir=data, source_cache=cache)
    assert asked == {name: name != edited for name in ("giigraph.nt", "giigraph.nq", "giigraph.jsonld",
                                                       "giigraph.ttl", "giigraph.trig", "giigraph.rdf")}
    build_dist(tmp_path / "clean", data_dir=data)
    assert files(out) == files(tmp_path / "clean")


@pytest.mark.parametrize("edit", ["changed", "truncated", "deleted"])
def test_a_previous_dump_edited_by_hand_is_written_in_full(small_corpus, tmp_path, outcomes, edit):
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(small_corpus, data)
    cache = SourceCache(tmp_path / "cache")
    build_dist(out, data_dir=data, source_cache=cache)
    assert outcomes() == IN_FULL
    change_sources(data)
    nt = out / "giigraph.nt"
    raw = nt.read_bytes()
    if edit == "changed":  # same size, one line changed
        nt.write_bytes(raw.replace(b"Roundtable", b"RoundTable", 1))
    elif edit == "truncated":
        nt.write_bytes(raw[:len(raw) // 2])
    else:
        nt.unlink()
    build_dist(out, data_dir=data, source_cache=cache)
    assert outcomes() == [("giigraph.nq", "spliced"), ("giigraph.nt", "missing" if edit == "deleted" else "stale"),
                          ("giigraph.trig", "spliced"), ("giigraph.ttl", "spliced")]
    build_dist(tmp_path / "clean", data_dir=data)
    assert files(out) == files(tmp_path / "clean")
