"""Dated tables and banded schedules.

A dated table holds values with the date they took effect (LPR, benchmark
rates); a lookup "at" a date takes the value in force on that date. The CSV
form is what court staff edit::

    effective_from,one_year,five_year
    2019-08-20,4.25%,4.85%
    2019-09-20,4.20%,4.85%

Rates are written with ``%`` (or ``‱``) so a value is never ambiguous; money
and plain numbers are decimal strings. The loader refuses unsorted or repeated
dates, empty cells, non-numeric values, cells beyond the header's columns and
values out of bounds, naming the file, line and column.

Bounds: a rate column holds 0% to 20% (an LPR or benchmark rate is a few percent: ``345%``
or ``-3.45%`` is a typo, and would give an absurd or negative award).  A column may state
its own bounds in its heading, in brackets, written as its values are::

    effective_from,one_year [0% to 30%],fee [0 to 500.00]

(the column is still called ``one_year``); money and number columns have bounds only so.

A band schedule is a list of ``(upper bound, rate or fixed amount)`` bands:
*progressive* sums each band's share (the court fee schedule, 诉讼费用交纳办法
art.13), *banded* applies the one band the value falls in to the whole value.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from ruledsl.core.errors import Diagnostic, RulesError, RulesRuntimeError, Source, Span, TableError
from ruledsl.core.money import to_decimal
from ruledsl.core.rates import parse_rate
from ruledsl.core.text import read_text

DATE_COLUMN = "effective_from"
#: what a rate column holds unless its heading says otherwise
RATE_BOUNDS = (Decimal(0), Decimal("0.20"))
RATE_BOUNDS_TEXT = ("0%", "20%")
#: a heading with bounds: ``one_year [0% to 30%]``
_BOUNDED = re.compile(r"(?P<name>[^\[\]]*?)\s*\[(?P<lo>[^\]]*?)\s+to\s+(?P<hi>[^\]]*)\]\Z")


def parse_value(kind: str, text: str) -> Decimal:
    """Parse one table cell of the given kind (``rate``, ``money`` or ``number``)."""
    if kind == "rate":
        if not text.strip().endswith(("%", "‱")):
            raise ValueError(f"rate {text!r} must be written with % (for example \"{text.strip()}%\")")
        return parse_rate(text)
    return to_decimal(text, kind)


@dataclass(frozen=True, slots=True)
class DatedTable:
    """Values keyed by the date they took effect; ``at(d)`` gives the one in force on ``d``."""

    name: str
    dates: tuple[date, ...]
    values: tuple[Decimal, ...]
    origin: str = ""

    def at(self, when: date) -> Decimal:
        i = bisect.bisect_right(self.dates, when) - 1
        if i < 0:
            raise LookupError(
                f"table `{self.name}` has no value in force on {when.isoformat()} "
                f"(its first entry takes effect on {self.dates[0].isoformat()})"
            )
        return self.values[i]

    def changes_between(self, start: date, end: date) -> list[date]:
        """Effective dates strictly inside (start, end]: where a period must be cut."""
        lo = bisect.bisect_right(self.dates, start)
        hi = bisect.bisect_right(self.dates, end)
        return list(self.dates[lo:hi])

    @classmethod
    def from_csv(cls, path: str | Path, column: str, kind: str, name: str | None = None,
                 text: str | None = None) -> DatedTable:
        path = Path(path)
        if text is None:
            try:
                text = read_text(path)
            except RulesError as exc:
                raise TableError(exc.diagnostics) from None
        source = Source(str(path), text)
        problems: list[Diagnostic] = []

        def fail(line: int, col: int, width: int, message: str, hint: str | None = None) -> None:
            problems.append(Diagnostic(message, Span.point(source, line, col, width), hint))

        rows = list(csv.reader(io.StringIO(text)))
        if not rows:
            raise TableError.at(f"table file {path} is empty", Span.point(source, 1, 1))
        header = [h.strip() for h in rows[0]]
        declared: dict[str, tuple[str, str]] = {}
        for i, heading in enumerate(header):
            bounded = _BOUNDED.match(heading)
            if bounded:
                header[i] = bounded["name"]
                declared[bounded["name"]] = (bounded["lo"].strip(), bounded["hi"].strip())
        if not header or header[0] != DATE_COLUMN:
            fail(1, 1, len(rows[0][0]) if rows[0] else 1,
                 f"first column of {path.name} must be `{DATE_COLUMN}`",
                 f"the header should read {DATE_COLUMN},{column}")
            raise TableError(problems)
        if column not in header:
            fail(1, 1, len(",".join(rows[0])), f"{path.name} has no column `{column}`",
                 f"columns are: {', '.join(header[1:])}")
            raise TableError(problems)
        ci = header.index(column)
        bounds, bounds_text = (RATE_BOUNDS, RATE_BOUNDS_TEXT) if kind == "rate" else (None, None)
        if column in declared:
            try:
                lo, hi = (parse_value(kind, t) for t in declared[column])
            except ValueError as exc:
                fail(1, _column_offsets(rows[0])[ci], len(rows[0][ci].strip()),
                     f"the bounds in the heading of `{column}` cannot be read: {exc}",
                     f"write them as the column's values, e.g. {column} [0% to 30%]")
                raise TableError(problems) from None
            if lo > hi:
                fail(1, _column_offsets(rows[0])[ci], len(rows[0][ci].strip()),
                     f"the bounds in the heading of `{column}` are the wrong way round", f"{column} [0% to 30%]")
                raise TableError(problems)
            bounds, bounds_text = (lo, hi), declared[column]
        dates: list[date] = []
        values: list[Decimal] = []
        for lineno, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            cells = [c.strip() for c in row] + [""] * (len(header) - len(row))
            col_of = _column_offsets(row)
            if len(row) > len(header):
                extra = len(",".join(row[len(header):]))
                fail(lineno, col_of[len(header)], extra,
                     f"line {lineno} has {len(row)} cells, but the header names {len(header)} columns",
                     "remove the extra cells, or name their columns in the header (a stray comma?)")
                continue
            try:
                when = date.fromisoformat(cells[0])
            except ValueError:
                fail(lineno, 1, len(cells[0]), f"`{cells[0]}` is not a date (YYYY-MM-DD)")
                continue
            if dates and when <= dates[-1]:
                fail(lineno, 1, len(cells[0]),
                     f"dates must be strictly increasing: {when} comes after {dates[-1]}",
                     "sort the rows by effective date and remove repeated dates")
                continue
            cell = cells[ci]
            col = col_of[ci] if ci < len(col_of) else len(",".join(row)) + 1
            if not cell:
                fail(lineno, col, 1, f"no value for `{column}` on {when}",
                     "every row needs a value in the column a table uses")
                continue
            try:
                value = parse_value(kind, cell)
            except ValueError as exc:
                fail(lineno, col, len(cell), f"`{column}` on {when}: {exc}")
                continue
            if bounds is not None and not bounds[0] <= value <= bounds[1]:
                fail(lineno, col, len(cell),
                     f"`{column}` on {when}: {cell} is out of bounds ({bounds_text[0]} to {bounds_text[1]})",
                     (f"the heading of `{column}` sets these bounds" if column in declared else
                      "a rate such as the LPR is a few percent (3.45%, not 345% or -3.45%); if the column "
                      f"really holds more, state its bounds in its heading: {column} [0% to 30%]"))
                continue
            values.append(value)
            dates.append(when)
        if not problems and not dates:
            fail(1, 1, 1, f"table file {path.name} has no rows")
        if problems:
            raise TableError(problems)
        return cls(name or column, tuple(dates), tuple(values), str(path))


def _column_offsets(row: Sequence[str]) -> list[int]:
    offsets, pos = [], 1
    for cell in row:
        offsets.append(pos + (len(cell) - len(cell.lstrip())))
        pos += len(cell) + 1
    return offsets


@dataclass(frozen=True, slots=True)
class Band:
    """One band: values up to ``upper`` (None = no upper bound) pay ``rate`` or a ``fixed`` amount."""

    upper: Decimal | None
    rate: Decimal | None = None
    fixed: Decimal | None = None


@dataclass(frozen=True, slots=True)
class BandSchedule:
    """A progressive (cumulative) or banded (whole-value) schedule."""

    name: str
    progressive: bool
    bands: tuple[Band, ...]

    def __call__(self, value: Decimal) -> Decimal:
        return self.progressive_total(value) if self.progressive else self.band_total(value)

    def progressive_total(self, value: Decimal) -> Decimal:
        total = Decimal(0)
        lower = Decimal(0)
        for band in self.bands:
            if band.fixed is not None:
                total += band.fixed
            elif value > lower:
                top = value if band.upper is None else min(value, band.upper)
                total += (top - lower) * band.rate
            if band.upper is None or value <= band.upper:
                break
            lower = band.upper
        return total

    def band_total(self, value: Decimal) -> Decimal:
        for band in self.bands:
            if band.upper is None or value <= band.upper:
                return band.fixed if band.fixed is not None else value * band.rate
        raise LookupError(f"schedule `{self.name}` has no band for {value}")

    def breakdown(self, value: Decimal) -> list[tuple[Decimal, Decimal | None, Decimal]]:
        """Per-band (lower, upper, amount) lines for an explanation."""
        lines = []
        lower = Decimal(0)
        for band in self.bands:
            if band.fixed is not None:
                lines.append((lower, band.upper, band.fixed))
            elif value > lower and (self.progressive or band.upper is None or value <= band.upper):
                top = value if band.upper is None else min(value, band.upper)
                lines.append((lower, band.upper, (top - lower) * band.rate))
            if band.upper is None or value <= band.upper:
                break
            lower = band.upper
        return lines


def runtime_lookup(fn: Callable[[], Decimal], span: Span | None) -> Decimal:
    """Run a table lookup, turning a missing value into a located runtime error."""
    try:
        return fn()
    except LookupError as exc:
        raise RulesRuntimeError.at(str(exc), span) from None
