"""Credentials for a triple store: from the environment or a netrc file, never from arguments.

Secrets never pass through the command line (where `ps` and shell history show them) and are
never printed: `origin` says where credentials come from, not what they are. Each endpoint gets
only the credentials meant for its own host: the environment's are the store's, so they go to the
store's origin (scheme, host, port) alone unless the user says the others share them; a netrc
entry goes to the host it names.
"""
from __future__ import annotations

import netrc
import os
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from ..errors import InputError

USER_ENV = "GIIGRAPH_STORE_USER"
PASSWORD_ENV = "GIIGRAPH_STORE_PASSWORD"
TOKEN_ENV = "GIIGRAPH_STORE_TOKEN"
SCHEME_ENV = "GIIGRAPH_STORE_AUTH"
SCHEMES = ("basic", "digest")


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>` on every request (GraphDB, Stardog, gateways)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


@dataclass(frozen=True)
class Credentials:
    """An httpx auth (or None) and a description of its origin that is safe to print."""

    auth: httpx.Auth | None
    origin: str


NONE = Credentials(None, "none")


def netrc_path(env: Mapping[str, str]) -> Path:
    """The netrc file curl and requests would read: $NETRC, else ~/.netrc."""
    return Path(env["NETRC"]) if env.get("NETRC") else Path.home() / ".netrc"


def _password_auth(user: str, password: str, env: Mapping[str, str]) -> httpx.Auth:
    scheme = env.get(SCHEME_ENV, "basic").strip().lower()
    if scheme not in SCHEMES:
        raise InputError(f"${SCHEME_ENV}={scheme!r} is not an auth scheme; use one of: {', '.join(SCHEMES)}")
    return httpx.DigestAuth(user, password) if scheme == "digest" else httpx.BasicAuth(user, password)


def origin(url: str) -> str:
    """`scheme://host:port` of `url` (default port filled in): what one set of credentials is for."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


@dataclass(frozen=True)
class HostCredentials:
    """The credentials of each origin a publish talks to; an origin not listed gets none."""

    by_origin: Mapping[str, Credentials]

    def for_url(self, url: str) -> Credentials:
        return self.by_origin.get(origin(url), NONE)

    def describe(self) -> str:
        """Where each origin's credentials come from (for --dry-run), secrets left out."""
        if len(self.by_origin) == 1:
            return next(iter(self.by_origin.values())).origin
        return "; ".join(f"{where}: {creds.origin}" for where, creds in self.by_origin.items())


def for_endpoints(urls: Sequence[str], store: str, env: Mapping[str, str] | None = None,
                  same_credentials: bool = False) -> HostCredentials:
    """Credentials for each origin of `urls`: the environment's for the store's origin (every origin
    with `same_credentials`), netrc entries per host, else none."""
    env = os.environ if env is None else env
    home = origin(store)
    by_origin: dict[str, Credentials] = {}
    for url in [store, *urls]:
        where = origin(url)
        if where not in by_origin:
            by_origin[where] = for_url(url, env, from_env=same_credentials or where == home)
    return HostCredentials(by_origin)


def for_url(url: str, env: Mapping[str, str] | None = None, from_env: bool = True) -> Credentials:
    """Credentials for `url`: a token or user/password from the environment (if `from_env`), else
    netrc, else none."""
    env = os.environ if env is None else env
    if from_env and env.get(TOKEN_ENV):
        return Credentials(BearerAuth(env[TOKEN_ENV]), f"bearer token from ${TOKEN_ENV}")
    user, password = env.get(USER_ENV), env.get(PASSWORD_ENV)
    if from_env and (user or password):
        if not (user and password):
            missing = PASSWORD_ENV if user else USER_ENV
            raise InputError(f"${USER_ENV} and ${PASSWORD_ENV} go together: ${missing} is not set")
        return Credentials(_password_auth(user, password, env), f"user and password from ${USER_ENV}/${PASSWORD_ENV}")
    path = netrc_path(env)
    if not path.is_file():
        return NONE
    host = urlsplit(url).hostname or ""
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except netrc.NetrcParseError as exc:
        raise InputError(f"{exc.filename}:{exc.lineno}: {exc.msg}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the netrc file: {exc.strerror}") from None
    if entry is None or not entry[0]:
        return NONE
    return Credentials(_password_auth(entry[0], entry[2] or "", env), f"netrc file {path}, machine {host}")
