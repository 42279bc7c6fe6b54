"""The shape dispatcher: which path computes a case — the integer kernel or the engine.

Every untraced computation asks here first, whether the case comes as a
:class:`~ruledsl.calc.model.LoanCase` (:func:`kernel_case`, from
``compute(case, trace=False)``) or as a ruleset ledger's settings (:func:`kernel_settings`, from
:func:`ruledsl.runtime.ledger.run_ledger_fast`, without building a LoanCase), and the batch path
of the pre-check asks whether a case is one of its rows (:func:`batch_row`).  The answer is the
case in integers, ready for :func:`ruledsl.calc.kernel.run`, or ``None``: the engine computes it
(it validates the case, and raises :class:`~ruledsl.core.errors.InputError` naming the field
when the case is bad).

The kernel's shape (:class:`KernelInput`)
    one instalment (到期一次还本付息) whose principal is the loan's, due after the disbursement,
    with or without a stated interest (还款计划表); fixed agreed rates (no LPR, no rate changes);
    any repayments; no costs, no acceleration; caps that ``remove`` at a fixed rate with no
    window; any agreed allocation order, by component or by instalment (alike for one instalment
    without costs); a day count that is additive (first or last day counted, not both) on
    basis 360, 365 or 366.  The values must be ones :func:`~ruledsl.calc.validate.check_case`
    accepts — plain ``Decimal`` amounts and rates, ``date`` dates, rates from 0 to 100 % — so a
    case the kernel takes is never one the engine would refuse; anything else goes to the engine,
    which refuses or computes it.  (This check is the only entry check: the kernel trusts it.)

The batch row (:func:`batch_row`)
    the kernel's shape without stated interest or caps, at most two repayments, the default
    order (民法典 561), 算头不算尾, money in whole fen and rates in units of 0.01 %
    (:data:`BATCH_RATE_SCALE`): what :mod:`ruledsl.precheck.vectorized` computes in numpy.

Arithmetic (see :mod:`ruledsl.calc.kernel`): every amount becomes an integer numerator over a
common denominator, so the input is handed over as integer ratios: money as ``(n, d)``, rates as
numerators over their common denominator ``R``, dates as ordinals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from math import lcm
from operator import attrgetter, itemgetter
from typing import NamedTuple

from ruledsl.calc.allocation import payment_order
from ruledsl.calc.fields import FIELDS, LedgerSettings
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

#: the fields the kernel cannot take (any of them set: the engine); see :mod:`ruledsl.calc.fields`
ENGINE_ONLY = ("costs", "rate_changes", "accelerated_on")
_engine_only = attrgetter(*ENGINE_ONLY)  # of LedgerSettings
_engine_only_in_case = attrgetter(*(FIELDS[name].attr for name in ENGINE_ONLY))  # of a LoanCase

#: (paid_on, amount) of a Repayment, and of a ledger's repayment record
_REPAYMENT = attrgetter("paid_on", "amount")
_REPAYMENT_RECORD = itemgetter("paid_on", "amount")

#: the batch path's rates are whole multiples of 1 / BATCH_RATE_SCALE (0.01 %)
BATCH_RATE_SCALE = 10_000


class KernelInput(NamedTuple):
    """A kernel-shaped case in integers (see the module docstring); only :func:`kernel_case` and
    :func:`kernel_settings` make one."""

    principal: tuple[int, int]              # (n, d): principal = n / d yuan
    start: int                              # ordinals: disbursement, due date, cut-off
    due: int
    end: int
    rate_den: int                           # R: every rate is a numerator over R
    contract: int
    penalty: int
    compound: int                           # 0 when compound interest is off
    caps: tuple[tuple[int, tuple[str, ...]], ...]  # (rate numerator, components), in the case's order
    stated: tuple[int, int] | None          # the instalment's stated interest (n, d), or None
    repayments: list[tuple[int, int, int, Decimal]]  # (ordinal, n, d, amount as given), in date order
    money_den: int                          # lcm of every money denominator
    basis: int
    due_slots: tuple[int, ...]              # the kernel's balances a payment reaches, once due / before
    early_slots: tuple[int, ...]


# ---- the two sources ------------------------------------------------------------------------------------

def kernel_case(case) -> KernelInput | None:
    """The kernel's input for a :class:`~ruledsl.calc.model.LoanCase`, or ``None`` (the engine)."""
    insts = case.instalments
    if len(insts) != 1:
        return None
    if any(_engine_only_in_case(case)):
        return None
    inst = insts[0]
    key = (case.contract_rate, case.penalty_rate, case.compound_rate if case.compound else _NO_COMPOUND)
    try:  # a case's rates are fixed Decimals whose hashes Python keeps: cached by value
        rates = _RATES[key]
    except KeyError:
        rates = _RATES[key] = _rates_or_none(*key)
        if len(_RATES) > 4096:
            _RATES.clear()
    except TypeError:  # an unhashable rate: not a Decimal
        return None
    return _integers(case.principal, inst.principal, case.disbursed_on, inst.due_on, case.calc_until, rates,
                     inst.interest, map(_REPAYMENT, case.repayments), case.caps, case.allocation_order,
                     case.allocation_by, case.day_count)


def kernel_settings(settings: LedgerSettings, caps: tuple[Cap, ...], order: tuple[str, ...] | None,
                    day_count: DayCount) -> KernelInput | None:
    """The kernel's input for a ruleset ledger's settings (:class:`~ruledsl.calc.fields.LedgerSettings`), or ``None``."""
    s = settings
    if any(_engine_only(s)):
        return None
    p = s.principal
    insts = s.instalments
    if insts is None:
        inst_p, due, stated = p, s.due_on, None
    else:
        if len(insts) != 1:
            return None
        inst = insts[0]
        inst_p, due, stated = inst.get("principal"), inst.get("due_on"), inst.get("interest")
    pays = s.repayments
    # rates computed by the rules are new Decimals for each case: their ratios cost less than their hashes
    rates = _rates_or_none(s.contract_rate, s.penalty_rate, s.compound_rate if s.compound is not False else _NO_COMPOUND)
    return _integers(p, inst_p, s.disbursed_on, due, s.until, rates, stated,
                     map(_REPAYMENT_RECORD, pays) if pays else (), caps, order or DEFAULT_ORDER, "component",
                     day_count)


def batch_row(case) -> bool:
    """Whether the pre-check's vectorized path computes ``case`` (see the module docstring)."""
    dc = case.day_count
    if (case.caps or len(case.repayments) > 2 or not dc.first_day or dc.last_day
            or tuple(case.allocation_order) != DEFAULT_ORDER or len(case.instalments) != 1
            or case.instalments[0].interest is not None):
        return False
    found = kernel_case(case)
    if found is None:
        return False
    rates = [case.contract_rate, case.penalty_rate, case.compound_rate]
    return (all(r is None or (r * BATCH_RATE_SCALE) % 1 == 0 for r in rates)
            and 100 % found.principal[1] == 0 and all(100 % d == 0 for _, _, d, _ in found.repayments))


# ---- the one check ----------------------------------------------------------------------------------

def _integers(p, inst_p, start, due, end, rates: tuple | None, stated, pays: Iterable, caps: Sequence[Cap],
              order, by: str, dc: DayCount) -> KernelInput | None:
    """The kernel's input, or None when the case is not of its shape or not plainly valid (``rates``:
    what :func:`_rates` makes of the case's rates)."""
    basis = dc.basis
    if not (type(p) is _DEC and type(start) is _DATE and type(due) is _DATE and type(end) is _DATE
            and start < due and start <= end and basis in _BASES and dc.first_day != dc.last_day and by in _BY):
        return None
    hit = _SLOTS.get(id(order))  # an order is a ruleset's constant or DEFAULT_ORDER: cached by identity
    if hit is None or hit[0] is not order:
        hit = _slots(order)
    slots = hit[1] if stated is None else hit[2]
    if slots is None:
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
        s0, e0 = start.toordinal(), end.toordinal()
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
    except (ValueError, OverflowError):
        return None
    if pn <= 0 or inst_p is not p and not (type(inst_p) is _DEC and inst_p == p):  # the one instalment is all
        return None
    if not in_order:
        ints.sort(key=_first)  # stable: repayments on one date in the order given
    rate_den, rc_n, rp_n, rk_n = rates
    if caps:
        found = _caps(caps, rate_den)
        if found is None:
            return None
        rate_den, scale, cap_n = found
        if scale != 1:
            rc_n, rp_n, rk_n = rc_n * scale, rp_n * scale, rk_n * scale
    else:
        cap_n = ()
    return _new(KernelInput, ((pn, pd), s0, due.toordinal(), e0, rate_den, rc_n, rp_n, rk_n, cap_n, stated, ints,
                              money_den, basis, *slots))


_new = tuple.__new__  # a KernelInput straight from its fields (its generated __new__ costs more than the kernel's
#                       setup on this hot path)


def _first(item: tuple) -> int:
    return item[0]


_NO_COMPOUND = object()  # compound interest off: its rate plays no part


_RATES: dict[tuple, tuple | None] = {}


def _rates_or_none(rc, rp, rk) -> tuple[int, int, int, int] | None:
    try:
        return _rates(rc, rp, rk)
    except (ValueError, OverflowError):  # a NaN or an infinity: the engine explains it
        return None


def _rates(rc, rp, rk) -> tuple[int, int, int, int] | None:
    """``(R, contract, penalty, compound)``: the rates as numerators over their common denominator R, or
    None when they are not plain rates from 0 to 100 %; an unset penalty rate is the contract rate, an
    unset compound rate the penalty rate; raises on NaN and infinities."""
    if type(rc) is not _DEC:
        return None
    cn, cd = rc.as_integer_ratio()
    if rp is None or rp is rc:
        pn, pd = cn, cd
    elif type(rp) is _DEC:
        pn, pd = rp.as_integer_ratio()
    else:
        return None
    if rk is _NO_COMPOUND:
        kn, kd = 0, 1
    elif rk is None or rk is rp:
        kn, kd = pn, pd
    elif type(rk) is _DEC:
        kn, kd = rk.as_integer_ratio()
    else:
        return None
    if not (0 <= cn <= cd and 0 <= pn <= pd and 0 <= kn <= kd):
        return None
    den = cd
    for d in (pd, kd):
        if den % d:
            den = d if d % den == 0 else lcm(den, d)
    return den, cn * (den // cd), pn * (den // pd), kn * (den // kd)


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


def _caps(caps: Sequence[Cap], rate_den: int) -> tuple[int, int, tuple] | None:
    """``(R, scale, caps)``: R grown to take the caps' rates (the case's rates × scale), each cap as
    ``(numerator over R, components)``."""
    ratios = []
    den = rate_den
    for cap in caps:
        found = _cap_ratio(cap)
        if found is None:
            return None
        ratios.append(found)
        if den % found[1]:
            den = lcm(den, found[1])
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
