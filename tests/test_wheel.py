"""A wheel built from the checkout carries its ontology, shapes and data and builds outside the checkout."""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(ROOT)], check=True)
    (path,) = out.glob("giigraph-*.whl")
    return path


def test_wheel_installed_in_fresh_venv_builds_the_dataset(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    # Dependencies come from this environment (no network); giigraph itself only from the wheel.
    site = next((env_dir / "lib").glob("python*/site-packages"))
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    python = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                   check=True)
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    where = subprocess.run([str(python), "-c", "import giigraph, sys; print(giigraph.__file__)"],
                           cwd=workdir, env=env, capture_output=True, text=True, check=True).stdout
    assert str(env_dir) in where, f"giigraph was imported from {where}, not the wheel"
    subprocess.run([str(env_dir / "bin" / "giigraph"), "build", "--out", "dist"], cwd=workdir, env=env, check=True,
                   capture_output=True)
    names = sorted(p.relative_to(workdir / "dist").as_posix() for p in (workdir / "dist").rglob("*") if p.is_file())
    assert names == ["charts/cluster-ranks.svg", "charts/clusters-per-economy-2023.svg",
                     "charts/pct-applications-and-publications-2023.svg", "context.jsonld", "giigraph.jsonld",
                     "giigraph.nq", "giigraph.nt", "giigraph.rdf", "giigraph.trig", "giigraph.ttl", "void.ttl"]
    assert (workdir / "dist" / "giigraph.nt").read_bytes() == subprocess.run(
        [sys.executable, "-m", "giigraph", "export", "--format", "nt"], capture_output=True, check=True).stdout


def test_wheel_carries_the_pages_browser_code_with_its_licences(wheel):
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    static = "giigraph/serve/static/"
    for package, files in (("leaflet-", "leaflet.js"), ("world-atlas-", "countries-110m.json"), ("vega-", "vega.min.js"),
                           ("vega-lite-", "vega-lite.min.js"), ("vega-embed-", "vega-embed.min.js"),
                           ("topojson-client-", "topojson-client.min.js"), ("yasgui-", "yasgui.min.js")):
        found = [n for n in names if n.startswith(static + "vendor/" + package) and n.endswith("/" + files)]
        assert len(found) == 1, (package, files)
        assert found[0].rsplit("/", 1)[0] + "/LICENSE" in names
    assert {static + f for f in ("map.js", "charts.js", "sparql-editor.js", "style.css")} <= names
