"""A lender's filing table (Excel, CSV or JSON lines) read as one raw case per row.

The first row (Excel, CSV) names the columns: an input's name (``principal``) or its label
as the ruleset gives it (``借款本金``).  Columns the ruleset does not know are kept aside and
reported, never guessed at.  An empty cell is an input not given (its default applies).
A list or record input (``instalments``, ``repayments``) is written in its cell as JSON:
``[{"due_on": "2024-05-10", "principal": "5000.00", "interest": "120.00"}]``; so are the row's
evidence items, in a column headed ``evidence`` (证据), as a case file gives them.

Excel numbers are taken at the value the sheet shows (the shortest decimal that reads back
as the stored binary number: 12345.67, never 12345.670000000000073); dates become ISO dates.
Row numbers are the sheet's own (the header is row 1), so a clerk finds a refused row at once.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruledsl.core.errors import InputError, RulesError
from ruledsl.core.text import decode_text, exact_json
from ruledsl.lang.checker import CheckedRuleset

#: the column of a row's evidence items (JSON: [{"kind": "loan_contract", "signed": true, …}]), as in a case file
EVIDENCE_HEADINGS = {"evidence": "evidence", "证据": "evidence"}


@dataclass
class Row:
    """One case of the table: its row number in the sheet and its raw inputs (or why it cannot be read)."""

    number: int
    inputs: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@dataclass
class Table:
    rows: list[Row]
    columns: dict[str, str]       # column heading → input name
    ignored: list[str]            # headings the ruleset does not know


def read_table(path: Path, checked: CheckedRuleset) -> Table:
    """Read ``path`` (.xlsx, .csv, .json / .jsonl) into raw cases for ``checked``'s inputs."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            header, records = _excel(path)
        elif suffix == ".csv":
            header, records = _csv(path.read_bytes(), path)
        elif suffix in (".json", ".jsonl"):
            return _json_rows(path, checked)
        else:
            raise RulesError.at(f"{path}: a filing table is .xlsx, .csv or .jsonl", hint="save the sheet as .xlsx")
    except OSError as exc:
        raise RulesError.at(f"cannot read {path}: {exc.strerror}") from None
    columns, ignored = _columns(header, checked, path)
    rows = []
    for number, cells in records:
        row = Row(number)
        for heading, value in zip(header, cells, strict=False):
            name = columns.get(heading)
            if name is None or value is None or (isinstance(value, str) and not value.strip()):
                continue
            kind = checked.input_types[name].kind if name in checked.input_types else "list"  # evidence
            try:
                row.inputs[name] = _cell(value, kind)
            except ValueError as exc:
                row.problems.append(f"{heading}: {exc}")
        if row.inputs or row.problems:  # blank lines at the end of a sheet are not cases
            rows.append(row)
    return Table(rows, columns, ignored)


def _columns(header: list[str], checked: CheckedRuleset, path: Path) -> tuple[dict[str, str], list[str]]:
    by_label = {f.label: f.name for f in checked.inputs if f.label}
    names = {f.name for f in checked.inputs}
    columns, ignored = {}, []
    for position, heading in enumerate(header, start=1):
        name = heading if heading in names else by_label.get(heading) or EVIDENCE_HEADINGS.get(heading)
        if name is None:
            ignored.append(heading or f"(column {position}, no heading)")
        elif name in columns.values():
            raise InputError.at(f"{path}: two columns give `{name}`", hint="keep one of them")
        else:
            columns[heading] = name
    missing = [f for f in checked.inputs if f.default is None and not f.optional and f.name not in columns.values()]
    if missing:
        raise InputError.at(
            f"{path}: no column for {', '.join(f'`{f.name}`' for f in missing)}",
            hint="head a column with the input's name or its label: "
                 + ", ".join(f"{f.name} ({f.label})" if f.label else f.name for f in missing))
    return columns, ignored


def _cell(value: Any, kind: str) -> Any:
    """A cell's value as the case parser takes it (strings for numbers, ISO text for dates)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        return value.date().isoformat() if kind == "date" else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(Decimal(repr(value)))  # the shortest decimal that is this double: what the sheet shows
    if isinstance(value, int):
        return str(value)
    text = str(value).strip()
    if kind in ("list", "record"):
        try:
            return exact_json(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON ({exc.msg} at character {exc.pos + 1})") from None
    if kind == "bool":
        lowered = text.lower()
        if lowered in ("true", "是", "yes", "1"):
            return True
        if lowered in ("false", "否", "no", "0"):
            return False
        raise ValueError(f"{text!r} is not 是/否 (true/false)")
    return text


def _excel(path: Path) -> tuple[list[str], list[tuple[int, tuple]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException … on a bad file
        raise RulesError.at(f"{path}: not a readable Excel workbook ({type(exc).__name__}: {exc})") from None
    try:
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = [str(c).strip() if c is not None else "" for c in next(lines, ())]
        records = [(number, cells) for number, cells in enumerate(lines, start=2)]
    finally:
        book.close()
    return header, records


def _csv(data: bytes, path: Path) -> tuple[list[str], list[tuple[int, tuple]]]:
    text = decode_text(data, str(path), hint="save the sheet as “CSV UTF-8”")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    return header, [(reader.line_num, tuple(cells)) for cells in reader]


def _json_rows(path: Path, checked: CheckedRuleset) -> Table:
    """JSON lines (one case object per line) or a JSON array of case objects; "row" = line / position."""
    text = decode_text(path.read_bytes(), str(path))
    rows = []
    if text.lstrip().startswith("["):
        try:
            items = list(enumerate(exact_json(text), start=1))
        except json.JSONDecodeError as exc:
            raise RulesError.at(f"{path}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from None
        except ValueError as exc:  # a key given twice
            raise RulesError.at(f"{path}: {exc}") from None
    else:
        items = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    items.append((number, exact_json(line)))
                except json.JSONDecodeError as exc:
                    rows.append(Row(number, problems=[f"not JSON ({exc.msg} at column {exc.colno})"]))
                except ValueError as exc:  # a key given twice
                    rows.append(Row(number, problems=[str(exc)]))
    for number, item in items:
        if isinstance(item, dict):
            rows.append(Row(number, dict(item)))
        else:
            rows.append(Row(number, problems=["a case is a JSON object of input names to values"]))
    rows.sort(key=lambda r: r.number)
    return Table(rows, {f.name: f.name for f in checked.inputs}, [])
