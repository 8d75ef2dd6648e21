"""The files pages load (our stylesheet and scripts, the vendored browser code, the charts' SVG).

Every URL names fixed bytes: vendored packages sit in versioned folders (`vendor/leaflet-1.9.4/`),
our own files are linked with a hash of their content (`/static/map.js?v=…`). So they are served
with a year-long, immutable cache lifetime. Responses are gzip-compressed for clients that accept it.
Nothing a page loads comes from another host; the pages' Content-Security-Policy says so to the
browser, which then refuses any request elsewhere, a SPARQL editor's included.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Scope

STATIC = Path(__file__).with_name("static")
IMMUTABLE = "public, max-age=31536000, immutable"
#: Scripts and styles from this server only (Vega compiles its expressions with `new Function`,
#: YASGUI styles inline); data, images and fonts from here or inline; connections to here only.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' blob:; "
                           "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'")


@lru_cache(maxsize=None)
def static_url(name: str) -> str:
    """The URL of `static/{name}`, with a hash of its bytes: a change makes a new URL."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/static/{name}?v={digest}"


@lru_cache(maxsize=None)
def vendor_url(package: str, name: str) -> str:
    """The URL of a vendored package's file, in the package's versioned folder (see web/vendor.py)."""
    (folder,) = (STATIC / "vendor").glob(f"{package}-[0-9]*")
    if not (folder / name).is_file():
        raise FileNotFoundError(f"no {name} in {folder}")
    return f"/static/vendor/{folder.name}/{name}"


class _CachedFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope):
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = IMMUTABLE
        return response


def static_app() -> ASGIApp:
    """`/static`: the files, cached for a year."""
    return _CachedFiles(directory=STATIC)


def compress(app) -> None:
    """Gzip every response of `app` above half a kilobyte for clients that accept it (pages, scripts, data)."""
    app.add_middleware(GZipMiddleware, minimum_size=512)
