"""Vectorized batch path for the common consumer-loan shape, in integer fen (numpy).

Shape: one instalment (到期一次还本付息), fixed contract / penalty / compound rates,
compound interest on or off, up to two repayments, no costs, caps, rate changes or
acceleration, the default allocation order (interest → penalty → compound →
principal), 算头不算尾 on basis 360 or 365.  :func:`is_vectorizable` says whether a
:class:`LoanCase` has this shape; :func:`frame_from_cases` turns such cases into the
input frame.

Arithmetic: balances are int64 fixed point with ``U = 10⁴ × basis × 1000`` units per
fen, so ``base × rate × days / basis`` of a whole-fen base is exact and any other
accrual is floored to a unit (≈ 3·10⁻¹⁰ fen).  The result can only differ from the
exact engine when a line lies within :data:`GUARD` units of a half fen; those rows
(and rows outside the int64-safe ranges) are recomputed by the exact per-case engine
(:func:`ruledsl.calc.compute`), so the output equals the engine's to the fen on every
row.  The ``fallback`` column says which rows took that path.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from ..runtime.daycount import DayCount
from .engine import compute
from .model import DEFAULT_ORDER, Instalment, LoanCase, Repayment

RATE_SCALE = 10_000           # rates in units of 0.01% (1200 = 12%)
SUB = 1000                    # extra sub-units so a whole-fen accrual stays exact
GUARD = 100_000               # units; far above the floor error of the few accruals of a row
MAX_PRINCIPAL_FEN = 100_000_000   # 1,000,000 yuan
MAX_DAYS = 3650
MAX_RATE = RATE_SCALE         # 100% a year

INPUT_COLUMNS = ("principal_fen", "contract_rate_e4", "penalty_rate_e4", "compound_rate_e4", "compound",
                 "basis", "disbursed_on", "due_on", "calc_until", "repay1_on", "repay1_fen", "repay2_on",
                 "repay2_fen")
OUTPUT_COLUMNS = ("principal_outstanding", "interest", "penalty_interest", "compound_interest", "fees",
                  "total", "overpaid", "fallback")


def _rate_e4(rate: Decimal) -> int | None:
    scaled = rate * RATE_SCALE
    return int(scaled) if scaled == scaled.to_integral_value() else None


def is_vectorizable(case: LoanCase) -> bool:
    """Whether ``case`` has the shape the batch path computes."""
    return (
        len(case.instalments) == 1 and case.instalments[0].interest is None
        and not case.costs and not case.caps and not case.rate_changes and case.accelerated_on is None
        and len(case.repayments) <= 2 and tuple(case.allocation_order) == DEFAULT_ORDER
        and case.day_count.first_day and not case.day_count.last_day and case.day_count.basis in (360, 365)
        and all(isinstance(r, Decimal) and _rate_e4(r) is not None
                for r in (case.contract_rate, case.penalty_rate, case.compound_rate) if r is not None)
        and all((r.amount * 100) == (r.amount * 100).to_integral_value() for r in case.repayments)
        and case.principal * 100 == (case.principal * 100).to_integral_value()
    )


def frame_from_cases(cases: Iterable[LoanCase]) -> pd.DataFrame:
    """The batch input frame of vectorizable cases (raises ValueError for any other)."""
    rows = []
    for n, case in enumerate(cases):
        if not is_vectorizable(case):
            raise ValueError(f"case {n} does not have the single-maturity shape of the batch path")
        pays = sorted(case.repayments, key=lambda r: r.paid_on)
        pen = case.penalty_rate if case.penalty_rate is not None else case.contract_rate
        rows.append((
            int(case.principal * 100), _rate_e4(case.contract_rate), _rate_e4(pen),
            -1 if case.compound_rate is None else _rate_e4(case.compound_rate), case.compound,
            case.day_count.basis, case.disbursed_on, case.instalments[0].due_on, case.calc_until,
            pays[0].paid_on if pays else None, int(pays[0].amount * 100) if pays else 0,
            pays[1].paid_on if len(pays) > 1 else None, int(pays[1].amount * 100) if len(pays) > 1 else 0,
        ))
    frame = pd.DataFrame.from_records(rows, columns=list(INPUT_COLUMNS))
    for col in ("disbursed_on", "due_on", "calc_until", "repay1_on", "repay2_on"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[s]")
    return frame


def case_from_row(row: pd.Series | dict) -> LoanCase:
    """The :class:`LoanCase` of one batch row (for the exact fallback and for checks)."""
    def day(v) -> date:
        return pd.Timestamp(v).date()

    pays = []
    for k in (1, 2):
        when = row[f"repay{k}_on"]
        if not pd.isna(when):
            pays.append(Repayment(day(when), Decimal(int(row[f"repay{k}_fen"])) / 100))
    principal = Decimal(int(row["principal_fen"])) / 100
    compound_rate = None if int(row["compound_rate_e4"]) < 0 else Decimal(int(row["compound_rate_e4"])) / RATE_SCALE
    return LoanCase(
        principal=principal, disbursed_on=day(row["disbursed_on"]),
        contract_rate=Decimal(int(row["contract_rate_e4"])) / RATE_SCALE, calc_until=day(row["calc_until"]),
        instalments=(Instalment(day(row["due_on"]), principal),),
        penalty_rate=Decimal(int(row["penalty_rate_e4"])) / RATE_SCALE, compound_rate=compound_rate,
        compound=bool(row["compound"]), repayments=tuple(pays),
        day_count=DayCount(int(row["basis"]), True, False),
    )


def _days(col: pd.Series) -> np.ndarray:
    values = col.to_numpy(dtype="datetime64[D]")
    out = values.astype(np.int64)
    out[np.isnat(values)] = np.iinfo(np.int64).max
    return out


def compute_batch(frame: pd.DataFrame, *, fallback: bool = True) -> pd.DataFrame:
    """Award lines in integer fen for every row of ``frame`` (columns :data:`INPUT_COLUMNS`).

    Returns a frame with :data:`OUTPUT_COLUMNS` (int64 fen, ``fallback`` bool).
    Input is not validated here beyond the shape limits: validate cases with
    :func:`ruledsl.calc.check_case` (or build the frame with :func:`frame_from_cases`).
    """
    n = len(frame)
    p_fen = frame["principal_fen"].to_numpy(np.int64)
    rc = frame["contract_rate_e4"].to_numpy(np.int64)
    rp = frame["penalty_rate_e4"].to_numpy(np.int64)
    rk_raw = frame["compound_rate_e4"].to_numpy(np.int64)
    rk = np.where(rk_raw < 0, rp, rk_raw)
    compound = frame["compound"].to_numpy(bool)
    basis = frame["basis"].to_numpy(np.int64)
    start = _days(frame["disbursed_on"])
    due = _days(frame["due_on"])
    end = _days(frame["calc_until"])
    pay_on = [_days(frame["repay1_on"]), _days(frame["repay2_on"])]
    pay_amt = [frame["repay1_fen"].to_numpy(np.int64), frame["repay2_fen"].to_numpy(np.int64)]

    denom = RATE_SCALE * basis                 # base × rate_e4 × days / denom
    unit = denom * SUB                         # units per fen
    unsafe = ((p_fen > MAX_PRINCIPAL_FEN) | (end - start > MAX_DAYS) | (rc > MAX_RATE) | (rp > MAX_RATE)
              | (rk > MAX_RATE) | (p_fen < 0))

    def accrue(base: np.ndarray, rate: np.ndarray, days: np.ndarray) -> np.ndarray:
        whole, part = np.divmod(base, unit)
        m = rate * days
        return whole * m * SUB + (part * m) // denom

    P = p_fen * unit
    pool = np.zeros(n, np.int64)
    I = np.zeros(n, np.int64)  # noqa: E741 - the due interest balance
    pen = np.zeros(n, np.int64)
    comp = np.zeros(n, np.int64)
    over = np.zeros(n, np.int64)
    is_due = np.zeros(n, bool)
    done = [np.zeros(n, bool), np.zeros(n, bool)]
    t = start.copy()
    big = np.iinfo(np.int64).max
    for _ in range(4):
        nxt = np.minimum(np.where(is_due, big, due), end)
        for k in (0, 1):
            nxt = np.minimum(nxt, np.where(done[k], big, pay_on[k]))
        days = nxt - t
        pool += np.where(is_due, 0, accrue(P, rc, days))
        pen += np.where(is_due, accrue(P, rp, days), 0)
        comp += np.where(is_due & compound, accrue(I, rk, days), 0)
        t = nxt
        becomes_due = ~is_due & (due == t)
        I = np.where(becomes_due, pool, I)  # noqa: E741
        pool = np.where(becomes_due, 0, pool)
        is_due |= becomes_due
        for k in (0, 1):
            now = ~done[k] & (pay_on[k] == t)
            left = np.where(now, pay_amt[k] * unit, 0)
            for bal in (I, pen, comp, pool, P):   # due items first; pool is 0 once due
                take = np.minimum(left, bal)
                bal -= take
                left -= take
            over += left
            done[k] |= now
    lines = {"principal_outstanding": P, "interest": I + pool, "penalty_interest": pen,
             "compound_interest": comp}
    out = {}
    ambiguous = unsafe.copy()
    half = unit // 2
    for name, value in lines.items():
        rounded = (value + half) // unit
        dist = np.abs(value - (rounded * unit - half))  # distance to the half-fen boundary below
        dist = np.minimum(dist, np.abs(value - (rounded * unit + half)))
        ambiguous |= dist <= GUARD
        out[name] = rounded
    rounded_over = (over + half) // unit
    out["fees"] = np.zeros(n, np.int64)
    out["total"] = out["principal_outstanding"] + out["interest"] + out["penalty_interest"] \
        + out["compound_interest"]
    out["overpaid"] = rounded_over
    result = pd.DataFrame(out, index=frame.index)
    result["fallback"] = False
    if fallback and ambiguous.any():
        for pos in np.flatnonzero(ambiguous):
            award = compute(case_from_row(frame.iloc[pos]))
            for name in ("principal_outstanding", "interest", "penalty_interest", "compound_interest", "fees",
                         "total"):
                result.iat[pos, result.columns.get_loc(name)] = int(award[name] * 100)
            result.iat[pos, result.columns.get_loc("overpaid")] = int(award.overpaid * 100)
            result.iat[pos, result.columns.get_loc("fallback")] = True
    return result
