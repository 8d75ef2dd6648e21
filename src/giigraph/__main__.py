"""`python -m giigraph` runs the CLI."""
from .cli import run

run()
