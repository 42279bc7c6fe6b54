"""How a value is written back to a user: plain digits for numbers, a bounded quote for what they typed.

>>> plain_number(Decimal("1E+4")), plain_number(Decimal("0.180"))
('10000', '0.18')
>>> plain_number(Decimal("9" * 39)) == "9" * 39  # beyond the default 28 digits: shown, not an error
True
>>> quoted("9" * 500).endswith("…' (500 chars)")
True
>>> working_figure(Decimal("30000.0000000000")), working_figure(Decimal("458.6301369863"))
('30,000.00', '458.6301…')
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Context, Decimal

#: at most this many characters of a value a user gave are quoted back in a message
QUOTE_LIMIT = 80
_WIDE = Context(prec=100)  # room for any value shown in plain digits (under 40 before or after the point)


def plain_number(value: object) -> str:
    """A value in a message or JSON: a Decimal as plain digits (``10000``, ``0.18``), a date in ISO, else ``str``."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        if value == value.to_integral_value():
            return f"{value.quantize(Decimal(1), context=_WIDE):f}" if value.adjusted() < 40 else f"{value:E}"
        return f"{value.normalize(_WIDE):f}" if -40 < value.adjusted() < 40 else f"{value:E}"
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[union-attr]
    return quoted(value) if isinstance(value, str) else str(value)[:QUOTE_LIMIT]


def working_figure(value: Decimal) -> str:
    """An exact intermediate amount as a hand calculation writes it: to the fen when that is all of
    it (``30,000.00``), else four places and an ellipsis (``458.6301…``), never rounded up — the award
    line alone is rounded (half-up, once)."""
    if not value.is_finite():
        return str(value)
    fen = value.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    if fen == value:
        return f"{fen:,}"
    return f"{value.quantize(Decimal('0.0001'), rounding=ROUND_DOWN):,}…"


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``repr`` of what a user gave, cut to ``limit`` characters (a 50 MB value is not echoed back)."""
    text = repr(value) if not isinstance(value, str) or len(value) <= limit else repr(value[:limit])
    if isinstance(value, str) and len(value) > limit:
        return f"{text[:-1]}…{text[-1]} ({len(value)} chars)"
    return text if len(text) <= limit + 2 else text[:limit] + "…"
