"""The sorted dumps of a rebuild (N-Quads, N-Triples) spliced from the previous build's files.

Both dumps are sorted, distinct lines (the byte order of UTF-8 is the code-point order of Python's
sort), so given the exact change since the previous build, the new file is the previous one with
the lines of what was removed cut out and the lines of what was added put in: each place is found by
binary search, and the unchanged spans are copied in big blocks, file to file, where a full write
formats, merges and writes every line again. Nothing is trusted: the previous file's size and SHA-256
(hashed while the new file is written, or as the rebuild started: `checked_files`) must be what that
build wrote, every cut line must be there and every put-in line absent; else `Stale` is raised, and
the caller writes the dump in full.
"""
from __future__ import annotations

import errno
import hashlib
import mmap
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .apart import in_thread
from .errors import Stale
from .quads import Quads, sorted_lines

if TYPE_CHECKING:
    from .rebuild import Rebuild

#: Unchanged spans of this many bytes or more are copied file to file; shorter ones are joined with
#: what is put in, and written in pieces of about this size. The previous file is hashed in blocks of it.
BLOCK = 1 << 22


#: (offset in the previous file, bytes, whether they are cut there (else put in before what is there))
Edit = tuple[int, bytes, bool]


def splice(previous: Path, expected: tuple[int, str], cut: Iterable[str], put: Iterable[str],
           path: Path, block: int = BLOCK, checked: "Signature | None" = None) -> tuple[int, str]:
    """Write into `path` the lines of the sorted file `previous` without the lines `cut` and with
    the lines `put` (each ending in its line feed); its size and SHA-256, taken as it is written.
    `Stale` (with `path` left half-written) unless `previous` has the size and SHA-256 `expected`,
    holds every line of `cut` and none of `put`."""
    return rewrite(previous, expected, lambda old: _edits(old, cut, put), path, block, checked)


#: A piece of a new file: a span (start, end) of the previous file's bytes, or bytes made anew.
Segment = tuple[int, int] | bytes


def rewrite(previous: Path, expected: tuple[int, str], edits: "Callable[[mmap.mmap | bytes], list[Edit]]",
            path: Path, block: int = BLOCK, checked: "Signature | None" = None) -> tuple[int, str]:
    """Write into `path` the file `previous` with the `edits(its bytes)` made (in the order of their
    offsets; at one offset, in their order); its size and SHA-256, taken as it is written. Unchanged
    spans of `block` bytes or more are copied by the kernel, file to file (`_copy`: a tenth of the
    time of writing them from Python here), and hashed from the mapping. `Stale` (with `path` left
    half-written) unless `previous` has the size and SHA-256 `expected` (hashed whole in a thread,
    beside the copying, unless its `signature` is still `checked`: see `checked_files`), and every cut
    holds the bytes that are there."""
    with open(previous, "rb") as fh:
        status = os.fstat(fh.fileno())
        if status.st_size != expected[0]:
            raise Stale(f"{previous}: not the size the previous build wrote")
        with (mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if expected[0] else _Empty()) as old:
            stop = threading.Event()
            hashed = None if checked is not None and signature(status) == checked else \
                in_thread(lambda: _sha256(old, stop), "giigraph-hash")
            try:
                written = _write_segments(path, fh.fileno(), old, _segments(old, edits(old), block))
            except BaseException:
                stop.set()
                raise
            finally:
                # its view of the mapping released before the mapping is closed
                digest = hashed.result() if hashed is not None else expected[1]
        if signature(os.fstat(fh.fileno())) != signature(status):  # written to meanwhile: what was
            raise Stale(f"{previous}: changed while it was read")   # copied may not be what was hashed
    if digest != expected[1]:
        raise Stale(f"{previous}: not the file the previous build wrote")
    return written


#: What tells a file apart from itself changed (`signature`): device, inode, size, mtime and ctime (ns).
Signature = tuple[int, int, int, int, int]
#: A file whose ctime is this close to its hashing (or later) is hashed again when spliced: a change
#: in the same tick of the kernel's clock could leave its ctime as it was.
_RACY_NS = 1_000_000_000


def signature(status: os.stat_result) -> Signature:
    """A file's `Signature`, from its status."""
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns


def checked_files(folder: Path, files: dict[str, tuple[int, str]]) -> dict[str, Signature]:
    """Those of `files` (name in `folder`: size and SHA-256 expected) whose bytes are the expected ones,
    each with its `signature`: hashed at the start of a rebuild, on the core the reading of the sources
    leaves idle, so that `rewrite` need not hash a file again while its signature is the same. Any
    write, truncation or change of mode since sets the file's ctime to the kernel's clock, which no
    call sets back (and a file put in its place is another inode); a file changed during its hashing,
    or within `_RACY_NS` before it, is not taken."""
    checked = {}
    for name, (size, sha256) in files.items():
        racy = time.time_ns() - _RACY_NS
        try:
            with open(folder / name, "rb") as fh:
                before = os.fstat(fh.fileno())
                if before.st_size != size or before.st_ctime_ns >= racy:
                    continue
                with (mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else _Empty()) as mapped:
                    digest = _sha256(mapped, block=1 << 26)
                after = os.fstat(fh.fileno())
        except OSError:
            continue
        if digest == sha256 and signature(before) == signature(after):
            checked[name] = signature(after)
    return checked


def _sha256(old: "mmap.mmap | bytes", stop: threading.Event | None = None, block: int = BLOCK) -> str | None:
    """The SHA-256 (hex) of `old`, read in big blocks (hashlib lets go of the GIL for each: the
    bigger, the fewer times it is waited for); None if `stop` is set meanwhile."""
    digest = hashlib.sha256()
    with memoryview(old) as view:
        for start in range(0, len(view), block):
            if stop is not None and stop.is_set():
                return None
            with view[start:start + block] as piece:
                digest.update(piece)
    return digest.hexdigest()


def _segments(old: "mmap.mmap | bytes", edits: list[Edit], block: int) -> Iterator[Segment]:
    """The new file as spans of `old` (each of `block` bytes or more) and bytes (shorter spans joined with
    what is put in); `Stale` if an edit is out of order, or a cut is not what `old` holds there."""
    held = bytearray()  # small pieces, joined into one
    at = 0
    for offset, line, cutting in [*edits, (len(old), b"", True)]:
        if not at <= offset <= len(old):
            raise Stale(f"an edit at {offset} of the previous file out of order")
        if offset - at >= block:
            if held:
                yield bytes(held)
                held.clear()
            yield at, offset
        else:
            held += old[at:offset]
        if cutting:
            if old[offset:offset + len(line)] != line:
                raise Stale(f"the previous file does not hold {line[:80]!r} at {offset}")
            at = offset + len(line)
        else:
            held += line
            at = offset
        if len(held) >= block:
            yield bytes(held)
            held.clear()
    if held:
        yield bytes(held)


def _write_segments(path: Path, source: int, old: "mmap.mmap | bytes",
                    segments: Iterable[Segment]) -> tuple[int, str]:
    """Write `segments` (spans of `old`, the file open as `source`, and bytes) into `path`, flushed
    to disk; its size and SHA-256, taken on the way."""
    digest, size = hashlib.sha256(), 0
    with open(path, "wb", buffering=0) as out, memoryview(old) as view:
        target = out.fileno()
        for segment in segments:
            if isinstance(segment, bytes):
                _write_all(target, segment)
                digest.update(segment)
                size += len(segment)
                continue
            start, end = segment
            with view[start:end] as piece:
                _copy(source, target, start, end, piece)
                digest.update(piece)
            size += end - start
        os.fsync(target)
    return size, digest.hexdigest()


#: What `os.copy_file_range` raises where the kernel or file system cannot copy (then the bytes are written).
_CANNOT_COPY = frozenset({errno.ENOSYS, errno.EXDEV, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP})


def _copy(source: int, target: int, start: int, end: int, piece: memoryview) -> None:
    """Append bytes `start` to `end` of `source` (`piece`, as mapped) to `target`: copied by the kernel,
    page cache to page cache (Linux, since 4.5), else written from the mapping."""
    while start < end:
        try:
            done = os.copy_file_range(source, target, end - start, start)
        except OSError as exc:
            if exc.errno not in _CANNOT_COPY:
                raise
            _write_all(target, piece[len(piece) - (end - start):])
            return
        if not done:
            raise Stale("the previous file was shortened while it was read")
        start += done


def _write_all(target: int, data: "bytes | memoryview") -> None:
    with memoryview(data) as view:
        while view:
            view = view[os.write(target, view):]


def edits_of(old: "mmap.mmap | bytes", segments: Iterable[Segment]) -> list[Edit]:
    """The edits that make of `old` the file of `segments` (spans of `old`, in file order, and new
    bytes): what no span copies is cut."""
    edits: list[Edit] = []
    at = 0
    for segment in segments:
        if isinstance(segment, bytes):
            edits.append((at, segment, False))
            continue
        start, end = segment
        if start < at or end > len(old):
            raise Stale(f"a span {segment} of the previous file out of order")
        if start > at:
            edits.append((at, old[at:start], True))
        at = end
    if at < len(old):
        edits.append((at, old[at:], True))
    return edits


class _Empty(bytes):
    """An empty previous file (mmap maps none), closed as a mapping is."""

    def __enter__(self) -> bytes:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _edits(old: "mmap.mmap | bytes", cut: Iterable[str], put: Iterable[str]) -> list[Edit]:
    """(offset in `old`, line, whether it is cut) for every line cut or put in, in the order of the
    lines: a cut line sits at its offset, a put-in line goes before the line at its offset."""
    lines = sorted([(line.encode("utf-8"), True) for line in set(cut)]
                   + [(line.encode("utf-8"), False) for line in set(put)])
    edits = []
    at = 0
    for line, cutting in lines:
        if not line.endswith(b"\n") or line.count(b"\n") != 1:
            raise Stale(f"{line[:80]!r} is not one line")
        at = first_line_not_below(old, line, at)
        if (old[at:at + len(line)] == line) != cutting:
            raise Stale(f"the previous file {'lacks' if cutting else 'holds'} {line[:80]!r}")
        edits.append((at, line, cutting))
    return edits


def first_line_not_below(old: "mmap.mmap | bytes", line: bytes, lo: int) -> int:
    """The offset of the first line of `old` from the line starting at `lo` on that does not sort
    below `line` (the end of `old` if none does), by binary search."""
    hi = len(old)
    while lo < hi:
        mid = (lo + hi) // 2
        start = old.rfind(b"\n", lo, mid) + 1 or lo
        end = old.find(b"\n", start, hi) + 1 or hi
        if old[start:end] < line:
            lo = end
        else:
            hi = start
    return lo


def spliced(dataset: Quads, name: str, path: Path, rebuild: "Rebuild | None") -> tuple[int, str] | None:
    """Dump `name` of `dataset` written into `path` (its size and SHA-256) from the previous build's
    file in the output folder, when it is N-Quads or N-Triples and `rebuild` knows the exact change
    (Turtle and TriG: `turtlesplice.spliced`); None where it cannot be spliced exactly (then the
    caller writes it in full). A spliced N-Quads dump is not made of the graphs' sorted lines: they
    are left in the build cache all the same (a rebuild reads a changed graph's old triples there),
    made for the graphs that changed."""
    if name in ("turtle", "trig") and rebuild is not None:
        from .turtlesplice import spliced as laid_out_again

        return laid_out_again(dataset, name, path, rebuild)
    if rebuild is None or rebuild.previous is None or rebuild.change is None or name not in ("nquads", "nt"):
        return None
    expected = rebuild.previous.dumps.get(path.name)
    if expected is None:
        return None
    change = rebuild.change
    if name == "nquads":
        cut = [line for g, triples in change.removed.items() for line in sorted_lines(triples, g)]
        put = [line for g, triples in change.added.items() for line in sorted_lines(triples, g)]
    else:
        cut, put = sorted_lines(change.union_removed), sorted_lines(change.union_added)
    try:
        written = splice(rebuild.out / path.name, expected, cut, put, path,
                         checked=rebuild.checked(path.name))
    except (Stale, OSError):  # not the file the previous build left (or none): written in full
        return None
    if name == "nquads":
        dataset.keep_lines(change.graphs)
    return written
