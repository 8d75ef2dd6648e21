"""How the SPARQL worker pool shares the server's cores: queries run one per core on the worker that
answered last (warm caches), and a long one stops holding the others up after `patience`."""
from __future__ import annotations

import asyncio
import os
import time

import pytest

from giigraph.errors import QueryTimeout
from giigraph.serve import sparql
from giigraph.serve.site import load_site
from giigraph.serve.workers import Job, Limits, QueryPool

from giigraph_server import RUNAWAY, TOP5, cpu_ticks


@pytest.fixture(scope="module")
def site():
    return load_site()


def pool_for(site, **options) -> QueryPool:
    """Two workers, no cache of answers (every query reaches a worker)."""
    return QueryPool(site.nquads, site.prefixes, sparql.OFFERS_BY_FORM, Limits(timeout=3, cache_bytes=0), size=2,
                     **options)


def top5(n: int) -> Job:
    """The same question in a new text each time (a numbered comment): the worker parses it anew."""
    return Job(f"{TOP5}\n# {n}", {"SELECT": "csv"})


def test_queries_on_one_core_run_one_at_a_time_on_the_warm_worker(site):
    async def main() -> dict[int, int]:
        pool = pool_for(site, running=1)
        await pool.start()
        try:
            await pool.run(top5(0))
            pids = [w.process.pid for w in pool._all]
            before = {pid: cpu_ticks(pid) for pid in pids}
            answers = await asyncio.gather(*(pool.run(top5(n)) for n in range(1, 41)))
            assert all(a.body.count(b"\n") == 6 for a in answers)
            return {pid: cpu_ticks(pid) - before[pid] for pid in pids}
        finally:
            await pool.close()

    used = asyncio.run(main())
    assert sorted(used.values())[0] == 0 and sorted(used.values())[1] > 0, \
        f"40 concurrent queries on one core should all run on one worker: CPU ticks {used}"


def test_a_runaway_query_holds_the_others_up_for_patience_at_most(site):
    async def main() -> tuple[float, BaseException | None]:
        pool = pool_for(site, running=1, patience=0.2)
        await pool.start()
        try:
            runaway = asyncio.ensure_future(pool.run(Job(RUNAWAY, {"SELECT": "csv"})))
            await asyncio.sleep(0.3)
            started = time.monotonic()
            answer = await pool.run(top5(0))
            took = time.monotonic() - started
            assert answer.body.count(b"\n") == 6
            outcome = (await asyncio.gather(runaway, return_exceptions=True))[0]
            return took, outcome
        finally:
            await pool.close()

    took, outcome = asyncio.run(main())
    assert took < 1.0, f"a short query waited {took:.2f} s behind a runaway one"
    assert isinstance(outcome, QueryTimeout)


def test_by_default_as_many_queries_run_at_once_as_the_server_has_cores(site):
    cores = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(cores)})  # as `taskset -c N giigraph serve` starts it
        assert pool_for(site).running == 1
    finally:
        os.sched_setaffinity(0, cores)
    assert pool_for(site).running == min(2, len(cores))
