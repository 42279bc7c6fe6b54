"""The pre-check a column at a time: a part of a filing's raw rows in, the part's output rows out.

:func:`judge_part` is the pre-check's core on the columnar path.  It reads the part's cells a column at
a time (:mod:`ruledsl.precheck.cells`), evaluates the ruleset over whole columns — inputs and their
defaults and bounds, the ledger on the vectorized integer-fen path
(:func:`ruledsl.precheck.vectorized.stated_schedules`), the award lines, caps, the claim limit and the
route — and writes each output row's verdict, reasons and figures as columns
(:class:`Block`).  Every row it cannot vouch for goes to the per-row path
(:func:`ruledsl.precheck.run.judge_rows`, the compiled rules one case at a time), whose output it takes
as it is:

* a cell not in the one plain form the column readers take (the per-row path reads it, or says what is
  wrong with it), a setting or evidence given in a row, a list sheet's records;
* a value the rules would refuse (an input out of its bounds, a claim below zero) or an operation that
  could fail on the row (anything on a missing value) — the per-row path names the error;
* a construct of the ruleset this evaluator does not take (table look-ups, LPR-linked rates, lists,
  aggregates, divisions …) on the rows where it is evaluated: an ``if`` whose other branch holds one
  keeps its other rows here;
* a ledger outside the vectorized shape (no schedule stating its interest, caps in force, costs,
  acceleration, an agreed order, more than :data:`~ruledsl.precheck.vectorized.SCHEDULE_REPAYMENTS`
  repayments, amounts outside the int64-safe ranges, a line within a hair of a half fen).

Values are exact: money and rates are integer numerators over a denominator per column (a product's
denominator is the product of its factors'), rounded half-up to the fen exactly where the rules round;
a tie after an inexact Decimal division (``accrue … / 365``) is left to the per-row path, and nothing
else an inexact division gives can round otherwise than the exact value (40 digits against
denominators below 10¹⁸).  So every row's output equals the per-row path's, to the fen and to the
character (tests/precheck/test_columnar.py holds the two together on generated hostile batches).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from math import gcd
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ruledsl.core.types import D_DAILY, D_MONEY, D_RATE, MONEY
from ruledsl.lang import ast
from ruledsl.precheck import cells
from ruledsl.precheck.vectorized import SCHEDULE_INSTALMENTS, SCHEDULE_REPAYMENTS, stated_schedules

_LIMIT = 2 ** 62
_BIG = np.iinfo(np.int64).max


class Unsupported(Exception):
    """A construct the columnar evaluator does not take: the rows evaluating it go to the per-row path."""


# ---- values -------------------------------------------------------------------------------------------------

class Num:
    """Exact numbers: ``num / den`` per row (``den`` a positive int for the column); ``inexact`` when a
    Decimal division the rules make on the way (by 365 …) need not be exact."""

    __slots__ = ("num", "den", "null", "inexact")

    def __init__(self, num: np.ndarray, den: int, null: np.ndarray | None = None, inexact: bool = False) -> None:
        self.num, self.den, self.null, self.inexact = num, int(den), null, inexact


class Day:
    __slots__ = ("days", "null")

    def __init__(self, days: np.ndarray, null: np.ndarray | None = None) -> None:
        self.days, self.null = days, null


class Flag:
    __slots__ = ("v", "null")

    def __init__(self, v: np.ndarray, null: np.ndarray | None = None) -> None:
        self.v, self.null = v, null


class Str:
    __slots__ = ("v", "null")

    def __init__(self, v: np.ndarray, null: np.ndarray | None = None) -> None:
        self.v, self.null = v, null


class Rec:
    __slots__ = ("fields", "null")

    def __init__(self, fields: dict[str, Any], null: np.ndarray | None) -> None:
        self.fields, self.null = fields, null


class Lst:
    """A list of records per row: each row's count, each key's values over the records in row order."""

    __slots__ = ("counts", "items", "null")

    def __init__(self, counts: np.ndarray, items: dict[str, np.ndarray], null: np.ndarray | None = None) -> None:
        self.counts, self.items, self.null = counts, items, null


class LedgerV:
    __slots__ = ("lines",)

    def __init__(self, lines: dict[str, Any]) -> None:
        self.lines = lines


class _Unknown:
    """A value this evaluator does not compute but that cannot fail (a ledger line it leaves out, a claim
    total): any operation on it is unknown too; a row that needs it for its output or a decision goes to
    the per-row path."""


UNKNOWN = _Unknown()


def _where(cond: np.ndarray, a: Any, b: Any, n: int) -> Any:
    """Row by row ``a`` where ``cond`` else ``b`` (values of one kind)."""
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    null = None
    na, nb = getattr(a, "null", None), getattr(b, "null", None)
    if na is not None or nb is not None:
        null = np.where(cond, na if na is not None else False, nb if nb is not None else False)
    if isinstance(a, Num) and isinstance(b, Num):
        den = a.den * b.den // gcd(a.den, b.den)
        x, y = _rescale(a, den), _rescale(b, den)
        if x is None or y is None:
            raise Unsupported("denominators")
        return Num(np.where(cond, x, y), den, null, a.inexact or b.inexact)
    if isinstance(a, Day) and isinstance(b, Day):
        return Day(np.where(cond, a.days, b.days), null)
    if isinstance(a, Flag) and isinstance(b, Flag):
        return Flag(np.where(cond, a.v, b.v), null)
    if isinstance(a, Str) and isinstance(b, Str):
        return Str(np.where(cond, a.v, b.v), null)
    if isinstance(a, Lst) and isinstance(b, Lst) and not (cond.all() or (~cond).all()):
        raise Unsupported("a list chosen row by row")
    if isinstance(a, Lst) and isinstance(b, Lst):
        return a if cond.all() else b
    raise Unsupported(f"if over {type(a).__name__} and {type(b).__name__}")


def _rescale(a: Num, den: int) -> np.ndarray | None:
    f = den // a.den
    if f == 1:
        return a.num
    if f > _LIMIT:
        return None
    over = np.abs(a.num) > _LIMIT // f
    if over.any():
        return None
    return a.num * f


# ---- the evaluator ----------------------------------------------------------------------------------------

class _Eval:
    """One part's evaluation: every value a column, ``bad`` the rows that go to the per-row path."""

    def __init__(self, rs, n: int, complete: bool) -> None:
        self.rs, self.c, self.n = rs, rs.checked, n
        self.bad = np.zeros(n, bool)
        self.env: dict[str, Any] = {}
        self.complete = complete

    def flag(self, rows: np.ndarray | bool) -> None:
        self.bad |= rows

    def const(self, value: Any) -> Any:
        n = self.n
        if isinstance(value, bool):
            return Flag(np.full(n, value))
        if isinstance(value, (Decimal, int)):
            num, den = Decimal(value).as_integer_ratio()
            if abs(num) > _LIMIT:
                raise Unsupported("a large constant")
            return Num(np.full(n, num, np.int64), den)
        if isinstance(value, str):
            return Str(np.full(n, value, object))
        raise Unsupported(f"constant {value!r}")

    # the rows where a value is missing and something needs it: Python would fail there (TypeError)
    def _need(self, live: np.ndarray, *values) -> None:
        for v in values:
            if v is UNKNOWN:
                self.flag(live)
                continue
            null = getattr(v, "null", None)
            if null is not None:
                self.flag(live & null)

    def truth(self, v: Any, live: np.ndarray) -> np.ndarray:
        """Where a condition holds (a missing or unknown value: the per-row path decides)."""
        if v is UNKNOWN:
            self.flag(live)
            return np.zeros(self.n, bool)
        if not isinstance(v, Flag):
            raise Unsupported("a condition that is not a flag")
        if v.null is not None:
            self.flag(live & v.null)
            return v.v & ~v.null
        return v.v

    def ev(self, node: ast.Expr, live: np.ndarray) -> Any:
        method = getattr(self, f"ev_{type(node).__name__}", None)
        if method is None or not live.any():
            if method is None:
                self.flag(live)
            return UNKNOWN if method is None else self._empty(node)
        try:
            return method(node, live)
        except Unsupported as exc:
            self.flag(live)
            self.why = getattr(self, "why", []) + [f"{type(node).__name__}: {exc}"]  # for tests and debugging
            return UNKNOWN

    def _empty(self, node: ast.Expr) -> Any:
        """A value for no live row (an ``if`` branch no row takes): nothing reads it."""
        return UNKNOWN

    def ev_Number(self, n, live):
        return self.const(n.value)

    def ev_Percent(self, n, live):
        return self.const(n.value)

    def ev_Duration(self, n, live):
        return self.const(n.amount)

    def ev_String(self, n, live):
        return self.const(n.value)

    def ev_Bool(self, n, live):
        return self.const(n.value)

    def ev_Basis(self, n, live):
        return self.const(Decimal(self.c.day_count.basis))

    def ev_DateLit(self, n, live):
        from datetime import date
        return Day(np.full(self.n, (date.fromisoformat(n.text) - date(1970, 1, 1)).days, np.int64))

    def ev_EvidenceComplete(self, n, live):
        return Flag(np.full(self.n, self.complete))

    def ev_Name(self, n, live):
        if n.name not in self.env:
            raise Unsupported(f"name {n.name}")  # a table, a list item's variable …
        return self.env[n.name]

    def ev_Attr(self, n, live):
        obj = self.ev(n.obj, live)
        if obj is UNKNOWN:
            return UNKNOWN
        if isinstance(obj, LedgerV):
            return obj.lines.get(n.name, UNKNOWN)
        if isinstance(obj, Rec):
            self._need(live, obj)
            value = obj.fields.get(n.name)
            if value is None:
                raise Unsupported(f"field {n.name}")
            return value
        raise Unsupported("attribute of a list")

    def ev_If(self, n, live):
        cond = self.truth(self.ev(n.cond, live), live)
        a = self.ev(n.then, live & cond)
        b = self.ev(n.else_, live & ~cond)
        # a branch no row takes, or only rows already left to the per-row path: the other one
        if not (live & cond & ~self.bad).any():
            return b
        if not (live & ~cond & ~self.bad).any():
            return a
        if a is UNKNOWN or b is UNKNOWN:
            return UNKNOWN
        return _where(cond, a, b, self.n)

    def ev_Not(self, n, live):
        v = self.ev(n.operand, live)
        if v is UNKNOWN:
            return UNKNOWN
        if not isinstance(v, Flag):
            raise Unsupported("not of a non-flag")
        self._need(live, v)  # `not None` is True in Python, but a missing flag here is rare: the per-row path
        return Flag(~v.v)

    def ev_BoolOp(self, n, live):
        left = self.ev(n.left, live)
        if left is UNKNOWN:
            return UNKNOWN
        lt = self.truth(left, live)
        rest = live & (lt if n.op == "and" else ~lt)
        right = self.ev(n.right, rest)
        if right is UNKNOWN:
            self.flag(rest)
            return Flag(lt)
        if not rest.any():
            return Flag(lt)
        rt = self.truth(right, rest)
        return Flag(lt & rt if n.op == "and" else lt | rt)

    def ev_Compare(self, n, live):
        a, b = self.ev(n.left, live), self.ev(n.right, live)
        if a is UNKNOWN or b is UNKNOWN:
            return UNKNOWN
        op = n.op
        if op in ("==", "!=") and (a.null is not None or b.null is not None):
            self._need(live, a, b)  # None == x is valid Python; rare enough to leave to the per-row path
        elif op not in ("==", "!="):
            self._need(live, a, b)
        if isinstance(a, Num) and isinstance(b, Num):
            den = a.den * b.den // gcd(a.den, b.den)
            x, y = _rescale(a, den), _rescale(b, den)
            if x is None or y is None:
                raise Unsupported("denominators")
            if a.inexact or b.inexact:  # Decimal's rounding may split values exactly equal
                self.flag(live & (x == y))
        elif isinstance(a, Day) and isinstance(b, Day):
            x, y = a.days, b.days
        elif isinstance(a, (Str, Flag)) and type(a) is type(b) and op in ("==", "!="):
            x, y = a.v, b.v
        else:
            raise Unsupported("comparison")
        out = {"==": x == y, "!=": x != y, "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]
        return Flag(np.asarray(out, bool))

    def ev_Neg(self, n, live):
        v = self.ev(n.operand, live)
        if v is UNKNOWN:
            return UNKNOWN
        if not isinstance(v, Num):
            raise Unsupported("negation")
        self._need(live, v)
        return Num(-v.num, v.den, None, v.inexact)

    def ev_BinOp(self, n, live):
        a, b = self.ev(n.left, live), self.ev(n.right, live)
        if a is UNKNOWN or b is UNKNOWN:
            return UNKNOWN
        self._need(live, a, b)
        if not (isinstance(a, Num) and isinstance(b, Num)):
            raise Unsupported("date arithmetic")
        if n.op in ("+", "-"):
            den = a.den * b.den // gcd(a.den, b.den)
            x, y = _rescale(a, den), _rescale(b, den)
            if x is None or y is None:
                raise Unsupported("denominators")
            big = (np.abs(x) > _LIMIT // 2) | (np.abs(y) > _LIMIT // 2)
            self.flag(live & big)
            x, y = np.where(big, 0, x), np.where(big, 0, y)
            return Num(x + y if n.op == "+" else x - y, den, None, a.inexact or b.inexact)
        if n.op == "*":
            return self._mul(a, b, live)
        raise Unsupported("division")

    def _mul(self, a: Num, b: Num, live: np.ndarray) -> Num:
        den = a.den * b.den
        if den > _LIMIT:
            raise Unsupported("denominators")
        big = np.abs(a.num).astype(np.float64) * np.abs(b.num).astype(np.float64) > _LIMIT / 4
        self.flag(live & big)
        num = np.where(big, 0, a.num) * np.where(big, 0, b.num)
        g = int(np.gcd.reduce(np.append(num, den)))  # keep the denominator small where the data allow
        if g > 1:
            num, den = num // g, den // g
        return Num(num, den, None, a.inexact or b.inexact)

    def ev_Call(self, n, live):
        if n.func == "given":
            v = self.ev(n.args[0], live)
            if v is UNKNOWN:
                return Flag(np.ones(self.n, bool))  # an unknown value is a computed one: never None
            null = getattr(v, "null", None)
            return Flag(np.ones(self.n, bool) if null is None else ~null)
        if n.func == "round":
            v = self.ev(n.args[0], live)
            if v is UNKNOWN:
                return UNKNOWN
            self._need(live, v)
            return self.round_fen(v, live)
        raise Unsupported(f"function {n.func}")

    def ev_Accrue(self, n, live):
        rate_t = self.c.type_of(n.rate)
        if rate_t.dims == D_DAILY and not rate_t.lit:  # as the interpreter chooses accrue_daily
            raise Unsupported("a daily rate")
        base, rate, start, end = (self.ev(x, live) for x in (n.base, n.rate, n.start, n.end))
        if any(v is UNKNOWN for v in (base, rate, start, end)):
            return UNKNOWN
        self._need(live, base, rate, start, end)
        dc = self.c.day_count
        basis = n.basis if n.basis is not None else dc.basis
        span = end.days - start.days
        days = np.where(span <= 0, 0, span - 1 + int(dc.first_day) + int(dc.last_day))
        product = self._mul(self._mul(base, rate, live), Num(days, 1), live)
        b = int(basis)
        inexact = product.inexact or any(b % p == 0 for p in (3, 7, 11, 13)) or _odd_factor(b)
        den = product.den * b
        if den > _LIMIT:
            raise Unsupported("denominators")
        return Num(product.num, den, None, inexact)

    def round_fen(self, v: Num, live: np.ndarray) -> Num:
        """Half-up to the fen (ties away from zero), as ``round_fen``; a tie after an inexact division is
        left to the per-row path."""
        if v.den == 100:
            return v
        if 100 % v.den == 0:
            return Num(v.num * (100 // v.den), 100, v.null)
        big = np.abs(v.num) > _LIMIT // 200
        self.flag(live & big)
        a = np.where(big, 0, np.abs(v.num)) * 100
        q, r = np.divmod(a, v.den)
        twice = 2 * r
        if v.inexact:
            self.flag(live & (twice == v.den))
        q += twice >= v.den
        return Num(np.where(v.num < 0, -q, q), 100, v.null)

    def ev_Ledger(self, n, live):
        return ledger(self, n, live)

    def ev_ListLit(self, n, live):
        """``[]``, the default of a list input."""
        if n.items:
            raise Unsupported("a list literal")
        return Lst(np.zeros(self.n, np.int64), {})

    def ev_ClaimTotal(self, n, live):
        return UNKNOWN  # Σ claimed − awarded, or Σ allowed − awarded: never fails, not an output


def _odd_factor(b: int) -> bool:
    """Whether ``b`` has a prime factor other than 2 and 5 (a Decimal division by it may not be exact)."""
    while b % 2 == 0:
        b //= 2
    while b % 5 == 0:
        b //= 5
    return b != 1


# ---- the ledger -------------------------------------------------------------------------------------------

_NEVER = ("due_on", "rate_changes", "postings")      # set at all: this evaluator does not compute the ledger
_EMPTY = ("designated_repayments", "costs")           # must be empty in a row (else: the per-row path)
_IGNORED = ("statements", "late_fee_rate")            # a card account's, which a loan ledger sets aside


def ledger(e: _Eval, node: ast.Ledger, live: np.ndarray) -> Any:
    """The ledger over the live rows: the vectorized stated-schedule path, the rest to the per-row path."""
    from ruledsl.calc.fields import DEFAULTS

    c = e.c
    for when, _ in c.agreed_specs(node):  # an agreed order in force: not this path's
        e.flag(live & e.truth(e.ev(when, live), live))
    for cap in node.caps:  # a cap in force: the kernel's cap path, not this one
        e.flag(live if cap.when is None else live & e.truth(e.ev(cap.when, live), live))
    if c.ledger_spec(node).order not in (None, tuple(_default_order())):
        e.flag(live)
        return UNKNOWN
    settings = {st.name: e.ev(st.expr, live) for st in node.settings}
    if any(name in settings for name in _NEVER) or any(v is UNKNOWN for v in settings.values()):
        e.flag(live)
        return UNKNOWN
    dc = c.day_count
    if dc.first_day == dc.last_day or dc.basis not in (360, 365, 366):
        e.flag(live)
        return UNKNOWN
    n = e.n
    ok = live & ~e.bad

    def value(name):
        return settings.get(name, None)

    for name in _EMPTY:
        v = value(name)
        if v is not None:
            if not isinstance(v, Lst):
                e.flag(live)
                return UNKNOWN
            ok &= v.counts == 0
    acc = value("accelerated_on")
    if acc is not None:
        ok &= acc.null if acc.null is not None else np.zeros(n, bool)
    day_after = value("overdue_day_after")
    if day_after is not None:
        ok &= ~e.truth(day_after, ok) if isinstance(day_after, Flag) else False
    p = value("principal")
    start, until, insts = value("disbursed_on"), value("until"), value("instalments")
    if not (isinstance(p, Num) and isinstance(start, Day) and isinstance(until, Day) and isinstance(insts, Lst)):
        e.flag(live)
        return UNKNOWN
    if "interest" not in insts.items or "due_on" not in insts.items or "principal" not in insts.items:
        e.flag(live)  # a schedule that does not state its interest: not this path's shape
        return UNKNOWN
    for v in (p, start, until, insts):
        if v.null is not None:
            ok &= ~v.null
    p_fen, fen_ok = _fen(p)
    ok &= fen_ok
    rates = []
    for name in ("contract_rate", "penalty_rate", "compound_rate"):
        r = value(name)
        if r is None:
            rates.append((np.zeros(n, np.int64), np.ones(n, bool)))
            continue
        if not isinstance(r, Num):
            e.flag(live)
            return UNKNOWN
        e4, r_ok = _e4(r)
        null = r.null if r.null is not None else np.zeros(n, bool)
        rates.append((e4, null))
        ok &= r_ok | null
    (rc, rc_null), (rp, rp_null), (rk, rk_null) = rates
    ok &= ~rc_null  # no contract rate: the engine explains
    rp = np.where(rp_null, rc, rp)
    rk = np.where(rk_null, rp, rk)
    ok &= (rc >= 0) & (rc <= 10_000) & (rp >= 0) & (rp <= 10_000) & (rk >= 0) & (rk <= 10_000)
    compound = value("compound")
    if compound is None:
        compound_on = np.full(n, DEFAULTS["compound"] is not False)
    elif isinstance(compound, Flag):
        compound_on = compound.v | (compound.null if compound.null is not None else False)
    else:
        e.flag(live)
        return UNKNOWN
    rk = np.where(compound_on, rk, 0)
    pays = value("repayments")
    if pays is None:
        pay_counts = np.zeros(n, np.int64)
        pays = Lst(pay_counts, {"paid_on": np.zeros(0, np.int64), "amount": np.zeros(0, np.int64)})
    elif not isinstance(pays, Lst) or (pays.counts.any() and ("paid_on" not in pays.items
                                                               or "amount" not in pays.items)):
        e.flag(live)
        return UNKNOWN
    if pays.null is not None:
        pays = Lst(np.where(pays.null, 0, pays.counts), pays.items)  # None: no repayments (`pays or ()`)
    if not pays.items and not pays.counts.any():
        pays = Lst(pays.counts, {"paid_on": np.zeros(0, np.int64), "amount": np.zeros(0, np.int64)})
    counts, pay_counts = insts.counts, pays.counts
    ok &= (counts >= 1) & (counts <= SCHEDULE_INSTALMENTS) & (pay_counts <= SCHEDULE_REPAYMENTS)
    ok &= until.days >= start.days
    ok &= p_fen > 0
    # the schedule: due dates strictly increasing after the disbursement, principal adding up to the loan's
    i_off = np.concatenate([[0], np.cumsum(counts)])
    owner = np.repeat(np.arange(n), counts)
    due, inst_p, stated = insts.items["due_on"], insts.items["principal"], insts.items["interest"]
    prev = np.where(np.arange(len(due)) == i_off[owner], start.days[owner], np.roll(due, 1))
    step_ok = due > prev
    ok &= np.bincount(owner, weights=~step_ok, minlength=n) == 0
    sums = np.zeros(n, np.int64)
    np.add.at(sums, owner, inst_p)
    ok &= sums == p_fen
    p_owner = np.repeat(np.arange(n), pay_counts)
    paid_on, amount = pays.items["paid_on"], pays.items["amount"]
    pay_ok = (amount > 0) & (paid_on >= start.days[p_owner]) & (paid_on <= until.days[p_owner])
    ok &= np.bincount(p_owner, weights=~pay_ok, minlength=n) == 0
    e.flag(live & ~ok)
    lines = {name: np.zeros(n, np.int64) for name in ("principal_due", "interest_due", "penalty_interest",
                                                      "compound_interest")}
    rows = np.flatnonzero(ok)
    p_off = np.concatenate([[0], np.cumsum(pay_counts)])
    shapes = counts[rows] * (SCHEDULE_REPAYMENTS + 1) + pay_counts[rows]  # rows of one shape run together
    for shape in np.unique(shapes) if len(rows) else ():
        group = rows[shapes == shape]
        k, m = divmod(int(shape), SCHEDULE_REPAYMENTS + 1)
        at = i_off[group][:, None] + np.arange(k)
        pay_on = np.full((len(group), m), _BIG, np.int64)
        pay_fen = np.zeros((len(group), m), np.int64)
        if m:
            j = np.arange(m)
            has = j[None, :] < pay_counts[group][:, None]
            idx = np.where(has, p_off[group][:, None] + j, 0)
            pay_on = np.where(has, paid_on[idx] if len(paid_on) else 0, _BIG)
            pay_fen = np.where(has, amount[idx] if len(amount) else 0, 0)
        got, unsure = stated_schedules(p_fen[group], rc[group], rp[group], rk[group], start.days[group],
                                       until.days[group], due[at], inst_p[at], stated[at], pay_on, pay_fen,
                                       dc.basis)
        for name, v in got.items():
            lines[name][group] = v
        if unsure.any():  # out of the int64-safe ranges, or a hair from a half fen
            doubt = np.zeros(n, bool)
            doubt[group[unsure]] = True
            e.flag(doubt)
    out: dict[str, Any] = {name: Num(v, 100) for name, v in lines.items()}
    out["fees"] = Num(np.zeros(n, np.int64), 100)
    return LedgerV(out)


def _default_order():
    from ruledsl.calc.model import DEFAULT_ORDER
    return DEFAULT_ORDER


def _fen(v: Num) -> tuple[np.ndarray, np.ndarray]:
    """Money in whole fen, and where it is whole fen."""
    if 100 % v.den == 0:
        return v.num * (100 // v.den), np.ones(len(v.num), bool)
    scaled = v.num * 100 if v.den <= _LIMIT // 100 else None
    if scaled is None:
        return np.zeros(len(v.num), np.int64), np.zeros(len(v.num), bool)
    big = np.abs(v.num) > _LIMIT // 100
    q, r = np.divmod(np.where(big, 0, v.num) * 100, v.den)
    return q, (r == 0) & ~big


def _e4(v: Num) -> tuple[np.ndarray, np.ndarray]:
    """A rate in units of 0.01 %, and where it is a whole number of them (the batch path's rates)."""
    big = np.abs(v.num) > _LIMIT // 10_000
    q, r = np.divmod(np.where(big, 0, v.num) * 10_000, v.den)
    return q, (r == 0) & ~big


# ---- inputs from cells ------------------------------------------------------------------------------------

def _input(e: _Eval, name: str, typ, column: pa.Array | None, keys: dict[str, pa.Array]) -> Any:
    """An input's value from its column (null where the cell is empty), or all missing without one; the rows
    whose cell this reader does not take are flagged."""
    n = e.n
    if column is None and not keys:
        return _missing(typ, n)
    if keys and column is not None:  # a record given whole and by its amounts: the per-row path
        present = cells.given(column)
        for col in keys.values():
            present |= cells.given(col)
        e.flag(present)
        return _missing(typ, n)
    if keys:  # a record one column per key (贷款人诉请金额·罚息): every key given, or none
        if typ.kind != "record":
            raise AssertionError(name)
        fields, any_given, all_given = {}, np.zeros(n, bool), np.ones(n, bool)
        for key, ktyp in typ.fields:
            col = keys.get(key)
            if col is None:
                all_given[:] = False
                fields[key] = _missing(ktyp, n)
                continue
            g = cells.given(col)
            any_given |= g
            all_given &= g
            fields[key] = _scalar(e, ktyp, col, g)
        e.flag(any_given & ~all_given)
        return Rec(fields, ~any_given)
    g = cells.given(column)
    if typ.kind == "list":
        item = typ.item
        if item.kind != "record":
            e.flag(g)
            return _missing(typ, n)
        kinds = [(k, _cell_kind(t)) for k, t in item.fields]
        if any(kind is None for _, kind in kinds):
            e.flag(g)
            return _missing(typ, n)
        counts, ok, items = cells.record_lists(column, kinds, max(SCHEDULE_INSTALMENTS, SCHEDULE_REPAYMENTS))
        e.flag(g & ~ok)
        good = g & ok
        if not good.all():  # the records of the rows taken, in row order (others hold none)
            counts = np.where(good, counts, 0)
        return Lst(counts, items, ~good)
    if typ.kind == "record":
        kinds = [(k, _cell_kind(t)) for k, t in typ.fields]
        if any(kind is None for _, kind in kinds):
            e.flag(g)
            return _missing(typ, n)
        ok, values = cells.records(column, kinds)
        e.flag(g & ~ok)
        fields = {k: Num(values[k], 100) if kind == "money" else Day(values[k]) for k, kind in kinds}
        return Rec(fields, ~(g & ok))
    return _scalar(e, typ, column, g)


def _cell_kind(t) -> str | None:
    if t == MONEY:
        return "money"
    if t.kind == "date":
        return "date"
    return None


def _scalar(e: _Eval, typ, column: pa.Array, g: np.ndarray) -> Any:
    if typ.kind == "qty" and typ.dims == D_MONEY:
        v, ok = cells.money(column)
        e.flag(g & ~ok)
        return Num(v, 100, ~(g & ok))
    if typ.kind == "qty" and typ.dims == D_RATE:
        v, ok = cells.rate(column)
        e.flag(g & ~ok)  # a cell this cannot read (月息 "1分5厘" too) goes to the per-row reader
        return Num(v * 12 if typ.per == "month" else v, cells.RATE_DEN, ~(g & ok))  # a monthly rate: × 12
    if typ.kind == "date":
        v, ok = cells.dates(column)
        e.flag(g & ~ok)
        return Day(v, ~(g & ok))
    if typ.kind == "bool":
        v, ok = cells.flags(column)
        e.flag(g & ~ok)
        return Flag(v, ~(g & ok))
    if typ.kind in ("text", "enum"):
        values, _ = cells.texts(column)
        arr = np.array(values, dtype=object)
        if typ.kind == "enum":
            allowed = np.isin(arr, np.array(list(typ.values), dtype=object))
            e.flag(g & ~allowed)
            g = g & allowed
        return Str(arr, ~g)
    e.flag(g)
    return _missing(typ, len(g))


def _missing(typ, n: int) -> Any:
    null = np.ones(n, bool)
    if typ.kind == "qty":
        return Num(np.zeros(n, np.int64), 100 if typ.dims == D_MONEY else cells.RATE_DEN, null)
    if typ.kind == "date":
        return Day(np.zeros(n, np.int64), null)
    if typ.kind == "bool":
        return Flag(np.zeros(n, bool), null)
    if typ.kind in ("text", "enum"):
        return Str(np.full(n, None, object), null)
    if typ.kind == "list":
        return Lst(np.zeros(n, np.int64), {}, null)
    if typ.kind == "record":
        return Rec({k: _missing(t, n) for k, t in typ.fields}, null)
    return UNKNOWN


def _fill(e: _Eval, value: Any, default: Any, rows: np.ndarray) -> Any:
    """``value`` with ``default`` where ``rows`` (its missing rows)."""
    if isinstance(value, Lst) and isinstance(default, Lst):
        if rows.any() and default.counts[rows].any():
            raise Unsupported("a list default with items")
        return Lst(np.where(rows, 0, value.counts), value.items, None if value.null is None else value.null & ~rows)
    return _where(rows, default, value, e.n)


# ---- a part ---------------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What the columnar path decided for the rows it took (``taken``): per award line the claimable,
    claimed and excess in fen (``has_*``: the row states it), the route, and the rows left to the per-row path."""

    taken: np.ndarray                  # bool per row of the part
    award: dict[str, np.ndarray]
    claimed: dict[str, np.ndarray]
    allowed: dict[str, np.ndarray]
    has_claim: np.ndarray
    route: np.ndarray                  # index of the route rule, -1 for none
    grounds: list[np.ndarray]          # per ground of admissibility: the rows it refuses


def evaluate(rs, columns: dict[str, pa.Array], n: int, complete: bool, refused: np.ndarray | None = None
             ) -> Outcome:
    """The ruleset over a part's columns (input name or ``record.key`` → its cells as text, null where empty)."""
    c = rs.checked
    e = _Eval(rs, n, complete)
    if refused is not None:
        e.flag(refused)
    everything = np.ones(n, bool)
    keys: dict[str, dict[str, pa.Array]] = {}
    for name, col in columns.items():
        record, _, key = name.partition(".")
        if key:
            keys.setdefault(record, {})[key] = col
        elif record not in c.input_types or record in c.settings:  # evidence, or a setting given in a row
            e.flag(cells.given(col))
    for f in c.inputs:
        typ = c.input_types[f.name]
        if f.name in c.settings:
            value = _missing(typ, n)
        else:
            value = _input(e, f.name, typ, columns.get(f.name), keys.get(f.name, {}))
        null = getattr(value, "null", None)
        if f.default is not None and null is not None and null.any():
            default = e.ev(f.default, null)
            value = _fill(e, value, default, null) if default is not UNKNOWN else UNKNOWN
            if value is UNKNOWN:
                e.flag(null)
        elif f.default is None and not f.optional and null is not None:
            e.flag(null)  # a required input missing: the case parser names it
        e.env[f.name] = value
        for bound, word in (("min", "<"), ("max", ">")):
            node = getattr(f, bound)
            if node is None or value is UNKNOWN:
                continue
            limit = e.ev(node, everything)
            given = ~value.null if getattr(value, "null", None) is not None else everything
            e.flag(given & _compare(e, word, value, limit, given))
    for step in c.steps:
        if isinstance(step, ast.Definition):
            value = e.ev(step.expr, everything)
            if step.name in c.awards and value is not UNKNOWN:
                if not isinstance(value, Num):
                    raise Unsupported("an award line that is not an amount")
                e._need(everything, value)
                value = e.round_fen(value, everything)
            e.env[step.name] = value
        elif isinstance(step, ast.ClaimStep):
            _claim_step(e, step)
        else:  # a cap: the per-row path where it is in force
            when = everything if step.when is None else e.truth(e.ev(step.when, everything), everything)
            e.flag(when)
    route = np.full(n, -1, np.int64)
    for i, rule in enumerate(c.routes):
        open_ = route < 0
        if rule.cond is None:
            route[open_] = i
            break
        hit = e.truth(e.ev(rule.cond, open_), open_)
        route[open_ & hit] = i
    grounds = [e.truth(e.ev(g.cond, everything), everything) != g.require for g in c.grounds]
    for refuses in grounds:  # a case the court does not accept gets no stage
        route[refuses] = -1
    award = {}
    for name in c.awards:
        v = e.env[name]
        if v is UNKNOWN or not isinstance(v, Num) or v.den != 100:
            e.flag(everything)
            award[name] = np.zeros(n, np.int64)
            continue
        e._need(everything, v)
        e.flag(np.abs(v.num) >= 10 ** 17)  # Money refuses more than 18 digits before the point; stay far below
        award[name] = v.num
    claimed, allowed = {}, {}
    has_claim = np.zeros(n, bool)
    if c.claim is not None:
        claim = e.env.get(c.claim.claim)
        if isinstance(claim, Rec):
            has_claim = ~claim.null if claim.null is not None else np.ones(n, bool)
        for line in c.claim_lines:
            claimed[line] = e.env.get(f"{line}:claimed", Num(np.zeros(n, np.int64), 100)).num
            a = e.env.get(f"{line}:allowed")
            if not isinstance(a, Num) or a.den != 100:
                e.flag(has_claim)
                allowed[line] = np.zeros(n, np.int64)
            else:
                allowed[line] = a.num
    return Outcome(~e.bad, award, claimed, allowed, has_claim, route, grounds)


def _compare(e: _Eval, op: str, value: Any, limit: Any, live: np.ndarray) -> np.ndarray:
    """Where ``value op limit`` (an input's bound) holds; the rows the evaluator cannot tell are flagged."""
    if limit is UNKNOWN:
        e.flag(live)
        return np.zeros(e.n, bool)
    if isinstance(value, Num) and isinstance(limit, Num):
        den = value.den * limit.den // gcd(value.den, limit.den)
        x, y = _rescale(value, den), _rescale(limit, den)
        if x is None or y is None:
            e.flag(live)
            return np.zeros(e.n, bool)
        return x < y if op == "<" else x > y
    if isinstance(value, Day) and isinstance(limit, Day):
        return value.days < limit.days if op == "<" else value.days > limit.days
    e.flag(live)
    return np.zeros(e.n, bool)


def _claim_step(e: _Eval, step: ast.ClaimStep) -> None:
    """The line limited to the claim where the row states one (the claim in whole fen, never rounded up)."""
    n = e.n
    line, claim = step.line, e.env.get(step.claim)
    value = e.env.get(line)
    e.env[f"{line}:allowed"] = value
    if not isinstance(claim, Rec):
        if claim is not UNKNOWN and getattr(claim, "null", None) is not None and claim.null.all():
            return
        e.flag(np.ones(n, bool))
        return
    has = ~claim.null if claim.null is not None else np.ones(n, bool)
    amount = claim.fields.get(line)
    if not isinstance(amount, Num) or not isinstance(value, Num) or value.den != 100:
        e.flag(has)
        return
    if amount.den == 100:
        fen = amount.num
    else:  # ROUND_DOWN to the fen
        big = np.abs(amount.num) > _LIMIT // 100
        e.flag(has & big)
        a = np.where(big, 0, np.abs(amount.num)) * 100 // amount.den
        fen = np.where(amount.num < 0, -a, a)
    e.flag(has & (fen < 0))
    e.env[f"{line}:claimed"] = Num(np.where(has, fen, 0), 100)
    e.env[line] = Num(np.where(has, np.minimum(value.num, fen), value.num), 100, value.null)


__all__ = ["Outcome", "Unsupported", "evaluate"]


# ---- one part: verdicts, reasons, figures -----------------------------------------------------------------

def _text_column(col: Any, kind: str) -> tuple[pa.Array, np.ndarray | None]:
    """A column's cells as text for the readers of :mod:`ruledsl.precheck.cells` (null: empty), and the rows
    whose cell is not text the per-row path would read the same way: a workbook's number or date is
    written as :func:`ruledsl.precheck.table._cell` writes it for the case reader (``12345.67``,
    ``2024-03-01``); a true/false, or a number in a list column, goes to the per-row path."""
    if isinstance(col, (pa.Array, pa.ChunkedArray)):
        if isinstance(col, pa.ChunkedArray):
            col = col.combine_chunks()
        if pa.types.is_string(col.type):
            return col, None
        if pa.types.is_large_string(col.type):  # (a part's cells are far below 2 GiB)
            return col.cast(pa.string()), None
        col = col.to_pylist()
    from ruledsl.precheck.table import _cell

    out: list = []
    refuse = np.zeros(len(col), bool)
    for i, v in enumerate(col):
        if v is None or type(v) is str:
            out.append(v)
        elif isinstance(v, bool) or kind in ("list", "record", "bool"):
            out.append(None)
            refuse[i] = True
        else:
            try:
                text = _cell(v, kind)
            except ValueError:
                text = None
            if type(text) is not str:
                out.append(None)
                refuse[i] = True
            else:
                out.append(text)
    return pa.array(out, pa.string()), refuse


def judge_part(rs, part, options) -> tuple[Any, dict]:
    """A part's output rows (a :class:`~ruledsl.precheck.block.Block`, in row order) and their tally: the
    rows this path takes decided here, the others by :func:`ruledsl.precheck.run.judge_rows`."""
    from ruledsl.precheck.block import Block
    from ruledsl.precheck.run import add, judge_rows, tally_records, text_record
    from ruledsl.precheck.table import _kind

    c = rs.checked
    lines = list(c.awards)
    width = 5 + 3 * len(lines)
    n = len(part.numbers)
    if n == 0:
        return Block.from_records([], width), tally_records([], lines)
    columns: dict[str, pa.Array] = {}
    refused = np.zeros(n, bool) if part.refused is None else np.asarray(part.refused, bool).copy()
    for position, _, name in part.make.mapped:
        record, _, key = name.partition(".")
        typ = c.input_types.get(record)
        if key and typ is not None:
            typ = typ.field(key)
        kind = _kind(typ) if typ is not None else "list"
        col, refuse = _text_column(part.columns[position], kind)
        if refuse is not None:
            refused |= refuse
        columns[name] = col
    findings = [r for r in rs.judge_evidence({"evidence": []}) if r.severity == "error"]
    complete = all(r.satisfied for r in findings)
    try:
        out = evaluate(rs, columns, n, complete, refused)
    except Unsupported:  # a ruleset this evaluator cannot follow at all: every row on the per-row path
        out = None
    if out is None or not out.taken.any():
        recs = [text_record(v, lines) for v in judge_rows(rs, [part.row(i) for i in range(n)], options)]
        return Block.from_records(recs, width), tally_records(recs, lines)
    block, code, figures = _block(rs, part, out, columns, findings, options, lines)
    slow = ~out.taken
    tally = _tally(block, figures, code, out.taken, lines)
    reasons = block.texts[3]
    if slow.any():
        recs = [text_record(v, lines) for v in judge_rows(rs, [part.row(int(i)) for i in np.flatnonzero(slow)],
                                                           options)]
        cols = list(zip(*recs, strict=True))
        mask = pa.array(slow)
        for k, values in enumerate(cols[1:]):
            if k == 3:  # the reasons: the per-row path's whole text, as the head (nothing else on those rows)
                reasons.head = pc.replace_with_mask(reasons.head, mask, pa.array(list(values), pa.string()))
            else:
                block.texts[k] = pc.replace_with_mask(block.texts[k], mask, pa.array(list(values), pa.string()))
        tally = add(tally, tally_records(recs, lines))
    return block, tally


def _yuan(fen: np.ndarray) -> pa.Array:
    """``yuan(Money)`` of amounts in whole fen, a column at a time: thousands separators, two places."""
    neg = fen < 0
    a = np.abs(fen)
    whole, frac = a // 100, a % 100
    groups = 1 + sum((whole >= 1000 ** i).astype(np.int64) for i in range(1, 6))
    texts = []
    for i in range(5, -1, -1):
        g = pc.cast(pa.array((whole // 1000 ** i) % 1000), pa.string())
        padded = pc.utf8_lpad(g, width=3, padding="0")
        text = pc.if_else(pa.array(groups - 1 == i), g, padded)
        texts.append(pc.if_else(pa.array(groups - 1 >= i), text, pa.scalar(None, pa.string())))
    out = pc.binary_join_element_wise(*texts, ",", null_handling="skip")  # (the top group is never null)
    out = pc.binary_join_element_wise(out, pc.utf8_lpad(pc.cast(pa.array(frac), pa.string()), width=2,
                                                       padding="0"), ".")
    if neg.any():
        out = pc.if_else(pa.array(neg), pc.binary_join_element_wise("-", out, ""), out)
    return out


def _scatter(n: int, mask: np.ndarray, values: pa.Array) -> pa.Array:
    """A column of ``n`` rows: ``values`` at the rows of ``mask``, in order, null elsewhere."""
    at = np.cumsum(mask) - 1
    return values.take(pa.array(np.where(mask, at, 0), mask=~mask))


def _block(rs, part, out: Outcome, columns, findings, options, lines):
    """Every row's output as columns (the rows not taken hold placeholders the caller replaces) and each
    row's verdict as its index in VERDICTS."""
    from ruledsl.precheck.block import Block, Reasons, empty_texts, fen_text, join_skip
    from ruledsl.precheck.run import (
        CASE_KEY,
        CORRECTION,
        EXCEEDS,
        READY,
        REFUSED,
        TOTAL,
        VERDICT_LABELS,
        VERDICTS,
        _evidence_reason,
        award_labels,
        refusal_reason,
    )

    c = rs.checked
    n = len(part.numbers)
    taken = out.taken
    numbers = np.asarray(part.numbers, np.int64)
    # case ids as the per-row path names rows: the cell stripped, else row-N
    row_n = pc.binary_join_element_wise("row-", pc.cast(pa.array(numbers), pa.string()), "")
    if CASE_KEY in columns:
        col = columns[CASE_KEY]
        given = cells.given(col)
        padded = ~np.asarray(pc.fill_null(pc.match_substring_regex(col, cells.UNPADDED), False), bool) & given
        if padded.any():
            stripped = [v.strip() for v in col.filter(pa.array(padded)).to_pylist()]
            col = pc.replace_with_mask(col, pa.array(padded), pa.array(stripped, pa.string()))
        case_ids = pc.if_else(pa.array(given), col, row_n)
    else:
        given = np.zeros(n, bool)
        case_ids = row_n
    # figures per line: claimable, claimed, excess (claimed and excess only where the row states a claim)
    has = out.has_claim
    claim_lines = set(out.claimed)
    fig: dict[str, tuple] = {}
    for line in lines:
        if line in claim_lines:
            allowed, claimed = out.allowed[line], out.claimed[line]
            fig[line] = (np.where(has, allowed, out.award[line]), claimed, np.maximum(claimed - allowed, 0), has)
        else:
            fig[line] = (out.award[line], None, None, None)
    parts = [x for x in lines if x != TOTAL]
    if TOTAL in fig and parts and all(x in claim_lines for x in parts):  # the total line sums the others
        a = fig[TOTAL][0]
        fig[TOTAL] = (np.where(has, sum(fig[x][0] for x in parts), a), sum(fig[x][1] for x in parts),
                      sum(fig[x][2] for x in parts), has)
    # reasons, in the per-row path's order: the case id given twice, evidence, each line claimed above the
    # law, each ground of admissibility refusing the case
    labels = award_labels(rs)
    cites = {x: "；".join(c.citation_text(c.definitions[x].citation)) for x in c.awards}
    claim_cite = "；".join(c.citation_text(c.claim.citation)) if c.claim is not None else ""
    evidence = [_evidence_reason(r, c.language == "zh").text() for r in findings if not r.satisfied]
    pieces: list[Any] = []  # after the evidence: lines claimed above the law, the grounds refusing the case
    head = pa.nulls(n, pa.string())
    code = np.full(n, VERDICTS.index(CORRECTION) if evidence else VERDICTS.index(READY), np.int64)
    dups = options.duplicates
    if dups:
        dup = np.asarray(pc.fill_null(pc.is_in(case_ids, pa.array([k for k in dups if isinstance(k, str)],
                                                                  pa.string())), False), bool) & taken
        dup_at = np.flatnonzero(dup)
        if len(dup_at):
            ids = case_ids.take(pa.array(dup_at)).to_pylist()
            ids = dict(zip(dup_at.tolist(), ids, strict=True))
            texts = [f"{CASE_KEY}: 借据号 {ids[i]} 重复（第 {dups[ids[i]]} 行）" for i in dup_at]
            head = _scatter(n, dup, pa.array(texts, pa.string()))
            code[dup] = VERDICTS.index(CORRECTION)
    for x in parts:
        a, cl, ex, hs = fig[x]
        if cl is None:
            continue
        over = hs & (ex > 0) & taken
        if not over.any():
            continue
        if not evidence:
            code[over] = np.maximum(code[over], VERDICTS.index(EXCEEDS))
        cite = "；".join(t for t in (cites[x], claim_cite) if t)
        text = pc.binary_join_element_wise(
            f"{labels[x]} {x}: 诉请 ", _yuan(cl[over]), " 元，依法可支持 ", _yuan(a[over]), " 元，超出 ", _yuan(ex[over]),
            " 元" + (f"（{cite}）" if cite else ""), "")
        pieces.append(_scatter(n, over, text))
    for refusal, refuses in zip(rs.grounds, out.grounds, strict=True):
        hit = refuses & taken
        if hit.any():
            text = refusal_reason(refusal).text()
            pieces.append(_scatter(n, hit, pa.array([text] * int(hit.sum()), pa.string())))
            code[hit] = VERDICTS.index(REFUSED)
    route = out.route
    if not pieces:
        tail = pa.nulls(n, pa.string())
    elif len(pieces) == 1:
        tail = pieces[0]
    else:
        present = np.zeros(n, bool)
        for piece in pieces:
            present |= np.asarray(piece.is_valid(), bool)
        tail = pc.if_else(pa.array(present), join_skip(pieces, "\n"), pa.scalar(None, pa.string()))
    reasons = Reasons(head, "\n".join(evidence), taken.copy(), tail)
    names = pa.array(list(VERDICTS), pa.string())
    label_names = pa.array([VERDICT_LABELS[v] for v in VERDICTS], pa.string())
    at = pa.array(code)
    texts = [case_ids, names.take(at), label_names.take(at), reasons]  # reasons: completed by judge_part
    empty = empty_texts(n)
    for line in lines:
        a, cl, ex, hs = fig[line]
        texts += [fen_text(a), fen_text(cl, hs) if cl is not None else empty,
                  fen_text(ex, hs) if ex is not None else empty]
    stages = pa.array([rule.stage for rule in c.routes] + [""], pa.string())
    texts.append(stages.take(pa.array(np.where(route < 0, len(c.routes), route))))
    return Block(numbers, texts), code, fig


def _tally(block, figures: dict, code: np.ndarray, taken: np.ndarray, lines: list[str]) -> dict:
    """Counts and totals per verdict of the rows taken, as :func:`~ruledsl.precheck.run.tally_records` counts."""
    from ruledsl.core.money import Money
    from ruledsl.precheck.run import TOTAL, VERDICTS, tally_records

    if TOTAL not in figures:
        recs = block.records()
        return tally_records([r for r, t in zip(recs, taken, strict=True) if t], lines)
    a, cl, ex, hs = figures[TOTAL]
    tally = {}
    for v_i, v in enumerate(VERDICTS):
        sel = (code == v_i) & taken
        with_claim = sel & hs if hs is not None else None
        tally[v] = {"rows": int(sel.sum()), "claimable": Money.from_fen(_total(a[sel])),
                    "claimed": Money.from_fen(_total(cl[with_claim]) if cl is not None else 0),
                    "excess": Money.from_fen(_total(ex[with_claim]) if ex is not None else 0)}
    return tally


def _total(values: np.ndarray) -> int:
    """The exact sum of int64 amounts (in Python integers when int64 might not hold it)."""
    if not len(values):
        return 0
    if float(np.abs(values).max()) * len(values) < 2.0 ** 62:
        return int(values.sum())
    return sum(int(v) for v in values)
