"""``--emit-python`` shows the generated code for reading: constants and each statement's rule line as comments."""

from __future__ import annotations

from pathlib import Path

import pytest

from ruledsl.ruleset import load

RULESETS = sorted((Path(__file__).resolve().parents[2] / "rulesets" / "cn").glob("*.rules"))


@pytest.mark.parametrize("path", RULESETS, ids=[p.name for p in RULESETS])
def test_comments_are_all_it_adds(path: Path):
    rs = load(path)
    annotated = rs.annotated_python.splitlines()
    header = annotated.index("")  # the constant table ends with a blank line
    assert all(line.startswith("#") for line in annotated[:header])
    # below it, dropping the comment-only lines gives back exactly the code that runs (line for line)
    code = [line for line in annotated[header + 1:] if not line.lstrip().startswith("#")]
    assert code == rs.python_source.splitlines()
    assert not any(line.lstrip().startswith("#") for line in rs.python_source.splitlines())


def test_constants_and_rule_lines_are_named():
    path = RULESETS[[p.name for p in RULESETS].index("court_fees.rules")]
    rs = load(path)
    text = rs.annotated_python
    lines = path.read_text(encoding="utf-8").splitlines()
    # every constant of the code object is listed under its name
    for i, value in enumerate(rs.code.constants):
        assert f"#   _c{i} = {value!r}"[:80] in text
    # the statement computing the acceptance fee sits under the rule line that defines it
    number = next(n for n, line in enumerate(lines, start=1) if line.strip().startswith("acceptance_fee ="))
    comment = f"# {path}:{number}: {lines[number - 1].strip()}"
    annotated = text.splitlines()
    at = next(k for k, line in enumerate(annotated) if line.strip() == comment)
    assert annotated[at + 1].strip().startswith("v_acceptance_fee = ")
    # the band schedule's function is named after the schedule
    assert any(line.startswith("# ") and line.endswith("schedule acceptance_bands") for line in annotated)
