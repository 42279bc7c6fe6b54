"""``example "B" extends "A"``: B starts from A's givens, replaces the ones it gives again, and chains."""

from __future__ import annotations

from decimal import Decimal

from ruledsl.lang.fmt import format_text
from ruledsl.ruleset import load_text
from ruledsl.ruleset.examples import example_case, run_examples

TEXT = '''ruleset t.extends version "1" effective 2024-01-01
source FEES = "诉讼费用交纳办法 第十三条"
input:
  claim_amount: money min 0
  percent: number = 2
  filed_on: date
award:
  fee = claim_amount * percent / 100 per FEES
example "a small claim":
  given claim_amount = 100.00
  given filed_on = 2024-03-01
  expect fee = 2.00
example "twice the claim" extends "a small claim":
  given claim_amount = 200.00
  expect fee = 4.00
example "twice the claim at 3%" extends "twice the claim":
  given percent = 3
  expect fee = 6.00
'''


def test_an_example_takes_the_givens_of_the_one_it_extends_and_replaces_what_it_gives_again() -> None:
    ruleset = load_text(TEXT, "t.rules")
    small, twice, three = ruleset.checked.examples
    # 100.00 × 2% = 2.00; 200.00 × 2% = 4.00; 200.00 × 3% = 6.00 (the percent replaced, the claim inherited)
    assert [r.passed for r in run_examples(ruleset)] == [True, True, True]
    given, _ = example_case(ruleset.checked, three)
    assert given["claim_amount"] == Decimal("200.00") and given["percent"] == 3
    assert str(given["filed_on"]) == "2024-03-01"
    # each input is given once: the inherited claim of 100.00 is replaced, not given twice
    assert [b.name for b in twice.given] == ["filed_on", "claim_amount"]


def test_a_wrong_figure_in_an_extending_example_fails_it_alone() -> None:
    ruleset = load_text(TEXT.replace("expect fee = 6.00", "expect fee = 6.01"), "t.rules")
    assert [r.passed for r in run_examples(ruleset)] == [True, True, False]


def test_fmt_keeps_extends_and_the_chinese_keyword_reads_the_same() -> None:
    assert 'example "twice the claim" extends "a small claim":' in format_text(TEXT, "t.rules")
    zh = format_text(TEXT, "t.rules", lang="zh")
    assert '示例 "twice the claim" 沿用 "a small claim":' in zh
    assert [r.passed for r in run_examples(load_text(zh, "t.rules"))] == [True, True, True]
