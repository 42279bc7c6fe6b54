"""Day counting, an explicit ruleset setting because courts differ.

Chinese practice is usually 算头不算尾: the first day counts, the last does not,
so the days between two dates are simply their difference.

>>> from datetime import date
>>> DayCount(365, True, False).days(date(2024, 1, 1), date(2024, 3, 1))
60
>>> DayCount(365, True, True).days(date(2024, 1, 1), date(2024, 3, 1))
61
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


def to_date(value: object) -> date:
    """A date from a ``date``, a ``datetime`` (its day) or ISO text ``YYYY-MM-DD``; ValueError otherwise.

    >>> to_date(" 2024-02-29 ")
    datetime.date(2024, 2, 29)
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a date; write YYYY-MM-DD") from None
    raise ValueError(f"expected a date YYYY-MM-DD, got {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class DayCount:
    """Basis (days per year) and whether the first and last day of a period are counted."""

    basis: int = 365
    first_day: bool = True
    last_day: bool = False

    def days(self, start: date, end: date) -> int:
        """Days counted from ``start`` to ``end``; never negative (an empty period counts 0)."""
        span = (end - start).days
        if span <= 0:
            return 0
        return span - 1 + int(self.first_day) + int(self.last_day)

    def accrue(self, base: Decimal, annual_rate: Decimal, start: date, end: date) -> Decimal:
        """Simple interest base × rate × days / basis, unrounded."""
        return base * annual_rate * self.days(start, end) / self.basis

    def describe(self) -> str:
        first = "first day counted" if self.first_day else "first day not counted"
        last = "last day counted" if self.last_day else "last day not counted"
        return f"basis {self.basis}, {first}, {last}"
