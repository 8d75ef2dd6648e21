"""The build cache: each source file's checked records, kept under the hash of what they came from.

Rebuilding a big corpus after one article changed should not read and check the other thousands of
source files again. The cache keeps, per source file, the records `sources` read from it (pickled),
under the SHA-256 of the file's name and bytes and of the code that reads them (`sources.py`,
`model.py`): an edited or renamed file, or another giigraph, never meets an old entry. Every entry
carries the SHA-256 of its own payload, so a truncated or corrupt entry is detected, read again from
the source and rewritten, never trusted. Entries are written atomically (temp file, rename).

Only the reading is cached: references are resolved, the graph built and validated, and every dump
written on each run, so the output is the same bytes as a build without the cache.
The folder is the user's own ($XDG_CACHE_HOME/giigraph, else ~/.cache/giigraph; `--cache DIR`):
entries are pickles, so it must not be writable by others.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
MAGIC = b"giigraph-build-cache 1\n"


def default_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "giigraph"


@cache
def _code_fingerprint() -> bytes:
    """The code whose output is cached: another version of it makes every old entry unreachable."""
    from . import __version__, model, sources

    h = hashlib.sha256(__version__.encode())
    for module in (sources, model):
        h.update(Path(module.__file__).read_bytes())
    return h.digest()


class SourceCache:
    """Records read from source files, by content; `hits` and `misses` count this run's lookups."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder) / "sources"
        self.hits = self.misses = 0

    def _entry(self, path: Path, data: bytes) -> Path:
        key = hashlib.sha256(_code_fingerprint() + path.name.encode() + b"\0" + data).hexdigest()
        return self.folder / key[:2] / key

    def get(self, path: Path) -> tuple[Path, object | None]:
        """The entry file for `path` as it is now, and its records if a sound entry exists."""
        entry = self._entry(path, path.read_bytes())
        try:
            raw = entry.read_bytes()
        except OSError:
            return entry, None
        digest, payload = raw[len(MAGIC):len(MAGIC) + 32], raw[len(MAGIC) + 32:]
        if not raw.startswith(MAGIC) or hashlib.sha256(payload).digest() != digest:
            return entry, None  # truncated or corrupt: read the source again
        try:
            return entry, pickle.loads(payload)
        except Exception:  # noqa: BLE001 - any unreadable entry is simply rebuilt
            return entry, None

    def put(self, entry: Path, value: object) -> None:
        """Store `value` atomically; a cache that cannot be written only costs speed."""
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, temp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(temp, entry)
        except OSError:
            pass

    def read_all(self, paths: list[Path], read: Callable[[list[Path]], tuple[T, ...]]) -> tuple[T, ...]:
        """What `read(paths)` returns, reading only the files without a sound entry."""
        found: dict[Path, object] = {}
        missing: list[tuple[Path, Path]] = []
        for path in paths:
            entry, value = self.get(path)
            if value is None:
                missing.append((path, entry))
            else:
                found[path] = value
        self.hits, self.misses = self.hits + len(found), self.misses + len(missing)
        for (path, entry), value in zip(missing, read([p for p, _ in missing]), strict=True):
            self.put(entry, value)
            found[path] = value
        return tuple(found[p] for p in paths)  # type: ignore[misc]
