"""The bridge from a ruleset's ``ledger`` block to the loan calculation engine (:mod:`ruledsl.calc`).

A ledger block hands the engine its facts (principal, rates, schedule, repayments,
cut-off), the allocation order and the caps the ruleset imposes; the engine
returns award lines with their segments, cuts and allocations. Compiled code and
the interpreter both call :func:`run_ledger`, so the two can only agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ..calc import Award, Cap, Cost, Instalment, LoanCase, Repayment, compute, schedules
from ..calc.model import ACCRUING, COMPONENTS, DEFAULT_ORDER
from .daycount import DayCount

#: what a ledger yields, each an amount of money rounded to the fen
LEDGER_LINES = ("principal_outstanding", "interest", "penalty_interest", "compound_interest", "fees", "total")
#: components a ledger cap may limit, and the words of an allocation order
CAP_COMPONENTS = ACCRUING
ORDER_WORDS = COMPONENTS


@dataclass(frozen=True, slots=True)
class LedgerSpec:
    """What is fixed when the ruleset compiles: the name, the allocation order and the citations.

    (The engine cites 民法典 art.560/561 for every allocation itself.)
    """

    name: str
    order: tuple[str, ...] | None
    citations: tuple[tuple[str, str], ...]  # component → citation text, overriding the engine's


@dataclass(frozen=True, slots=True)
class CapSpec:
    """One cap as evaluated for a case (a cap whose ``when`` is false is never built)."""

    name: str
    components: tuple[str, ...]
    rate: Decimal
    start: date | None
    before: date | None
    unsupported: bool
    citation: str


class LedgerResult(dict):
    """The ledger's award lines by name (Decimal, rounded to the fen); ``.award`` holds the trace."""

    __slots__ = ("award",)

    def __init__(self, figures: dict[str, Decimal], award: Award) -> None:
        super().__init__(figures)
        self.award = award


def run_ledger(spec: LedgerSpec, settings: dict[str, Any], caps: list[CapSpec | None], day_count: DayCount,
               trace: bool = False) -> LedgerResult:
    """Run the engine on one case; with ``trace`` the result carries every segment, cut and allocation."""
    principal = settings["principal"]
    if settings.get("instalments") is not None:
        instalments = tuple(Instalment(i["due_on"], i["principal"], i.get("interest"))
                            for i in settings["instalments"])
    else:
        instalments = schedules.bullet(principal, settings["due_on"])
    case = LoanCase(
        principal=principal,
        disbursed_on=settings["disbursed_on"],
        contract_rate=settings["contract_rate"],
        calc_until=settings["until"],
        instalments=instalments,
        penalty_rate=settings.get("penalty_rate"),
        compound_rate=settings.get("compound_rate"),
        compound=settings.get("compound", True) is not False,
        repayments=tuple(Repayment(r["paid_on"], r["amount"]) for r in settings.get("repayments") or ()),
        costs=tuple(Cost(c["incurred_on"], c["amount"], c.get("label", "fees")) for c in settings.get("costs") or ()),
        accelerated_on=settings.get("accelerated_on"),
        caps=tuple(
            Cap(name=c.name, citation=c.citation, rate=c.rate, components=c.components,
                kind="unsupported" if c.unsupported else "remove", from_on=c.start, before=c.before)
            for c in caps if c is not None
        ),
        allocation_order=spec.order or DEFAULT_ORDER,
        day_count=day_count,
        citations=spec.citations,
    )
    award = compute(case, trace=trace)
    figures = award.figures()
    return LedgerResult({name: figures[name] for name in LEDGER_LINES}, award)
