"""How long `giigraph publish` takes against a local Oxigraph server, per protocol and mode.

Prints one line per mode: planning (N-Triples serialisation) and sending (upload, counts, switch)
separately, with triples per second. Usage:

    .venv/bin/python benchmarks/publish.py [TRIPLES]      (default 100000; the dataset itself is ~1k)

Starts `oxigraph serve` on a free 127.0.0.1 port with a temporary store; no other traffic.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from giigraph.publish import credentials, publish
from giigraph.publish.client import StoreClient
from giigraph.publish.plan import Endpoints, make_plan


def synthetic(triples: int) -> Dataset:
    """Two named graphs of labelled, ranked resources, `triples` triples in all."""
    ds = Dataset()
    for g in range(2):
        graph = ds.graph(URIRef(f"https://example.org/graph/{g}"))
        for i in range(triples // 4):
            s = URIRef(f"https://example.org/id/{g}/{i}")
            graph.add((s, RDFS.label, Literal(f"thing {i}", lang="en")))
            graph.add((s, URIRef("https://example.org/rank"), Literal(str(i), datatype=XSD.integer)))
    return ds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(triples: int) -> None:
    for variable in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        os.environ.pop(variable, None)  # loopback traffic only
    command = Path(sys.executable).with_name("oxigraph")
    command = str(command) if command.exists() else shutil.which("oxigraph")
    ds = synthetic(triples)
    with tempfile.TemporaryDirectory() as where:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([command, "serve", "--location", where, "--bind", f"127.0.0.1:{port}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(200):
                try:
                    httpx.get(url + "/", timeout=1, trust_env=False)
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            modes = {
                "gsp, direct (PUT per graph, counted by GET)": Endpoints(url + "/store"),
                "gsp, staged (PUT, COUNT query, MOVE)": Endpoints(url + "/store", update=url + "/update",
                                                                  query=url + "/query"),
                "update, staged (INSERT DATA batches of 1 MiB)": Endpoints(url + "/update", protocol="update",
                                                                           query=url + "/query"),
            }
            version = subprocess.run([command, "--version"], capture_output=True, text=True).stdout.strip()
            print(f"{len(ds):,} triples in 2 graphs; {version}")
            for name, endpoints in modes.items():
                start = time.perf_counter()
                plan = make_plan(ds, endpoints)
                planned = time.perf_counter()
                with StoreClient(credentials.HostCredentials({})) as client:
                    publish(plan, client)
                sent = time.perf_counter()
                print(f"{name:48} plan {planned - start:6.2f} s   send+verify {sent - planned:6.2f} s "
                      f"({len(ds) / (sent - planned):>9,.0f} triples/s, {plan.upload_bytes / 1e6:.1f} MB)")
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
