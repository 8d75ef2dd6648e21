"""Shared fixtures: the built dataset once per session, a CLI runner, a copy of the curated data, a
Virtuoso server."""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

import giigraph
from giigraph.rdfio import union
from giigraph.resources import DATA_DIR
from virtuoso import VirtuosoServer

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_tool(path: str | None, name: str) -> str:
    """A missing external tool skips a test on a developer's machine and fails it in CI."""
    if path:
        return path
    message = f"{name} is not installed (run `make tools`)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """A real Virtuoso 7 (Debian's virtuoso-opensource-7) on free loopback ports, shared by the whole
    run (tests use graph IRIs of their own); see tests/virtuoso.py for its endpoints and helpers."""
    command = require_tool(shutil.which("virtuoso-t"), "virtuoso-t (Debian package virtuoso-opensource-7)")
    server = VirtuosoServer(command, tmp_path_factory.mktemp("virtuoso"))
    yield server
    alive = server.alive()
    server.stop()
    assert alive, f"the Virtuoso server died during the run: {server.log_text()}"


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--no-proxy-server"]


@contextmanager
def chromium_browser():
    """Debian's headless Chromium, driven through Playwright; closed on the way out."""
    chromium = require_tool(shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium"),
                            "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def dataset():
    return giigraph.build()


@pytest.fixture(scope="session")
def graph(dataset):
    return union(dataset)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped curated data, for tests that break it."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target
