"""The README's `giigraph query` examples show their real output."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from giigraph.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def examples() -> list[tuple[str, str]]:
    """(command, output) pairs from the README's `$ giigraph query` blocks."""
    section = README.read_text(encoding="utf-8").split("## Asking questions: `giigraph query`", 1)[1]
    block = re.search(r"```\n(.*?)```", section, re.S).group(1)
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


@pytest.mark.parametrize("command, output", examples(), ids=[f"example-{i + 1}" for i in range(len(examples()))])
def test_readme_example_output_is_real(command, output):
    args = shlex.split(command)
    assert args[:2] == ["giigraph", "query"]
    result = CliRunner().invoke(main, args[1:])
    assert result.exit_code == 0, result.output
    assert result.output == output
