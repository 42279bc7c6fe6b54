"""The bridge from a ruleset's ``ledger`` block to the loan calculation engine (:mod:`ruledsl.calc`).

A ledger block hands the engine its facts (principal, rates, schedule, repayments,
cut-off), the allocation order and the caps the ruleset imposes; the engine
returns award lines with their segments, cuts and allocations. Compiled code and
the interpreter both call :func:`run_ledger`, so the two can only agree.

Untraced runs (``trace=False``, the batch path) of the common shape — one instalment,
no costs or acceleration, the default allocation order, caps without a window that
remove — go straight to the integer kernel :func:`ruledsl.calc.fast.ledger_fen`
without building a :class:`~ruledsl.calc.LoanCase`; the award behind the figures is
computed only if someone asks for ``result.award``.  Every other case, and any input
the kernel's quick check does not accept, runs :func:`ruledsl.calc.compute`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from ruledsl.calc import Award, Cap, Cost, Instalment, LoanCase, RateChange, Repayment, compute, schedules
from ruledsl.calc.fast import ledger_fen
from ruledsl.calc.model import ACCRUING, COMPONENTS, COMPOUND, DEFAULT_ORDER, INTEREST, PENALTY
from ruledsl.core.daycount import DayCount
from ruledsl.core.money import FEN

_ZERO_FEN = Decimal("0.00")

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
    #: whether the allocation order is the default one (the integer kernel knows no other)
    quick: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "quick", self.order is None or self.order == DEFAULT_ORDER)


class LedgerSettings(NamedTuple):
    """A ledger block's settings for one case (``None``: not set).

    Compiled rules pass a plain tuple in this order (cheaper to build than a dict);
    the names document it and :meth:`_make` reads it back.
    """

    principal: Decimal
    contract_rate: Decimal
    disbursed_on: date
    until: date
    penalty_rate: Decimal | None = None
    compound_rate: Decimal | None = None
    compound: bool = True
    due_on: date | None = None
    instalments: list[dict[str, Any]] | None = None
    repayments: list[dict[str, Any]] | None = None
    costs: list[dict[str, Any]] | None = None
    rate_changes: list[dict[str, Any]] | None = None
    accelerated_on: date | None = None


class CapSpec(NamedTuple):
    """One cap as evaluated for a case (a cap whose ``when`` is false is never built).

    (A named tuple rather than a frozen dataclass: compiled rules build one per case.)
    """

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


_AWARD_SLOT = LedgerResult.award


class _QuickLedgerResult(LedgerResult):
    """A :class:`LedgerResult` from the integer kernel: ``.award`` is computed on first use."""

    __slots__ = ("_args",)
    __init__ = dict.__init__  # type: ignore[assignment]  # the figures; ``_args`` is set after

    @property
    def award(self) -> Award:  # type: ignore[override]
        try:
            return _AWARD_SLOT.__get__(self, LedgerResult)
        except AttributeError:
            award = compute(_case(*self._args), trace=False)
            _AWARD_SLOT.__set__(self, award)
            return award


#: caps as the kernel takes them, per components tuple: (covers interest, penalty, compound)
_COVERS: dict[tuple[str, ...], tuple[bool, bool, bool]] = {}


def _covers(components: tuple[str, ...]) -> tuple[bool, bool, bool]:
    hit = _COVERS.get(components)
    if hit is None:
        hit = _COVERS[components] = (INTEREST in components, PENALTY in components, COMPOUND in components)
    return hit


def run_ledger(spec: LedgerSpec, settings: tuple, caps: list[CapSpec | None], day_count: DayCount,
               trace: bool = False) -> LedgerResult:
    """Run the engine on one case; with ``trace`` the result carries every segment, cut and allocation.

    ``settings`` is a :class:`LedgerSettings` or a plain tuple in its order.
    """
    if not trace:
        return run_ledger_fast(spec, settings, caps, day_count)
    return _engine(spec, settings, caps, day_count, True)


def run_ledger_fast(spec: LedgerSpec, settings: tuple, caps: list[CapSpec | None],
                    day_count: DayCount) -> LedgerResult:
    """Untraced: the integer kernel's figures for the common shape, the engine's for every other case."""
    (principal, rc, disbursed_on, until, rp, rk, compound, due, insts, pays, costs, rate_changes,
     accelerated_on) = settings
    if costs or rate_changes or accelerated_on is not None or not spec.quick \
            or day_count.first_day == day_count.last_day:
        return _engine(spec, settings, caps, day_count, False)
    stated = None
    if insts is not None:
        if len(insts) != 1 or insts[0]["principal"] != principal:
            return _engine(spec, settings, caps, day_count, False)
        inst = insts[0]
        due = inst["due_on"]
        stated = inst.get("interest")
    kernel_caps = []
    for c in caps:
        if c is not None:
            if c.unsupported or c.start is not None or c.before is not None:
                return _engine(spec, settings, caps, day_count, False)
            kernel_caps.append((c.rate, *_covers(c.components)))
    if rp is None:
        rp = rc
    if rk is None:
        rk = rp
    lines = ledger_fen(principal, disbursed_on, rc, rp, rk, compound is not False, due, stated, until,
                       pays or (), kernel_caps, day_count.basis)
    if lines is None:  # an input the kernel's quick check does not accept: the engine checks and explains
        return _engine(spec, settings, caps, day_count, False)
    a, b, c, e, _, g = lines  # whole fen; FEN × n is calc.award.cents(n), inlined on this hot path
    result = _QuickLedgerResult(principal_outstanding=FEN * a, interest=FEN * b, penalty_interest=FEN * c,
                                compound_interest=FEN * e, fees=_ZERO_FEN, total=FEN * g)
    result._args = (spec, settings, caps, day_count)
    return result


def _engine(spec: LedgerSpec, settings: tuple, caps: list[CapSpec | None], day_count: DayCount,
            trace: bool) -> LedgerResult:
    award = compute(_case(spec, settings, caps, day_count), trace=trace)
    figures = award.figures()
    return LedgerResult({name: figures[name] for name in LEDGER_LINES}, award)


def _case(spec: LedgerSpec, settings: tuple, caps: list[CapSpec | None], day_count: DayCount) -> LoanCase:
    s = LedgerSettings._make(settings)
    if s.instalments is not None:
        instalments = tuple(Instalment(i["due_on"], i["principal"], i.get("interest")) for i in s.instalments)
    else:
        instalments = schedules.bullet(s.principal, s.due_on)
    return LoanCase(
        principal=s.principal,
        disbursed_on=s.disbursed_on,
        contract_rate=s.contract_rate,
        calc_until=s.until,
        instalments=instalments,
        penalty_rate=s.penalty_rate,
        compound_rate=s.compound_rate,
        compound=s.compound is not False,
        repayments=tuple(Repayment(r["paid_on"], r["amount"]) for r in s.repayments or ()),
        costs=tuple(Cost(c["incurred_on"], c["amount"], c.get("label", "fees")) for c in s.costs or ()),
        rate_changes=tuple(
            RateChange(r["effective_on"], r.get("contract_rate"), r.get("penalty_rate"), r.get("compound_rate"))
            for r in s.rate_changes or ()),
        accelerated_on=s.accelerated_on,
        caps=tuple(
            Cap(name=c.name, citation=c.citation, rate=c.rate, components=c.components,
                kind="unsupported" if c.unsupported else "remove", from_on=c.start, before=c.before)
            for c in caps if c is not None
        ),
        allocation_order=spec.order or DEFAULT_ORDER,
        day_count=day_count,
        citations=spec.citations,
    )
