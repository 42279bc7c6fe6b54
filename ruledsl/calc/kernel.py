"""The integer kernel: the engine's ledger for one instalment (:func:`run`) or several without caps
(:func:`run_schedule`), in exact integers, figures only.

It computes the cases of the kernel's shape (see :mod:`ruledsl.calc.shape`, which decides, checks
the values and hands the case over in integers to :func:`run`) and nothing else; the traced engine
(:mod:`ruledsl.calc.engine`) is the definition, and the kernel's figures equal its figures to the
exact fraction (tests/calc/test_fast.py, tests/calc/test_ledger_kernel.py).  The ledger is the
engine's: the same cut points, the same order of events on a date (the instalment falls due,
then repayments are applied), the payment order and the cap cut order of
:mod:`ruledsl.calc.allocation`.  Two callers:

* ``compute(case, trace=False)`` → :func:`~ruledsl.calc.shape.kernel_case`, then :func:`award` (an
  :class:`~ruledsl.calc.award.FigureAward`);
* :func:`ruledsl.runtime.ledger.run_ledger_fast` (compiled rules) → :func:`~ruledsl.calc.shape.kernel_settings`,
  whose result holds the lines in whole fen.

Arithmetic: every amount is an ``int`` numerator over one common denominator per case,
``D = M × (R × basis)^K`` — ``M`` makes every money input whole (the lcm of their denominators),
``R`` every rate, ``K`` the number of segments.  An amount known after ``s`` segments is a multiple
of ``(R × basis)^(K−s)`` units (payments only mix amounts, an accrual ``base × rate × days / basis``
adds one factor), so every accrual is an exact integer division.  Nothing is rounded until the
award lines, each rounded half-up to the fen once, exactly as :func:`~ruledsl.calc.award.fen`.

Stated interest (还款计划表) replaces the day-count interest of its period.  With no cap on
contract interest (and the due date within the ledger) nothing before the due date matters but the
repayments, which go to principal (no interest is owed before it falls due), so the ledger starts on
the due date (``from_due``: the dispatcher says so, and then spares the contract rate's ratio).  With a cap on
contract interest the stated interest is limited to what the caps allowed over the period — per
segment the smallest allowance ``principal × cap rate × days / basis`` of the caps covering
interest (nothing else accrues before the due date), summed — as the engine does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from fractions import Fraction

from ruledsl.calc.allocation import cut_excess
from ruledsl.calc.award import FigureAward, overpayment_note
from ruledsl.calc.model import COMPOUND, INTEREST, PENALTY

_FROM_ORDINAL = date.fromordinal


def run(pn: int, pd: int, s0: int, d0: int, e0: int, rate_den: int, rc_n: int, rp_n: int, rk_n: int,
        caps: tuple, stated: tuple[int, int] | None, pays: list, money_den: int, basis: int,
        slots: tuple[tuple[int, ...], tuple[int, ...]], from_due: bool) -> tuple:
    """The ledger of a case the dispatcher hands over in integers (see "The arguments" above); returns
    ``(fen, overpaid fen, exact, D, overpayments, due)``: the lines principal, interest, penalty and
    compound in whole fen (half-up) and exactly, as numerators over ``D``; ``overpayments`` lists
    ``(amount, ordinal, left)`` of each repayment that exceeded everything owed (None if none did);
    ``due``: ``(principal due, interest due)`` in whole fen — all of both when the instalment has fallen due
    by the cut-off (on the cut-off day itself included), else none (:data:`~ruledsl.calc.award.DUE_LINES`)."""
    if from_due:  # start on the due date (see the module docstring)
        cuts = {d0, e0}
        for pay in pays:
            if pay[0] >= d0:
                cuts.add(pay[0])
    else:
        cuts = {s0, e0, d0} if d0 <= e0 else {s0, e0}
        for pay in pays:
            cuts.add(pay[0])
    timeline = sorted(cuts)
    rb = rate_den * basis
    den = money_den * rb ** (len(timeline) - 1)
    # the balances: principal, the pool (contract interest not yet due), due interest, penalty, compound
    P = pn * (den // pd)  # noqa: N806
    pool = interest = pen = comp = 0
    over = None  # [overpaid, overpayments] once a repayment exceeds what is owed
    room = None  # Σ of what the caps on interest allowed per segment before the due date
    j, n_pays = 0, len(pays)
    while from_due and j < n_pays and pays[j][0] < d0:  # nothing is owed but principal (no interest is due yet)
        w, n, d, _ = pays[j]
        left = n * (den // d) - P
        if left > 0:
            over = _overpaid(over, pays[j], left)
            P = 0  # noqa: N806
        else:
            P = -left  # noqa: N806
        j += 1
    due_slots, slots = slots  # the payment order once the instalment is due, and before
    t = timeline[0]
    for nxt in timeline:
        days = nxt - t
        if days:
            if slots is due_slots:  # overdue: penalty on principal, compound on the unpaid interest
                a_pen = P * rp_n * days // rb if P > 0 else 0
                a_comp = interest * rk_n * days // rb if rk_n and interest > 0 else 0
                if caps and (a_pen or a_comp):
                    a_pen, a_comp = _cap_overdue(P, a_pen, a_comp, days, rb, caps)
                pen += a_pen
                comp += a_comp
            else:  # the contract period: interest on the principal not yet due, into the pool
                a_int = P * rc_n * days // rb if P > 0 else 0
                if caps:
                    a_int, least = _cap_term(P, a_int, days, rb, caps)
                    if least is not None:
                        room = least if room is None else room + least
                pool += a_int
            t = nxt
        if t == d0:  # the instalment falls due: its interest is the pool, or the stated interest
            slots = due_slots
            if stated is None:
                interest = pool
            else:
                interest = stated[0] * (den // stated[1])
                if room is not None and interest > room:
                    interest = room
            pool = 0
        if j < n_pays and pays[j][0] == t:  # the day's repayments, each in the payment order
            bal = [P, pool, interest, pen, comp]
            while j < n_pays and pays[j][0] == t:
                w, n, d, _ = pays[j]
                left = n * (den // d)
                for s in slots:
                    owed = bal[s]
                    if owed >= left:
                        bal[s] = owed - left
                        break
                    bal[s] = 0
                    left -= owed
                else:
                    over = _overpaid(over, pays[j], left)
                j += 1
            P, pool, interest, pen, comp = bal  # noqa: N806
    interest += pool
    exact = (P, interest, pen, comp)
    # the one instalment is all due by the cut-off, or none of it
    return _result(exact, den, over, None if d0 <= e0 else (0, 0))


def _result(exact: tuple[int, int, int, int], den: int, over: list | None, due: tuple[int, int] | None) -> tuple:
    """What :func:`run` and :func:`run_schedule` return, from the exact lines principal, interest, penalty
    and compound (numerators over ``den``), the overpayment (``[overpaid, overpayments]`` or None) and the
    exact principal and interest due (None: all of both): each figure rounded once, half-up to the fen —
    ⌊x / D × 100 + ½⌋ = ⌊(200x + D) / 2D⌋, one division each."""
    q = 2 * den
    a, b, c, e = exact
    fen = ((200 * a + den) // q, (200 * b + den) // q, (200 * c + den) // q, (200 * e + den) // q)
    due_fen = fen[:2] if due is None else ((200 * due[0] + den) // q, (200 * due[1] + den) // q)
    if over is None:
        return fen, 0, exact, den, None, due_fen
    return fen, (200 * over[0] + den) // q, exact, den, over[1], due_fen


def run_schedule(s0: int, e0: int, rate_den: int, rc_n: int, rp_n: int, rk_n: int, insts: list, pays: list,
                 money_den: int, basis: int, plan: tuple) -> tuple:
    """The ledger of a loan of several instalments (分期还款) without caps, in integers; returns what
    :func:`run` returns, but ``due`` as ``(principal due, interest due)`` in whole fen.

    ``insts`` holds ``(due ordinal, principal (n, d), stated interest (n, d) or None)`` by due date, each
    after the disbursement ``s0``; ``plan`` is ``(due steps, by instalment, not-due steps)`` of the payment
    order (:func:`ruledsl.calc.shape.schedule_plan`).  The engine's walk, balance by balance: contract
    interest accrues on the principal not yet due into the pool, which the instalment falling due takes as
    its interest (a stated interest replaces it, and the pool is dropped); a due instalment bears penalty
    interest on its principal and compound interest on its interest; a payment settles what is due in the
    payment order, then the pool (unless the coming instalment states its interest) and the principal not
    yet due, oldest instalment first (民法典 560, 561)."""
    cuts = {s0, e0}
    for inst in insts:
        if inst[0] <= e0:
            cuts.add(inst[0])
    for pay in pays:
        cuts.add(pay[0])
    timeline = sorted(cuts)
    rb = rate_den * basis
    den = money_den * rb ** (len(timeline) - 1)
    n_insts = len(insts)
    # per instalment: principal, interest (once due), penalty, compound — the balances (P, I, pen, comp)
    bal = [[pn * (den // pd), 0, 0, 0] for _, (pn, pd), _ in insts]
    stated = [None if s is None else s[0] * (den // s[1]) for _, _, s in insts]
    dues = [inst[0] for inst in insts]
    not_due = sum(b[0] for b in bal)
    pool = 0
    k = 0  # instalments fallen due
    over = None
    due_steps, by_instalment, not_due_steps = plan
    j, n_pays = 0, len(pays)
    for at, t in enumerate(timeline):
        if k < n_insts and dues[k] == t:  # the instalment falls due (due dates are strictly increasing)
            bal[k][1] = pool if stated[k] is None else stated[k]
            not_due -= bal[k][0]
            pool = 0
            k += 1
        while j < n_pays and pays[j][0] == t:  # the day's repayments, each in the payment order
            w, n, d, _ = pays[j]
            left = n * (den // d)
            due = bal[:k]  # what is due: each component across the instalments, or each instalment in full
            for b, slot in ((b, s) for b in due for s in due_steps) if by_instalment else (
                    (b, s) for s in due_steps for b in due):
                owed = b[slot]
                if owed >= left:
                    b[slot] = owed - left
                    left = 0
                    break
                if owed > 0:
                    b[slot] = 0
                    left -= owed
            for step in not_due_steps if left else ():
                if step is None:  # the pool, unless the coming instalment states its interest
                    if (k == n_insts or stated[k] is None) and pool > 0:
                        paid = pool if pool <= left else left
                        pool -= paid
                        left -= paid
                else:  # the principal not yet due, oldest instalment first
                    for b in bal[k:]:
                        owed = b[0]
                        if owed > 0:
                            paid = owed if owed <= left else left
                            b[0] = owed - paid
                            not_due -= paid
                            left -= paid
                            if not left:
                                break
                if not left:
                    break
            if left > 0:
                over = _overpaid(over, pays[j], left)
            j += 1
        if at + 1 < len(timeline):
            days = timeline[at + 1] - t
            if not_due > 0:
                pool += not_due * rc_n * days // rb
            for b in bal[:k]:
                if b[0] > 0:
                    b[2] += b[0] * rp_n * days // rb
                if rk_n and b[1] > 0:
                    b[3] += b[1] * rk_n * days // rb
    p_due = sum(b[0] for b in bal[:k])
    i_due = sum(b[1] for b in bal[:k])
    exact = (sum(b[0] for b in bal), i_due + pool, sum(b[2] for b in bal), sum(b[3] for b in bal))
    return _result(exact, den, over, (p_due, i_due))


def _cap_term(p: int, a_int: int, days: int, rb: int, caps: tuple) -> tuple[int, int | None]:
    """A segment before the due date under caps: the contract interest each cap on interest leaves
    (cut in the cut order), and the smallest allowance (what a stated interest may keep of it)."""
    least = None
    for cr_n, comps in caps:
        if INTEREST in comps:
            allowed = p * cr_n * days // rb
            if a_int > allowed:
                for _, cut in cut_excess(a_int - allowed, {INTEREST: a_int}, comps):
                    a_int -= cut
            if least is None or allowed < least:
                least = allowed
    return a_int, least


def _cap_overdue(p: int, a_pen: int, a_comp: int, days: int, rb: int, caps: tuple) -> tuple[int, int]:
    """A segment after the due date under caps: each cap cuts the excess of what it covers over
    ``principal × cap rate × days / basis``, in the cut order (compound, then penalty)."""
    for cr_n, comps in caps:
        accrued = (a_pen if PENALTY in comps else 0) + (a_comp if COMPOUND in comps else 0)
        allowed = p * cr_n * days // rb
        if accrued > allowed:
            for comp, cut in cut_excess(accrued - allowed, {PENALTY: a_pen, COMPOUND: a_comp}, comps):
                if comp == COMPOUND:
                    a_comp -= cut
                else:
                    a_pen -= cut
    return a_pen, a_comp


def _overpaid(over: list | None, pay: tuple, left: int) -> list:
    """Record what is left of a repayment once everything owed is paid (``[overpaid, overpayments]``)."""
    if over is None:
        over = [0, []]
    over[0] += left
    over[1].append((pay[3], pay[0], left))
    return over


# ---- results ---------------------------------------------------------------------------------------

def award(case, result: tuple, exact: Callable) -> FigureAward:
    """The :class:`~ruledsl.calc.award.FigureAward` of ``case`` from the kernel's ``result``; ``exact(case)``
    gives its exact lines when they are read."""
    (a, b, c, e), over, _, den, overpayments, due = result
    notes = None
    if overpayments:
        notes = [overpayment_note(amount, _FROM_ORDINAL(w), Fraction(left, den))
                 for amount, w, left in overpayments]
    return FigureAward.of(case, (a, b, c, e, 0, a + b + c + e), over, None, notes, exact, due)
