"""A cluster's ranks chart drawn as SVG while serving, for its page read without JavaScript.

`giigraph build` draws the charts of the bundled queries into dist/charts/. Drawing every cluster's
ranks there would cost the build ~60 ms a cluster (thousands of them in a big corpus), for pictures
only browsers without JavaScript ask for (the page's `<img>` is inside `<noscript>`). So the server
draws one when it is first asked for: the data is the endpoint's CSV answer to the chart's query for
that cluster (the bytes the live chart loads), drawn by `charts.svg` as the build draws, so the same
answer is the same picture, kept by its CSV.

Not in a SPARQL worker: vl-convert's JavaScript engine (V8) reserves tens of GiB of address space
at start, which the worker's address-space limit refuses. Nothing a client sends reaches it but the
name of a known cluster; the answer has one row per rank observation of that cluster in our data,
so a drawing's time and memory are bounded by the data, and vl-convert may fetch no URL. One
drawing at a time (two cores), in a thread, so the event loop keeps serving.
"""
from __future__ import annotations

import asyncio
import hashlib
from functools import lru_cache

from ..charts import CLUSTER_RANKS, svg
from .workers import Job, QueryPool

#: Where a cluster's ranks chart is served: the cluster's path under the base follows.
PREFIX = f"/charts/{CLUSTER_RANKS.name}/"


def href(cluster_path: str) -> str:
    """The SVG of the ranks of the cluster at `cluster_path` (`/id/cluster/x`)."""
    return f"{PREFIX}{cluster_path.lstrip('/')}.svg"


@lru_cache(maxsize=1024)  # ~7 KB a drawing
def _draw(csv: str) -> tuple[bytes, str]:
    body = svg(CLUSTER_RANKS, csv).encode("utf-8")
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class RanksDrawer:
    """Draws clusters' ranks charts from the endpoint's answers, one at a time."""

    def __init__(self, pool: QueryPool) -> None:
        self.pool = pool
        self._lock = asyncio.Lock()

    async def svg(self, cluster: str) -> tuple[bytes, str]:
        """The SVG of `cluster`'s ranks (an IRI) and its ETag; QueryTimeout if the endpoint is busy."""
        answer = await self.pool.run(Job(CLUSTER_RANKS.query_text(cluster), {"SELECT": "csv"}))
        csv = answer.body.decode("utf-8")
        async with self._lock:
            return await asyncio.to_thread(_draw, csv)
