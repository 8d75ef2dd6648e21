"""Splicing a sorted dump: the previous file with lines cut out and put in is, byte for byte, the
file of the new line set, wherever the lines fall (shared prefixes, non-ASCII, block edges, first
and last line, empty files); a previous file that is not exactly what was expected is refused."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giigraph.errors import Stale
from giigraph.splice import splice

# few letters, so lines share prefixes and sort around each other; non-ASCII of 2, 3 and 4 bytes
LINE = st.text(st.sampled_from("ab <>.\"\\é\u00ff\u0100中\uffff\U0001d11e"), max_size=8).map(lambda s: s + "\n")
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


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


@SETTINGS
@given(changes(), st.data())
def test_a_previous_file_edited_truncated_or_lengthened_is_refused(tmp_path, change, data):
    old, cut, put = change
    expected = written(tmp_path / "old", old)
    raw = bytearray((tmp_path / "old").read_bytes())
    how = data.draw(st.sampled_from(["edit", "truncate", "lengthen"] if raw else ["lengthen"]))
    if how == "edit":
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] ^= data.draw(st.integers(1, 255))
    elif how == "truncate":
        del raw[data.draw(st.integers(0, len(raw) - 1)):]
    else:
        raw += data.draw(LINE).encode()
    (tmp_path / "old").write_bytes(bytes(raw))
    with pytest.raises(Stale):
        splice(tmp_path / "old", expected, cut, put, tmp_path / "new", 5)


def test_lines_are_placed_across_big_blocks(tmp_path):
    old = {f"<http://example.org/{i:06d}> <p> \"é{i}\" .\n" for i in range(0, 200_000, 2)}
    cut = {f"<http://example.org/{i:06d}> <p> \"é{i}\" .\n" for i in (0, 77_778, 199_998)}
    put = {f"<http://example.org/{i:06d}> <p> \"é{i}\" .\n" for i in (1, 77_777, 77_779, 199_999)}
    expected = written(tmp_path / "old", old)
    splice(tmp_path / "old", expected, cut, put, tmp_path / "new", 1 << 16)
    assert (tmp_path / "new").read_bytes() == "".join(sorted(old - cut | put)).encode()


def test_a_line_feed_inside_a_line_is_refused(tmp_path):
    expected = written(tmp_path / "old", {"a\n", "c\n"})
    with pytest.raises(Stale):
        splice(tmp_path / "old", expected, set(), {"b\nb\n"}, tmp_path / "new")
