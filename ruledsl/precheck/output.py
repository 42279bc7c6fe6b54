"""The pre-check's output: one row per input row, in a sheet a risk team works from, and the summary.

Columns, in this order (a fixed interface: other tools read them by name): ``row`` (the input's
own row number; header = row 1, or the line of a .jsonl), ``case_id``, ``verdict``,
``verdict_label``, ``reasons`` (one per line), then for each award line ``<line>_claimable``,
``<line>_claimed`` and ``<line>_excess``, then ``stage`` (the route).

Amounts are plain decimal strings with two places (``50518.00``) in CSV, JSON lines and Parquet
— a spreadsheet re-imports them as numbers — and numbers formatted ``#,##0.00`` in Excel.
No cell starts a formula (OWASP "CSV injection"): in CSV a text cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is written with a leading apostrophe, which Excel and
WPS take as "show as text"; in Excel such a cell is written as a text cell.  JSON lines and
Parquet are not opened by a spreadsheet and keep every text as it is.

The summary (:class:`~ruledsl.precheck.run.Summary`) is the second sheet of an Excel output and
``<output>.summary.json`` beside any other.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruledsl.core.errors import RulesError
from ruledsl.core.money import Money
from ruledsl.precheck.block import FORMULA_START, Block, Encoded
from ruledsl.precheck.run import Precheck, Summary, records

FORMATS = (".xlsx", ".csv", ".jsonl", ".parquet")
FIGURES = ("claimable", "claimed", "excess")
FIGURE_LABELS = {"claimable": "依法可主张", "claimed": "诉请", "excess": "超出"}


def columns(lines: list[str]) -> list[str]:
    """The output's column names, in order, for a ruleset's award ``lines``."""
    return (["row", "case_id", "verdict", "verdict_label", "reasons"]
            + [f"{line}_{f}" for line in lines for f in FIGURES] + ["stage"])


def column_labels(lines: list[str], labels: dict[str, str]) -> dict[str, str]:
    """Each column's Chinese heading (the legend of an Excel output)."""
    out = {"row": "行号", "case_id": "借据号（案件编号）", "verdict": "预审结论（代码）", "verdict_label": "预审结论",
           "reasons": "原因（列或规则、依据）", "stage": "分流"}
    for line in lines:
        for f in FIGURES:
            out[f"{line}_{f}"] = f"{labels.get(line, line)}（{FIGURE_LABELS[f]}）"
    return out


def guard(text: str) -> str:
    """A text cell as a spreadsheet shows it, never as a formula (see the module docstring)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_rows(block: Block) -> bytes | memoryview:
    """The block's rows as the CSV output writes them (``csv.writer``'s bytes, text cells guarded)."""
    last = len(block.texts) - 1  # verdicts and amounts (1, 2, 4 … last - 1) hold nothing to quote
    return block.csv(guarded=(0, 3, last), plain=(1, 2, *range(4, last)))


def write_results(result: Precheck, path: Path) -> Path:
    """Every row's result at ``path`` (.xlsx, .csv, .jsonl or .parquet, by extension), and the summary."""
    writer = open_writer(path, result.lines, result.labels)
    writer.write(records(result))
    writer.close(result.summary)
    return path


def summary_path(path: Path) -> Path:
    """Where the summary of a CSV, JSON-lines or Parquet output is written: ``<name>.summary.json``."""
    return path.with_name(path.stem + ".summary.json")


def _text(value: Any) -> str:
    return "" if value is None else str(value)  # Money: two places, no separators


class Writer:
    """Output rows streamed to a file as a batch's parts come back, then the summary."""

    #: how a worker may write a part's rows for this writer (a Block to bytes), or None: it hands the rows over
    encode: Callable[[Block], bytes | memoryview] | None = None

    def __init__(self, path: Path, lines: list[str], labels: dict[str, str]) -> None:
        self.path, self.lines, self.labels, self.names = path, lines, labels, columns(lines)
        self.written = 0
        self.f = None  # the open file, for the writers that write text

    def write(self, recs: list[tuple] | Block | Encoded) -> None:
        """Output rows, as tuples (:func:`~ruledsl.precheck.run.text_record`), a
        :class:`~ruledsl.precheck.block.Block` (the columnar path's) or, for a writer that has an
        :attr:`encode`, :class:`~ruledsl.precheck.block.Encoded` rows."""
        try:
            if isinstance(recs, Encoded):
                self._write_encoded(recs)
            elif isinstance(recs, Block):
                self._write_block(recs)
            else:
                self._write(recs)
        except OSError as exc:
            raise RulesError.at(f"cannot write {self.path}: {exc.strerror}") from None
        self.written += len(recs)

    def close(self, summary: Summary) -> None:
        try:
            self._close(summary)
        except OSError as exc:
            raise RulesError.at(f"cannot write {self.path}: {exc.strerror}") from None

    def _write(self, recs: list[tuple]) -> None:
        raise NotImplementedError

    def _write_block(self, block: Block) -> None:
        self._write(block.records())

    def _write_encoded(self, rows: Encoded) -> None:
        raise TypeError(f"{type(self).__name__} takes no encoded rows")

    def _close(self, summary: Summary) -> None:
        """Close the file, then write the summary beside it (an Excel output keeps it in a sheet)."""
        if self.f is not None:
            self.f.close()
        summary_path(self.path).write_text(json.dumps(summary.as_json(), ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")


class _CsvWriter(Writer):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.f = self.path.open("w", encoding="utf-8-sig", newline="")
        self.w = csv.writer(self.f)
        self.w.writerow(self.names)

    def _write(self, recs: list[tuple]) -> None:
        self.w.writerows([rec[0], guard(rec[1]), rec[2], rec[3], guard(rec[4]), *rec[5:-1], guard(rec[-1])]
                         for rec in recs)  # amounts are digits: only the text columns can start a formula

    encode = staticmethod(csv_rows)

    def _write_block(self, block: Block) -> None:
        """The same bytes csv.writer writes for the block's rows, a column at a time."""
        self.f.flush()
        self.f.buffer.write(csv_rows(block))

    def _write_encoded(self, rows: Encoded) -> None:
        self.f.flush()
        self.f.buffer.write(rows.data)


class _JsonlWriter(Writer):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.f = self.path.open("w", encoding="utf-8")

    def _write(self, recs: list[tuple]) -> None:
        names = self.names
        self.f.writelines(json.dumps(dict(zip(names, rec, strict=True)), ensure_ascii=False) + "\n" for rec in recs)


class _ParquetWriter(Writer):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa = pa
        self.schema = pa.schema([("row", pa.int64())] + [(n, pa.string()) for n in self.names[1:]])
        self.w = pq.ParquetWriter(self.path, self.schema)

    def _write(self, recs: list[tuple]) -> None:
        if recs:
            cols = list(zip(*recs, strict=True))
            self.w.write_table(self.pa.Table.from_arrays(
                [self.pa.array(c, type=f.type) for c, f in zip(cols, self.schema, strict=True)], schema=self.schema))

    def _write_block(self, block: Block) -> None:
        if len(block):
            self.w.write_table(self.pa.Table.from_arrays([self.pa.array(block.rows), *block.columns()],
                                                         schema=self.schema))

    def _close(self, summary: Summary) -> None:
        self.w.close()
        super()._close(summary)


class _XlsxWriter(Writer):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font

        self.Cell, self.bold, self.wrap = WriteOnlyCell, Font(bold=True), Alignment(wrap_text=True, vertical="top")
        self.book = Workbook(write_only=True)
        self.sheet = sheet = self.book.create_sheet("预审结果 precheck")
        for width, col in ((8, "A"), (18, "B"), (16, "C"), (12, "D"), (60, "E")):
            sheet.column_dimensions[col].width = width
        sheet.freeze_panes = "C2"
        sheet.append([self.text(sheet, n, font=self.bold) for n in self.names])

    def text(self, sheet, value: str, **style):
        cell = self.Cell(sheet, value=value)
        cell.data_type = "s"  # a text cell, even one starting with "=": never a formula
        for k, v in style.items():
            setattr(cell, k, v)
        return cell

    def amount(self, sheet, value):
        if value is None or value == "":
            return None
        cell = self.Cell(sheet, value=float(Money(value).rounded().amount))
        cell.number_format = "#,##0.00"
        return cell

    def _write(self, recs: list[tuple]) -> None:
        sheet, n = self.sheet, len(self.names)
        for rec in recs:
            self.sheet.append([rec[0], self.text(sheet, rec[1]), self.text(sheet, rec[2]), self.text(sheet, rec[3]),
                               self.text(sheet, rec[4], alignment=self.wrap),
                               *(self.amount(sheet, v) for v in rec[5:n - 1]), self.text(sheet, rec[n - 1])])

    def _close(self, summary: Summary) -> None:
        book, text, amount, bold = self.book, self.text, self.amount, self.bold
        sheet = book.create_sheet("汇总 summary")
        sheet.column_dimensions["A"].width = 28
        sheet.column_dimensions["B"].width = 70
        data = summary.as_json()
        for key, label in (("ruleset", "规则集 ruleset"), ("version", "版本 version"),
                           ("ruleset_sha256", "规则集 SHA-256"), ("input_file", "输入文件 input"),
                           ("input_sha256", "输入文件 SHA-256"), ("rows_read", "读入行数 rows read"),
                           ("rows_written", "输出行数 rows written"), ("blank_rows_skipped", "空行（跳过）blank rows"),
                           ("seconds", "用时（秒）seconds")):
            sheet.append([text(sheet, label, font=bold), text(sheet, str(data[key]))])
        sheet.append([])
        sheet.append([text(sheet, h, font=bold) for h in ("预审结论 verdict", "行数 rows", "诉请合计 claimed",
                                                          "依法可主张合计 claimable", "超出合计 excess")])
        for verdict, d in data["verdicts"].items():
            sheet.append([text(sheet, f"{d['label']} {verdict}"), d["rows"],
                          *(amount(sheet, d[k]) for k in ("claimed", "claimable", "excess"))])
        for stray in data["stray_list_rows"]:
            sheet.append([text(sheet, "列表行未对应案件 stray list row", font=bold), text(sheet, stray)])
        if data["ignored_columns"]:
            sheet.append([])
            sheet.append([text(sheet, "未使用的列 ignored columns", font=bold),
                          text(sheet, "、".join(data["ignored_columns"]))])
        legend = book.create_sheet("列说明 columns")
        legend.column_dimensions["A"].width = 34
        legend.column_dimensions["B"].width = 40
        for name, label in column_labels(self.lines, self.labels).items():
            legend.append([text(legend, name), text(legend, label)])
        book.save(self.path)


_WRITERS = {".csv": _CsvWriter, ".jsonl": _JsonlWriter, ".parquet": _ParquetWriter, ".xlsx": _XlsxWriter}


def open_writer(path: Path, lines: list[str], labels: dict[str, str]) -> Writer:
    """A writer for ``path`` by its extension (.xlsx, .csv, .jsonl or .parquet)."""
    kind = _WRITERS.get(path.suffix.lower())
    if kind is None:
        raise RulesError.at(f"{path}: the output is .xlsx, .csv, .jsonl or .parquet", hint="name it results.xlsx")
    try:
        return kind(path, lines, labels)
    except OSError as exc:
        raise RulesError.at(f"cannot write {path}: {exc.strerror}") from None
