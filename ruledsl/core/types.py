"""Types and units of ruleset values.

Quantities carry dimensions — exponents of money, day, year and hour — so the
checker can tell that ``money × rate × days / basis`` is money while
``money + rate`` is nonsense:

=============  =====================  ==========================
type           dimensions             example
=============  =====================  ==========================
money          money                  ``10000.00`` as principal
rate           1/year                 ``24%`` (annual)
rate per day   1/day                  ``0.05% per day``
rate per month 1/year                 ``1.5% per month`` (月息; the annual 18%, shown monthly)
days           day                    ``30 days``, ``d2 - d1``
hours          hour                   ``24 hours``
years          year                   ``1 year``, ``6 months`` (half a year)
basis          day/year               ``basis`` (365 or 360)
number         —                      ``2``
=============  =====================  ==========================

A bare number literal (``2``, ``10000``) takes the unit of what it meets; a
percentage literal (``150%``) is a ratio that can stand for a rate.  Beside a rate,
the checker refuses a bare number of 1 or more (``contract_rate > 24`` is a typo for
``24%``); a fraction below 1 (``0.24``) is read as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ruledsl.core.calendar import MONTHS_PER_YEAR

Dims = tuple[int, int, int, int]  # money, day, year, hour

D_MONEY: Dims = (1, 0, 0, 0)
D_RATE: Dims = (0, 0, -1, 0)
D_DAILY: Dims = (0, -1, 0, 0)
D_DAYS: Dims = (0, 1, 0, 0)
D_HOURS: Dims = (0, 0, 0, 1)
D_BASIS: Dims = (0, 1, -1, 0)
D_YEARS: Dims = (0, 0, 1, 0)
D_NONE: Dims = (0, 0, 0, 0)

_DIM_NAMES = {
    D_MONEY: "money",
    D_RATE: "rate",
    D_DAILY: "rate per day",
    D_DAYS: "days",
    D_HOURS: "hours",
    D_BASIS: "days per year",
    D_YEARS: "years",
    D_NONE: "number",
}
_UNIT_SYMBOLS = ("money", "day", "year", "hour")


@dataclass(frozen=True, slots=True)
class Type:
    """A value type. ``kind`` is one of qty, date, bool, text, enum, list, record, error."""

    kind: str
    dims: Dims = D_NONE
    lit: str | None = None  # "num" or "pct": a literal that adapts to its neighbour's unit
    values: tuple[str, ...] = ()
    item: Type | None = None
    fields: tuple[tuple[str, Type], ...] = ()
    #: how a rate is written and shown: "" (annual, or per day by its dims) or "month" (月利率: kept as
    #: the annual rate it stands for, read and shown per month)
    per: str = ""

    def __str__(self) -> str:
        if self.kind == "qty":
            if self.lit == "num":
                return "number"
            if self.lit == "pct":
                return "percentage"
            return "rate per month" if self.per == "month" else dims_name(self.dims)
        if self.kind == "enum":
            return "enum(" + ", ".join(f'"{v}"' for v in self.values) + ")"
        if self.kind == "list":
            return f"list of {self.item}" if self.item else "empty list"
        if self.kind == "record":
            return "{" + ", ".join(f"{k}: {t}" for k, t in self.fields) + "}"
        return self.kind

    @property
    def is_qty(self) -> bool:
        return self.kind == "qty"

    def as_written(self, value: Decimal) -> Decimal:
        """A value as a case, a cell or an example's input writes it: a monthly rate per month (月利率,
        kept as the annual rate it stands for: 18% → 1.5%), anything else as it is."""
        return value / MONTHS_PER_YEAR if self.per == "month" else value

    def field(self, name: str) -> Type | None:
        for key, typ in self.fields:
            if key == name:
                return typ
        return None


def qty(dims: Dims, lit: str | None = None) -> Type:
    return Type("qty", dims, lit)


MONEY = qty(D_MONEY)
RATE = qty(D_RATE)
DAILY_RATE = qty(D_DAILY)
MONTHLY_RATE = Type("qty", D_RATE, per="month")
YEARS = qty(D_YEARS)
DAYS = qty(D_DAYS)
HOURS = qty(D_HOURS)
BASIS = qty(D_BASIS)
NUMBER = qty(D_NONE)
NUM_LIT = qty(D_NONE, "num")
PCT_LIT = qty(D_NONE, "pct")
DATE = Type("date")
BOOL = Type("bool")
TEXT = Type("text")
ERROR = Type("error")  # already reported; suppresses follow-on errors
EMPTY_LIST = Type("list")

SCALARS = {
    "money": MONEY,
    "rate": RATE,
    "rate per day": DAILY_RATE,
    "rate per month": MONTHLY_RATE,
    "days": DAYS,
    "hours": HOURS,
    "number": NUMBER,
    "date": DATE,
    "bool": BOOL,
    "text": TEXT,
}


def dims_name(dims: Dims) -> str:
    if dims in _DIM_NAMES:
        return _DIM_NAMES[dims]
    up = [s if e == 1 else f"{s}^{e}" for s, e in zip(_UNIT_SYMBOLS, dims, strict=True) if e > 0]
    down = [s if e == -1 else f"{s}^{-e}" for s, e in zip(_UNIT_SYMBOLS, dims, strict=True) if e < 0]
    return ("·".join(up) or "1") + ("/" + "·".join(down) if down else "")


def mul_dims(a: Dims, b: Dims, sign: int = 1) -> Dims:
    return tuple(x + sign * y for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def unify(a: Type, b: Type) -> Type | None:
    """The common type of two values that are added, compared or chosen between; None if none."""
    if a.kind == "error" or b.kind == "error":
        return ERROR
    if a.kind == "qty" and b.kind == "qty":
        if a.lit and b.lit:
            return a if a.lit == b.lit else PCT_LIT
        if a.lit:
            a, b = b, a
        if not b.lit:
            return a if a.dims == b.dims else None
        if b.lit == "num":
            return a
        return a if a.dims in (D_RATE, D_NONE) else None
    if a.kind == "list" and b.kind == "list":
        if a.item is None:
            return b
        if b.item is None:
            return a
        item = unify(a.item, b.item)
        return Type("list", item=item) if item else None
    if a.kind == "enum" and b.kind == "text":
        return a
    if a.kind == "text" and b.kind == "enum":
        return b
    if a.kind == b.kind and a.kind in ("date", "bool", "text"):
        return a
    if a.kind == "enum" and b.kind == "enum":
        return a if set(b.values) <= set(a.values) else (b if set(a.values) <= set(b.values) else None)
    if a.kind == "record" and b.kind == "record":
        if [k for k, _ in a.fields] != [k for k, _ in b.fields]:
            return None
        fields = []
        for (k, ta), (_, tb) in zip(a.fields, b.fields, strict=True):
            t = unify(ta, tb)
            if t is None:
                return None
            fields.append((k, t))
        return Type("record", fields=tuple(fields))
    return None


def assignable(target: Type, value: Type) -> bool:
    """Can a value of type ``value`` stand where ``target`` is declared?"""
    if value.kind == "error" or target.kind == "error":
        return True
    if target.kind == "qty" and value.kind == "qty":
        if value.lit == "num":
            return True
        if value.lit == "pct":
            return target.dims in (D_RATE, D_NONE)
        return value.dims == target.dims
    if target.kind == "list" and value.kind == "list":
        return value.item is None or (target.item is not None and assignable(target.item, value.item))
    if target.kind == "enum" and value.kind in ("text", "enum"):
        return True  # membership of literals is checked where the literal is seen
    if target.kind == "record" and value.kind == "record":
        tf = dict(target.fields)
        vf = dict(value.fields)
        return set(tf) == set(vf) and all(assignable(tf[k], vf[k]) for k in tf)
    return target.kind == value.kind and target.kind in ("date", "bool", "text")


def concrete(t: Type) -> Type:
    """A literal's type once it stands alone: a bare number is a number, a percentage a rate."""
    if t.kind == "qty" and t.lit == "num":
        return NUMBER
    if t.kind == "qty" and t.lit == "pct":
        return RATE
    return t
