"""Where the shipped ontology, shapes, curated data and bundled queries live.

They sit at the top of the checkout (ontology/, shapes/, data/, queries/) and ship inside the
package through the symlinks in giigraph/resources/, so one path works in a checkout and a wheel.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent / "resources"
ONTOLOGY_DIR = ROOT / "ontology"
SHAPES_DIR = ROOT / "shapes"
DATA_DIR = ROOT / "data"
QUERIES_DIR = ROOT / "queries"

ONTOLOGY_FILE = ONTOLOGY_DIR / "giigraph.ttl"
