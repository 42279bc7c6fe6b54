"""A filing table read in columnar parts (:class:`~ruledsl.precheck.table.RawPart`), for the columnar path.

:func:`columnar_scan` is a batch's first pass for the sources the columnar path reads: every row's number
and case id (blank rows counted, not rows), and the parts the second pass hands the engine —

* a CSV in UTF-8 whose quoting is *regular* (below): parts of :data:`PART_RECORDS` records as byte ranges
  of the file (:class:`CsvRange`), which the worker that checks a part reads and parses itself with
  pyarrow's CSV reader;
* a Parquet file: its batches' columns, as the reader gives them;
* a workbook: python-calamine's rows, as cell values a column at a time.

Any other source — JSON lines, a CSV in GB18030, list sheets or ``--lists`` files, a CSV whose quoting is
not regular — answers ``None``, and the batch takes the per-row path's reader (:meth:`Source.keys`,
:meth:`Source.rows`) as before.

**Regular quoting.**  Python's ``csv`` module is the definition of how a CSV's records and cells are
read (it numbers the rows a clerk is told about).  pyarrow's reader splits and unquotes a file the same
way when every quote is where the excel dialect puts it — a field is either unquoted and holds no
quote, or quoted as a whole (``"…"`` with ``""`` for a quote inside) and followed by a comma or the
end of the line — no NUL byte, every CR outside quotes followed by LF, no record longer than
``csv.field_size_limit()``.  :func:`scan_csv` checks exactly that over the file's bytes (numpy, in
pieces of :data:`SCAN_CHUNK`) and finds each record's end on the way (a LF outside quotes); an empty
line is a blank row to both.  A part pyarrow reads to another number of rows than the scan found is
read by Python's ``csv`` instead (never silently otherwise).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ruledsl.precheck import cells
from ruledsl.precheck.table import CASE_KEY, RawPart, RowMaker, Source, _cell

#: records of a CSV in a part (rows, and the blank lines among them): large enough that a part's
#: columnar work is mostly work, small enough that a part's columns stay a few tens of MB
PART_RECORDS = 50_000
#: bytes of the file looked at a time by the scan
SCAN_CHUNK = 32 << 20

_QUOTE, _LF, _CR, _COMMA = 34, 10, 13, 44


@dataclass(frozen=True)
class CsvRange:
    """Records of a regular CSV (see the module docstring): bytes ``start`` … ``end`` of the file, their
    first record's row number, the positions (from 0, within the part) of its empty lines, whether a quoted
    cell holds a line break, and how many rows that are not blank it holds."""

    path: str
    start: int
    end: int
    number: int
    empty: tuple[int, ...]
    multiline: bool
    rows: int
    make: RowMaker
    encoding: str = "utf-8-sig"

    def read(self) -> RawPart:
        """The part's rows as columns (blank rows left out, as :class:`RowMaker` leaves them)."""
        with open(self.path, "rb") as f:
            f.seek(self.start)
            data = f.read(self.end - self.start)
        columns = _parse(data, self.make.width, self.multiline)
        count = len(columns[0]) if columns else 0
        numbers = _numbers(self.number, count, self.empty)
        if columns is None or len(numbers) != count:
            return self._by_python(data)
        keep, _ = row_keys(columns, numbers, self.make, ids=False)
        part = _kept(numbers, columns, keep, self.make)
        if len(part.numbers) != self.rows:
            return self._by_python(data)
        return part

    def _by_python(self, data: bytes) -> RawPart:
        """The part read by Python's csv (the definition), should pyarrow disagree with the scan."""
        import io

        width = self.make.width
        numbers, rows = [], []
        reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
        for number, cells_ in enumerate(reader, start=self.number):
            if self.make(number, tuple(cells_)) is not None:
                numbers.append(number)
                rows.append(tuple(cells_[:width]) + (None,) * (width - len(cells_)))
        columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]
        return _raw(np.asarray(numbers, np.int64), columns, self.make)


def _numbers(first: int, count: int, empty: tuple[int, ...]) -> np.ndarray:
    """Row numbers of ``count`` records that are not empty lines, from ``first``, skipping the empty ones."""
    n = np.arange(count, dtype=np.int64)
    if empty:
        skip = np.asarray(empty, np.int64)
        # the k-th non-empty record sits after every empty line before it
        n = n + np.searchsorted(skip - np.arange(len(skip)), n, side="right")
    return first + n


def _parse(data: bytes, width: int, multiline: bool) -> list[pa.Array] | None:
    """A part's bytes as ``width`` string columns (pyarrow), or None when pyarrow refuses them."""
    import pyarrow.csv as pcsv

    names = [f"c{i}" for i in range(width)]
    try:
        table = pcsv.read_csv(
            pa.py_buffer(data),
            read_options=pcsv.ReadOptions(column_names=names, use_threads=False, block_size=1 << 24),
            parse_options=pcsv.ParseOptions(newlines_in_values=multiline, ignore_empty_lines=True),
            convert_options=pcsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
        return None
    return [table.column(i).combine_chunks() for i in range(width)]


def row_keys(columns: list[Any], numbers: np.ndarray, make: RowMaker, ids: bool = True) -> tuple[np.ndarray, list]:
    """Which records are rows (not blank) and (``ids``) each row's case id, as :meth:`RowMaker.key` decides, a
    column at a time: a row has a cell that is not empty or white space (or a flagged mapped cell); its
    case id is its case id cell as :func:`~ruledsl.precheck.table._cell` reads text (stripped)."""
    n = len(numbers)
    is_row = np.zeros(n, bool)
    for col in columns[: make.width]:
        is_row |= _given(col)
    if make.flags:
        flagged = {r for r, c in make.flags if any(c == p + 1 for p, _, _ in make.mapped)}
        is_row |= np.isin(numbers, np.fromiter(flagged, np.int64, len(flagged)))
    case_ids: list = [None] * n
    for position, _, name in make.mapped if ids else ():
        if name != CASE_KEY:
            continue
        col = columns[position]
        g = _given(col)
        if make.flags:  # a flagged cell holds no value the row can use (RowMaker.key reads none)
            g &= ~np.isin(numbers, np.fromiter((r for r, c in make.flags if c == position + 1), np.int64))
        if isinstance(col, list):
            case_ids = [_cell(v, "text") if g[i] else None for i, v in enumerate(col)]
        else:  # text: str.strip() of it (only the cells with white space at an end need Python's strip)
            values, _ = cells.texts(col)
            if not g.all():
                for i in np.flatnonzero(~g):
                    values[i] = None
            case_ids = values
    return is_row, case_ids


def _given(col: Any) -> np.ndarray:
    """Cells that hold a value: not None, and for text not white space only."""
    if isinstance(col, list):
        return np.fromiter((v is not None and (type(v) is not str or bool(v.strip())) for v in col), bool, len(col))
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return cells.given(col)
    return np.asarray(col.is_valid(), bool)


def _kept(numbers: np.ndarray, columns: list[Any], keep: np.ndarray, make: RowMaker) -> RawPart:
    if keep.all():
        return _raw(numbers, columns, make)
    at = np.flatnonzero(keep)
    taken = [col.take(pa.array(at)) if not isinstance(col, list) else [col[i] for i in at] for col in columns]
    return _raw(numbers[at], taken, make)


def _raw(numbers: np.ndarray, columns: list[Any], make: RowMaker) -> RawPart:
    """A part, its rows with a flagged cell in a column the ruleset reads left to the per-row path."""
    refused = None
    if make.flags:
        mapped = {p + 1 for p, _, _ in make.mapped}
        flagged = np.fromiter((r for r, c in make.flags if c in mapped), np.int64)
        refused = np.isin(numbers, flagged)
    return RawPart(numbers, columns, make, refused)


# ---- the scan of a CSV --------------------------------------------------------------------------------------

@dataclass
class _Scan:
    ends: np.ndarray      # byte position after each record's line end (the header first)
    odd_lf: np.ndarray    # positions of line breaks inside quotes


def scan_csv(path: Path, start: int = 0) -> _Scan | None:
    """Each record's end in a CSV whose quoting is regular (see the module docstring), or None when it is not."""
    limit = csv.field_size_limit()
    ends: list[np.ndarray] = []
    odd: list[np.ndarray] = []
    parity = 0          # quotes seen so far, mod 2
    prev = _LF          # the byte before the piece (a record starts the file)
    with path.open("rb") as f:
        f.seek(start)
        at = start
        piece = f.read(SCAN_CHUNK)
        while piece:
            ahead = f.read(SCAN_CHUNK)
            b = np.frombuffer(piece, np.uint8)
            after = ahead[0] if ahead else None  # the byte after the piece (None: the end of the file)
            if b"\x00" in piece:
                return None
            q = np.flatnonzero(b == _QUOTE)
            if not _quotes_regular(b, q, parity, prev, after):
                return None
            nl = np.flatnonzero(b == _LF)
            lf_in = _inside(q, nl, parity)
            if b"\r" in piece:
                cr = np.flatnonzero(b == _CR)
                cr_out = cr[~_inside(q, cr, parity)]
                if len(cr_out):
                    cr_next = np.where(cr_out + 1 < len(b), b[np.minimum(cr_out + 1, len(b) - 1)],
                                       -1 if after is None else after)
                    if (cr_next != _LF).any():
                        return None
            ends.append(nl[~lf_in] + at + 1)
            odd.append(nl[lf_in] + at)
            parity = (parity + len(q)) % 2
            prev = int(b[-1])
            at += len(piece)
            piece = ahead
    if parity:
        return None  # a quote never closed
    record_ends = np.concatenate(ends) if ends else np.zeros(0, np.int64)
    if not len(record_ends) or record_ends[-1] != at:
        record_ends = np.append(record_ends, at)  # the last record, without a line break after it
    spans = np.diff(np.concatenate([[start], record_ends]))
    if len(spans) and spans.max() > limit:  # bytes ≥ characters: a field could pass Python's limit
        return None
    return _Scan(record_ends.astype(np.int64), np.concatenate(odd) if odd else np.zeros(0, np.int64))


def _inside(quotes: np.ndarray, at: np.ndarray, parity: int) -> np.ndarray:
    """Whether the bytes at ``at`` lie inside quotes (an odd number of quotes before them)."""
    return (np.searchsorted(quotes, at) + parity) % 2 == 1


def _quotes_regular(b: np.ndarray, q: np.ndarray, parity: int, prev: int, after: int | None) -> bool:
    """Whether every opening quote (of the quotes at ``q``: every other one, from the first when ``parity``,
    the quotes before the piece, is even) follows a comma, a line end or a quote (a record's start: ``prev``
    before the piece), and every closing quote is followed by one, or by the end of the file (``after``
    None).  A filing of JSON cells holds a quote every few bytes: the quotes are taken by slicing."""
    if not len(q):
        return True
    opening, closing = (q[0::2], q[1::2]) if parity == 0 else (q[1::2], q[0::2])
    if len(opening):
        first = opening[0] == 0
        if first and not _separator(np.uint8(prev)):
            return False
        if not _separator(b[opening[1:] - 1 if first else opening - 1]).all():
            return False
    if len(closing):
        last = closing[-1] == len(b) - 1
        if last and after is not None and not _separator(np.uint8(after)):
            return False
        if not _separator(b[closing[:-1] + 1 if last else closing + 1]).all():
            return False
    return True


def _separator(x: np.ndarray) -> np.ndarray:
    """Bytes a quote may stand beside at a field's edge: a comma, a line end, another quote."""
    return (x == _COMMA) | (x == _LF) | (x == _CR) | (x == _QUOTE)


def _empty_lines(path: Path, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Which records are empty lines (nothing, or a CR, before the LF)."""
    spans = ends - starts
    candidates = np.flatnonzero(spans <= 2)
    out = np.zeros(len(starts), bool)
    if not len(candidates):
        return out
    with path.open("rb") as f:
        for i in candidates:
            f.seek(int(starts[i]))
            if f.read(int(spans[i])) in (b"", b"\n", b"\r\n"):
                out[i] = True
    return out


def columnar_scan(source: Source, part_records: int = PART_RECORDS):
    """A batch's first pass over ``source`` for the columnar path: ``(numbers, case_ids, parts)`` — each row's
    number and case id (numbers an int64 array) and the parts for the engine (a list of :class:`CsvRange`,
    or an iterator of :class:`RawPart`) — or None for a source it does not read (module docstring).
    Counts the blank rows into ``source.blank_rows``."""
    if source.lists or source._json_rows is not None or source._make is None:
        return None
    suffix = source.path.suffix.lower()
    if suffix == ".csv" and source._encoding == "utf-8-sig":
        return _csv_scan(source, part_records)
    if suffix == ".parquet":
        return _records_scan(source, _parquet_parts(source, part_records))
    if suffix in (".xlsx", ".xlsm"):
        return _records_scan(source, _record_parts(source, part_records))
    return None


def _csv_scan(source: Source, part_records: int):
    path, make = source.path, source._make
    scan = scan_csv(path)
    if scan is None:
        return None
    ends = scan.ends
    if len(ends) < 1:
        return None
    starts = np.concatenate([[0], ends[:-1]])
    data_starts, data_ends = starts[1:], ends[1:]  # the header is the first record
    empty = _empty_lines(path, data_starts, data_ends)
    numbers_all: list[np.ndarray] = []
    case_ids: list = []
    parts: list[CsvRange] = []
    blank = 0
    resolved = str(path.resolve())
    for first in range(0, len(data_starts), part_records):
        last = min(first + part_records, len(data_starts))
        a, b = int(data_starts[first]), int(data_ends[last - 1])
        local_empty = tuple(int(i) for i in np.flatnonzero(empty[first:last]))
        multiline = bool(((scan.odd_lf >= a) & (scan.odd_lf < b)).any())
        with path.open("rb") as f:
            f.seek(a)
            data = f.read(b - a)
        columns = _parse(data, make.width, multiline)
        count = (last - first) - len(local_empty)
        if columns is None or len(columns[0]) != count:
            return None  # pyarrow reads the records otherwise than the scan: the per-row reader decides
        numbers = _numbers(first + 2, count, local_empty)
        keep, ids = row_keys(columns, numbers, make)
        blank += len(local_empty) + int((~keep).sum())
        numbers_all.append(numbers[keep])
        case_ids += [ids[i] for i in np.flatnonzero(keep)] if not keep.all() else ids
        parts.append(CsvRange(resolved, a, b, first + 2, local_empty, multiline, int(keep.sum()), make))
    source.blank_rows = blank
    numbers = np.concatenate(numbers_all) if numbers_all else np.zeros(0, np.int64)
    return numbers, case_ids, parts


def _records_scan(source: Source, parts: Iterator[RawPart]):
    """The first pass of a source read as columns in the calling process: it is read again for the second."""
    numbers_all, case_ids, blank = [], [], 0
    for part in parts:
        keep, ids = row_keys(part.columns, part.numbers, part.make)
        blank += int((~keep).sum())
        numbers_all.append(part.numbers[keep])
        case_ids += [ids[i] for i in np.flatnonzero(keep)]
    source.blank_rows = blank
    numbers = np.concatenate(numbers_all) if numbers_all else np.zeros(0, np.int64)
    again = _parquet_parts if source.path.suffix.lower() == ".parquet" else _record_parts
    return numbers, case_ids, _without_blank(again(source, PART_RECORDS))


def _without_blank(parts: Iterator[RawPart]) -> Iterator[RawPart]:
    for part in parts:
        keep, _ = row_keys(part.columns, part.numbers, part.make, ids=False)
        yield _kept(part.numbers, part.columns, keep, part.make)


def _parquet_parts(source: Source, part_records: int) -> Iterator[RawPart]:
    """A Parquet file's batches as parts (every record, blank ones too: the caller leaves those out)."""
    import pyarrow.parquet as pq

    number = 2
    width = source._make.width
    try:
        for batch in pq.ParquetFile(source.path).iter_batches(batch_size=part_records):
            columns = [batch.column(i) for i in range(min(width, batch.num_columns))]
            n = batch.num_rows
            columns += [pa.nulls(n, pa.string()) for _ in range(width - len(columns))]
            columns = [c if pa.types.is_string(c.type) or pa.types.is_large_string(c.type) else c.to_pylist()
                       for c in columns]
            yield RawPart(np.arange(number, number + n, dtype=np.int64), columns, source._make)
            number += n
    except OSError as exc:
        from ruledsl.core.errors import RulesError
        raise RulesError.at(f"{source.path}: the Parquet file cannot be read past row {number} "
                            f"({type(exc).__name__}: {exc})") from None


def _record_parts(source: Source, part_records: int) -> Iterator[RawPart]:
    """A sheet's records (python-calamine's rows) as parts of columns of cell values."""
    width = source._make.width
    numbers: list[int] = []
    rows: list[tuple] = []

    def part() -> RawPart:
        cols = [[r[k] if k < len(r) else None for r in rows] for k in range(width)]
        return RawPart(np.asarray(numbers, np.int64), cols, source._make)

    for number, cells_ in source._records():
        numbers.append(number)
        rows.append(cells_)
        if len(rows) == part_records:
            yield part()
            numbers, rows = [], []
    if rows:
        yield part()


__all__ = ["PART_RECORDS", "CsvRange", "columnar_scan", "row_keys", "scan_csv"]
