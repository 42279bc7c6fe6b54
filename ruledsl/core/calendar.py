"""Calendar months: the arithmetic of 还款日 (a due date each month) and of periods counted in months.

A loan's instalments fall due on the same day of each month; a month without that day (the 31st in
April, the 29th–31st in February) uses its last day — the reading banks' repayment schedules and
民法典 第二百零三条 (a period counted in months ends on the corresponding day of the last month, or that
month's last day when it has none) share.  The day is counted from the *first* date each time, so
2024-01-31 plus one month is 2024-02-29 and plus two months is 2024-03-31 (not the 29th).
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

#: a year is twelve months (月利率 × 12 = 年利率)
MONTHS_PER_YEAR = Decimal(12)


def month_end(when: date) -> date:
    """The last day of ``when``'s month."""
    return when.replace(day=calendar.monthrange(when.year, when.month)[1])


def add_months(when: date, months: int) -> date:
    """``when`` moved by whole calendar months (negative: back), clamped to the month's last day."""
    index = when.year * 12 + (when.month - 1) + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ValueError(f"{when.isoformat()} moved by {months} months is outside the calendar")
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(when.day, last))


__all__ = ["MONTHS_PER_YEAR", "add_months", "month_end"]
