"""Killable SPARQL workers: every query runs in a separate process the server can stop.

Neither rdflib nor pyoxigraph can interrupt a query from another thread, so a time limit that
really holds needs a process to kill. Each worker loads the dataset once, answers one query at a
time, and is killed and replaced when a query overruns: the client gets QueryTimeout (503), never
partial results, and the other workers keep answering. Results are written and capped in the
worker, so a huge result costs the worker's time, not the server's memory.

The SPARQL itself is `giigraph.query`'s, as for `giigraph query`: the same parse and safety
check, the same dataset view (Oxigraph engine), the same writers. The worker adds the cap.

Defence in depth: on Linux each worker first moves itself into an empty network namespace, so
even a query that slipped past `query.safety`'s checks could not reach any host. The checks do not
rely on it: tests/test_query_bypass.py runs its corpus with it turned off ($GIIGRAPH_NO_NETNS).
"""
from __future__ import annotations

import asyncio
import ctypes
import io
import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial

from ..errors import GiigraphError, NotAcceptable, QueryError, QueryTimeout, QueryTooLarge
from ..query.engines import Engine, open_engine
from ..query.parse import ParsedQuery, QueryDataset, parse_query

log = logging.getLogger("giigraph.serve")

_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000


@dataclass(frozen=True)
class Job:
    """One query, the format to answer each query form in (None: the client accepts none for that
    form), and the dataset the request names (default-graph-uri, named-graph-uri)."""

    query: str
    formats: Mapping[str, str | None]
    dataset: QueryDataset = QueryDataset()


@dataclass(frozen=True)
class Answer:
    form: str
    format: str
    body: bytes


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0
    max_result_bytes: int = 16 * 1024 * 1024


@dataclass
class _Payload:
    """What a worker needs to start: the data and the rules."""

    nquads: bytes
    prefixes: dict[str, str]
    max_result_bytes: int
    offers: dict[str, list[str]] = field(default_factory=dict)  # query form -> media types, for 406


# --- inside the worker process ---------------------------------------------------------------------

class _CappedBuffer(io.RawIOBase):
    """A byte sink that raises QueryTooLarge once the result passes the cap."""

    def __init__(self, cap: int) -> None:
        self.cap, self.chunks, self.size = cap, [], 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.cap:
            raise QueryTooLarge(f"the result is larger than {self.cap} bytes; add a LIMIT or narrow the query")
        self.chunks.append(bytes(data))
        return len(data)


def _isolate_network() -> bool:
    """Leave every network behind (an empty network namespace); False where the OS says no, or
    where $GIIGRAPH_NO_NETNS is set: a machine without namespaces, as the tests make one."""
    if sys.platform != "linux" or os.environ.get("GIIGRAPH_NO_NETNS"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return any(libc.unshare(flags) == 0 for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET))


def _answer(engine: Engine, parse: Callable[[str], ParsedQuery], payload: _Payload, job: Job) -> Answer:
    parsed = parse(job.query)
    fmt = job.formats.get(parsed.form)
    if fmt is None:
        raise NotAcceptable(payload.offers[parsed.form])
    sink = _CappedBuffer(payload.max_result_bytes)
    engine.write(parsed, fmt, sink, job.dataset)
    return Answer(parsed.form, fmt, b"".join(sink.chunks))


def _serve_jobs(conn, payload: _Payload) -> None:
    """Worker main loop: announce readiness, then answer jobs until the pipe closes."""
    isolated = _isolate_network()
    engine = open_engine("oxigraph", payload.nquads, payload.prefixes)
    # Parsing (rdflib's grammar, for the safety check) takes ~20 ms; clients repeat their queries.
    parse = lru_cache(maxsize=512)(partial(parse_query, prefixes=payload.prefixes))
    conn.send(("ready", isolated))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", _answer(engine, parse, payload, job)))
        except GiigraphError as exc:
            conn.send(("error", exc))
        except Exception as exc:  # an engine bug: log here, never leak it to the client
            logging.getLogger("giigraph.serve").exception("query failed")
            conn.send(("error", QueryError(f"the query could not be evaluated ({type(exc).__name__})")))


# --- in the server process -------------------------------------------------------------------------

class _WorkerDied(Exception):
    pass


class _Worker:
    """Handle on one worker process and its pipe."""

    def __init__(self, payload: _Payload, start_timeout: float = 60.0) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve_jobs, args=(child, payload), daemon=True,
                                   name="giigraph-sparql-worker")
        self.process.start()
        child.close()
        if not self.conn.poll(start_timeout):
            self.kill()
            raise RuntimeError("a SPARQL worker did not start")
        _, self.isolated = self.conn.recv()

    def call(self, job: Job, timeout: float) -> Answer:
        try:
            self.conn.send(job)
            ready = self.conn.poll(timeout)
            if ready:
                status, value = self.conn.recv()
        except (EOFError, OSError) as exc:
            raise _WorkerDied from exc
        if not ready:
            raise QueryTimeout(f"the query ran longer than the time limit of {timeout:g} s and was stopped")
        if status == "error":
            raise value
        return value

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """A fixed number of workers; a query waits at most `timeout` for a free one (else 503)."""

    def __init__(self, nquads: bytes, prefixes: dict[str, str], offers: dict[str, list[str]], limits: Limits,
                 size: int = 2) -> None:
        self.payload = _Payload(nquads, prefixes, limits.max_result_bytes, offers)
        self.limits, self.size = limits, size
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        workers = await asyncio.gather(*(asyncio.to_thread(self._spawn) for _ in range(self.size)))
        for worker in workers:
            self._idle.put_nowait(worker)
        if not all(w.isolated for w in workers):
            log.warning("SPARQL workers could not leave the network (no network namespace); "
                        "SERVICE and remote FROM are still refused before evaluation")

    async def run(self, job: Job) -> Answer:
        assert self._idle is not None, "QueryPool.start() was not awaited"
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout=self.limits.timeout)
        except TimeoutError:
            raise QueryTimeout("the endpoint is busy with other queries; try again shortly") from None
        # The worker goes back (or is replaced) from the thread itself, so a client that hangs
        # up while its query runs cannot leak the worker.
        return await asyncio.to_thread(self._call_and_release, worker, job)

    def _call_and_release(self, worker: _Worker, job: Job) -> Answer:
        try:
            answer = worker.call(job, self.limits.timeout)
        except (QueryTimeout, _WorkerDied) as exc:
            self._retire(worker)
            threading.Thread(target=self._replace, daemon=True).start()
            if isinstance(exc, _WorkerDied):
                log.error("a SPARQL worker died; starting another")
                raise QueryError("the query could not be evaluated (the worker stopped)") from None
            raise
        except BaseException:
            self._release(worker)
            raise
        self._release(worker)
        return answer

    def _spawn(self) -> _Worker:
        worker = _Worker(self.payload)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self) -> None:
        try:
            self._release(self._spawn())
        except Exception:
            log.exception("could not start a replacement SPARQL worker")

    def _release(self, worker: _Worker) -> None:
        self._loop.call_soon_threadsafe(self._idle.put_nowait, worker)

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()

    async def close(self) -> None:
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.kill()
