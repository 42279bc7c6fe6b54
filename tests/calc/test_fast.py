"""The figures-only paths (``compute(case, trace=False)``) agree exactly with the traced engine.

Cases of the kernel's shape (one instalment, fixed rates: :mod:`ruledsl.calc.shape`) take the
integer kernel of :mod:`ruledsl.calc.kernel`; everything else runs the general engine without
building its trace.  Either way the award lines (to the exact fraction, not only the fen),
the overpayment, the unsupported amounts and the notes must be those of the traced
engine, and the fast path must also agree with the day-by-day reference.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruledsl.calc import Cap, Cost, Instalment, LoanCase, LprRate, RateChange, Repayment, compute, schedules
from ruledsl.calc.award import FigureAward
from ruledsl.calc.model import INTEREST
from ruledsl.calc.shape import kernel_case as figures  # None: the kernel does not take the case
from ruledsl.core.daycount import DayCount
from ruledsl.core.errors import InputError
from tests.calc.lpr import load_rate_tables
from tests.calc.test_differential import ORDERS, cases, reference

TABLES = load_rate_tables()


def _window_inside_period(case: LoanCase) -> bool:
    """A cap on interest starts or ends inside the stated-interest period (the engine then spreads the
    stated interest over the period by yuan-days)."""
    start, due = case.disbursed_on, case.instalments[0].due_on
    offset = timedelta(0) if case.day_count.first_day else timedelta(days=1)
    for cap in case.caps:
        if INTEREST in cap.components:
            for edge in (cap.from_on, cap.before):
                if edge is not None and start < edge - offset < due:
                    return True
    return False

EXAMPLES = int(os.environ.get("RULEDSL_CALC_EXAMPLES", "300"))  # e.g. 5000 for a long local run

amount = st.integers(min_value=1, max_value=50_000_000).map(lambda f: Decimal(f) / 100)
# rates in basis points and in finer steps (LPR multiples such as 1.5 × 3.45% = 5.175%)
rate = st.integers(min_value=0, max_value=4000).map(lambda bp: Decimal(bp) / 10000) | st.integers(
    min_value=0, max_value=400_000).map(lambda n: Decimal(n) / 1_000_000)


@st.composite
def single(draw, rich: bool = True) -> LoanCase:
    start = date(2019, 1, 1) + timedelta(days=draw(st.integers(0, 2000)))
    due = start + timedelta(days=draw(st.integers(1, 400)))
    principal = draw(amount)
    stated = draw(amount) if rich and draw(st.booleans()) else None
    end = max(due + timedelta(days=draw(st.integers(-60, 600))), start + timedelta(days=1))
    span = (end - start).days

    def when() -> date:
        return start + timedelta(days=draw(st.integers(0, span)))

    pays = tuple(Repayment(when(), Decimal(draw(st.integers(1, int(principal * 150)))) / 100)
                 for _ in range(draw(st.integers(0, 4))))
    kw: dict = {}
    if rich:
        kw["costs"] = tuple(Cost(when(), draw(amount)) for _ in range(draw(st.integers(0, 2))))
        kw["rate_changes"] = tuple(RateChange(when(), draw(st.none() | rate), draw(st.none() | rate),
                                              draw(st.none() | rate)) for _ in range(draw(st.integers(0, 2))))
        if draw(st.booleans()) and span > 1:
            kw["accelerated_on"] = start + timedelta(days=draw(st.integers(1, span)))
        caps = []
        for _ in range(draw(st.integers(0, 2))):
            window = draw(st.sampled_from(["none", "from", "before"]))
            caps.append(Cap(
                name="cap", citation="test", rate=draw(rate), kind=draw(st.sampled_from(["remove", "unsupported"])),
                components=draw(st.sampled_from([("interest", "penalty_interest", "compound_interest"),
                                                 ("penalty_interest", "compound_interest"), ("interest",)])),
                from_on=when() if window == "from" else None, before=when() if window == "before" else None))
        kw["caps"] = tuple(caps)
        kw["allocation_by"] = draw(st.sampled_from(["component", "instalment"]))
        kw["day_count"] = draw(st.sampled_from([DayCount(360, True, False), DayCount(365, True, False),
                                                DayCount(366, True, False), DayCount(365, False, True)]))
    return LoanCase(
        principal=principal, disbursed_on=start, contract_rate=draw(rate), calc_until=end,
        instalments=(Instalment(due, principal, stated),), penalty_rate=draw(st.none() | rate),
        compound_rate=draw(st.none() | rate), compound=draw(st.booleans()), repayments=pays,
        allocation_order=draw(st.sampled_from(ORDERS)), **kw,
    )


@st.composite
def several(draw) -> LoanCase:
    """Loans of two to twelve instalments (分期), of the schedule kernel's shape: fixed rates, no caps, costs,
    rate changes or acceleration; stated interest on some, all or none of the instalments; instalments
    of no principal; repayments early, late, on due dates and beyond everything owed; any order, by
    component or by instalment; the cut-off before, among or after the due dates."""
    start = date(2019, 1, 1) + timedelta(days=draw(st.integers(0, 2000)))
    n = draw(st.integers(2, 12))
    dues, d = [], start
    for _ in range(n):
        d += timedelta(days=draw(st.sampled_from([1, 28, 30, 31, draw(st.integers(1, 120))])))
        dues.append(d)
    parts = [Decimal(draw(st.integers(0, 2_000_000))) / 100 for _ in range(n)]
    if not any(parts):
        parts[-1] = Decimal("100.00")
    stated = draw(st.sampled_from(["none", "all", "some"]))
    insts = tuple(Instalment(due, part, None if stated == "none" or stated == "some" and draw(st.booleans())
                             else Decimal(draw(st.integers(0, 500_000))) / 100)
                  for due, part in zip(dues, parts, strict=True))
    principal = sum(parts, Decimal(0))
    end = max(dues[draw(st.integers(0, n - 1))] + timedelta(days=draw(st.integers(-40, 400))), start)
    span = (end - start).days
    pays = tuple(Repayment(draw(st.sampled_from([*(x for x in dues if x <= end), start + timedelta(
        days=draw(st.integers(0, span)))])), Decimal(draw(st.integers(1, int(principal * 60) + 1))) / 100)
                 for _ in range(draw(st.integers(0, 5))))
    return LoanCase(
        principal=principal, disbursed_on=start, contract_rate=draw(rate), calc_until=end, instalments=insts,
        penalty_rate=draw(st.none() | rate), compound_rate=draw(st.none() | rate), compound=draw(st.booleans()),
        repayments=pays, allocation_order=draw(st.sampled_from(ORDERS)),
        allocation_by=draw(st.sampled_from(["component", "instalment"])),
        day_count=draw(st.sampled_from([DayCount(360, True, False), DayCount(365, True, False),
                                        DayCount(366, True, False), DayCount(365, False, True)])))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(several())
def test_schedule_kernel_equals_engine(case: LoanCase) -> None:
    assert figures(case) is not None  # the schedule kernel takes it
    fast = same(case)
    assert fast.due == compute(case).due


def same(case: LoanCase) -> FigureAward:
    traced = compute(case)
    fast = compute(case, trace=False)
    assert not fast.traced and traced.traced
    assert fast.figures() == traced.figures(), traced.explain()
    assert fast.fen_figures() == traced.fen_figures()
    for name in traced.lines:
        assert fast[name] == traced[name]
    assert fast.overpaid == traced.overpaid
    assert fast.unsupported == traced.unsupported
    assert fast.notes == traced.notes
    assert fast.lines == traced.lines  # exact fractions, labels and citations too
    assert fast.segments == [] and fast.cuts == [] and fast.allocations == []
    return fast


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(single())
def test_single_instalment_fast_path_equals_engine(case: LoanCase) -> None:
    if case.instalments[0].interest is not None and _window_inside_period(case):
        # a cap window starting or ending inside the stated-interest period: the general engine
        # spreads the stated interest over the period, so the kernel hands the case over
        assert figures(case) is None
        traced, quick = compute(case), compute(case, trace=False)
        assert quick.figures() == traced.figures() and quick.unsupported == traced.unsupported
        return
    assert isinstance(same(case), FigureAward)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(single(rich=False))
def test_bullet_fast_path_equals_engine(case: LoanCase) -> None:
    assert isinstance(same(case), FigureAward)


@settings(max_examples=EXAMPLES // 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_fast_path_agrees_with_day_by_day_reference(case: LoanCase) -> None:
    award = compute(case, trace=False)
    expected = reference(case)
    assert {k: award[k] for k in expected} == expected


def test_other_shapes_run_the_engine_without_trace():
    case = LoanCase(principal=Decimal("12000"), disbursed_on=date(2023, 1, 1), contract_rate=Decimal("0.12"),
                    instalments=schedules.equal_principal(Decimal("12000"), Decimal("0.12"), date(2023, 2, 1), 3),
                    calc_until=date(2023, 9, 1), repayments=(Repayment(date(2023, 3, 15), Decimal("5000")),),
                    caps=(Cap(name="24%", citation="test", rate=Decimal("0.24")),))
    assert figures(case) is None  # several instalments under a cap: the engine
    award = compute(case, trace=False)
    assert not award.traced and award.segments == [] and award.allocations == []
    assert award.figures() == compute(case).figures()
    lpr = replace(case, instalments=schedules.bullet(Decimal("12000"), date(2023, 6, 1)),
                  contract_rate=LprRate(multiple=Decimal("1.5")))
    assert figures(lpr) is None
    assert compute(lpr, TABLES, trace=False).figures() == compute(lpr, TABLES).figures()


def test_default_is_unchanged_full_trace():
    case = LoanCase(principal=Decimal("10000"), disbursed_on=date(2023, 1, 1), contract_rate=Decimal("0.12"),
                    penalty_rate=Decimal("0.18"), instalments=schedules.bullet(Decimal("10000"), date(2024, 1, 1)),
                    calc_until=date(2024, 7, 1), repayments=(Repayment(date(2024, 3, 1), Decimal("500")),))
    award = compute(case)
    assert award.traced and award.segments and award.allocations and type(award).__name__ == "Award"
    fast = compute(case, trace=False)
    assert fast["interest"] == award["interest"] == Decimal("700.00")  # 1200 interest, 500 paid on it
    assert fast.as_dict()["lines"] == award.as_dict()["lines"]


@pytest.mark.parametrize("bad", [
    {"repayments": (Repayment(date(2022, 12, 31), Decimal("100")),)},
    {"repayments": (Repayment(date(2023, 6, 1), Decimal("-1")),)},
    {"contract_rate": Decimal("24")},
    {"calc_until": date(2022, 12, 1)},
    {"principal": Decimal("NaN")},
    {"day_count": DayCount(365, True, True)},
    {"allocation_order": ("interest", "principal")},
])
def test_bad_input_refused_the_same_way(bad):
    case = replace(LoanCase(principal=Decimal("1000"), disbursed_on=date(2023, 1, 1),
                            contract_rate=Decimal("0.12"), calc_until=date(2024, 1, 1),
                            instalments=schedules.bullet(Decimal("1000"), date(2023, 7, 1))), **bad)
    with pytest.raises(InputError) as traced:
        compute(case)
    with pytest.raises(InputError) as fast:
        compute(case, trace=False)
    assert str(fast.value) == str(traced.value)
