"""The README's language examples are real syntax (they parse), so the docs cannot drift from the grammar."""

from __future__ import annotations

from pathlib import Path

import pytest

from ruledsl.lang.parser import parse

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def fenced_blocks(text: str) -> list[str]:
    """The bodies of the ``` fenced blocks, in order."""
    blocks, body, inside = [], [], False
    for line in text.splitlines():
        if line.startswith("```"):
            if inside:
                blocks.append("\n".join(body))
            body, inside = [], not inside
        elif inside:
            body.append(line)
    return blocks


BLOCKS = [b for b in fenced_blocks(README) if b.lstrip().startswith(("ruleset", "input:"))]
HEADER = 'ruleset readme version "1" effective 2024-01-01\n'


def test_readme_has_language_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.split("\n")[0][:40])
def test_readme_example_parses(block: str) -> None:
    text = block if block.lstrip().startswith("ruleset") else HEADER + block
    parse(text.replace("…", "x"), "README.md")


def test_readme_layout_names_every_package_on_its_floor() -> None:
    """The "How it is built" block lists each package of ruledsl/ once, on the floor ruledsl.LAYERS gives it."""
    import re

    import ruledsl

    section = README[README.index("## How it is built"):]
    block = fenced_blocks(section)[0]
    floors: dict[str, int] = {}
    current = None
    for line in block.splitlines():
        m = re.match(r"(\d)?\s+ruledsl/(\w+)/", line)
        if m:
            current = int(m.group(1)) if m.group(1) else current
            assert m.group(2) not in floors, f"{m.group(2)} listed twice"
            floors[m.group(2)] = current
    assert floors == ruledsl.LAYERS
