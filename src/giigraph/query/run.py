"""One call from query text to output bytes: what `giigraph query` does, callable as a library."""
from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from rdflib import Dataset

from . import DEFAULT_ENGINE
from .engines import exact_engine, open_engine
from .library import resolve_query
from .parse import parse_query
from .results import QueryResult
from .writers import output_format


def dataset_prefixes(base: str | None = None) -> dict[str, str]:
    """The prefixes predeclared in every query: the vocabularies and one per kind of our resources."""
    from ..builder import ALL_KINDS
    from ..config import resolve_base
    from ..vocab import data_prefixes

    return data_prefixes(resolve_base(base), ALL_KINDS)


def load_dataset(data: Sequence[str | Path] = (), base: str | None = None) -> Dataset:
    """The RDF files in `data`, or else the dataset built from the curated sources."""
    from .. import build, read_rdf

    return read_rdf(list(data)) if data else build(base)


def run_query(dataset: Dataset, text: str, *, engine: str = DEFAULT_ENGINE,
              prefixes: Mapping[str, str] | None = None, source: str = "the query") -> QueryResult:
    """Parse and check `text`, then evaluate it over `dataset` with `engine` (rdflib where Oxigraph's
    store would not keep the data's literals as written: `exact_engine`)."""
    parsed = parse_query(text, prefixes, source)
    return open_engine(exact_engine(engine, dataset), dataset, prefixes).run(parsed)


def answer(query: str | None = None, query_file: str | Path | None = None, *,
           data: Sequence[str | Path] = (), engine: str = DEFAULT_ENGINE, fmt: str | None = None,
           output: str | Path | None = None, base: str | None = None) -> bytes:
    """`giigraph query`: resolve the query, check it and its output format, load the data, run, write.

    The query and the format are checked before any data is loaded, so a bad query fails fast.
    """
    text, source = resolve_query(query, query_file)
    prefixes = dataset_prefixes(base)
    parsed = parse_query(text, prefixes, source)
    out_format = output_format(parsed.form, fmt, output)
    out = io.BytesIO()
    dataset = load_dataset(data, base)
    open_engine(exact_engine(engine, dataset), dataset, prefixes).write(parsed, out_format, out)
    return out.getvalue()
