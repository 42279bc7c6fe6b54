"""A filing table's cells read a column at a time (pyarrow compute, RE2): the common forms only.

The pre-check's columnar path (:mod:`ruledsl.precheck.columnar`) reads a part's cells here instead of
one cell at a time through :func:`ruledsl.precheck.table.read_cells` and the case reader
(:func:`ruledsl.cases.inputs.case_reader`).  Each parser takes a column of cell texts (null: the cell
is empty) and gives the values and a mask of the cells it read: a cell it takes is one the per-row
path reads to the very same value — plain ASCII in the one canonical form (``12345.67``, ``5.58%``,
``2024-03-01``, ``是``, a JSON list of records with its keys in the ruleset's order and every value a
string) — and any other cell, well formed or not, is left to the per-row path, which reads it or says
what is wrong with it (with the row, the column and the reason, as before).  So this module never
has to explain a bad cell, and never accepts what the per-row path refuses.

Values come out as integers: money in fen, rates as numerators over :data:`RATE_DEN`, dates as days
since 1970-01-01.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ruledsl.core.daycount import FIRST_DATE, LAST_DATE

#: every character ``str.strip`` removes (``str.isspace``), as an RE2 class body: a cell of these only is empty
PY_SPACE = (r"\t-\r\x1c-\x20\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}")
BLANK = f"^[{PY_SPACE}]*$"
#: a cell whose first and last characters are not white space: ``str.strip`` leaves it as it is
UNPADDED = f"^[^{PY_SPACE}](?:.*[^{PY_SPACE}])?$"
#: JSON's own white space (RFC 8259), which is all a JSON cell may have between its tokens here
_WS = r"[ \t\n\r]*"

#: at most 15 digits before the point: any amount in fen fits an int64 with room to add
MONEY_RE = r"(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,2})?"
_MONEY_PARTS = r"^(?P<i>0|[1-9][0-9]{0,14})(?:\.(?P<f>[0-9]{1,2}))?$"
DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
#: rates: ``5.58%`` (at most 10 places in the percentage) or a fraction ``0.0558`` (at most 12)
RATE_DEN = 10 ** 12
_PERCENT = r"^(?P<i>0|[1-9][0-9]{0,2})(?:\.(?P<f>[0-9]{1,10}))?%$"
_FRACTION = r"^(?P<i>[01])(?:\.(?P<f>[0-9]{1,12}))?$"

_EPOCH_FIRST = (FIRST_DATE.toordinal() - 719163)  # 1970-01-01 is ordinal 719163
_EPOCH_LAST = (LAST_DATE.toordinal() - 719163)


def _strings(col: pa.Array) -> pa.Array:
    return col if col.type == pa.string() else col.cast(pa.string())


def given(col: pa.Array) -> np.ndarray:
    """Which cells hold a value (not null and not white space only, as ``str.strip`` counts white space)."""
    blank = pc.match_substring_regex(col, BLANK)
    return ~np.asarray(pc.fill_null(blank, True), bool)


def _matches(col: pa.Array, pattern: str) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.match_substring_regex(col, pattern), False), bool)


def _ints(col: pa.Array, ok: np.ndarray) -> np.ndarray:
    """Digit strings (``ok`` rows; empty or null elsewhere) as int64, 0 where not ``ok``."""
    col = pc.if_else(pa.array(ok), col, "0")
    col = pc.if_else(pc.equal(col, ""), "0", col)
    return np.asarray(pc.cast(pc.fill_null(col, "0"), pa.int64()), np.int64)


def _fixed(col: pa.Array, pattern: str, places: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Numbers ``<int>.<frac>`` matching ``pattern`` (groups ``i``, ``f``) as integers × 10^places."""
    parts = pc.extract_regex(col, pattern)
    ok = np.asarray(pc.fill_null(parts.is_valid(), False), bool)
    whole = _ints(pc.struct_field(parts, "i"), ok)
    frac = pc.utf8_rpad(pc.fill_null(pc.struct_field(parts, "f"), ""), width=width, padding="0")
    return whole * 10 ** places + _ints(frac, ok), ok


def money(col: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Amounts in yuan to the fen, ``12345.67`` (what ``Decimal(text)`` reads to the same value): fen, ok."""
    return _fixed(col, _MONEY_PARTS, 2, 2)


def rate(col: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Rates ``5.58%`` or fractions ``0.0558`` (at most 1, as :func:`ruledsl.core.rates.parse_rate`
    allows): numerators over :data:`RATE_DEN`, ok."""
    pct, ok_p = _fixed(col, _PERCENT, 10, 10)
    frac, ok_f = _fixed(col, _FRACTION, 12, 12)
    ok_f &= frac <= RATE_DEN  # a fraction above 1 is refused by parse_rate ("write 24%")
    return np.where(ok_p, pct, frac), ok_p | ok_f


def dates(col: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``YYYY-MM-DD`` on the calendar, from 1900-01-01 to 2199-12-31: days since 1970-01-01, ok."""
    ok = _matches(col, f"^{DATE_RE}$")
    y = _ints(pc.utf8_slice_codeunits(col, 0, 4), ok)
    m = _ints(pc.utf8_slice_codeunits(col, 5, 7), ok)
    d = _ints(pc.utf8_slice_codeunits(col, 8, 10), ok)
    return days_of(y, m, d, ok)


_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)


def days_of(y: np.ndarray, m: np.ndarray, d: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970-01-01 of a calendar date (y, m, d), and whether it is one within the range."""
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    mm = np.clip(m, 0, 12)
    ok = ok & (m >= 1) & (m <= 12) & (d >= 1) & (d <= _MONTH_DAYS[mm] + ((mm == 2) & leap))
    # days from civil (H. Hinnant's algorithm), valid for every proleptic Gregorian date
    yy = y - (m <= 2)
    era = yy // 400
    yoe = yy - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = era * 146097 + doe - 719468
    ok &= (days >= _EPOCH_FIRST) & (days <= _EPOCH_LAST)
    return np.where(ok, days, 0), ok


_TRUE = frozenset(("true", "是", "yes", "1"))
_FALSE = frozenset(("false", "否", "no", "0"))


def flags(col: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """是/否, true/false, yes/no, 1/0 (any case of the ASCII words; nothing around them): value, ok."""
    low = pc.utf8_lower(col)
    yes = np.asarray(pc.fill_null(pc.is_in(low, pa.array(sorted(_TRUE))), False), bool)
    no = np.asarray(pc.fill_null(pc.is_in(low, pa.array(sorted(_FALSE))), False), bool)
    ascii_or_word = _matches(col, r"^(?:[A-Za-z01]+|是|否)$")
    return yes, (yes | no) & ascii_or_word


def texts(col: pa.Array) -> tuple[list, np.ndarray]:
    """Text cells as ``str.strip`` gives them (Python strings; None where null), every cell ok."""
    values = col.to_pylist()
    padded = ~_matches(col, UNPADDED)
    for i in np.flatnonzero(padded):
        v = values[i]
        if v is not None:
            values[i] = v.strip()
    return values, np.ones(len(col), bool)


# ---- JSON cells: a list of records, or one record, every value a JSON string ------------------------------

_VALUE = {"money": MONEY_RE, "date": DATE_RE}
#: the characters of a value (digits, point, hyphen); no key may hold one, so in a cell that matched the
#: structure the values are exactly the runs of these characters, in order
_VALUE_BYTE = np.zeros(256, bool)
_VALUE_BYTE[[ord(c) for c in "0123456789.-"]] = True
_POW10 = 10 ** np.arange(19, dtype=np.int64)


def _object_re(keys: list[tuple[str, str]]) -> str:
    """One JSON object with exactly ``keys`` in this order, each value a string of its kind."""
    fields = [f'"{k}"{_WS}:{_WS}"{_VALUE[kind]}"' for k, kind in keys]
    return r"\{" + _WS + f"{_WS},{_WS}".join(fields) + _WS + r"\}"


def _plain_keys(keys: list[tuple[str, str]]) -> bool:
    return bool(keys) and all(k.isascii() and k.isidentifier() and not any(_VALUE_BYTE[ord(c)] for c in k)
                              and kind in _VALUE for k, kind in keys)


def _values(col: pa.Array, per_cell: np.ndarray, kinds: list[str]) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """The values of cells that matched a structure (``per_cell`` values each, their kinds cycling through
    ``kinds``), read from the column's bytes: each position's values (money in fen, dates in days) in cell
    order, and whether each value reads (an impossible date does not).

    In such a cell every key and every value is a JSON string without escapes, so its quotes come four to
    a field — the key's two, then the value's two — and the values sit between the third and fourth."""
    col = col.cast(pa.large_string()) if col.type != pa.large_string() else col
    offsets = np.frombuffer(col.buffers()[1], np.int64)[col.offset: col.offset + len(col) + 1]
    buf = col.buffers()[2]
    data = np.frombuffer(buf, np.uint8) if buf is not None else np.zeros(0, np.uint8)
    lo, hi = int(offsets[0]), int(offsets[-1])
    quotes = np.flatnonzero(data[lo:hi] == 34) + lo
    total = int(per_cell.sum())
    if len(quotes) != 4 * total:  # cannot happen for cells that matched; refuse them all rather than guess
        return {}, np.zeros(total, bool)
    starts = quotes[2::4] + 1
    ends = quotes[3::4]
    k = len(kinds)
    out: dict[int, np.ndarray] = {}
    ok = np.ones(total, bool)
    for j, kind in enumerate(kinds):
        s, e = starts[j::k], ends[j::k]
        if kind == "date":
            at = s[:, None] + np.arange(10)
            digits = data[np.minimum(at, len(data) - 1)].astype(np.int64) - 48
            y = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
            days, fine = days_of(y, digits[:, 5] * 10 + digits[:, 6], digits[:, 8] * 10 + digits[:, 9],
                                 (e - s) == 10)
            out[j] = days
            ok[j::k] = fine
        else:
            out[j] = _fen(buf, s, e)
    return out, ok


def _fen(buf: pa.Buffer, s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Amounts ``I[.F]`` (at most two places and 15 digits before the point, as the structure's regex
    checked) at ``buf[s:e]``, in fen: the runs as an Arrow string array over the same bytes (every other
    element a value, the others what lies between), cast to decimal(18, 2)."""
    n = len(s)
    if n == 0:
        return np.zeros(0, np.int64)
    bounds = np.empty(2 * n, np.int64)
    bounds[0::2], bounds[1::2] = s, e
    bounds = np.append(bounds, e[-1])
    runs = pa.Array.from_buffers(pa.large_string(), 2 * n, [None, pa.py_buffer(bounds), buf])
    values = runs.take(pa.array(np.arange(0, 2 * n, 2)))
    fixed = pc.cast(values, pa.decimal128(18, 2))
    return np.frombuffer(fixed.buffers()[1], np.int64)[2 * fixed.offset::2][:n].copy()


def record_lists(col: pa.Array, keys: list[tuple[str, str]], max_items: int) -> tuple[np.ndarray, np.ndarray,
                                                                                       dict[str, np.ndarray]]:
    """JSON lists of records ``[{"due_on": "2024-05-10", "principal": "5000.00", …}, …]`` (``[]`` too):
    each row's number of records, ok, and each key's values over the records of the rows ok, in row
    order (money in fen, dates in days).  At most ``max_items`` records a row (more: not ok)."""
    n = len(col)
    if not _plain_keys(keys):
        return np.zeros(n, np.int64), np.zeros(n, bool), {}
    item = _object_re(keys)
    whole = f"^{_WS}\\[{_WS}(?:{item}(?:{_WS},{_WS}{item}){{0,{max_items - 1}}})?{_WS}\\]{_WS}$"
    ok = _matches(col, whole)
    picked = col.filter(pa.array(ok))
    counts = np.zeros(n, np.int64)
    counts[ok] = np.asarray(pc.count_substring(picked, "{"), np.int64)  # no key or value holds a brace
    values, fine = _values(picked, counts[ok] * len(keys), [kind for _, kind in keys])
    out = {k: values.get(j, np.zeros(0, np.int64)) for j, (k, _) in enumerate(keys)}
    if not fine.all():  # a record that does not read (an impossible date): its row is not ok
        owner = np.repeat(np.flatnonzero(ok), counts[ok])
        bad_item = ~fine.reshape(-1, len(keys)).all(axis=1)
        ok[owner[bad_item]] = False
    return counts, ok, out


def records(col: pa.Array, keys: list[tuple[str, str]]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One JSON object per cell with exactly ``keys`` in order (``{"interest": "0", …}``): ok, and each
    key's values (money in fen, dates in days; 0 in the rows not ok)."""
    n = len(col)
    if not _plain_keys(keys):
        return np.zeros(n, bool), {}
    ok = _matches(col, f"^{_WS}{_object_re(keys)}{_WS}$")
    picked = col.filter(pa.array(ok))
    values, fine = _values(picked, np.full(int(ok.sum()), len(keys)), [kind for _, kind in keys])
    out = {}
    for j, (k, _) in enumerate(keys):
        full = np.zeros(n, np.int64)
        if j in values:
            full[ok] = values[j]
        out[k] = full
    if len(fine):
        ok[np.flatnonzero(ok)[~fine.reshape(-1, len(keys)).all(axis=1)]] = False
    return ok, out


__all__ = ["BLANK", "PY_SPACE", "RATE_DEN", "dates", "days_of", "flags", "given", "money", "rate",
           "record_lists", "records", "texts"]
