"""Operations compiled rules (and the reference interpreter) call.

Every value a rule computes with is a Decimal (money, rates, days, numbers), a
``datetime.date``, a bool, a str, a list or a dict; these helpers keep that
true (no float ever appears) and give each operation one definition shared by
the compiler and the interpreter.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from ruledsl.core.daycount import DayCount
from ruledsl.core.money import round_fen

ZERO = Decimal(0)
ONE = Decimal(1)

__all__ = [
    "ZERO", "add_days", "date_diff", "days_between", "accrue", "accrue_daily", "dsum", "dcount",
    "apply_cap", "round_fen",
]


def add_days(when: date, days: Decimal) -> date:
    if days != days.to_integral_value():
        raise ValueError(f"cannot add {days} days to a date: a date moves by whole days")
    return when + timedelta(days=int(days))


def date_diff(later: date, earlier: date) -> Decimal:
    """Calendar difference in days (no day-count convention): ``later - earlier``."""
    return Decimal((later - earlier).days)


def days_between(start: date, end: date, dc: DayCount) -> Decimal:
    """Days counted under the ruleset's day-count setting."""
    return Decimal(dc.days(start, end))


def accrue(base: Decimal, annual_rate: Decimal, start: date, end: date, dc: DayCount) -> Decimal:
    """Simple interest base × rate × days / basis (unrounded)."""
    return base * annual_rate * dc.days(start, end) / dc.basis


def accrue_daily(base: Decimal, daily_rate: Decimal, start: date, end: date, dc: DayCount) -> Decimal:
    """Simple interest at a per-day rate: base × rate × days (unrounded)."""
    return base * daily_rate * dc.days(start, end)


def dsum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


def dcount(values: Iterable[object]) -> Decimal:
    return Decimal(sum(1 for _ in values))


def apply_cap(values: list[Decimal], limit: Decimal) -> list[Decimal]:
    """Reduce the capped lines, last listed first, until their total is at most ``limit``.

    Lines are never pushed below zero; a negative limit is treated as zero.
    """
    excess = sum(values, ZERO) - max(limit, ZERO)
    if excess <= 0:
        return list(values)
    out = list(values)
    for i in range(len(out) - 1, -1, -1):
        if excess <= 0:
            break
        cut = min(out[i], excess) if out[i] > 0 else ZERO
        out[i] -= cut
        excess -= cut
    return out
