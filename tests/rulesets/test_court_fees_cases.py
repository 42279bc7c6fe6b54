"""Runs the hand-worked court-fee cases of tests/rulesets/cases/court_fees.yaml through the shipped ruleset.

Each case states its inputs, every fee it expects (to the fen) and ``source``: the article and the
arithmetic by hand the figures come from.  Expected figures are never copied from the program's output.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from ruledsl.cases.inputs import parse_case
from ruledsl.lang.interpreter import interpret
from ruledsl.ruleset import load

from ..conftest import RULESETS

CASES_FILE = Path(__file__).parent / "cases" / "court_fees.yaml"
RULESET = load(RULESETS / "court_fees.rules")


def _load() -> list[dict]:
    return yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"]


CASES = _load()


def test_cases_are_sound() -> None:
    assert len(CASES) >= 20
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)), "case names must be unique"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_says_where_its_figures_come_from(case: dict) -> None:
    source = case.get("source")
    assert isinstance(source, str) and source.strip(), f"{case['name']}: no hand arithmetic in `source`"
    assert "art." in source, f"{case['name']}: `source` names no article"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_expects_every_fee(case: dict) -> None:
    assert set(case["expect"]) == set(RULESET.checked.awards), f"{case['name']}: state every award line"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict) -> None:
    values = parse_case(RULESET.checked, case["inputs"], origin=case["name"], settings=True)  # a case may show the other reading
    decision = RULESET.run(values)
    for line, expected in case["expect"].items():
        got = decision.award[line]
        assert str(got) == expected and got.amount == Decimal(expected), f"{line}: got {got}, expected {expected}"
    # the tree-walking interpreter agrees with the compiled rules on every figure
    outputs, _ = interpret(RULESET.checked, values, decision.evidence_complete)
    assert outputs == decision.values
