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

Caps then cut each segment's accrual (see :class:`~ruledsl.calc.model.Cap`).

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
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from ruledsl.calc.award import LINE_LABELS, AllocationTrace, Award, AwardLine, CapCut, SegmentTrace, fen, show
from ruledsl.calc.fast import figures
from ruledsl.calc.lpr import RateTables, load_rate_tables
from ruledsl.calc.model import (
    CIVIL_560,
    CIVIL_561,
    COMPOUND,
    FEES,
    INTEREST,
    PENALTY,
    PRINCIPAL,
    Cap,
    LoanCase,
    LprRate,
    Rate,
)
from ruledsl.calc.validate import check_case
from ruledsl.core.errors import RulesRuntimeError

ZERO = Fraction(0)
CUT_ORDER = (COMPOUND, PENALTY, INTEREST)  # a cap takes the excess from these first
ONE_DAY = timedelta(days=1)


class _Inst:
    __slots__ = ("n", "due", "original_due", "sched", "principal", "is_due", "interest", "penalty", "compound")

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

    def __init__(self, tables: RateTables | None):
        self._tables = tables
        self._cache: dict[object, tuple[Fraction, Decimal, str]] = {}

    @property
    def tables(self) -> RateTables:
        if self._tables is None:
            self._tables = load_rate_tables()
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
                hit = self._cache[rate] = (Fraction(rate), rate, "agreed")
            return hit
        when = day if rate.fixing == "floating" else (rate.at or anchor)
        key = (rate, when)
        hit = self._cache.get(key)
        if hit is None:
            value = rate.multiple * self.lpr(rate.term, when) + rate.spread
            source = f"{rate.describe()}: LPR on {when.isoformat()} = {self.lpr(rate.term, when)}"
            hit = self._cache[key] = (Fraction(value), value, source)
        return hit

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


def compute(case: LoanCase, tables: RateTables | None = None, *, validate: bool = True,
            trace: bool = True) -> Award:
    """Compute the award of ``case``: rounded lines plus the full per-segment trace.

    ``tables`` holds the LPR/benchmark tables (loaded from ``rulesets/cn/tables`` on
    first need when omitted).  Raises :class:`~ruledsl.core.errors.InputError` for a
    bad case and :class:`~ruledsl.core.errors.RulesRuntimeError` when a rate needs an
    LPR that is not in the table.

    ``trace=False`` (batch use) gives the same figures, overpayment, unsupported
    amounts and notes without building the trace (``segments``, ``cuts`` and
    ``allocations`` stay empty, ``award.traced`` is False).  Single-instalment cases
    with fixed rates then take the integer fast path of :mod:`ruledsl.calc.fast`.
    """
    if not trace:
        award = figures(case, validate=validate)
        if award is not None:
            return award
    if validate:
        check_case(case)
    rates = _Rates(tables)
    dc = case.day_count
    basis = dc.basis
    offset = ONE_DAY if not dc.first_day else timedelta(0)  # (a, b] counting looks rates up a day later
    start, end = case.disbursed_on, case.calc_until
    acc = case.accelerated_on

    insts = []
    for n, item in enumerate(case.instalments, start=1):
        due = min(item.due_on, acc) if acc else item.due_on
        sched = None if item.interest is None or due != item.due_on else Fraction(item.interest)
        insts.append(_Inst(n, due, item.due_on, sched, Fraction(item.principal)))

    # ---- cut points ------------------------------------------------------------------------------
    cuts: set[date] = {start, end}
    cuts.update(i.due for i in insts)
    cuts.update(r.paid_on for r in case.repayments)
    cuts.update(c.incurred_on for c in case.costs)
    cuts.update(r.effective_on for r in case.rate_changes)
    for term in _floating_terms(case):
        cuts.update(d - offset for d in rates.tables.lpr_changes(start, end + offset, term))
    for cap in case.caps:
        for edge in (cap.from_on, cap.before):
            if edge is not None:
                cuts.add(edge - offset)
    timeline = sorted(d for d in cuts if start <= d <= end)

    due_at: dict[date, list[_Inst]] = defaultdict(list)
    for inst in insts:
        due_at[inst.due].append(inst)
    pay_at: dict[date, list] = defaultdict(list)
    for r in case.repayments:
        pay_at[r.paid_on].append(r)
    cost_at: dict[date, list] = defaultdict(list)
    for c in case.costs:
        cost_at[c.incurred_on].append(c)
    change_at: dict[date, list] = defaultdict(list)
    for ch in case.rate_changes:
        change_at[ch.effective_on].append(ch)

    contract_rate = case.contract_rate
    penalty_rate = case.penalty_rate if case.penalty_rate is not None else contract_rate
    compound_rate = case.compound_rate
    pool = ZERO
    costs: list[list] = []  # [n, label, balance]
    award = Award(lines={}, traced=trace)
    unsupported: dict[str, Fraction] = defaultdict(lambda: ZERO)
    overpaid = ZERO
    cite = {c: case.citation(c) for c in (INTEREST, PENALTY, COMPOUND, FEES)}
    allocation_cite = CIVIL_561 + ("（约定顺序）" if case.allocation_order != (FEES, INTEREST, PENALTY, COMPOUND,
                                                                                 PRINCIPAL) else "") \
        + "；" + CIVIL_560 + "（先到期者先抵充）"

    period = _Period(start, 0, 0)
    stated_any = any(i.sched is not None for i in insts)
    track = bool(case.caps) and stated_any  # stated interest may meet a cap

    def pool_allocatable() -> bool:
        for inst in insts:
            if not inst.is_due:
                return inst.sched is None
        return True

    # ---- allocation --------------------------------------------------------------------------------
    def allocate(paid_on: date, amount: Decimal) -> None:
        nonlocal pool, overpaid
        left = Fraction(amount)
        parts: list[tuple[str, int | None, Decimal]] = []

        def take(component: str, n: int | None, balance: Fraction) -> Fraction:
            nonlocal left
            if left <= 0 or balance <= 0:
                return balance
            paid = balance if balance <= left else left
            left -= paid
            if trace:
                parts.append((component, n, show(paid)))
            return balance - paid

        def pay_inst(inst: _Inst, component: str) -> None:
            if component == INTEREST:
                inst.interest = take(INTEREST, inst.n, inst.interest)
            elif component == PENALTY:
                inst.penalty = take(PENALTY, inst.n, inst.penalty)
            elif component == COMPOUND:
                inst.compound = take(COMPOUND, inst.n, inst.compound)
            elif component == PRINCIPAL and inst.is_due:
                inst.principal = take(PRINCIPAL, inst.n, inst.principal)

        def pay_fees() -> None:
            for cost in costs:
                cost[2] = take(FEES, None, cost[2])

        def pay_not_due(component: str) -> None:
            nonlocal pool
            if component == INTEREST and pool_allocatable():
                pool = take(INTEREST, None, pool)
            elif component == PRINCIPAL:
                for inst in insts:
                    if not inst.is_due:
                        inst.principal = take(PRINCIPAL, inst.n, inst.principal)

        # what is due comes before what is not (民法典 560), whatever the agreed order of components
        order = [c for c in case.allocation_order if c != FEES]
        if case.allocation_by == "instalment":
            pay_fees()
            for inst in insts:
                if inst.is_due:
                    for component in order:
                        pay_inst(inst, component)
        else:
            for component in case.allocation_order:
                if component == FEES:
                    pay_fees()
                    continue
                for inst in insts:
                    if inst.is_due:
                        pay_inst(inst, component)
        for component in order:
            pay_not_due(component)
        if left > 0:
            overpaid += left
            award.notes.append(f"repayment of {amount} on {paid_on} exceeds everything owed by {show(left)}")
        if trace:
            award.allocations.append(AllocationTrace(paid_on, amount, tuple(parts), show(left), allocation_cite))

    # ---- segment walk ------------------------------------------------------------------------------
    for k, t in enumerate(timeline):
        for ch in change_at.get(t, ()):
            if ch.contract_rate is not None:
                contract_rate = ch.contract_rate
            if ch.penalty_rate is not None:
                penalty_rate = ch.penalty_rate
            if ch.compound_rate is not None:
                compound_rate = ch.compound_rate
        dues = due_at.get(t)
        if dues:
            stated = [inst for inst in dues if inst.sched is not None]
            take_pool = dues[0].sched is None  # the first instalment due takes the day-count pool
            for inst in stated:
                inst.interest = inst.sched
            if take_pool:
                dues[0].interest = pool
            if stated:
                _cap_stated(case, period, stated, take_pool, t, basis, award, unsupported, trace, cite[INTEREST])
            for inst in dues:
                inst.is_due = True
            pool = ZERO
            period = _Period(t, len(award.segments), len(award.cuts))
        for c in cost_at.get(t, ()):
            costs.append([len(costs) + 1, c.label, Fraction(c.amount)])
        for r in pay_at.get(t, ()):
            allocate(t, r.amount)
        if k + 1 == len(timeline):
            break
        nxt = timeline[k + 1]
        days = (nxt - t).days
        look = t + offset
        # accrue -----------------------------------------------------------------------------------
        seg: list[tuple[str, _Inst | None, Fraction, Fraction, Decimal, str]] = []  # comp, inst, base, amt
        not_due = sum((i.principal for i in insts if not i.is_due), ZERO)
        if not_due > 0:
            r, rd, src = rates.resolve(contract_rate, look, start)
            seg.append((INTEREST, None, not_due, not_due * r * days / basis, rd, src))
        for inst in insts:
            if not inst.is_due:
                continue
            if inst.principal > 0:
                r, rd, src = rates.resolve(penalty_rate, look, inst.due)
                seg.append((PENALTY, inst, inst.principal, inst.principal * r * days / basis, rd, src))
            if case.compound and inst.interest > 0:
                r, rd, src = rates.resolve(compound_rate if compound_rate is not None else penalty_rate,
                                           look, inst.due)
                seg.append((COMPOUND, inst, inst.interest, inst.interest * r * days / basis, rd, src))
        if trace:
            for comp, inst, base, amount, rd, src in seg:
                award.segments.append(SegmentTrace(
                    t, nxt, days, comp, inst.n if inst else None, show(base), rd, src, basis, show(amount),
                    amount, f"{comp}: base × rate × days / {basis}", cite[comp]))
        amounts = [item[3] for item in seg]
        if stated_any:
            period.weight += not_due * days
        if track:
            unsupported_before = unsupported[INTEREST]
        if case.caps and (seg or track):
            outstanding = sum((i.principal for i in insts), ZERO)
            for kind in ("remove", "unsupported"):
                headroom = None
                for cap in case.caps:
                    if cap.kind != kind or (cap.from_on and look < cap.from_on) or (cap.before and
                                                                                      look >= cap.before):
                        continue
                    room = _apply_cap(cap, rates, look, t, nxt, days, basis, outstanding, seg, amounts, award,
                                      unsupported, trace)
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
            period.unsupported_interest += unsupported[INTEREST] - unsupported_before
        for (comp, inst, *_), amount in zip(seg, amounts, strict=True):
            if comp == INTEREST:
                pool += amount
            elif comp == PENALTY:
                inst.penalty += amount
            else:
                inst.compound += amount

    # ---- award lines -------------------------------------------------------------------------------
    exact = {
        "principal_outstanding": sum((i.principal for i in insts), ZERO),
        INTEREST: sum((i.interest for i in insts), ZERO) + pool,
        PENALTY: sum((i.penalty for i in insts), ZERO),
        COMPOUND: sum((i.compound for i in insts), ZERO),
        FEES: sum((c[2] for c in costs), ZERO),
    }
    for comp, excess in unsupported.items():
        cut = min(excess, exact[comp])
        if cut > 0:
            exact[comp] -= cut
            award.unsupported[comp] = show(cut)
    line_cite = {"principal_outstanding": "", **cite}
    for name, value in exact.items():
        award.lines[name] = AwardLine(name, fen(value), value, LINE_LABELS[name], line_cite[name])
    total = sum((line.amount for line in award.lines.values()), Decimal("0.00"))
    award.lines["total"] = AwardLine("total", total, Fraction(total), LINE_LABELS["total"], "")
    award.overpaid = fen(overpaid)
    if acc:
        award.notes.append(f"loan accelerated on {acc.isoformat()}: all principal not yet due fell due that day")
    return award


def _apply_cap(cap: Cap, rates: _Rates, look: date, t: date, nxt: date, days: int, basis: int,
               outstanding: Fraction, seg: list, amounts: list[Fraction], award: Award,
               unsupported: dict[str, Fraction], trace: bool = True) -> Fraction:
    """Cut one segment's accrual to ``cap``; returns the headroom it leaves contract interest.

    The headroom is the allowance less the other covered components the segment keeps after
    the cut (they are cut before contract interest, so it is what interest could keep).
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
    removed: list[tuple[str, Decimal]] = []
    for comp in CUT_ORDER:
        if excess <= 0 or comp not in cap.components:
            continue
        js = [j for j in idx if seg[j][0] == comp]
        have = sum((amounts[j] for j in js), ZERO)
        if have <= 0:
            continue
        cut = min(excess, have)
        excess -= cut
        if trace:
            removed.append((comp, show(cut)))
        if cap.kind == "remove":
            keep = 1 - cut / have
            for j in js:
                amounts[j] *= keep
        else:
            unsupported[comp] += cut
    if not trace:
        return room
    award.cuts.append(CapCut(
        t, nxt, days, cap.name, cap.kind, tuple(cap.components), show(outstanding), rate_d, show(accrued),
        show(allowed), show(accrued - allowed), tuple(removed), cap.citation,
        cap.reason or f"{', '.join(cap.components)} above {cap.describe()} on the outstanding principal"))
    return room


def _cap_stated(case: LoanCase, period: _Period, stated: list[_Inst], take_pool: bool, t: date, basis: int,
                award: Award, unsupported: dict[str, Fraction], trace: bool, citation: str) -> None:
    """Stated interest falls due on ``t`` for ``period``: limit it to what the caps allow over the period.

    See the module docstring.  ``stated`` instalments already hold their stated interest; a
    ``remove`` cut lowers it, an ``unsupported`` cut is recorded as natural debt.  When the
    day-count pool is discarded (not ``take_pool``), what the per-segment caps did to it is undone.
    """
    days = (t - period.start).days
    if not take_pool:
        unsupported[INTEREST] -= period.unsupported_interest
    if trace:
        _mark_replaced(period, stated, take_pool, t, days, basis, award, citation)
    for kind in ("remove", "unsupported"):
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
                unsupported[INTEREST] += cut
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
        note = f" — replaced by the stated interest of instalment {names} (还款计划表)"
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
            "stated in the repayment schedule; rate = stated ÷ (average principal not yet due × days / basis)", basis,
            show(inst.sched), inst.sched,
            f"stated interest (还款计划表) for {period.start.isoformat()} → {t.isoformat()}: replaces the "
            "day-count interest of the period", citation))
