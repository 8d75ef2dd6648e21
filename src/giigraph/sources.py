"""Reads the curated YAML under data/ into typed records, checking everything a curator can get wrong.

Layout: `data/curated/*.yaml` hold entities (top-level keys from `model.CURATED_KINDS`);
`data/sources/*.yaml` hold one source each: an `article` mapping plus lists of facts
(`model.SOURCE_KINDS`); `data/tables/*.csv` hold figures read in cited sources (`table.py`).
Every error is a `SourceError` naming `file:line`.
"""
from __future__ import annotations

import dataclasses
import os
import pickle
import re
import types
import typing
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml

from . import model
from .errors import SourceError
from .buildcache import SourceCache, pickled
from .gcpause import lasting
from .model import LanguageTag, PassageRef, Pattern, Range, Ref, Record, Sparql

_SLUG = re.compile(model.SLUG_PATTERN + r"\Z")
# BCP 47 (RFC 5646) well-formedness for the tags we can meet: language, script, region, variants.
_LANG = re.compile(r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?(?:-[a-z0-9]{5,8})*\Z", re.I)


# --- YAML with line numbers ----------------------------------------------------------------------

class _Node(dict):
    """A YAML mapping that remembers its line and each key's line (1-based)."""

    line: int
    key_lines: dict[str, int]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, on libyaml when PyYAML has it (ten times faster on a big corpus)."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Node:
    mapping = _Node()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise SourceError(loader.name, key_node.start_mark.line + 1, f"duplicate key {key!r}")
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> date:
    """YAML dates that look right but are not (2023-13-45) become a SourceError with the line."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise SourceError(loader.name, node.start_mark.line + 1,
                          f"{node.value!r} is not an ISO 8601 date-time ({exc})") from None


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def read_yaml(path: Path) -> _Node:
    """Parse one YAML file whose top level is a mapping; syntax errors name the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(path, None, f"cannot read: {exc}") from None
    loader = _Loader(text)
    loader.name = str(path)
    try:
        doc = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise SourceError(path, mark.line + 1 if mark else None, f"malformed YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise SourceError(path, None, f"malformed YAML: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(doc, _Node):
        raise SourceError(path, 1, "the file must hold a mapping at the top level")
    return doc


# --- turning mappings into records ---------------------------------------------------------------

class _Reader:
    """Converts one mapping into a dataclass, following the dataclass's annotations."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, line: int | None, message: str) -> SourceError:
        return SourceError(self.path, line, message)

    def record(self, cls: type, node: Any, line: int, **extra: Any) -> Any:
        if not isinstance(node, _Node):
            raise self.error(line, f"a {_kind_name(cls)} must be a mapping of fields")
        hints, fields = _shape(cls)
        unknown = sorted(set(node) - set(fields) - set(extra))
        if unknown:
            raise self.error(node.key_lines[unknown[0]],
                             f"unknown field {unknown[0]!r} in {_kind_name(cls)}; known: {', '.join(fields)}")
        id_from = getattr(cls, "id_from", None)
        if id_from and id_from in node and "id" not in extra:
            extra = {**extra, "id": node[id_from]}
        values: dict[str, Any] = dict(extra)
        for name, f in fields.items():
            if name in extra:
                continue
            if name not in node:
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    raise self.error(node.line, f"{_kind_name(cls)} is missing required field {name!r}")
                continue
            where = f"field {name!r}"
            values[name] = self.value(hints[name], node[name], node.key_lines[name], where)
        if issubclass(cls, Record):
            values.update(path=str(self.path), line=node.line, field_lines=dict(node.key_lines))
        return cls(**values)

    def value(self, hint: Any, raw: Any, line: int, where: str) -> Any:
        hint, checks, optional = _unwrap(hint)
        if optional and raw is None:
            return None
        value = self.convert(hint, raw, line, where)
        for check in checks:
            self.check(check, value, line, where)
        return value

    def convert(self, hint: Any, raw: Any, line: int, where: str) -> Any:
        origin = get_origin(hint)
        if hint is bool:
            if not isinstance(raw, bool):
                raise self.error(line, f"{where} must be true or false, not {raw!r}")
            return raw
        if hint is int:
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise self.error(line, f"{where} must be a whole number, not {raw!r}")
            return raw
        if hint is Decimal:
            if isinstance(raw, bool) or not isinstance(raw, (int, float, Decimal)):
                raise self.error(line, f"{where} must be a number, not {raw!r}")
            return Decimal(str(raw))
        if hint is str:
            if not isinstance(raw, str) or not raw.strip():
                raise self.error(line, f"{where} must be non-empty text, not {raw!r}")
            return raw.strip()
        if hint is datetime:
            return self.timestamp(raw, line, where)
        if hint is date:
            if isinstance(raw, str):
                try:
                    raw = date.fromisoformat(raw)
                except ValueError:
                    raise self.error(line, f"{where}: {raw!r} is not an ISO 8601 date") from None
            if not isinstance(raw, date) or isinstance(raw, datetime):
                raise self.error(line, f"{where} must be a date (YYYY-MM-DD), not {raw!r}")
            return raw
        if origin is Literal:
            if raw not in get_args(hint):
                choices = ", ".join(map(str, get_args(hint)))
                raise self.error(line, f"{where} must be one of {choices}, not {raw!r}")
            return raw
        if origin is dict:
            return self.lang_text(raw, line, where)
        if origin is tuple:
            if not isinstance(raw, list):
                raise self.error(line, f"{where} must be a list")
            item = get_args(hint)[0]
            if dataclasses.is_dataclass(item):
                return tuple(self.record(item, x, getattr(x, "line", line)) for x in raw)
            return tuple(self.convert(item, x, line, where) for x in raw)
        raise TypeError(f"no conversion for {hint!r}")  # a programming error in model.py

    def timestamp(self, raw: Any, line: int, where: str) -> datetime:
        if isinstance(raw, str):
            try:
                raw = datetime.fromisoformat(raw)
            except ValueError:
                raise self.error(line, f"{where}: {raw!r} is not an ISO 8601 date-time") from None
        if isinstance(raw, date) and not isinstance(raw, datetime):
            raise self.error(line, f"{where} must be a date-time with a UTC offset, not a date")
        if not isinstance(raw, datetime):
            raise self.error(line, f"{where} must be an ISO 8601 date-time, not {raw!r}")
        if raw.tzinfo is None:
            raise self.error(line, f"{where} must carry a UTC offset, e.g. 2023-10-08T15:37:00+08:00")
        return raw

    def lang_text(self, raw: Any, line: int, where: str) -> dict[str, str]:
        if not isinstance(raw, _Node) or not raw:
            raise self.error(line, f"{where} must map language tags to text, e.g. {{en: ..., zh: ...}}")
        for tag, text in raw.items():
            tag_line = raw.key_lines[tag]
            if not isinstance(tag, str) or not _LANG.match(tag):
                raise self.error(tag_line, f"{where}: {tag!r} is not a valid BCP 47 language tag")
            if not isinstance(text, str) or not text.strip():
                raise self.error(tag_line, f"{where}: the {tag} text must be non-empty")
        if "en" not in raw:
            raise self.error(line, f"{where} needs an English ('en') text")
        return {tag: text.strip() for tag, text in sorted(raw.items())}

    def check(self, check: Any, value: Any, line: int, where: str) -> None:
        if value is None:
            return
        if isinstance(check, Range):
            if value < check.low or (check.high is not None and value > check.high):
                bound = f"{check.low}..{check.high}" if check.high is not None else f">= {check.low}"
                raise self.error(line, f"{where} must be in {bound}, not {value}")
        elif isinstance(check, Pattern):
            if not re.fullmatch(check.regex, value):
                raise self.error(line, f"{where}: {value!r} is malformed (expected e.g. {check.example!r})")
        elif isinstance(check, LanguageTag):
            if not _LANG.match(value):
                raise self.error(line, f"{where}: {value!r} is not a valid BCP 47 language tag")
        elif isinstance(check, Sparql):
            from .claims import QuerySyntaxError, parse_query

            try:
                parse_query(value, check.form)
            except QuerySyntaxError as exc:
                raise self.error(line + exc.line, f"{where}: {exc.message}") from None
        elif isinstance(check, (Ref, PassageRef)):
            values = value if isinstance(value, tuple) else (value,)
            if any(not isinstance(v, (str, int)) for v in values):
                raise self.error(line, f"{where} must name other records")
            if isinstance(check, Ref) and len(set(values)) != len(values):
                raise self.error(line, f"{where} names the same record twice")


@cache
def _shape(cls: type) -> tuple[dict[str, Any], dict[str, dataclasses.Field]]:
    """A record class's type hints and the fields a curator writes (resolved once per class)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init and f.name not in ("path", "line", "field_lines")}
    return hints, fields


@cache
def _references(cls: type) -> tuple[tuple[str, Ref], ...]:
    """(field, Ref) for each field of a record class that names other records."""
    hints = typing.get_type_hints(cls, include_extras=True)
    return tuple((f.name, marker) for f in dataclasses.fields(cls)
                 for marker in getattr(hints[f.name], "__metadata__", ()) if isinstance(marker, Ref))


@cache
def _unwrap(hint: Any) -> tuple[Any, tuple[Any, ...], bool]:
    """(the type, the checks of its Annotated metadata, whether None is allowed), once per hint."""
    checks: tuple[Any, ...] = ()
    if get_origin(hint) is typing.Annotated:
        hint, *rest = get_args(hint)
        checks = tuple(rest)
    optional = get_origin(hint) in (typing.Union, types.UnionType) and type(None) in get_args(hint)
    if optional:
        hint = next(a for a in get_args(hint) if a is not type(None))
    return hint, checks, optional


def _kind_name(cls: type) -> str:
    return getattr(cls, "kind", cls.__name__.lower())


# --- loading the whole data folder ---------------------------------------------------------------

@lasting
def load(data_dir: Path, source_cache: SourceCache | None = None) -> model.Corpus:
    """Load and check every curated file under data_dir; resolve and check every reference.
    With `source_cache`, source files read before (same bytes) are taken from it, resolved already
    where their references still resolve the same (buildcache.py)."""
    data_dir = Path(data_dir)
    curated_files = sorted((data_dir / "curated").glob("*.yaml"))
    source_files = sorted((data_dir / "sources").glob("*.yaml"))
    if not curated_files and not source_files:
        raise SourceError(data_dir, None, "no curated data found (expected curated/*.yaml and sources/*.yaml)")
    entities = tuple(r for records in (_read_curated(curated_files) if source_cache is None else
                                       source_cache.curated.read_all(curated_files, _read_curated))
                     for r in records)
    from .table import read_tables  # table.py builds on this module's readers

    figures = read_tables(data_dir / "tables", entities)
    if source_cache is None:
        return _resolve(model.Corpus(entities, _read_sources(source_files), figures))
    return _resolve_cached(entities, figures, source_files, source_cache)


#: From this many source files on, they are read by one worker process per CPU.
PARALLEL_FROM = 64


def _read_sources(paths: list[Path]) -> tuple[model.Source, ...]:
    """Every source file, in order; a big corpus is read on all CPUs (each file is independent).

    The first error in file order is raised either way, so messages do not depend on the CPUs."""
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_FROM or workers < 2:
        return tuple(_read_source(p) for p in paths)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return tuple(_read_source(p) for p in paths)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return tuple(pool.map(_read_source, paths, chunksize=max(1, len(paths) // (workers * 8))))


def _read_curated(paths: list[Path]) -> tuple[tuple[Record, ...], ...]:
    """Each curated file's records."""
    return tuple(tuple(_read_entities(p)) for p in paths)


def _read_entities(path: Path) -> Iterator[Record]:
    doc = read_yaml(path)
    reader = _Reader(path)
    for key, items in doc.items():
        cls = model.CURATED_KINDS.get(key)
        if cls is None:
            raise reader.error(doc.key_lines[key],
                               f"unknown section {key!r}; known: {', '.join(model.CURATED_KINDS)}")
        yield from _read_list(reader, cls, items, doc.key_lines[key])


def _read_list(reader: _Reader, cls: type, items: Any, line: int, **extra: Any) -> Iterator[Any]:
    if not isinstance(items, list):
        raise reader.error(line, f"section of {_kind_name(cls)} records must be a list")
    for item in items:
        yield reader.record(cls, item, getattr(item, "line", line), **extra)


def _read_source(path: Path) -> model.Source:
    doc = read_yaml(path)
    reader = _Reader(path)
    if "article" not in doc:
        raise reader.error(1, "a source file needs an 'article' mapping")
    article = reader.record(model.Article, doc["article"], doc.key_lines["article"])
    if path.stem != article.id:
        raise reader.error(doc["article"].key_lines.get("id", doc.line),
                           f"article id {article.id!r} must equal the file name {path.stem!r}")
    numbers = [p.n for p in article.passages]
    if numbers != list(range(1, len(numbers) + 1)):
        raise reader.error(doc["article"].key_lines["passages"], "passages must be numbered 1, 2, 3, ... in order")
    records: list[Record] = []
    for key, items in doc.items():
        if key == "article":
            continue
        cls = model.SOURCE_KINDS.get(key)
        if cls is None:
            raise reader.error(doc.key_lines[key],
                               f"unknown section {key!r}; known: article, {', '.join(model.SOURCE_KINDS)}")
        if cls is model.RankFact:
            records.extend(_read_ranks(reader, article.id, items, doc.key_lines[key]))
        else:
            records.extend(_read_list(reader, cls, items, doc.key_lines[key]))
    for record in records:
        if isinstance(record, model.Statement) and record.excerpt and record.mode != "direct":
            raise SourceError(path, record.field_lines.get("excerpt", record.line),
                              f"statement {record.id!r}: only direct speech is quoted, so only it can be an excerpt")
        bad = [n for n in getattr(record, "passages", ()) if n not in numbers]
        if bad:
            raise SourceError(path, record.field_lines.get("passages", record.line),
                              f"{record.kind} {record.id!r} cites passage {bad[0]}, "
                              f"but the article has passages 1..{len(numbers)}")
    return model.Source(article, tuple(records))


def _read_ranks(reader: _Reader, source_id: str, items: Any, line: int) -> Iterator[model.RankFact]:
    """Rank facts get their id from what they are about: source, edition and cluster."""
    if not isinstance(items, list):
        raise reader.error(line, "section of rank records must be a list")
    for item in items:
        item_line = getattr(item, "line", line)
        if isinstance(item, _Node) and {"cluster", "edition"} <= item.keys():
            derived = f"{source_id}-{item['edition']}-{item['cluster']}"
        else:
            derived = "unnamed"
        fact = reader.record(model.RankFact, item, item_line, id=derived)
        if (fact.rank is None) == (fact.within_top is None):
            raise reader.error(item_line, "a rank record needs exactly one of 'rank' and 'within_top'")
        yield fact


def _resolve(corpus: model.Corpus) -> model.Corpus:
    """Check ids are well-formed and unique per kind, and rewrite every reference as `kind/slug`."""
    ids = _Ids(map(_key, corpus.all_records()))
    _check_coordinates(corpus.entities, ids.index)
    entities = tuple(ids.fix(r) for r in corpus.entities)
    sources = tuple(ids.source(s) for s in corpus.sources)
    return model.Corpus(entities, sources, tuple(ids.fix(r) for r in corpus.figures))


def _resolve_cached(entities: tuple[Record, ...], figures: tuple[Record, ...], paths: list[Path],
                    cache: SourceCache) -> model.Corpus:
    """`_resolve` of the corpus, with each source file's resolved records (and their `digest`) taken
    from `cache` when what resolving them asked of the ids (which kinds hold each slug they name)
    answers the same now; the others are read (from the cache, or parsed), resolved and kept. The same
    first error: the ids are checked over every record in the same order (a kept source's ids are
    kept beside it), sources are resolved in order, and a source whose answers changed is resolved
    from its records as read. A source taken from the cache is unpickled only if its records are
    read (`_Kept`): a rebuild builds few graphs."""
    entries = cache.entries(paths)
    kept = [cache.resolved.load(cache.resolved_entry(entry)) for entry in entries]
    unread = [i for i, found in enumerate(kept) if not _is_resolution(found)]
    read = dict(zip(unread, cache.read_all([paths[i] for i in unread], _read_sources, [entries[i] for i in unread]),
                    strict=True))
    keys = [_keys(read[i]) if i in read else kept[i][2]  # type: ignore[index]
            for i in range(len(paths))]
    ids = _Ids((*map(_key, entities), *(key for source in keys for key in source), *map(_key, figures)))
    _check_coordinates(entities, ids.index)
    fixed = tuple(ids.fix(r) for r in entities)
    sources: list[model.Source] = []
    digests: list[bytes] = []
    for i, entry in enumerate(entries):
        if i not in read and ids.answers(kept[i][0]):  # type: ignore[index]
            cache.resolved.hits += 1
            _, source_digest, source_keys, payload = kept[i]  # type: ignore[misc]
            sources.append(_Kept(payload, tuple(f"{kind}/{slug}" for kind, slug, *_ in source_keys)))
            digests.append(source_digest)
            continue
        cache.resolved.misses += 1
        source = read[i] if i in read else cache.read_all([paths[i]], _read_sources, [entry])[0]
        asked: _Asked = {}
        sources.append(ids.source(source, asked))
        payload, source_digest = pickled(sources[-1])
        digests.append(source_digest)
        cache.resolved.save(cache.resolved_entry(entry),
                            (asked, source_digest, _keys(sources[-1]), payload))
    return model.Corpus(fixed, tuple(sources), tuple(ids.fix(r) for r in figures), tuple(digests))


def _is_resolution(value: object) -> bool:
    return (isinstance(value, tuple) and len(value) == 4 and isinstance(value[0], dict)
            and isinstance(value[1], bytes) and isinstance(value[2], tuple) and isinstance(value[3], bytes))


class _Kept(model.Source):
    """A resolved source kept in the build cache, as its pickle: unpickled when its article or
    records are first read (a graph built, the records another graph looks up), not before. Its id
    and references are known without it; it equals the source it holds, and pickles as that source
    (made again plain)."""

    def __init__(self, payload: bytes, refs: tuple[str, ...]) -> None:
        object.__setattr__(self, "_payload", payload)
        object.__setattr__(self, "_refs", refs)
        object.__setattr__(self, "_source", None)

    def _load(self) -> model.Source:
        if self._source is None:
            object.__setattr__(self, "_source", pickle.loads(self._payload))
        return self._source

    article = property(lambda self: self._load().article)  # type: ignore[assignment]
    records = property(lambda self: self._load().records)  # type: ignore[assignment]

    @property
    def id(self) -> str:
        return self._refs[0].partition("/")[2]

    def refs(self) -> tuple[str, ...]:
        return self._refs

    def __eq__(self, other: object) -> bool:
        return self._load() == (other._load() if isinstance(other, _Kept) else other)

    def __reduce__(self) -> tuple[type, tuple[Record, tuple[Record, ...]]]:
        return model.Source, (self.article, self.records)


#: What resolving references asked of the ids: for (the kinds a reference may name, its slug), the
#: kinds that hold the slug.
_Asked = dict[tuple[tuple[str, ...], str], tuple[str, ...]]
#: What `_Ids` checks of a record: its kind and id, its file, its line and the line of its id.
_IdKey = tuple[str, str, str, int, int]


def _key(record: Record) -> _IdKey:
    return record.kind, record.id, record.path, record.line, record.field_lines.get("id", record.line)


def _keys(source: model.Source) -> tuple[_IdKey, ...]:
    return tuple(map(_key, (source.article, *source.records)))


class _Ids:
    """Every record's id by kind, checked well-formed and unique; references are resolved against it."""

    def __init__(self, records: Iterable[_IdKey]) -> None:
        """`records`: each record's `_key`."""
        index: dict[str, dict[str, tuple[str, int]]] = {}
        for kind, slug, path, line, id_line in records:
            if not _SLUG.match(slug):
                raise SourceError(path, id_line,
                                  f"id {slug!r} is not a slug (lower-case letters, digits and single hyphens)")
            seen = index.setdefault(kind, {})
            if slug in seen:
                first = seen[slug]
                raise SourceError(path, id_line,
                                  f"duplicate {kind} id {slug!r} (first defined at {first[0]}:{first[1]})")
            seen[slug] = path, line
        self.index = index
        self._found: dict[tuple[tuple[str, ...], str], tuple[str, ...]] = {}

    def found(self, kinds: tuple[str, ...], slug: str) -> tuple[str, ...]:
        """The kinds among `kinds` that hold an id `slug` (worked out once: sources ask the same)."""
        found = self._found.get((kinds, slug))
        if found is None:
            found = self._found[kinds, slug] = tuple(k for k in kinds if slug in self.index.get(k, ()))
        return found

    def answers(self, asked: _Asked) -> bool:
        """Whether every question of a resolution (`asked`) has the same answer here."""
        return all(self.found(*question) == found for question, found in asked.items())

    def source(self, source: model.Source, asked: _Asked | None = None) -> model.Source:
        return model.Source(self.fix(source.article, asked), tuple(self.fix(r, asked) for r in source.records))

    def fix(self, record: Record, asked: _Asked | None = None) -> Record:
        """`record` with every reference as `kind/slug`; what was asked of the ids noted in `asked`."""
        changes = {}
        for name, marker in _references(type(record)):
            value = getattr(record, name)
            if value is None:
                continue
            if isinstance(value, tuple):
                changes[name] = tuple(self._lookup(record, name, v, marker, asked) for v in value)
            else:
                changes[name] = self._lookup(record, name, value, marker, asked)
        return dataclasses.replace(record, **changes) if changes else record

    def _lookup(self, record: Record, field_name: str, value: str, marker: Ref, asked: _Asked | None) -> str:
        kind, _, slug = value.rpartition("/")
        kinds = (kind,) if kind else marker.kinds
        line = record.field_lines.get(field_name, record.line)
        if kind and kind not in marker.kinds:
            raise SourceError(record.path, line,
                              f"{record.kind} {record.id!r}: field {field_name!r} cannot name a {kind} "
                              f"(allowed: {', '.join(marker.kinds)})")
        found = self.found(kinds, slug)
        if asked is not None:
            asked[kinds, slug] = found
        if not found:
            raise SourceError(record.path, line,
                              f"{record.kind} {record.id!r}: field {field_name!r} names unknown "
                              f"{' or '.join(kinds)} {slug!r}")
        if len(found) > 1:
            raise SourceError(record.path, line,
                              f"{record.kind} {record.id!r}: {slug!r} in field {field_name!r} is ambiguous "
                              f"({', '.join(found)}); write it as {found[0]}/{slug}")
        return f"{found[0]}/{slug}"


def _check_coordinates(entities: tuple[Record, ...], index: dict[str, dict[str, tuple[str, int]]]) -> None:
    """A city's `lat` and `long` come together, with the GeoNames feature and the source they are read in."""
    for city in (r for r in entities if isinstance(r, model.City)):
        given = [name for name in ("lat", "long") if getattr(city, name) is not None]
        if not given:
            continue
        line = city.field_lines[given[0]]
        if len(given) == 1 or city.geonames is None:
            raise SourceError(city.path, line, f"city {city.id!r}: 'lat' and 'long' go together, with the "
                              "'geonames' id of the feature they are read from")
        kind, _, slug = model.GEONAMES_SOURCE.partition("/")
        if slug not in index.get(kind, {}):
            raise SourceError(city.path, line, f"city {city.id!r}: coordinates are read in GeoNames, but no "
                              f"cited source has the id {slug!r}")
