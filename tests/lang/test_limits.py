"""The shapes a ruleset may take are bounded, and what passes `check` runs: never a RecursionError,
a hang, or a failure in the generated Python after the checker said yes (limits in ruledsl.lang.parser)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ruledsl.cases.inputs import parse_case
from ruledsl.core.errors import RulesError
from ruledsl.lang.fmt import format_text
from ruledsl.lang.interpreter import interpret
from ruledsl.lang.parser import MAX_CHARS, MAX_LINE, MAX_NESTING, MAX_NUMBER
from ruledsl.ruleset import load, load_text

HEADER = 'ruleset t version "1" effective 2024-01-01\ninput:\n  c: money\n  d: date = 2024-01-01\n'

# each shape nested n deep, one level a line (layout is free); all evaluate to a known amount at c = 1
SHAPES = {
    "sum": lambda n: "\n    + ".join(["c"] * n),                                       # n
    "product": lambda n: "c" + "\n    * 1" * (n - 1),                                  # 1
    "if-ladder": lambda n: "".join(f"\n    if c > {i + 1} then {i} else" for i in range(n)) + " c",  # 1
    "negation": lambda n: "\n    -" * (2 * (n // 2)) + "c",                            # 1
    "max-call": lambda n: "\n    max(" * n + "c" + ", 0)" * n,                         # 1
}
VALUE = {"sum": None, "product": "1.00", "if-ladder": "1.00", "negation": "1.00", "max-call": "1.00"}


def ruleset(shape: str, n: int) -> str:
    return HEADER + f"award:\n  fee = {SHAPES[shape](n)}\n"


def passes(shape: str, n: int) -> bool:
    try:
        load_text(ruleset(shape, n))
    except RulesError as exc:
        assert "nested more than" in str(exc), str(exc)[:300]
        return False
    return True


@pytest.mark.parametrize("shape", SHAPES)
def test_at_the_nesting_limit_what_checks_also_runs_and_one_more_is_refused(shape: str):
    lo, hi = 1, 4 * MAX_NESTING  # passes(lo), not passes(hi): bisect to the boundary
    assert passes(shape, lo) and not passes(shape, hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if passes(shape, mid) else (lo, mid)
    text = ruleset(shape, lo)
    rs = load_text(text)
    decision = rs.evaluate({"c": "1"})
    assert str(decision.award["fee"]) == (VALUE[shape] or f"{lo}.00")
    values, _ = interpret(rs.checked, parse_case(rs.checked, {"c": "1"}))
    assert values["fee"] == decision.values["fee"]
    assert load_text(format_text(text)).evaluate({"c": "1"}).award == decision.award
    assert lo >= MAX_NESTING - 10


def test_parentheses_do_not_nest_the_tree():
    text = HEADER + "award:\n  fee = " + "(" * (4 * MAX_NESTING) + "c" + ")" * (4 * MAX_NESTING) + "\n"
    assert str(load_text(text).evaluate({"c": "1"}).award["fee"]) == "1.00"


def test_too_deep_is_a_located_error_with_the_limit_and_a_hint():
    with pytest.raises(RulesError) as info:
        load_text(HEADER + "award:\n  fee = c" + "\n    + c" * 2000 + "\n", "deep.rules")
    d = info.value.diagnostics[0]
    assert d.span is not None and d.span.line > 6 and f"more than {MAX_NESTING} levels" in d.message
    assert "compute:" in (d.hint or "")


def test_a_long_chain_of_definitions_checks_and_runs():
    # d0 = d1 + 1, d1 = d2 + 1, …, d999 = c: written in the order that made the checker recurse
    body = "compute:\n" + "".join(f"  d{i} = d{i + 1} + 1\n" for i in range(999)) + "  d999 = c\n"
    rs = load_text(HEADER + body + "award:\n  fee = d0\n")
    assert str(rs.evaluate({"c": "1"}).award["fee"]) == "1000.00"  # 1 + 999 × 1


def test_a_long_cycle_is_reported_not_recursed_into():
    body = "compute:\n" + "".join(f"  d{i} = d{(i + 1) % 500} + 1\n" for i in range(500))
    with pytest.raises(RulesError) as info:
        load_text(HEADER + body + "award:\n  fee = c + d0\n")
    assert "depend" in str(info.value) and "RecursionError" not in str(info.value)


def test_size_line_and_number_limits():
    with pytest.raises(RulesError, match=f"at most {MAX_CHARS:,} are allowed"):
        load_text(HEADER + "# " + "x" * 100 + "\n" + ("  # filler\n" * (MAX_CHARS // 10)))
    with pytest.raises(RulesError, match=f"at most {MAX_LINE:,} are allowed") as info:
        load_text(HEADER + "award:\n  fee = c" + " + c" * 2000 + "\n")
    assert info.value.diagnostics[0].span.line == 6
    with pytest.raises(RulesError, match=f"at most {MAX_NUMBER} are allowed"):
        load_text(HEADER + "award:\n  fee = c * " + "9" * 100 + "\n")
    with pytest.raises(RulesError, match=f"at most {MAX_NUMBER} are allowed"):
        load_text(HEADER + 'evidence:\n  require at least ' + "9" * 100 + ' "x"\naward:\n  fee = c\n')


def test_an_evidence_time_limit_beyond_ten_years_is_refused_at_check():
    text = HEADER + 'evidence:\n  require "x" anchored within 9999999999 days of d\naward:\n  fee = c\n'
    with pytest.raises(RulesError, match="more than 3650 days"):
        load_text(text)


def test_an_award_beyond_any_court_figure_is_a_located_error():
    rs = load_text(HEADER + "award:\n  fee = c * 1000000000000\n", "big.rules")
    with pytest.raises(RulesError, match=r"award line `fee`: .*more than 18 digits") as info:
        rs.evaluate({"c": "99999999.00"})
    assert info.value.diagnostics[0].span.line == 6


def test_a_case_file_nested_a_thousand_deep_is_refused_by_the_cli(tmp_path: Path):
    case = tmp_path / "deep.json"
    case.write_text('{"claim_amount": "1", "x": ' + "[" * 1000 + "]" * 1000 + "}", encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-m", "ruledsl.cli", "eval", str(root / "rulesets/cn/court_fees.rules"),
                             "--case", str(case)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "nested more than 32 levels deep" in result.stderr
    from ruledsl.review import decide_upload

    with pytest.raises(RulesError, match="nested more than 32 levels"):
        decide_upload(json.dumps({"title": "t", "ruleset": "rulesets/cn/court_fees.rules",
                                  "case": {"claim_amount": "1", "x": json.loads("[" * 30 + "]" * 30)}})
                      .replace("[]", "[" * 10 + "]" * 10).encode(), "deep.json")


@pytest.mark.parametrize(("path", "reason"), [
    ("/dev/zero", "outside the ruleset's folder"),
    ("../../../../../etc/passwd", "outside the ruleset's folder"),
    ("fifo.csv", "not a regular file"),
    ("big.csv", "larger than 1,048,576 bytes"),
    ("tab" + "ab" * 300 + "les/lpr.csv", "cannot be read: File name too long"),  # a fuzzed mutant found it
])
def test_a_table_is_a_regular_file_of_bounded_size_beside_the_ruleset(tmp_path: Path, path: str, reason: str):
    import os

    os.mkfifo(tmp_path / "fifo.csv")
    (tmp_path / "big.csv").write_text("effective_from,one_year\n" + "2024-01-01,3%\n" * 90_000, encoding="utf-8")
    text = HEADER.replace("input:", f'table lpr: date -> rate from "{path}" column "one_year"\ninput:') + \
        "award:\n  fee = c\n"
    rules = tmp_path / "t.rules"
    rules.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError, match=reason):
        load(rules)
