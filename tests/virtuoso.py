"""A real OpenLink Virtuoso 7 (Debian's `virtuoso-opensource-7`) on free loopback ports, for tests.

`VirtuosoServer` writes its own `virtuoso.ini` into a fresh folder (database, logs, temp files all
there), starts `virtuoso-t +foreground` on two free 127.0.0.1 ports (SQL and HTTP), waits until
`/sparql` answers, and is stopped by stop(). The package's own service is never used.
The `virtuoso` session fixture in conftest.py starts one for the whole run: tests share its
store, so each test uses graph IRIs of its own (or clears what it wrote).

Endpoints, as a user would configure them: `/sparql` (read-only SPARQL, no auth),
`/sparql-auth` (SPARQL Update, digest auth) and `/sparql-graph-crud-auth` (Graph Store Protocol,
digest auth); the administrator is `dba` with password `dba`.
"""
from __future__ import annotations

import subprocess
import time
from collections import Counter
from pathlib import Path

import httpx
from loopback import LOOPBACK, free_port, stop_process

USER = PASSWORD = "dba"
INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 60
DirsAllowed = {dir}
[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {dir}
ServerThreads = 4
MaxClientConnections = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


class VirtuosoServer:
    """`virtuoso-t` with its database in `folder`, on free loopback ports; stopped by stop()."""

    def __init__(self, command: str, folder: Path, start_timeout: float = 120) -> None:
        self.folder = folder
        self.http_port, self.sql_port = free_port(), free_port()
        self.url = f"http://{LOOPBACK}:{self.http_port}"
        (folder / "virtuoso.ini").write_text(INI.format(dir=folder, host=LOOPBACK, sql_port=self.sql_port,
                                                        http_port=self.http_port))
        self._log = (folder / "server.log").open("wb")
        self.process = subprocess.Popen([command, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                                        cwd=folder, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + start_timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}: {self.log_text()}")
            try:
                if httpx.get(self.query_url, params={"query": "ASK {}"}, timeout=2, trust_env=False).is_success:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"virtuoso did not answer on {self.url}: {self.log_text()}")
            time.sleep(0.2)

    store = property(lambda self: self.url + "/sparql-graph-crud-auth")
    update = property(lambda self: self.url + "/sparql-auth")
    query_url = property(lambda self: self.url + "/sparql")
    auth = property(lambda self: httpx.DigestAuth(USER, PASSWORD))
    env = property(lambda self: {"GIIGRAPH_STORE_USER": USER, "GIIGRAPH_STORE_PASSWORD": PASSWORD,
                                 "GIIGRAPH_STORE_AUTH": "digest"})
    """The environment `giigraph publish` needs to write to this server."""

    def log_text(self) -> str:
        self._log.flush()
        return (self.folder / "server.log").read_text(errors="replace")[-2000:]

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        stop_process(self.process, grace=30)  # Virtuoso writes its checkpoint on the way out
        self._log.close()

    def query(self, sparql: str, accept: str = "application/sparql-results+json") -> httpx.Response:
        """Run a query on the read-only `/sparql` endpoint (its default graph is every graph)."""
        response = httpx.post(self.query_url, data={"query": sparql}, headers={"Accept": accept},
                              timeout=120, trust_env=False)
        response.raise_for_status()
        return response

    def run_update(self, sparql: str) -> None:
        """Run a SPARQL Update as dba on `/sparql-auth`."""
        httpx.post(self.update, content=sparql.encode(), headers={"Content-Type": "application/sparql-update"},
                   auth=self.auth, timeout=120, trust_env=False).raise_for_status()

    def graph_counts(self, prefix: str = "") -> Counter:
        """Triples per named graph whose IRI starts with `prefix` (Virtuoso's own system graphs
        start with `http://www.openlinksw.com/` or `http://localhost`: give a prefix to leave them out)."""
        rows = self.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } "
                          f"FILTER(STRSTARTS(STR(?g), \"{prefix}\")) }} GROUP BY ?g").json()["results"]["bindings"]
        return Counter({r["g"]["value"]: int(r["n"]["value"]) for r in rows})

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace `graph` with the N-Triples `ntriples` (Graph Store Protocol PUT, as dba)."""
        httpx.put(self.store, params={"graph": graph}, content=ntriples,
                  headers={"Content-Type": "application/n-triples"}, auth=self.auth, timeout=120,
                  trust_env=False).raise_for_status()

    def drop(self, prefix: str) -> None:
        """Drop every graph whose IRI starts with `prefix` (what a test wrote)."""
        for graph in self.graph_counts(prefix):
            self.run_update(f"DROP SILENT GRAPH <{graph}>")
