"""`python -m giigraph` runs the CLI."""
from .cli import main

main(prog_name="giigraph")
