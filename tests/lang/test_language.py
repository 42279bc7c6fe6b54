"""Semantics of the language, end to end: worked examples, runtime errors at rule lines, the compile cache."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ruledsl.calc.fields import DEFAULTS, NAMES
from ruledsl.calc.model import LprRate
from ruledsl.calc.shape import kernel_settings
from ruledsl.cases.inputs import parse_case
from ruledsl.core.daycount import DayCount
from ruledsl.core.errors import InputError, RulesError, RulesRuntimeError
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


@pytest.mark.parametrize(("expect", "shown"), [
    # 5432.10 × 2% = 108.642, an award line rounded half-up to 108.64; an expectation 108.643 is refused by
    # `check` (tests/lang/errors/example_money_places.rules), but one computed in the example is not:
    ("108.64 + 1 / 1000", "fee: expected 108.641, got 108.64"),  # both exactly: they differ past the fen
    ("108.65", "fee: expected 108.65, got 108.64"),              # they differ at the fen: as shown
])
def test_a_failed_expectation_never_reads_as_equal(expect: str, shown: str) -> None:
    ruleset = load_text(HEADER + "input:\n  c: money\naward:\n  fee = c * 2% per S\n"
                        f'example "e":\n  given c = 5432.10\n  expect fee = {expect}\n')
    result = run_example(ruleset, ruleset.checked.examples[0])
    assert [f.split("  (line")[0] for f in result.failures] == [shown]


RATE_INPUTS = HEADER + "input:\n  c: money\n  r: rate\n  d: rate per day = 0.05% per day\n  flag: bool = false\n"


@pytest.mark.parametrize(("rule", "refused"), [
    # a bare number of 1 or more beside a rate is a typo for a percentage (24 would be 2400%)
    ("  x = min(r, 24)", "24"),
    ("  x = max(r, 1)", "1"),
    ("  x = r + 3", "3"),
    ("  x = 24 - r", "24"),
    ("  x = if flag then r else 24", "24"),
    ("  x = if flag then 24 else r", "24"),
    ("  x = r > 24", "24"),
    ("  x = -24 < r", "-24"),
    ("  x = r == 20 + 4", "20 + 4"),
    ("  x = d > 1", "1"),
    ("  x = 24% < 36", "36"),
    # what a rate may meet: a percentage, a fraction below 1 (as on the command line), a multiple
    ("  x = min(r, 24%)", None),
    ("  x = min(r, 0.24)", None),
    ("  x = r > 0", None),
    ("  x = r * 1.5", None),
    ("  x = 4 * r", None),
    ("  x = if flag then r else 0.36", None),
    ("  x = c > 24", None),  # beside money a bare number is money
])
def test_a_bare_number_beside_a_rate(rule: str, refused: str | None) -> None:
    text = RATE_INPUTS + "compute:\n" + rule + "\naward:\n  fee = c per S\n"
    if refused is None:
        load_text(text)
        return
    with pytest.raises(RulesError) as info:
        load_text(text)
    [first] = info.value.diagnostics
    assert first.message.startswith(f"a bare number beside a rate: {refused} would be read as"), first.render()
    assert f"write `{refused}%`" in first.hint


@pytest.mark.parametrize("where", [
    "input:\n  c: money\n  r: rate = 24\naward:\n  fee = c per S\n",
    "input:\n  c: money\n  r: rate max 36\naward:\n  fee = c per S\n",
    'input:\n  c: money\n  r: rate\naward:\n  fee = c per S\nexample "e":\n  given c = 1.00, r = 24\n'
    "  expect fee = 1.00\n",
])
def test_a_bare_number_given_for_a_rate_is_refused(where: str) -> None:
    with pytest.raises(RulesError, match="a bare number beside a rate"):
        load_text(HEADER + where)


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


LINKED = HEADER.replace('source S = "s"', 'source S = "s"\n'
                        'table lpr_1y: date -> rate from "lpr.csv" column "one_year"') + """input:
  principal: money
  spread: rate = 3%
  fixing: enum("floating", "fixed", "fixed_at", "repriced") = "floating"
  repricing_dates: list of date = []
ledger loan per S:
  principal = principal
  contract_rate = 0%
  penalty_rate = if fixing == "floating" then lpr_1y + spread floating
    else if fixing == "fixed" then lpr_1y + spread fixed
    else if fixing == "fixed_at" then (lpr_1y + spread) * 100% fixed at 2023-08-21
    else lpr_1y + spread repriced on repricing_dates
  compound = false
  disbursed_on = 2023-01-01
  due_on = 2023-06-01
  until = 2023-09-01
award:
  penalty_interest = loan.penalty_interest per S
"""


def _linked(case: dict) -> Decimal:
    ruleset = load_text(LINKED, "linked.rules", TABLES)
    decision = ruleset.evaluate(case)
    quick = ruleset.evaluate(case, trace=False)
    outputs, _ = interpret(ruleset.checked, parse_case(ruleset.checked, case))
    assert outputs == decision.values and quick.award == decision.award
    return decision.award["penalty_interest"]


def test_a_ledger_rate_that_follows_the_lpr() -> None:
    # 1Y LPR (rulesets/cn/tables/lpr.csv): 3.65% from 2022-08-22, 3.55% from 2023-06-20, 3.45% from 2023-08-21;
    # overdue 2023-06-01 → 09-01 = 92 days on 10,000
    # floating: 19 days (06-01 → 06-20) at 6.65%, 62 days at 6.55%, 11 days at 6.45%:
    #   10,000 × (6.65% × 19 + 6.55% × 62 + 6.45% × 11) / 365 = 10,000 × 6.034 / 365 = 165.3150… → 165.32
    assert str(_linked({"principal": "10000"})) == "165.32"
    # the spread is an input: 1Y LPR + 2%: 10,000 × (5.65% × 19 + 5.55% × 62 + 5.45% × 11) / 365
    #   = 10,000 × 5.114 / 365 = 140.1095… → 140.11
    assert str(_linked({"principal": "10000", "spread": "2%"})) == "140.11"
    # fixed (the overdue date 2023-06-01: 3.65%): 10,000 × 6.65% × 92 / 365 = 61,180 / 365 = 167.6164… → 167.62
    assert str(_linked({"principal": "10000", "fixing": "fixed"})) == "167.62"
    # fixed at 2023-08-21 (3.45%), × 100%: 10,000 × 6.45% × 92 / 365 = 59,340 / 365 = 162.5753… → 162.58
    assert str(_linked({"principal": "10000", "fixing": "fixed_at"})) == "162.58"
    # repriced on 2023-07-01 (given twice and out of order: one date) — before it the LPR on the disbursement
    # date 2023-01-01 (3.65%): 30 days at 6.65%, then 62 days at the LPR on 2023-07-01 (3.55%) + 3% = 6.55%:
    #   10,000 × (6.65% × 30 + 6.55% × 62) / 365 = 10,000 × 6.056 / 365 = 165.9178… → 165.92
    case = {"principal": "10000", "fixing": "repriced", "repricing_dates": ["2023-07-01", "2022-01-01", "2023-07-01"]}
    assert str(_linked(case)) == "165.92"
    # no repricing date: the LPR on the disbursement date throughout, as the fixed rate above
    assert str(_linked({"principal": "10000", "fixing": "repriced"})) == "167.62"


def test_a_rate_that_follows_a_table_is_traced_and_never_takes_the_integer_kernel() -> None:
    ruleset = load_text(LINKED, "linked.rules", TABLES)
    award = ruleset.evaluate({"principal": "10000"}).values["loan"].award
    sources = [s.rate_source for s in award.segments if s.component == "penalty_interest"]
    assert sources[0] == "1 × lpr_1y + 3% (in force each day): LPR on 2023-06-01 = 3.65%", sources
    assert len(sources) == 3  # cut at 2023-06-20 and 2023-08-21
    # the shape dispatcher sends a ledger whose rate follows a table to the engine, never to the kernel
    settings = {"principal": Decimal("100"), "contract_rate": Decimal("0.05"),
                "penalty_rate": LprRate(spread=Decimal("0.03"), term="lpr_1y"), "disbursed_on": date(2023, 1, 1),
                "due_on": date(2023, 6, 1), "until": date(2023, 9, 1)}
    row = tuple(settings.get(name, DEFAULTS[name]) for name in NAMES)
    assert kernel_settings(row, (), None, DayCount()) is None
    assert kernel_settings(row[:2] + (Decimal("0.08"),) + row[3:], (), None, DayCount()) is not None


def test_a_negative_linked_rate_is_a_runtime_error() -> None:
    ruleset = load_text(LINKED, "linked.rules", TABLES)
    with pytest.raises(RulesRuntimeError) as info:
        ruleset.evaluate({"principal": "10000", "spread": "-4%"})  # 3.65% − 4% < 0
    assert "a negative rate" in info.value.diagnostics[0].message


def test_linked_rates_format_canonically() -> None:
    from ruledsl.lang.fmt import format_text
    from ruledsl.lang.parser import parse

    once = format_text(LINKED)
    assert "    else if fixing == \"fixed_at\" then (lpr_1y + spread) * 100% fixed at 2023-08-21\n" in once
    assert "    else lpr_1y + spread repriced on repricing_dates\n" in once
    assert format_text(once) == once
    # the tree survives the round trip (spans aside)
    texts = ["lpr_1y * 1.5 + 3% floating", "(lpr_1y + 1%) * 150% fixed", "lpr_1y - 0.5% fixed at (d + 30 days)",
             "lpr_1y / 2 repriced on [2024-01-01, 2025-01-01]", "if c then lpr_1y floating else 12%"]
    for text in texts:
        source = f"ruleset x version \"0\" effective 2000-01-01\nledger l:\n  penalty_rate = {text}\n"
        assert format_text(format_text(source)) == format_text(source)
        assert f"  penalty_rate = {text}\n" in format_text(source), format_text(source)
        assert _strip(parse(format_text(source))) == _strip(parse(source))


def _strip(node):
    """A syntax tree without its spans, for comparing trees."""
    import dataclasses

    from ruledsl.lang import ast

    if isinstance(node, ast.Node):
        return (type(node).__name__,) + tuple(_strip(getattr(node, f.name)) for f in dataclasses.fields(node)
                                             if f.name != "span")
    if isinstance(node, tuple):
        return tuple(_strip(x) for x in node)
    return node
