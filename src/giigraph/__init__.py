"""giigraph: the WIPO GII 2023 S&T cluster ranking, as reported by China IP News, as linked data.

The public API that the CLI, the server and the tests all call:

>>> import giigraph
>>> ds = giigraph.build()
>>> giigraph.validate(ds).conforms
True
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Dataset, Graph

    from .validation import ValidationReport

__all__ = ["build", "validate", "serialize", "read_rdf", "build_dist", "__version__"]

__version__ = "0.1.0"


def build(base: str | None = None, data_dir: Path | None = None) -> "Dataset":
    """Load the curated data and build the dataset: one named graph per source. Not validated."""
    from . import sources
    from .builder import build_dataset
    from .config import resolve_base
    from .resources import DATA_DIR

    return build_dataset(sources.load(Path(data_dir or DATA_DIR)), resolve_base(base))


def validate(graph: "Graph | Dataset") -> "ValidationReport":
    """Check a graph or dataset (all its named graphs together) against the shapes."""
    from .validation import validate_graph

    return validate_graph(graph)


def serialize(dataset: "Graph | Dataset", fmt: str) -> bytes:
    """Deterministic bytes of the dataset in any format of the registry."""
    from .rdfio import serialize as _serialize

    return _serialize(dataset, fmt)


def read_rdf(paths: "list[Path] | list[str]") -> "Dataset":
    """Read RDF files (format from each extension) into one dataset."""
    from .rdfio import read_rdf as _read

    return _read(paths)


def build_dist(out: Path, base: str | None = None, data_dir: Path | None = None) -> list[Path]:
    """Build, validate and write every dump into `out`; refuses to write anything if SHACL fails."""
    from .config import resolve_base
    from .errors import ValidationFailed
    from .export import write_dist

    base = resolve_base(base)
    dataset = build(base, data_dir)
    report = validate(dataset)
    if not report.conforms:
        raise ValidationFailed(report, f"the built graph does not conform to the shapes; nothing written to {out}")
    return write_dist(dataset, Path(out), base, __version__)
