"""The `giigraph` command: parses options, calls one library function, maps errors to exits.

Heavy libraries (rdflib, pyshacl, pyoxigraph) are imported inside the commands, so `--help`
and commands that do not need them start fast.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__, formats
from .errors import GiigraphError, ValidationFailed


class _Group(click.Group):
    """Turns typed errors into `error: ...` lines and exit statuses; tracebacks only with --debug."""

    def invoke(self, ctx: click.Context):  # noqa: D401
        try:
            return super().invoke(ctx)
        except GiigraphError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            if isinstance(exc, ValidationFailed):
                click.echo(exc.report.text(), err=True, nl=False)
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="giigraph")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """giigraph: the WIPO GII 2023 S&T cluster ranking, as reported by China IP News, as linked data.

    \b
    Examples:
      giigraph build --out dist/
      giigraph export --format jsonld -o giigraph.jsonld
      giigraph validate dist/giigraph.ttl
    """
    ctx.ensure_object(dict)["debug"] = debug


def base_option(func):
    """--base: the IRI base of published resources (also $GIIGRAPH_BASE)."""
    return click.option(
        "--base", metavar="IRI", envvar="GIIGRAPH_BASE", default=None,
        help="Base IRI of every resource (default https://w3id.org/giigraph/; env GIIGRAPH_BASE).",
    )(func)


def format_option(default: str | None = "turtle"):
    """--format: one RDF format of the registry, by name, alias, extension or media type."""
    return click.option(
        "--format", "-f", "fmt", default=default, metavar="FORMAT",
        help=f"RDF format: {'|'.join(formats.names())} (aliases and media types work too).",
    )


def data_option(func):
    """--data-dir: the curated data folder (default: the data shipped with giigraph)."""
    return click.option(
        "--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Curated YAML folder to build from (default: the shipped data/).",
    )(func)


# --- build ---
@main.command()
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"),
              show_default=True, help="Folder to write the dumps into (replaced atomically).")
@base_option
@data_option
def build(out: Path, base: str | None, data_dir: Path | None) -> None:
    """Build the dataset, validate it with SHACL, and write every format into OUT.

    Nothing is written if the data does not conform (exit 1) or a source file is wrong (exit 2).

    \b
    Example:
      giigraph build --out dist/
    """
    from . import build_dist

    files = build_dist(out, base, data_dir)
    click.echo(f"Built, validated and wrote {len(files)} files to {out}/:")
    for path in files:
        click.echo(f"  {path.name:18} {path.stat().st_size:>9,} bytes")


# --- export ---
@main.command()
@format_option()
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (format from its extension unless --format is given); stdout if omitted.")
@base_option
@data_option
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None, base: str | None, data_dir: Path | None) -> None:
    """Write the dataset in one RDF format, to stdout or a file (no SHACL run: use `build` for checked dumps).

    \b
    Examples:
      giigraph export                       # Turtle on stdout
      giigraph export --format jsonld -o giigraph.jsonld
      giigraph export -o giigraph.nq        # format from the extension
    """
    from . import build as build_dataset
    from . import serialize
    from .rdfio import write_atomic

    explicit = ctx.get_parameter_source("fmt") is not click.core.ParameterSource.DEFAULT
    spec = formats.get(fmt) if explicit or output is None else formats.from_path(output)
    data = serialize(build_dataset(base, data_dir), spec.name)
    if output is None:
        click.get_binary_stream("stdout").write(data)
    else:
        write_atomic(output, data)


# --- validate ---
@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "-f", "report_format", type=click.Choice(["text", "turtle", "json"]),
              default="text", show_default=True, help="Report format: text for people, turtle/json for tools.")
@base_option
@data_option
def validate(files: tuple[Path, ...], report_format: str, base: str | None, data_dir: Path | None) -> None:
    """Validate the built dataset, or the given RDF FILES, against the SHACL shapes.

    Exit status: 0 conforms, 1 does not conform, 2 usage or input error.

    \b
    Examples:
      giigraph validate
      giigraph validate dist/giigraph.ttl --format json
    """
    from . import build as build_dataset
    from . import read_rdf
    from . import validate as run_validation

    graph = read_rdf(files) if files else build_dataset(base, data_dir)
    report = run_validation(graph)
    output = {"text": report.text, "turtle": report.turtle, "json": report.json}[report_format]()
    click.echo(output, nl=False)
    raise SystemExit(0 if report.conforms else 1)


# --- claims ---
@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@base_option
@data_option
def claims(files: tuple[Path, ...], base: str | None, data_dir: Path | None) -> None:
    """Check the article's claims against the data: supported, contradicted or not decidable.

    Each claim carries its SPARQL test in the dataset; the command runs the tests on the built dataset,
    or on the given RDF FILES (an export), and prints each verdict with its evidence and sources. The
    same verdicts are in every export as schema:ClaimReview resources.

    Exit status: 0 no claim contradicted, 1 a claim is contradicted, 2 usage or input error.

    \b
    Examples:
      giigraph claims
      giigraph claims dist/giigraph.trig
    """
    from . import build as build_dataset
    from . import read_rdf
    from .claims import any_contradicted, check, render
    from .errors import InputError

    reviews = check(read_rdf(files) if files else build_dataset(base, data_dir))
    if not reviews:
        raise InputError("the data has no checkable claim with a stored test (gii:supportTest)")
    click.echo(render(reviews))
    raise SystemExit(1 if any_contradicted(reviews) else 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
