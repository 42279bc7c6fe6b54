"""Loan calculation engine: events → segments → accruals → allocation → award.

Public API::

    from ruledsl.calc import LoanCase, Repayment, compute, schedules, caps
    case = LoanCase(principal=Decimal("10000"), disbursed_on=date(2023, 1, 1),
                    contract_rate=Decimal("0.12"), penalty_rate=Decimal("0.18"),
                    instalments=schedules.bullet(Decimal("10000"), date(2024, 1, 1)),
                    calc_until=date(2024, 7, 1))
    award = compute(case)          # Award: .figures(), .segments, .cuts, .allocations, .explain()
    quick = compute(case, trace=False)   # same figures, no trace (integer fast path for single instalments)

See :mod:`ruledsl.calc.model` for the inputs and the day model,
:mod:`ruledsl.calc.engine` for the algorithm, :mod:`ruledsl.calc.award` for the
outputs and where rounding happens, :mod:`ruledsl.calc.caps` for legal caps and
:mod:`ruledsl.calc.fast` for the figures-only integer path and
:mod:`ruledsl.calc.vectorized` for the batch path over integer fen.
"""

from ruledsl.calc import caps, schedules
from ruledsl.calc.award import AllocationTrace, Award, AwardLine, CapCut, SegmentTrace, fen
from ruledsl.calc.engine import compute
from ruledsl.calc.lpr import RateTables, load_rate_tables
from ruledsl.calc.model import (
    ACCRUING,
    COMPONENTS,
    COMPOUND,
    DEFAULT_ORDER,
    FEES,
    INTEREST,
    PENALTY,
    PRINCIPAL,
    Cap,
    Cost,
    Instalment,
    LoanCase,
    LprRate,
    RateChange,
    Repayment,
)
from ruledsl.calc.validate import check_case

__all__ = [
    "ACCRUING", "COMPONENTS", "COMPOUND", "DEFAULT_ORDER", "FEES", "INTEREST", "PENALTY", "PRINCIPAL",
    "AllocationTrace", "Award", "AwardLine", "Cap", "CapCut", "Cost", "Instalment", "LoanCase", "LprRate",
    "RateChange", "RateTables", "Repayment", "SegmentTrace", "caps", "check_case", "compute", "fen",
    "load_rate_tables", "schedules",
]
