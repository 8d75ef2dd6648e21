"""The browser code the pages load is npm's, byte for byte, at the lock file's versions, with its licence."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from conftest import require_tool

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("vendor", ROOT / "web" / "vendor.py")
vendor = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vendor)


def test_every_vendored_package_is_at_the_locked_version_with_its_licence():
    versions = vendor.locked_versions()
    package_json = json.loads((ROOT / "web" / "package.json").read_text())["dependencies"]
    assert package_json == versions, "package.json pins exactly what the lock file holds"
    folders = {p.name for p in vendor.VENDOR.iterdir()}
    assert folders == {vendor.folder(name, version) for name, version in versions.items()}
    for name, version in versions.items():
        licence = (vendor.VENDOR / vendor.folder(name, version) / "LICENSE").read_text()
        assert licence.startswith(f"{name} {version}\n")
        assert "Copyright" in licence or "MIT License" in licence, f"{name}: no licence text"


@pytest.mark.parametrize("package", sorted(vendor.FILES))
def test_vendored_files_are_the_npm_packages_files(package):
    installed = vendor.MODULES / package / "package.json"
    require_tool(installed.exists() and str(installed), f"web/node_modules/{package} (npm ci --prefix web)")
    version = json.loads(installed.read_text())["version"]
    target = vendor.VENDOR / vendor.folder(package, version)
    for name in vendor.FILES[package]:
        copied = target / (name.split("/", 1)[1] if "/" in name else name)
        assert copied.read_bytes() == (vendor.MODULES / package / name).read_bytes(), name
    shipped = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert len(shipped) == len(vendor.FILES[package]) + 1, "only the listed files and the licence"
