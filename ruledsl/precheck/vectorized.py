"""Vectorized batch paths for the common consumer-loan shapes, in integer fen (numpy).

Two paths, each held to the exact engine by tests/precheck/test_vectorized.py:

* :func:`stated_schedules` — one or more instalments each stating its interest (还款计划表), up to
  :data:`SCHEDULE_REPAYMENTS` repayments: the pre-check's columnar path
  (:mod:`ruledsl.precheck.columnar`) computes a ruleset's ledger with it;
* :func:`compute_batch` — one instalment without stated interest, up to two repayments (timed by
  benchmarks/bench_calc.py; the pre-check does not call it).

Shape: what the shape dispatcher calls a batch row (:func:`ruledsl.calc.shape.batch_row`) —
one instalment (到期一次还本付息), fixed contract / penalty / compound rates, compound interest on
or off, up to two repayments, no costs, caps, rate changes or acceleration, the default
allocation order (interest → penalty → compound → principal, :mod:`ruledsl.calc.allocation`),
算头不算尾 on basis 360, 365 or 366, money in whole fen, rates in units of 0.01 %.
:func:`is_vectorizable` asks the dispatcher; :func:`frame_from_cases` turns such cases into the
input frame, whose columns (:data:`INPUT_COLUMNS`) are the ledger fields
(:data:`ruledsl.calc.fields.LEDGER_FIELDS`) a batch row sets, in integer units.

Arithmetic: balances are int64 fixed point with ``U = 10⁴ × basis × 1000`` units per
fen, so ``base × rate × days / basis`` of a whole-fen base is exact and any other
accrual is floored to a unit (≈ 3·10⁻¹⁰ fen).  The result can only differ from the
exact engine when a line lies within :data:`GUARD` units of a half fen; those rows
(and rows outside the int64-safe ranges) are recomputed by the exact per-case engine
(:func:`ruledsl.calc.compute`), so the output equals the engine's to the fen on every
row.  The ``fallback`` column says which rows took that path.

Speed (≈ 7M rows/s on one core): rows are grouped by basis so every division is by
a scalar (numpy's fast path; ``np.divmod`` by an array is ten times slower); each
row's three events (due date, first and second repayment, in date order, the due
date first on a tie) are taken one per step instead of masking every event at every
step; the contract-interest pool and the due interest are one balance (payments take
it first either way, and only after the due date does it bear compound interest);
the output is one int64 block handed to pandas without a copy.  Rows whose balances
could leave int64 (``principal × (1 + max rate × days / basis)²`` above
:data:`MAX_GROWN_FEN`) are not computed here but by the exact path.

Imports: numpy, pandas and :mod:`ruledsl.calc`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from ruledsl.calc import LEDGER_FIELDS, LedgerField, compute
from ruledsl.calc.allocation import payment_order
from ruledsl.calc.model import (
    COMPOUND,
    DEFAULT_ORDER,
    INTEREST,
    PENALTY,
    PRINCIPAL,
    Instalment,
    LoanCase,
    Repayment,
)
from ruledsl.calc.shape import BATCH_RATE_SCALE, CARD_ONLY, ENGINE_ONLY, batch_row
from ruledsl.core.daycount import DayCount
from ruledsl.core.types import MONEY, RATE

RATE_SCALE = BATCH_RATE_SCALE  # rates in units of 0.01% (1200 = 12%)
SUB = 1000                    # extra sub-units so a whole-fen accrual stays exact
GUARD = 100_000               # units; far above the floor error of the few accruals of a row
MAX_PRINCIPAL_FEN = 100_000_000   # 1,000,000 yuan
MAX_DAYS = 3650
MAX_RATE = RATE_SCALE         # 100% a year
MAX_GROWN_FEN = np.iinfo(np.int64).max // (RATE_SCALE * 366 * SUB) // 4  # ceiling of any balance, in fen
REPAYMENTS = 2                # a batch row carries at most this many repayments


def _columns(f: LedgerField) -> tuple[str, ...]:
    """A ledger field's batch columns: money in fen, rates in 0.01 %, dates and flags as they are."""
    if f.name == "repayments":
        return tuple(col for k in range(1, REPAYMENTS + 1) for col in (f"repay{k}_on", f"repay{k}_fen"))
    if f.type == MONEY:
        return (f"{f.name}_fen",)
    if f.type == RATE:
        return (f"{f.name}_e4",)
    return (f.name,)


#: the fields a batch row sets (the kernel's, without a stated-interest schedule), then the day count's basis
INPUT_COLUMNS = tuple(col for f in LEDGER_FIELDS
                      if f.name not in ENGINE_ONLY + CARD_ONLY and f.name != "instalments" and not f.joins
                      for col in _columns(f)) + ("basis",)
OUTPUT_COLUMNS = ("principal_outstanding", "interest", "penalty_interest", "compound_interest", "fees",
                  "total", "overpaid", "fallback")
_DATE_COLUMNS = tuple(c for c in INPUT_COLUMNS if c.endswith("_on") or c == "until")
#: the order a payment reaches a batch row's balances (民法典 561: the default order, fees aside)
_PAYMENT_ORDER = tuple(c for c in payment_order(DEFAULT_ORDER).due if c in (INTEREST, PENALTY, COMPOUND, PRINCIPAL))


def _rate_e4(rate: Decimal) -> int | None:
    scaled = rate * RATE_SCALE
    return int(scaled) if scaled == scaled.to_integral_value() else None


def is_vectorizable(case: LoanCase) -> bool:
    """Whether ``case`` has the shape the batch path computes (the shape dispatcher's answer)."""
    return batch_row(case)


def frame_from_cases(cases: Iterable[LoanCase]) -> pd.DataFrame:
    """The batch input frame of vectorizable cases (raises ValueError for any other)."""
    rows = []
    for n, case in enumerate(cases):
        if not is_vectorizable(case):
            raise ValueError(f"case {n} does not have the single-maturity shape of the batch path")
        pays = sorted(case.repayments, key=lambda r: r.paid_on)
        pen = case.penalty_rate if case.penalty_rate is not None else case.contract_rate
        rows.append((  # in INPUT_COLUMNS order
            int(case.principal * 100), _rate_e4(case.contract_rate), _rate_e4(pen),
            -1 if case.compound_rate is None else _rate_e4(case.compound_rate), case.compound,
            case.disbursed_on, case.instalments[0].due_on,
            pays[0].paid_on if pays else None, int(pays[0].amount * 100) if pays else 0,
            pays[1].paid_on if len(pays) > 1 else None, int(pays[1].amount * 100) if len(pays) > 1 else 0,
            case.calc_until, case.day_count.basis,
        ))
    frame = pd.DataFrame.from_records(rows, columns=list(INPUT_COLUMNS))
    for col in _DATE_COLUMNS:
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[s]")
    return frame


_BIG = np.iinfo(np.int64).max
_SECONDS_PER_DAY = 86_400


def _days(col: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 as int64; a missing date is a day after every other."""
    values = col.to_numpy()
    if values.dtype.kind != "M":
        values = values.astype("datetime64[s]")
    unit = np.datetime_data(values.dtype)[0]
    raw = values.view(np.int64)
    if unit == "D":
        out = raw.copy()
    elif unit == "s":
        out = raw // _SECONDS_PER_DAY
    else:
        out = values.astype("datetime64[D]").view(np.int64).copy()
    nat = raw == np.iinfo(np.int64).min
    if nat.any():
        out[nat] = _BIG
    return out


def _ledger(p_fen, rc, rp, rk, start, due, end, on1, amt1, on2, amt2, basis: int):
    """The single-maturity ledger over rows of one ``basis``: balances and overpayment in units.

    State per row: principal ``P``, ``interest`` (the pool before the due date, the
    due interest after it: one balance, since payments take it first either way),
    ``pen``, ``comp``.  The row's three events — due date and the two repayments,
    in date order, the due date first on a tie — are taken one per step, then the
    last segment runs to the cut-off (``until``).  Returns ``(lines, overpaid, unit)``.
    """
    denom = RATE_SCALE * basis                 # base × rate_e4 × days / denom
    unit = denom * SUB                         # units per fen

    def accrue(base: np.ndarray, m: np.ndarray) -> np.ndarray:
        """``base × m / denom`` floored to a unit (exact when ``base`` is whole fen)."""
        whole = base // unit
        part = base - whole * unit
        part *= m
        part //= denom
        whole *= m
        whole *= SUB
        whole += part
        return whole

    n = len(p_fen)
    due_first = due <= on1
    due_by_2 = due <= on2
    due_mid = due_by_2 & ~due_first
    zero = np.zeros(n, np.int64)
    events = (
        (np.where(due_by_2, np.where(due_first, on1, due), on2), due_mid,
         np.where(due_first, amt1, np.where(due_mid, zero, amt2))),
        (np.where(due_by_2, on2, due), ~due_by_2, np.where(due_by_2, amt2, zero)),
        (end, None, None),
    )
    # step 0: from disbursement to the first event nothing is due and the principal is whole fen
    t = np.minimum(np.where(due_first, due, on1), end)
    interest = p_fen * rc
    interest *= t - start
    interest *= SUB                             # exact: a whole-fen base
    P = p_fen * unit  # noqa: N806
    pen = zero.copy()
    comp = zero.copy()
    happens = np.where(due_first, due, on1) <= end
    is_due = (due_first & happens).view(np.int8).astype(np.int64)
    left = np.where(due_first, zero, amt1) * unit
    left *= happens
    take = np.empty(n, np.int64)
    for bal in (interest, P):                   # nothing else is owed yet: the pool, then principal
        np.minimum(left, bal, out=take)
        bal -= take
        left -= take
    over = left
    m = np.empty(n, np.int64)
    for when, due_now, amount in events:
        at = np.minimum(when, end)
        days = at - t
        t = at
        np.subtract(rp, rc, out=m)              # the rate on the principal: penalty once due
        m *= is_due
        m += rc
        m *= days
        a = accrue(P, m)
        np.multiply(a, is_due, out=take)
        pen += take
        a -= take
        interest += a
        np.multiply(rk, is_due, out=m)
        m *= days
        comp += accrue(interest, m)
        if due_now is None:
            break
        happens = when <= end
        is_due |= due_now & happens
        left = amount * unit
        left *= happens
        balances = {INTEREST: interest, PENALTY: pen, COMPOUND: comp, PRINCIPAL: P}
        for bal in [balances[c] for c in _PAYMENT_ORDER]:   # pen and comp are 0 before the due date
            np.minimum(left, bal, out=take)
            bal -= take
            left -= take
        over += left
    return (P, interest, pen, comp), over, unit


def _row_case(cols: dict[str, np.ndarray], pos: int) -> LoanCase:
    """The :class:`LoanCase` of row ``pos`` of the input arrays (for the exact fallback)."""
    def day(v: int) -> date:
        return _EPOCH + timedelta(days=int(v))

    pays = []
    for k in (1, 2):
        when = int(cols[f"repay{k}_on"][pos])
        if when != _BIG:
            pays.append(Repayment(day(when), Decimal(int(cols[f"repay{k}_fen"][pos])).scaleb(-2)))
    principal = Decimal(int(cols["principal_fen"][pos])).scaleb(-2)
    raw_k = int(cols["compound_rate_e4"][pos])
    return LoanCase(
        principal=principal, disbursed_on=day(cols["disbursed_on"][pos]),
        contract_rate=Decimal(int(cols["contract_rate_e4"][pos])).scaleb(-4), calc_until=day(cols["until"][pos]),
        instalments=(Instalment(day(cols["due_on"][pos]), principal),),
        penalty_rate=Decimal(int(cols["penalty_rate_e4"][pos])).scaleb(-4),
        compound_rate=None if raw_k < 0 else Decimal(raw_k).scaleb(-4),
        compound=bool(cols["compound"][pos]), repayments=tuple(pays),
        day_count=DayCount(int(cols["basis"][pos]), True, False),
    )


_EPOCH = date(1970, 1, 1)


def compute_batch(frame: pd.DataFrame, *, fallback: bool = True) -> pd.DataFrame:
    """Award lines in integer fen for every row of ``frame`` (columns :data:`INPUT_COLUMNS`).

    Returns a frame with :data:`OUTPUT_COLUMNS` (int64 fen, ``fallback`` bool).
    Input is not validated here beyond the shape limits: build the frame with :func:`frame_from_cases`
    (the dispatcher takes only cases :func:`ruledsl.calc.check_case` accepts).
    """
    n = len(frame)
    cols = _arrays(frame)
    on1, on2 = cols["repay1_on"], cols["repay2_on"]
    amt1, amt2 = cols["repay1_fen"], cols["repay2_fen"]
    swap = on1 > on2                            # the ledger takes repayments in date order
    if swap.any():
        on1, on2 = np.where(swap, on2, on1), np.where(swap, on1, on2)
        amt1, amt2 = np.where(swap, amt2, amt1), np.where(swap, amt1, amt2)
    rp, rk_raw = cols["penalty_rate_e4"], cols["compound_rate_e4"]
    rk = np.where(rk_raw < 0, rp, rk_raw) * cols["compound"]
    args = [cols["principal_fen"], cols["contract_rate_e4"], rp, rk, cols["disbursed_on"], cols["due_on"],
            cols["until"], on1, amt1, on2, amt2]
    unsafe = _unsafe(*args[:7], rk_raw, amt1, amt2, cols["basis"])

    block = np.zeros((len(OUTPUT_COLUMNS) - 1, n), np.int64)   # one int64 block, no copies into pandas
    out = dict(zip(OUTPUT_COLUMNS[:-1], block, strict=True))
    ambiguous = _by_basis(args, cols["basis"], unsafe, out)
    total = out["total"]
    for name in _LINES:
        total += out[name]
    positions = np.flatnonzero(ambiguous) if fallback else ()
    for pos in positions:
        award = compute(_row_case(cols, int(pos)), trace=False)
        for name, whole in award.fen_figures().items():
            out[name][pos] = whole
        out["overpaid"][pos] = int(award.overpaid * 100)
    result = pd.DataFrame(block.T, columns=list(OUTPUT_COLUMNS[:-1]), index=frame.index, copy=False)
    flags = np.zeros(n, bool)
    flags[positions] = True
    result["fallback"] = flags
    return result


_LINES = ("principal_outstanding", "interest", "penalty_interest", "compound_interest")


def _arrays(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The input columns as int64 arrays (dates as days since 1970-01-01, flags as bool)."""
    cols = {col: frame[col].to_numpy(np.int64) for col in INPUT_COLUMNS if col not in _DATE_COLUMNS}
    cols["compound"] = frame["compound"].to_numpy(bool)
    for col in _DATE_COLUMNS:
        cols[col] = _days(frame[col])
    return cols


def _unsafe(p_fen, rc, rp, rk, start, due, end, rk_raw, amt1, amt2, basis) -> np.ndarray:
    """Rows outside the shape limits, or whose balances could leave int64: every balance stays below
    ``P × g²`` units, ``g = 1 + max rate × days / basis`` (those rows take the exact path)."""
    span = end - start
    rmax = np.maximum(np.maximum(rc, rp), rk)
    unsafe = ((p_fen > MAX_PRINCIPAL_FEN) | (p_fen < 0) | (span > MAX_DAYS) | (span < 0) | (rc > MAX_RATE)
              | (rp > MAX_RATE) | (rk > MAX_RATE) | (rc < 0) | (rp < 0) | (rk_raw < -1) | (amt1 < 0) | (amt2 < 0)
              | ((basis != 360) & (basis != 365) & (basis != 366)))
    g_den = RATE_SCALE * 366
    g_num = g_den + rmax * np.clip(span, 0, MAX_DAYS)
    bound = np.clip(p_fen, 0, MAX_PRINCIPAL_FEN) * g_num // g_den * g_num // g_den + 1
    unsafe |= (bound > MAX_GROWN_FEN) | (amt1 > MAX_GROWN_FEN) | (amt2 > MAX_GROWN_FEN)
    return unsafe


def _by_basis(args: list[np.ndarray], basis: np.ndarray, unsafe: np.ndarray,
              out: dict[str, np.ndarray]) -> np.ndarray:
    """Run the ledger on the rows of each basis, round each line to the fen into ``out``; returns the
    rows to recompute exactly (unsafe, or a line within :data:`GUARD` units of a half fen)."""
    n = len(basis)
    ambiguous = unsafe.copy()
    first = int(basis[0]) if n else 365
    groups = [(first, None)] if n and (basis == first).all() else [
        (b, basis == b) for b in (360, 365, 366)]
    for b, rows in groups:
        if rows is not None and not rows.any():
            continue
        part = args if rows is None else [a[rows] for a in args]
        part = [np.where(unsafe if rows is None else unsafe[rows], 0, part[0]), *part[1:]]  # keep int64 in range
        lines, over, unit = _ledger(*part, basis=b)
        half = unit // 2
        near = np.zeros(len(over), bool)
        for name, value in (*zip(_LINES, lines, strict=True), ("overpaid", over)):
            value += half
            rounded = value // unit
            value -= rounded * unit             # distance above the half-fen boundary below
            near |= (value <= GUARD) | (value >= unit - GUARD)
            if rows is None:
                out[name][:] = rounded
            else:
                out[name][rows] = rounded
        if rows is None:
            ambiguous |= near
        else:
            ambiguous[rows] |= near
    return ambiguous


# ---- stated schedules: one or more instalments, each stating its interest (还款计划表) ---------------------

#: at most this many repayments a row of :func:`stated_schedules` carries (more: the per-case path)
SCHEDULE_REPAYMENTS = 8
#: at most this many instalments (more: the per-case path); keeps the error bound below far under GUARD
SCHEDULE_INSTALMENTS = 60
_LIMIT = float(2 ** 62)
#: at most this much rate × days / basis in a row (50: 100 % a year for 50 years), which bounds how far an
#: accrual's floor error can grow (see :func:`stated_schedules`)
MAX_REACH = 50


def stated_schedules(p_fen: np.ndarray, rc: np.ndarray, rp: np.ndarray, rk: np.ndarray, start: np.ndarray,
                     end: np.ndarray, due: np.ndarray, inst_fen: np.ndarray, stated_fen: np.ndarray,
                     pay_on: np.ndarray, pay_fen: np.ndarray, basis: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The ledger of rows whose schedule states every instalment's interest, in integer fen — what the
    integer kernel (:func:`ruledsl.calc.kernel.run_schedule`, and :func:`~ruledsl.calc.kernel.run` for one
    instalment) gives for the ledger's lines ``principal_due``, ``interest_due``, ``penalty_interest`` and
    ``compound_interest`` under the default order (民法典 561, by component: interest, penalty, compound,
    then principal of what has fallen due, then the principal not yet due, oldest instalment first) with no
    caps, costs, acceleration or designated payments, on an additive day count.

    Rows of one shape: ``n`` instalments (``due``, ``inst_fen``, ``stated_fen`` are ``(rows, n)``, due dates
    strictly increasing and after ``start``, their principal adding up to ``p_fen``) and up to ``m``
    repayments (``(rows, m)``, a missing one on day :data:`_BIG` with amount 0, each within
    ``start … end``); rates in units of 0.01 % (``rk`` 0 when compound interest is off); days as integers
    on any common epoch.  The caller checks those preconditions (the shape dispatcher's, see
    :mod:`ruledsl.calc.shape`); this function checks only the ranges of its fixed-point arithmetic.

    Returns ``(lines, unsure)``: each line in whole fen (half-up), and the rows this path cannot vouch
    for — out of the int64-safe ranges, or a line within :data:`GUARD` units of a half fen — which the
    caller computes on the per-case path.

    Arithmetic as :func:`_ledger`'s: ``U = 10⁴ × basis × 1000`` units per fen, each accrual floored to a
    unit.  Everything that falls due at the same rate is one balance (penalty interest runs on all
    principal due at the penalty rate, compound interest on all interest due at the compound rate), so a
    row's state is four sums and its principal not yet due per instalment.  The error: fewer than one unit
    per accrual (two accruals per event), and a payment passes the error of penalty and compound interest
    on to the principal it reaches, whose penalty interest multiplies it by at most ``rate × days / basis``
    ≤ :data:`MAX_REACH`: under ``2 × (events + 1) × (MAX_REACH + 2)`` units (7,000 for the most events a row
    may have), far below :data:`GUARD`.  Balances stay below ``(principal + stated interest) × (1 + rate ×
    days / basis)``, from which the int64-safe check is computed per row.
    """
    rows, n = due.shape
    m = pay_on.shape[1]
    assert n + m <= SCHEDULE_INSTALMENTS + SCHEDULE_REPAYMENTS
    denom = RATE_SCALE * basis
    unit = denom * SUB
    span = np.clip(end - start, 0, None)
    rmax = np.maximum(rp, rk)
    owed = p_fen + stated_fen.sum(axis=1)
    # every balance stays below (principal + stated interest) × (1 + rate × days / basis): nothing compounds
    # on penalty or compound interest, and compound interest runs only on the stated interest
    bound = (owed.astype(np.float64) + 1) * (1 + rmax * span.astype(np.float64) / denom) * 1.01 + 1
    reach = rmax.astype(np.float64) * np.maximum(span, 1)  # the largest rate × days of one accrual
    unsafe = ((bound * unit > _LIMIT) | (bound * reach * SUB > _LIMIT) | (unit * reach > _LIMIT)
              | (reach > MAX_REACH * denom)
              | (pay_fen.astype(np.float64) * unit > _LIMIT).any(axis=1) | (p_fen <= 0) | (rc < 0) | (rp < 0) | (rk < 0)
              | (rc > MAX_RATE) | (rp > MAX_RATE) | (rk > MAX_RATE) | (pay_fen < 0).any(axis=1)
              | (stated_fen < 0).any(axis=1) | (inst_fen < 0).any(axis=1))
    if unsafe.any():  # keep the arithmetic of those rows in range; their figures are not used
        keep = ~unsafe
        p_fen, rc, rp, rk = p_fen * keep, rc * keep, rp * keep, rk * keep
        inst_fen, stated_fen, pay_fen = inst_fen * keep[:, None], stated_fen * keep[:, None], pay_fen * keep[:, None]

    def accrue(base: np.ndarray, m_: np.ndarray) -> np.ndarray:
        whole = base // unit
        part = base - whole * unit
        return whole * m_ * SUB + part * m_ // denom

    # the events in date order: an instalment falling due before the day's repayments, repayments in the
    # order given (a stable sort); instalments due after the cut-off never fall due
    due_in = np.where(due <= end[:, None], due, _BIG)
    dates = np.concatenate([due_in, np.where(pay_on <= end[:, None], pay_on, _BIG)], axis=1)
    kinds = np.concatenate([np.zeros((rows, n), np.int64), np.ones((rows, m), np.int64)], axis=1)
    order = np.lexsort((kinds, np.minimum(dates, end[:, None] + 1)), axis=1) if rows else kinds
    ev_date = np.take_along_axis(dates, order, axis=1)
    ev_kind = np.take_along_axis(kinds, order, axis=1)
    ev_idx = order  # position in the concatenation: an instalment < n, a repayment n + j
    p_due = np.zeros(rows, np.int64)
    i_due = np.zeros(rows, np.int64)
    pen = np.zeros(rows, np.int64)
    comp = np.zeros(rows, np.int64)
    not_due = inst_fen * unit  # (rows, n): each instalment's principal not yet due
    pays_units = pay_fen * unit
    stated_units = stated_fen * unit
    at_row = np.arange(rows)
    t = start.copy()
    for j in range(n + m + 1):
        if j < n + m:
            when = ev_date[:, j]
            happens = when <= end
            at = np.where(happens, when, end)
        else:
            happens = None
            at = end
        days = at - t
        t = at
        pen += accrue(p_due, rp * days)
        comp += accrue(i_due, rk * days)
        if happens is None:
            break
        kind, idx = ev_kind[:, j], ev_idx[:, j]
        falls = happens & (kind == 0)
        if falls.any():
            k = np.where(falls, idx, 0)
            i_due += np.where(falls, stated_units[at_row, k], 0)
            p_due += np.where(falls, not_due[at_row, k], 0)
            not_due[at_row[falls], k[falls]] = 0
        paid = happens & (kind == 1)
        if paid.any():
            left = np.where(paid, pays_units[at_row, np.where(paid, idx - n, 0)], 0)
            for bal in (i_due, pen, comp, p_due):  # what is due, by component (民法典 561)
                take = np.minimum(left, bal)
                bal -= take
                left -= take
            before = np.cumsum(not_due, axis=1) - not_due  # then the principal not yet due, oldest first
            not_due -= np.clip(left[:, None] - before, 0, not_due)
    half = unit // 2
    lines, near = {}, np.zeros(rows, bool)
    for name, value in (("principal_due", p_due), ("interest_due", i_due), ("penalty_interest", pen),
                        ("compound_interest", comp)):
        value = value + half
        rounded = value // unit
        value -= rounded * unit
        near |= (value <= GUARD) | (value >= unit - GUARD)
        lines[name] = rounded
    return lines, unsafe | near
