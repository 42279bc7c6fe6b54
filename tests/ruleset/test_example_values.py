"""An example whose written value cannot be computed fails that example with a message, never a
traceback (found by the fuzzer: mutant 6362 wrote `given principal = 2000/0.00`)."""

from __future__ import annotations

from ruledsl.ruleset import load_text, run_examples

RULES = """ruleset t.examples version "1" effective 2024-01-01
input:
  amount: money min 0
award:
  fee = amount * 2%
example "a value divided by zero":
  given amount = 2000 / 0.00
  expect fee = 40.00
example "an expected value divided by zero":
  given amount = 2000.00
  expect fee = 40 / 0
example "a good one":
  given amount = 2000.00
  expect fee = 40.00
"""


def test_an_uncomputable_example_value_fails_that_example_only() -> None:
    first, second, third = run_examples(load_text(RULES, "t.rules"))
    assert not first.passed and "`amount`: this value cannot be computed (DivisionByZero)" in first.error
    assert not second.passed and "`fee`: this value cannot be computed" in second.error
    assert third.passed
