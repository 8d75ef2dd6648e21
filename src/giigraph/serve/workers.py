"""Killable SPARQL workers: every query runs in a separate process the server can stop.

Neither rdflib nor pyoxigraph can interrupt a query from another thread, so a time limit that
really holds needs a process to kill. Each worker loads the dataset once, answers one query at a
time, and is killed and replaced when a query overruns, when its client hangs up, or when the
query needs more memory than the worker may have (`max_worker_bytes`, the operating system's
address-space limit on the worker: Python's MemoryError or the Rust allocator's abort end the
query, never the server). The client gets QueryTimeout (503) or QueryOutOfMemory (507), never
partial results, and the other workers keep answering. Results are written and capped in the
worker, graph results while their triples arrive, so a huge result costs the worker's time, not
its memory nor the server's.

The server waits for a worker's answer on the event loop (the pipe's file descriptor), without a
thread per query, so cancelling the wait (a client gone) kills the worker at once.

The SPARQL itself is `giigraph.query`'s, as for `giigraph query`: the same parse and safety
check, the same dataset view (Oxigraph engine), the same writers. The worker adds the caps.

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
import resource
import signal
import sys
import threading
from collections.abc import Callable, Mapping
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache, partial

from ..errors import GiigraphError, NotAcceptable, QueryError, QueryOutOfMemory, QueryTimeout, QueryTooLarge
from ..query.engines import Engine, open_engine
from ..query.parse import ParsedQuery, QueryDataset, parse_query

log = logging.getLogger("giigraph.serve")

_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000
MIB = 1024 * 1024


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
    max_result_bytes: int = 16 * MIB
    max_worker_bytes: int = 512 * MIB  # address space of one worker process
    cache_bytes: int = 64 * MIB  # answers kept in the server process for repeated queries; 0: none


class AnswerCache:
    """Answers by job, least recently used first out, at most `max_bytes` of them in all.

    The data never changes while the server runs, so a query asked again (a dashboard, a page
    reloaded, a benchmark) has the same answer: it is sent without a worker's round trip. Only
    answers are kept, never errors, so every refusal is decided anew.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.size = max_bytes, 0
        self._answers: OrderedDict[tuple, Answer] = OrderedDict()

    @staticmethod
    def key(job: Job) -> tuple:
        return job.query, tuple(sorted(job.formats.items(), key=str)), job.dataset

    def get(self, key: tuple) -> Answer | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, key: tuple, answer: Answer) -> None:
        cost = len(answer.body) + len(key[0])
        if cost > self.max_bytes or key in self._answers:
            return
        self._answers[key] = answer
        self.size += cost
        while self.size > self.max_bytes:
            (query, *_), old = self._answers.popitem(last=False)
            self.size -= len(old.body) + len(query)


@dataclass
class _Payload:
    """What a worker needs to start: the data and the rules."""

    nquads: bytes
    prefixes: dict[str, str]
    limits: Limits
    base: str | None = None  # relative IRIs in queries resolve against it
    offers: dict[str, list[str]] = field(default_factory=dict)  # query form -> media types, for 406
    engine: str = "oxigraph"  # rdflib where Oxigraph's store would rewrite the data's literals (`exact_engine`)


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


def _limit_memory(max_bytes: int) -> None:
    """Cap this process's address space: an allocation past it fails (MemoryError in Python, an
    abort in Rust) instead of growing until the kernel's out-of-memory killer picks a process."""
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


def _answer(engine: Engine, parse: Callable[[str], ParsedQuery], payload: _Payload, job: Job) -> Answer:
    parsed = parse(job.query)
    fmt = job.formats.get(parsed.form)
    if fmt is None:
        raise NotAcceptable(payload.offers[parsed.form])
    cap = payload.limits.max_result_bytes
    sink = _CappedBuffer(cap)
    engine.write(parsed, fmt, sink, job.dataset, max_graph_bytes=cap)
    return Answer(parsed.form, fmt, b"".join(sink.chunks))


def _serve_jobs(conn, payload: _Payload) -> None:
    """Worker main loop: announce readiness, then answer jobs until the pipe closes."""
    isolated = _isolate_network()
    _limit_memory(payload.limits.max_worker_bytes)
    engine = open_engine(payload.engine, payload.nquads, payload.prefixes)
    # Parsing (rdflib's grammar, for the safety check) takes ~20 ms; clients repeat their queries.
    parse = lru_cache(maxsize=512)(partial(parse_query, prefixes=payload.prefixes, base=payload.base))
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
        except MemoryError:  # what was allocated may be fragmented: answer, then make way for a new worker
            conn.send(("oom", None))
            return
        except Exception as exc:  # an engine bug: log here, never leak it to the client
            logging.getLogger("giigraph.serve").exception("query failed")
            conn.send(("error", QueryError(f"the query could not be evaluated ({type(exc).__name__})")))


# --- in the server process -------------------------------------------------------------------------

class _WorkerDied(Exception):
    pass


def _cores() -> int:
    """The CPU cores this process may run on (its affinity, as `taskset` sets it), at least one."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class _Worker:
    """Handle on one worker process and its pipe."""

    def __init__(self, payload: _Payload, start_timeout: float = 60.0) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve_jobs, args=(child, payload), daemon=True,
                                   name="giigraph-sparql-worker")
        self.process.start()
        child.close()
        try:
            if not self.conn.poll(start_timeout):
                raise EOFError
            _, self.isolated = self.conn.recv()
        except (EOFError, OSError):
            self.kill()
            raise RuntimeError(f"a SPARQL worker did not start (exit status {self.process.exitcode}); "
                               f"is --max-worker-mb ({payload.limits.max_worker_bytes // MIB}) too small?") from None

    async def call(self, job: Job) -> Answer:
        """Send `job`, wait on the event loop for the answer; _WorkerDied if the process ends."""
        loop = asyncio.get_running_loop()
        readable = loop.create_future()
        fd = self.conn.fileno()
        try:
            self.conn.send(job)
            loop.add_reader(fd, lambda: readable.done() or readable.set_result(None))
            try:
                await readable
            finally:
                loop.remove_reader(fd)
            status, value = self.conn.recv()  # the worker sends its whole answer at once
        except (EOFError, OSError) as exc:
            raise _WorkerDied from exc
        if status == "oom":
            raise _WorkerDied
        if status == "error":
            raise value
        return value

    def out_of_memory(self) -> bool:
        """Did the worker end for want of memory (its own MemoryError, or an abort in Rust's allocator)?"""
        self.process.join(1)
        return self.process.exitcode in (0, -signal.SIGABRT)

    def kill(self) -> None:
        self.process.kill()
        self.conn.close()


class QueryPool:
    """A fixed number of workers; a query waits at most `timeout` for a free one (else 503).

    At most `running` queries run at once (default: as many as the server has cores, and workers),
    each on the idle worker that answered last. On one core, two workers taking turns each find
    their caches cold after the other ran: an uncached request of the benchmark cost 6-30% more CPU
    (the more, the busier the machine) than on one worker kept warm. A query that has run `patience` seconds stops
    counting against `running`, so a slow or runaway one delays the others by that much at most,
    and the other workers answer beside it as before.
    """

    def __init__(self, nquads: bytes, prefixes: dict[str, str], offers: dict[str, list[str]], limits: Limits,
                 size: int = 2, base: str | None = None, running: int | None = None, patience: float = 0.1,
                 engine: str = "oxigraph") -> None:
        self.payload = _Payload(nquads, prefixes, limits, base, offers, engine)
        self.limits, self.size = limits, size
        self.running, self.patience = min(size, running or _cores()), patience
        self._idle: asyncio.LifoQueue[_Worker] | None = None
        self._slots: asyncio.Semaphore | None = None
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._cache = AnswerCache(limits.cache_bytes)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._idle, self._slots = asyncio.LifoQueue(), asyncio.Semaphore(self.running)
        workers = await asyncio.gather(*(asyncio.to_thread(self._spawn) for _ in range(self.size)))
        for worker in workers:
            self._idle.put_nowait(worker)
        if not all(w.isolated for w in workers):
            log.warning("SPARQL workers could not leave the network (no network namespace); "
                        "SERVICE and remote FROM are still refused before evaluation")

    async def run(self, job: Job) -> Answer:
        """The worker's answer (or the same, kept from before); cancelling this (the client hung up)
        kills the worker at once."""
        assert self._idle is not None, "QueryPool.start() was not awaited"
        key = AnswerCache.key(job)
        answer = self._cache.get(key)
        if answer is not None:
            return answer
        worker = await self._take()
        release = self._slot_release()
        overdue = self._loop.call_later(self.patience, release)
        try:
            async with asyncio.timeout(self.limits.timeout):
                answer = await worker.call(job)
        except GiigraphError:  # the worker answered with an error: it is fine
            self._idle.put_nowait(worker)
            raise
        except TimeoutError:
            self._replace(worker)
            raise QueryTimeout(f"the query ran longer than the time limit of {self.limits.timeout:g} s "
                               "and was stopped") from None
        except _WorkerDied:
            out_of_memory = await asyncio.to_thread(worker.out_of_memory)
            self._replace(worker)
            if out_of_memory:
                raise QueryOutOfMemory(f"the query needed more than the {self.limits.max_worker_bytes // MIB} MiB "
                                       "a query may use, and was stopped; add a LIMIT or narrow the query") from None
            log.error("a SPARQL worker died (exit status %s); starting another", worker.process.exitcode)
            raise QueryError("the query could not be evaluated (the worker stopped)") from None
        except BaseException:  # cancelled: nobody waits for this answer any more
            self._replace(worker)
            raise
        finally:  # however the query ended
            overdue.cancel()
            release()
        self._idle.put_nowait(worker)
        self._cache.put(key, answer)
        return answer

    async def _take(self) -> _Worker:
        """A running slot and the idle worker that answered last; QueryTimeout if they take too long."""
        if not self._slots.locked() and not self._idle.empty():
            await self._slots.acquire()  # free: returns at once
            return self._idle.get_nowait()
        try:
            async with asyncio.timeout(self.limits.timeout):
                await self._slots.acquire()
                try:
                    return await self._idle.get()
                except BaseException:
                    self._slots.release()
                    raise
        except TimeoutError:
            raise QueryTimeout("the endpoint is busy with other queries; try again shortly") from None

    def _slot_release(self) -> Callable[[], None]:
        """Give the query's running slot back, once: when it ends, or when it has run `patience`."""
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                self._slots.release()
        return release

    def _spawn(self) -> _Worker:
        worker = _Worker(self.payload)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        """Kill `worker` now; start its successor in a thread (a start takes about a second)."""
        self._retire(worker)
        threading.Thread(target=self._start_successor, args=(worker,), daemon=True).start()

    def _start_successor(self, worker: _Worker) -> None:
        worker.process.join(5)
        try:
            successor = self._spawn()
        except Exception:
            log.exception("could not start a replacement SPARQL worker")
            return
        try:
            self._loop.call_soon_threadsafe(self._idle.put_nowait, successor)
        except RuntimeError:  # the server stopped meanwhile (its event loop is closed)
            self._retire(successor)
            return
        if self._closed:
            self._retire(successor)

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()

    async def close(self) -> None:
        self._closed = True
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.kill()
