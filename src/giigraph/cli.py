"""The `giigraph` command: parses options, calls one library function, maps errors to exits.

Heavy libraries (rdflib, pyshacl, pyoxigraph) are imported inside the commands, so `--help`
and commands that do not need them start fast.
"""
from __future__ import annotations

import sys
from importlib.metadata import version as _dist_version

import click

from . import formats
from .errors import GiigraphError


class _Group(click.Group):
    """Turns typed errors into `error: ...` lines and exit statuses; tracebacks only with --debug."""

    def invoke(self, ctx: click.Context):  # noqa: D401
        try:
            return super().invoke(ctx)
        except GiigraphError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_dist_version("giigraph"), prog_name="giigraph")
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


# --- query ---
from .query import DEFAULT_ENGINE, ENGINE_NAMES  # noqa: E402  (import-light: names only)


@main.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(dir_okay=False), metavar="FILE.rq",
              help="Read the query from a file.")
@click.option("--data", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="Query these RDF files (repeatable) instead of the built dataset.")
@click.option("--engine", type=click.Choice(ENGINE_NAMES), default=DEFAULT_ENGINE, show_default=True,
              help="SPARQL engine: Oxigraph (pyoxigraph) or rdflib.")
@click.option("--format", "fmt", metavar="FORMAT",
              help=f"SELECT/ASK: {'|'.join(formats.results_names())} (default table); "
                   f"CONSTRUCT/DESCRIBE: {'|'.join(formats.names())} (default turtle).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write here (atomically) instead of stdout; the format follows the extension.")
@click.option("--list", "list_queries", is_flag=True, help="List the bundled queries and their questions.")
@base_option
def query(query, query_file, data, engine, fmt, output, list_queries, base) -> None:
    """Run a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE) over the dataset.

    QUERY is SPARQL text or the name of a bundled query (see --list). The dataset's prefixes
    (schema:, gii:, cluster:, person:, ...) are predeclared. The default graph is the union of
    all graphs; GRAPH ?g reaches each source's named graph. Queries that would fetch remote
    data (SERVICE, LOAD, FROM <elsewhere>) are refused, never sent.

    \b
    Examples:
      giigraph query --list
      giigraph query top-five-2023
      giigraph query 'SELECT ?name WHERE { ?p a schema:Person ; schema:name ?name }'
      giigraph query -f my.rq --engine rdflib --format csv -o answer.csv
      giigraph query 'DESCRIBE cluster:shanghai-suzhou' --format jsonld
    """
    from .query.library import bundled_queries
    from .query.run import answer

    if list_queries:
        for bundled in bundled_queries():
            click.echo(f"{bundled.name}\t{bundled.question}")
        return
    out = answer(query, query_file, data=data, engine=engine, fmt=fmt, output=output, base=base)
    if output:
        from pathlib import Path

        from .rdfio import write_atomic

        write_atomic(Path(output), out)
    else:
        click.get_binary_stream("stdout").write(out)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
