"""The README's `giigraph query` examples show their real output."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from giigraph.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def examples(heading: str = "## Asking questions: `giigraph query`") -> list[tuple[str, str]]:
    """(command, output) pairs from the `$ giigraph query` blocks of a README section."""
    section = README.read_text(encoding="utf-8").split(heading + "\n", 1)[1].split("\n## ", 1)[0]
    pairs = []
    for block in re.findall(r"```\n(\$ giigraph query.*?)```", section, re.S):
        pairs.extend(_pairs(block))
    return pairs


def _pairs(block: str) -> list[tuple[str, str]]:
    pairs = []
    for chunk in re.split(r"\n(?=\$ )", block.strip("\n")):
        lines = chunk.split("\n")
        command = [lines[0][2:]]
        while lines[len(command)].startswith("    "):
            command.append(lines[len(command)])
        output = "\n".join(lines[len(command):]).rstrip("\n") + "\n"
        pairs.append(("\n".join(command), output))
    return pairs


def test_readme_has_three_query_examples():
    assert len(examples()) == 3


ALL = examples() + examples("## Places on the map: GeoNames, coordinates, linksets")


def test_the_places_section_has_three_query_examples_too():
    assert len(ALL) == 6


@pytest.mark.parametrize("command, output", ALL, ids=[f"example-{i + 1}" for i in range(len(ALL))])
def test_readme_example_output_is_real(command, output):
    args = shlex.split(command)
    assert args[:2] == ["giigraph", "query"]
    result = CliRunner().invoke(main, args[1:])
    assert result.exit_code == 0, result.output
    assert result.output == output
