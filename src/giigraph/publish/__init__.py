"""Publishing the dataset to a SPARQL 1.1 store, verified, and never silently half-done.

Staged (an update endpoint is known): every graph goes to its own staging graph, the staging
counts are checked, then ONE SPARQL Update moves all of them onto their targets. Stores that run
an update request as one transaction (Oxigraph, tested here; Fuseki/TDB2, GraphDB and RDF4J by
their documentation) therefore switch all graphs or none; until then the published graphs are
untouched. A store without such transactions still gets the final counts checked.
Direct (Graph Store Protocol only): each graph is replaced by its own PUT, so the graphs change
one by one. Oxigraph 0.5 keeps a graph as it was when its PUT breaks off; a store that clears the
graph first may leave it empty or partial. A failure names the graphs replaced, the graph not
replaced (with what the store holds there now) and the graphs not sent.
Either way the counts on the store are compared with what was sent, and a difference fails.
"""
from __future__ import annotations

import ipaddress
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..errors import PublishError
from . import credentials
from .changes import META_GRAPH
from .client import Log, Progress, StoreClient
from .plan import SPARQL_UPDATE, STAGING_PREFIX, Endpoints, Plan, Request, make_plan
from .verify import count, count_query, count_requests, recorded

if TYPE_CHECKING:
    import rdflib

    from ..quads import Quads

__all__ = ["Endpoints", "Plan", "Published", "describe", "make_plan", "publish", "run"]

PROTOCOL_NAMES = {"gsp": "SPARQL 1.1 Graph Store Protocol", "update": "SPARQL 1.1 Update"}
REPEAT = "Run the same publish again: it replaces every graph and never duplicates triples."


@dataclass(frozen=True)
class Published:
    """A finished publish: what was sent and what the store holds now, graph by graph."""

    plan: Plan
    counts: dict[str, int]

    def summary(self) -> str:
        plan = self.plan
        how = "staged, switched in one update" if plan.staged else "one PUT per graph"
        if plan.changed:
            return self._changes(how if plan.graphs or plan.dropped else "nothing to send")
        lines = [f"published {len(plan.graphs)} graph(s), {plan.triples:,} triples to {plan.endpoints.store} "
                 f"({PROTOCOL_NAMES[plan.endpoints.protocol]}, {how}); counted on the store:"]
        width = max(len(g.target) for g in plan.graphs) + 2
        lines += [f"  {'<' + g.target + '>':<{width}}  {self.counts[g.target]:>8,} triples" for g in plan.graphs]
        return "\n".join(lines)

    def _changes(self, how: str) -> str:
        plan = self.plan
        sent = [g.target for g in plan.graphs if g.target != META_GRAPH]
        kept = [iri for iri, _ in plan.kept]
        total = sum(self.counts[iri] for iri in sent + kept)
        lines = [f"published changes to {plan.endpoints.store} ({PROTOCOL_NAMES[plan.endpoints.protocol]}, {how}): "
                 f"sent {len(sent)} graph(s), kept {len(kept)}, dropped {len(plan.dropped)}; counted on the store: "
                 f"{total:,} triples in {len(sent) + len(kept)} graph(s), as expected"]
        lines += [f"  sent     <{iri}>  {self.counts[iri]:,} triples" for iri in sent]
        lines += [f"  dropped  <{iri}>" for iri in plan.dropped]
        if kept:
            lines.append(f"  kept     {len(kept):,} graph(s) unchanged: {named(kept)}")
        return "\n".join(lines)


def describe(plan: Plan, origin: str) -> str:
    """What `plan` would send, request by request (the --dry-run output); no network used."""
    ep = plan.endpoints
    mode = ("staged: each graph into a staging graph, counted, then all switched by one SPARQL Update"
            if plan.staged else "direct: each graph replaced by one PUT (give --update-endpoint to stage)")
    lines = [f"dry run: nothing is sent. {PROTOCOL_NAMES[ep.protocol]} to {ep.store}",
             f"mode: {mode}", f"credentials: {origin}",
             f"data: {len(plan.graphs)} graph(s), {plan.triples:,} triples, {plan.upload_bytes:,} bytes to upload"]
    if plan.changed:
        how = "patched in the switching update" if plan.patched is not None else "sent with the graphs"
        sent = [g for g in plan.graphs if g.target != META_GRAPH]
        lines.append(f"changes (against the store's metadata graph <{META_GRAPH}>, {how}): send {len(sent)} "
                     f"graph(s), keep {len(plan.kept)}, drop {len(plan.dropped)}"
                     + "".join(f"\n  drop <{iri}>" for iri in plan.dropped))
    lines += [f"first:\n  {r.describe()}" for r in plan.prelude[:1]] + [f"  {r.describe()}" for r in plan.prelude[1:]]
    for n, (graph, requests) in enumerate(zip(plan.graphs, plan.uploads, strict=True), 1):
        staging = f" via <{graph.staging}>" if graph.staging else ""
        lines.append(f"graph {n}: <{graph.target}>{staging}: {graph.triples:,} triples")
        lines += [f"  {r.describe()}" for r in requests]
    landing = [g.landing for g in plan.graphs] + ([] if plan.staged else [iri for iri, _ in plan.untouched])
    lines.append("then count:" if not plan.staged else "then count the staging graphs:")
    lines += [f"  {r.describe()}" for r in count_requests(ep, landing)]
    if ep.query_url:
        lines += [f"    {line}" for line in count_query(landing).splitlines()]
    if plan.commit:
        lines.append(f"then switch:\n  {plan.commit.describe()}")
        lines += [f"    {line}" for line in plan.commit.body.decode().splitlines()]
        lines.append("then count the published graphs, the (now empty) staging graphs"
                     + (" and the graphs kept or dropped" if plan.untouched else ""))
    return "\n".join(lines)


def named(iris: Sequence[str], shown: int = 3) -> str:
    """`<a>, <b>, <c> and 28 more`: a list of graphs short enough for a one-line message."""
    head = ", ".join(f"<{iri}>" for iri in iris[:shown])
    return head + (f" and {len(iris) - shown} more" if len(iris) > shown else "")


def _drop_staging(client: StoreClient, plan: Plan, created: int) -> str:
    """Best-effort removal of the first `created` staging graphs after a failure; says what happened."""
    staging = [g.staging for g in plan.graphs[:created] if g.staging]
    if not staging:
        return "no staging graph was created"
    body = " ;\n".join(f"DROP SILENT GRAPH <{iri}>" for iri in staging).encode()
    try:
        client.call(Request("POST", plan.endpoints.update_url, (), SPARQL_UPDATE, body), retries=0)
    except PublishError:
        which = (f"the staging graph {named(staging)} may remain" if len(staging) == 1 else
                 f"{len(staging)} staging graphs may remain: {named(staging)}")
        return f"{which} (a later publish replaces them, or DROP SILENT GRAPH each <{STAGING_PREFIX}…> graph)"
    return "the staging graphs were removed"


def _publish_staged(client: StoreClient, plan: Plan, progress: Progress | None) -> dict[str, int]:
    ep, graphs = plan.endpoints, plan.graphs
    stage, created = "uploading", 0
    try:
        for n, (graph, requests) in enumerate(zip(graphs, plan.uploads, strict=True), 1):
            stage, created = f"uploading <{graph.target}> (graph {n} of {len(graphs)}) to its staging graph", n
            for request in requests:
                client.call(request, progress)
        stage = "counting the staging graphs"
        staged = count(client, ep, [g.staging for g in graphs])
    except PublishError as exc:
        raise PublishError(f"nothing was published: {stage} failed: {exc}. The store's graphs are as they "
                           f"were; {_drop_staging(client, plan, created)}. {REPEAT}") from exc
    short = [g for g in graphs if staged[g.staging] != g.triples]
    if short:
        detail = "; ".join(f"<{g.target}>: {staged[g.staging]:,} of {g.triples:,} triples arrived" for g in short[:3])
        more = f"; and {len(short) - 3} more graphs" if len(short) > 3 else ""
        raise PublishError(f"nothing was published: the store did not keep what was sent ({detail}{more}). "
                           f"The store's graphs are as they were; {_drop_staging(client, plan, len(graphs))}.")
    switch_error = None
    try:
        client.call(plan.commit)
    except PublishError as exc:  # the switch may have happened with its answer lost: look
        switch_error = exc
    try:
        now = count(client, ep, [g.target for g in graphs] + [g.staging for g in graphs]
                    + [iri for iri, _ in plan.untouched])
    except PublishError as exc:
        cause = f"the switching update failed ({switch_error})" if switch_error else "the switch was sent"
        raise PublishError(f"unknown outcome: {cause}, then counting failed: {exc}. A transactional store "
                           f"switched all graphs or none of them (it was one update). {REPEAT}") from exc
    if switch_error and not graphs:  # only drops and the metadata patch: nothing tells whether it happened
        raise PublishError(f"unknown outcome: the switching update failed ({switch_error}); a transactional "
                           f"store applied all of it or none. {REPEAT}") from switch_error
    if switch_error and all(now[g.staging] == g.triples for g in graphs):
        raise PublishError(f"nothing was published: the switching update failed: {switch_error}. The store's "
                           f"graphs are as they were; {_drop_staging(client, plan, len(graphs))}. {REPEAT}") from switch_error
    _check_counts(plan, now, extra=tuple((g.staging, 0) for g in graphs))
    return {iri: now[iri] for iri in [g.target for g in graphs] + [iri for iri, _ in plan.untouched]}


def _publish_direct(client: StoreClient, plan: Plan, progress: Progress | None) -> dict[str, int]:
    graphs = plan.graphs
    try:
        for request in plan.prelude:
            client.call(request)
    except PublishError as exc:
        raise PublishError(f"nothing was published: {exc}. {REPEAT}") from exc
    for n, requests in enumerate(plan.uploads, 1):
        try:
            for request in requests:
                client.call(request, progress)
        except PublishError as exc:
            raise PublishError(_partial_report(client, plan, n - 1, exc)) from exc
    now = count(client, plan.endpoints, [g.target for g in graphs] + [iri for iri, _ in plan.untouched])
    _check_counts(plan, now)
    return now


def _partial_report(client: StoreClient, plan: Plan, failed: int, exc: PublishError) -> str:
    """Which graphs are new, which one is incomplete (with its count now), which were not sent."""
    graphs = plan.graphs
    graph = graphs[failed]
    try:
        held = count(client, plan.endpoints, [graph.target], retries=0)[graph.target]
    except PublishError:
        state = "what the store holds there is unknown (it cannot be reached)"
    else:
        state = (f"the store holds {held:,} triples there, {graph.triples:,} were sent (its previous state, "
                 "or what it kept of the broken upload)" if held != graph.triples else
                 f"the store holds {held:,} triples there, as many as were sent (the upload may have completed)")
    done, rest = [g.target for g in graphs[:failed]], [g.target for g in graphs[failed + 1:]]
    replaced = f"replaced {len(done)} graph(s) ({named(done)}); " if done else ""
    unsent = f"; not sent {len(rest)} graph(s) ({named(rest)})" if rest else ""
    return (f"publishing stopped at graph {failed + 1} of {len(graphs)}, the store is HALF-PUBLISHED: {exc}. "
            f"{replaced}INCOMPLETE <{graph.target}>: {state}{unsent}. {REPEAT} Give --update-endpoint to stage "
            "the graphs and switch them all at once.")


def _check_counts(plan: Plan, now: Mapping[str, int], extra: tuple[tuple[str, int], ...] = ()) -> None:
    """Fail loudly, graph by graph, when the store's counts differ from what was sent."""
    expected = [(g.target, g.triples) for g in plan.graphs] + list(plan.untouched) + list(extra)
    wrong = [f"<{iri}> holds {now[iri]:,} triples, {want:,} expected" for iri, want in expected if now[iri] != want]
    if wrong:
        more = f"; and {len(wrong) - 3} more graphs" if len(wrong) > 3 else ""
        raise PublishError("the store's counts differ from what was sent: " + "; ".join(wrong[:3]) + more)


def cleartext_warnings(creds: credentials.HostCredentials) -> list[str]:
    """One warning per host that would get credentials over plain http (loopback excepted)."""
    warnings = []
    for where, given in creds.by_origin.items():
        host = urlsplit(where).hostname or ""
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if given.auth is not None and where.startswith("http:") and not loopback:
            warnings.append(f"warning: credentials ({given.origin}) go over plain http to {host}; use https")
    return warnings


def publish(plan: Plan, client: StoreClient, progress: Progress | None = None) -> Published:
    """Send `plan` with `client`, verify the counts on the store, and say what it holds."""
    counts = (_publish_staged if plan.staged else _publish_direct)(client, plan, progress)
    return Published(plan, counts)


def run(dataset: Quads | rdflib.Dataset, endpoints: Endpoints, *, graph: str | None = None, dry_run: bool = False,
        changed: bool = False, timeout: float = 60.0, retries: int = 4, show_progress: bool = True,
        log: Log | None = None, same_credentials: bool = False, chunk_bytes: int | None = None) -> str:
    """Plan, then print (dry run) or publish `dataset`; returns the text to show the user. With
    `changed`, the store's metadata graph is read first (also on a dry run) to send only what changed."""
    creds = credentials.for_endpoints(endpoints.urls, endpoints.store, same_credentials=same_credentials)
    if not (dry_run and not changed):
        for warning in cleartext_warnings(creds):
            if log:
                log(warning)
    from tqdm import tqdm

    def note(message: str) -> None:  # printed above the progress bar, not through it
        if log:
            with tqdm.external_write_mode(file=sys.stderr):
                log(message)

    with StoreClient(creds, timeout=timeout, retries=retries, log=note) as client:
        graphs, patchable = recorded(client, endpoints) if changed else (None, False)
        plan = make_plan(dataset, endpoints, graph, chunk_bytes, graphs, patchable)
        if dry_run:
            return describe(plan, creds.describe())
        with tqdm(total=plan.upload_bytes, unit="B", unit_scale=True, desc="upload", leave=False,
                  file=sys.stderr, disable=None if show_progress else True) as bar:
            return publish(plan, client, bar.update).summary()
