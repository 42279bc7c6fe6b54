"""Rates tied to a dated table: what a ledger's ``penalty_rate = lpr_1y + 3% floating`` becomes.

A ledger's contract, penalty or compound rate may follow a dated rate table of the ruleset
(``table lpr_1y: date -> rate from "tables/lpr.csv" column "one_year"``): ``multiple × TABLE +
spread``, written as the contract words it (``lpr_1y + 3%``, ``lpr_1y * 1.5``, ``(lpr_1y + 1%) *
150%``) and followed by how it is fixed:

* ``floating`` — the value in force each day: the engine cuts the ledger at every change;
* ``fixed`` — the value in force on the component's natural date (the disbursement for contract
  interest, the instalment's due date for penalty and compound interest); ``fixed at DATE`` — on
  that date, for the whole loan;
* ``repriced on DATES`` (重定价日) — from each date on, the value in force on that date, held until
  the next; before the first (and for dates on or before the disbursement), the value on the
  disbursement date.

The checker proves the expression linear in the one table (the table multiplied or divided by
numbers, spreads added or taken off).  Compiled rules and the interpreter evaluate it with the
table standing for :data:`TABLE` (``1 × table + 0``): the arithmetic of :class:`Linear` gives the
multiple and the spread as exact Decimals, and :func:`linked_rate` turns them into the engine's
:class:`~ruledsl.calc.model.LprRate`, whose ``term`` is the table's name.  :class:`TableRates`
hands the ruleset's dated tables to the engine as its :class:`~ruledsl.calc.engine.LprTables`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from ruledsl.calc.model import LprRate
from ruledsl.runtime.tables import DatedTable

FIXINGS = ("floating", "fixed", "repriced")


class Linear:
    """``multiple × table + spread`` while a linked rate's expression is evaluated (Decimal arithmetic)."""

    __slots__ = ("multiple", "spread")

    def __init__(self, multiple: Decimal, spread: Decimal) -> None:
        self.multiple = multiple
        self.spread = spread

    def __add__(self, other: Decimal) -> Linear:
        return Linear(self.multiple, self.spread + other)

    __radd__ = __add__

    def __sub__(self, other: Decimal) -> Linear:
        return Linear(self.multiple, self.spread - other)

    def __mul__(self, factor: Decimal) -> Linear:
        return Linear(self.multiple * factor, self.spread * factor)

    __rmul__ = __mul__

    def __truediv__(self, divisor: Decimal) -> Linear:
        return Linear(self.multiple / divisor, self.spread / divisor)

    def __repr__(self) -> str:
        return f"Linear({self.multiple} × table + {self.spread})"


#: the table itself: 1 × table + 0
TABLE = Linear(Decimal(1), Decimal(0))


def linked_rate(table: str, value: Linear, fixing: str, at: date | Iterable[date] | None = None) -> LprRate:
    """The engine's rate for ``value`` (the linked expression evaluated over :data:`TABLE`).

    ``at`` is the date of ``fixed at DATE``, or the dates of ``repriced on DATES`` (any order,
    repeats allowed: they are sorted and each kept once)."""
    if fixing == "repriced":
        dates = tuple(sorted(set(at or ())))
        return LprRate(multiple=value.multiple, spread=value.spread, term=table, fixing="repriced", dates=dates)
    return LprRate(multiple=value.multiple, spread=value.spread, term=table, fixing=fixing, at=at)


class TableRates:
    """A ruleset's dated rate tables as the engine's LPR tables: a rate's ``term`` is a table's name."""

    __slots__ = ("_tables",)

    def __init__(self, tables: Mapping[str, DatedTable]) -> None:
        self._tables = dict(tables)

    def _table(self, term: str) -> DatedTable:
        try:
            return self._tables[term]
        except KeyError:
            raise LookupError(f"no dated table `{term}` in this ruleset") from None

    def lpr_at(self, day: date, term: str) -> Decimal:
        return self._table(term).at(day)

    def lpr_changes(self, start: date, end: date, term: str) -> list[date]:
        return self._table(term).changes_between(start, end)

    def __repr__(self) -> str:
        return f"TableRates({', '.join(self._tables)})"
