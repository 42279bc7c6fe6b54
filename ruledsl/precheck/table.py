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

:func:`open_table` reads a table in passes, each streaming it from the file again (a CSV is decoded as it
is read, a Parquet file in batches, JSON lines line by line, a workbook with python-calamine), so a
batch's memory does not grow with its length; :func:`read_table` reads one whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import struct
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from ruledsl.core.errors import Diagnostic, InputError, RulesError
from ruledsl.core.show import quoted
from ruledsl.core.text import decode_text, exact_json
from ruledsl.core.types import MONEY, Type
from ruledsl.lang.checker import CheckedRuleset

#: the column of a row's evidence items (JSON: [{"kind": "loan_contract", "signed": true, …}]), as in a case file
EVIDENCE_HEADINGS = {"evidence": "evidence", "证据": "evidence",
                     # the files a row relies on, verified against the court's log (see ruledsl.precheck.run)
                     "evidence_files": "evidence_files", "证据文件": "evidence_files"}


@dataclass
class Row:
    """One case of the table: its row number in the sheet and its raw inputs (or why it cannot be read)."""

    number: int
    inputs: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, why its value cannot be read)
    #: cells not read yet, (heading, input name or ``record.key``, cell value): :func:`read_cells` reads
    #: them — in the pre-check's worker, so that a batch's cells are read in parallel
    raw: list[tuple[str, str, Any]] = field(default_factory=list)

    def __reduce__(self) -> tuple:
        """Pickled as its four fields (a batch hands its parts to worker processes: the dataclass's
        default costs twice as much)."""
        return (Row, (self.number, self.inputs, self.problems, self.raw))

    def case_id(self) -> str | None:
        """The case id the row gives (read or not), or None."""
        if CASE_KEY in self.inputs:
            given = self.inputs[CASE_KEY]
            return None if given is None else str(given).strip() or None
        for _, name, value in self.raw:
            if name == CASE_KEY and value is not None and str(value).strip():
                return _cell(value, "text")
        return None


@dataclass
class Table:
    rows: list[Row]
    columns: dict[str, str]       # column heading → input name
    ignored: list[str]            # headings the ruleset does not know
    blank_rows: int = 0           # rows with no value at all: not cases, skipped and counted
    #: rows of list sheets whose case id no case row gives (reported, not lost): "sheet!row: why"
    orphans: list[str] = field(default_factory=list)


@dataclass
class ListRow:
    """One row of a list sheet (还款计划 …): the case it belongs to, its record, or why it cannot be read."""

    where: str                    # "还款计划 instalments!5"
    case_id: str | None
    record: dict[str, Any]
    problems: list[str]


#: Chinese headings for the keys of the ledger's and the evidence's records, as a list sheet heads its columns
RECORD_KEY_LABELS = {
    "due_on": "到期日", "principal": "本金", "interest": "利息", "paid_on": "还款日", "amount": "金额",
    "incurred_on": "发生日", "label": "说明", "for_instalment": "指定期次", "effective_on": "生效日",
    "contract_rate": "借款利率", "penalty_rate": "罚息利率", "compound_rate": "复利利率", "posted_on": "记账日",
    "kind": "类别", "statement_on": "账单日", "minimum": "最低还款额", "file": "文件", "bundle": "存证包",
    "signed_at": "签署时间", "signature": "签名文件",
}
#: the key of a list sheet's rows to their case (its heading: case_id, or the case_id input's label)
CASE_KEY = "case_id"


def read_table(path: Path, checked: CheckedRuleset, lists_dir: Path | None = None) -> Table:
    """Read ``path`` (.xlsx, .csv, .parquet, .json / .jsonl) whole into raw cases for ``checked``'s inputs
    (:func:`open_table` reads it in passes, for a batch too large to hold).

    List inputs come in their own cells as JSON, on a workbook's list sheets, or — for any input —
    from ``lists_dir``: one CSV per list input, named by it (``instalments.csv``, ``还款计划.csv``),
    its rows keyed by 借据号 (``case_id``) as a list sheet's are."""
    source = open_table(path, checked, lists_dir)
    rows = list(source.rows())
    return Table(rows, source.columns, source.ignored, source.blank_rows,
                 source.orphans({c for c in map(Row.case_id, rows) if c is not None}))


@dataclass(frozen=True)
class RowMaker:
    """One record of a sheet (its number and cells) as a :class:`Row`, None when it is blank: what every
    pass over a table and every worker reading a part of one does with a record."""

    mapped: tuple[tuple[int, str, str], ...]  # (position, heading, input) of each column the ruleset reads
    width: int                                 # the header's cells: a record's cells beyond them are not read
    flags: dict[tuple[int, int], str]          # (row, column) → why the cell holds no usable value

    def __call__(self, number: int, cells: tuple) -> Row | None:
        row = Row(number)
        if len(cells) < self.width:  # a row's trailing empty cells may be absent
            cells = tuple(cells) + (None,) * (self.width - len(cells))
        flags = self.flags
        for position, heading, name in self.mapped:
            if flags and (number, position + 1) in flags:
                row.problems.append((heading, flags[number, position + 1]))
                continue
            value = cells[position]
            if value is None or (type(value) is str and not value.strip()):
                continue
            row.raw.append((heading, name, value))
        if row.raw or row.problems:
            return row
        if any(v is not None and (not isinstance(v, str) or v.strip()) for v in cells[:self.width]):
            return row  # values only in columns the ruleset does not use: still a row, still answered
        return None  # a blank row is not a case

    def key(self, number: int, cells: tuple) -> tuple[bool, str | None]:
        """Whether the record is a row (not blank) and its case id — what ``self(number, cells)`` would give
        as ``row is not None`` and ``row.case_id()``, without building the row (a batch's first pass)."""
        flags = self.flags
        is_row, case_id = False, None
        for position, _, name in self.mapped:
            if flags and (number, position + 1) in flags:
                is_row = True
                continue
            value = cells[position] if position < len(cells) else None
            if value is None or (type(value) is str and not value.strip()):
                continue
            is_row = True
            if name == CASE_KEY:
                case_id = _cell(value, "text")
        if not is_row:
            is_row = any(v is not None and (not isinstance(v, str) or v.strip()) for v in cells[:self.width])
        return is_row, case_id


@dataclass(frozen=True)
class CsvPart:
    """A part of a CSV filing that a worker reads itself: where its first record starts (a position of the
    file opened as text in ``encoding``, as ``tell`` gave it), that record's row number, and how many rows
    that are not blank it holds.  (A batch's parts then travel as these few fields, not as their rows.)"""

    path: str
    encoding: str
    start: int
    number: int
    rows: int
    make: RowMaker

    def read(self) -> list[Row]:
        out: list[Row] = []
        with Path(self.path).open(encoding=self.encoding, newline="") as f:
            f.seek(self.start)
            for number, cells in enumerate(csv.reader(iter(f.readline, "")), start=self.number):
                row = self.make(number, tuple(cells))
                if row is not None:
                    out.append(row)
                    if len(out) == self.rows:
                        break
        return out


@dataclass
class RawPart:
    """A part of a filing's rows as columns, for the columnar path (:func:`ruledsl.precheck.columnar.judge_part`):
    each row's sheet number (blank rows left out, as :class:`RowMaker` leaves them out) and each of the
    header's columns — an Arrow array of the cells' text (a CSV's, a Parquet file's text columns), or a list
    of the cells' values as the reader gives them (a workbook's numbers and dates).  ``refused``: rows the
    columnar path must leave to the per-row path (a flagged cell: a formula without a value, a merged cell)."""

    numbers: Any                  # numpy int64
    columns: list[Any]
    make: RowMaker
    refused: Any = None           # numpy bool, or None

    def __len__(self) -> int:
        return len(self.numbers)

    def row(self, i: int) -> Row:
        """Row ``i`` as the per-row path reads it (:class:`RowMaker` on its cells)."""
        cells = tuple(col[i].as_py() if not isinstance(col, list) else col[i] for col in self.columns)
        row = self.make(int(self.numbers[i]), cells)
        assert row is not None, "a blank row in a part"
        return row


@dataclass
class Source:
    """A filing table opened for reading: its columns now, its rows in passes, each pass reading the file
    again (:meth:`rows`), so a batch of a million rows is never held whole.  ``blank_rows`` counts the
    blank rows of the last full pass."""

    path: Path
    columns: dict[str, str]       # column heading → input name
    ignored: list[str]            # headings the ruleset does not know
    #: a sheet's records, each read again on every pass, and how each becomes a row
    _records: Callable[[], Iterator[tuple[int, tuple]]] | None
    _make: RowMaker | None
    lists: dict[str, list[ListRow]] = field(default_factory=dict)
    blank_rows: int = 0
    _encoding: str | None = None  # a CSV's: its parts can be read by the workers themselves
    #: JSON's rows, which come whole (not from records): one pass, each row, None for a blank line
    _json_rows: Callable[[], Iterator[Row | None]] | None = None

    def _pass(self) -> Iterator[Row | None]:
        if self._json_rows is not None:
            return self._json_rows()
        make = self._make
        return (make(number, cells) for number, cells in self._records())

    def rows(self) -> Iterator[Row]:
        """Every row that is not blank, in file order, list sheets' records attached."""
        by_id = self._by_id()
        blank = 0
        for row in self._pass():
            if row is None:
                blank += 1
                continue
            if by_id:
                _attach(row, by_id)
            yield row
        self.blank_rows = blank

    def _by_id(self) -> dict[str, list[tuple[str, ListRow]]]:
        by_id: dict[str, list[tuple[str, ListRow]]] = {}
        for name, items in self.lists.items():
            for item in items:
                if item.case_id:
                    by_id.setdefault(item.case_id, []).append((name, item))
        return by_id

    def keys(self, part_rows: int) -> tuple[Iterator[tuple[int, str | None]], list[CsvPart]]:
        """A batch's first pass: each row's number and case id (the rows are not built), counting the blank
        rows; and, for a CSV without list files, the parts of ``part_rows`` rows the workers will read
        themselves (filled in as the pass goes)."""
        parts: list[CsvPart] = []
        if self._json_rows is not None:
            return self._keys_of_rows(), parts
        if self._encoding is None or self.lists:
            return self._keys_of_records(), parts
        return self._keys_of_csv(part_rows, parts), parts

    def _keys_of_rows(self) -> Iterator[tuple[int, str | None]]:
        for row in self.rows():
            yield row.number, row.case_id()

    def _keys_of_records(self) -> Iterator[tuple[int, str | None]]:
        blank = 0
        for number, cells in self._records():
            is_row, case_id = self._make.key(number, cells)
            if is_row:
                yield number, case_id
            else:
                blank += 1
        self.blank_rows = blank

    def _keys_of_csv(self, part_rows: int, parts: list[CsvPart]) -> Iterator[tuple[int, str | None]]:
        blank = 0
        with self.path.open(encoding=self._encoding, newline="") as f:
            reader = csv.reader(iter(f.readline, ""))  # lines by readline: the file can tell where a part starts
            next(reader, None)
            start, first, count = f.tell(), 2, 0
            for number, cells in enumerate(reader, start=2):
                is_row, case_id = self._make.key(number, cells)
                if not is_row:
                    blank += 1
                    continue
                yield number, case_id
                count += 1
                if count == part_rows:
                    parts.append(CsvPart(str(self.path.resolve()), self._encoding, start, first, count, self._make))
                    start, first, count = f.tell(), number + 1, 0
            if count:
                parts.append(CsvPart(str(self.path.resolve()), self._encoding, start, first, count, self._make))
        self.blank_rows = blank

    def orphans(self, case_ids: set[str]) -> list[str]:
        """The list sheets' rows no case row (of ``case_ids``) claims: reported, never dropped silently."""
        return [f"{item.where}: " + (f"no case row has case id {item.case_id}" if item.case_id else "no case id")
                for items in self.lists.values() for item in items if not item.case_id or item.case_id not in case_ids]


def open_table(path: Path, checked: CheckedRuleset, lists_dir: Path | None = None) -> Source:
    """Open ``path`` for reading in passes (see :func:`read_table` for what it may hold): its header is read
    and checked now — a missing required column, two columns for one input, an unreadable file stop here
    with one clear error — and each pass of :meth:`Source.rows` streams its rows."""
    suffix = path.suffix.lower()
    try:
        lists: dict[str, list[ListRow]] = {}
        list_ignored: list[str] = []
        encoding = None
        if suffix in (".xlsx", ".xlsm"):
            header, records, flags, sheets = _excel(path)
            lists = {name: _list_rows(title, rows, checked, name, list_ignored)
                     for title, name, rows in _list_sheets(sheets, checked)}
        elif suffix == ".csv":
            encoding = _csv_encoding(path, checked)
            (header, records), flags = _csv(path, checked, encoding), {}
        elif suffix == ".parquet":
            (header, records), flags = _parquet(path), {}
        elif suffix in (".json", ".jsonl"):
            return _json_source(path, checked)
        else:
            raise RulesError.at(f"{path}: a filing table is .xlsx, .csv, .parquet or .jsonl",
                                hint="save the sheet as .xlsx")
        if lists_dir is not None:
            sheets = []
            for p in sorted(lists_dir.glob("*.csv")):
                head, records_of = _csv(p, checked)
                sheets.append((p.stem, [tuple(head), *(cells for _, cells in records_of())]))
            for title, name, rows in _list_sheets(sheets, checked):
                lists.setdefault(name, []).extend(_list_rows(title, rows, checked, name, list_ignored))
    except OSError as exc:
        raise RulesError.at(f"cannot read {path}: {exc.strerror}") from None
    columns, ignored = _columns(header, checked, path, frozenset(lists))
    ignored += list_ignored
    make = RowMaker(tuple((position, heading, columns[heading]) for position, heading in enumerate(header)
                          if heading in columns), len(header), flags)
    return Source(path, columns, ignored, records, make, lists, _encoding=encoding)


def read_cells(row: Row, checked: CheckedRuleset) -> Row:
    """Read the row's cells into the values the case parser takes (a cell that cannot be read is a
    problem at its column); done once, then ``row.raw`` is empty."""
    kinds = _cell_kinds(checked)
    for heading, name, value in row.raw:
        record, _, key = name.partition(".")  # `claimed.penalty_interest`: one amount of a record input
        kind = kinds.get(name)
        if kind is None:
            typ = checked.input_types.get(record)
            if key and typ is not None:
                typ = typ.field(key)
            kind = kinds[name] = _kind(typ) if typ is not None else "list"  # evidence
        try:
            value = _cell(value, kind)
        except ValueError as exc:
            row.problems.append((heading, str(exc)))
            continue
        if key:
            row.inputs.setdefault(record, {})[key] = value
        else:
            row.inputs[name] = value
    row.raw = []
    return row


def _cell_kinds(checked: CheckedRuleset) -> dict[str, str]:
    """What each column's cells hold (:func:`_kind`), by input name or ``record.key``: found once per ruleset."""
    kinds = getattr(checked, "_cell_kinds", None)
    if kinds is None:
        kinds = checked._cell_kinds = {}  # type: ignore[attr-defined]
    return kinds


def heading_key(text: str) -> str:
    """A column heading as it is matched: full-width and half-width alike (NFKC), spaces ignored."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _headings(checked: CheckedRuleset) -> dict[str, str]:
    """Every heading that names an input: its name, its label, and the label's short form before a
    parenthesis (借据号 for “借据号（案件编号）”) when no other input's label shortens alike."""
    out: dict[str, str] = {heading_key(k): v for k, v in EVIDENCE_HEADINGS.items()}
    short: dict[str, list[str]] = {}
    for f in checked.inputs:
        out[heading_key(f.name)] = f.name
        if f.label:
            out[heading_key(f.label)] = f.name
            head = heading_key(f.label).split("(")[0]
            if head:
                short.setdefault(head, []).append(f.name)
    for head, names in short.items():
        if len(names) == 1:
            out.setdefault(head, names[0])
    award_labels = {name: checked.definitions[name].label for name in checked.awards if checked.definitions[name].label}
    for f in checked.inputs:  # a record input (诉请金额) may be written one column per amount
        typ = checked.input_types[f.name]
        if typ.kind != "record":
            continue
        for key, _ in typ.fields:
            out[heading_key(f"{f.name}.{key}")] = f"{f.name}.{key}"
            for sub in (award_labels.get(key), RECORD_KEY_LABELS.get(key), key):
                if sub and f.label:
                    out.setdefault(heading_key(f"{f.label.split('（')[0]}·{sub}"), f"{f.name}.{key}")
    return out


def _columns(header: list[str], checked: CheckedRuleset, path: Path,
             in_sheets: frozenset[str] = frozenset()) -> tuple[dict[str, str], list[str]]:
    """Each heading's input (or ``record.key``), the headings no input has; a required input with neither
    a column nor a list sheet (``in_sheets``) stops the table with the headings it may take."""
    known = _headings(checked)
    columns, ignored = {}, []
    for position, heading in enumerate(header, start=1):
        name = known.get(heading_key(heading))
        if name is None:
            ignored.append(heading or f"(column {position}, no heading)")
        elif name in columns.values():
            raise InputError.at(f"{path}: two columns give `{name}`", hint="keep one of them")
        else:
            columns[heading] = name
    given = {v.partition(".")[0] for v in columns.values()} | in_sheets
    missing = [f for f in checked.inputs if f.default is None and not f.optional and f.name not in given]
    if missing:
        raise InputError.at(
            f"{path}: no column for {', '.join(f'`{f.name}`' for f in missing)}",
            hint="head a column with the input's name or its label: "
                 + ", ".join(f"{f.name} ({f.label})" if f.label else f.name for f in missing))
    return columns, ignored


def _list_sheets(sheets: list[tuple[str, list[tuple]]], checked: CheckedRuleset):
    """The workbook's other sheets that hold a list input, one record a row: titled by the input's name,
    its label, or both (``还款计划 instalments``)."""
    lists = {f.name for f in checked.inputs if checked.input_types[f.name].kind == "list"} | {"evidence_files"}
    known = _headings(checked)
    for title, rows in sheets:
        for part in [title, *title.split()]:
            name = known.get(heading_key(part))
            if name in lists:
                yield title, name, rows
                break


def _list_rows(title: str, rows: list[tuple], checked: CheckedRuleset, name: str,
               ignored: list[str]) -> list[ListRow]:
    """A list sheet's rows as records keyed by case id; row 1 heads the columns (key or its Chinese name).
    Headings the list's records do not have are added to ``ignored`` (``还款计划 instalments!备注``)."""
    if not rows:
        return []
    typ = checked.input_types.get(name)
    fields = dict(typ.item.fields) if typ is not None else {}  # evidence_files: text keys
    case_field = next((f for f in checked.inputs if f.name == CASE_KEY), None)
    case_headings = {heading_key(h) for h in (CASE_KEY, "借据号", "案件编号", case_field.label if case_field else None)
                     if h}
    by_label = {heading_key(v): k for k, v in RECORD_KEY_LABELS.items()}
    keys: list[str | None] = []
    for h in rows[0]:
        text = heading_key(str(h)) if h is not None else ""
        key = CASE_KEY if text in case_headings else by_label.get(text, text)
        keys.append(key if key == CASE_KEY or key in fields or (not fields and key) else None)
        if keys[-1] is None and text:
            ignored.append(f"{title}!{h}")
    out = []
    for number, cells in enumerate(rows[1:], start=2):
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        item = ListRow(f"{title}!{number}", None, {}, [])
        for key, value in zip(keys, cells, strict=False):
            if key is None or value is None or (isinstance(value, str) and not value.strip()):
                continue
            if key == CASE_KEY:
                item.case_id = str(value).strip()
                continue
            sub = fields.get(key)
            try:
                item.record[key] = _cell(value, _kind(sub) if sub is not None else "text")
            except ValueError as exc:
                item.problems.append(f"{item.where} {key}: {exc}")
        out.append(item)
    return out


def _attach(row: Row, by_id: dict[str, list[tuple[str, ListRow]]]) -> None:
    """The list sheets' records with the row's case id onto the row, in sheet order (a case id given
    twice: both rows take them, and are flagged as duplicates later)."""
    items = by_id.get(row.case_id() or "")
    if not items:
        return
    given = {n for _, n, _ in row.raw} | set(row.inputs)  # in the row's own column
    sheet: dict[str, list] = {}
    for name, item in items:
        if name in given:
            if name not in sheet:
                sheet[name] = []
                row.problems.append((name, f"given twice: in its column and in the sheet ({item.where})"))
            continue
        sheet.setdefault(name, []).append(item.record)
        row.problems += [(name, p) for p in item.problems]
    for name, records in sheet.items():
        if name not in given:
            row.inputs[name] = records


def _cell(value: Any, kind: str) -> Any:
    """A cell's value as the case parser takes it (strings for numbers, ISO text for dates)."""
    if type(value) is str:  # a CSV's, a Parquet's and most of a workbook's cells
        return _text_cell(value, kind)
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
    return _text_cell(str(value), kind)


def _text_cell(text: str, kind: str) -> Any:
    text = text.strip()
    if kind in _NUMERIC and _PLAIN_CELL.match(text):
        return text  # plain ASCII digits (12345.67, 12%): nothing to normalise
    if kind == "date" and _ISO_CELL.match(text):
        return text
    if kind in ("list", "record"):
        try:
            return exact_json(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON ({exc.msg} at character {exc.pos + 1})") from None
    if kind in _NUMERIC or kind == "date":
        return as_written(text, kind)
    if kind == "bool":
        lowered = unicodedata.normalize("NFKC", text).lower()
        if lowered in ("true", "是", "yes", "1"):
            return True
        if lowered in ("false", "否", "no", "0"):
            return False
        raise ValueError(f"{text!r} is not 是/否 (true/false)")
    return text


_NUMERIC = frozenset(("money", "qty"))


def _kind(typ: Type) -> str:
    """What a cell of an input of type ``typ`` holds: money, another quantity, a date, a flag, JSON, text."""
    return "money" if typ == MONEY else typ.kind
_PLAIN_CELL = re.compile(r"-?[0-9]+(\.[0-9]+)?%?\Z")
_ISO_CELL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_NUMBER_LIKE = re.compile(r"[-+]?[0-9][0-9,]*(\.[0-9]+)?\s*[%‱]?\Z")
_SHEET_DATE = re.compile(r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?\Z")


def as_written(text: str, kind: str) -> str:
    """A number or date as lenders type it, in the form the case parser reads — only where that is
    unambiguous: full-width digits and marks (５０，５１８．００, ２４％) as half-width; a leading ¥ / ￥
    and a trailing 元 around an amount dropped (50,518.00 keeps its separators, which the parser
    checks); dates 2024/3/1, 2024.3.1 and 2024年3月1日 as 2024-03-01.  Anything else is left as it is,
    for the parser to refuse with its reason (a bare 24 for a rate: write 24%)."""
    t = unicodedata.normalize("NFKC", text).strip()
    if kind == "date":
        m = _SHEET_DATE.match(t)
        return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}" if m else text
    if kind == "money":
        t = t.removeprefix("¥").removesuffix("元").strip()
    return t if _NUMBER_LIKE.match(t) else text  # else as written: the parser's message quotes the cell


#: Bounds on an Excel workbook, checked on its ZIP directory before openpyxl opens it, so that a
#: zip bomb is refused unread.  A filing table of 50,000 rows is a few MB (about 25 MB of sheet XML).
XLSX_MAX_FILE_BYTES = 200 << 20  # the .xlsx file itself
XLSX_MAX_UNCOMPRESSED = 200 << 20  # all its members together, uncompressed
XLSX_MAX_MEMBERS = 10_000  # ZIP members (a workbook has a dozen or so)
XLSX_MAX_DIRECTORY = 4 << 20  # the ZIP central directory, which zipfile parses whole
XLSX_MAX_RATIO = 200  # uncompressed : compressed, for a member larger than XLSX_RATIO_FLOOR (sheets: 10-20)
XLSX_RATIO_FLOOR = 1 << 20
_ZIP_END = b"PK\x05\x06"
_READ_CHUNK = 1 << 20


def _mb(n: int) -> str:
    return f"{n / (1 << 20):,.1f} MiB" if n >= 1 << 17 else f"{n:,} bytes"


def _check_workbook_zip(path: Path) -> None:
    """Refuse a workbook whose ZIP container would cost more than a filing table can need (a zip bomb).

    Decided from the end record and the central directory before anything is decompressed: member
    count, compression methods (stored or deflate, as OOXML allows), each member's declared
    compression ratio, the declared total.  Then every member is inflated once in bounded pieces
    (:func:`_check_member_data`), so a member whose data is longer than it declares (or fails its
    CRC) is refused too — after at most its declared size was decompressed, never more."""
    import zipfile

    with path.open("rb") as f:
        size = f.seek(0, io.SEEK_END)
        if size > XLSX_MAX_FILE_BYTES:
            raise RulesError.at(f"{path}: the workbook is {_mb(size)}, more than a filing table may be "
                                f"({_mb(XLSX_MAX_FILE_BYTES)})", hint="split the filings into several workbooks")
        tail = min(size, 22 + 0xFFFF)  # the end record, after which only an archive comment may follow
        f.seek(size - tail)
        end = f.read(tail)
    at = end.rfind(_ZIP_END)
    if at < 0 or len(end) - at < 22:
        raise RulesError.at(f"{path}: not a readable Excel workbook (not a ZIP file)",
                            hint="save the sheet as .xlsx")
    entries, directory = struct.unpack("<HL", end[at + 10: at + 16])
    if entries > XLSX_MAX_MEMBERS or directory > XLSX_MAX_DIRECTORY:
        raise RulesError.at(f"{path}: the workbook's ZIP container has {entries:,} members in a "
                            f"{_mb(directory)} directory, more than a workbook has (at most {XLSX_MAX_MEMBERS:,})",
                            hint="refused unread: this is not a filing table")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > XLSX_MAX_MEMBERS:
                raise RulesError.at(f"{path}: the workbook has {len(infos):,} ZIP members, more than "
                                    f"{XLSX_MAX_MEMBERS:,}")
            total = 0
            for info in infos:
                where = f"{path}: workbook member {info.filename}"
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise RulesError.at(f"{where} is compressed with method {info.compress_type}; a workbook "
                                        "uses deflate only", hint="save the sheet from Excel or WPS as .xlsx")
                if info.flag_bits & 0x1:
                    raise RulesError.at(f"{where} is encrypted", hint="save the workbook without a password")
                if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
                    raise RulesError.at(f"{where} declares {info.file_size:,} bytes but stores "
                                        f"{info.compress_size:,}", hint="the file is damaged or forged")
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > XLSX_RATIO_FLOOR and ratio > XLSX_MAX_RATIO:
                    raise RulesError.at(
                        f"{where} would expand {info.compress_size:,} compressed bytes to {_mb(info.file_size)}"
                        f" (ratio {ratio:,.0f}:1, more than {XLSX_MAX_RATIO}:1): refused unread as a zip bomb",
                        hint="a filing table's sheets compress about 10-20 to 1")
                total += info.file_size
                if total > XLSX_MAX_UNCOMPRESSED:
                    raise RulesError.at(
                        f"{path}: the workbook's members expand to more than {_mb(XLSX_MAX_UNCOMPRESSED)} "
                        f"(at {info.filename}): more than a filing table may be; refused unread",
                        hint="split the filings into several workbooks")
        with path.open("rb") as f:
            for info in infos:  # each member holds what it declares; never more than that is decompressed
                _check_member_data(f, info, path)
    except RulesError:
        raise
    except Exception as exc:  # zipfile: BadZipFile (a bad CRC: a member lies about its data), EOFError, …
        raise RulesError.at(f"{path}: not a readable Excel workbook ({type(exc).__name__}: {exc})",
                            hint="the file is damaged, or a member does not hold what it declares") from None


def _check_member_data(f: BinaryIO, info: Any, path: Path) -> None:
    """Inflate one member in bounded pieces, refusing it as soon as it yields more than it declares.

    zipfile cannot be used for this: it cuts a member's data at the declared size (so a member that
    lies about its size passes its CRC check), after first decompressing up to 1 GiB in one call."""
    import zlib

    where = f"{path}: workbook member {info.filename}"
    f.seek(info.header_offset)
    header = f.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise RulesError.at(f"{where} has no local header where the directory says", hint="the file is damaged")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    f.seek(info.header_offset + 30 + name_len + extra_len)
    inflate = zlib.decompressobj(-15) if info.compress_type == 8 else None  # deflate (8) or stored (0)
    left, got, crc = info.compress_size, 0, 0

    def take(out: bytes) -> None:
        nonlocal got, crc
        got += len(out)
        crc = zlib.crc32(out, crc)
        if got > info.file_size:
            raise RulesError.at(f"{where} holds more than the {info.file_size:,} bytes it declares: refused as a"
                                " zip bomb", hint="the file is damaged or forged")

    while left > 0:
        chunk = f.read(min(left, _READ_CHUNK))
        if not chunk:
            raise RulesError.at(f"{where} is cut short", hint="the file is damaged")
        left -= len(chunk)
        if inflate is None:
            take(chunk)
            continue
        while chunk and not inflate.eof:
            take(inflate.decompress(chunk, _READ_CHUNK))
            chunk = inflate.unconsumed_tail
        if inflate.eof:
            break
    while inflate is not None and not inflate.eof and (out := inflate.decompress(b"", _READ_CHUNK)):
        take(out)
    if got != info.file_size or crc != info.CRC or (inflate is not None and not inflate.eof):
        raise RulesError.at(f"{where} does not hold the {info.file_size:,} bytes it declares (or fails its CRC)",
                            hint="the file is damaged or forged")


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: an encrypted workbook, or an old .xls


def _excel(path: Path) -> tuple[list[str], Callable[[], Iterator[tuple[int, tuple]]], dict[tuple[int, int], str],
                                list]:
    """The first sheet's header, its rows (numbered as the sheet numbers them, read again on each pass) and
    the cells that hold no value a row can use, with why (see :func:`_sheet_flags`), and the other sheets.

    Read with python-calamine (Rust; about fifteen times openpyxl's speed on a filing sheet), which reads
    every cell the sheet holds whatever its ``<dimension>`` tag says, and each formula at its saved value;
    what it cannot tell — a formula without a saved value, the covered cells of a merged range — comes
    from one pass over the sheet's XML (:func:`_sheet_flags`)."""
    with path.open("rb") as f:
        if f.read(8) == _OLE:
            raise RulesError.at(f"{path}: the workbook is password-protected (or an old .xls), so it cannot be read",
                                hint="save it from Excel or WPS as .xlsx without a password")
    _check_workbook_zip(path)  # before anything is decompressed
    try:
        first = _first_sheet_member(path)
        book = _open_book(path)
        sheet = book.get_sheet_by_index(0)
        header = [str(c).strip() if c is not None else "" for c in next(_sheet_rows(sheet), ())]
        flags = _sheet_flags(path, first)
        others = [(name, list(_sheet_rows(book.get_sheet_by_name(name)))) for name in book.sheet_names[1:]]
    except RulesError:
        raise
    except Exception as exc:  # calamine raises its own errors (CalamineError, XmlError …) on a malformed sheet
        raise RulesError.at(f"{path}: the first sheet cannot be read ({type(exc).__name__}: {exc})",
                            hint="open the workbook in Excel or WPS and save it again as .xlsx") from None

    def records() -> Iterator[tuple[int, tuple]]:
        rows = _sheet_rows(_open_book(path).get_sheet_by_index(0))
        next(rows, None)
        yield from enumerate(rows, start=2)
    return header, records, flags, others


def _open_book(path: Path):
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # not a workbook calamine can open
        raise RulesError.at(f"{path}: not a readable Excel workbook ({type(exc).__name__}: {exc})") from None


def _sheet_rows(sheet) -> Iterator[tuple]:
    """A calamine sheet's rows from row 1 and column A, each cell as openpyxl gives it: None for an empty
    cell, an int for a whole number (Excel writes 100000 without a point), else the float, date, bool or text."""
    lead = (None,) * sheet.start[1] if sheet.start else ()
    for cells in sheet.iter_rows():
        yield lead + tuple(None if c == "" else int(c) if type(c) is float and c.is_integer() and abs(c) < 2 ** 53
                           else c for c in cells)


def _first_sheet_member(path: Path) -> str:
    """The ZIP member of the workbook's first sheet (``xl/worksheets/sheet1.xml``), from workbook.xml and its
    relationships, as Excel orders the sheets."""
    import xml.etree.ElementTree as ET
    import zipfile

    with zipfile.ZipFile(path) as zf:
        book = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    sheet = next(el for el in book.iter() if el.tag.rpartition("}")[2] == "sheet")
    rid = next(v for k, v in sheet.attrib.items() if k.rpartition("}")[2] == "id")
    target = next(el.get("Target") for el in rels if el.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


#: the start of a formula or a merged-range element, whatever the namespace prefix (``<f>``, ``<x:f t=…>``)
_FLAGGED_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:f|mergeCell)[\s/>]")


def _may_flag(zf: Any, member: str) -> bool:
    """Whether the sheet's XML holds a formula or a merged range at all (read in pieces, never whole)."""
    tail = b""
    with zf.open(member) as xml:
        while chunk := xml.read(_CHUNK):
            if _FLAGGED_TAG.search(tail + chunk):
                return True
            tail = chunk[-64:]  # a tag cut between two pieces
    return False


def _sheet_flags(path: Path, member: str) -> dict[tuple[int, int], str]:
    """Cells of the sheet XML whose value a row would silently lose, by (row, column), with the reason:

    * a formula with no saved value (the workbook was written by a program that does not calculate,
      or not recalculated): its value is never computed here, so the row cannot use it;
    * a cell covered by a merged range other than its top-left cell: Excel keeps the value in the
      top-left cell only, so the other rows of the range would take the input's default.

    One streaming pass of the XML parser (the ZIP container was checked for size before) — after a
    quicker one over the bytes: a sheet with no formula and no merged range (most filings) is not parsed."""
    import xml.etree.ElementTree as ET
    import zipfile

    from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

    flags: dict[tuple[int, int], str] = {}
    with zipfile.ZipFile(path) as zf:
        if not _may_flag(zf, member.lstrip("/")):
            return flags
    with zipfile.ZipFile(path) as zf, zf.open(member.lstrip("/")) as xml:
        for _, el in ET.iterparse(xml, events=("end",)):
            tag = el.tag.rpartition("}")[2]
            if tag == "c":
                kids = {k.tag.rpartition("}")[2]: k for k in el}
                ref = el.get("r")
                if "f" in kids and (kids.get("v") is None or not (kids["v"].text or "").strip()) and ref:
                    formula = (kids["f"].text or "").strip()
                    flags[coordinate_to_tuple(ref)] = (
                        f"{ref} holds a formula ({quoted('=' + formula) if formula else 'shared'}) with no saved "
                        "value; formulas are not calculated here: type the value, or recalculate and save the "
                        "workbook in Excel or WPS")
            elif tag == "row":
                el.clear()  # a row's cells are done: keep memory flat however long the sheet
            elif tag == "mergeCell" and el.get("ref"):
                ref = el.get("ref")
                min_col, min_row, max_col, max_row = range_boundaries(ref)
                anchor = ref.split(":")[0]
                for r in range(min_row, min(max_row, 1_048_576) + 1):
                    for c in range(min_col, min(max_col, 16_384) + 1):
                        if (r, c) != (min_row, min_col) and len(flags) < 1_000_000:
                            flags.setdefault((r, c), f"merged cell {ref}: only {anchor} holds its value; unmerge the "
                                                     "cells and write the value in every row")
    return flags


def _csv(path: Path, checked: CheckedRuleset, encoding: str | None = None,
         ) -> tuple[list[str], Callable[[], Iterator[tuple[int, tuple]]]]:
    """A CSV's header and its records, read from the file on each pass in the encoding :func:`_csv_encoding`
    finds (or ``encoding``); numbered by record, as a spreadsheet shows the file (header = row 1): a cell
    with line breaks inside quotes (pretty-printed JSON) is one row, not several."""
    encoding = encoding or _csv_encoding(path, checked)

    def records() -> Iterator[tuple[int, tuple]]:
        with path.open(encoding=encoding, newline="") as f:
            reader = csv.reader(f)
            next(reader, None)
            yield from enumerate(map(tuple, reader), start=2)

    with path.open(encoding=encoding, newline="") as f:
        header = [h.strip() for h in next(csv.reader(f), [])]
    return header, records


_CHUNK = 1 << 20


def _csv_encoding(path: Path, checked: CheckedRuleset) -> str:
    """How a CSV is decoded: UTF-8 (with or without a BOM), or — as Excel saves “CSV” on a Chinese Windows —
    GB18030 (which covers GBK and GB2312), taken only when its header then names the ruleset's columns.
    The whole file is checked in pieces before a row is read (a file that is neither is one clear error)."""
    bad = _decode_fails(path, "utf-8-sig")
    if bad is None:
        return "utf-8-sig"
    if _decode_fails(path, "gb18030") is None:
        with path.open(encoding="gb18030", newline="") as f:
            first = next(csv.reader(f), [])
        known = _headings(checked)
        if any(heading_key(h) in known for h in first):
            return "gb18030"
        raise RulesError.at(f"{path}: neither UTF-8 nor GB18030 (GBK) text whose first row names this ruleset's "
                            "columns", hint="save the sheet as “CSV UTF-8”")
    raise InputError(Diagnostic(f"{path}: not UTF-8 text (byte {bad})", hint="save the sheet as “CSV UTF-8”"))


def _parquet(path: Path) -> tuple[list[str], Callable[[], Iterator[tuple[int, tuple]]]]:
    """A Parquet table's columns and its rows, read in batches on each pass; rows are numbered as the same
    table saved as CSV would number them (the first row of data is row 2), so a row keeps its number from
    one format to the other."""
    import pyarrow.parquet as pq

    try:
        header = [str(name).strip() for name in pq.ParquetFile(path).schema_arrow.names]
    except Exception as exc:  # pyarrow: ArrowInvalid, OSError … on a file that is not Parquet
        raise RulesError.at(f"{path}: not a readable Parquet file ({type(exc).__name__}: {exc})") from None

    def records() -> Iterator[tuple[int, tuple]]:
        number = 2
        try:
            for batch in pq.ParquetFile(path).iter_batches(batch_size=PARQUET_BATCH):
                columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
                for cells in zip(*columns, strict=True):
                    yield number, cells
                    number += 1
        except OSError as exc:
            raise RulesError.at(f"{path}: the Parquet file cannot be read past row {number} "
                                f"({type(exc).__name__}: {exc})") from None
    return header, records


PARQUET_BATCH = 65_536  # rows read from a Parquet file at a time


def _json_source(path: Path, checked: CheckedRuleset) -> Source:
    """JSON lines (one case object per line, streamed) or a JSON array of case objects (read whole);
    "row" = line / position; a blank line is not a case (skipped and counted, as a sheet's blank row)."""
    with path.open("rb") as f:
        head = f.read(_CHUNK).decode("utf-8-sig", errors="replace")
    if head.lstrip().startswith("["):
        text = decode_text(path.read_bytes(), str(path))
        try:
            items = list(enumerate(exact_json(text), start=1))
        except json.JSONDecodeError as exc:
            raise RulesError.at(f"{path}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from None
        except ValueError as exc:  # a key given twice
            raise RulesError.at(f"{path}: {exc}") from None

        def one_pass() -> Iterator[Row | None]:
            for number, item in items:
                yield _json_row(number, item)
    else:
        bad = _decode_fails(path, "utf-8-sig")
        if bad is not None:
            raise InputError(Diagnostic(f"{path}: not UTF-8 text (byte {bad})"))

        def one_pass() -> Iterator[Row | None]:
            with path.open(encoding="utf-8-sig", newline="") as f:
                for number, line in enumerate(_lines(f), start=1):
                    if not line.strip():
                        yield None
                        continue
                    try:
                        item = exact_json(line)
                    except json.JSONDecodeError as exc:
                        yield Row(number, problems=[("line", f"not JSON ({exc.msg} at column {exc.colno})")])
                    except (ValueError, RecursionError) as exc:  # a key given twice; nested too deep
                        why = "nested too deep" if isinstance(exc, RecursionError) else str(exc)
                        yield Row(number, problems=[("line", why)])
                    else:
                        yield _json_row(number, item)
    return Source(path, {f.name: f.name for f in checked.inputs}, [], None, None, _json_rows=one_pass)


def _lines(f) -> Iterator[str]:
    """A text file's lines as ``str.splitlines`` splits them (every line break Unicode knows), streamed."""
    for physical in f:
        yield from physical.splitlines() or [""]


def _decode_fails(path: Path, encoding: str) -> int | None:
    """The byte at which ``path`` stops being text in ``encoding``, or None (read in pieces, not held).
    UTF-8 is checked first by pyarrow's validator (no text is made); only a file it refuses is decoded
    by Python, which finds the byte."""
    if encoding in ("utf-8", "utf-8-sig") and _utf8_valid(path):
        return None
    decoder = codecs.getincrementaldecoder(encoding)()
    at = 0
    with path.open("rb") as f:
        while True:
            chunk = f.read(_CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return at + exc.start
            if not chunk:
                return None
            at += len(chunk)


def _utf8_valid(path: Path) -> bool:
    """Whether the file is UTF-8 throughout (pyarrow's validator, in pieces; a character cut between two
    pieces is carried to the next)."""
    import pyarrow as pa

    carry = b""
    with path.open("rb") as f:
        while chunk := f.read(_SCAN_CHUNK):
            data = carry + chunk
            cut = len(data)
            for back in range(1, min(4, len(data)) + 1):  # where the last character starts
                if data[-back] & 0xC0 != 0x80:
                    cut = len(data) - back
                    break
            carry, data = data[cut:], data[:cut]
            try:
                pa.array([data], pa.binary()).cast(pa.string())
            except (pa.ArrowInvalid, ValueError):
                return False
    if carry:
        try:
            pa.array([carry], pa.binary()).cast(pa.string())
        except (pa.ArrowInvalid, ValueError):
            return False
    return True


_SCAN_CHUNK = 32 << 20


def _json_row(number: int, item: Any) -> Row:
    if isinstance(item, dict):
        return Row(number, dict(item))
    return Row(number, problems=[("line", "a case is a JSON object of input names to values")])
