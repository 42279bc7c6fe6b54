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
from pathlib import Path
from typing import Any

from ruledsl.core.errors import RulesError
from ruledsl.precheck.run import VERDICT_LABELS, Precheck, RowVerdict

FORMATS = (".xlsx", ".csv", ".jsonl", ".parquet")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FIGURES = ("claimable", "claimed", "excess")
FIGURE_LABELS = {"claimable": "依法可主张", "claimed": "诉请", "excess": "超出"}


def columns(result: Precheck) -> list[str]:
    """The output's column names, in order."""
    return (["row", "case_id", "verdict", "verdict_label", "reasons"]
            + [f"{line}_{f}" for line in result.lines for f in FIGURES] + ["stage"])


def column_labels(result: Precheck) -> dict[str, str]:
    """Each column's Chinese heading (the legend of an Excel output)."""
    out = {"row": "行号", "case_id": "借据号（案件编号）", "verdict": "预审结论（代码）", "verdict_label": "预审结论",
           "reasons": "原因（列或规则、依据）", "stage": "分流"}
    for line in result.lines:
        for f in FIGURES:
            out[f"{line}_{f}"] = f"{result.labels[line]}（{FIGURE_LABELS[f]}）"
    return out


def records(result: Precheck) -> list[list[Any]]:
    """The output rows: ints for ``row``, :class:`~ruledsl.core.money.Money` or None for figures, else text."""
    return [_record(r, result.lines) for r in result.results]


def _record(r: RowVerdict, lines: list[str]) -> list[Any]:
    out: list[Any] = [r.row, r.case_id, r.verdict, VERDICT_LABELS[r.verdict], "\n".join(x.text() for x in r.reasons)]
    for line in lines:
        f = r.lines.get(line)
        out += [None, None, None] if f is None else [f.claimable, f.claimed, f.excess]
    out.append(r.stage or "")
    return out


def guard(text: str) -> str:
    """A text cell as a spreadsheet shows it, never as a formula (see the module docstring)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_results(result: Precheck, path: Path) -> Path:
    """Every row's result at ``path`` (.xlsx, .csv, .jsonl or .parquet, by extension), and the summary."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise RulesError.at(f"{path}: the output is .xlsx, .csv, .jsonl or .parquet", hint="name it results.xlsx")
    try:
        if suffix == ".xlsx":
            _xlsx(result, path)
        else:
            {".csv": _csv, ".jsonl": _jsonl, ".parquet": _parquet}[suffix](result, path)
            summary_path(path).write_text(json.dumps(result.summary.as_json(), ensure_ascii=False, indent=2) + "\n",
                                          encoding="utf-8")
    except OSError as exc:
        raise RulesError.at(f"cannot write {path}: {exc.strerror}") from None
    return path


def summary_path(path: Path) -> Path:
    """Where the summary of a CSV, JSON-lines or Parquet output is written: ``<name>.summary.json``."""
    return path.with_name(path.stem + ".summary.json")


def _text(value: Any) -> str:
    return "" if value is None else str(value)  # Money: two places, no separators


def _csv(result: Precheck, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns(result))
        for rec in records(result):
            w.writerow([rec[0], *(guard(_text(v)) if isinstance(v, str) else _text(v) for v in rec[1:])])


def _plain(result: Precheck) -> list[dict[str, Any]]:
    names = columns(result)
    return [{n: (v if n == "row" else _text(v)) for n, v in zip(names, rec, strict=True)} for rec in records(result)]


def _jsonl(result: Precheck, path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for item in _plain(result):
            f.write(json.dumps(item, ensure_ascii=False) + "\n")


def _parquet(result: Precheck, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = columns(result)
    recs = records(result)
    arrays = [pa.array([rec[0] for rec in recs], pa.int64())]
    arrays += [pa.array([_text(rec[k]) for rec in recs], pa.string()) for k in range(1, len(names))]
    pq.write_table(pa.Table.from_arrays(arrays, names=names), path)


def _xlsx(result: Precheck, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("预审结果 precheck")
    names = columns(result)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def text(value: str, **style) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # a text cell, even one starting with "=": never a formula
        for k, v in style.items():
            setattr(cell, k, v)
        return cell

    def amount(value) -> WriteOnlyCell | None:
        if value is None:
            return None
        cell = WriteOnlyCell(sheet, value=float(value.rounded().amount))
        cell.number_format = "#,##0.00"
        return cell

    for width, col in ((8, "A"), (18, "B"), (16, "C"), (12, "D"), (60, "E")):
        sheet.column_dimensions[col].width = width
    sheet.freeze_panes = "C2"
    sheet.append([text(n, font=bold) for n in names])
    for rec in records(result):
        cells: list[Any] = [rec[0]]
        for k, v in enumerate(rec[1:], start=1):
            if k == 4:
                cells.append(text(v, alignment=wrap))
            elif isinstance(v, str):
                cells.append(text(v))
            else:
                cells.append(amount(v))
        sheet.append(cells)
    summary = book.create_sheet("汇总 summary")
    summary.column_dimensions["A"].width = 28
    summary.column_dimensions["B"].width = 70
    data = result.summary.as_json()
    for key, label in (("ruleset", "规则集 ruleset"), ("version", "版本 version"),
                       ("ruleset_sha256", "规则集 SHA-256"), ("input_file", "输入文件 input"),
                       ("input_sha256", "输入文件 SHA-256"), ("rows_read", "读入行数 rows read"),
                       ("rows_written", "输出行数 rows written"), ("blank_rows_skipped", "空行（跳过）blank rows"),
                       ("seconds", "用时（秒）seconds")):
        summary.append([text(label, font=bold), text(str(data[key]))])
    summary.append([])
    summary.append([text(h, font=bold) for h in ("预审结论 verdict", "行数 rows", "诉请合计 claimed",
                                                 "依法可主张合计 claimable", "超出合计 excess")])
    for verdict, d in data["verdicts"].items():
        summary.append([text(f"{d['label']} {verdict}"), d["rows"],
                        *(amount(result.summary.by_verdict[verdict][k]) for k in ("claimed", "claimable", "excess"))])
    for stray in data["stray_list_rows"]:
        summary.append([text("列表行未对应案件 stray list row", font=bold), text(stray)])
    if data["ignored_columns"]:
        summary.append([])
        summary.append([text("未使用的列 ignored columns", font=bold), text("、".join(data["ignored_columns"]))])
    legend = book.create_sheet("列说明 columns")
    legend.column_dimensions["A"].width = 34
    legend.column_dimensions["B"].width = 40
    for name, label in column_labels(result).items():
        legend.append([text(name), text(label)])
    book.save(path)
