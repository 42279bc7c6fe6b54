"""Runs every hand-worked case in tests/calc/cases/*.yaml through the engine.

Each case carries its facts, the expected figures and ``source``: the arithmetic
(or the published source) the figures come from.  Expected values are never copied
from the engine's output.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from ruledsl.calc import compute
from tests.calc.facts import case_from_mapping
from tests.calc.lpr import load_rate_tables

CASES_DIR = Path(__file__).parent / "cases"
TABLES = load_rate_tables()  # the LPR tables of rulesets/cn/tables, for the LPR-linked cases


def _load() -> list[tuple[str, dict]]:
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            out.append((f"{path.stem}::{case['name']}", case))
    return out


CASES = _load()


def test_enough_hand_worked_cases():
    assert len(CASES) >= 40
    names = [n for n, _ in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    for name, case in CASES:
        assert case.get("source", "").strip(), f"{name}: says nowhere where its figures come from"
        assert case.get("expect") or case.get("expect_schedule"), f"{name}: expects nothing"


@pytest.mark.parametrize(("name", "spec"), CASES, ids=[n for n, _ in CASES])
def test_case(name: str, spec: dict) -> None:
    case = case_from_mapping(spec["facts"])
    if "expect_schedule" in spec:
        got = [[i.due_on.isoformat(), i.principal, i.interest] for i in case.instalments]
        want = [[str(d), Decimal(p), Decimal(i)] for d, p, i in spec["expect_schedule"]]
        assert got == want
    award = compute(case, TABLES)
    quick = compute(case, TABLES, trace=False)  # the figures-only path (the integer kernel where it fits)
    assert quick.figures() == award.figures() and quick.unsupported == award.unsupported
    for line, value in (spec.get("expect") or {}).items():
        assert award[line] == Decimal(value), f"{line}: got {award[line]}, expected {value}\n{award.explain()}"
    for line, value in (spec.get("expect_due") or {}).items():  # what has fallen due (and what has not)
        assert award.due[line] == Decimal(value), f"{line}: got {award.due[line]}, expected {value}"
        assert quick.due[line] == Decimal(value), f"{line} (figures only): got {quick.due[line]}, expected {value}"
    if "expect_overpaid" in spec:
        assert award.overpaid == Decimal(spec["expect_overpaid"])
    if "expect_cuts" in spec:
        assert len(award.cuts) == spec["expect_cuts"], award.explain()
    for comp, value in (spec.get("expect_removed") or {}).items():
        removed = sum((dict(c.removed_by_component).get(comp, Decimal(0)) for c in award.cuts if c.kind == "remove"),
                      Decimal(0))
        assert abs(removed - Decimal(value)) < Decimal("0.000001"), f"removed {comp}: {removed}"
    for comp, value in (spec.get("expect_unsupported") or {}).items():
        assert abs(award.unsupported.get(comp, Decimal(0)) - Decimal(value)) < Decimal("0.000001")
    if "expect_allocations" in spec:  # how each repayment was split: [[component, instalment, amount], …]
        got_parts = [(str(a.paid_on), [(c, i, a_) for c, i, a_ in a.parts]) for a in award.allocations]
        want_parts = [(str(p["paid_on"]), [(c, i, Decimal(v)) for c, i, v in p["parts"]])
                      for p in spec["expect_allocations"]]
        assert [(d, [(c, i) for c, i, _ in ps]) for d, ps in got_parts] == \
            [(d, [(c, i) for c, i, _ in ps]) for d, ps in want_parts], award.explain()
        for (_, got_ps), (_, want_ps) in zip(got_parts, want_parts, strict=True):
            for (c, i, g), (_, _, w) in zip(got_ps, want_ps, strict=True):
                assert abs(g - w) < Decimal("0.000001"), f"{c}#{i}: paid {g}, expected {w}"
