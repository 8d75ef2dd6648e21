"""Typed errors: every failure the CLI reports comes from here.

Each error carries the exit status the CLI uses (2: bad usage or input, 1: the data or a peer
said no), so library code never decides how a message is printed.
"""
from __future__ import annotations


class GiigraphError(Exception):
    """Base of every error that becomes a one-line message and an exit status."""

    exit_code = 2


class SourceError(GiigraphError):
    """Curated source data is malformed: names the file, the line and what is wrong."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = str(path), line, message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        """Picklable as it was made (a source read in a worker process reports its error this way)."""
        return SourceError, (self.path, self.line, self.message)


class InputError(GiigraphError):
    """An input file or option given to a command cannot be used."""


class CacheUnsafe(InputError):
    """The build cache folder cannot be used: it is missing and cannot be made, or someone other
    than the user and root could change its entries (pickles: loading them could run their code)."""

    def __init__(self, folder: object, problem: str, remedy: str) -> None:
        self.folder, self.problem, self.remedy = str(folder), problem, remedy
        super().__init__(f"build cache {folder}: {problem}; {remedy}, or build with --no-cache")


class Stale(GiigraphError):
    """What a rebuild would reuse of the previous build (a dump in the output folder) is not exactly
    what that build left, or the change does not apply to it: the work is done in full instead, so
    this never reaches the user."""


class ValidationFailed(GiigraphError):
    """SHACL validation found violations; carries the report so callers can print it."""

    exit_code = 1

    def __init__(self, report: object, message: str = "the graph does not conform to the shapes") -> None:
        self.report = report
        super().__init__(message)


class QueryError(GiigraphError):
    """A SPARQL query is malformed, refused or failed."""


class PublishError(GiigraphError):
    """A triple store refused the data or lost part of it."""

    exit_code = 1


class QueryTimeout(QueryError):
    """A SPARQL query ran past the time limit and was stopped."""


class QueryOutOfMemory(QueryError):
    """A SPARQL query needed more memory than a query may use, and was stopped."""


class QueryTooLarge(QueryError):
    """A SPARQL request or its result is larger than the configured cap."""


class NotAcceptable(GiigraphError):
    """No representation matches the client's Accept header; carries the media types on offer."""

    def __init__(self, offers: list[str]) -> None:
        self.offers = offers
        super().__init__("no acceptable representation; available: " + ", ".join(offers))

    def __reduce__(self):  # crosses process boundaries (SPARQL workers) intact
        return NotAcceptable, (self.offers,)


class QuerySyntaxError(QueryError):
    """A SPARQL query does not parse: carries the engine's message and the line and column."""

    def __init__(self, source: str, line: int | None, column: int | None, message: str) -> None:
        message = " ".join(message.split())  # one line: Oxigraph lists what it expected over several
        self.source, self.line, self.column, self.message = source, line, column, message
        where = f" at line {line}, column {column}" if line else ""
        super().__init__(f"syntax error in {source}{where}: {message}")

    def __reduce__(self):  # crosses process boundaries (SPARQL workers) intact
        return QuerySyntaxError, (self.source, self.line, self.column, self.message)


class QueryRefused(QueryError):
    """A query would read data from outside the dataset (SERVICE, LOAD, FROM <remote>) or change it:
    refused before any engine sees it."""


class ShapesError(GiigraphError):
    """The shapes cannot be evaluated: not well-formed SHACL, or SHACL-SPARQL that the spec forbids
    (SHACL §5.2.1, pre-binding); the validation is a failure, not a report."""
