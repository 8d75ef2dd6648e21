"""The union's Oxigraph store kept on disk in the build cache, so that a rebuild opens it instead of loading it.

A rebuild reads the previous build's union in an Oxigraph store, patched with the change (SHACL-SPARQL
and the charts query it: `rebuild.py`). Loading it into memory from the previous N-Triples dump costs
about 2.9 s of CPU at a million triples, a third of all the rebuild used; opening a store kept on disk
(RocksDB) costs 0.07 s. So each build with the cache keeps its union's store, per build record (data
folder, base IRI, output folder), in a folder of `stores/` in the cache folder:

- `db-*/`: stores; `seal`: the SHA-256 of an N-Triples dump and the name of the store that holds its
  triples, exactly. The seal is written only once that is so, and deleted before that store is
  changed: a store no seal names is never opened, and is deleted when a new one is sealed.
- A build whose union's store is not the kept one (the first, or one that did not follow a change)
  makes a new one from its N-Triples dump in a thread (bulk loads, then a compaction: about 8 s of
  CPU at a million triples, beside the build), sealed once the build succeeded.
- A rebuild that follows the change opens the sealed store, deletes the seal, patches the store, and
  seals it with its own dump's SHA-256 once it succeeded (`Rebuild.finish`).
- A build holds `lock` (flock) on the folder from start to end, so two builds of the same record never
  share a store: the second keeps none and loads the dump as before. The sweep deletes the folder of a
  record no manifest names only while it can take that lock (`delete`). A store is never replaced in
  place (each has its own name): a process still holding an old one writes only into that one.

RocksDB checks each block's checksum as it reads it: a damaged file raises, it is not read as other
triples. The folder's other guarantees are the build cache's (buildcache.py): only this user (or
root) can write there.
"""
from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyoxigraph

_SEAL = "seal"
_LOCK = "lock"
#: The names `KeptStore.make` gives its stores.
_NAME = re.compile(r"db-[0-9a-f]{16}")
#: How much of the dump a new store loads at a time (`KeptStore.make`).
CHUNK = 16 << 20


class KeptStore:
    """One build record's kept union store, in `folder`, claimed by one build at a time (`claim`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock: int | None = None
        #: The name of the store this build opened (`open`) or made (`make`).
        self._name: str | None = None

    def claim(self) -> bool:
        """Take this record's lock for the rest of the build (`release`); False if another build holds it."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.folder / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._lock = fd
        return True

    def release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def open(self, sha256: str) -> "pyoxigraph.Store | None":
        """The kept store, if the seal names it as holding the N-Triples dump of SHA-256 `sha256`; else None."""
        import pyoxigraph as ox

        try:
            digest, name = (self.folder / _SEAL).read_text().split()
            if (digest != sha256 or not _NAME.fullmatch(name)  # only a store `make` named, in this folder
                    or not (self.folder / name / "CURRENT").is_file()):  # never an empty store made anew
                return None
            store = ox.Store(str(self.folder / name))
        except (OSError, ValueError, UnicodeDecodeError):  # no seal, a store in use elsewhere, unreadable
            return None
        self._name = name
        return store

    def unseal(self) -> None:
        """Delete the seal, durably, before the store is changed: a crash meanwhile leaves none."""
        (self.folder / _SEAL).unlink(missing_ok=True)
        _sync_folder(self.folder)

    def make(self, ntriples: Path) -> None:
        """Load the N-Triples file `ntriples` (a dump: our own writer's, so leniently, as
        `quads.load_written`) into a new store, unsealed (`seal`). Run in a thread: Oxigraph's loader
        runs without the GIL. Loaded `CHUNK` bytes of whole lines at a time: one bulk load of a
        million triples holds 0.9 GB, of 16 MB 0.17 GB, for a quarter more CPU (each chunk is parsed
        on its own, so a blank node label would name a new node in each: our dumps have none, builder.py)."""
        import pyoxigraph as ox

        name = f"db-{secrets.token_hex(8)}"
        store = ox.Store(str(self.folder / name))
        with open(ntriples, "rb") as lines:
            rest = b""
            while block := lines.read(CHUNK):
                block = rest + block
                cut = block.rfind(b"\n") + 1
                rest = block[cut:]
                store.bulk_load(block[:cut], format=ox.RdfFormat.N_TRIPLES, lenient=True)
            if rest:
                store.bulk_load(rest, format=ox.RdfFormat.N_TRIPLES, lenient=True)
        store.flush()
        store.optimize()  # the chunks' files compacted now, not by RocksDB's background thread in the next build
        self._name = name

    def seal(self, sha256: str, store: "pyoxigraph.Store | None" = None) -> None:
        """Seal the store this build opened and changed (`store`, flushed first) or made, as holding the
        N-Triples dump of SHA-256 `sha256`; delete the others."""
        if store is not None:
            store.flush()
        temp = self.folder / f".{_SEAL}.tmp"
        with open(temp, "w") as out:
            out.write(f"{sha256} {self._name}")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, self.folder / _SEAL)
        _sync_folder(self.folder)
        for old in self.folder.glob("db-*"):
            if old.name != self._name:
                shutil.rmtree(old, ignore_errors=True)


def delete(folder: Path) -> bool:
    """Delete a record's kept store folder, unless a build holds it (then False)."""
    try:
        fd = os.open(folder / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        shutil.rmtree(folder)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """Make a rename or deletion in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
