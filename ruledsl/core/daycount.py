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

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ruledsl.core.show import quoted

#: the dates a court case can speak of; anything outside is a typo (or an attack), refused
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def to_date(value: object) -> date:
    """A date from a ``date``, a ``datetime`` (its day) or ISO text ``YYYY-MM-DD``; ValueError otherwise.

    Only the calendar form ``YYYY-MM-DD`` is read (not ``20240701`` or the week form ``2024-W27-1``),
    and only dates from :data:`FIRST_DATE` to :data:`LAST_DATE`.

    >>> to_date(" 2024-02-29 ")
    datetime.date(2024, 2, 29)
    """
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, str):
        text = value.strip()
        if not _ISO_DATE.match(text):
            raise ValueError(f"{quoted(value)} is not a date; write YYYY-MM-DD")
        try:
            result = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{quoted(value)} is not a date on the calendar: {why_no_date(text)}") from None
    else:
        raise ValueError(f"expected a date YYYY-MM-DD, got {type(value).__name__}")
    check_date_range(result)
    return result


def why_no_date(text: str) -> str:
    """Why ``YYYY-MM-DD`` is no day of the calendar, as a clerk checks it.

    >>> why_no_date("2024-02-30")
    'February 2024 has 29 days'
    """
    year, month, _ = (int(p) for p in text.split("-"))
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if year < 1:
        return "there is no year 0"
    return f"{calendar.month_name[month]} {year} has {calendar.monthrange(year, month)[1]} days"


def check_date_range(day: date) -> None:
    """Refuse a date outside :data:`FIRST_DATE` … :data:`LAST_DATE` (ValueError)."""
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(f"{day.isoformat()} is outside the dates a case can concern "
                         f"({FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()})")


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
