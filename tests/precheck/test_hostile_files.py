"""Generated hostile filings, many seeds: whatever the cells hold, every row that is not blank comes back as
exactly one output row, in order, with its own row number and case id; blank rows are counted, not
answered; every duplicate case id is flagged; the summary says rows read = rows written.

Each example is a small filing (up to a dozen rows) written as CSV, Excel or JSON lines, with cells drawn
from what lenders' exports really hold: formulas, multi-line JSON, separators, full-width digits, bare
rates, impossible dates, numbers past any precision, lists nested too deep, unknown columns."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from ruledsl.precheck import precheck, read_table, write_results
from ruledsl.ruleset import load

ROOT = Path(__file__).resolve().parents[2]
LOAN = load(ROOT / "rulesets" / "cn" / "consumer_loan.rules")
EXAMPLES = int(os.environ.get("RULEDSL_HOSTILE_EXAMPLES", "40"))

#: (heading in a sheet, input name in JSON lines), and what a good cell of it holds
COLUMNS = [("借据号", "case_id"), ("借款本金", "principal"), ("借款年利率", "contract_rate"), ("放款日", "disbursed_on"),
           ("还款计划", "instalments"), ("还款记录", "repayments"), ("起诉日", "filed_on"),
           ("本院有管辖权", "court_has_jurisdiction"), ("备注", "备注")]
SCHEDULE = json.dumps([{"due_on": "2024-01-01", "principal": "10000.00", "interest": "900.00"}])
GOOD = {"principal": st.sampled_from(["10000.00", "10,000.00", "¥10000", "１００００"]),
        "contract_rate": st.sampled_from(["12%", "0.12", "１２％"]),
        "disbursed_on": st.sampled_from(["2023-01-01", "2023/1/1", "2023年1月1日"]),
        "instalments": st.sampled_from([SCHEDULE, json.dumps(json.loads(SCHEDULE), indent=2)]),
        "repayments": st.sampled_from(["", "[]", json.dumps([{"paid_on": "2024-03-01", "amount": "500.00"}])]),
        "filed_on": st.sampled_from(["2024-07-01", "2024-7-1"]),
        "court_has_jurisdiction": st.sampled_from(["是", "否", "TRUE", ""]),
        "备注": st.sampled_from(["", "展期一次", "=SUM(A1:A3)"])}
HOSTILE = st.sampled_from([
    "", "   ", "=1+1", "+86 138", "-1", "@SUM(A1)", "\t制表", "a\r\nb", "多行\n文本", '"引号"', "'撇号", "十万元",
    "1,000.000.00", "12.345", "24", "9" * 40, "2024-02-30", "0000-01-01", "[" * 60 + "]" * 60, '{"a": 1, "a": 2}',
    "[{}]", "null", "true", "NaN", "x" * 5000, "１２３", "١٢٣"])
CASE_IDS = st.sampled_from(["L1", "L2", "L3", "  L4  ", "=L5", "+L6", "", "借据-7", "L1"]) | st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12)


@st.composite
def filings(draw) -> list[dict[str, str]]:
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        if draw(st.integers(0, 8)) == 0:
            rows.append({name: draw(st.sampled_from(["", "  "])) for _, name in COLUMNS})  # a blank row
            continue
        row = {"case_id": draw(CASE_IDS)}
        for _, name in COLUMNS[1:]:
            row[name] = draw(HOSTILE) if draw(st.integers(0, 3)) == 0 else draw(GOOD[name])
        rows.append(row)
    return rows


def blank(row: dict[str, str]) -> bool:
    return all(not v.strip() for v in row.values())


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow([h for h, _ in COLUMNS])
            w.writerows([row[n] for _, n in COLUMNS] for row in rows)
    elif path.suffix == ".xlsx":
        book = Workbook()
        sheet = book.active
        sheet.append([h for h, _ in COLUMNS])
        for r, row in enumerate(rows, start=2):
            for c, (_, name) in enumerate(COLUMNS, start=1):
                if row[name]:
                    cell = sheet.cell(r, c, row[name])
                    cell.data_type = "s"  # text as typed, "=1+1" too (a lender's export writes no formulas)
        book.save(path)
    else:
        lines = ["" if blank(row) else json.dumps({n: v for n, v in row.items() if v.strip()}, ensure_ascii=False)
                 for row in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def expected(rows: list[dict[str, str]], json_lines: bool) -> list[tuple[int, str]]:
    """(row, case id) of every row that is not blank: a sheet row is numbered from 2 (the header is row 1),
    a JSON line from 1; a case id is read without its surrounding spaces (whatever the format)."""
    out = []
    for k, row in enumerate(rows):
        if blank(row):
            continue
        number = k + 1 if json_lines else k + 2
        given_id = row["case_id"].strip()
        out.append((number, given_id if given_id.strip() else f"row-{number}"))
    return out


def output_rows(path: Path) -> list[tuple[int, str]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            return [(int(r[0]), r[1]) for r in list(csv.reader(f))[1:]]
    if path.suffix == ".xlsx":
        return [(row[0].value, row[1].value) for row in load_workbook(path).worksheets[0].iter_rows(min_row=2)]
    return [(g["row"], g["case_id"]) for g in map(json.loads, path.read_text(encoding="utf-8").splitlines())]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl"])
def test_every_row_comes_back_once_with_its_row_and_case_id(suffix: str, tmp_path_factory) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.function_scoped_fixture])
    @given(filings(), st.sampled_from([".csv", ".xlsx", ".jsonl"]))
    def check(rows: list[dict[str, str]], out_suffix: str) -> None:
        folder = tmp_path_factory.mktemp("hostile")
        path = write(folder / f"filing{suffix}", rows)
        table = read_table(path, LOAN.checked)
        result = precheck(LOAN, table)
        want = expected(rows, suffix == ".jsonl")
        assert [(r.row, r.case_id) for r in result.results] == want
        assert result.summary.rows_read == result.summary.rows_written == len(want)
        present = rows
        if suffix == ".xlsx":  # a sheet has no trailing rows without a cell: only those before the last written are
            written = [k for k, row in enumerate(rows) if any(row.values())]
            present = rows[:written[-1] + 1] if written else []
        assert result.summary.blank_rows == len(present) - len(want)
        out = write_results(result, folder / f"out{out_suffix}")
        got = output_rows(out)
        if out_suffix == ".csv":  # a CSV cell that would start a formula is written behind an apostrophe (OWASP)
            assert got == [(n, "'" + c if c[:1] in ("=", "+", "-", "@", "\t", "\r") else c) for n, c in want]
        else:
            assert got == want
        ids = [c for _, c in want]
        for r in result.results:  # every row of a case id given twice is flagged; none is dropped
            if ids.count(r.case_id) > 1:
                assert any(x.where == "case_id" and "重复" in x.message for x in r.reasons), r

    check()
