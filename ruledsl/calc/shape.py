"""The shape dispatcher: which path computes a case — the integer kernel or the engine.

Every untraced computation asks here first, whether the case comes as a
:class:`~ruledsl.calc.model.LoanCase` (:func:`kernel_case`, from ``compute(case, trace=False)``) or
as a ruleset ledger's settings (:func:`kernel_settings`, from
:func:`ruledsl.runtime.ledger.run_ledger_fast`, without building a LoanCase), and the batch path of
the pre-check asks whether a case is one of its rows (:func:`batch_row`).  A case of the kernel's
shape is handed to :func:`ruledsl.calc.kernel.run` (one instalment) or
:func:`~ruledsl.calc.kernel.run_schedule` (several) in integers and the answer is the kernel's result;
any other answers ``None``: the engine computes it (it validates the case, and raises
:class:`~ruledsl.core.errors.InputError` naming the field when the case is bad).

The kernel's shape
    one instalment (到期一次还本付息) whose principal is the loan's, due after the disbursement,
    with or without a stated interest (还款计划表); fixed agreed rates (no LPR, no rate changes);
    any repayments; no costs, no acceleration; caps that ``remove`` at a fixed rate with no
    window; any agreed allocation order, by component or by instalment (alike for one instalment
    without costs); a day count that is additive (first or last day counted, not both) on
    basis 360, 365 or 366.  The values must be ones :func:`~ruledsl.calc.validate.check_case`
    accepts — plain ``Decimal`` amounts and rates, ``date`` dates, rates from 0 to 100 % — so a
    case the kernel takes is never one the engine would refuse; anything else goes to the engine,
    which refuses or computes it.  (This is the only entry check: the kernel trusts it.)

The schedule kernel's shape (:func:`ruledsl.calc.kernel.run_schedule`)
    several instalments (分期还款) by strictly increasing due dates, each after the disbursement,
    their principal adding up to the loan's, each with or without a stated interest; fixed agreed
    rates; any repayments; no caps, costs or acceleration, no payment the debtor designated; any
    agreed allocation order, by component or by instalment; the same day counts and plain values.

The batch row (:func:`batch_row`)
    the kernel's shape without stated interest or caps, at most two repayments, the default
    order (民法典 561), 算头不算尾, money in whole fen and rates in units of 0.01 %
    (:data:`BATCH_RATE_SCALE`): what :mod:`ruledsl.precheck.vectorized` computes in numpy.

Arithmetic (see :mod:`ruledsl.calc.kernel`): every amount becomes an integer numerator over a
common denominator, so the case is handed over as integer ratios — money as ``(n, d)``, rates as
numerators over their common denominator ``R``, dates as ordinals — which checking the values
computes anyway (a NaN or an infinity has no ratio).  Checking and converting are one pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from math import lcm
from operator import attrgetter, itemgetter

from ruledsl.calc.allocation import payment_order
from ruledsl.calc.fields import FIELDS, NAMES
from ruledsl.calc.kernel import run, run_schedule
from ruledsl.calc.model import (
    ACCRUING,
    COMPONENTS,
    COMPOUND,
    DEFAULT_ORDER,
    INTEREST,
    PENALTY,
    PRINCIPAL,
    Cap,
)
from ruledsl.core.daycount import DayCount

_DEC = Decimal
_DATE = date
_BASES = frozenset((360, 365, 366))
_SORTED_COMPONENTS = sorted(COMPONENTS)
_BY = frozenset(("component", "instalment"))

#: the fields the kernel cannot take (any of them set: the engine, or for postings the card engine); see
#: :mod:`ruledsl.calc.fields`
ENGINE_ONLY = ("costs", "rate_changes", "accelerated_on", "overdue_day_after", "postings")
#: a card account's own fields: only a ledger with postings reads them, a loan leaves them aside (so a
#: ruleset taking both forms, as credit_card.rules does, keeps its loans on the kernel)
CARD_ONLY = ("statements", "late_fee_rate")
_engine_only_in_case = attrgetter(*(FIELDS[name].attr for name in ENGINE_ONLY))  # of a LoanCase

#: (paid_on, amount) of a Repayment, and of a ledger's repayment record
_REPAYMENT = attrgetter("paid_on", "amount")
_REPAYMENT_RECORD = itemgetter("paid_on", "amount")

#: the batch path's rates are whole multiples of 1 / BATCH_RATE_SCALE (0.01 %)
BATCH_RATE_SCALE = 10_000


# ---- the two sources ------------------------------------------------------------------------------------

def kernel_case(case) -> tuple | None:
    """The integer kernel's result for a :class:`~ruledsl.calc.model.LoanCase` (see
    :func:`ruledsl.calc.kernel.run` and :func:`~ruledsl.calc.kernel.run_schedule`), or ``None``: not the
    kernel's shape, the engine computes it."""
    insts = case.instalments
    if len(insts) <= 1:
        return _from_case(case, run)
    if not _plain_loan(case):
        return None
    return _schedule(case.principal, ((i.due_on, i.principal, i.interest) for i in insts), case.disbursed_on,
                     case.calc_until, case.contract_rate, case.penalty_rate, case.compound_rate, case.compound,
                     map(_REPAYMENT, case.repayments), case.caps, case.allocation_order, case.allocation_by,
                     case.day_count)


def _plain_loan(case) -> bool:
    """No field only the engine takes, no payment the debtor designated, an allocation the kernel knows."""
    if case.allocation_by not in _BY:
        return False
    for value in _engine_only_in_case(case):
        if value:
            return False
    for r in case.repayments:
        if r.for_instalment is not None:  # designated by the debtor (the engine checks the designation)
            return False
    return True


def _from_case(case, then: Callable):
    """``then(…)`` of a one-instalment case in integers (see :func:`_integers`), or None."""
    insts = case.instalments
    if len(insts) != 1 or not _plain_loan(case):
        return None
    inst = insts[0]
    return _integers(case.principal, inst.principal, case.disbursed_on, inst.due_on, case.calc_until,
                     case.contract_rate, case.penalty_rate, case.compound_rate, case.compound, inst.interest,
                     map(_REPAYMENT, case.repayments), case.caps, case.allocation_order, case.day_count, then,
                     _RATES)


def exact_lines(case) -> tuple[tuple[int, ...], int]:
    """The exact lines of a case the kernel takes: numerators (principal, interest, penalty, compound,
    fees) and their common denominator (what a :class:`~ruledsl.calc.award.FigureAward` shows on demand)."""
    _, _, lines, den, _, _ = kernel_case(case)
    return (*lines, 0), den


def kernel_settings(values: tuple, caps: tuple[Cap, ...], order: tuple[str, ...] | None,
                    day_count: DayCount) -> tuple | None:
    """The integer kernel's result for a ruleset ledger's settings — one value per field, in the table's
    order (:data:`ruledsl.calc.fields.NAMES`) — or ``None`` (the engine)."""
    (p, rc, rp, rk, compound, start, due, insts, pays, designated, costs, rate_changes, accelerated_on,
     day_after, postings, _statements, _late_fee_rate, until) = values
    if costs or rate_changes or accelerated_on or day_after or designated or postings:
        return None  # ENGINE_ONLY (a card account among them), and payments the debtor designated
    if insts is None:
        inst_p, stated = p, None
    elif len(insts) == 1:
        inst = insts[0]
        try:
            inst_p, due, stated = inst["principal"], inst["due_on"], inst.get("interest")
        except (KeyError, TypeError, AttributeError):  # not a record of the ledger's instalments
            return None
    else:
        try:
            schedule = [(i["due_on"], i["principal"], i.get("interest")) for i in insts]
        except (KeyError, TypeError, AttributeError):
            return None
        return _schedule(p, schedule, start, until, rc, rp, rk, compound is not False,
                         map(_REPAYMENT_RECORD, pays) if pays else (), caps, order or DEFAULT_ORDER, "component",
                         day_count)
    return _integers(p, inst_p, start, due, until, rc, rp, rk, compound is not False, stated,
                     map(_REPAYMENT_RECORD, pays) if pays else (), caps, order or DEFAULT_ORDER, day_count, run,
                     None)  # rates computed by the rules are new Decimals each case: hashing them costs more


#: the order in which kernel_settings unpacks a ledger's settings: the table's
assert NAMES == ("principal", "contract_rate", "penalty_rate", "compound_rate", "compound", "disbursed_on", "due_on",
                 "instalments", "repayments", "designated_repayments", *ENGINE_ONLY, *CARD_ONLY, "until"), NAMES


def batch_row(case) -> bool:
    """Whether the pre-check's vectorized path computes ``case`` (see the module docstring)."""
    dc = case.day_count
    if (case.caps or len(case.repayments) > 2 or not dc.first_day or dc.last_day
            or tuple(case.allocation_order) != DEFAULT_ORDER or len(case.instalments) != 1
            or case.instalments[0].interest is not None):
        return False
    if _from_case(case, _batch_units) is not True:  # the kernel's shape and values, without running it
        return False
    # with compound interest off the kernel sets the compound rate aside; the batch frame still carries it
    return case.compound or case.compound_rate is None or (case.compound_rate * BATCH_RATE_SCALE) % 1 == 0


def _batch_units(pn, pd, s0, d0, e0, rate_den, rc_n, rp_n, rk_n, caps, stated, pays, *_) -> bool:
    """Money in whole fen and rates in whole 0.01 % (``rate / R`` with R = ``rate_den``)."""
    return (100 % pd == 0 and all(100 % d == 0 for _, _, d, _ in pays)
            and all(n * BATCH_RATE_SCALE % rate_den == 0 for n in (rc_n, rp_n, rk_n)))


# ---- the one check ----------------------------------------------------------------------------------

def _integers(p, inst_p, start, due, end, rc, rp, rk, compound: bool, stated, pays: Iterable,
              caps: Sequence[Cap], order, dc: DayCount, then: Callable, rate_cache: dict | None):
    """``then(…)`` of the case in integers (the arguments of :func:`ruledsl.calc.kernel.run`), or None when
    the case is not of the kernel's shape or not plainly valid.  ``rate_cache`` keeps the rates' integers
    by value (for a LoanCase, whose Decimals keep their hashes), or None."""
    if (type(p) is not _DEC or type(start) is not _DATE or type(due) is not _DATE or type(end) is not _DATE
            or dc.first_day == dc.last_day or dc.basis not in _BASES):
        return None
    s0, d0, e0 = start.toordinal(), due.toordinal(), end.toordinal()
    if not s0 < d0 or e0 < s0:
        return None
    hit = _SLOTS.get(id(order))  # an order is a ruleset's constant or DEFAULT_ORDER: cached by identity
    if hit is None or hit[0] is not order:
        hit = _slots(order)
    slots = hit[1] if stated is None else hit[2]
    if slots is None:
        return None
    if caps:
        cap_ratios = _cap_ratios(caps)
        if cap_ratios is None:
            return None
    # The ledger may start on the due date when the contract period plays no part: its interest is stated
    # and no cap reaches it (then the contract rate is only checked, see ruledsl.calc.kernel).
    from_due = stated is not None and d0 <= e0 and not (caps and _on_interest(cap_ratios))
    if rate_cache is None:
        rates = _rates(rc, rp, rk, compound, not from_due)
    else:
        key = (rc, rp, rk, compound, not from_due)
        try:
            rates = rate_cache[key]
        except KeyError:
            rates = rate_cache[key] = _rates(*key)
            if len(rate_cache) > 4096:
                rate_cache.clear()
        except TypeError:  # an unhashable rate: not a Decimal
            return None
    if rates is None:
        return None
    try:  # a NaN or an infinity has no integer ratio: the engine explains it
        pn, pd = p.as_integer_ratio()
        money_den = pd
        if stated is not None:
            if type(stated) is not _DEC:
                return None
            sn, sd = stated = stated.as_integer_ratio()
            if sn < 0:
                return None
            if money_den % sd:
                money_den = lcm(money_den, sd)
        found = _repayments(pays, s0, e0, money_den)
    except (ValueError, OverflowError):
        return None
    if found is None or pn <= 0 or inst_p is not p and not (type(inst_p) is _DEC and inst_p == p):
        return None  # (the one instalment is all the principal)
    ints, money_den = found
    rate_den, rc_n, rp_n, rk_n = rates
    if caps:
        rate_den, scale, cap_n = _over_common_denominator(cap_ratios, rate_den)
        if scale != 1:
            rc_n, rp_n, rk_n = rc_n * scale, rp_n * scale, rk_n * scale
    else:
        cap_n = ()
    return then(pn, pd, s0, d0, e0, rate_den, rc_n, rp_n, rk_n, cap_n, stated, ints, money_den,
                dc.basis, slots, from_due)


def _first(item: tuple) -> int:
    return item[0]


def _repayments(pays: Iterable, s0: int, e0: int, money_den: int) -> tuple[list, int] | None:
    """The repayments as ``(ordinal, n, d, amount)`` by date (stable: one date's in the order given) and
    the money denominator grown to take them, or None when one is not a plain positive amount within
    the ledger (raises ValueError or OverflowError for a NaN or an infinity)."""
    ints = []
    last = s0
    in_order = True
    for w, a in pays:
        if type(a) is not _DEC or type(w) is not _DATE:
            return None
        n, d = a.as_integer_ratio()
        w = w.toordinal()
        if n <= 0 or not s0 <= w <= e0:
            return None
        if money_den % d:
            money_den = lcm(money_den, d)
        if w < last:
            in_order = False
        last = w
        ints.append((w, n, d, a))
    if not in_order:
        ints.sort(key=_first)
    return ints, money_den


def _schedule(p, insts: Iterable[tuple], start, end, rc, rp, rk, compound: bool, pays: Iterable, caps, order,
              by: str, dc: DayCount) -> tuple | None:
    """:func:`ruledsl.calc.kernel.run_schedule` of a loan of several instalments ``(due_on, principal,
    stated interest or None)``, or None when the case is not its shape (caps, a day count or order it
    does not take) or not plainly valid: the checks of :func:`~ruledsl.calc.validate.check_case` — due
    dates after the disbursement and strictly increasing, amounts plain Decimals (principal positive,
    the rest zero or more) and the instalments' principal adding up to the loan's."""
    if (caps or type(p) is not _DEC or type(start) is not _DATE or type(end) is not _DATE or end < start
            or dc.first_day == dc.last_day or dc.basis not in _BASES or by not in _BY):
        return None
    plan = schedule_plan(order, by)
    rates = _rates(rc, rp, rk, compound)
    if plan is None or rates is None:
        return None
    try:
        pn, money_den = p.as_integer_ratio()
        if pn <= 0:
            return None
        s0, e0 = start.toordinal(), end.toordinal()
        out, last, total = [], s0, Decimal(0)
        for due, amount, stated in insts:
            if type(due) is not _DATE or type(amount) is not _DEC or stated is not None and type(stated) is not _DEC:
                return None
            w = due.toordinal()
            an, ad = amount.as_integer_ratio()
            if w <= last or an < 0:
                return None
            last = w
            total += amount
            if money_den % ad:
                money_den = lcm(money_den, ad)
            if stated is not None:
                stated = stated.as_integer_ratio()
                if stated[0] < 0:
                    return None
                if money_den % stated[1]:
                    money_den = lcm(money_den, stated[1])
            out.append((w, (an, ad), stated))
        found = _repayments(pays, s0, e0, money_den)
    except (ValueError, OverflowError):
        return None
    if found is None or total != p:
        return None
    ints, money_den = found
    return run_schedule(s0, e0, *rates, out, ints, money_den, dc.basis, plan)


#: an instalment's balances in :func:`~ruledsl.calc.kernel.run_schedule`, by index
_SCHEDULE_SLOT = {PRINCIPAL: 0, INTEREST: 1, PENALTY: 2, COMPOUND: 3}


@lru_cache(maxsize=64)
def _plan(order: tuple[str, ...], by: str) -> tuple | None:
    if sorted(order) != _SORTED_COMPONENTS:
        return None
    plan = payment_order(order, by)
    due = tuple(_SCHEDULE_SLOT[c] for c in plan.due if c in _SCHEDULE_SLOT)
    return due, plan.by_instalment, tuple(None if c == INTEREST else _SCHEDULE_SLOT[c] for c in plan.not_due)


def schedule_plan(order, by: str = "component") -> tuple | None:
    """The payment order of :func:`~ruledsl.calc.allocation.payment_order` as :func:`~ruledsl.calc.kernel.run_schedule`
    takes it — ``(due balances, by instalment, not-due steps)``, a balance by its index in an instalment's
    ``[principal, interest, penalty, compound]``, the pool as None — or None for an order that is not a
    permutation of the components (the engine explains it)."""
    try:
        return _plan(tuple(order), by)
    except TypeError:
        return None


_RATES: dict[tuple, tuple | None] = {}


def _rates(rc, rp, rk, compound: bool = True, contract: bool = True) -> tuple[int, int, int, int] | None:
    """``(R, contract, penalty, compound)``: the rates as numerators over their common denominator R, or
    None when they are not plain rates from 0 to 100 %; an unset penalty rate is the contract rate, an
    unset compound rate the penalty rate.  With compound interest off its rate is 0, and with
    ``contract`` false (the contract period plays no part) the contract rate is 0; either, as for
    :func:`~ruledsl.calc.validate.check_case`, must still be a plain rate (then only checked: its ratio
    is not needed, and it adds nothing to R)."""
    if rp is None:
        rp = rc
    if rk is None:
        rk = rp
    if type(rc) is not _DEC or type(rp) is not _DEC or type(rk) is not _DEC:
        return None
    try:  # a NaN or an infinity has no integer ratio: the engine explains it
        pn, pd = rp.as_integer_ratio()
        cn, cd = (((pn, pd) if rc is rp else rc.as_integer_ratio()) if contract
                  else (0, pd) if rc.is_finite() and _D0 <= rc <= _D1 else _NOT_PLAIN)
        kn, kd = (((pn, pd) if rk is rp else rk.as_integer_ratio()) if compound
                  else (0, pd) if rk.is_finite() and _D0 <= rk <= _D1 else _NOT_PLAIN)
    except (ValueError, OverflowError):
        return None
    if not (0 <= cn <= cd and 0 <= pn <= pd and 0 <= kn <= kd):
        return None
    if cd == pd == kd:
        return pd, cn, pn, kn
    den = lcm(cd, pd, kd)
    return den, cn * (den // cd), pn * (den // pd), kn * (den // kd)


_D0, _D1 = Decimal(0), Decimal(1)  # a rate only checked: from 0 to 100 %
_NOT_PLAIN = (-1, 1)  # the "ratio" of a rate that is not plain: refused like a negative one
_CAP_RATIO: dict[int, tuple] = {}  # id(cap) → (cap, its ratio): a ruleset's caps come back case after case


def _cap_ratio(cap: Cap) -> tuple[int, int, tuple[str, ...]] | None:
    """A cap the kernel takes, as ``(n, d, components)`` (None: the engine's — LPR-linked, windowed,
    ``unsupported`` or not plainly valid).  Cached by identity (the cache keeps the cap alive, so its id
    is not reused): hashing a Cap would cost more than checking it."""
    hit = _CAP_RATIO.get(id(cap))
    if hit is not None and hit[0] is cap:
        return hit[1]
    rate, comps = cap.rate, tuple(cap.components)
    found = None
    if (cap.kind == "remove" and cap.lpr_multiple is None and cap.from_on is None and cap.before is None
            and type(rate) is _DEC and rate.is_finite() and 0 <= rate <= 1 and all(c in ACCRUING for c in comps)):
        found = (*rate.as_integer_ratio(), comps)
    if len(_CAP_RATIO) > 1024:
        _CAP_RATIO.clear()
    _CAP_RATIO[id(cap)] = (cap, found)
    return found


def _cap_ratios(caps: Sequence[Cap]) -> list | None:
    """Each cap as ``(n, d, components)``, or None if one is not the kernel's."""
    ratios = []
    for cap in caps:
        found = _cap_ratio(cap)
        if found is None:
            return None
        ratios.append(found)
    return ratios


def _on_interest(ratios: list) -> bool:
    return any(INTEREST in comps for _, _, comps in ratios)


def _over_common_denominator(ratios: list, rate_den: int) -> tuple[int, int, tuple]:
    """``(R, scale, caps)``: R grown to take the caps' rates (the case's rates × scale), each cap as
    ``(numerator over R, components)``."""
    den = rate_den
    for _, d, _ in ratios:
        if den % d:
            den = lcm(den, d)
    return den, den // rate_den, tuple((n * (den // d), comps) for n, d, comps in ratios)


# ---- allocation as the kernel's balance slots ----------------------------------------------------------

#: the kernel's balances: principal, the contract-interest pool (not yet due), due interest, penalty, compound
P_SLOT, POOL_SLOT, INTEREST_SLOT, PENALTY_SLOT, COMPOUND_SLOT = range(5)
_DUE_SLOT = {INTEREST: INTEREST_SLOT, PENALTY: PENALTY_SLOT, COMPOUND: COMPOUND_SLOT, PRINCIPAL: P_SLOT}
_SLOTS: dict[int, tuple] = {}  # id(order) → (order, slots without stated interest, with)


def _slots(order) -> tuple:
    """``(order, slots, slots with stated interest)``: the balances a payment reaches in
    :func:`~ruledsl.calc.allocation.payment_order` — ``(once due, before)`` — without and with a stated
    interest (before the due date the pool only when no interest is stated: a stated interest is not
    owed before its due date); None for an order that is not a permutation of the components."""
    plain = stated = None
    try:
        ok = sorted(order) == _SORTED_COMPONENTS
    except TypeError:
        ok = False
    if ok:
        plan = payment_order(tuple(order))  # one instalment, no costs: by instalment or by component alike
        due = tuple(_DUE_SLOT[c] for c in plan.due if c in _DUE_SLOT)
        plain = (due, tuple(POOL_SLOT if c == INTEREST else P_SLOT for c in plan.not_due))
        stated = (due, tuple(P_SLOT for c in plan.not_due if c == PRINCIPAL))
    hit = (order, plain, stated)
    if len(_SLOTS) > 256:
        _SLOTS.clear()
    _SLOTS[id(order)] = hit  # the entry keeps the order alive: its id is not reused
    return hit
