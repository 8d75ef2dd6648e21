"""One call in a process of its own, or a thread, beside this one's Python work (which holds the GIL).

The build writes RDF/XML in a spawned process (it reads the N-Triples dump from disk) and, for big
data, Turtle and TriG in a forked copy of itself (which reads the dataset it shares). Both want the
same thing: a future for one call's value, or the call made here and now when a process costs more.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")


def apart(func: Callable[..., T], *args: object, start: str | None) -> "Future[T]":
    """`func(*args)` in a new process started by `start` ("spawn" or "fork"), or here if `start` is
    None (then what it raises is raised at once); the future gives its value, or raises its error."""
    if start is None:
        done: Future = Future()
        done.set_result(func(*args))
        return done
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # a pool forks or spawns its worker in submit(), before any thread of its own starts
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context(start))
    future = pool.submit(func, *args)
    pool.shutdown(wait=False)
    return future


def in_thread(make: Callable[[], T], name: str = "giigraph-load") -> "Future[T]":
    """`make()` run in a daemon thread (for work that releases the GIL, such as Oxigraph's parser);
    its value (or error) in the future returned."""
    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(make())
        except BaseException as exc:  # handed to whoever waits for the value
            future.set_exception(exc)
    threading.Thread(target=run, name=name, daemon=True).start()
    return future
