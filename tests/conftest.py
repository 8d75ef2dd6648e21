"""Fixtures shared by every test module."""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable

import pytest


# --- external tools (issue 4) ---
def require_tool(name: str, path: str | None = None) -> str:
    """Path of an external tool; missing, it fails the run in CI (CI=true) and skips elsewhere."""
    found = path or shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed (run `make tools`)"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def tool() -> Callable[..., str]:
    """`tool("rapper")`: the tool's path, or a CI failure / local skip when it is missing."""
    return require_tool
