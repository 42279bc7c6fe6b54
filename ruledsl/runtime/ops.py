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

from ruledsl.core import calendar
from ruledsl.core.calendar import MONTHS_PER_YEAR
from ruledsl.core.daycount import DayCount
from ruledsl.core.money import round_fen

ZERO = Decimal(0)
ONE = Decimal(1)

#: the largest whole power ``^`` takes, and the most items ``for k from A to B`` counts
MAX_POWER = 1000
MAX_RANGE = 100_000

__all__ = [
    "ZERO", "add_days", "date_diff", "days_between", "accrue", "accrue_daily", "dsum", "dcount",
    "apply_cap", "round_fen", "power", "item", "number_range", "list_comp", "previous", "add_months",
    "month_end", "duration", "times_duration",
]


def add_days(when: date, days: Decimal) -> date:
    if days != days.to_integral_value():
        raise ValueError(f"cannot add {days} days to a date: a date moves by whole days")
    return when + timedelta(days=int(days))


def _whole(value: Decimal, what: str) -> int:
    if value != value.to_integral_value():
        raise ValueError(f"{what} is a whole number, not {value}")
    return int(value)


def add_months(when: date, months: Decimal) -> date:
    """``add_months(first_due, k - 1)``: calendar months, a day past the month's end on its last day."""
    return calendar.add_months(when, _whole(months, "a number of months"))


month_end = calendar.month_end


def duration(amount: Decimal, unit: str) -> Decimal:
    """A duration's value in its dimension: days and hours as counted, months and years in years."""
    if unit == "months":
        return amount / MONTHS_PER_YEAR
    return amount


def times_duration(value: Decimal, amount: Decimal, unit: str, op: str) -> Decimal:
    """``value * 1 month`` or ``value / 6 months``, exactly: a month is a twelfth of a year, applied after
    the multiplication (0.18 × 1 / 12 = 0.015, where 0.18 × 0.0833… would not be exact)."""
    if unit != "months":
        return value * amount if op == "*" else value / amount
    return value * amount / MONTHS_PER_YEAR if op == "*" else value * MONTHS_PER_YEAR / amount


def power(base: Decimal, exponent: Decimal) -> Decimal:
    """``(1 + r) ^ term``: a whole power (exact for a terminating base, to the context's precision else)."""
    n = _whole(exponent, "a power")
    if abs(n) > MAX_POWER:
        raise ValueError(f"a power is at most {MAX_POWER}, not {n}")
    return base ** n


def item(items: list, number: Decimal) -> object:
    """``instalments[k]``: the k-th item, counted from 1."""
    k = _whole(number, "an item's number")
    if not 1 <= k <= len(items):
        raise LookupError(f"item {k} of a list of {len(items)} (items are counted from 1)")
    return items[k - 1]


def number_range(start: Decimal, end: Decimal) -> list[Decimal]:
    """``for k from 1 to term``: the whole numbers from ``start`` to ``end``, both counted (none if end < start)."""
    a, b = _whole(start, "`from … to …`"), _whole(end, "`from … to …`")
    if b - a + 1 > MAX_RANGE:
        raise ValueError(f"from {a} to {b} counts more than {MAX_RANGE} numbers")
    return [Decimal(k) for k in range(a, b + 1)]


def list_comp(items: Iterable[object], body, where=None) -> list:
    """``[BODY for x in ITEMS where COND]``: ``body(x, previous)`` builds each item, ``previous`` being the
    item built before it (None for the first)."""
    out: list = []
    for x in items:
        if where is None or where(x, out[-1] if out else None):
            out.append(body(x, out[-1] if out else None))
    return out


def previous(prev: object) -> object:
    """``previous`` inside ``[… for …]``: there is none for the first item."""
    if prev is None:
        raise LookupError("the first item has no `previous` (write `if k == 1 then … else previous.x`)")
    return prev


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
