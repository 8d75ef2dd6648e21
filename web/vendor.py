"""Copy the built browser files the pages use from web/node_modules into the package's static folder.

    npm ci --prefix web && python web/vendor.py

Only the built dist files are copied (no sources, no source maps), each package into
`src/giigraph/serve/static/vendor/{package}-{version}/` with its licence, so the wheel carries them
and a versioned path can be cached for a year. The versions are the lock file's (web/package-lock.json).
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

WEB = Path(__file__).resolve().parent
MODULES = WEB / "node_modules"
VENDOR = WEB.parent / "src" / "giigraph" / "serve" / "static" / "vendor"

#: npm package -> the files the pages load, relative to the package folder.
FILES: dict[str, list[str]] = {
    "leaflet": ["dist/leaflet.js", "dist/leaflet.css", "dist/images/layers.png", "dist/images/layers-2x.png",
                "dist/images/marker-icon.png", "dist/images/marker-icon-2x.png", "dist/images/marker-shadow.png"],
    "topojson-client": ["dist/topojson-client.min.js"],
    "world-atlas": ["countries-110m.json"],
    "vega": ["build/vega.min.js"],
    "vega-lite": ["build/vega-lite.min.js"],
    "vega-embed": ["build/vega-embed.min.js"],
    "@zazuko/yasgui": ["build/yasgui.min.js", "build/yasgui.min.css"],
}

#: Licence texts for packages whose npm tarball carries none (its package.json names the licence).
LICENCE_FROM_REPOSITORY = {
    # https://github.com/zazuko/Yasgui/blob/main/LICENSE (package.json: "license": "MIT")
    "@zazuko/yasgui": WEB / "licences" / "yasgui-LICENSE",
}

#: What a package's licence does not say about the data it carries.
NOTES = {
    "world-atlas": "The TopoJSON is derived from Natural Earth (https://www.naturalearthdata.com/), "
                   "which is in the public domain.\n",
}


def folder(package: str, version: str) -> str:
    """`@zazuko/yasgui` 4.6.2 -> `yasgui-4.6.2`: one flat, versioned folder per package."""
    return f"{package.rsplit('/', 1)[-1]}-{version}"


def locked_versions() -> dict[str, str]:
    lock = json.loads((WEB / "package-lock.json").read_text())
    return {name: lock["packages"][f"node_modules/{name}"]["version"] for name in FILES}


def vendor() -> list[Path]:
    versions = locked_versions()
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    written = []
    for package, files in FILES.items():
        source = MODULES / package
        installed = json.loads((source / "package.json").read_text())["version"]
        if installed != versions[package]:
            sys.exit(f"error: web/node_modules has {package} {installed}, the lock file {versions[package]}; "
                     "run npm ci --prefix web")
        target = VENDOR / folder(package, installed)
        for name in files:
            dest = target / name.split("/", 1)[1] if "/" in name else target / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / name, dest)
            written.append(dest)
        licence = LICENCE_FROM_REPOSITORY.get(package) or next(source.glob("LICEN[CS]E*"))
        text = licence.read_text() + ("\n" + NOTES[package] if package in NOTES else "")
        (target / "LICENSE").write_text(f"{package} {installed}\n\n{text}")
        written.append(target / "LICENSE")
    return written


if __name__ == "__main__":
    for path in vendor():
        print(f"{path.relative_to(WEB.parent)}  {path.stat().st_size:,} bytes")
