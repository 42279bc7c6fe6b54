"""Interest rates: annual unless written per day, held as Decimal fractions (24% → 0.24).

>>> parse_rate("18%")
Decimal('0.18')
>>> parse_rate("0.18")
Decimal('0.18')
>>> parse_rate("240")
Traceback (most recent call last):
...
ValueError: rate: 240 is not a plausible rate fraction; write "240%" if you mean 240 percent (a rate is written as a percentage such as "24%" or a fraction such as "0.24")
"""

from __future__ import annotations

import re
from decimal import Decimal

from ruledsl.core.calendar import MONTHS_PER_YEAR
from ruledsl.core.money import to_decimal

PERCENT = Decimal(100)
PER_TEN_THOUSAND = Decimal(10000)


def parse_rate(value: object, what: str = "rate") -> Decimal:
    """Parse ``"18%"``, ``"1.75‱"`` or a fraction such as ``"0.18"`` into a Decimal fraction.

    A bare number above 1 is refused: ``240`` is almost always a typo for ``24%``,
    and nothing is silently rescaled.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            return to_decimal(text[:-1], what) / PERCENT
        if text.endswith("‱"):
            return to_decimal(text[:-1], what) / PER_TEN_THOUSAND
        fraction = to_decimal(text, what)
    else:
        fraction = to_decimal(value, what)
    if abs(fraction) > 1:
        raise ValueError(
            f"{what}: {value} is not a plausible rate fraction; write \"{value}%\" if you mean "
            f"{value} percent (a rate is written as a percentage such as \"24%\" or a fraction such as \"0.24\")"
        )
    return fraction


def format_rate(rate: Decimal, per_day: bool = False, per_month: bool = False) -> str:
    """Show a rate fraction as a percentage: ``Decimal('0.0385')`` → ``'3.85%'``; ``per_month``: an annual
    rate shown as the monthly rate it was written as (0.18 → ``'1.5% per month'``)."""
    if per_month:
        return format_rate(rate / MONTHS_PER_YEAR) + " per month"
    pct = (rate * PERCENT).normalize()
    text = f"{pct:f}%"
    return text + " per day" if per_day else text


_FEN_LI = re.compile(r"(?:月息)?\s*(?:(\d+(?:\.\d+)?)\s*分)?\s*(?:(\d+(?:\.\d+)?)\s*厘)?")


def parse_monthly_rate(value: object, what: str = "rate per month") -> Decimal:
    """A monthly rate (月利率) as the annual rate it stands for: ``"1.5%"`` → 0.18 (× 12, exactly).  The
    lending words are read too: 月息 ``"2分"`` is 2% a month, ``"1分5厘"`` 1.5% (a 分 is 1%, a 厘 0.1%)."""
    if isinstance(value, str):
        m = _FEN_LI.fullmatch(value.strip())
        if m and (m.group(1) or m.group(2)):
            fen, li = (Decimal(g) if g else Decimal(0) for g in m.groups())
            return (fen / PERCENT + li / (PERCENT * 10)) * MONTHS_PER_YEAR
    return parse_rate(value, what) * MONTHS_PER_YEAR
