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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
