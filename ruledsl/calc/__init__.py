"""Loan calculation engine: events → segments → accruals → allocation → award.

Imports: only ``ruledsl.core`` (and the standard library). It reads no file: LPR tables are passed in.

Public API::

    from ruledsl.calc import LoanCase, Repayment, compute, schedules
    case = LoanCase(principal=Decimal("10000"), disbursed_on=date(2023, 1, 1),
                    contract_rate=Decimal("0.12"), penalty_rate=Decimal("0.18"),
                    instalments=schedules.bullet(Decimal("10000"), date(2024, 1, 1)),
                    calc_until=date(2024, 7, 1))
    award = compute(case)          # Award: .figures(), .segments, .cuts, .allocations, .explain()
    quick = compute(case, trace=False)   # same figures, no trace (the integer kernel where it fits)
    lpr = compute(lpr_case, tables=tables)   # LPR-linked rates need tables with lpr_at / lpr_changes

The modules:

* :mod:`~ruledsl.calc.model` — the inputs (:class:`LoanCase` …) and the day model;
  :mod:`~ruledsl.calc.schedules` — repayment schedules; :mod:`~ruledsl.calc.validate` — input checks;
* :mod:`~ruledsl.calc.fields` — the ledger's fields, declared once (the language's ledger settings,
  the keyword settings compiled rules pass, and the :class:`LoanCase` they make all come from it);
* :mod:`~ruledsl.calc.engine` — the traced engine over exact fractions: the definition;
* :mod:`~ruledsl.calc.card` — a card account as issued (postings, statements, grace, 违约金), which
  ``compute`` hands a case with postings;
* :mod:`~ruledsl.calc.allocation` — the payment order (民法典 560/561) and the cap cut order, shared
  by the engine and the kernel;
* :mod:`~ruledsl.calc.shape` — the shape dispatcher: which path computes a case;
* :mod:`~ruledsl.calc.kernel` — the integer kernel (one instalment, figures only), held to the engine;
* :mod:`~ruledsl.calc.award` — the outputs, and the one place where rounding happens.

The batch path over integer fen (numpy) is the pre-check's: :mod:`ruledsl.precheck.vectorized`.
"""

from ruledsl.calc import fields, schedules
from ruledsl.calc.award import AllocationTrace, Award, AwardLine, CapCut, FigureAward, SegmentTrace, fen
from ruledsl.calc.card import check_card, compute_card
from ruledsl.calc.engine import LprTables, compute
from ruledsl.calc.fields import LEDGER_FIELDS, LedgerField, case_from_settings
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
    "ACCRUING", "COMPONENTS", "COMPOUND", "DEFAULT_ORDER", "FEES", "INTEREST", "LEDGER_FIELDS", "PENALTY",
    "PRINCIPAL", "AllocationTrace", "Award", "AwardLine", "Cap", "CapCut", "Cost", "FigureAward", "Instalment",
    "LedgerField", "LoanCase", "LprRate", "LprTables", "RateChange", "Repayment", "SegmentTrace",
    "case_from_settings", "check_card", "check_case", "compute", "compute_card", "fen", "fields", "schedules",
]
