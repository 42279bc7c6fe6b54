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


@dataclass
class Block:
    rows: np.ndarray            # int64: each output row's ``row``
    texts: list[pa.Array]       # the other columns (case_id, verdict, …, stage), strings

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def from_records(cls, recs: list[tuple], width: int) -> Block:
        """Output rows as a block (``width``: the number of columns after ``row``)."""
        if not recs:
            return cls(np.zeros(0, np.int64), [pa.array([], pa.string()) for _ in range(width)])
        cols = list(zip(*recs, strict=True))
        return cls(np.asarray(cols[0], np.int64), [pa.array(c, pa.string()) for c in cols[1:]])

    def records(self) -> list[tuple]:
        """The rows as :func:`~ruledsl.precheck.run.text_record` tuples."""
        return list(zip(self.rows.tolist(), *(c.to_pylist() for c in self.texts), strict=True))

    def take(self, index: np.ndarray) -> Block:
        at = pa.array(index, pa.int64())
        return Block(self.rows[index], [c.take(at) for c in self.texts])

    @staticmethod
    def merged(parts: list[Block]) -> Block:
        """The blocks' rows together, in row order."""
        rows = np.concatenate([b.rows for b in parts])
        texts = [pa.concat_arrays([b.texts[k] for b in parts]) for k in range(len(parts[0].texts))]
        order = np.argsort(rows, kind="stable")
        merged = Block(rows, texts)
        return merged if (order == np.arange(len(rows))).all() else merged.take(order)

    def csv(self, guarded: tuple[int, ...]) -> bytes:
        """The rows as ``csv.writer`` writes them (minimal quoting, ``\\r\\n`` after each row, UTF-8), with
        the text columns at ``guarded`` (positions in :attr:`texts`) kept from starting a formula, as
        :func:`ruledsl.precheck.output.guard` does."""
        if not len(self):
            return b""
        cols = [pc.cast(pa.array(self.rows), pa.string())]
        for k, col in enumerate(self.texts):
            if k in guarded:
                starts = pc.match_substring_regex(col, r"^[=+\-@\t\r]")
                col = pc.if_else(starts, pc.binary_join_element_wise("'", col, ""), col)
            cols.append(_quoted(col))
        line = pc.binary_join_element_wise(pc.binary_join_element_wise(*cols, ","), "\r\n", "")
        line = line.cast(pa.large_string())
        offsets = np.frombuffer(line.buffers()[1], np.int64)[line.offset: line.offset + len(line) + 1]
        return np.frombuffer(line.buffers()[2], np.uint8)[offsets[0]: offsets[-1]].tobytes()


def _quoted(col: pa.Array) -> pa.Array:
    """Cells quoted where ``csv.writer`` quotes them (a comma, a quote, CR or LF inside), quotes doubled."""
    special = pc.match_substring_regex(col, '[,"\r\n]')
    if not pc.any(special).as_py():
        return col
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(col, '"', '""'), '"', "")
    return pc.if_else(special, quoted, col)


def fen_text(value: np.ndarray, has: np.ndarray | None = None) -> pa.Array:
    """Amounts in fen as the output writes them (``str(Money)``: ``50518.00``, ``-0.05``), ``""`` where not ``has``."""
    neg = value < 0
    a = np.abs(value)
    whole = pc.cast(pa.array(a // 100), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(a % 100), pa.string()), width=2, padding="0")
    text = pc.binary_join_element_wise(whole, frac, ".")
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


__all__ = ["Block", "fen_text", "yuan_fen"]
