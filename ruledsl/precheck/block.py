"""A part's output rows as columns (:class:`Block`): what the columnar path hands the writers.

The same rows as :func:`ruledsl.precheck.run.text_record` gives — ``row`` an int, every other cell text
(amounts ``50518.00``, ``""`` for none) — held as one int64 array and one Arrow string array per
column, so a part of 50,000 rows is written without a tuple per row (:meth:`Block.csv`); any writer may
still take them as tuples (:meth:`Block.records`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_NULL = pa.scalar(None, pa.string())


def join_skip(pieces: list, sep: str) -> pa.Array:
    """``sep.join`` of each row's pieces that are not null (a row with none: ``""``).

    pyarrow's own ``binary_join_element_wise(…, null_handling="skip")`` drops a row whose pieces are all
    null (pyarrow 26: the result is shorter than its inputs), so every row is given a first piece that is
    never null — a NUL character, which no cell of a filing holds — cut off again after the join."""
    joined = pc.binary_join_element_wise("\x00", *pieces, sep, null_handling="skip")
    return pc.utf8_slice_codeunits(joined, 1 + len(sep))


@dataclass
class Reasons:
    """A part's ``reasons`` column as its pieces: ``head`` (the per-row path's whole text, or the case id
    given twice), the text most rows share (their evidence reasons) where ``shared``, then ``tail`` (each
    line claimed above the law, the route refusing the case) — one per line, as ``"\\n".join`` of the
    pieces a row has.  The shared text is written once per row, never searched or copied row by row."""

    head: pa.Array
    base: str
    shared: np.ndarray
    tail: pa.Array

    def __len__(self) -> int:
        return len(self.shared)

    def _has_base(self) -> np.ndarray:
        return self.shared if self.base else np.zeros(len(self.shared), bool)

    def text(self) -> pa.Array:
        base = pc.if_else(pa.array(self._has_base()), pa.scalar(self.base, pa.string()), _NULL)
        return join_skip([self.head, base, self.tail], "\n")

    def take(self, index: np.ndarray) -> Reasons:
        at = pa.array(index, pa.int64())
        return Reasons(self.head.take(at), self.base, self.shared[index], self.tail.take(at))

    def csv_pieces(self, guard: bool) -> list:
        """The cell as ``csv.writer`` writes ``guard(text)`` (guard: see :func:`ruledsl.precheck.output.guard`),
        as pieces to join with nothing between them (a null piece is left out)."""
        has_h = np.asarray(self.head.is_valid(), bool)
        has_t = np.asarray(self.tail.is_valid(), bool)
        has_b = self._has_base()
        head_e, head_sp = _escaped(self.head)
        tail_e, tail_sp = _escaped(self.tail)
        base_sp = any(ch in self.base for ch in ',"\r\n')
        count = has_h.astype(np.int8) + has_b + has_t
        special = (count >= 2) | (has_h & head_sp) | (has_t & tail_sp) | (has_b & base_sp)
        quote = pc.if_else(pa.array(special), '"', _NULL)
        pieces = [quote]
        if guard:  # the text's first character is the first piece's
            starts = np.where(has_h, _starts_formula(self.head), np.where(
                has_b, self.base.startswith(FORMULA_START), _starts_formula(self.tail) & has_t))
            if starts.any():
                pieces.append(pc.if_else(pa.array(starts), "'", _NULL))
        sep_a = pc.if_else(pa.array(has_h & (has_b | has_t)), "\n", _NULL)
        sep_b = pc.if_else(pa.array(has_b & has_t), "\n", _NULL)
        base = pc.if_else(pa.array(has_b), pa.scalar(self.base.replace('"', '""'), pa.string()), _NULL)
        return [*pieces, head_e, sep_a, base, sep_b, tail_e, quote]


#: what a cell may not start with, or a spreadsheet reads it as a formula (OWASP CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^[=+\-@\t\r]"  # (RE2) a cell starting with one of FORMULA_START


def _starts_formula(col: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.match_substring_regex(col, _FORMULA_RE), False), bool)


def _escaped(col: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Quotes doubled, and where a cell needs quoting (a comma, a quote, CR or LF inside)."""
    special = np.asarray(pc.fill_null(pc.match_substring_regex(col, '[,"\r\n]'), False), bool)
    if special.any() and pc.any(pc.match_substring(col, '"')).as_py():
        col = pc.replace_substring(col, '"', '""')
    return col, special


@dataclass
class Block:
    rows: np.ndarray            # int64: each output row's ``row``
    texts: list                 # the other columns (case_id, verdict, …, stage): strings; reasons may be Reasons

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def from_records(cls, recs: list[tuple], width: int) -> Block:
        """Output rows as a block (``width``: the number of columns after ``row``)."""
        if not recs:
            return cls(np.zeros(0, np.int64), [pa.array([], pa.string()) for _ in range(width)])
        cols = list(zip(*recs, strict=True))
        return cls(np.asarray(cols[0], np.int64), [pa.array(c, pa.string()) for c in cols[1:]])

    def columns(self) -> list[pa.Array]:
        """The text columns as string arrays."""
        return [c.text() if isinstance(c, Reasons) else c for c in self.texts]

    def records(self) -> list[tuple]:
        """The rows as :func:`~ruledsl.precheck.run.text_record` tuples."""
        return list(zip(self.rows.tolist(), *(c.to_pylist() for c in self.columns()), strict=True))

    def take(self, index: np.ndarray) -> Block:
        at = pa.array(index, pa.int64())
        return Block(self.rows[index], [c.take(index) if isinstance(c, Reasons) else c.take(at) for c in self.texts])

    def csv(self, guarded: tuple[int, ...], plain: tuple[int, ...] = ()) -> bytes:
        """The rows as ``csv.writer`` writes them (minimal quoting, ``\\r\\n`` after each row, UTF-8), with
        the text columns at ``guarded`` (positions in :attr:`texts`) kept from starting a formula, as
        :func:`ruledsl.precheck.output.guard` does; the columns at ``plain`` hold nothing to quote (verdicts,
        amounts) and are written as they are."""
        if not len(self):
            return b""
        pieces: list = [pc.cast(pa.array(self.rows), pa.string())]
        for k, col in enumerate(self.texts):
            pieces.append(",")
            if isinstance(col, Reasons):
                pieces += col.csv_pieces(k in guarded)
                continue
            if k in guarded:
                starts = _starts_formula(col)
                if starts.any():
                    col = pc.if_else(pa.array(starts), pc.binary_join_element_wise("'", col, ""), col)
            pieces.append(col if k in plain else _quoted(col))
        pieces.append("\r\n")  # (and the row number: no row has only null pieces, see join_skip)
        line = pc.binary_join_element_wise(*pieces, "", null_handling="skip")
        line = line.cast(pa.large_string())
        offsets = np.frombuffer(line.buffers()[1], np.int64)[line.offset: line.offset + len(line) + 1]
        return memoryview(line.buffers()[2])[offsets[0]: offsets[-1]]


@dataclass(frozen=True)
class Encoded:
    """A part's output rows already in the output file's form (the bytes of its CSV rows), as the worker that
    checked the part wrote them: the calling process only appends them to the file.  ``not_ready``: the
    part's first rows not ready, as tuples (for the console)."""

    rows: int
    data: bytes
    not_ready: list[tuple]

    def __len__(self) -> int:
        return self.rows


def _quoted(col: pa.Array) -> pa.Array:
    """Cells quoted where ``csv.writer`` quotes them (a comma, a quote, CR or LF inside), quotes doubled."""
    escaped, special = _escaped(col)
    if not special.any():
        return col
    return pc.if_else(pa.array(special), pc.binary_join_element_wise('"', escaped, '"', ""), col)


_FRACS = pa.array([f".{k:02d}" for k in range(100)], pa.string())


def empty_texts(n: int) -> pa.Array:
    """``n`` empty strings."""
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(np.zeros(n + 1, np.int32)), pa.py_buffer(b"")])


def fen_text(value: np.ndarray, has: np.ndarray | None = None) -> pa.Array:
    """Amounts in fen as the output writes them (``str(Money)``: ``50518.00``, ``-0.05``), ``""`` where not ``has``."""
    if has is not None and not has.any():
        return empty_texts(len(value))
    neg = value < 0
    a = np.abs(value)
    text = pc.binary_join_element_wise(pc.cast(pa.array(a // 100), pa.string()), _FRACS.take(pa.array(a % 100)), "")
    if neg.any():
        text = pc.if_else(pa.array(neg), pc.binary_join_element_wise("-", text, ""), text)
    if has is not None and not has.all():
        text = pc.if_else(pa.array(has), text, "")
    return text


def yuan_fen(fen: int) -> str:
    """``yuan(Money)`` of an amount in whole fen: thousands separators, two places (12,345.67)."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


__all__ = ["Block", "Encoded", "Reasons", "fen_text", "join_skip", "yuan_fen"]
