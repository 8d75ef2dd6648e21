"""The build cache: each source file's records and each article's built graph, kept under the hash of
what they came from.

Rebuilding a big corpus after one article changed should not read, build and format the other
thousands of sources again. The cache keeps, per source file:

- the records `sources` read from it (pickled), under the SHA-256 of the file's path (as given and
  resolved: a record names the file it was read in) and bytes, of every module of giigraph and of
  rdflib's version (a claim test's SPARQL is checked as it is read); the same for each curated file;
- its records with their references resolved, with what resolving them asked of the corpus's ids
  (which kinds hold each slug it names): used only while every answer is the same. They are kept as
  their pickle (and its SHA-256, the source's `digest`) beside each record's kind, id and place (what
  the check of ids reads): a source taken from it is unpickled only if a graph built reads it;
- its article's named graph as `builder` makes it, with the graph's sorted N-Quads lines (the
  N-Quads and N-Triples dumps merge these sorted runs instead of formatting and sorting every
  line again: the same bytes), under the SHA-256 of the source's resolved records, the base IRI,
  the Python version and every module of giigraph; the entry also names each record the building
  looked up in the rest of the corpus (a cluster's name, a publisher: the source's own records are
  in the key) with the SHA-256 of that record, and is used only if every one of them is still the
  same. The graph's set of triples, unpickled, becomes the dataset's graph (`Quads.adopt`).

Beside them, per data folder, base IRI and output folder, what the last successful build there left for
the next (`rebuild.Previous`: the change since, and the previous dumps to start from), and the union's
Oxigraph store, kept on disk as a folder (`storecache.py`).

An edited or renamed file, another giigraph, or a changed curated record the graph quotes, never
meets an old entry. Every entry carries the SHA-256 of its own payload, so a truncated or corrupt
entry is detected, made again and rewritten, never trusted. Entries are written atomically (temp
file, rename). Validation, the other dumps and the description are made on each run from the whole
dataset, so the output is the same bytes as a build without the cache.
The folder is the user's own ($XDG_CACHE_HOME/giigraph, else ~/.cache/giigraph; `--cache DIR`).
Entries are pickles, and loading a pickle can run code: so before a build uses the folder, it is
checked as OpenSSH checks its files and Python's tempfile its folder (`check_folder`). The folder, as
written and resolved, and every existing ancestor must belong to the user or root and not be
writable by others, nor by a group with anyone in it but its owner (Debian's OpenSSH accepts a user
private group, as umask 002 leaves it), except an ancestor that is a sticky folder like /tmp (in which only
an entry's owner may rename or delete it); the folders inside it must be ours alone too. Otherwise
the build stops with `CacheUnsafe` before anything is read or written. So every entry read afterwards
is a file this user's giigraph wrote in a folder only this user (or root) can write: whoever could
forge one could already run code as this user. The folders it makes are 0700. Pickles are kept
rather than a data-only format: JSON loaded the same entries in about twice the time
(benchmarks/cache_formats.py).

The folder is pruned, so it does not grow with every edit and every new giigraph.
Builds of several data folders, or of one with several base IRIs, may share it, so a build cannot
simply delete what it did not use: after a successful build (`SourceCache.build`), the entries it
read or wrote are listed in the manifest of its (data folder, base IRI), and every entry that no
manifest names is deleted. A manifest whose data folder is gone, or unused for `MANIFEST_DAYS`, is
dropped first. An entry (or a temporary file) written
after the sweeping build started is left alone: a build running beside it may be about to name it.
Only whole files are deleted, so a sweep that crashes or races another leaves entries that are
either sound or missing (then made again).
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from . import storecache
from .errors import CacheUnsafe

if TYPE_CHECKING:
    from .model import Record, Source
    from .quads import Quads

T = TypeVar("T")
MAGIC = b"giigraph-build-cache 1\n"
#: What the dumps make of each graph and the cache keeps: its sorted N-Quads lines, its TriG block,
#: its subjects' Turtle statements and JSON-LD node objects.
PIECES = ("nq", "trig", "turtle", "jsonld")
#: A data folder's manifest (what its last build used) unused for this long no longer keeps its entries.
MANIFEST_DAYS = 30
#: How far a file's mtime may lag the clock the build start is read from (coarse filesystem clocks).
_CLOCK_SLACK_S = 1.0


def default_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "giigraph"


def check_folder(folder: Path) -> Path:
    """`folder` made absolute and, if missing, created (0700), once it is checked that no one but
    this user and root can change what it holds (module docstring); else `CacheUnsafe`. Checked
    before it is created (nothing is made in an unsafe place) and after (a folder someone else made
    meanwhile in a sticky parent is theirs, and refused)."""
    folder = Path(os.path.abspath(folder))
    _check_chain(folder)
    try:
        Path(os.path.realpath(folder)).mkdir(parents=True, exist_ok=True, mode=0o700)  # also behind a symlink
    except OSError as exc:
        raise CacheUnsafe(folder, f"it cannot be made ({exc.strerror})", "choose another with --cache") from None
    _check_chain(folder)
    _check_inside(folder, folder, depth=2)
    return folder


def _check_chain(folder: Path) -> None:
    """`CacheUnsafe` unless `folder` and each existing ancestor, as written and as resolved, are safe."""
    for chain in dict.fromkeys((folder, Path(os.path.realpath(folder)))):
        for path in (chain, *chain.parents):
            try:
                status = os.lstat(path)
            except FileNotFoundError:
                continue  # made next, then checked again
            except OSError as exc:
                raise CacheUnsafe(folder, f"{path} cannot be checked ({exc.strerror})",
                                  "choose another with --cache") from None
            # a sticky ancestor is safe: only the owner of what it holds (checked: us or root) may rename that
            _check(folder, path, status, sticky_ok=path != chain)


def _check_inside(folder: Path, top: Path, depth: int) -> None:
    """`CacheUnsafe` unless every folder in `folder`, `depth` levels down (the kinds of entries and
    the manifests, their shards), is a real folder as safe as the cache `top` itself."""
    for entry in os.scandir(folder):
        if entry.is_symlink():
            raise CacheUnsafe(top, f"{entry.path} is a symlink", "remove it (giigraph makes none)")
        if entry.is_dir(follow_symlinks=False):
            _check(top, Path(entry.path), entry.stat(follow_symlinks=False), sticky_ok=False)
            if depth > 1:
                _check_inside(Path(entry.path), top, depth - 1)


def _check(folder: Path, path: Path, status: os.stat_result, sticky_ok: bool) -> None:
    """`CacheUnsafe` if `path` (of cache `folder`) is owned by someone else, or writable by others or
    by a group that is not its owner's alone (unless `sticky_ok` and it is a sticky folder); a
    symlink's own mode means nothing."""
    uid = os.geteuid()  # who owns what this process makes
    if status.st_uid not in (0, uid):
        what = " (a symlink)" if stat.S_ISLNK(status.st_mode) else ""
        raise CacheUnsafe(folder, f"{path}{what} is owned by uid {status.st_uid}, neither you (uid {uid}) nor root",
                          "choose a folder of your own with --cache")
    mode = 0 if stat.S_ISLNK(status.st_mode) else status.st_mode
    writable = mode & 0o002 or (mode & 0o020 and not _private_group(status.st_gid, status.st_uid))
    if writable and not (sticky_ok and mode & stat.S_ISVTX):
        raise CacheUnsafe(folder, f"{path} is writable by group or others (mode {stat.S_IMODE(status.st_mode):o})",
                          f"run chmod go-w {path}")


def _private_group(gid: int, owner: int) -> bool:
    """Whether group `gid` has exactly one member, `owner` (a user private group, which Debian and
    others make for each user, so that a umask of 002 makes folders group-writable): then writing
    as that group is writing as the owner. Debian's OpenSSH accepts such files by the same test."""
    import grp
    import pwd

    try:
        group, user = grp.getgrgid(gid), pwd.getpwuid(owner)
    except KeyError:
        return False
    primary = [u.pw_uid for u in pwd.getpwall() if u.pw_gid == gid]
    return (primary in ([], [owner]) and group.gr_mem in ([], [user.pw_name])
            and len(primary) + len(group.gr_mem) >= 1)


@cache
def readers_fingerprint() -> bytes:
    """What the records read from a file depend on besides its bytes: every module of giigraph (the
    readers check a claim test's SPARQL with the query modules) and the rdflib (and its pyparsing)
    that parses it. What the validation keeps of its SPARQL parses depends on the same (`validation.Parsed`)."""
    from importlib.metadata import version

    return hashlib.sha256(package_fingerprint() + f"{version('rdflib')}\0{version('pyparsing')}".encode()).digest()


@cache
def package_fingerprint() -> bytes:
    """Every module of giigraph and the Python running it: what a built graph depends on besides its data."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256(sys.version.encode())
    for path in sorted(package.rglob("*.py")):
        h.update(str(path.relative_to(package)).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.digest()


def _write(path: Path, data: bytes) -> None:
    """Write `path` atomically (a temporary file, renamed): a reader sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(temp, path)


def digest(value: object) -> bytes:
    """The SHA-256 of a value's pickle: what a graph entry is keyed by (its source, the records it read)."""
    return pickled(value)[1]


def pickled(value: object) -> tuple[bytes, bytes]:
    """A value's pickle and its `digest`: kept beside what it digests, the pickle is made once."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return payload, hashlib.sha256(payload).digest()


def _resolved(paths: list[Path]) -> list[Path]:
    """`path.resolve()` of each of `paths`, each folder resolved once: a file that is not a symlink
    resolves to its folder's resolved path and its name (`os.path.realpath` resolves one name at a
    time), one `lstat` instead of one per folder above it; anything else is resolved in full."""
    folders: dict[Path, Path] = {}
    out = []
    for path in paths:
        try:
            plain = path.name not in ("", "..") and not stat.S_ISLNK(os.lstat(path).st_mode)
        except OSError:
            plain = False
        if plain:
            folder = folders.get(path.parent)
            if folder is None:
                folder = folders[path.parent] = path.parent.resolve()
            out.append(folder / path.name)
        else:
            out.append(path.resolve())
    return out


class _Entries:
    """Pickled values in files named by a key, each with the SHA-256 of its payload."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = self.misses = 0
        #: The names of the entries this build looked up or wrote (what its manifest lists).
        self.touched: set[str] = set()

    def path(self, key: bytes) -> Path:
        name = key.hex()
        self.touched.add(name)
        return self.folder / name[:2] / name

    def prune(self, kept: set[str], before: float) -> int:
        """Delete the entries (and leftover temporary files) not in `kept` last written before `before`;
        the number deleted. A file another sweep deleted first, or that cannot be deleted, is skipped; an
        entry that is a folder (a kept store) is deleted whole, unless a build holds it (`storecache.delete`)."""
        removed = 0
        try:
            shards = [d for d in os.scandir(self.folder) if d.is_dir(follow_symlinks=False)]
        except OSError:
            return 0
        for shard in shards:
            try:
                files = list(os.scandir(shard.path))
            except OSError:
                continue
            for file in files:
                if file.name in kept or not (file.name.startswith(".tmp-") or file.name[:2] == shard.name):
                    continue
                try:
                    if file.stat(follow_symlinks=False).st_mtime < before:
                        if not file.is_dir(follow_symlinks=False):
                            os.unlink(file.path)
                        elif not storecache.delete(Path(file.path)):
                            continue  # a build holds it
                        removed += 1
                except OSError:
                    pass
        return removed

    def load(self, entry: Path) -> object | None:
        """The value in `entry`, or None if it is missing, truncated or corrupt (then it is made again)."""
        try:
            raw = entry.read_bytes()
        except OSError:
            return None
        digest, payload = raw[len(MAGIC):len(MAGIC) + 32], raw[len(MAGIC) + 32:]
        if not raw.startswith(MAGIC) or hashlib.sha256(payload).digest() != digest:
            return None
        try:
            return pickle.loads(payload)
        except Exception:  # noqa: BLE001 - any unreadable entry is simply rebuilt
            return None

    def save(self, entry: Path, value: object) -> None:
        """Store `value` atomically; a cache that cannot be written only costs speed."""
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            _write(entry, MAGIC + hashlib.sha256(payload).digest() + payload)
        except OSError:
            pass

    def entries(self, paths: list[Path]) -> list[Path]:
        """The entry file of each of `paths` as it is now, named by its path as given and resolved, and
        its bytes: a record names the file it was read in as given (errors cite it), so another
        folder's copy, or the same file named otherwise, is another entry."""
        fingerprint = readers_fingerprint()
        return [self.path(hashlib.sha256(fingerprint + f"{path}\0{resolved}\0".encode() + path.read_bytes()).digest())
                for path, resolved in zip(paths, _resolved(paths), strict=True)]

    def read_all(self, paths: list[Path], read: Callable[[list[Path]], tuple[T, ...]],
                 entries: list[Path] | None = None) -> tuple[T, ...]:
        """What `read(paths)` returns, reading only the files without a sound entry (`entries`: the
        files' entries, if worked out already)."""
        found: dict[Path, object] = {}
        missing: list[tuple[Path, Path]] = []
        for path, entry in zip(paths, self.entries(paths) if entries is None else entries, strict=True):
            value = self.load(entry)
            if value is None:
                missing.append((path, entry))
            else:
                found[path] = value
        self.hits, self.misses = self.hits + len(found), self.misses + len(missing)
        for (path, entry), value in zip(missing, read([p for p, _ in missing]), strict=True):
            self.save(entry, value)
            found[path] = value
        return tuple(found[p] for p in paths)  # type: ignore[misc]


class SourceCache(_Entries):
    """Records read from source files, by content; `hits` and `misses` count this run's lookups.
    Its `graphs` keep the articles' built graphs in the same folder."""

    def __init__(self, folder: Path) -> None:
        """The cache in `folder`, checked and made (`check_folder`): `CacheUnsafe` if it may not be used."""
        folder = check_folder(folder)
        for kind in ("sources", "resolved", "curated", "graphs", *PIECES, "builds", "stores", "manifests"):
            (folder / kind).mkdir(mode=0o700, exist_ok=True)
        super().__init__(folder / "sources")
        #: A source file's records with their references resolved, and what resolving them asked of
        #: the corpus's ids (`sources._resolve_cached`), by the file's entry.
        self.resolved = _Entries(folder / "resolved")
        #: Each curated file's records, as read.
        self.curated = _Entries(folder / "curated")
        self.graphs = GraphCache(folder / "graphs")
        #: What each build of a data folder into an output folder left for the next (`rebuild.Previous`).
        self.builds = _Entries(folder / "builds")
        #: The union's store kept for each such build's next (a folder each: `storecache.KeptStore`).
        self.stores = _Entries(folder / "stores")

    def resolved_entry(self, entry: Path) -> Path:
        """Where the records of the file whose entry is `entry` are kept resolved (`resolved`)."""
        return self.resolved.path(hashlib.sha256(entry.name.encode() + b"\0resolved").digest())

    def _all(self) -> list[_Entries]:
        return [self, self.resolved, self.curated, self.graphs, *self.graphs.pieces.values(), self.builds, self.stores]

    @contextmanager
    def build(self, data_dir: Path, base: str) -> Iterator[None]:
        """One build of `data_dir` with base IRI `base` and this cache: if it ends without an error, the
        entries it used are written to the manifest of (`data_dir`, `base`) and the cache is swept (`sweep`)."""
        started = time.time()
        for entries in self._all():
            entries.touched.clear()
        yield
        self.sweep(data_dir, base, started)

    def sweep(self, data_dir: Path, base: str, started: float) -> int:
        """List the entries this build touched in the manifest of (`data_dir`, `base`): a build with
        another base uses other graphs, and its manifest is another. Drop the manifests of data folders
        gone or unused for `MANIFEST_DAYS`, then delete the entries no manifest names that were written
        before `started` (the build's start); the number of entries deleted."""
        manifests = self.folder.parent / "manifests"
        data_dir = Path(data_dir).resolve()
        mine = manifests / (hashlib.sha256(f"{data_dir}\0{base}".encode()).hexdigest() + ".json")
        entries = {e.folder.name: sorted(e.touched) for e in self._all()}
        try:
            _write(mine, json.dumps({"data_dir": str(data_dir), "base": base, "used": time.time(),
                                     "entries": entries}).encode())
        except OSError:
            return 0  # without its manifest, this build's own entries would not be kept
        before = started - _CLOCK_SLACK_S
        kept = {kind: set(names) for kind, names in entries.items()}
        for path in manifests.iterdir():
            if path != mine and not _manifest_keeps(path, before, kept):
                try:
                    path.unlink(missing_ok=True)
                except OSError:
                    pass
        return sum(e.prune(kept[e.folder.name], before) for e in self._all())


class GraphCache(_Entries):
    """Articles' built graphs; `hits` and `misses` count lookups. What the dumps make of each graph
    (`Quads.kept`: its sorted N-Quads lines, its TriG block, its Turtle statements and JSON-LD node
    objects) is kept in `pieces`, a folder per kind."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.pieces = {kind: _Entries(folder.with_name(kind)) for kind in PIECES}

    def for_build(self, base: str, index: Mapping[str, "Record"]) -> "GraphBuild":
        """The cache as one build uses it: `index` is that build's every record by reference."""
        return GraphBuild(self, base, index)

    def kept_lines(self, key: bytes) -> list[str] | None:
        """The sorted N-Quads lines kept for the graph whose pieces' key is `key` (`Quads.kept`), if sound."""
        return _Pieces(self.pieces, key).load("nq")  # type: ignore[return-value]


def _manifest_keeps(path: Path, before: float, kept: dict[str, set[str]]) -> bool:
    """Whether `path`, in the manifests' folder, is left: the manifest of a data folder that exists and
    was built within `MANIFEST_DAYS` (what it names is added to `kept`), or a temporary file written
    since `before` (a manifest being written). A manifest without a base IRI (of a data folder alone,
    as earlier giigraphs wrote them) is dropped: its folder's next build writes one with its base."""
    try:
        if path.name.startswith(".tmp-"):
            return path.stat().st_mtime >= before
        manifest = json.loads(path.read_bytes())
        if ("base" not in manifest or time.time() - manifest["used"] >= MANIFEST_DAYS * 86400
                or not Path(manifest["data_dir"]).is_dir()):
            return False
        for kind, names in manifest["entries"].items():
            kept.setdefault(kind, set()).update(names)
        return True
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return False  # unreadable: another format, or a crashed write; or removed meanwhile


class _Reads(Mapping[str, "Record"]):
    """The corpus's records by reference, noting which ones a graph's building looked up."""

    def __init__(self, index: Mapping[str, "Record"]) -> None:
        self.index, self.read = index, set()

    def __getitem__(self, ref: str) -> "Record":
        self.read.add(ref)
        return self.index[ref]

    def __iter__(self) -> Iterator[str]:
        raise TypeError("a cached graph's building may look records up, not list them")

    def __len__(self) -> int:
        return len(self.index)


class GraphBuild:
    """One build's use of a `GraphCache`: each looked-up record's digest is worked out once."""

    def __init__(self, cache: GraphCache, base: str, index: Mapping[str, "Record"]) -> None:
        self.cache, self.base, self.index = cache, base, index
        self._digests: dict[str, bytes] = {}

    def _record(self, ref: str) -> bytes | None:
        known = self._digests.get(ref)
        if known is None and ref in self.index:
            known = self._digests[ref] = digest(self.index[ref])
        return known

    def add(self, quads: "Quads", name: str, source: "Source",
            build: Callable[[Mapping[str, "Record"]], None], source_digest: bytes | None = None) -> None:
        """Fill graph `name` of `quads` with `source`'s graph, from the cache if a sound entry was made
        from the same records, else by `build(index)` (which writes into it), then kept. Its sorted
        N-Quads lines, TriG block, Turtle statements and JSON-LD node objects are offered to
        `quads.kept` (read only when the dumps need them). `source_digest`: `digest(source)`, if known."""
        graph = quads.graph(name)
        if graph:  # the name is shared with other data: built, not cached
            build(self.index)
            return
        key = hashlib.sha256(package_fingerprint() + self.base.encode() + b"\0"
                             + (source_digest or digest(source))).digest()
        entry = self.cache.path(key)
        value = self.cache.load(entry)
        if (isinstance(value, tuple) and isinstance(value[1], set)
                and all(self._record(ref) == d for ref, d in value[0].items())):
            reads, graph = value
            quads.adopt(name, graph)
            self.cache.hits += 1
        else:
            looked_up = _Reads(self.index)
            build(looked_up)
            # the source's own records are in the key already (its digest): only the others are checked
            reads = {ref: self._record(ref) for ref in sorted(looked_up.read - set(source.refs()))}
            self.cache.save(entry, (reads, graph))
            self.cache.misses += 1
        # the graph is a function of the source and the records it read: so is what is made of it
        quads.kept[name] = (len(graph), _Pieces(self.cache.pieces, digest((key, sorted(reads.items())))))


class _Pieces:
    """What the dumps make of one graph, in the cache (`Quads.kept`): read when the dumps are made (so
    it is allocated beside what it joins, and freed with it), or saved when it was not there."""

    def __init__(self, entries: dict[str, _Entries], key: bytes) -> None:
        self.entries, self.key = entries, key

    def load(self, kind: str, variant: bytes = b"") -> object | None:
        entries = self.entries[kind]
        value = entries.load(entries.path(hashlib.sha256(self.key + variant).digest()))
        if value is None:
            entries.misses += 1
        else:
            entries.hits += 1
        return value

    def save(self, kind: str, value: object, variant: bytes = b"") -> None:
        entries = self.entries[kind]
        entries.save(entries.path(hashlib.sha256(self.key + variant).digest()), value)

    def keep(self, kind: str, variant: bytes = b"") -> None:
        """List the entry of `kind` as touched (the sweep leaves it), unread."""
        self.entries[kind].path(hashlib.sha256(self.key + variant).digest())

    def used(self) -> dict[str, set[str]]:
        """The entries of each kind this build looked up or wrote (every graph's `_Pieces` share them)."""
        return {kind: set(entries.touched) for kind, entries in self.entries.items()}

    def use(self, used: dict[str, set[str]]) -> None:
        """Count as touched here the entries a forked writer touched (`used` there): else this build's
        manifest would miss them, and the sweep delete them."""
        for kind, names in used.items():
            self.entries[kind].touched.update(names)
