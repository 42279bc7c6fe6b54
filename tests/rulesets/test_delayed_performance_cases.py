"""Runs the hand-worked cases of tests/rulesets/cases/delayed_performance.yaml through the shipped ruleset.

Each case states its inputs, every award line it expects (to the fen), optionally some intermediate
values, and ``source``: the article and the arithmetic by hand the figures come from.  Expected
figures are never copied from the program's output.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml

from ruledsl.cases.inputs import parse_case
from ruledsl.lang.interpreter import interpret
from ruledsl.ruleset import load

from ..conftest import RULESETS

CASES_FILE = Path(__file__).parent / "cases" / "delayed_performance.yaml"
RULESET = load(RULESETS / "delayed_performance.rules")
FEN = Decimal("0.01")


def _load() -> list[dict]:
    return yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"]


CASES = _load()


def _to_fen(value: object) -> Decimal:
    amount = value.amount if hasattr(value, "amount") else Decimal(str(value))
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def test_cases_are_sound() -> None:
    assert len(CASES) >= 12
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)), "case names must be unique"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_says_where_its_figures_come_from(case: dict) -> None:
    source = case.get("source")
    assert isinstance(source, str) and source.strip(), f"{case['name']}: no hand arithmetic in `source`"
    assert "art." in source, f"{case['name']}: `source` names no article"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_expects_every_award_line(case: dict) -> None:
    missing = set(RULESET.checked.awards) - set(case["expect"])
    assert not missing, f"{case['name']}: state every award line (missing {sorted(missing)})"
    for line, expected in case["expect"].items():
        assert isinstance(expected, str) and Decimal(expected) == _to_fen(expected), \
            f"{case['name']}: {line} must be a string in yuan to the fen"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict) -> None:
    values = parse_case(RULESET.checked, case["inputs"], origin=case["name"], settings=True)  # a case may show the other reading
    decision = RULESET.run(values)
    for line, expected in case["expect"].items():
        if line in decision.award:
            got = decision.award[line]
            assert str(got) == expected and got.amount == Decimal(expected), \
                f"{line}: got {got}, expected {expected}"
        else:
            assert line in decision.values, f"{case['name']}: the ruleset has no value `{line}`"
            got = _to_fen(decision.values[line])
            assert got == Decimal(expected), f"{line}: got {got}, expected {expected}"
    # the tree-walking interpreter agrees with the compiled rules on every figure
    outputs, _ = interpret(RULESET.checked, values, decision.evidence_complete)
    assert outputs == decision.values
