"""A SHACL engine on plain quads: SHACL Core over an in-memory index, SHACL-SPARQL on Oxigraph.

`validation.py` drives it and falls back to pyshacl for shapes it does not evaluate (`shapes.Unsupported`).
"""
