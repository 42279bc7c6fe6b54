"""Inputs of the loan calculation engine: plain frozen dataclasses.

Money is :class:`~decimal.Decimal` yuan, rates are annual :class:`~decimal.Decimal`
fractions (24% → ``Decimal("0.24")``), dates are :class:`datetime.date`.  Nothing
here computes; :func:`ruledsl.calc.validate.check_case` rejects bad input with an
:class:`~ruledsl.core.errors.InputError` naming the field.

Day model (one rule for every component, so segments add up)
------------------------------------------------------------
With the default :class:`~ruledsl.core.daycount.DayCount` ``(365, first_day=True,
last_day=False)`` (算头不算尾) a balance that exists from date ``a`` to date ``b``
accrues for ``b − a`` days:

* contract interest runs from ``disbursed_on`` to each instalment's ``due_on``;
* an instalment is overdue **from** its ``due_on``: penalty interest on its unpaid
  principal and compound interest on its unpaid interest run from ``due_on`` to the
  day it is paid (a payment made on ``due_on`` itself is on time: 0 overdue days);
* ``calc_until`` is the end of the last segment (not counted, like every end date).

``DayCount(basis, first_day=False, last_day=True)`` counts the same number of days
but each day is ``(a, b]``: a rate in force on day ``d`` is looked up for the day
after the segment start.  Counting both ends or neither is not additive over
segments (cutting a period in two would add or drop a day), so the engine refuses it
rather than give a figure that depends on where the cuts fall.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ruledsl.core.daycount import DayCount

#: Component names used for allocation order, caps and award lines.
FEES = "fees"
INTEREST = "interest"
PENALTY = "penalty_interest"
COMPOUND = "compound_interest"
PRINCIPAL = "principal"

COMPONENTS = (FEES, INTEREST, PENALTY, COMPOUND, PRINCIPAL)
ACCRUING = (INTEREST, PENALTY, COMPOUND)

#: 民法典 第五百六十一条: costs, then interest, then principal.  Among the kinds of
#: interest the older obligation goes first: contract interest falls due on the due
#: date, penalty and compound interest accrue after it.
DEFAULT_ORDER = (FEES, INTEREST, PENALTY, COMPOUND, PRINCIPAL)

CIVIL_560 = "民法典 第五百六十条"
CIVIL_561 = "民法典 第五百六十一条"
CIVIL_674 = "民法典 第六百七十四条"
CIVIL_676 = "民法典 第六百七十六条"

DEFAULT_CITATIONS: dict[str, str] = {
    INTEREST: CIVIL_674 + "（按约定支付利息）",
    PENALTY: CIVIL_676 + "（逾期利息/罚息）",
    COMPOUND: "借款合同约定（对未付利息计收复利）",
    FEES: CIVIL_561 + "（实现债权的有关费用）",
}


@dataclass(frozen=True, slots=True)
class LprRate:
    """A rate tied to the loan prime rate: ``multiple × LPR + spread``.

    ``term`` names the LPR table the caller's :class:`~ruledsl.calc.engine.LprTables` hold
    (``one_year``, ``five_year``; a ruleset's ledger passes the name of its dated table, e.g.
    ``lpr_1y``).  ``fixing="floating"`` takes the LPR in force on each day (the timeline is cut
    at every LPR change).  ``fixing="fixed"`` takes the LPR in force on ``at``; with
    ``at=None`` the anchor is the natural one for the component: the disbursement
    date for contract interest, the instalment's due (overdue) date for penalty and
    compound interest.  ``fixing="repriced"`` (重定价日) takes, from each of ``dates`` (in
    increasing order; those on or before the disbursement are ignored) on, the LPR in force on
    that date, held until the next; before the first, the LPR on ``at`` (``None``: the
    disbursement date); the timeline is cut at each.
    """

    multiple: Decimal = Decimal(1)
    spread: Decimal = Decimal(0)
    term: str = "one_year"
    fixing: str = "floating"
    at: date | None = None
    dates: tuple[date, ...] = ()

    def describe(self) -> str:
        what = {"one_year": "1Y LPR", "five_year": "5Y LPR"}.get(self.term, self.term)
        text = f"{self.multiple.normalize():f} × {what}"
        if self.spread:
            sign = "+" if self.spread > 0 else "−"
            text += f" {sign} {(abs(self.spread) * 100).normalize():f}%"
        if self.fixing == "floating":
            return text + " (in force each day)"
        if self.fixing == "repriced":
            return text + " (repriced: the LPR on the last repricing date)"
        return text + (f" (on {self.at.isoformat()})" if self.at else " (fixed at the anchor date)")


Rate = Decimal | LprRate


@dataclass(frozen=True, slots=True)
class Instalment:
    """One instalment of principal falling due on ``due_on``.

    ``interest`` is the contract interest the schedule states for the period
    ending on ``due_on`` (a lender's 还款计划表); ``None`` means "interest accrues
    by day count on the principal not yet due" (the usual case for bullet loans).

    The period runs from the previous due date (or the disbursement) to ``due_on``;
    the stated interest replaces the day-count interest of that period.  Caps reach
    it over the whole period (see :class:`Cap`): it is limited to the sum over the
    period's segments of what each segment's cap leaves contract interest.  An
    instalment made due early by acceleration loses its stated interest (its broken
    period is counted by day).
    """

    due_on: date
    principal: Decimal
    interest: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Repayment:
    """A payment by the debtor.  ``for_instalment`` (期次, from 1) is the instalment the debtor
    designated it for when paying (民法典 第五百六十条第一款: 由债务人在清偿时指定其履行的债务): it
    settles that instalment first — its components in the payment order — and what is left goes the
    usual way; ``None``: not designated."""

    paid_on: date
    amount: Decimal
    for_instalment: int | None = None


@dataclass(frozen=True, slots=True)
class Cost:
    """A cost of enforcing the claim (实现债权的有关费用), owed from ``incurred_on``."""

    incurred_on: date
    amount: Decimal
    label: str = "fees"


@dataclass(frozen=True, slots=True)
class RateChange:
    """From ``effective_on`` on, the given rates replace the current ones (None = unchanged)."""

    effective_on: date
    contract_rate: Rate | None = None
    penalty_rate: Rate | None = None
    compound_rate: Rate | None = None


#: kinds of a card posting (记账交易): 消费 (purchase), 取现 (cash advance), and fees (年费、取现手续费、
#: 分期手续费 …), which bear no interest of any kind (银发〔2016〕111号)
PURCHASE = "purchase"
CASH = "cash"
FEE = "fee"
POSTING_KINDS = (PURCHASE, CASH, FEE)


@dataclass(frozen=True, slots=True)
class Posting:
    """One transaction on a card account as the statement lists it, booked on ``posted_on`` (记账日)."""

    posted_on: date
    amount: Decimal
    kind: str = PURCHASE
    label: str = ""


@dataclass(frozen=True, slots=True)
class Statement:
    """One monthly statement (对账单): it bills what was posted after the previous statement date up to
    and including ``statement_on`` (账单日), all of it due on ``due_on`` (到期还款日); ``minimum`` is the
    minimum payment it states (最低还款额)."""

    statement_on: date
    due_on: date
    minimum: Decimal


@dataclass(frozen=True, slots=True)
class Cap:
    """A ceiling on the interest a segment may accrue on the outstanding principal.

    Per segment, the accrual of ``components`` is compared with
    ``principal outstanding × cap rate × days / basis``; the excess is cut, last
    component of :data:`ACCRUING` order first (compound, then penalty, then
    contract interest), and the cut is written to the trace with ``citation``.

    The cap rate is ``rate`` (a fixed annual rate) or ``lpr_multiple × 1Y LPR``
    in force on ``lpr_at`` (``lpr_at=None``: the LPR in force each day).

    ``kind="remove"``: the excess is not owed at all; payments are allocated to the
    capped balances only, so whatever was paid above the cap goes on to principal
    (void-above thresholds, 4 × LPR, the 24% reduction of 法发〔2017〕22号, card
    reductions).  ``kind="unsupported"``: the excess stays owed as a natural debt —
    payments may settle it and are not clawed back — but the court does not award
    it (the 24%–36% band of the 2015 private-lending rules).  Each balance keeps its
    band apart: a payment settles the balance's enforceable part, then its band
    (民法典 560 ¶2, the heavier burden first; the allocation trace names the band's
    part, e.g. ``interest (24–36% band, natural debt)``); only the band left unpaid
    is taken off at the end, so a band paid is never set against later interest.

    The cap applies to segments inside ``[from_on, before)`` (either end open).

    Stated interest (:attr:`Instalment.interest`) replaces the day-count interest of
    its period when the instalment falls due, so a per-segment cut of that interest
    would be lost.  The cap is applied to the stated interest itself, over its period:

    * each segment the cap covers leaves contract interest a *headroom*:
      ``outstanding × cap rate × days / basis`` less the covered penalty and compound
      interest the segment keeps after its cut (contract interest is cut last, so this
      is all a day-count accrual could have kept); of several caps of one ``kind``,
      the smallest;
    * the stated interest may not exceed the sum of its period's headrooms.  If the
      cap's window covers only part of the period, the stated interest is spread over
      the period by principal not yet due × days, and the uncovered days' share is
      allowed as stated;
    * ``remove`` lowers the instalment's interest to that sum; ``unsupported`` keeps
      it owed and records the excess as not awarded.  The trace shows the cut as a
      :class:`~ruledsl.calc.award.CapCut` with ``applies_to="stated interest #n"``.

    E.g. 10,000 at 30% stating 3,000.00 for 365 days, 24% requested: the interest
    awarded is 10,000 × 24% × 365 / 365 = 2,400.00.
    """

    name: str
    citation: str
    rate: Decimal | None = None
    lpr_multiple: Decimal | None = None
    lpr_at: date | None = None
    components: tuple[str, ...] = ACCRUING
    kind: str = "remove"
    from_on: date | None = None
    before: date | None = None
    reason: str = ""

    def covers(self, day: date) -> bool:
        """Whether ``day`` lies in the cap's window ``[from_on, before)``."""
        return (self.from_on is None or day >= self.from_on) and (self.before is None or day < self.before)

    def describe(self) -> str:
        if self.rate is not None:
            text = f"{(self.rate * 100).normalize():f}% per year"
        else:
            at = self.lpr_at.isoformat() if self.lpr_at else "each day"
            text = f"{self.lpr_multiple.normalize():f} × 1Y LPR ({at})"
        return text


@dataclass(frozen=True, slots=True)
class LoanCase:
    """Everything the engine needs to compute one loan's award.

    ``instalments`` come from :mod:`ruledsl.calc.schedules` (``bullet``,
    ``equal_instalment``, ``equal_principal``, ``interest_only``, ``explicit``);
    their principal must add up to ``principal``.  ``penalty_rate`` defaults to the
    contract rate (法释〔2020〕17号 art.28: only a term rate agreed → term rate),
    ``compound_rate`` to the penalty rate; ``compound=False`` switches compound
    interest off.
    """

    principal: Decimal | None  # None for a card account (postings instead)
    disbursed_on: date | None
    contract_rate: Rate
    calc_until: date
    instalments: tuple[Instalment, ...]
    penalty_rate: Rate | None = None
    compound_rate: Rate | None = None
    compound: bool = True
    repayments: tuple[Repayment, ...] = ()
    costs: tuple[Cost, ...] = ()
    rate_changes: tuple[RateChange, ...] = ()
    accelerated_on: date | None = None
    #: 逾期利息自到期日次日起算: overdue interest (penalty, compound) on an instalment due on D runs from
    #: D + 1, D itself being the last day of the term; False (the default): from D, the first day late
    overdue_day_after: bool = False
    caps: tuple[Cap, ...] = ()
    allocation_order: tuple[str, ...] = DEFAULT_ORDER
    allocation_by: str = "component"
    day_count: DayCount = field(default_factory=DayCount)
    citations: tuple[tuple[str, str], ...] = ()
    #: a card account as issued (:mod:`ruledsl.calc.card`): its postings and statements, and the
    #: 违约金 agreed as a fraction of the part of a statement's minimum payment left unpaid at its due
    #: date (None: none agreed).  A case with postings has no principal, disbursement or instalments.
    postings: tuple[Posting, ...] = ()
    statements: tuple[Statement, ...] = ()
    late_fee_rate: Decimal | None = None

    def citation(self, component: str) -> str:
        for name, text in self.citations:
            if name == component:
                return text
        return DEFAULT_CITATIONS.get(component, "")
