"""Runs the hand-worked cases of tests/rulesets/cases/<ruleset>.yaml through the shipped ruleset of
that name (court_fees, delayed_performance).

Each case states its inputs, every award line it expects (to the fen), optionally some intermediate
values, and ``source``: the article and the arithmetic by hand the figures come from.  Expected
figures are never copied from the program's output.  A case may set the ruleset's ``settings:`` to
show the other reading of an open point, as a worked example may.
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

CASES_DIR = Path(__file__).parent / "cases"
FILES = sorted(CASES_DIR.glob("*.yaml"))
RULESETS_BY_NAME = {path.stem: load(RULESETS / f"{path.stem}.rules") for path in FILES}
CASES = [(path.stem, case) for path in FILES
         for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]]
IDS = [f"{name}::{case['name']}" for name, case in CASES]
FEN = Decimal("0.01")


def _to_fen(value: object) -> Decimal:
    amount = value.amount if hasattr(value, "amount") else Decimal(str(value))
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def test_cases_are_sound() -> None:
    assert {"court_fees", "delayed_performance"} <= set(RULESETS_BY_NAME)
    for name in RULESETS_BY_NAME:
        names = [case["name"] for stem, case in CASES if stem == name]
        assert len(names) >= 12, name
        assert len(names) == len(set(names)), f"{name}: case names must be unique"


@pytest.mark.parametrize(("ruleset", "case"), CASES, ids=IDS)
def test_case_says_where_its_figures_come_from(ruleset: str, case: dict) -> None:
    source = case.get("source")
    assert isinstance(source, str) and source.strip(), f"{case['name']}: no hand arithmetic in `source`"
    assert "art." in source, f"{case['name']}: `source` names no article"


@pytest.mark.parametrize(("ruleset", "case"), CASES, ids=IDS)
def test_case_expects_every_award_line(ruleset: str, case: dict) -> None:
    missing = set(RULESETS_BY_NAME[ruleset].checked.awards) - set(case["expect"])
    assert not missing, f"{case['name']}: state every award line (missing {sorted(missing)})"
    for line, expected in case["expect"].items():
        assert isinstance(expected, str) and Decimal(expected) == _to_fen(expected), \
            f"{case['name']}: {line} must be a string in yuan to the fen"


@pytest.mark.parametrize(("ruleset", "case"), CASES, ids=IDS)
def test_case(ruleset: str, case: dict) -> None:
    rs = RULESETS_BY_NAME[ruleset]
    values = parse_case(rs.checked, case["inputs"], origin=case["name"], settings=True)
    decision = rs.run(values)
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
    outputs, _ = interpret(rs.checked, values, decision.evidence_complete)
    assert outputs == decision.values
