"""Figures-only fast path of the engine for single-instalment loans, in exact integers.

:func:`ruledsl.calc.compute` with ``trace=False`` sends a case here when it has the
common shape — one instalment (bullet, 到期一次还本付息, with or without a stated
interest), fixed agreed rates (no LPR), any repayments, costs, fixed-rate changes,
acceleration, fixed-rate caps (``remove`` or ``unsupported``, with windows), any
allocation order — and the general engine otherwise.  The ledger is the same as in
:mod:`ruledsl.calc.engine` (same cut points, same order of events on a date, same
allocation and cap rules); only the arithmetic and the output differ:

* Arithmetic: every amount is an ``int`` numerator over one common denominator per
  case, ``D = M × (R × basis)^K`` — ``M`` makes every money input whole (100 for
  amounts in fen), ``R`` every rate (the lcm of their denominators: 10⁴ for rates in
  basis points), ``K`` the number of segments.  An amount known after ``s`` segments
  is a multiple of ``(R × basis)^(K−s)`` units (payments only mix amounts, an
  accrual ``base × rate × days / basis`` adds one factor), so every accrual of
  every segment is an exact integer division.  Nothing is rounded until the award
  lines, rounded half-up to the fen once each exactly as :func:`~ruledsl.calc.award.fen`.
* Output: an :class:`~ruledsl.calc.award.Award` without segments, cuts or
  allocations; its lines are materialised on first use from the integer figures.

:func:`figures` returns ``None`` when the case is not of this shape.

Stated interest meets caps as in the engine (capped over its period; see
:class:`~ruledsl.calc.model.Cap`).  A cap window starting or ending inside the stated
period needs the engine's yuan-day spreading, so such a case is left to the engine.

:func:`ledger_fen` is the same ledger specialised further — one instalment (with or
without stated interest), no costs or acceleration, the default order, ``remove`` caps
without windows — taking a ruleset ledger's settings as they come (no
:class:`~ruledsl.calc.model.LoanCase`) and returning whole fen; untraced ledgers of
:mod:`ruledsl.runtime.ledger` run it.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from math import lcm

from ruledsl.calc.award import FigureAward, show
from ruledsl.calc.model import (
    ACCRUING,
    COMPONENTS,
    COMPOUND,
    DEFAULT_ORDER,
    FEES,
    INTEREST,
    PENALTY,
    PRINCIPAL,
    LoanCase,
)
from ruledsl.calc.validate import check_case

_DEC = Decimal
_DATE = date
_ZERO_DAY = timedelta(0)
_ONE_DAY = timedelta(days=1)
_ORDERS_OK: set[tuple[str, ...]] = {DEFAULT_ORDER}
_SORTED_COMPONENTS = sorted(COMPONENTS)
_CUT_ORDER = (COMPOUND, PENALTY, INTEREST)


def _money_ok(v: object, positive: bool) -> bool:
    return type(v) is _DEC and v.is_finite() and (v > 0 if positive else v >= 0)


def _rate_ok(v: object) -> bool:
    return v is None or (type(v) is _DEC and v.is_finite() and 0 <= v <= 1)


def _order_ok(order: tuple[str, ...]) -> bool:
    if order in _ORDERS_OK:
        return True
    if sorted(order) == _SORTED_COMPONENTS:
        _ORDERS_OK.add(tuple(order))
        return True
    return False


def _valid(case: LoanCase) -> bool:
    """True only if :func:`check_case` accepts ``case`` (single-instalment shape); False means "ask it"."""
    start, end = case.disbursed_on, case.calc_until
    if not (isinstance(start, _DATE) and isinstance(end, _DATE) and start <= end):
        return False
    if not (_money_ok(case.principal, True) and _rate_ok(case.contract_rate) and case.contract_rate is not None
            and _rate_ok(case.penalty_rate) and _rate_ok(case.compound_rate)):
        return False
    dc = case.day_count
    if dc.basis not in (360, 365, 366) or dc.first_day == dc.last_day:
        return False
    inst = case.instalments[0]
    if not (isinstance(inst.due_on, _DATE) and inst.due_on > start and _money_ok(inst.principal, False)
            and inst.principal == case.principal and (inst.interest is None or _money_ok(inst.interest, False))):
        return False
    for r in case.repayments:
        if not (isinstance(r.paid_on, _DATE) and start <= r.paid_on <= end and _money_ok(r.amount, True)):
            return False
    for c in case.costs:
        if not (isinstance(c.incurred_on, _DATE) and start <= c.incurred_on <= end and _money_ok(c.amount, True)):
            return False
    for ch in case.rate_changes:
        if not (isinstance(ch.effective_on, _DATE) and start <= ch.effective_on <= end and _rate_ok(ch.contract_rate)
                and _rate_ok(ch.penalty_rate) and _rate_ok(ch.compound_rate)):
            return False
    acc = case.accelerated_on
    if acc is not None and not (isinstance(acc, _DATE) and start < acc <= end):
        return False
    for cap in case.caps:
        if not (cap.lpr_multiple is None and cap.rate is not None and _rate_ok(cap.rate)
                and cap.kind in ("remove", "unsupported") and all(c in ACCRUING for c in cap.components)
                and not (cap.from_on and cap.before and cap.before <= cap.from_on)):
            return False
    return _order_ok(tuple(case.allocation_order)) and case.allocation_by in ("component", "instalment")


def fits(case: LoanCase) -> bool:
    """Whether ``case`` has the shape of this path (single instalment, fixed rates and caps)."""
    if len(case.instalments) != 1:
        return False
    for rate in (case.contract_rate, case.penalty_rate, case.compound_rate):
        if rate is not None and type(rate) is not _DEC:
            return False
    for ch in case.rate_changes:
        for rate in (ch.contract_rate, ch.penalty_rate, ch.compound_rate):
            if rate is not None and type(rate) is not _DEC:
                return False
    return all(cap.rate is not None and cap.lpr_multiple is None for cap in case.caps)


def figures(case: LoanCase, *, validate: bool = True) -> FigureAward | None:
    """The award of a single-instalment, fixed-rate case without its trace (``None``: not this shape).

    The quick input check runs whatever ``validate`` says (a case it does not pass
    goes to :func:`check_case` with ``validate``, to the general engine without).
    """
    if len(case.instalments) != 1:
        return None
    if not (case.costs or case.rate_changes or case.caps or case.accelerated_on is not None
            or case.instalments[0].interest is not None):
        if _bullet_ok(case):
            return _award(case, *_bullet(case))
    if not fits(case):
        return None
    if case.caps and case.instalments[0].interest is not None and _window_inside_period(case):
        return None
    if not _valid(case):
        if not validate:
            return None
        check_case(case)  # raises the engine's InputError; returns if the quick check was only cautious
    return _award(case, *_run(case))


def _window_inside_period(case: LoanCase) -> bool:
    """A cap on interest starts or ends inside the stated-interest period (the engine then spreads the
    stated interest over the period by yuan-days, which this path does not do)."""
    start, due = case.disbursed_on, case.instalments[0].due_on
    offset = _ZERO_DAY if case.day_count.first_day else _ONE_DAY
    for cap in case.caps:
        if INTEREST in cap.components:
            for edge in (cap.from_on, cap.before):
                if edge is not None and start < edge - offset < due:
                    return True
    return False


def exact(case: LoanCase) -> tuple[tuple[int, ...], int]:
    """The exact lines of a case :func:`figures` computes: numerators (:data:`LINE_NAMES` order without
    ``total``) and their common denominator."""
    if not (case.costs or case.rate_changes or case.caps or case.accelerated_on is not None
            or case.instalments[0].interest is not None) and _bullet_ok(case):
        lines, den, *_ = _bullet(case)
    else:
        lines, den, *_ = _run(case)
    return lines, den


def _award(case: LoanCase, lines: tuple[int, int, int, int, int], den: int, overpaid: int,
           unsupported: dict[str, Decimal] | None, notes: list[str] | None) -> FigureAward:
    """Round each line ``num / den`` half-up to the fen, as :func:`~ruledsl.calc.award.fen` does."""
    if den % 100 == 0:
        d = den // 100
        a, r = divmod(lines[0], d)
        if 2 * r >= d:
            a += 1
        b, r = divmod(lines[1], d)
        if 2 * r >= d:
            b += 1
        c, r = divmod(lines[2], d)
        if 2 * r >= d:
            c += 1
        e, r = divmod(lines[3], d)
        if 2 * r >= d:
            e += 1
        f, r = divmod(lines[4], d)
        if 2 * r >= d:
            f += 1
        if overpaid:
            o, r = divmod(overpaid, d)
            if 2 * r >= d:
                o += 1
        else:
            o = 0
    else:
        rounded = []
        for num in (*lines, overpaid):
            q, r = divmod(num * 100, den)
            rounded.append(q + 1 if 2 * r >= den else q)
        a, b, c, e, f, o = rounded
    return FigureAward.of(case, (a, b, c, e, f, a + b + c + e + f), o, unsupported, notes)


def _rates(rc: Decimal, rp: Decimal | None, rk: Decimal | None, compound: bool) -> tuple[int, int, int, int]:
    """``(R, contract, penalty, compound)``: the rates as integer numerators over their common denominator R."""
    key = (rc, rp, rk, compound)
    hit = _RATE_CACHE.get(key)
    if hit is not None:
        return hit
    if rp is None:
        rp = rc
    if rk is None:
        rk = rp
    cn, cd = rc.as_integer_ratio()
    pn, pd = rp.as_integer_ratio()
    kn, kd = rk.as_integer_ratio()
    den = lcm(cd, pd, kd)
    hit = (den, cn * (den // cd), pn * (den // pd), kn * (den // kd) if compound else 0)
    if len(_RATE_CACHE) > 4096:
        _RATE_CACHE.clear()
    _RATE_CACHE[key] = hit
    return hit


_RATE_CACHE: dict[tuple, tuple[int, int, int, int]] = {}


def _bullet_ok(case: LoanCase) -> bool:
    """Plain Decimal rates and everything :func:`check_case` asks of a bullet case (False: "ask it")."""
    rc, rp, rk = case.contract_rate, case.penalty_rate, case.compound_rate
    if type(rc) is not _DEC or (rp is not None and type(rp) is not _DEC) \
            or (rk is not None and type(rk) is not _DEC):
        return False
    start, end, p = case.disbursed_on, case.calc_until, case.principal
    inst = case.instalments[0]
    due = inst.due_on
    dc = case.day_count
    order = case.allocation_order
    if not (isinstance(start, _DATE) and isinstance(end, _DATE) and start <= end and isinstance(due, _DATE)
            and due > start and type(p) is _DEC and p.is_finite() and p > 0
            and type(inst.principal) is _DEC and inst.principal == p
            and rc.is_finite() and 0 <= rc <= 1 and (rp is None or (rp.is_finite() and 0 <= rp <= 1))
            and (rk is None or (rk.is_finite() and 0 <= rk <= 1))
            and dc.basis in (360, 365, 366) and dc.first_day != dc.last_day
            and case.allocation_by in ("component", "instalment")
            and (order is DEFAULT_ORDER or _order_ok(tuple(order)))):
        return False
    for r in case.repayments:
        a = r.amount
        if not (isinstance(r.paid_on, _DATE) and start <= r.paid_on <= end and type(a) is _DEC
                and a.is_finite() and a > 0):
            return False
    return True


def _bullet(case: LoanCase) -> tuple:
    """:func:`_run` for the plain bullet loan: no costs, rate changes, caps, acceleration or stated interest."""
    rc, rp, rk = case.contract_rate, case.penalty_rate, case.compound_rate
    start, end, p = case.disbursed_on, case.calc_until, case.principal
    due = case.instalments[0].due_on
    basis = case.day_count.basis
    pays = case.repayments
    order = case.allocation_order
    rate_den, rc_n, rp_n, rk_n = _rates(rc, rp, rk, case.compound)
    pn, pd = p.as_integer_ratio()
    money_den = pd
    s0 = start.toordinal()
    e0 = end.toordinal()
    d0 = due.toordinal()
    cuts = {s0, e0, d0} if d0 <= e0 else {s0, e0}
    pay_r = []
    for r in pays:
        n, d = r.amount.as_integer_ratio()
        if money_den % d:
            money_den = lcm(money_den, d)
        w = r.paid_on.toordinal()
        pay_r.append((w, n, d, r))
        cuts.add(w)
    if len(pay_r) > 1:
        pay_r.sort(key=_first)  # stable: repayments on one date in the order given
    timeline = sorted(cuts)
    rb = rate_den * basis
    den = money_den * rb ** (len(timeline) - 1)
    P = pn * (den // pd)  # noqa: N806
    pool = interest = pen = comp = overpaid = 0
    notes: list[str] | None = None
    default_order = order is DEFAULT_ORDER or order == DEFAULT_ORDER
    interest_first = default_order or order.index(INTEREST) < order.index(PRINCIPAL)
    k = 0
    n_pays = len(pay_r)
    t = s0
    for nxt in timeline:
        days = nxt - t
        if days:
            if t < d0:
                if P > 0:
                    pool += P * rc_n * days // rb
            else:
                if P > 0:
                    pen += P * rp_n * days // rb
                if interest > 0:
                    comp += interest * rk_n * days // rb
        t = nxt
        if t == d0:
            interest = pool
            pool = 0
        while k < n_pays and pay_r[k][0] == t:
            _, n, d, r = pay_r[k]
            k += 1
            left = n * (den // d)
            if t >= d0:
                if default_order:
                    if interest > 0:
                        paid = interest if interest <= left else left
                        left -= paid
                        interest -= paid
                    if left > 0 and pen > 0:
                        paid = pen if pen <= left else left
                        left -= paid
                        pen -= paid
                    if left > 0 and comp > 0:
                        paid = comp if comp <= left else left
                        left -= paid
                        comp -= paid
                    if left > 0 and P > 0:
                        paid = P if P <= left else left
                        left -= paid
                        P -= paid  # noqa: N806
                else:
                    for c in order:
                        if left <= 0:
                            break
                        if c == INTEREST:
                            paid = interest if interest <= left else left
                            left -= paid
                            interest -= paid
                        elif c == PENALTY:
                            paid = pen if pen <= left else left
                            left -= paid
                            pen -= paid
                        elif c == COMPOUND:
                            paid = comp if comp <= left else left
                            left -= paid
                            comp -= paid
                        elif c == PRINCIPAL:
                            paid = P if P <= left else left
                            left -= paid
                            P -= paid  # noqa: N806
            elif interest_first:
                paid = pool if pool <= left else left
                left -= paid
                pool -= paid
                if left > 0:
                    paid = P if P <= left else left
                    left -= paid
                    P -= paid  # noqa: N806
            else:
                paid = P if P <= left else left
                left -= paid
                P -= paid  # noqa: N806
                if left > 0:
                    paid = pool if pool <= left else left
                    left -= paid
                    pool -= paid
            if left > 0:
                overpaid += left
                if notes is None:
                    notes = []
                notes.append(f"repayment of {r.amount} on {r.paid_on} exceeds everything owed by "
                             f"{show(Fraction(left, den))}")
    return (P, interest + pool, pen, comp, 0), den, overpaid, None, notes


def _first(item: tuple) -> int:
    return item[0]


def _run(case: LoanCase) -> tuple:
    """The single-instalment ledger (any events of that shape): ``(lines, den, overpaid, unsupported, notes)``."""
    start, end = case.disbursed_on, case.calc_until
    inst = case.instalments[0]
    acc = case.accelerated_on
    due = inst.due_on
    if acc is not None and acc < due:
        due = acc
    sched = inst.interest if due == inst.due_on else None
    dc = case.day_count
    basis = dc.basis
    offset = _ZERO_DAY if dc.first_day else _ONE_DAY
    pays = case.repayments
    costs_in = case.costs
    changes = case.rate_changes
    caps = case.caps

    # ---- common denominators ---------------------------------------------------------------------
    pn, pd = case.principal.as_integer_ratio()
    money_den = pd
    pay_r = [r.amount.as_integer_ratio() for r in pays]
    for _, d in pay_r:
        if money_den % d:
            money_den = lcm(money_den, d)
    if sched is not None:
        sn, sd = sched.as_integer_ratio()
        money_den = lcm(money_den, sd)
    cost_r = [c.amount.as_integer_ratio() for c in costs_in]
    for _, d in cost_r:
        money_den = lcm(money_den, d)
    rates: dict[Decimal, tuple[int, int]] = {}
    rate_den = 1
    rate_list = [case.contract_rate, case.penalty_rate, case.compound_rate]
    for ch in changes:
        rate_list += (ch.contract_rate, ch.penalty_rate, ch.compound_rate)
    rate_list += [cap.rate for cap in caps]
    for rate in rate_list:
        if rate is not None and rate not in rates:
            n, d = rates[rate] = rate.as_integer_ratio()
            if rate_den % d:
                rate_den = lcm(rate_den, d)

    # ---- timeline ----------------------------------------------------------------------------------
    cuts = {start, end}
    if due <= end:
        cuts.add(due)
    for r in pays:
        cuts.add(r.paid_on)
    for c in costs_in:
        cuts.add(c.incurred_on)
    for ch in changes:
        cuts.add(ch.effective_on)
    for cap in caps:
        for edge in (cap.from_on, cap.before):
            if edge is not None:
                edge -= offset
                if start <= edge <= end:
                    cuts.add(edge)
    timeline = sorted(cuts)
    k_segments = len(timeline) - 1

    rb = rate_den * basis
    scale = rb ** k_segments             # units per 1/money_den yuan
    den = money_den * scale              # the common denominator D

    def rate_num(rate: Decimal) -> int:
        n, d = rates[rate]
        return n * (rate_den // d)

    def money(n: int, d: int) -> int:
        return n * (den // d)

    P = money(pn, pd)  # noqa: N806 - principal of the instalment
    pool = 0
    interest = 0      # the instalment's due interest
    pen = 0
    comp = 0
    is_due = False
    overpaid = 0
    costs: list[int] = []
    unsupported: dict[str, int] = {}
    notes: list[str] = []
    order = tuple(case.allocation_order)
    order_nf = tuple(c for c in order if c != FEES)
    by_instalment = case.allocation_by == "instalment"
    compound_on = case.compound

    rc = case.contract_rate
    rp = case.penalty_rate if case.penalty_rate is not None else rc
    rk = case.compound_rate
    rc_n, rp_n = rate_num(rc), rate_num(rp)
    rk_n = rate_num(rk) if rk is not None else rp_n

    # (amount, numerator) of each repayment per date, in the order given
    pay_items: dict[date, list[tuple[Decimal, int]]] = {}
    for r, (n, d) in zip(pays, pay_r, strict=True):
        pay_items.setdefault(r.paid_on, []).append((r.amount, money(n, d)))
    cost_items: dict[date, list[int]] = {}
    for c, (n, d) in zip(costs_in, cost_r, strict=True):
        cost_items.setdefault(c.incurred_on, []).append(money(n, d))
    change_at: dict[date, list] = {}
    for ch in changes:
        change_at.setdefault(ch.effective_on, []).append(ch)
    cap_list = [(cap, rate_num(cap.rate), cap.components) for kind in ("remove", "unsupported")
                for cap in caps if cap.kind == kind]

    # stated interest under caps (see engine): Σ per segment of the smallest allowance of the caps of a
    # kind covering interest (no penalty or compound before the due date); None: no such cap reached it
    track = sched is not None and bool(caps)
    room_remove = room_unsupported = None
    unsupported_interest = 0  # day-count interest the unsupported caps cut in the period (voided)
    stated_caps = [(cap, cr_n, cap.kind == "remove") for cap, cr_n, comps in cap_list if INTEREST in comps]

    last = len(timeline) - 1
    for k, t in enumerate(timeline):
        if change_at:
            for ch in change_at.get(t, ()):
                if ch.contract_rate is not None:
                    rc_n = rate_num(ch.contract_rate)
                if ch.penalty_rate is not None:
                    rp_n = rate_num(ch.penalty_rate)
                    if rk is None:
                        rk_n = rp_n
                if ch.compound_rate is not None:
                    rk = ch.compound_rate
                    rk_n = rate_num(rk)
        if t == due:
            is_due = True
            if sched is None:
                interest = pool
            else:
                # the stated interest replaces the pool: the caps apply to it over the whole period
                interest = money(sn, sd)
                if track:
                    if room_remove is not None and interest > room_remove:
                        interest = room_remove
                    if room_unsupported is not None or unsupported_interest:
                        cut = interest - room_unsupported if room_unsupported is not None \
                            and interest > room_unsupported else 0
                        unsupported[INTEREST] = unsupported.get(INTEREST, 0) - unsupported_interest + cut
            pool = 0
        if cost_items:
            costs.extend(cost_items.get(t, ()))
        if t in pay_items:
            for amount, left in pay_items[t]:
                # ---- allocation (民法典 560/561), as engine.compute ------------------------------------
                if by_instalment:
                    seq = (FEES, *order_nf) if is_due else (FEES,)
                else:
                    seq = order if is_due else (FEES,) if costs else ()
                for c in seq:
                    if left <= 0:
                        break
                    if c == FEES:
                        for j, bal in enumerate(costs):
                            if bal > 0 and left > 0:
                                paid = bal if bal <= left else left
                                left -= paid
                                costs[j] = bal - paid
                    elif c == INTEREST:
                        if interest > 0:
                            paid = interest if interest <= left else left
                            left -= paid
                            interest -= paid
                    elif c == PENALTY:
                        if pen > 0:
                            paid = pen if pen <= left else left
                            left -= paid
                            pen -= paid
                    elif c == COMPOUND:
                        if comp > 0:
                            paid = comp if comp <= left else left
                            left -= paid
                            comp -= paid
                    elif P > 0:  # PRINCIPAL of the due instalment
                        paid = P if P <= left else left
                        left -= paid
                        P -= paid  # noqa: N806
                if not is_due and left > 0:
                    for c in order_nf:
                        if c == INTEREST:
                            if sched is None and pool > 0 and left > 0:
                                paid = pool if pool <= left else left
                                left -= paid
                                pool -= paid
                        elif c == PRINCIPAL and P > 0 and left > 0:
                            paid = P if P <= left else left
                            left -= paid
                            P -= paid  # noqa: N806
                if left > 0:
                    overpaid += left
                    notes.append(f"repayment of {amount} on {t} exceeds everything owed by "
                                 f"{show(Fraction(left, den))}")
        if k == last:
            break
        nxt = timeline[k + 1]
        days = (nxt - t).days
        # ---- accrue ----------------------------------------------------------------------------------
        a_int = a_pen = a_comp = None
        if not is_due:
            if P > 0:
                a_int = P * rc_n * days // rb
        else:
            if P > 0:
                a_pen = P * rp_n * days // rb
            if compound_on and interest > 0:
                a_comp = interest * rk_n * days // rb
        if track and not is_due:
            look = t + offset
            h_remove = h_unsupported = None
            for cap, cr_n, remove in stated_caps:
                if (cap.from_on and look < cap.from_on) or (cap.before and look >= cap.before):
                    continue
                h = P * cr_n * days // rb
                if remove:
                    if h_remove is None or h < h_remove:
                        h_remove = h
                elif h_unsupported is None or h < h_unsupported:
                    h_unsupported = h
            if h_remove is not None:
                room_remove = h_remove if room_remove is None else room_remove + h_remove
            if h_unsupported is not None:
                room_unsupported = h_unsupported if room_unsupported is None else room_unsupported + h_unsupported
            before_unsupported = unsupported.get(INTEREST, 0)
        if cap_list and (a_int or a_pen or a_comp):
            look = t + offset
            for cap, cr_n, comps in cap_list:
                if (cap.from_on and look < cap.from_on) or (cap.before and look >= cap.before):
                    continue
                allowed = P * cr_n * days // rb
                accrued = 0
                if a_int is not None and INTEREST in comps:
                    accrued += a_int
                if a_pen is not None and PENALTY in comps:
                    accrued += a_pen
                if a_comp is not None and COMPOUND in comps:
                    accrued += a_comp
                if accrued <= allowed:
                    continue
                excess = accrued - allowed
                remove = cap.kind == "remove"
                for c in _CUT_ORDER:
                    if excess <= 0 or c not in comps:
                        continue
                    have = a_comp if c == COMPOUND else a_pen if c == PENALTY else a_int
                    if not have or have <= 0:
                        continue
                    cut = excess if excess < have else have
                    excess -= cut
                    if remove:
                        if c == COMPOUND:
                            a_comp = have - cut
                        elif c == PENALTY:
                            a_pen = have - cut
                        else:
                            a_int = have - cut
                    else:
                        unsupported[c] = unsupported.get(c, 0) + cut
        if track and not is_due:
            unsupported_interest += unsupported.get(INTEREST, 0) - before_unsupported
        if a_int:
            pool += a_int
        if a_pen:
            pen += a_pen
        if a_comp:
            comp += a_comp

    exact = {
        "principal_outstanding": P,
        INTEREST: interest + pool,
        PENALTY: pen,
        COMPOUND: comp,
        FEES: sum(costs),
    }
    unsupported_shown: dict[str, Decimal] = {}
    for c, excess in unsupported.items():
        cut = excess if excess < exact[c] else exact[c]
        if cut > 0:
            exact[c] -= cut
            unsupported_shown[c] = show(Fraction(cut, den))
    if acc:
        notes.append(f"loan accelerated on {acc.isoformat()}: all principal not yet due fell due that day")
    return tuple(exact.values()), den, overpaid, unsupported_shown or None, notes or None


# ---- the ledger kernel: one instalment straight from a ruleset's ledger settings -------------------------

_D0 = Decimal(0)
_D1 = Decimal(1)
_BASES = frozenset((360, 365, 366))
_CAP_RATIO: dict[Decimal, tuple[int, int]] = {}  # a ruleset's cap rates are constants: their ratios, cached


def _cap_ratio(rate: Decimal) -> tuple[int, int]:
    hit = _CAP_RATIO.get(rate)
    if hit is None:
        if len(_CAP_RATIO) > 1024:
            _CAP_RATIO.clear()
        hit = _CAP_RATIO[rate] = rate.as_integer_ratio()
    return hit


def ledger_fen(p: object, start: object, rc: object, rp: object, rk: object, compound: bool, due: object,
               stated: object, end: object, pays: list, caps: tuple, basis: int) -> tuple[int, ...] | None:
    """The six award lines in whole fen of a one-instalment ledger, or ``None`` (not this shape: ask the engine).

    The shape: principal ``p`` lent on ``start`` and due in one instalment on ``due`` with an optional
    ``stated`` interest, fixed rates (``rk`` only used with ``compound``), repayments ``pays`` (records
    with ``paid_on`` and ``amount``, in date order or not), no costs, rate changes or acceleration, the
    default allocation order (民法典 561), and ``remove`` caps without a window, each
    ``(rate, covers interest, covers penalty, covers compound)``.  Every input must be one
    :func:`~ruledsl.calc.validate.check_case` accepts (else ``None``); day counting is additive
    (first or last day, not both), so only ``basis`` matters.

    Same ledger and arithmetic as :func:`_run` (exact integers over ``D = M × (R × basis)^K``,
    each line rounded half-up once), specialised to this shape; the figures equal the traced
    engine's (tests/calc/test_fast.py checks it).
    """
    # ---- the quick input check (None: let the engine check and explain) ------------------------------
    if not (type(p) is _DEC and type(rc) is _DEC and type(rp) is _DEC and type(start) is _DATE
            and type(due) is _DATE and type(end) is _DATE and basis in _BASES and start < due and start <= end):
        return None
    s0 = start.toordinal()
    d0 = due.toordinal()
    e0 = end.toordinal()
    cap_list = None
    caps_interest = False
    try:  # a NaN or an infinity has no integer ratio: the engine explains it
        if caps:
            cap_r = []
            for cap in caps:
                cr = cap[0]
                if type(cr) is not _DEC:
                    return None
                n, d = _cap_ratio(cr)
                if not 0 <= n <= d:
                    return None
                cap_r.append((n, d, cap))
                caps_interest = caps_interest or cap[1]
        if stated is not None:
            if type(stated) is not _DEC:
                return None
            sn, sd = stated.as_integer_ratio()
            if sn < 0:
                return None
        # With the period's interest stated and no cap on it, nothing accrues before the due date:
        # repayments then go to principal (民法典 561: no interest is due yet), the contract rate plays
        # no part and the ledger starts on the due date.
        skip = stated is not None and not caps_interest and d0 <= e0
        pn, pd = p.as_integer_ratio()
        pn_, pd_ = rp.as_integer_ratio()
        if skip:
            if not (rc.is_finite() and _D0 <= rc <= _D1):
                return None
            cn, cd = 0, pd_
        else:
            cn, cd = rc.as_integer_ratio()
        if not compound:
            kn, kd = 0, 1
        elif rk is rp:
            kn, kd = pn_, pd_
        elif type(rk) is _DEC:
            kn, kd = rk.as_integer_ratio()
        else:
            return None
    except (ValueError, OverflowError):
        return None
    if pn <= 0 or not (0 <= pn_ <= pd_ and 0 <= cn <= cd and 0 <= kn <= kd):  # rates within 0–100%
        return None
    rate_den = cd if cd == pd_ == kd else lcm(cd, pd_, kd)
    if caps:
        for _, d, _ in cap_r:
            if rate_den % d:
                rate_den = lcm(rate_den, d)
        # (rate numerator, covers interest, covers penalty, covers compound) of each cap
        cap_list = [(n * (rate_den // d), c[1], c[2], c[3]) for n, d, c in cap_r]
    money_den = pd
    if stated is not None and money_den % sd:
        money_den = lcm(money_den, sd)
    pay_r = []
    last = s0
    for r in pays:
        a = r["amount"]
        w = r["paid_on"]
        if not (type(a) is _DEC and type(w) is _DATE and a.is_finite()):
            return None
        w = w.toordinal()
        n, d = a.as_integer_ratio()
        if n <= 0 or not s0 <= w <= e0:
            return None
        if money_den % d:
            money_den = lcm(money_den, d)
        pay_r.append((w, n, d))
        if w < last:
            last = e0 + 1  # out of date order
        else:
            last = w
    if last > e0:
        pay_r.sort(key=_first)  # stable: repayments on one date in the order given
    cuts = {d0, e0} if skip else {s0, e0, d0} if d0 <= e0 else {s0, e0}
    for w, _, _ in pay_r:
        if not skip or w >= d0:
            cuts.add(w)
    timeline = sorted(cuts)

    # ---- the ledger ---------------------------------------------------------------------------------------
    rc_n = cn * (rate_den // cd)
    rp_n = pn_ * (rate_den // pd_)
    rk_n = kn * (rate_den // kd)
    rb = rate_den * basis
    den = money_den * rb ** (len(timeline) - 1)
    P = pn * (den // pd)  # noqa: N806
    pool = interest = pen = comp = 0
    room = None  # what the caps allow the stated interest over the period (Σ per segment)
    k = 0
    n_pays = len(pay_r)
    t = timeline[0]
    if skip:
        while k < n_pays and pay_r[k][0] < d0:
            _, n, d = pay_r[k]
            k += 1
            P -= min(n * (den // d), P)  # noqa: N806
    for nxt in timeline:
        days = nxt - t
        if days:
            if t < d0:  # contract period: interest on the principal not yet due
                a_int = P * rc_n * days // rb if P > 0 else 0
                if cap_list:
                    h = None
                    for cr_n, c_int, _, _ in cap_list:
                        if c_int:
                            allowed = P * cr_n * days // rb
                            if a_int > allowed:
                                a_int = allowed
                            if h is None or allowed < h:
                                h = allowed
                    if h is not None:
                        room = h if room is None else room + h
                pool += a_int
            else:  # overdue: penalty on principal, compound on interest
                a_pen = P * rp_n * days // rb if P > 0 else 0
                a_comp = interest * rk_n * days // rb if compound and interest > 0 else 0
                if cap_list and (a_pen or a_comp):
                    for cr_n, _, c_pen, c_comp in cap_list:
                        accrued = (a_pen if c_pen else 0) + (a_comp if c_comp else 0)
                        allowed = P * cr_n * days // rb
                        if accrued > allowed:
                            excess = accrued - allowed
                            if c_comp and a_comp:
                                cut = excess if excess < a_comp else a_comp
                                a_comp -= cut
                                excess -= cut
                            if c_pen and excess > 0:
                                a_pen -= excess if excess < a_pen else a_pen
                pen += a_pen
                comp += a_comp
            t = nxt
        if t == d0:
            if stated is None:
                interest = pool
            else:
                interest = sn * (den // sd)
                if room is not None and interest > room:
                    interest = room
            pool = 0
        while k < n_pays and pay_r[k][0] == t:
            _, n, d = pay_r[k]
            k += 1
            left = n * (den // d)
            if t >= d0:  # interest, penalty, compound, principal (民法典 561)
                if interest > 0:
                    paid = interest if interest <= left else left
                    left -= paid
                    interest -= paid
                if left > 0 and pen > 0:
                    paid = pen if pen <= left else left
                    left -= paid
                    pen -= paid
                if left > 0 and comp > 0:
                    paid = comp if comp <= left else left
                    left -= paid
                    comp -= paid
                if left > 0 and P > 0:
                    P -= left if left < P else P  # noqa: N806
            else:  # nothing due: the day-count pool (unless interest is stated), then principal
                if stated is None and pool > 0:
                    paid = pool if pool <= left else left
                    left -= paid
                    pool -= paid
                if left > 0 and P > 0:
                    P -= left if left < P else P  # noqa: N806

    # ---- lines, rounded half-up to the fen once each ---------------------------------------------------
    interest += pool
    # ⌊x / q + ½⌋ = ⌊(2x + q) / 2q⌋ with q = den / 100 fen: half-up, in one division
    if den % 100 == 0:
        q = den // 100
        q2 = 2 * q
        a = (2 * P + q) // q2
        b = (2 * interest + q) // q2
        c = (2 * pen + q) // q2
        e = (2 * comp + q) // q2
    else:
        q2 = 2 * den
        a = (200 * P + den) // q2
        b = (200 * interest + den) // q2
        c = (200 * pen + den) // q2
        e = (200 * comp + den) // q2
    return a, b, c, e, 0, a + b + c + e
