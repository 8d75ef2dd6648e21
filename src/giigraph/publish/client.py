"""HTTP to a triple store: verified TLS, credentials, timeouts, retries with backoff.

Retried: connection errors and 5xx answers (not 501/505, which will not change). Every request a
publish sends may be repeated safely: PUT and DROP+INSERT DATA into a staging graph are
idempotent, and the switching MOVE fails harmlessly once done (its outcome is then checked).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx

from ..errors import PublishError
from .credentials import HostCredentials
from .plan import Request

CHUNK = 64 * 1024
BACKOFF_S = 0.5
MAX_BACKOFF_S = 30.0
NOT_RETRIED = {501, 505}

Progress = Callable[[int], None]
Log = Callable[[str], None]


def _reason(exc: httpx.TransportError) -> str:
    text = str(exc) or type(exc).__name__
    kind = {httpx.TimeoutException: "timed out", httpx.ConnectError: "cannot connect"}
    for cls, word in kind.items():
        if isinstance(exc, cls):
            return f"{word} ({text})"
    return f"connection lost ({text})"


def _short_body(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text[:300] + ("…" if len(text) > 300 else "")


class ReplayableBody:
    """A request body that can be sent again from its first byte: digest authentication (and any
    scheme that answers 401 first) re-sends it, and httpx refuses to re-send a one-shot generator.
    Streamed in chunks so the progress bar follows; a re-send takes back what the bar counted."""

    def __init__(self, data: bytes, progress: Progress | None = None) -> None:
        self.data, self.progress, self.sent = data, progress, 0

    def __iter__(self) -> Iterator[bytes]:
        self.rewind()
        view = memoryview(self.data)
        for start in range(0, len(view), CHUNK):
            chunk = bytes(view[start:start + CHUNK])
            yield chunk
            self.sent += len(chunk)
            if self.progress:
                self.progress(len(chunk))

    def rewind(self) -> None:
        """Forget what was sent (the progress bar too), as when the body is sent again."""
        if self.progress and self.sent:
            self.progress(-self.sent)
        self.sent = 0


class StoreClient:
    """Sends planned requests; raises PublishError with a readable reason when they fail."""

    def __init__(self, credentials: HostCredentials, timeout: float = 60.0, retries: int = 4,
                 log: Log | None = None) -> None:
        self.retries, self.log, self.credentials = retries, log, credentials
        # trust_env: proxies from $HTTPS_PROXY/$NO_PROXY and a CA bundle from $SSL_CERT_FILE, as curl does;
        # verify stays on: there is deliberately no switch to turn certificate checks off.
        # No client-wide auth: each request gets the credentials meant for its own host.
        self._http = httpx.Client(timeout=timeout, follow_redirects=False,
                                  verify=True, trust_env=True,
                                  headers={"User-Agent": "giigraph-publish"})

    def __enter__(self) -> StoreClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def send(self, request: Request, progress: Progress | None = None, retries: int | None = None,
             accept: str | None = None) -> httpx.Response:
        """Send `request`, retrying with backoff; return a 2xx-4xx response, raise on the rest."""
        retries = self.retries if retries is None else retries
        for attempt in range(retries + 1):
            body = ReplayableBody(request.body, progress)
            headers = {}
            if request.content_type:
                headers["Content-Type"] = request.content_type
                headers["Content-Length"] = str(len(request.body))
            if accept:
                headers["Accept"] = accept
            try:
                response = self._http.request(request.method, request.url, params=request.params,
                                              headers=headers, content=body if request.body else None,
                                              auth=self.credentials.for_url(request.url).auth)
            except httpx.TransportError as exc:
                failure, retry_after = _reason(exc), None
            else:
                if response.status_code < 500 or response.status_code in NOT_RETRIED:
                    return response
                failure = f"HTTP {response.status_code} {response.reason_phrase}: {_short_body(response)}"
                retry_after = response.headers.get("Retry-After")
            body.rewind()
            if attempt == retries:
                tries = f" (after {attempt + 1} attempts)" if attempt else ""
                raise PublishError(f"{request.method} {request.url}: {failure}{tries}")
            delay = self._delay(attempt, retry_after)
            if self.log:
                self.log(f"retrying in {delay:g} s ({attempt + 1}/{retries}): "
                         f"{request.method} {request.url}: {failure}")
            time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """Exponential backoff; a store's Retry-After seconds win when they are sane."""
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), MAX_BACKOFF_S)
        return min(BACKOFF_S * 2 ** attempt, MAX_BACKOFF_S)

    def expect_success(self, request: Request, response: httpx.Response) -> httpx.Response:
        """Raise a PublishError naming the refusal unless `response` is 2xx (or a 404 the request allows)."""
        if response.is_success or (request.missing_ok and response.status_code == 404):
            return response
        hint = ""
        if response.status_code in (401, 403):
            hint = (" — the store wants credentials: set $GIIGRAPH_STORE_USER/$GIIGRAPH_STORE_PASSWORD, "
                    "$GIIGRAPH_STORE_TOKEN, or a netrc entry for its host")
        raise PublishError(f"{request.method} {request.url}: the store refused: HTTP {response.status_code} "
                           f"{response.reason_phrase}: {_short_body(response)}{hint}")

    def call(self, request: Request, progress: Progress | None = None, retries: int | None = None,
             accept: str | None = None) -> httpx.Response:
        """send() and expect_success() in one: the usual way to talk to the store."""
        return self.expect_success(request, self.send(request, progress, retries, accept))
