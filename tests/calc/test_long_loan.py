"""A 30-year monthly loan: its trace grows with the events, not with instalments × segments.

Overdue instalments accruing a component at one rate over a segment give one trace row covering them
(``SegmentTrace.instalments``), and the engine books each instalment's share lazily; the figures are
those of the untraced path.  (How fast it runs is measured by benchmarks/bench_long_loan.py, not here.)
"""

from __future__ import annotations

import importlib.util
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ruledsl.calc import Instalment, LoanCase, Repayment, compute
from ruledsl.calc.model import LprRate
from ruledsl.reports.sheet import is_replaced, ledger_sheet
from ruledsl.ruleset import load
from tests.calc.lpr import load_rate_tables

ROOT = Path(__file__).resolve().parents[2]
TABLES = load_rate_tables()


def _bench():  # the benchmark's case generator, one definition of the case
    spec = importlib.util.spec_from_file_location("bench_long_loan", ROOT / "benchmarks" / "bench_long_loan.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def consumer_loan():
    return load(ROOT / "rulesets" / "cn" / "consumer_loan.rules")


@pytest.mark.parametrize("overdue", [100, None], ids=["100 overdue", "all 360 due"])
def test_360_instalments_trace_is_linear_and_figures_are_the_untraced(consumer_loan, overdue) -> None:
    data = _bench().case_inputs(360, overdue)
    traced = consumer_loan.evaluate(data)
    untraced = consumer_loan.evaluate(data, trace=False)
    assert traced.award == untraced.award
    assert dict(traced.values["loan"]) == dict(untraced.values["loan"])
    award = traced.values["loan"].award
    events = len(data["instalments"]) + len(data["repayments"])
    assert len(award.segments) < 4 * events
    penalty = [s for s in award.segments if s.component == "penalty_interest"]
    # the first three instalments were paid on their due dates, nothing after them in full
    last = penalty[-1]
    due = 100 if overdue else 360
    assert last.instalment is None and last.instalments == ((4, due),)
    assert "Σ overdue principal of the" in last.rule and f"#4–#{due}" in last.rule
    as_json = traced.as_json()["values"]["loan"]["calculation"]["segments"]
    assert [4, due] in next(s["instalments"] for s in reversed(as_json) if s["component"] == "penalty_interest")
    sheet = ledger_sheet("loan", traced.values["loan"])
    shown = [s for s in award.segments if not is_replaced(s)]  # the sheet leaves out replaced day-count interest
    assert sheet.segments[shown.index(last)]["#"] == f"#4–#{due}"


def _case(penalty_rate=None, repayments=(), n: int = 4) -> LoanCase:
    dues = [date(2021, 1, 20), date(2021, 6, 20), date(2022, 1, 20), date(2022, 9, 20)][:n]
    return LoanCase(principal=Decimal(4000 * n), disbursed_on=date(2020, 6, 1), contract_rate=Decimal("0.10"),
                    calc_until=date(2023, 3, 1), instalments=tuple(Instalment(d, Decimal(4000)) for d in dues),
                    penalty_rate=penalty_rate, repayments=tuple(repayments))


def test_a_row_covers_the_instalments_with_something_overdue_as_runs() -> None:
    # a payment designated for #2 settles it (interest, penalty, compound, principal): #2 drops out of the rows
    paid = [Repayment(date(2022, 2, 1), Decimal(6000), for_instalment=2)]
    award = compute(_case(repayments=paid))
    last = [s for s in award.segments if s.component == "penalty_interest"][-1]
    assert last.instalments == ((1, 1), (3, 4)) and last.numbers == "#1, #3–#4"
    assert last.base == Decimal("12000.0000000000")
    assert " #1, #3–#4 " in award.explain()
    assert award.figures() == compute(_case(repayments=paid), trace=False).figures()


def test_rates_fixed_at_each_due_date_keep_a_row_per_due_date() -> None:
    # an LPR fixed at each instalment's due date: the instalments accrue apart, one row each
    fixed = LprRate(multiple=Decimal("1.5"), fixing="fixed")
    award = compute(_case(penalty_rate=fixed), TABLES)
    last_segment = award.segments[-1].start
    rows = [s for s in award.segments if s.component == "penalty_interest" and s.start == last_segment]
    assert [s.instalment for s in rows] == [1, 2, 3, 4] and all(s.instalments is None for s in rows)
    assert len({s.rate_source for s in rows}) == 4
    # a floating rate is the same for all: one row
    floating = compute(_case(penalty_rate=LprRate(multiple=Decimal("1.5"))), TABLES)
    rows = [s for s in floating.segments if s.component == "penalty_interest" and s.start == last_segment]
    assert len(rows) == 1 and rows[0].instalments == ((1, 4),)


def test_one_instalment_rows_are_as_before() -> None:
    award = compute(_case(n=1))
    assert all(s.instalments is None for s in award.segments)
    assert [s.instalment for s in award.segments if s.component == "penalty_interest"] == [1]
    assert all(s.as_dict()["instalments"] is None for s in award.segments)
