"""The segment engine: events → segments → closed-form accruals → allocation → award.

The timeline from ``disbursed_on`` to ``calc_until`` is cut at every event
(instalment due date, acceleration, repayment, cost, rate change), every LPR change
a floating rate or cap depends on, and every cap window edge (regime change).  On
each date the engine, in this order, applies rate changes, makes instalments due,
books costs and allocates repayments; then each balance accrues over the segment to
the next cut in closed form, ``base × rate × days / basis``:

* contract interest (``interest``) on the principal not yet due, into a loan-level
  pool that falls due with the next instalment (or is replaced by the instalment's
  stated interest when the schedule gives one);
* penalty interest (``penalty_interest``) on each instalment's overdue principal;
* compound interest (``compound_interest``) on each instalment's unpaid due
  interest, at the compound rate (default: the penalty rate).

Overdue instalments accruing a component at one rate form a *regime* (all overdue instalments, or,
for an LPR-linked rate fixed at each instalment's due date, those due on one date): over a segment a
regime accrues once, ``Σ base × rate × days / basis``, which is exactly the sum of its instalments'
accruals, and is traced as one row covering those instalments.  Each instalment's share is booked
lazily: the regime adds up the accrual per yuan of base (``rate × days / basis`` after the caps'
cuts) over the segments, and an instalment's penalty (compound) interest is its base times what that
sum grew by since its base last changed — settled when a payment reaches the instalment, its base
changes, or at the end (:meth:`_Ledger.settle`).  A segment thus costs O(regimes), not O(instalments).

Caps then cut each segment's accrual (see :class:`~ruledsl.calc.model.Cap`).  An ``unsupported``
cap cuts nothing: it marks each accrual's share above it as natural debt, which each balance (the
pool, each instalment's interest, penalty and compound interest) carries as its *band*.  A payment
settles a balance's enforceable part, then its band (民法典 560 ¶2); what of a band is paid stays
paid, and only the bands left unpaid are taken off the award lines at the end (``award.unsupported``).

Stated interest under a cap.  A *period* runs from the previous due date (or the
disbursement) to an instalment's due date.  When the instalment states its interest
(``Instalment.interest``), that figure replaces the day-count interest pooled over the
period, so the per-segment cuts of that pool no longer reach anything.  The cap is
therefore applied again, to the stated interest, over the whole period:

* per segment, each cap of a kind (``remove``, then ``unsupported``) covering
  ``interest`` leaves contract interest a *headroom*: its allowance
  ``outstanding × cap rate × days / basis`` less the penalty and compound interest it
  covers that the segment keeps after its cut (contract interest is cut last, so this
  is exactly what a day-count accrual of that segment could have kept); with several
  caps of a kind, the smallest headroom;
* the period's allowance is the sum of its segments' headrooms; when a cap window
  covers only part of the period, the stated interest is spread over the period in
  proportion to the principal not yet due times days (yuan-days), and the share of the
  uncovered days is allowed as stated;
* the stated interest is limited to that allowance (several stated instalments on one
  date share it in instalment order).  ``remove`` takes the excess off the instalment's
  interest; ``unsupported`` records it as a natural debt the court does not award.

The trace marks the period's day-count interest rows as replaced, adds a row with the
stated interest (``rate`` = the stated interest as an annual rate on the period's
yuan-days), drops the replaced pool's interest cuts from the segment cut rows and
records the cut of the stated interest as a :class:`~ruledsl.calc.award.CapCut` with
``applies_to="stated interest #n"``.  Example (法发〔2017〕22号, 24%): 10,000 at 30% with
one instalment stating 3,000.00 over 365 days → 10,000 × 24% × 365 / 365 = 2,400.00.

Arithmetic: balances are exact rationals (:class:`fractions.Fraction` built from the
Decimal inputs), because ``/ 365`` does not terminate in decimal and a sum of
rounded parts could land on the other side of a half fen.  Nothing is rounded inside
the engine; :func:`ruledsl.calc.award.fen` rounds each award line half-up once.

The order a payment goes in (民法典 560/561) and the order a cap cuts in (compound, penalty,
contract interest) are those of :mod:`ruledsl.calc.allocation`, which the integer kernel
(:mod:`ruledsl.calc.kernel`) follows too.  ``compute(case, trace=False)`` asks the shape
dispatcher (:mod:`ruledsl.calc.shape`) whether the kernel takes the case; every other case runs
here without its trace.

LPR-linked rates and caps (:class:`~ruledsl.calc.model.LprRate`, ``Cap.lpr_multiple``) are looked
up in the ``tables`` the caller passes (:class:`LprTables`); the engine reads no file.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

from ruledsl.calc.allocation import cut_excess, payment_order
from ruledsl.calc.award import (
    LINE_LABELS,
    AllocationTrace,
    Award,
    AwardLine,
    CapCut,
    FigureAward,
    SegmentTrace,
    due_split,
    fen,
    instalment_ranges,
    overpayment_note,
    show,
)
from ruledsl.calc.card import compute_card
from ruledsl.calc.kernel import award as kernel_award
from ruledsl.calc.model import (
    CIVIL_560,
    CIVIL_561,
    COMPOUND,
    DEFAULT_ORDER,
    FEES,
    INTEREST,
    PENALTY,
    PRINCIPAL,
    Cap,
    LoanCase,
    LprRate,
    Rate,
)
from ruledsl.calc.shape import exact_lines, kernel_case
from ruledsl.calc.validate import check_case
from ruledsl.core.errors import RulesRuntimeError

ZERO = Fraction(0)
ONE_DAY = timedelta(days=1)
KINDS = ("remove", "unsupported")  # caps of each kind, in this order, cut each segment


class LprTables(Protocol):
    """What the engine asks of LPR tables (the tables of ``rulesets/cn/tables``, as a ruleset loads them)."""

    def lpr_at(self, day: date, term: str) -> Decimal:
        """The LPR of ``term`` (``one_year``, ``five_year``) in force on ``day``; LookupError before the first."""

    def lpr_changes(self, start: date, end: date, term: str) -> list[date]:
        """The dates after ``start`` and up to ``end`` on which the LPR of ``term`` changed."""


class _Inst:
    __slots__ = ("n", "due", "original_due", "sched", "principal", "is_due", "interest", "penalty", "compound",
                 "interest_band", "penalty_band", "compound_band", "regime", "at")

    def __init__(self, n: int, due: date, original_due: date, sched: Fraction | None, principal: Fraction):
        self.n = n
        self.due = due
        self.original_due = original_due
        self.sched = sched
        self.principal = principal
        self.is_due = False
        self.interest = ZERO
        self.penalty = ZERO
        self.compound = ZERO
        # of each balance, the part an ``unsupported`` cap leaves owed as a natural debt, not yet paid
        self.interest_band = ZERO
        self.penalty_band = ZERO
        self.compound_band = ZERO
        # once due: per component (PENALTY, COMPOUND), its regime, and the regime's (unit, band) when this
        # instalment's share was last settled into ``penalty`` / ``compound`` (see _Ledger.settle)
        self.regime: dict[str, _Regime] = {}
        self.at: dict[str, tuple[Fraction, Fraction]] = {}


class _Regime:
    """The overdue instalments accruing one component at one rate (see the module docstring)."""

    __slots__ = ("component", "key", "base", "members", "unit", "band", "_runs")

    def __init__(self, component: str, key: date | None):
        self.component = component
        self.key = key      # None: every overdue instalment; a date: those due on it (a rate fixed at it)
        self.base = ZERO    # Σ of the members' bases (overdue principal; unpaid due interest)
        self.members: dict[int, _Inst] = {}  # number → instalment, those with a positive base
        self.unit = ZERO    # Σ over the segments of the accrual per yuan of base, after the caps' cuts
        self.band = ZERO    # the same of the natural debt an ``unsupported`` cap marks
        self._runs: tuple[tuple[int, int], ...] | None = None

    def rebase(self, inst: _Inst, old: Fraction, new: Fraction) -> None:
        """``inst``'s base went from ``old`` to ``new`` (its share settled before)."""
        if new == old:
            return
        self.base += new - old
        if (old > 0) != (new > 0):
            n, runs = inst.n, self._runs
            if new > 0:
                self.members[n] = inst
            else:
                del self.members[n]
            # the runs, kept as the usual changes go (the next instalment falls due, the oldest is paid)
            if runs is None:
                return
            if new > 0 and (not runs or n > runs[-1][1] + 1):
                self._runs = (*runs, (n, n))
            elif new > 0 and n == runs[-1][1] + 1:
                self._runs = (*runs[:-1], (runs[-1][0], n))
            elif new <= 0 and runs[0][0] == n:
                self._runs = runs[1:] if runs[0][1] == n else ((n + 1, runs[0][1]), *runs[1:])
            else:
                self._runs = None

    def runs(self) -> tuple[tuple[int, int], ...]:
        """The members' numbers as runs (first, last), for the trace."""
        if self._runs is None:
            out: list[list[int]] = []
            for n in sorted(self.members):
                if out and out[-1][1] == n - 1:
                    out[-1][1] = n
                else:
                    out.append([n, n])
            self._runs = tuple((a, b) for a, b in out)
        return self._runs


class _Period:
    """What the caps allow contract interest over one period (from the last due date), per cap kind."""

    __slots__ = ("start", "seg_at", "cut_at", "headroom", "uncovered", "weight", "kept",
                 "unsupported_interest", "caps")

    def __init__(self, start: date, seg_at: int, cut_at: int):
        self.start = start
        self.seg_at = seg_at
        self.cut_at = cut_at
        self.headroom: dict[str, Fraction] = {}     # kind → Σ headroom of the covered segments
        self.uncovered: dict[str, Fraction] = {}    # kind → yuan-days of the segments no such cap covers
        self.weight = ZERO                          # yuan-days of the period (principal not yet due × days)
        self.kept = ZERO                            # day-count interest accrued after ``remove`` cuts
        self.unsupported_interest = ZERO            # day-count interest recorded as natural debt
        self.caps: dict[str, list[Cap]] = {}        # kind → the caps that reached the period


class _Rates:
    """Resolves a Rate to an exact annual fraction on a day, with a description for the trace."""

    def __init__(self, tables: LprTables | None, start: date | None = None):
        self._tables = tables
        self._start = start  # the disbursement: a repriced rate's anchor before its first repricing date
        self._cache: dict[object, tuple[Fraction, Decimal, str]] = {}

    @property
    def tables(self) -> LprTables:
        if self._tables is None:
            raise RulesRuntimeError.at(
                "this case has a rate or a cap tied to the LPR, but no LPR tables were given",
                hint="pass compute(case, tables=…): anything with lpr_at(day, term) and "
                     "lpr_changes(start, end, term), such as the LPR tables of rulesets/cn/tables")
        return self._tables

    def lpr(self, term: str, day: date) -> Decimal:
        try:
            return self.tables.lpr_at(day, term)
        except LookupError as exc:
            raise RulesRuntimeError.at(str(exc), hint="LPR is published from 2019-08-20; use the benchmark "
                                                      "rate table for earlier dates") from None

    def resolve(self, rate: Rate, day: date, anchor: date) -> tuple[Fraction, Decimal, str]:
        if isinstance(rate, Decimal):
            hit = self._cache.get(rate)
            if hit is None:
                hit = self._cache[rate] = (Fraction(rate), rate, "约定 agreed")
            return hit
        if rate.fixing == "floating":
            when = day
        elif rate.fixing == "repriced":  # the LPR on the last repricing date by ``day``, held until the next
            k = bisect_right(rate.dates, day)
            last = rate.dates[k - 1] if k else None
            start = self._start
            when = last if last is not None and (start is None or last > start) else (rate.at or start or anchor)
        else:
            when = rate.at or anchor
        key = (rate, when)
        hit = self._cache.get(key)
        if hit is None:
            value = rate.multiple * self.lpr(rate.term, when) + rate.spread
            if value < 0:
                raise RulesRuntimeError.at(
                    f"{rate.describe()} is {(value * 100).normalize():f}% on {when.isoformat()}: a negative rate",
                    hint="a spread below the LPR (减点) cannot take the rate under zero; check the spread")
            source = f"{rate.describe()}: LPR on {when.isoformat()} = {(self.lpr(rate.term, when) * 100).normalize():f}%"
            hit = self._cache[key] = (Fraction(value), value, source)
        return hit

    def uses_anchor(self, rate: Rate) -> bool:
        """Whether :meth:`resolve` reads ``anchor`` for ``rate`` — an LPR-linked rate fixed at its anchor,
        which for penalty and compound interest is each instalment's due date — so that overdue
        instalments may accrue it at different rates on one day (one regime per due date)."""
        if not isinstance(rate, LprRate) or rate.fixing == "floating":
            return False
        if rate.fixing == "repriced":  # the anchor only before the first repricing date, with no ``at`` nor start
            return rate.at is None and self._start is None
        return rate.at is None  # fixed: the LPR on ``at``, else on the anchor

    def cap_rate(self, cap: Cap, day: date) -> tuple[Fraction, Decimal]:
        if cap.rate is not None:
            return Fraction(cap.rate), cap.rate
        value = cap.lpr_multiple * self.lpr("one_year", cap.lpr_at or day)
        return Fraction(value), value


def _floating_terms(case: LoanCase) -> set[str]:
    terms: set[str] = set()
    rates: list[Rate | None] = [case.contract_rate, case.penalty_rate, case.compound_rate]
    for change in case.rate_changes:
        rates += [change.contract_rate, change.penalty_rate, change.compound_rate]
    for rate in rates:
        if isinstance(rate, LprRate) and rate.fixing == "floating":
            terms.add(rate.term)
    if any(cap.lpr_multiple is not None and cap.lpr_at is None for cap in case.caps):
        terms.add("one_year")
    return terms


def _repricing_dates(case: LoanCase) -> set[date]:
    """The repricing dates (重定价日) of the case's repriced LPR rates: the timeline is cut at each."""
    rates: list[Rate | None] = [case.contract_rate, case.penalty_rate, case.compound_rate]
    for change in case.rate_changes:
        rates += [change.contract_rate, change.penalty_rate, change.compound_rate]
    return {d for rate in rates if isinstance(rate, LprRate) and rate.fixing == "repriced" for d in rate.dates}


def _band_label(caps: tuple[Cap, ...]) -> str:
    """The natural debt's band for the allocation trace: ``24–36% band`` from an ``unsupported`` cap at 24%
    and the lowest ``remove`` cap above it (36%), ``above 24%`` without one."""
    lows = [cap.rate for cap in caps if cap.kind == "unsupported" and cap.rate is not None]
    if not lows:
        return "above the supported rate"
    low = min(lows)
    highs = [cap.rate for cap in caps if cap.kind == "remove" and cap.rate is not None and cap.rate > low]
    low_text = f"{(low * 100).normalize():f}"
    if not highs:
        return f"above {low_text}%"
    return f"{low_text}–{(min(highs) * 100).normalize():f}% band"


def compute(case: LoanCase, tables: LprTables | None = None, *, validate: bool = True,
            trace: bool = True) -> Award:
    """Compute the award of ``case``: rounded lines plus the full per-segment trace (a card account,
    a case with ``postings``, by :func:`ruledsl.calc.card.compute_card`).

    ``tables`` holds the LPR tables (:class:`LprTables`); a case with an LPR-linked rate or cap
    needs them (:class:`~ruledsl.core.errors.RulesRuntimeError` without).  Raises
    :class:`~ruledsl.core.errors.InputError` for a bad case and
    :class:`~ruledsl.core.errors.RulesRuntimeError` when a rate needs an LPR that is not in the table.

    ``trace=False`` (batch use) gives the same figures, overpayment, unsupported amounts and notes
    without building the trace: a :class:`~ruledsl.calc.award.FigureAward` (``segments``, ``cuts``
    and ``allocations`` stay empty, ``award.traced`` is False).  Cases of the kernel's shape (see
    :mod:`ruledsl.calc.shape`) then take the integer kernel of :mod:`ruledsl.calc.kernel`.
    """
    if case.postings:  # a card account as issued: its own walk over postings and statements
        return compute_card(case, trace=trace)
    if not trace:
        found = kernel_case(case)
        if found is not None:
            return kernel_award(case, found, exact_lines)
    if validate:
        check_case(case)
    return _Ledger(case, _Rates(tables, case.disbursed_on), trace).run()


class _Ledger:
    """One run of the engine over one case: the balances, the trace, and the walk over the timeline."""

    def __init__(self, case: LoanCase, rates: _Rates, trace: bool):
        self.case, self.rates, self.trace = case, rates, trace
        dc = case.day_count
        self.basis = dc.basis
        self.offset = ONE_DAY if not dc.first_day else timedelta(0)  # (a, b] counting looks rates up a day later
        acc = case.accelerated_on
        self.insts: list[_Inst] = []
        for n, item in enumerate(case.instalments, start=1):
            due = min(item.due_on, acc) if acc else item.due_on
            sched = None if item.interest is None or due != item.due_on else Fraction(item.interest)
            self.insts.append(_Inst(n, due, item.due_on, sched, Fraction(item.principal)))
        self.contract_rate = case.contract_rate
        self.penalty_rate = case.penalty_rate if case.penalty_rate is not None else case.contract_rate
        self.compound_rate = case.compound_rate
        self.pool = ZERO
        self.outstanding = sum((i.principal for i in self.insts), ZERO)  # kept as payments reach principal
        self.not_due = self.outstanding  # of it, the principal of the instalments not yet due
        self.regimes: dict[str, dict[date | None, _Regime]] = {PENALTY: {}, COMPOUND: {}}
        self.costs: list[list] = []  # [n, label, balance]
        self.award = Award(lines={}, traced=trace)
        self.pool_band = ZERO  # of the pool, the natural debt not yet paid (see _Inst.interest_band)
        self.banded = any(cap.kind == "unsupported" for cap in case.caps)
        self.band_part = {c: f"{c} ({_band_label(case.caps)}, natural debt)" for c in (INTEREST, PENALTY, COMPOUND)} \
            if self.banded else {}
        self.overpaid = ZERO
        self.cite = {c: case.citation(c) for c in (INTEREST, PENALTY, COMPOUND, FEES)}
        self.plan = payment_order(tuple(case.allocation_order), case.allocation_by)
        self.allocation_cite = CIVIL_561 + ("（约定顺序）" if case.allocation_order != DEFAULT_ORDER else "") \
            + "；" + CIVIL_560 + "（先到期者先抵充）"
        self.period = _Period(case.disbursed_on, 0, 0)
        # 到期日次日起算: an instalment due on D starts its overdue interest on D + 1 (see fall_due)
        self.late = ONE_DAY if case.overdue_day_after else timedelta(0)
        self.last_day: list[_Inst] = []  # then: due today, interest by day count, so today is in the term
        self.stated_any = any(i.sched is not None for i in self.insts)
        self.track = bool(case.caps) and self.stated_any  # stated interest may meet a cap

    def run(self) -> Award:
        case = self.case
        due_at = _by_date((i.due, i) for i in self.insts)
        pay_at = _by_date((r.paid_on, r) for r in case.repayments)
        cost_at = _by_date((c.incurred_on, c) for c in case.costs)
        change_at = _by_date((ch.effective_on, ch) for ch in case.rate_changes)
        late_at = _by_date((i.due + self.late, i) for i in self.insts) if self.late else {}
        timeline = self.timeline()
        for k, t in enumerate(timeline):
            for ch in change_at.get(t, ()):
                self.contract_rate = ch.contract_rate if ch.contract_rate is not None else self.contract_rate
                self.penalty_rate = ch.penalty_rate if ch.penalty_rate is not None else self.penalty_rate
                self.compound_rate = ch.compound_rate if ch.compound_rate is not None else self.compound_rate
                if ch.penalty_rate is not None or ch.compound_rate is not None:
                    self.regroup()
            if t in late_at:
                self.last_day = []
                for inst in late_at[t]:
                    self.join(inst)
            if t in due_at:
                self.fall_due(t, due_at[t])
            for c in cost_at.get(t, ()):
                self.costs.append([len(self.costs) + 1, c.label, Fraction(c.amount)])
            for r in pay_at.get(t, ()):
                self.allocate(t, r.amount, r.for_instalment)
            if k + 1 < len(timeline):
                self.segment(t, timeline[k + 1])
        return self.result()

    def timeline(self) -> list[date]:
        """Every date the ledger is cut at: events, LPR changes a floating rate or cap follows, cap edges."""
        case, offset = self.case, self.offset
        start, end = case.disbursed_on, case.calc_until
        cuts: set[date] = {start, end}
        cuts.update(i.due for i in self.insts)
        if self.late:
            cuts.update(i.due + self.late for i in self.insts)
        cuts.update(r.paid_on for r in case.repayments)
        cuts.update(c.incurred_on for c in case.costs)
        cuts.update(r.effective_on for r in case.rate_changes)
        for term in _floating_terms(case):
            cuts.update(d - offset for d in self.rates.tables.lpr_changes(start, end + offset, term))
        cuts.update(d - offset for d in _repricing_dates(case))  # (a, b] counting: the day d is at d's LPR
        for cap in case.caps:
            for edge in (cap.from_on, cap.before):
                if edge is not None:
                    cuts.add(edge - offset)
        return sorted(d for d in cuts if start <= d <= end)

    def fall_due(self, t: date, dues: list[_Inst]) -> None:
        """Instalments fall due on ``t``: the first takes the day-count pool, a stated interest replaces it."""
        stated = [inst for inst in dues if inst.sched is not None]
        take_pool = dues[0].sched is None  # the first instalment due takes the day-count pool
        for inst in stated:
            inst.interest = inst.sched
        if take_pool:
            dues[0].interest = self.pool
            dues[0].interest_band = self.pool_band
        if stated:
            _cap_stated(self.case, self.period, stated, take_pool, t, self.basis, self.award, self.trace,
                        self.cite[INTEREST])
        for inst in dues:
            inst.is_due = True
            self.not_due -= inst.principal
            if not self.late:
                self.join(inst)
            elif inst.sched is None:  # its overdue interest starts tomorrow (run() joins it then); its
                self.last_day.append(inst)  # interest by day count runs today, the term's last day
        self.pool = self.pool_band = ZERO  # a pool replaced by stated interest goes with its natural debt
        self.period = _Period(t, len(self.award.segments), len(self.award.cuts))

    def overdue_rate(self, component: str) -> Rate:
        if component == PENALTY or self.compound_rate is None:
            return self.penalty_rate
        return self.compound_rate

    def join(self, inst: _Inst) -> None:
        """A due instalment joins the regime of each component it accrues (penalty; compound when agreed)."""
        for component in (PENALTY, COMPOUND) if self.case.compound else (PENALTY,):
            # a rate fixed on the first overdue day (the LPR "then in force") is fixed per that day
            key = inst.due + self.late if self.rates.uses_anchor(self.overdue_rate(component)) else None
            regimes = self.regimes[component]
            regime = regimes.get(key)
            if regime is None:
                regime = regimes[key] = _Regime(component, key)
            inst.regime[component] = regime
            inst.at[component] = (regime.unit, regime.band)
            regime.rebase(inst, ZERO, inst.principal if component == PENALTY else inst.interest)

    def settle(self, inst: _Inst) -> None:
        """Book into ``inst`` its share of what its regimes accrued since it was last settled: its base
        (unchanged since, as every change of a base settles first) × the growth of the regime's sums."""
        for component, regime in inst.regime.items():
            unit, band = inst.at[component]
            if regime.unit is unit and regime.band is band:
                continue
            inst.at[component] = (regime.unit, regime.band)
            banded = regime.band is not band
            if component == PENALTY:
                if inst.principal:
                    inst.penalty += inst.principal * (regime.unit - unit)
                    if banded:
                        inst.penalty_band += inst.principal * (regime.band - band)
            elif inst.interest:
                inst.compound += inst.interest * (regime.unit - unit)
                if banded:
                    inst.compound_band += inst.interest * (regime.band - band)

    def regroup(self) -> None:
        """The penalty or compound rate changed: settle every due instalment and form the regimes anew
        (whether a rate is fixed at each due date may have changed with it)."""
        due = [inst for inst in self.insts if inst.regime]  # those whose overdue interest runs
        for inst in due:
            self.settle(inst)
            inst.regime, inst.at = {}, {}
        self.regimes = {PENALTY: {}, COMPOUND: {}}
        for inst in due:
            self.join(inst)

    def pool_allocatable(self) -> bool:
        """The day-count pool may be paid before it falls due unless the coming instalment states its interest."""
        for inst in self.insts:
            if not inst.is_due:
                return inst.sched is None
        return True

    def allocate(self, paid_on: date, amount: Decimal, designated: int | Decimal | None = None) -> None:
        """One repayment, in the payment order of :mod:`ruledsl.calc.allocation` (民法典 560, 561); one the
        debtor ``designated`` for an instalment settles that instalment first (560 ¶1) — what is due of
        it in the payment order, else (paid ahead) its principal — and the rest goes the usual way."""
        left = Fraction(amount)
        parts: list[tuple[str, int | None, Decimal]] = []
        trace = self.trace

        def take(component: str, n: int | None, balance: Fraction) -> Fraction:
            nonlocal left
            if left <= 0 or balance <= 0:
                return balance
            paid = balance if balance <= left else left
            left -= paid
            if trace:
                parts.append((component, n, show(paid)))
            return balance - paid

        def take_banded(component: str, n: int | None, balance: Fraction, band: Fraction) -> tuple[Fraction, Fraction]:
            """A balance holding a natural debt (``band``): its enforceable part first (民法典 560 ¶2: the
            heavier burden), then the band, which the debtor may pay and not reclaim; returns both left."""
            if band <= 0:
                return take(component, n, balance), band
            rest = take(component, n, balance - band)
            band = take(self.band_part[component], n, band)
            return rest + band, band

        def pay_due(inst: _Inst, component: str) -> None:
            if left <= 0:
                return
            self.settle(inst)  # its penalty and compound interest to date, before a base changes
            if component == INTEREST:
                old = inst.interest
                inst.interest, inst.interest_band = take_banded(INTEREST, inst.n, inst.interest, inst.interest_band)
                if COMPOUND in inst.regime:  # not yet on its due date when overdue interest runs the day after
                    inst.regime[COMPOUND].rebase(inst, old, inst.interest)
            elif component == PENALTY:
                inst.penalty, inst.penalty_band = take_banded(PENALTY, inst.n, inst.penalty, inst.penalty_band)
            elif component == COMPOUND:
                inst.compound, inst.compound_band = take_banded(COMPOUND, inst.n, inst.compound, inst.compound_band)
            elif component == PRINCIPAL:
                old = inst.principal
                inst.principal = take(PRINCIPAL, inst.n, inst.principal)
                if PENALTY in inst.regime:
                    inst.regime[PENALTY].rebase(inst, old, inst.principal)
                self.outstanding -= old - inst.principal

        def pay_ahead(inst: _Inst) -> None:  # principal of an instalment not yet due
            if left <= 0:
                return
            old = inst.principal
            inst.principal = take(PRINCIPAL, inst.n, inst.principal)
            self.outstanding -= old - inst.principal
            self.not_due -= old - inst.principal

        def pay_fees() -> None:
            for cost in self.costs:
                cost[2] = take(FEES, None, cost[2])

        plan = self.plan
        if designated is not None:
            chosen = self.insts[int(designated) - 1]
            if chosen.is_due:
                for component in plan.due:
                    if component != FEES:
                        pay_due(chosen, component)
            else:  # paid ahead for an instalment not yet due: its principal (no interest is owed on it yet)
                pay_ahead(chosen)
        due = [inst for inst in self.insts if inst.is_due]
        if plan.by_instalment:
            pay_fees()
            for inst in due:
                for component in plan.due[1:]:
                    pay_due(inst, component)
        else:
            for component in plan.due:
                if component == FEES:
                    pay_fees()
                    continue
                for inst in due:
                    pay_due(inst, component)
        for component in plan.not_due:  # what is not yet due comes last (民法典 560)
            if component == INTEREST and self.pool_allocatable():
                self.pool, self.pool_band = take_banded(INTEREST, None, self.pool, self.pool_band)
            elif component == PRINCIPAL:
                for inst in self.insts:
                    if not inst.is_due:
                        pay_ahead(inst)
        if left > 0:
            self.overpaid += left
            self.award.notes.append(overpayment_note(amount, paid_on, left))
        if trace:
            cite = self.allocation_cite if designated is None else \
                f"{CIVIL_560}（债务人指定清偿第{int(designated)}期）；" + self.allocation_cite
            self.award.allocations.append(AllocationTrace(paid_on, amount, tuple(parts), show(left), cite))

    def segment(self, t: date, nxt: date) -> None:
        """Accrue every balance from ``t`` to ``nxt`` in closed form, trace it, cap it, book it.

        Contract interest accrues on the principal not yet due into the pool; each regime of overdue
        instalments accrues on the sum of its members' bases, and what it keeps after the caps is
        booked as the regime's accrual per yuan of base (each instalment's share is settled later)."""
        case, rates, basis = self.case, self.rates, self.basis
        days = (nxt - t).days
        look = t + self.offset
        seg: list[tuple[str, _Regime | _Inst | None, Fraction, Fraction, Decimal, str]] = []  # comp, regime, base, amount …
        not_due = self.not_due
        if not_due > 0:
            r, rd, src = rates.resolve(self.contract_rate, look, case.disbursed_on)
            seg.append((INTEREST, None, not_due, not_due * r * days / basis, rd, src))
        for inst in self.last_day:  # 到期日次日起算: its due date is the last day of its term
            if inst.principal > 0:
                r, rd, src = rates.resolve(self.contract_rate, look, case.disbursed_on)
                seg.append((INTEREST, inst, inst.principal, inst.principal * r * days / basis, rd, src))
        for component, regimes in self.regimes.items():
            rate = self.overdue_rate(component)
            for regime in regimes.values():
                if not regime.members:
                    continue
                anchor = regime.key or next(iter(regime.members.values())).due + self.late  # the same for all
                r, rd, src = rates.resolve(rate, look, anchor)
                seg.append((component, regime, regime.base, regime.base * r * days / basis, rd, src))
        if self.trace:
            cite = self.cite
            for comp, regime, base, amount, rd, src in seg:
                rule = f"{LINE_LABELS[comp]}：基数 × 年利率 × 天数 / {basis}（{comp}: base × rate × days / {basis}）"
                n, runs = None, None
                if type(regime) is _Inst:
                    n = regime.n
                elif regime is not None:
                    runs = regime.runs()
                    if len(regime.members) == 1:
                        n, runs = runs[0][0], None
                    else:
                        what = "overdue principal" if comp == PENALTY else "interest due and unpaid"
                        rule += f"; base = Σ {what} of the {len(regime.members)} instalments {instalment_ranges(runs)}"
                self.award.segments.append(SegmentTrace(
                    t, nxt, days, comp, n, show(base), rd, src, basis, show(amount), amount, rule, cite[comp], runs))
        amounts = [item[3] for item in seg]
        bands = [ZERO] * len(seg) if self.banded else None  # of each accrual, what is natural debt
        if self.stated_any:
            self.period.weight += not_due * days
        if case.caps and (seg or self.track):
            self.cap_segment(t, nxt, days, look, seg, amounts, not_due, bands)
        for (_, regime, base, *_), amount in zip(seg, amounts, strict=True):
            if regime is None:
                self.pool += amount
            elif type(regime) is _Inst:  # a day of interest of an instalment due today (see last_day)
                regime.interest += amount
            else:
                regime.unit = regime.unit + amount / base  # a new object: settle() tells it moved
        if bands:
            for (_, regime, base, *_), band in zip(seg, bands, strict=True):
                if regime is None:
                    self.pool_band += band
                elif type(regime) is _Inst:
                    regime.interest_band += band
                elif band:
                    regime.band = regime.band + band / base

    def cap_segment(self, t: date, nxt: date, days: int, look: date, seg: list, amounts: list[Fraction],
                    not_due: Fraction, bands: list[Fraction] | None) -> None:
        """Each cap in force on the segment cuts its accrual (``remove`` caps first; ``unsupported`` ones mark
        the natural debt in ``bands``); with stated interest ahead, what the caps leave contract interest is
        added up for the period."""
        period, track = self.period, self.track
        outstanding = self.outstanding
        for kind in KINDS:
            headroom = None
            for cap in self.case.caps:
                if cap.kind != kind or not cap.covers(look):
                    continue
                room = _apply_cap(cap, self.rates, look, t, nxt, days, self.basis, outstanding, seg, amounts,
                                  self.award, bands, self.trace)
                if track and INTEREST in cap.components:
                    headroom = room if headroom is None or room < headroom else headroom
                    seen = period.caps.setdefault(kind, [])
                    if cap not in seen:
                        seen.append(cap)
            if not track:
                continue
            if headroom is None:
                period.uncovered[kind] = period.uncovered.get(kind, ZERO) + not_due * days
            else:
                period.headroom[kind] = period.headroom.get(kind, ZERO) + headroom
        if track:
            period.kept += sum((a for item, a in zip(seg, amounts, strict=True) if item[0] == INTEREST), ZERO)
            if bands:
                period.unsupported_interest += sum((b for item, b in zip(seg, bands, strict=True)
                                                    if item[0] == INTEREST), ZERO)

    def result(self) -> Award:
        """The award lines: each balance's exact figure less what is not awarded, rounded once."""
        insts, award, case = self.insts, self.award, self.case
        for inst in insts:
            self.settle(inst)
        exact = {
            "principal_outstanding": sum((i.principal for i in insts), ZERO),
            INTEREST: sum((i.interest for i in insts), ZERO) + self.pool,
            PENALTY: sum((i.penalty for i in insts), ZERO),
            COMPOUND: sum((i.compound for i in insts), ZERO),
            FEES: sum((c[2] for c in self.costs), ZERO),
        }
        # the natural debt still unpaid is not awarded; what of it was paid stays paid and is not set
        # against any other balance (法释〔2015〕18号 第二十六条, 第三十一条)
        not_due_band = sum((i.interest_band for i in insts if not i.is_due), ZERO) + self.pool_band
        if self.banded:
            for comp, band in ((INTEREST, sum((i.interest_band for i in insts), ZERO) + self.pool_band),
                               (PENALTY, sum((i.penalty_band for i in insts), ZERO)),
                               (COMPOUND, sum((i.compound_band for i in insts), ZERO))):
                if band > 0:
                    exact[comp] -= band
                    award.unsupported[comp] = show(band)
        line_cite = {"principal_outstanding": "", **self.cite}
        for name, value in exact.items():
            award.lines[name] = AwardLine(name, fen(value), value, LINE_LABELS[name], line_cite[name])
        total = sum((line.amount for line in award.lines.values()), Decimal("0.00"))
        award.lines["total"] = AwardLine("total", total, Fraction(total), LINE_LABELS["total"], "")
        # what has fallen due: the instalments due by the cut-off (all, once accelerated); the running
        # period's day-count interest (the pool) has not; each balance's natural debt comes off that balance
        not_due_interest = sum((i.interest for i in insts if not i.is_due), ZERO) + self.pool - not_due_band
        award.due = due_split(award.lines["principal_outstanding"].amount, award.lines[INTEREST].amount,
                              fen(sum((i.principal for i in insts if i.is_due), ZERO)),
                              fen(max(exact[INTEREST] - not_due_interest, ZERO)))
        award.overpaid = fen(self.overpaid)
        if case.accelerated_on:
            award.notes.append(f"{case.accelerated_on.isoformat()} 宣布提前到期：尚未到期的本金于当日全部到期（loan accelerated on "
                               f"{case.accelerated_on.isoformat()}: all principal not yet due fell due that day）")
        if self.trace:
            return award
        untraced = FigureAward.of(case, tuple(int(line.amount * 100) for line in award.lines.values()),
                                  int(award.overpaid * 100), award.unsupported or None, award.notes or None)
        untraced.lines = award.lines
        untraced.due = award.due
        return untraced


def _by_date(items) -> dict[date, list]:
    out: dict[date, list] = defaultdict(list)
    for when, item in items:
        out[when].append(item)
    return out


def _apply_cap(cap: Cap, rates: _Rates, look: date, t: date, nxt: date, days: int, basis: int,
               outstanding: Fraction, seg: list, amounts: list[Fraction], award: Award,
               bands: list[Fraction] | None, trace: bool = True) -> Fraction:
    """Cut one segment's accrual to ``cap``; returns the headroom it leaves contract interest.

    The headroom is the allowance less the other covered components the segment keeps after
    the cut (they are cut before contract interest, so it is what interest could keep).  A
    ``remove`` cut lowers ``amounts``; an ``unsupported`` one leaves them owed and marks the cut
    share of each accrual as natural debt in ``bands`` (of several such caps, the largest).
    """
    rate, rate_d = rates.cap_rate(cap, look)
    allowed = outstanding * rate * days / basis
    idx = [j for j, item in enumerate(seg) if item[0] in cap.components]
    accrued = sum((amounts[j] for j in idx), ZERO)
    others = sum((amounts[j] for j in idx if seg[j][0] != INTEREST), ZERO)
    if accrued <= allowed:
        return allowed - others
    excess = accrued - allowed
    room = allowed - (others - min(excess, others))
    have: dict[str, Fraction] = defaultdict(lambda: ZERO)
    for j in idx:
        have[seg[j][0]] += amounts[j]
    removed: list[tuple[str, Decimal]] = []
    for comp, cut in cut_excess(excess, have, cap.components):
        if trace:
            removed.append((comp, show(cut)))
        if cap.kind == "remove":
            keep = 1 - cut / have[comp]
            for j in idx:
                if seg[j][0] == comp:
                    amounts[j] *= keep
        else:
            for j in idx:
                if seg[j][0] == comp:
                    share = amounts[j] * cut / have[comp]
                    if share > bands[j]:
                        bands[j] = share
    if not trace:
        return room
    award.cuts.append(CapCut(
        t, nxt, days, cap.name, cap.kind, tuple(cap.components), show(outstanding), rate_d, show(accrued),
        show(allowed), show(accrued - allowed), tuple(removed), cap.citation,
        cap.reason or f"{', '.join(cap.components)} above {cap.describe()} on the outstanding principal"))
    return room


def _cap_stated(case: LoanCase, period: _Period, stated: list[_Inst], take_pool: bool, t: date, basis: int,
                award: Award, trace: bool, citation: str) -> None:
    """Stated interest falls due on ``t`` for ``period``: limit it to what the caps allow over the period.

    See the module docstring.  ``stated`` instalments already hold their stated interest; a
    ``remove`` cut lowers it, an ``unsupported`` cut is recorded as the instalment's natural debt.  When
    the day-count pool is discarded (not ``take_pool``), its natural debt goes with it (see ``fall_due``).
    """
    days = (t - period.start).days
    if trace:
        _mark_replaced(period, stated, take_pool, t, days, basis, award, citation)
    for kind in KINDS:
        headroom = period.headroom.get(kind)
        if headroom is None:
            continue  # no cap of this kind covering interest reached the period
        have = [inst.interest for inst in stated]  # after the ``remove`` cut for ``unsupported``
        total = sum(have, ZERO)
        allowed = headroom
        uncovered = period.uncovered.get(kind, ZERO)
        if uncovered and period.weight:
            allowed += total * uncovered / period.weight  # the uncovered days' share, as stated
        if take_pool:  # the day-count pool of this date used its part of the allowance first
            allowed -= period.kept - (period.unsupported_interest if kind == "unsupported" else ZERO)
        if allowed < 0:
            allowed = ZERO
        left = allowed
        for inst, amount in zip(stated, have, strict=True):
            keep = amount if amount <= left else left
            left -= keep
            cut = amount - keep
            if cut <= 0:
                continue
            if kind == "remove":
                inst.interest = keep
            else:
                inst.interest_band += cut
            if trace:
                caps = period.caps[kind]
                award.cuts.append(CapCut(
                    period.start, t, days, " / ".join(c.name for c in caps) + f" — on the stated interest #{inst.n}",
                    kind, (INTEREST,),
                    show(period.weight / days if days else ZERO), caps[0].rate
                    if caps[0].rate is not None else Decimal(0), show(amount), show(keep), show(cut),
                    ((INTEREST, show(cut)),), "；".join(dict.fromkeys(c.citation for c in caps)),
                    f"stated interest of instalment #{inst.n} for {period.start.isoformat()} → {t.isoformat()} "
                    f"above what {' / '.join(c.describe() for c in caps)} allows over the period's segments "
                    f"(Σ outstanding × cap rate × days / {basis}, less the penalty and compound interest kept"
                    + (", the uncovered days' share allowed as stated" if uncovered else "")
                    + "); the cut applies to the stated interest, which replaces the day-count interest",
                    applies_to=f"stated interest #{inst.n}"))


def _mark_replaced(period: _Period, stated: list[_Inst], take_pool: bool, t: date, days: int, basis: int,
                   award: Award, citation: str) -> None:
    """Trace: the stated interest replaces the period's day-count interest rows (and their cuts)."""
    names = ", ".join(f"#{inst.n}" for inst in stated)
    if not take_pool:
        periods = "、".join(str(inst.n) for inst in stated)
        note = f" — 由还款计划表第{periods}期载明的利息取代 (replaced by the stated interest of {names})"
        segs = award.segments
        for j in range(period.seg_at, len(segs)):
            s = segs[j]
            if s.component == INTEREST and s.instalment is None:
                segs[j] = replace(s, rule=s.rule + note)
        kept: list[CapCut] = []
        for c in award.cuts[period.cut_at:]:
            gone = sum((v for comp, v in c.removed_by_component if comp == INTEREST), Decimal(0))
            if not gone:
                kept.append(c)
                continue
            rest = tuple((comp, v) for comp, v in c.removed_by_component if comp != INTEREST)
            if rest:
                kept.append(replace(c, removed=c.removed - gone, removed_by_component=rest,
                                    reason=c.reason + f" (its cut of {gone} day-count interest is void: the stated "
                                                      f"interest of instalment {names} replaces that interest)"))
        award.cuts[period.cut_at:] = kept
    for inst in stated:
        # shown as base × rate × days / basis with base = the average principal not yet due
        rate = show(inst.sched * basis / period.weight) if period.weight else Decimal(0)
        award.segments.append(SegmentTrace(
            period.start, t, days, INTEREST, inst.n, show(period.weight / days if days else ZERO), rate,
            "还款计划表载明 (stated in the repayment schedule; rate = stated ÷ (average principal not yet due × days"
            " / basis))", basis, show(inst.sched), inst.sched,
            f"还款计划表载明的利息 {period.start.isoformat()} → {t.isoformat()}，取代该期按日计算的利息 "
            "(stated interest: replaces the day-count interest of the period)", citation))
