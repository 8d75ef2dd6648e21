"""Reads the CSV tables under data/tables into typed records, one record per row.

Each file `data/tables/{name}.csv` holds rows of `model.TABLE_KINDS[name]`; its columns are that
record's fields, so the dataclass annotations declare what a cell may hold, exactly as for the YAML.
Cells are text: numbers are parsed, empty cells are absent, and a `Lookup` cell (a cluster's name, an
economy's code, a source's URL, as printed in sources) is resolved against the curated entities.
A bad row stops the load with a `SourceError` naming `file:line`.
"""
from __future__ import annotations

import csv
import dataclasses
import re
import typing
import unicodedata
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import model
from .errors import SourceError
from .model import Lookup, Record
from .sources import _Node, _Reader, _shape

_INT = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?\Z")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")
#: Several records in one cell (an economy list such as WIPO's "CN/HK").
CELL_SEPARATOR = "/"


def normalize_name(name: str) -> str:
    """Compare names as sources print them: Unicode NFC, any dash as '-', spaces collapsed, no case."""
    text = unicodedata.normalize("NFC", name).translate(_DASHES)
    return " ".join(text.replace(" - ", "-").split()).casefold()


class _CellReader(_Reader):
    """The YAML reader's conversions and checks, for cells that are always text."""

    def convert(self, hint: Any, raw: Any, line: int, where: str) -> Any:
        if isinstance(raw, str) and hint is int:
            if not _INT.match(raw):
                raise self.error(line, f"{where} must be a whole number, not {raw!r}")
            raw = int(raw)
        elif isinstance(raw, str) and hint is Decimal:
            if not _DECIMAL.match(raw):
                raise self.error(line, f"{where} must be a decimal number such as 10.1, not {raw!r}")
            raw = Decimal(raw)
        return super().convert(hint, raw, line, where)


class _Index:
    """The curated records a cell can name, keyed the way sources print them."""

    def __init__(self, entities: Iterable[Record]) -> None:
        self.keys: dict[tuple[str, str], dict[str, str]] = {}
        for record in entities:
            for by, key in _keys(record):
                self.keys.setdefault((record.kind, by), {})[key] = record.ref

    def find(self, marker: Lookup, value: str) -> str | None:
        key = normalize_name(value) if marker.by == "name" else value
        return self.keys.get((marker.kind, marker.by), {}).get(key)

    def known(self, marker: Lookup) -> str:
        return ", ".join(sorted(self.keys.get((marker.kind, marker.by), {})))


def _keys(record: Record) -> Iterator[tuple[str, str]]:
    if isinstance(record, model.Cluster):
        for name in (record.name["en"], *record.alternate_names):
            yield "name", normalize_name(name)
    elif isinstance(record, model.Economy):
        yield "code", record.code
    elif isinstance(record, model.CitedSource):
        yield "url", record.url


_HOW_TO_ADD = {
    ("cluster", "name"): "add it, or this spelling as an alternate name, to data/curated/clusters.yaml",
    ("economy", "code"): "add the economy with its ISO 3166-1 code to data/curated/places.yaml",
    ("source", "url"): "add the source to data/curated/cited-sources.yaml",
}


def read_tables(tables_dir: Path, entities: tuple[Record, ...]) -> tuple[Record, ...]:
    """Every row of every table under tables_dir, checked; none when the folder does not exist."""
    if not tables_dir.is_dir():
        return ()
    index = _Index(entities)
    clusters = {r.ref: r for r in entities if isinstance(r, model.Cluster)}  # references not yet resolved
    rows: list[Record] = []
    for path in sorted(tables_dir.glob("*.csv")):
        cls = model.TABLE_KINDS.get(path.stem)
        if cls is None:
            raise SourceError(path, None, f"unknown table; known: {', '.join(f'{n}.csv' for n in model.TABLE_KINDS)}")
        table = list(_read_rows(path, cls, index))
        _check_table(path, table, clusters)
        rows.extend(table)
    return tuple(rows)


def _read_rows(path: Path, cls: type[Record], index: _Index) -> Iterator[Record]:
    hints, _ = _shape(cls)
    fields = [f for f in dataclasses.fields(cls) if f.init and f.name not in ("id", "path", "line", "field_lines")]
    names = [f.name for f in fields]
    reader = _CellReader(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = csv.reader(handle, strict=True)
            header = next(rows, None)
            if header is None:
                raise reader.error(1, f"empty table; the first line must name the columns: {','.join(names)}")
            header = [h.strip() for h in header]
            unknown = [h for h in header if h not in names]
            missing = [f.name for f in fields if f.name not in header
                       and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
            if unknown or missing or len(set(header)) != len(header):
                problem = (f"unknown column {unknown[0]!r}" if unknown else
                           f"missing column {missing[0]!r}" if missing else "a column is named twice")
                raise reader.error(1, f"{problem}; the columns are: {','.join(names)}")
            for cells in rows:
                line = rows.line_num
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    raise reader.error(line, f"the row has {len(cells)} cells, the header {len(header)}")
                node = _row_node({h: c.strip() for h, c in zip(header, cells)}, line)
                for name in list(node):
                    if _lookup_marker(hints[name]):
                        node[name] = _resolve_cell(reader, hints[name], node[name], line, name, index)
                yield reader.record(cls, node, line, id=_row_id(node))
    except csv.Error as exc:
        raise SourceError(path, None, f"malformed CSV: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(path, None, f"cannot read: {exc}") from None


def _row_node(cells: dict[str, str], line: int) -> _Node:
    """A row as the mapping the record reader takes: empty cells are absent, every key on `line`."""
    node = _Node({k: v for k, v in cells.items() if v})
    node.line = line
    node.key_lines = dict.fromkeys(node, line)
    return node


def _lookup_marker(hint: Any) -> Lookup | None:
    return next((m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Lookup)), None)


def _resolve_cell(reader: _Reader, hint: Any, cell: str, line: int, name: str, index: _Index) -> Any:
    """The ref(s) a cell names; a list cell (`tuple[...]` field) holds several, separated by '/'."""
    marker = _lookup_marker(hint)
    many = typing.get_origin(typing.get_args(hint)[0]) is tuple
    refs = []
    for value in (v.strip() for v in (cell.split(CELL_SEPARATOR) if many else [cell])):
        ref = index.find(marker, value)
        if ref is None:
            what = {"name": "", "code": " code", "url": " URL"}[marker.by]
            known = f" (known: {index.known(marker)})" if marker.by == "code" else ""
            raise reader.error(line, f"field {name!r}: unknown {marker.kind}{what} {value!r}{known}; "
                               f"{_HOW_TO_ADD[(marker.kind, marker.by)]}")
        refs.append(ref)
    return refs if many else refs[0]


def _row_id(node: _Node) -> str:
    """A row's id says what it is about: `{source}-{edition}-{cluster or economy}`."""
    parts = [node.get("source"), node.get("edition"), node.get("cluster") or node.get("economy")]
    if not all(isinstance(p, str) for p in parts):
        return "unnamed"  # the record reader reports the missing field
    return "-".join(map(_slug, parts))


def _check_table(path: Path, rows: list[Record], clusters: dict[str, model.Cluster]) -> None:
    """What no single row shows: one row per source, edition and subject; ranks unique per source
    and edition; a cluster's economies as curated."""
    seen: dict[tuple, Record] = {}
    for row in rows:
        subject = getattr(row, "cluster", None) or getattr(row, "economy")
        keys = [((row.source, row.edition, subject), "gives a second row for this source, edition and "
                 + row.kind.split("-")[0])]
        for measure in ("rank", "previous_rank"):
            value = getattr(row, measure, None)
            if value is not None:
                keys.append(((row.source, row.edition, measure, value),
                             f"gives {measure.replace('_', ' ')} {value} to a second cluster for this source and edition"))
        for key, message in keys:
            first = seen.setdefault(key, row)
            if first is not row:
                raise SourceError(path, row.line, f"{message} (first at line {first.line})")
        economies = {_slug(e) for e in getattr(row, "economies", ())}
        curated = clusters.get(getattr(row, "cluster", None))
        if economies and economies != {_slug(e) for e in curated.economies}:
            raise SourceError(path, row.line, f"field 'economies' places {_slug(row.cluster)} in "
                              f"{', '.join(sorted(economies))}, but {curated.path}:{curated.line} in "
                              f"{', '.join(sorted(map(_slug, curated.economies)))}")


def _slug(ref: str) -> str:
    return ref.rpartition("/")[2]
