"""The bundled competency questions: `queries/*.rq`, each opening with a one-line `# question`."""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, QueryError
from ..resources import QUERIES_DIR

_NAME = re.compile(r"[A-Za-z0-9][\w.-]*")


@dataclass(frozen=True)
class BundledQuery:
    name: str
    path: Path

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def question(self) -> str:
        """The question the query answers: its first line, a `#` comment."""
        first = self.text.split("\n", 1)[0]
        return first.lstrip("#").strip() if first.startswith("#") else ""


def bundled_queries(directory: Path = QUERIES_DIR) -> list[BundledQuery]:
    """Every bundled query, by name (the file name without `.rq`)."""
    return sorted((BundledQuery(p.stem, p) for p in directory.glob("*.rq")), key=lambda q: q.name)


def bundled_query(name: str, directory: Path = QUERIES_DIR) -> BundledQuery:
    """The bundled query called `name` (`.rq` optional); an unknown name lists the available ones."""
    name = name.removesuffix(".rq")
    queries = bundled_queries(directory)
    for query in queries:
        if query.name == name:
            return query
    raise QueryError(
        f"no bundled query named {name!r}; available: {', '.join(q.name for q in queries) or '(none)'}"
    )


def resolve_query(query: str | None, query_file: str | Path | None) -> tuple[str, str]:
    """The query text and a name for messages, from inline text, a bundled name or a file.

    A single word is a bundled query's name; anything else is SPARQL text. `query_file` "-" is stdin.
    """
    if (query is None) == (query_file is None):
        raise InputError("give a query (SPARQL text or the name of a bundled query) or -f FILE, not both")
    if query_file == "-":
        return sys.stdin.read(), "stdin"
    if query_file is not None:
        path = Path(query_file)
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read query file {str(path)!r}: {exc}") from None
    if _NAME.fullmatch(query.strip()):
        bundled = bundled_query(query.strip())
        return bundled.text, f"queries/{bundled.path.name}"
    return query, "the query"
