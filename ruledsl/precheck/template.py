"""Filing templates from the published ruleset: what a risk team fills in, and the pre-check reads back.

    ruledsl schema rulesets/cn/consumer_loan.rules --format xlsx -o 模板.xlsx

An Excel template (:func:`write_workbook`) has

* a case sheet, one column per input the case may give (the court's ``settings:`` are not among
  them), headed with its Chinese label and the field name in the heading's comment; a record
  input (诉请金额) one column per amount (``贷款人诉请金额·罚息``); data validation for enums,
  是/否, dates and non-negative amounts; the first worked example of the ruleset as a filled-in row;
* one sheet per list input (还款计划 instalments, 还款记录 repayments …, and 证据文件 evidence_files),
  one record a row, keyed by 借据号 (``case_id``): a schedule is written as rows, not as JSON;
* a sheet of instructions generated from the ruleset: each input's heading, field, type and
  format, default, whether it is required, its range, and the rules and articles it serves.

A CSV template (:func:`write_csv`) is the case sheet alone, list inputs as JSON in their cells.
:func:`ruledsl.precheck.table.read_table` reads both back as they are.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruledsl.core.errors import RulesError
from ruledsl.core.types import MONEY, RATE, Type
from ruledsl.lang import ast
from ruledsl.lang.checker import names_in
from ruledsl.lang.interpreter import Interpreter
from ruledsl.precheck.table import CASE_KEY, RECORD_KEY_LABELS
from ruledsl.ruleset import Ruleset

EXAMPLE_CASE_ID = "示例-1"
MAX_ROWS = 1_048_576  # Excel's last row: validation covers the whole column
_EVIDENCE_KEYS = ("kind", "file", "bundle", "signed_at", "signature")


def _inputs(ruleset: Ruleset) -> list[ast.InputField]:
    c = ruleset.checked
    return [f for f in c.inputs if f.name not in c.settings]


def _label(f: ast.InputField) -> str:
    return f.label or f.name


def _short(f: ast.InputField) -> str:
    return _label(f).split("（")[0]


def _columns(ruleset: Ruleset) -> list[tuple[str, str, Type, ast.InputField]]:
    """The case sheet's columns: (heading, field — ``name`` or ``record.key``, its type, its input)."""
    c = ruleset.checked
    award_labels = {n: c.definitions[n].label for n in c.awards if c.definitions[n].label}
    out = []
    for f in _inputs(ruleset):
        typ = c.input_types[f.name]
        if typ.kind == "list":
            continue
        if typ.kind == "record":
            for key, sub in typ.fields:
                label = award_labels.get(key) or RECORD_KEY_LABELS.get(key) or key
                out.append((f"{_short(f)}·{label}", f"{f.name}.{key}", sub, f))
        else:
            out.append((_label(f), f.name, typ, f))
    return out


def _lists(ruleset: Ruleset) -> list[tuple[str, str, list[tuple[str, Type | None]]]]:
    """The list sheets: (title, input name, its keys with their types); evidence files last."""
    c = ruleset.checked
    out = []
    for f in _inputs(ruleset):
        typ = c.input_types[f.name]
        if typ.kind == "list" and typ.item is not None and typ.item.kind == "record":
            title = f"{_short(f)} {f.name}"
            out.append((title if len(title) <= 31 else _short(f)[:31], f.name, list(typ.item.fields)))
    if c.evidence:
        out.append(("证据文件 evidence_files", "evidence_files", [(k, None) for k in _EVIDENCE_KEYS]))
    return out


def _type_text(typ: Type | None) -> tuple[str, str]:
    """(type, how to write it) for the instructions."""
    if typ is None or typ.kind == "text":
        return "文本 text", ""
    if typ == MONEY:
        return "金额 money", "元，两位小数，如 12345.67（可带千位分隔符）"
    if typ.kind == "qty" and typ.per == "month":
        return "月利率 rate per month", "百分数，如 1.5%，或月息 1分5厘"
    if typ == RATE:
        return "年利率 rate", "百分数，如 12% 或 0.12"
    if typ.kind == "qty":
        return "数值 number", "如 30"
    if typ.kind == "date":
        return "日期 date", "2024-03-01、2024/3/1 或 Excel 日期"
    if typ.kind == "bool":
        return "是/否 bool", "是 或 否"
    if typ.kind == "enum":
        return "选项 enum", "、".join(typ.values)
    return typ.kind, ""


def _serves(ruleset: Ruleset) -> dict[str, list[str]]:
    """Each input → the rules that read it, with their articles (``罚息 penalty_interest（民法典 第六百七十六条）``)."""
    c = ruleset.checked
    out: dict[str, list[str]] = {}

    def add(names, what: str, citation: ast.Citation | None) -> None:
        cites = "；".join(c.citation_text(citation))
        for ref in names:
            text = f"{what}（{cites}）" if cites else what
            if text not in out.setdefault(ref, []):
                out[ref].append(text)

    for name, refs in c.refs.items():
        d = c.definitions.get(name)
        if d is not None:
            what = d.label or ("计算台账 ledger" if isinstance(d.expr, ast.Ledger) else "")
            add(refs, f"{what} {name}".strip(), d.citation)
        elif name.startswith("cap@"):  # a cap's limit or condition: cap@LINE:COL:TARGETS
            line, _, rest = name.partition("@")[2].partition(":")
            add(refs, f"上限 cap {rest.partition(':')[2]}（规则第 {line} 行）", None)
    for ground in c.grounds:
        add(names_in(ground.cond), f"受理审查 admissibility：{ground.message}", ground.citation)
    for rule in c.routes:
        if rule.cond is not None:
            add(names_in(rule.cond), f"分流 route：{rule.stage}", rule.citation)
    return out


def template_example(ruleset: Ruleset) -> ast.Example | None:
    """The worked example the template is filled from: the first that gives inputs and states award
    lines (a row whose outcome the author worked by hand), else the first that gives inputs."""
    c = ruleset.checked
    names = {f.name for f in _inputs(ruleset)}
    with_inputs = [e for e in c.examples if any(b.name in names for b in e.given)]
    awarded = [e for e in with_inputs if any(b.name in c.awards for b in e.expect)]
    return (awarded or with_inputs or [None])[0]


def _example(ruleset: Ruleset) -> dict[str, Any]:
    """The inputs :func:`template_example` gives (settings and evidence aside), evaluated."""
    example = template_example(ruleset)
    if example is None:
        return {}
    names = {f.name for f in _inputs(ruleset)}
    constants = Interpreter(ruleset.checked)
    return {b.name: constants.eval(b.expr, {}) for b in example.given if b.name in names}


def _shown(expr: ast.Expr | None, typ: Type | None, constants: Interpreter) -> str:
    """A default, min or max as the instructions show it: a value, or the input it follows."""
    if expr is None:
        return ""
    if isinstance(expr, ast.Name):
        return f"同 {expr.name}"
    try:
        value = constants.eval(expr, {})
    except Exception:  # computed from other inputs: the rule text says how
        return ""
    return _rate_text(value, typ) if _is_rate(typ) and isinstance(value, Decimal) else _text(value)


def _text(value: Any) -> str:
    """A value as a CSV cell or the instructions show it."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=_text)
    return "" if value is None else str(value)


def _is_rate(typ: Type | None) -> bool:
    return typ is not None and typ.kind == "qty" and typ.dims == RATE.dims and not typ.lit


def _rate_text(value: Decimal, typ: Type) -> str:
    return f"{(typ.as_written(value) * 100).normalize():f}%"


def write_csv(ruleset: Ruleset, path: Path) -> Path:
    """The case sheet as CSV (UTF-8 with BOM, as Excel opens it): headings, then the example row;
    list inputs as JSON in their cells."""
    c = ruleset.checked
    cols = _columns(ruleset)
    lists = [f for f in _inputs(ruleset) if c.input_types[f.name].kind == "list"]
    example = _example(ruleset)
    head = [h for h, *_ in cols] + [_label(f) for f in lists]
    row = []
    for _, field, typ, _ in cols:
        record, _, key = field.partition(".")
        value = example.get(record, {}).get(key) if key else example.get(field)
        row.append(_rate_text(value, typ) if _is_rate(typ) and isinstance(value, Decimal) else _text(value))
    row += [_text(example[f.name]) if f.name in example else "" for f in lists]
    try:
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            w = csv.writer(out)
            w.writerow(head)
            w.writerow(row)
    except OSError as exc:
        raise RulesError.at(f"cannot write {path}: {exc.strerror}") from None
    return path


def write_workbook(ruleset: Ruleset, path: Path) -> Path:
    """The Excel template (see the module docstring)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    c = ruleset.checked
    book = Workbook()
    cases = book.active
    cases.title = "案件 cases"
    bold, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    example = _example(ruleset)
    case_id = example.get(CASE_KEY) or (EXAMPLE_CASE_ID if CASE_KEY in c.input_types else None)

    def header(ws, headings: list[tuple[str, str]]) -> None:
        for col, (text, note) in enumerate(headings, start=1):
            cell = ws.cell(row=1, column=col, value=text)
            cell.font, cell.fill = bold, head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.comment = Comment(note, "ruledsl")
            ws.column_dimensions[get_column_letter(col)].width = max(12, min(40, len(text) * 2 + 2))
        ws.freeze_panes = "A2"

    def put(ws, row: int, col: int, value: Any, typ: Type | None) -> None:
        cell = ws.cell(row=row, column=col)
        if value is None:
            return
        if isinstance(value, bool):
            cell.value = "是" if value else "否"
        elif isinstance(value, Decimal):
            cell.value = float(typ.as_written(value) if _is_rate(typ) else value)
            cell.number_format = "0.00%" if _is_rate(typ) else "#,##0.00" if typ == MONEY else "General"
        elif isinstance(value, (date, datetime)):
            cell.value = value
            cell.number_format = "yyyy-mm-dd"
        else:
            cell.value = str(value)
            cell.data_type = "s"

    def validate(ws, col: int, typ: Type | None, f: ast.InputField | None) -> None:
        letter = get_column_letter(col)
        where = f"{letter}2:{letter}{MAX_ROWS}"
        dv = None
        if typ is None:
            return
        if typ.kind == "enum":
            dv = DataValidation(type="list", formula1='"' + ",".join(typ.values) + '"', allow_blank=True)
            dv.error = "请从下拉列表中选择：" + "、".join(typ.values)
        elif typ.kind == "bool":
            dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
            dv.error = "请填写 是 或 否"
        elif typ.kind == "date":
            dv = DataValidation(type="date", operator="between", formula1="DATE(1900,1,1)",
                                formula2="DATE(2199,12,31)", allow_blank=True)
            dv.error = "请填写日期，如 2024-03-01"
        elif typ == MONEY:
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
            dv.error = "请填写不小于 0 的金额（元），如 12345.67"
        if dv is not None:
            dv.errorTitle, dv.showErrorMessage = "输入有误", True
            ws.add_data_validation(dv)
            dv.add(where)

    cols = _columns(ruleset)
    header(cases, [(h, f"{field}（{_type_text(typ)[0]}）") for h, field, typ, _ in cols])
    for col, (_, field, typ, f) in enumerate(cols, start=1):
        validate(cases, col, typ, f)
        record, _, key = field.partition(".")
        value = example.get(record, {}).get(key) if key else example.get(field)
        if field == CASE_KEY and value is None:
            value = case_id
        put(cases, 2, col, value, typ)

    for title, name, keys in _lists(ruleset):
        ws = book.create_sheet(title)
        case_field = next((f for f in c.inputs if f.name == CASE_KEY), None)
        heads = [((_short(case_field) if case_field else "借据号"), f"{CASE_KEY}（所属案件）")]
        heads += [(RECORD_KEY_LABELS.get(k, k), f"{k}（{_type_text(t)[0]}）") for k, t in keys]
        header(ws, heads)
        for col, (_, t) in enumerate(keys, start=2):
            validate(ws, col, t, None)
        for r, item in enumerate(example.get(name) or (), start=2):
            put(ws, r, 1, case_id, None)
            for col, (k, t) in enumerate(keys, start=2):
                put(ws, r, col, item.get(k), t)

    guide = book.create_sheet("填写说明 instructions")
    heads = ["表头 heading", "字段 field", "类型 type", "填写格式 format", "默认值 default", "必填 required",
             "取值范围 range", "用于（规则及依据） serves"]
    guide.append(heads)
    for cell in guide[1]:
        cell.font, cell.fill = bold, head_fill
    for letter, width in zip("ABCDEFGH", (28, 24, 14, 30, 14, 8, 16, 80), strict=True):
        guide.column_dimensions[letter].width = width
    serves = _serves(ruleset)
    constants = Interpreter(c)
    rows = [(h, field, typ, f) for h, field, typ, f in cols]
    rows += [(f"（工作表）{title}", name, None, next((f for f in c.inputs if f.name == name), None))
             for title, name, _ in _lists(ruleset)]
    for heading, field, typ, f in rows:
        kind, how = _type_text(typ) if typ is not None else ("列表 list", "每行一条，以借据号对应案件")
        required = "" if f is None else "否" if (f.optional or f.default is not None or "." in field) else "是"
        span = ""
        if f is not None and typ is not None and (f.min is not None or f.max is not None):
            low, high = _shown(f.min, typ, constants), _shown(f.max, typ, constants)
            span = f"{low} ~ {high}" if low and high else f"≥ {low}" if low else f"≤ {high}"
        name = field.partition(".")[0]
        default = _shown(f.default, typ, constants) if f is not None and "." not in field else ""
        guide.append([heading, field, kind, how, default, required, span,
                      "\n".join(serves.get(name, []))])
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide.append([])
    guide.append([f"规则集 {c.name} {c.version}：第 2 行为规则集第一个示例（example）的数据，可删除后填写；"
                  "列表（还款计划等）写在各自工作表中，以借据号对应案件。"])
    try:
        book.save(path)
    except OSError as exc:
        raise RulesError.at(f"cannot write {path}: {exc.strerror}") from None
    return path
