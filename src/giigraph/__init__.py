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
    from collections.abc import Callable

    from rdflib import Dataset, Graph

    from .buildcache import SourceCache
    from .quads import Quads
    from .validation import ValidationReport

__all__ = ["build", "build_quads", "validate", "serialize", "read_rdf", "build_dist", "__version__"]

__version__ = "0.1.0"


def build(base: str | None = None, data_dir: Path | None = None) -> "Dataset":
    """Load the curated data and build the dataset as an rdflib Dataset: one named graph per source. Not validated."""
    return build_quads(base, data_dir).to_rdflib()


def build_quads(base: str | None = None, data_dir: Path | None = None,
                source_cache: "SourceCache | None" = None) -> "Quads":
    """The same dataset as plain quads (`giigraph.quads.Quads`): what the CLI and `build_dist` use, no rdflib.
    With `source_cache`, unchanged source files are not read again, nor their graphs built
    (`giigraph.buildcache`)."""
    from . import sources
    from .builder import build_quads as _build
    from .config import resolve_base
    from .resources import DATA_DIR

    return _build(sources.load(Path(data_dir or DATA_DIR), source_cache), resolve_base(base),
                  source_cache.graphs if source_cache is not None else None)


def validate(graph: "Graph | Dataset | Quads", engine: str = "auto", shapes=None) -> "ValidationReport":
    """Check a graph or dataset (all its named graphs together) against SHACL shapes.

    `shapes`: the project's shapes by default, or any shapes graph: an rdflib graph, plain quads,
    or a list of RDF files. `engine`: "auto" (giigraph's SHACL engine, pyshacl for shapes it does
    not evaluate), "fast" (raises `giigraph.shacl.shapes.Unsupported` for those) or "pyshacl" (the
    reference). Shapes that SHACL forbids raise `giigraph.errors.ShapesError`."""
    from .validation import validate_graph

    return validate_graph(graph, engine, shapes)


def serialize(dataset: "Graph | Dataset | Quads", fmt: str) -> bytes:
    """Deterministic bytes of the dataset in any format of the registry."""
    from .rdfio import serialize as _serialize

    return _serialize(dataset, fmt)


def read_rdf(paths: "list[Path] | list[str]") -> "Dataset":
    """Read RDF files (format from each extension) into one dataset."""
    from .rdfio import read_rdf as _read

    return _read(paths)


def build_dist(out: Path, base: str | None = None, data_dir: Path | None = None,
               fail_on: str = "violation", source_cache: "SourceCache | None" = None,
               keep: "Callable[[object], object] | None" = None) -> list[Path]:
    """Build, validate and write every dump into `out`; refuses to write anything if SHACL reports a
    result of severity `fail_on` ("violation", "warning" or "info") or worse (validation runs while
    the dumps are made in a staging folder, which is then dropped). With `source_cache`, unchanged
    source files are not read again, and the cache is then pruned of what no build needs
    (`giigraph.buildcache`). `keep` is given the dataset (and a rebuild's store) once written (the
    `giigraph` program holds them, so that its process ends without freeing them)."""
    from contextlib import nullcontext

    from .config import resolve_base
    from .errors import ValidationFailed
    from .export import write_dist
    from .gcpause import long_lived
    from .rebuild import Rebuild
    from .resources import DATA_DIR

    base = resolve_base(base)

    rebuild: "Rebuild | None" = None

    def check(dataset: "Quads") -> None:
        report = validate(dataset) if rebuild is None else rebuild.validate(dataset)
        if report.fails(fail_on):
            raise ValidationFailed(report, f"the built graph does not conform to the shapes; nothing written to {out}")

    # the cache is pruned after a successful build only; what each step makes lives until the end
    with long_lived(), nullcontext() if source_cache is None else source_cache.build(Path(data_dir or DATA_DIR), base):
        rebuild = None if source_cache is None else Rebuild.open(source_cache, Path(data_dir or DATA_DIR), base, out)
        try:
            dataset = build_quads(base, data_dir, source_cache)
            if rebuild is not None:
                rebuild.compare(dataset)
            files = write_dist(dataset, Path(out), base, __version__, check, rebuild, keep)
        finally:
            if rebuild is not None:
                rebuild.release()
    if keep is not None:
        keep(dataset)
    return files
