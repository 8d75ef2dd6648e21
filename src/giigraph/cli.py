"""The `giigraph` command: parses options, calls one library function, maps errors to exits.

Heavy libraries (rdflib, pyshacl, pyoxigraph) are imported inside the commands, so `--help`
and commands that do not need them start fast.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from . import __version__, formats
from .errors import GiigraphError, ValidationFailed


INTERNAL_ERROR = 70  # EX_SOFTWARE (sysexits.h): a bug in giigraph, not in its input
#: Whether this is the `giigraph` program (`run`), which ends its process when a build succeeded,
#: rather than the CLI called in another program (a test's), which goes on.
_PROGRAM = False


def run() -> None:
    """The `giigraph` program (`python -m giigraph` too): the CLI in a process of its own."""
    global _PROGRAM
    _PROGRAM = True
    main(prog_name="giigraph")


def _end_keeping(built: object) -> NoReturn:
    """End the program, status 0, once its output is flushed, without freeing `built` (the dataset):
    Python would free its millions of objects one by one (half a second at a million triples) for a
    process that ends; the system takes its memory back at once. Every file was written, closed and
    renamed into place, and every writer process joined, before."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


class _Group(click.Group):
    """Turns every failure into one `error: ...` line and an exit status; tracebacks only with --debug.

    Typed errors carry their status; anything else is a bug in giigraph (exit 70), reported in one
    line too, with the way to get the traceback for a bug report."""

    def invoke(self, ctx: click.Context):  # noqa: D401
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            if isinstance(exc, BrokenPipeError) and _reader_gone():
                # what read our output stopped (`| head`): not a failure to report. Python's own flush
                # of stdout at exit would fail again, so it goes to /dev/null (Python's note on SIGPIPE)
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                ctx.exit(1)
            if isinstance(exc, ValidationFailed):
                click.echo(exc.report.text(), err=True, nl=False)
            if isinstance(exc, GiigraphError):
                click.echo(f"error: {exc}", err=True)
                ctx.exit(exc.exit_code)
            detail = " ".join(f"{type(exc).__name__}: {exc}".split())
            click.echo(f"error: internal error: {detail} (a bug in giigraph: rerun with --debug for the "
                       "traceback, and report it)", err=True)
            ctx.exit(INTERNAL_ERROR)


def _reader_gone() -> bool:
    """Whether standard output is a pipe whose reader has closed it: then a broken pipe is that
    reader's choice, not a failure (a broken pipe anywhere else still is)."""
    import select

    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLERR)
        return any(event & select.POLLERR for _, event in poller.poll(0))
    except (OSError, ValueError, AttributeError):  # no real stdout (a test's runner), or no poll here
        return False


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


def fail_on_option(func):
    """--fail-on: the least severe SHACL result that fails the command."""
    return click.option(
        "--fail-on", type=click.Choice(["violation", "warning", "info"]), default="violation", show_default=True,
        help="Fail on results of this severity or worse (the report lists them all, whatever this says).",
    )(func)


# --- build ---
@main.command()
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"),
              show_default=True, help="Folder to write the dumps into (replaced atomically).")
@fail_on_option
@base_option
@data_option
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="DIR", help="Build cache folder: source files read before are not read again; "
                                  "pruned to what the last build of each data folder and base used; "
                                  "refused if anyone but you or root could write to it "
                                  "(default: $XDG_CACHE_HOME/giigraph, else ~/.cache/giigraph).")
@click.option("--no-cache", is_flag=True, help="Read every source file; neither use nor fill the cache.")
def build(out: Path, fail_on: str, base: str | None, data_dir: Path | None, cache_dir: Path | None,
          no_cache: bool) -> None:
    """Build the dataset, validate it with SHACL, and write every format into OUT.

    Nothing is written if SHACL reports a result of the --fail-on severity or worse (exit 1) or a
    source file is wrong (exit 2). Source files read before (same bytes, same giigraph) come from
    the build cache; the output is the same bytes either way.

    \b
    Examples:
      giigraph build --out dist/
      giigraph build --data-dir corpus/ --cache /tmp/giigraph-cache
    """
    from . import build_dist
    from .buildcache import SourceCache, default_folder

    source_cache = None if no_cache else SourceCache(cache_dir or default_folder())
    built: list[object] = []
    files = build_dist(out, base, data_dir, fail_on, source_cache, keep=built.append if _PROGRAM else None)
    click.echo(f"Built, validated and wrote {len(files)} files to {out}/:")
    names = [path.relative_to(out).as_posix() for path in files]
    width = max(map(len, names), default=0)
    for name, path in zip(names, files):
        click.echo(f"  {name:{width}} {path.stat().st_size:>9,} bytes")
    if built:
        _end_keeping(built)


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
    from . import build_quads, serialize
    from .rdfio import write_atomic

    explicit = ctx.get_parameter_source("fmt") is not click.core.ParameterSource.DEFAULT
    spec = formats.get(fmt) if explicit or output is None else formats.from_path(output)
    data = serialize(build_quads(base, data_dir), spec.name)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        write_atomic(output, data)


# --- validate ---
@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--shapes", "-s", "shapes", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="SHACL shapes file (repeat for several; default: the project's shapes).")
@click.option("--format", "-f", "report_format", type=click.Choice(["text", "turtle", "json"]),
              default="text", show_default=True,
              help="Report format: text for people, turtle for the W3C sh:ValidationReport, json for tools.")
@fail_on_option
@base_option
@data_option
def validate(files: tuple[Path, ...], shapes: tuple[Path, ...], report_format: str, fail_on: str,
             base: str | None, data_dir: Path | None) -> None:
    """Validate the built dataset, or any RDF FILES, against the project's SHACL shapes or any --shapes.

    Files are read with their file URL as base IRI. Exit status: 0 no result of the --fail-on
    severity or worse, 1 there is one, 2 usage or input error (unreadable data or shapes,
    SHACL-SPARQL that the spec forbids or that would reach outside the data).

    \b
    Examples:
      giigraph validate
      giigraph validate dist/giigraph.ttl --format json
      giigraph validate data.ttl --shapes shapes.ttl --format turtle --fail-on warning
    """
    from . import build_quads
    from . import validate as run_validation
    from .rdfio import read_quads

    graph = read_quads(files) if files else build_quads(base, data_dir)
    report = run_validation(graph, shapes=list(shapes) or None)
    output = {"text": report.text, "turtle": report.turtle, "json": report.json}[report_format]()
    click.echo(output, nl=False)
    raise SystemExit(1 if report.fails(fail_on) else 0)


# --- publish ---
@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--store", required=True, metavar="URL",
              help="Graph Store Protocol endpoint (gsp), or SPARQL Update endpoint (update).")
@click.option("--protocol", type=click.Choice(["gsp", "update"]), default="gsp", show_default=True,
              help="gsp: PUT one named graph per source; update: SPARQL Update, for stores without GSP.")
@click.option("--update-endpoint", metavar="URL", default=None,
              help="With gsp: stage every graph, then switch them all in one atomic SPARQL Update.")
@click.option("--query-endpoint", metavar="URL", default=None,
              help="SPARQL query endpoint to count triples with (default: GSP GET, or --store for update).")
@click.option("--graph", metavar="IRI", default=None,
              help="Publish everything into this one named graph instead of one graph per source.")
@click.option("--changed", is_flag=True,
              help="Send only the graphs that are new or changed since the last --changed publish (content "
                   "hashes kept on the store in the graph urn:giigraph:published); drop the graphs no longer "
                   "in the data.")
@click.option("--chunk-mb", type=click.FloatRange(min=0.001), default=None, metavar="MB",
              help="Largest request body: bigger graphs go in several requests (default 16 with gsp, "
                   "1 with update, which also sends at most 2,000 triples per request).")
@click.option("--dry-run", is_flag=True, help="Print every request that would be sent; send nothing.")
@click.option("--same-credentials", is_flag=True,
              help="Send the $GIIGRAPH_STORE_* credentials to the update and query endpoints too, even on "
                   "another host (by default they go to the store's scheme, host and port only).")
@click.option("--timeout", type=click.FloatRange(min=1), default=60, show_default=True, metavar="SECONDS",
              help="Time limit of each HTTP request.")
@click.option("--retries", type=click.IntRange(min=0, max=10), default=4, show_default=True,
              help="Retries, with exponential backoff, after connection errors and 5xx answers.")
@base_option
@data_option
def publish(files: tuple[Path, ...], store: str, protocol: str, update_endpoint: str | None,
            query_endpoint: str | None, graph: str | None, changed: bool, chunk_mb: float | None, dry_run: bool,
            same_credentials: bool,
            timeout: float, retries: int, base: str | None, data_dir: Path | None) -> None:
    """Upload the validated dataset (or RDF FILES) to a SPARQL 1.1 store and verify it there.

    Each named graph is replaced, never appended to, so publishing twice leaves the same triples.
    After the upload the triples of every graph are counted on the store; a difference exits 1.
    Credentials come from $GIIGRAPH_STORE_USER and $GIIGRAPH_STORE_PASSWORD, $GIIGRAPH_STORE_TOKEN
    (sent to the store's host only, unless --same-credentials) or a netrc file ($NETRC, ~/.netrc;
    each host its own entry); never from options. TLS certificates are always checked
    ($SSL_CERT_FILE adds a private CA).

    \b
    Examples:
      giigraph publish --store http://localhost:7878/store --update-endpoint http://localhost:7878/update
      giigraph publish --store http://localhost:3030/ds/data --update-endpoint http://localhost:3030/ds/update
      giigraph publish --protocol update --store http://localhost:7878/update \\
          --query-endpoint http://localhost:7878/query
      giigraph publish dist/giigraph.nq --store http://localhost:7878/store --dry-run
      giigraph publish --changed --store http://localhost:7878/store --update-endpoint http://localhost:7878/update
    """
    from . import build_quads, read_rdf
    from . import validate as run_validation
    from .errors import ValidationFailed
    from .publish import Endpoints, run

    endpoints = Endpoints(store, protocol, update_endpoint, query_endpoint)
    dataset = read_rdf(files) if files else build_quads(base, data_dir)
    if changed and not files:  # --changed cuts the graphs' hashes from these lines; SHACL's store is cut from them too
        dataset.nq_lines()
    report = run_validation(dataset)
    if report.fails():
        raise ValidationFailed(report, "the data does not conform to the shapes (see `giigraph validate`); "
                                       "nothing was published")
    click.echo(run(dataset, endpoints, graph=graph, dry_run=dry_run, changed=changed, timeout=timeout,
                   retries=retries, same_credentials=same_credentials,
                   chunk_bytes=int(chunk_mb * 1e6) if chunk_mb else None,
                   log=lambda message: click.echo(message, err=True)))


# --- serve ---
@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@base_option
@data_option
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Time limit of one SPARQL query, in seconds.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="SPARQL worker processes (each can be stopped; one query per core runs at once, "
                   "and another beside one that has run 0.1 s).")
@click.option("--max-result-mb", default=16.0, show_default=True, type=click.FloatRange(min=0.001),
              help="Largest SPARQL result, in megabytes.")
@click.option("--max-worker-mb", default=512, show_default=True, type=click.IntRange(min=128),
              help="Memory (address space) of one SPARQL worker, in megabytes; a query needing more is stopped.")
@click.option("--query-cache-mb", default=64, show_default=True, type=click.IntRange(min=0),
              help="Answers kept for repeated SPARQL queries, in megabytes (0: none).")
@click.option("--header-timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds a client has to send a request's headers.")
@click.option("--body-timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds a client has to send a request's body.")
@click.option("--access-log", is_flag=True, help="Log a line per request on stderr.")
def serve(host: str, port: int, base: str | None, data_dir: Path | None, timeout: float, workers: int,
          max_result_mb: float, max_worker_mb: int, query_cache_mb: int, header_timeout: float,
          body_timeout: float, access_log: bool) -> None:
    """Serve the dataset as linked data: dereferenceable IRIs, HTML pages, dumps and a SPARQL endpoint.

    Read-only; every IRI under the base answers under this server (303 from /id/... to /doc/...);
    SPARQL at /sparql with a per-query time limit. Stop with Ctrl-C.

    \b
    Example:
      giigraph serve --port 8000
      curl -L -H 'Accept: text/turtle' http://127.0.0.1:8000/id/cluster/shanghai-suzhou
    """
    from .serve.server import serve as run_server
    from .serve.workers import Limits

    limits = Limits(timeout=timeout, max_result_bytes=int(max_result_mb * 1024 * 1024),
                    max_worker_bytes=max_worker_mb * 1024 * 1024, cache_bytes=query_cache_mb * 1024 * 1024)
    run_server(host, port, base, data_dir, limits, workers, header_timeout, body_timeout, access_log,
               on_ready=lambda url: click.echo(f"Serving giigraph at {url} (Ctrl-C to stop)", err=True))
# --- query ---
from .query import DEFAULT_ENGINE, ENGINE_NAMES  # noqa: E402  (import-light: names only)


@main.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(dir_okay=False), metavar="FILE.rq",
              help="Read the query from a file ('-': standard input).")
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
        from .rdfio import write_atomic

        write_atomic(Path(output), out)
    else:
        sys.stdout.buffer.write(out)


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
    from . import build_quads
    from .claims import any_contradicted, check, render
    from .errors import InputError
    from .rdfio import read_quads

    reviews = check(read_quads(files) if files else build_quads(base, data_dir))
    if not reviews:
        raise InputError("the data has no checkable claim with a stored test (gii:supportTest)")
    click.echo(render(reviews))
    raise SystemExit(1 if any_contradicted(reviews) else 0)


if __name__ == "__main__":  # pragma: no cover
    run()
