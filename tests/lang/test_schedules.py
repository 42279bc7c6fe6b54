"""Schedules generated in the language (issue 14 items 1–2): powers, calendar months, list items, lists
built item by item with ``previous``, monthly rates.

The oracle for the 等额本息 schedule is written here from the contract's words alone, in exact fractions
(no Decimal context, no code of the project): payment = P·r·(1+r)^n / ((1+r)^n − 1) rounded half up to
the fen; each month's interest is the principal owed at its start × r, to the fen; the principal is the
payment less the interest, and the last month repays what is left.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruledsl.cases.inputs import parse_case
from ruledsl.core.errors import RulesError
from ruledsl.lang.fmt import format_text
from ruledsl.lang.interpreter import interpret
from ruledsl.ruleset import load, load_text

AUTO_LOAN = Path(__file__).resolve().parents[2] / "rulesets" / "cn" / "auto_loan.rules"


def fen(x: Fraction) -> Fraction:
    """Half up to the fen, exactly (amounts here are never negative)."""
    return Fraction(int(x * 100 + Fraction(1, 2)), 100)


def next_month_day(first: date, k: int) -> date:
    index = first.year * 12 + first.month - 1 + k
    year, month = divmod(index, 12)
    return date(year, month + 1, min(first.day, calendar.monthrange(year, month + 1)[1]))


def oracle(principal: Fraction, r: Fraction, n: int, first: date) -> tuple[Fraction, list[tuple]]:
    growth = (1 + r) ** n
    payment = fen(principal * r * growth / (growth - 1))
    owed, rows = principal, []
    for k in range(1, n + 1):
        interest = fen(owed * r)
        part = payment - interest if k < n else owed
        rows.append((next_month_day(first, k - 1), part, interest))
        owed -= part
    return payment, rows


@settings(max_examples=60, deadline=None)
@given(amount=st.integers(100_000, 50_000_000),                       # 1,000.00 – 500,000.00 yuan, in fen
       monthly_bp=st.sampled_from([25, 35, 40, 50, 60, 75, 100, 125, 150, 200]),  # 0.25% – 2% a month
       term=st.integers(2, 60),
       first=st.dates(date(2020, 1, 1), date(2030, 12, 31)))
def test_the_shipped_car_loan_builds_the_schedule_the_contract_describes(amount, monthly_bp, term, first):
    rs = load(AUTO_LOAN)
    case = {"loan_amount": f"{Decimal(amount) / 100:.2f}", "monthly_rate": f"{Decimal(monthly_bp) / 100}%",
            "term": term, "disbursed_on": next_month_day(first, -1).isoformat(), "first_due": first.isoformat(),
            "filed_on": first.isoformat()}
    decision = rs.run(parse_case(rs.checked, case))
    payment, rows = oracle(Fraction(amount, 100), Fraction(monthly_bp, 10_000), term, first)
    assert Fraction(decision.values["payment"]) == payment
    got = [(x["due_on"], Fraction(x["principal"]), Fraction(x["interest"])) for x in decision.values["instalments"]]
    assert got == rows
    assert sum(p for _, p, _ in got) == Fraction(amount, 100)  # the schedule repays exactly what was lent


SRC = '''ruleset t.schedules version "1" effective 2024-01-01
input:
  amount: money = 1000.00
  annual: rate = 18%
  monthly: rate per month = 1.5% per month
  first: date = 2024-01-31
  n: number = 3
  xs: list of {due_on: date, amount: money} = [{due_on: 2024-01-01, amount: 10.00}, {due_on: 2024-02-01, amount: 20.00}]
compute:
  share = annual * 1 month
  monthly_share = monthly * 1 month
  half_year = amount * annual * 6 months
  a_year = amount * annual * 1 year
  growth = (1 + share) ^ n
  shrink = (1 + share) ^ -1
  second = xs[2].amount
  dates = [first + 1 month, first + 2 months, first - 1 year, add_months(first, n), month_end(2023-02-01)]
  running = [{k: k, total: if k == 1 then 1 else previous.total + k} for k from 1 to n]
  doubled = [x.amount * 2 for x in xs where x.amount > 10.00]
  squares = sum(k ^ 2 for k from 1 to n)
  none = [k for k from 3 to 1]
  same = monthly == 1.5% per month and annual == monthly
'''


def test_each_construct_has_the_value_its_words_give():
    rs = load_text(SRC)
    v = rs.run(parse_case(rs.checked, {})).values
    assert v["share"] == Decimal("0.015")            # 18% / 12, exactly
    assert v["monthly_share"] == Decimal("0.015")    # 1.5% per month is kept as 18% a year
    assert v["half_year"] == Decimal("90")           # 1,000 × 18% × 6/12
    assert v["a_year"] == Decimal("180")             # 1,000 × 18% × 1
    assert v["growth"] == Decimal("1.045678375")     # 1.015³ = 1.030225 × 1.015
    assert abs(Fraction(v["shrink"]) - Fraction(1000, 1015)) < Fraction(1, 10**35)  # 1 / 1.015, to the context
    assert v["second"] == Decimal("20.00")           # counted from 1
    assert v["dates"] == [date(2024, 2, 29), date(2024, 3, 31), date(2023, 1, 31), date(2024, 4, 30),
                          date(2023, 2, 28)]
    assert [r["total"] for r in v["running"]] == [1, 3, 6]   # 1, 1 + 2, 3 + 3
    assert v["doubled"] == [Decimal("40.00")]
    assert v["squares"] == 14                        # 1 + 4 + 9
    assert v["none"] == []
    assert v["same"] is True


def test_the_interpreter_agrees_with_the_compiled_rules():
    rs = load_text(SRC)
    case = parse_case(rs.checked, {})
    compiled = rs.run(case).values
    walked, _ = interpret(rs.checked, case)
    for name in ("share", "growth", "second", "dates", "running", "doubled", "squares", "none", "half_year"):
        assert walked[name] == compiled[name], name


def test_format_round_trips_and_translates():
    text = format_text(SRC)
    assert format_text(text) == text
    zh = format_text(text, lang="zh")
    assert "上期" in zh and "个月" in zh and "每月" in zh and "对 k 自 1 至 n" in zh
    assert format_text(zh, lang="en") == text


@pytest.mark.parametrize(("expr", "message"), [
    ("xs[3].amount", "item 3 of a list of 2"),
    ("xs[n - 3].amount", "item 0 of a list of 2"),
    ("(1 + share) ^ (n / 2)", "a power is a whole number, not 1.5"),
    ("add_months(first, n / 2)", "a number of months is a whole number"),
])
def test_run_time_problems_are_reported_not_raised(expr, message):
    rs = load_text(SRC + f"  probe = {expr}\n")
    with pytest.raises(RulesError, match=message.replace("(", r"\(").replace(")", r"\)")):
        rs.run(parse_case(rs.checked, {}))


@pytest.mark.parametrize(("value", "annual"), [
    ("1.5%", "0.18"), ("2分", "0.24"), ("1分5厘", "0.18"), ("月息2分", "0.24"), ("0.015", "0.18"), ("5厘", "0.06"),
])
def test_a_monthly_rate_is_read_as_a_case_writes_it(value, annual):
    rs = load_text(SRC)
    case = parse_case(rs.checked, {"monthly": value})
    assert rs.run(case).values["monthly"] == Decimal(annual)  # a 分 is 1% a month, a 厘 0.1%; × 12 a year
