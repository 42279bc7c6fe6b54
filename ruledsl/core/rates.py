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

from decimal import Decimal

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


def format_rate(rate: Decimal, per_day: bool = False) -> str:
    """Show a rate fraction as a percentage: ``Decimal('0.0385')`` → ``'3.85%'``."""
    pct = (rate * PERCENT).normalize()
    text = f"{pct:f}%"
    return text + " per day" if per_day else text
