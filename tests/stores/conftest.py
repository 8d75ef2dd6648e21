"""A real Oxigraph server per test (fresh store, free loopback port), and proxies to put in front of it."""
from __future__ import annotations

import pytest
from loopback import LoopbackProxy, OxigraphServer, oxigraph_command


def _start(tool, tmp_path_factory):
    command = tool("oxigraph", oxigraph_command())
    where = tmp_path_factory.mktemp("oxigraph")
    return OxigraphServer(command, where / "store", where / "server.log")


@pytest.fixture
def oxigraph(tool, tmp_path_factory):
    server = _start(tool, tmp_path_factory)
    yield server
    alive = server.alive()
    server.stop()
    assert alive, "the oxigraph server died during the test"


@pytest.fixture(scope="module")
def oxigraph_module(tool, tmp_path_factory):
    server = _start(tool, tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture
def proxy_factory():
    """Make LoopbackProxy instances in front of a server; all closed after the test."""
    made: list[LoopbackProxy] = []

    def make(upstream_port: int, **options) -> LoopbackProxy:
        made.append(LoopbackProxy(upstream_port, **options))
        return made[-1]

    yield make
    for proxy in made:
        proxy.close()
