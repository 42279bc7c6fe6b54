"""The one money type: Decimal yuan, rounded half-up to the fen where a rule says so.

Compiled rules compute on plain :class:`~decimal.Decimal` values (the checker has
already proved which values are money); :class:`Money` is what crosses the API
boundary: award lines, case inputs, reports.

>>> Money("100.005").rounded()
Money('100.01')
>>> str(Money("2300"))
'2300.00'
"""

from __future__ import annotations

import re
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

from ruledsl.core.show import plain_number, quoted

FEN = Decimal("0.01")

#: Working precision for intermediate arithmetic: far more than the fen needs
#: (a 10^12 yuan claim times a rate with 10 decimals still fits exactly).
PRECISION = 40

#: The context rules run in: 40 digits, exact ties to even inside (rounding half-up happens
#: only at the fen, explicitly), and every questionable operation raises.
RULES_CONTEXT = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN,
                        traps=[DivisionByZero, InvalidOperation, Overflow])

#: no amount, rate or count in a court case needs more digits before the point …
MAX_DIGITS = 18
#: … or more decimal places (a rate such as 1.5 × 3.45% = 0.05175 needs 5; money needs 2) …
MAX_PLACES = 12
#: … or more characters, however written (longer text is refused before it is parsed)
MAX_TEXT = 64
# ASCII digits only: full-width (１２３) and Arabic-Indic (١٢٣) digits are refused, not silently read
_PLAIN = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\Z")
#: the form nearly every amount arrives in (12345.67): read without the general checks, to the same value
_SIMPLE = re.compile(rf"-?(0|[1-9][0-9]{{0,{MAX_DIGITS - 1}}})(\.[0-9]{{1,{MAX_PLACES}}})?\Z")
_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?\Z")


_FEN_CONTEXT = Context(prec=PRECISION, rounding=ROUND_HALF_UP)


def round_fen(value: Decimal) -> Decimal:
    """Round a Decimal to the fen, half-up (四舍五入), as courts state awards.

    Zero has no sign: −0.004 rounds to ``0.00``, never ``-0.00`` (every figure shown is a rounded one).

    >>> round_fen(Decimal("-0.004")), round_fen(Decimal("-0.005"))
    (Decimal('0.00'), Decimal('-0.01'))
    """
    return _unsigned_zero(value.quantize(FEN, context=_FEN_CONTEXT))


def claim_fen(value: Decimal) -> Decimal:
    """An amount claimed, in whole fen and never rounded up: a claim of 900.005 allows 900.00, since an
    award may not exceed what was asked (民事诉讼法 art.211(11))."""
    return _unsigned_zero(value.quantize(FEN, rounding=ROUND_DOWN))


def _unsigned_zero(value: Decimal) -> Decimal:
    return value.copy_abs() if not value else value


def to_decimal(value: object, what: str = "", places: int | None = MAX_PLACES) -> Decimal:
    """Turn a decimal string, int or Decimal into a finite Decimal, before any arithmetic on it.

    Floats are refused: a float has already lost the fen (0.1 + 0.2 != 0.3).  So are values no
    court figure has: more than :data:`MAX_DIGITS` digits before the point, more than ``places``
    decimal places (``None``: any, for results of exact arithmetic), text longer than
    :data:`MAX_TEXT`.  ``what`` prefixes the error message when given.
    """
    try:
        return _to_decimal(value, places)
    except ValueError as exc:
        raise ValueError(f"{what}: {exc}" if what else str(exc)) from None


def _to_decimal(value: object, places: int | None) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if type(value) is Decimal and value.is_finite() and value.adjusted() < MAX_DIGITS and places is None:
        return value  # a result of exact arithmetic (Money of a rule's figure): nothing else to check
    if isinstance(value, str) and _SIMPLE.match(value):  # at most MAX_DIGITS digits and MAX_PLACES places
        if places is not None and places < MAX_PLACES:
            point = value.find(".")
            if point >= 0 and len(value[point + 1:].rstrip("0")) > places:
                result = Decimal(value)
                raise ValueError(f"{plain_number(result)} has more than {places} decimal places")
        return Decimal(value)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        if len(text) > MAX_TEXT:
            raise ValueError(f"{quoted(value)} is too long for a number (at most {MAX_TEXT} characters)")
        if "," in text:
            if not _THOUSANDS.match(text):
                raise ValueError(f"{quoted(value)}: a comma may only separate thousands (1,234.56); "
                                 "the decimal mark is a point")
            text = text.replace(",", "")
        if not _PLAIN.match(text):
            raise ValueError(f"{quoted(value)} is not a decimal number (write plain digits 0–9 such as 12345.67)")
        result = Decimal(text)
    elif isinstance(value, float):
        raise ValueError("give amounts as decimal strings such as \"12345.67\", not floats")
    else:
        raise ValueError(f"expected a decimal number, got {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{quoted(value)} is not a finite number")
    if result.adjusted() >= MAX_DIGITS:
        raise ValueError(f"{plain_number(result)} is out of range (more than {MAX_DIGITS} digits before the point)")
    if places is not None and result and decimal_places(result) > places:
        raise ValueError(f"{plain_number(result)} has more than {places} decimal places")
    return result


def decimal_places(value: Decimal) -> int:
    """Decimal places of a finite value once trailing zeros are dropped: ``1.2500`` → 2, ``1E+3`` → 0."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent >= 0:
        return 0
    if not any(digits):
        return 0  # zero has no places, however it is written (0.000)
    places, k = -exponent, len(digits) - 1
    while places and k >= 0 and digits[k] == 0:  # trailing zeros of the digits are not places
        places, k = places - 1, k - 1
    return places


class Money:
    """An amount of RMB yuan held exactly as a Decimal.

    Arithmetic keeps full precision; :meth:`rounded` rounds half-up to the fen.
    ``str()`` shows the amount rounded to the fen with exactly two decimals.
    """

    __slots__ = ("amount",)

    def __init__(self, amount: object = 0) -> None:
        object.__setattr__(self, "amount", to_decimal(amount, "money", places=None))

    def __setattr__(self, name: str, value: object) -> None:  # frozen
        raise AttributeError("Money is immutable")

    def __reduce__(self) -> tuple:
        """Pickled as its exact amount (worker processes and caches copy decisions so)."""
        return (Money, (self.amount,))

    @classmethod
    def from_fen(cls, fen: int) -> Money:
        return cls(Decimal(fen).scaleb(-2))

    @property
    def fen(self) -> int:
        """The amount rounded half-up to the fen, as an integer number of fen."""
        return int(round_fen(self.amount).scaleb(2))

    def rounded(self) -> Money:
        return Money(round_fen(self.amount))

    def __str__(self) -> str:
        return f"{round_fen(self.amount):f}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}')"

    # arithmetic -------------------------------------------------------------
    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.amount + other.amount)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.amount - other.amount)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, (Money, float, bool)) or not isinstance(factor, (Decimal, int)):
            return NotImplemented
        return Money(self.amount * factor)

    __rmul__ = __mul__

    def __truediv__(self, divisor: Decimal | int) -> Money:
        if isinstance(divisor, (Money, float, bool)) or not isinstance(divisor, (Decimal, int)):
            return NotImplemented
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return Money(self.amount / divisor)

    def __neg__(self) -> Money:
        return Money(-self.amount)

    def __abs__(self) -> Money:
        return Money(abs(self.amount))

    # comparison -------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Money) and self.amount == other.amount

    def __hash__(self) -> int:
        return hash(("Money", self.amount))

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return bool(self.amount)


def yuan(money: Money) -> str:
    """An award figure as judges write it: yuan with thousands separators and two places (12,345.67).

    >>> yuan(Money("1234567.8"))
    '1,234,567.80'
    """
    return f"{round_fen(money.amount):,f}"
