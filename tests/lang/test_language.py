"""Semantics of the language, end to end: worked examples, runtime errors at rule lines, the compile cache."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ruledsl.cases.inputs import parse_case
from ruledsl.core.errors import InputError, RulesRuntimeError
from ruledsl.lang import compiler
from ruledsl.lang.interpreter import interpret
from ruledsl.ruleset import load, load_text
from ruledsl.ruleset.examples import run_example, run_examples

FIXTURES = Path(__file__).parent / "fixtures"
SEMANTICS = FIXTURES / "semantics.rules"

HEADER = 'ruleset t version "1" effective 2024-01-01\nsource S = "s"\n'


def test_semantics_examples_pass() -> None:
    results = run_examples(load(SEMANTICS))
    assert len(results) >= 9
    failures = [(r.title, r.error or r.failures) for r in results if not r.passed]
    assert not failures


def test_a_wrong_expectation_is_reported_with_both_figures() -> None:
    text = SEMANTICS.read_text(encoding="utf-8").replace("expect interest = 1200.00", "expect interest = 1200.01")
    ruleset = load_text(text, str(SEMANTICS), SEMANTICS.parent)
    result = run_example(ruleset, ruleset.checked.examples[0])
    assert not result.passed
    assert any("interest: expected 1200.01, got 1200.00" in f for f in result.failures)


def test_interpreter_agrees_with_compiled_code_on_the_examples() -> None:
    ruleset = load(SEMANTICS)
    for example in ruleset.checked.examples:
        given = {b.name: b.expr for b in example.given}
        from ruledsl.lang.interpreter import Interpreter

        consts = Interpreter(ruleset.checked)
        values = parse_case(ruleset.checked, {k: consts.eval(v, {}) for k, v in given.items()})
        decision = ruleset.run(values, trace=False)
        outputs, route = interpret(ruleset.checked, values, decision.evidence_complete)
        assert outputs == decision.values
        assert ruleset.checked.routes[route].stage == decision.route


def test_division_by_zero_points_at_the_rule_line() -> None:
    text = HEADER + "input:\n  a: money\n  n: number\naward:\n  share = a / n per S\n"
    ruleset = load_text(text, "share.rules")
    with pytest.raises(RulesRuntimeError) as info:
        ruleset.evaluate({"a": "100", "n": "0"})
    d = info.value.diagnostics[0]
    assert d.message == "division by zero"
    assert (d.span.file, d.span.line) == ("share.rules", 7)
    assert "share = a / n" in str(info.value)


def test_no_table_value_in_force_is_a_located_runtime_error() -> None:
    text = HEADER.replace('source S = "s"', 'source S = "s"\ntable lpr: date -> rate from "lpr.csv" column "one_year"')
    text += "input:\n  on: date\ncompute:\n  r = lpr at on per S\n"
    ruleset = load_text(text, "lpr.rules", Path(__file__).parents[2] / "rulesets" / "cn" / "tables")
    # the LPR series starts on 2019-08-20
    assert ruleset.evaluate({"on": "2019-08-20"}).values["r"] == Decimal("0.0425")
    with pytest.raises(RulesRuntimeError) as info:
        ruleset.evaluate({"on": "2019-08-19"})
    assert "no value in force on 2019-08-19" in info.value.diagnostics[0].message
    assert info.value.diagnostics[0].span.line == 7  # line 7: `r = lpr at on`


def test_bounds_between_inputs_are_checked_at_run_time() -> None:
    ruleset = load(SEMANTICS)
    case = {"principal": "100", "contract_rate": "12%", "disbursed_on": "2024-02-01",
            "due_on": "2024-01-01", "filed_on": "2024-03-01"}
    with pytest.raises(InputError, match="`due_on` must be at least 2024-02-01"):
        ruleset.evaluate(case)
    with pytest.raises(InputError, match="`contract_rate` must be at most"):
        ruleset.evaluate({**case, "due_on": "2024-03-01", "contract_rate": "150%"})


def test_compiled_code_is_cached_by_content_and_holds_no_literals() -> None:
    text = HEADER + 'input:\n  a: money\naward:\n  fee = a * 2.5% + 50.00 label "受理费" per S\n'
    first = load_text(text, "c.rules")
    second = load_text(text, "c.rules")
    assert first.code is second.code  # same text → same compiled object
    third = load_text(text.replace("50.00", "60.00"), "c.rules")
    assert third.code is not first.code
    assert "2.5" not in first.python_source and "50.00" not in first.python_source
    assert "受理费" not in first.python_source
    assert first.code.digest in compiler._CACHE


def test_trace_records_rule_inputs_value_and_law() -> None:
    ruleset = load(SEMANTICS)
    decision = ruleset.evaluate({"principal": "10000", "contract_rate": "12%", "disbursed_on": "2023-01-01",
                                 "due_on": "2024-01-01", "filed_on": "2024-07-01"})
    penalty = next(e for e in decision.trace if e.rule == "penalty")
    assert set(penalty.inputs) == {"due_on", "filed_on", "overdue_principal", "penalty_rate"}
    assert penalty.citations == ("test rule",)
    assert penalty.span.line == 36  # `penalty = accrue(…)` in semantics.rules
    assert decision.as_json()["award"]["penalty"] == "897.53"


LEDGER = HEADER.replace('source S = "s"', 'source S = "s"\nsource C676 = "民法典 第六百七十六条"\n'
                        'table lpr: date -> rate from "lpr.csv" column "one_year"') + """input:
  principal: money
  rate: rate optional min 0% max 100%
  disbursed_on: date
  due_on: date
  filed_on: date
ledger loan per S:
  principal = principal
  contract_rate = 12%
  penalty_rate = rate
  disbursed_on = disbursed_on
  due_on = due_on
  until = filed_on
  cap interest, penalty_interest at 4 * lpr at filed_on when filed_on >= 2020-08-20 per S
award:
  interest = loan.interest per S
  penalty_interest = loan.penalty_interest per C676
"""
TABLES = Path(__file__).parents[2] / "rulesets" / "cn" / "tables"


def test_optional_input_with_bounds_may_be_absent() -> None:
    ruleset = load_text(LEDGER, "ledger.rules", TABLES)
    case = {"principal": "10000", "disbursed_on": "2023-01-01", "due_on": "2024-01-01", "filed_on": "2024-07-01"}
    # no penalty rate given: the engine's default is the contract rate (法释〔2020〕17号 art.28)
    # 10,000 × 12% × 182 / 365 = 218,400 / 365 = 598.3561… → 598.36
    assert str(ruleset.evaluate(case).award["penalty_interest"]) == "598.36"
    with pytest.raises(InputError, match="`rate` must be at most"):
        ruleset.evaluate({**case, "rate": "150%"})


def test_a_ledger_cap_whose_condition_is_false_is_not_evaluated() -> None:
    ruleset = load_text(LEDGER, "ledger.rules", TABLES)
    # filed 2019-01-01: no LPR is in force yet (the series starts 2019-08-20), and the cap does not apply
    # interest = 10,000 × 12% × 365 / 365 = 1,200.00 (2018 is not a leap year)
    case = {"principal": "10000", "disbursed_on": "2018-01-01", "due_on": "2019-01-01", "filed_on": "2019-01-01"}
    decision = ruleset.evaluate(case)
    assert str(decision.award["interest"]) == "1200.00"
    outputs, _ = interpret(ruleset.checked, parse_case(ruleset.checked, case))
    assert outputs == decision.values


def test_the_calculation_sheet_cites_the_rules_that_read_the_ledger() -> None:
    ruleset = load_text(LEDGER, "ledger.rules", TABLES)
    decision = ruleset.evaluate({"principal": "10000", "disbursed_on": "2023-01-01", "due_on": "2024-01-01",
                                 "filed_on": "2024-07-01"})
    award = decision.values["loan"].award
    assert {s.citation for s in award.segments if s.component == "penalty_interest"} == {"民法典 第六百七十六条"}
    assert {s.citation for s in award.segments if s.component == "interest"} == {"s"}


def test_rate_changes_in_a_ledger() -> None:
    text = HEADER + """input:
  principal: money
  changes: list of {effective_on: date, contract_rate: rate} = []
ledger loan per S:
  principal = principal
  contract_rate = 12%
  disbursed_on = 2023-01-01
  due_on = 2024-01-01
  rate_changes = changes
  until = 2024-01-01
award:
  interest = loan.interest per S
"""
    ruleset = load_text(text, "changes.rules")
    # no change: 10,000 × 12% × 365 / 365 = 1,200.00
    assert str(ruleset.evaluate({"principal": "10000"}).award["interest"]) == "1200.00"
    # 12% for 2023-01-01 → 2023-07-01 (31+28+31+30+31+30 = 181 days), then 6% for 184 days:
    # 10,000 × 12% × 181 / 365 + 10,000 × 6% × 184 / 365 = (217,200 + 110,400) / 365 = 897.5342… → 897.53
    case = {"principal": "10000", "changes": [{"effective_on": "2023-07-01", "contract_rate": "6%"}]}
    decision = ruleset.evaluate(case)
    assert str(decision.award["interest"]) == "897.53"
    outputs, _ = interpret(ruleset.checked, parse_case(ruleset.checked, case))
    assert outputs == decision.values


def test_award_lines_have_two_places_whether_or_not_the_compiler_rounds_them() -> None:
    """The compiler leaves out roundings that cannot change a value (ledger lines, sums of award lines)
    and rounds constants once; every award line must still come out with exactly two places, as the
    interpreter (which rounds every award line) gives it."""
    text = HEADER + """input:
  principal: money
  waived: bool = false
ledger loan per S:
  principal = principal
  contract_rate = 12%
  disbursed_on = 2023-01-01
  due_on = 2024-01-01
  until = 2024-07-01
award:
  interest = loan.interest per S
  penalty = loan.penalty_interest per S
  both = interest + penalty per S
  owed = if waived then 0 else both per S
  fee = 5 per S
  capped = both per S
  cap capped at 0 per S
  rest = capped + fee per S
"""
    ruleset = load_text(text, "places.rules")
    python = ruleset.python_source
    assert "v_interest = v_loan['interest']\n" in python  # the engine's line, already in fen
    assert "v_both = (v_interest + v_penalty)\n" in python
    # interest 10,000 × 12% × 365 / 365 = 1,200.00; penalty at the contract rate (no penalty rate given)
    # on 10,000 for 2024-01-01 → 2024-07-01 = 182 days: 10,000 × 12% × 182 / 365 = 598.3561… → 598.36
    want = {"interest": "1200.00", "penalty": "598.36", "both": "1798.36", "owed": "1798.36", "fee": "5.00",
            "capped": "0.00", "rest": "5.00"}
    for waived, owed in ((False, "1798.36"), (True, "0.00")):
        case = {"principal": "10000", "waived": waived}
        decision = ruleset.evaluate(case, trace=False)
        outputs, _ = interpret(ruleset.checked, parse_case(ruleset.checked, case))
        got = {name: str(decision.values[name]) for name in want}
        assert got == {**want, "owed": owed}
        assert got == {name: str(outputs[name]) for name in want}  # the interpreter, exponents included
        row, _ = ruleset.call_batch([parse_case(ruleset.checked, case)])[0]
        assert {name: str(row[ruleset.columns.index(name)]) for name in want} == got


def test_call_batch_resumes_the_cycle_collector_even_when_a_case_fails() -> None:
    import gc

    text = HEADER + "input:\n  a: money\n  n: number\naward:\n  share = a / n per S\n"
    ruleset = load_text(text, "share.rules")
    good, bad = ({"a": Decimal("100"), "n": Decimal(n)} for n in ("4", "0"))
    assert gc.isenabled()
    rows = ruleset.call_batch([good, good])
    assert [str(row[ruleset.columns.index("share")]) for row, _ in rows] == ["25.00", "25.00"]  # 100 / 4
    assert gc.isenabled()
    with pytest.raises(RulesRuntimeError, match="division by zero"):
        ruleset.call_batch([good, bad])
    assert gc.isenabled()
    gc.disable()  # a caller that paused it itself gets it back paused
    try:
        ruleset.call_batch([good])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_call_batch_can_keep_going_past_failing_cases() -> None:
    text = HEADER + "input:\n  a: money\n  n: number min 1\naward:\n  share = a / (n - 2) per S\n"
    ruleset = load_text(text, "share.rules")
    cases = [{"a": Decimal("100"), "n": Decimal(n)} for n in ("6", "2", "0", "3")]
    failures: dict = {}
    rows = ruleset.call_batch(cases, failures=failures)
    at = ruleset.columns.index("share")
    # 100 / (6 − 2) = 25.00 and 100 / (3 − 2) = 100.00; n = 2 divides by zero; n = 0 is below its min
    assert [None if r is None else str(r[0][at]) for r in rows] == ["25.00", None, None, "100.00"]
    assert sorted(failures) == [1, 2]
    assert failures[1].diagnostics[0].message == "division by zero"
    assert failures[1].diagnostics[0].span.line == 7  # the rule line, as call() reports it
    assert "`n` must be at least 1" in str(failures[2])
    with pytest.raises(RulesRuntimeError):  # without a failures dict the batch stops at the first
        ruleset.call_batch(cases)
