"""A repayment beyond everything owed is noted once, in yuan to the fen, by the traced engine and
the integer kernel alike."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ruledsl.calc import LoanCase, Repayment, compute, schedules


def test_the_overpaid_part_is_shown_to_the_fen_by_both_paths() -> None:
    # 1,000 lent 2024-01-01 at 10% due 2024-04-01; 1,100 repaid on 2024-03-01, before the due date.
    # What is not yet due is paid in the order interest (the day-count interest so far), principal
    # (民法典 561; ruledsl.calc.allocation.NOT_YET_DUE): 1,000 × 10% × 60 / 365 = 6,000 / 365 =
    # 16.4383…, then the principal 1,000; left over 1,100 − 1,016.4383… = 83.5616… → 83.56
    case = LoanCase(principal=Decimal("1000"), disbursed_on=date(2024, 1, 1), contract_rate=Decimal("0.10"),
                    instalments=schedules.bullet(Decimal("1000"), date(2024, 4, 1)), calc_until=date(2024, 5, 1),
                    repayments=(Repayment(date(2024, 3, 1), Decimal("1100")),))
    traced, quick = compute(case), compute(case, trace=False)
    assert traced.notes == quick.notes
    assert len(traced.notes) == 1
    note = traced.notes[0]
    assert "2024-03-01" in note and "1,100.00" in note
    assert traced.overpaid == quick.overpaid == Decimal("83.56")
    assert "多付 83.56 元" in note and "exceeds everything owed by 83.56" in note
