"""The base IRI every published resource lives under (documented in README, "IRI policy")."""
from __future__ import annotations

import os
from urllib.parse import urlsplit

from .errors import InputError

DEFAULT_BASE = "https://w3id.org/giigraph/"
BASE_ENV = "GIIGRAPH_BASE"


def resolve_base(base: str | None = None) -> str:
    """Return the base IRI: the argument, else $GIIGRAPH_BASE, else the default; checked (RFC 3987)."""
    from .terms import check_iri

    value = check_iri(base or os.environ.get(BASE_ENV) or DEFAULT_BASE, "base IRI")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or not value.endswith("/"):
        raise InputError(
            f"base IRI {value!r} is not usable: give an absolute http(s) IRI ending in '/', "
            f"e.g. {DEFAULT_BASE}"
        )
    if parts.query or parts.fragment:
        raise InputError(f"base IRI {value!r} must not have a query or fragment")
    return value
