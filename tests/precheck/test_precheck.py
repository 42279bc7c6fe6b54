"""The lenders' batch pre-check: real Excel / CSV / JSON-lines files, bad rows reported by row number
while the others are decided.  Expected figures are worked by hand from the law cited beside them."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from ruledsl.cli import app
from ruledsl.core.errors import RulesError
from ruledsl.precheck import CORRECTION, EXCEEDS, READY, REFUSED, precheck, read_table, write_results
from ruledsl.ruleset import load

ROOT = Path(__file__).resolve().parents[2]
FEES = ROOT / "rulesets" / "cn" / "court_fees.rules"
LOAN = ROOT / "rulesets" / "cn" / "consumer_loan.rules"


def sheet(path: Path, rows: list[list]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


@pytest.fixture
def fees_sheet(tmp_path: Path) -> Path:
    return sheet(tmp_path / "fees.xlsx", [
        ["诉讼请求金额", "procedure", "借款人姓名"],  # a label, a name, and a column the ruleset does not know
        [100000, "ordinary", "张某"],                 # row 2
        [12345.67, "simple", "李某"],                 # row 3 (an Excel number: a binary double)
        ["十万元", "ordinary", "王某"],               # row 4: not a number
        [-5, "ordinary", "赵某"],                     # row 5: below min 0
        [None, None, None],                           # row 6: blank, not a case
        [50000, "summary", "钱某"],                   # row 7: no such procedure
    ])


def award(row) -> dict[str, str]:
    """A row's claimable amount per award line, as text."""
    return {name: str(f.claimable) for name, f in row.lines.items()}


def test_bad_rows_need_correction_by_row_number_and_column_and_the_others_are_decided(fees_sheet: Path) -> None:
    rs = load(FEES)
    table = read_table(fees_sheet, rs.checked)
    assert table.ignored == ["借款人姓名"]
    assert table.blank_rows == 1  # row 6: not a case, skipped and counted
    result = precheck(rs, table)
    by_row = {r.row: r for r in result.results}
    assert sorted(by_row) == [2, 3, 4, 5, 7]
    assert [by_row[n].verdict for n in (2, 3)] == [READY, READY]
    # 诉讼费用交纳办法 art.13(1): 50 for the first 10,000, 2.5% of the part 10,000–100,000
    #   row 2: 50 + 90,000 × 2.5% = 2,300.00
    #   row 3: (50 + 2,345.67 × 2.5%) / 2 (art.16, simple procedure) = 108.64175 / 2 = 54.320875 → 54.32
    assert award(by_row[2])["acceptance_fee"] == "2300.00"
    assert award(by_row[3])["acceptance_fee"] == "54.32"
    (bad,) = by_row[4].reasons
    assert (by_row[4].verdict, bad.where) == (CORRECTION, "诉讼请求金额")  # the column as the sheet heads it
    assert "'十万元' 不是数字" in bad.message  # the ruleset is zh: its reasons are Chinese
    assert [x.text() for x in by_row[5].reasons] == ["诉讼请求金额: must be at least 0, but it is -5"]
    assert by_row[7].reasons[0].where == "procedure"
    assert "'ordinary', 'simple' or 'small_claims'" in by_row[7].reasons[0].message
    assert by_row[2].case_id == "row-2"  # no case id given: numbered by its row
    assert result.summary.rows_read == result.summary.rows_written == 5


def test_the_cli_prints_a_summary_and_writes_every_row(fees_sheet: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    r = CliRunner().invoke(app, ["precheck", str(FEES), str(fees_sheet), "-o", str(out)])
    assert r.exit_code == 1  # some rows would not be accepted
    assert "fees.xlsx — 5 行 rows" in r.output
    assert "row 5 (row-5): 需补正 needs_correction — 诉讼请求金额: must be at least 0, but it is -5" in r.output
    book = load_workbook(out)
    assert book.sheetnames == ["预审结果 precheck", "汇总 summary", "列说明 columns"]
    rows = list(book.worksheets[0].iter_rows())
    assert [c.value for c in rows[0][:8]] == ["row", "case_id", "verdict", "verdict_label", "reasons",
                                              "acceptance_fee_claimable", "acceptance_fee_claimed",
                                              "acceptance_fee_excess"]
    assert [(row[0].value, row[5].value) for row in rows[1:3]] == [(2, 2300), (3, 54.32)]
    assert rows[1][5].number_format == "#,##0.00"  # a number, shown with separators: sums in Excel
    assert (rows[3][2].value, rows[3][3].value) == ("needs_correction", "需补正")
    summary = {row[0]: row[1] for row in book.worksheets[1].iter_rows(values_only=True) if row and row[0]}
    assert summary["读入行数 rows read"] == summary["输出行数 rows written"] == "5"
    assert summary["可立案 ready"] == 2 and summary["需补正 needs_correction"] == 3


def test_ten_thousand_rows_with_one_bad_one(tmp_path: Path) -> None:
    rows = [["claim_amount"]] + [[str(1000 + n)] for n in range(10_000)]
    rows[7777] = ["1,000.000.00"]  # sheet row 7,778
    rs = load(FEES)
    result = precheck(rs, read_table(sheet(tmp_path / "many.xlsx", rows), rs.checked))
    flagged = [r for r in result.results if r.verdict != READY]
    assert [r.row for r in flagged] == [7778]
    assert "a comma may only separate thousands" in flagged[0].reasons[0].message
    assert result.count(READY) == 9_999
    # every claim here is at most 10,000 + 1,000: art.13(1) charges 50 a case up to 10,000, then 2.5%
    # row 2 claims 1,000 → 50.00; the last row claims 10,999 → 50 + 999 × 2.5% = 74.975 → 74.98
    assert award(result.results[0])["acceptance_fee"] == "50.00"
    assert award(result.results[-1])["acceptance_fee"] == "74.98"


def test_list_inputs_in_json_cells_and_declared_evidence(tmp_path: Path) -> None:
    instalments = json.dumps([{"due_on": "2025-01-01", "principal": "10000", "interest": "1200.00"}])
    path = sheet(tmp_path / "loans.xlsx", [
        ["principal", "借款年利率", "disbursed_on", "instalments", "filed_on"],
        ["10000", "12%", "2024-01-01", instalments, "2025-01-01"],
        ["10000", "12%", "2024-01-01", "[{due_on: 2025-01-01}]", "2025-01-01"],
    ])
    rs = load(LOAN)
    first, second = precheck(rs, read_table(path, rs.checked)).results
    # filed on the due date: nothing overdue; the stated interest is owed with the principal (民法典 674/675)
    assert award(first) == {
        "principal_outstanding": "10000.00", "interest": "1200.00", "penalty_interest": "0.00",
        "compound_interest": "0.00", "fees": "0.00", "total": "11200.00"}
    assert first.verdict == CORRECTION  # no evidence: decided, but the court would ask for it (补正)
    assert any(x.where == "证据 loan_contract" and "未提交" in x.message for x in first.reasons)
    assert second.verdict == CORRECTION and second.reasons[0].where == "instalments"
    assert second.reasons[0].message.startswith("不是 JSON 格式") and not second.lines

    # the same loan with its evidence items typed into a 证据 column: they are what the lender declares,
    # not verified against the court's log, so the row is still not ready — each requirement says why
    evidence = ROOT / "examples" / "cases" / "loan_consumer_finance_accelerated.json"
    items = json.dumps(json.loads(evidence.read_text(encoding="utf-8"))["case"]["evidence"], ensure_ascii=False)
    path = sheet(tmp_path / "with_evidence.xlsx", [
        ["principal", "借款年利率", "disbursed_on", "instalments", "filed_on", "证据"],
        ["10000", "12%", "2024-01-01", instalments, "2025-01-01", items],
    ])
    table = read_table(path, rs.checked)
    assert table.ignored == []
    (declared,) = precheck(rs, table).results
    assert (declared.verdict, award(declared)["total"]) == (CORRECTION, "11200.00")
    required = [r.kind for r in rs.code.evidence if not r.warn_only]
    assert [x.where for x in declared.reasons] == [f"证据 {kind}" for kind in required]
    assert all("仅声明，未经核验" in x.message for x in declared.reasons)


def test_a_missing_required_column_stops_the_table_with_a_hint(tmp_path: Path) -> None:
    rs = load(LOAN)
    path = sheet(tmp_path / "short.xlsx", [["principal", "contract_rate"], ["10000", "12%"]])
    with pytest.raises(RulesError, match="no column for `disbursed_on`, `instalments`, `filed_on`") as info:
        read_table(path, rs.checked)
    assert "放款日" in str(info.value)  # the hint names the labels a clerk may head the column with


def test_csv_and_json_lines(tmp_path: Path) -> None:
    rs = load(FEES)
    csv_path = tmp_path / "fees.csv"
    csv_path.write_text("claim_amount,审理程序\n100000,ordinary\nabc,simple\n", encoding="utf-8-sig")
    result = precheck(rs, read_table(csv_path, rs.checked))
    assert [(r.row, r.verdict) for r in result.results] == [(2, READY), (3, CORRECTION)]
    jsonl = tmp_path / "fees.jsonl"
    jsonl.write_text('{"claim_amount": "100000"}\n{"claim_amount": 1e5}\nnot json\n'
                     '{"claim_amount": "1", "claim_amount": "100000"}\n'
                     '{"claim_amount": ' + "[" * 1000 + "]" * 1000 + '}\n{"claim_amount": "100000"}\n',
                     encoding="utf-8")
    result = precheck(rs, read_table(jsonl, rs.checked))
    # numbers read exactly, as in a case file (1e5 is 100,000, not a float); a key given twice, a line
    # that is not JSON and one nested 1,000 deep are reasons on their own lines: the other lines go on
    assert [(r.row, r.verdict) for r in result.results] == [
        (1, READY), (2, READY), (3, CORRECTION), (4, CORRECTION), (5, CORRECTION), (6, READY)]
    assert [award(r)["acceptance_fee"] for r in result.results[:2]] == ["2300.00", "2300.00"]
    assert result.results[3].reasons[0].message == "`claim_amount` is given twice"
    assert "nested" in result.results[4].reasons[0].message
    write_results(result, tmp_path / "out.csv")
    lines = (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("row,case_id,verdict,verdict_label,reasons,acceptance_fee_claimable,")
    assert lines[1].startswith("1,row-1,ready,可立案,,2300.00,")  # plain amounts: a spreadsheet reads numbers
    assert json.loads((tmp_path / "out.summary.json").read_text(encoding="utf-8"))["rows_written"] == 6


def test_a_multi_line_csv_cell_keeps_the_row_numbers_a_spreadsheet_shows(tmp_path: Path) -> None:
    """A pretty-printed JSON cell spans several lines of the file but is one row of the sheet."""
    rs = load(LOAN)
    schedule = '"[\n  {""due_on"": ""2025-01-01"",\n   ""principal"": ""10000"",\n   ""interest"": ""1200""}\n]"'
    path = tmp_path / "loans.csv"
    path.write_text("case_id,principal,contract_rate,disbursed_on,instalments,filed_on\n"
                    f"A,10000,12%,2024-01-01,{schedule},2025-01-01\n"
                    f"B,10000,12%,2024-01-01,{schedule},2025-01-01\n"
                    "C,abc,12%,2024-01-01,[],2025-01-01\n", encoding="utf-8")
    rows = precheck(rs, read_table(path, rs.checked)).results
    assert [(r.row, r.case_id) for r in rows] == [(2, "A"), (3, "B"), (4, "C")]  # the file has 12 lines
    assert rows[2].reasons[0].where == "principal"


CASE_DIR = ROOT / "examples" / "evidence" / "cases" / "loan-2024-001"  # every requirement verifies (its README)
COURT_KEY = ROOT / "examples" / "evidence" / "court.pub"
TRUST = [str(ROOT / "examples" / "evidence" / "trust" / "root-ca.pem")]


def evidence_files(folder: str) -> str:
    """The demo case's declared files, as a filing sheet lists them (paths from the sheet's folder)."""
    declared = json.loads((CASE_DIR / "evidence.json").read_text(encoding="utf-8"))["evidence_files"]
    for item in declared:
        for key in ("file", "bundle", "signature"):
            if key in item:
                item[key] = f"{folder}/{item[key]}"
    return json.dumps(declared, ensure_ascii=False)


def test_verdicts_with_verified_evidence_claimed_against_claimable(tmp_path: Path) -> None:
    shutil.copytree(CASE_DIR, tmp_path / "files")
    files = evidence_files("files")
    schedule = json.dumps([{"due_on": "2024-09-01", "principal": "20000", "interest": "1200"}])
    over = json.dumps({"principal_outstanding": "20000", "interest": "1200", "penalty_interest": "9999",
                       "compound_interest": "0", "fees": "0"})
    under = json.dumps({"principal_outstanding": "20000", "interest": "1200", "penalty_interest": "1000",
                        "compound_interest": "0", "fees": "0"})
    header = ["借据号", "principal", "contract_rate", "disbursed_on", "instalments", "filed_on", "mediation_failed",
              "claimed", "court_has_jurisdiction", "证据文件"]
    base = ["20000", "12%", "2024-03-01", schedule, "2025-03-01", "是"]
    path = sheet(tmp_path / "batch.xlsx", [
        header,
        ["L-1", *base, None, None, files],         # row 2: ready
        ["L-2", *base, over, None, files],         # row 3: penalty claimed above the law
        ["L-3", *base, under, None, files],        # row 4: less claimed than allowed: still ready
        ["L-4", *base, None, "否", files],          # row 5: not this court's case
        ["L-5", *base, over, None, None],          # row 6: no evidence files and too much claimed
        ["L-5", *base, None, None, files],         # row 7: the same case id again
    ])
    rs = load(LOAN)
    result = precheck(rs, read_table(path, rs.checked), evidence_dir=tmp_path, court_key=COURT_KEY, trust=TRUST)
    by = {r.row: r for r in result.results}
    assert [by[n].verdict for n in range(2, 8)] == [READY, EXCEEDS, READY, REFUSED, CORRECTION, CORRECTION]
    # 20,000 at 12% with 1,200 stated interest, due 2024-09-01, filed 2025-03-01: overdue
    # 30 + 31 + 30 + 31 + 31 + 28 = 181 days at the penalty rate 12% × 150% = 18% (银发〔2003〕251号)
    #   penalty  = 20,000 × 18% × 181 / 365 = 651,600 / 365 = 1,785.2054… → 1,785.21
    #   compound =  1,200 × 18% × 181 / 365 =  39,096 / 365 =   107.1123… →   107.11
    #   total = 20,000 + 1,200 + 1,785.21 + 107.11 = 23,092.32
    assert award(by[2]) == {"principal_outstanding": "20000.00", "interest": "1200.00",
                            "penalty_interest": "1785.21", "compound_interest": "107.11", "fees": "0.00",
                            "total": "23092.32"}
    assert by[2].stage == "立案" and by[2].reasons == []
    # row 3 claims 9,999.00 of penalty: 9,999.00 − 1,785.21 = 8,213.79 beyond what the law allows
    penalty = by[3].lines["penalty_interest"]
    assert (str(penalty.claimable), str(penalty.claimed), str(penalty.excess)) == ("1785.21", "9999.00", "8213.79")
    (reason,) = by[3].reasons
    assert reason.verdict == EXCEEDS and "超出 8,213.79 元" in reason.message
    assert "第六百七十六条" in reason.citation and "第二百一十一条" in reason.citation
    # the total line sums the lines: claimed 20,000 + 1,200 + 9,999 + 0 + 0 = 31,199.00; claimable 23,092.32;
    # excess 8,213.79 (compound interest: 0 claimed of 107.11 claimable, which is not an excess)
    total = by[3].lines["total"]
    assert (str(total.claimable), str(total.claimed), str(total.excess)) == ("23092.32", "31199.00", "8213.79")
    assert str(by[4].lines["penalty_interest"].excess) == "0.00"  # claimed 1,000.00 of 1,785.21
    # row 5: the court has no jurisdiction (民事诉讼法 art.122(4)): 不予受理, and a refused case gets no stage
    assert by[5].reasons[-1].where == "受理审查" and by[5].reasons[-1].message.startswith("不予受理：本院对本案无管辖权")
    assert "第一百二十二条" in by[5].reasons[-1].citation and not by[5].stage
    # row 6: every reason is listed, the verdict is the most serious
    assert {x.verdict for x in by[6].reasons} == {CORRECTION, EXCEEDS}
    assert any(x.where == "case_id" and "第 6、7 行" in x.message for x in by[6].reasons)
    assert any(x.where == "case_id" for x in by[7].reasons)  # every duplicate is flagged, none dropped
    s = result.summary.by_verdict
    assert (s[READY]["rows"], str(s[READY]["claimable"])) == (2, "46184.64")  # 2 × 23,092.32
    assert (s[EXCEEDS]["rows"], str(s[EXCEEDS]["excess"])) == (1, "8213.79")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl", ".parquet"])
def test_every_output_keeps_row_and_case_id_and_starts_no_formula(tmp_path: Path, suffix: str) -> None:
    """Case ids a spreadsheet would run as formulas (OWASP CSV injection) come back as text."""
    hostile = ["=1+1", "+86 138", "-2", "@SUM(A1)", '=HYPERLINK("http://x")', "普通 1", "=bad"]
    schedule = json.dumps([{"due_on": "2025-01-01", "principal": "100", "interest": "1"}]).replace('"', '""')
    path = tmp_path / "in.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("case_id,principal,contract_rate,disbursed_on,instalments,filed_on\n")
        for c in hostile:
            principal = "abc" if c == "=bad" else "100"
            f.write(f'"{c.replace(chr(34), chr(34) * 2)}",{principal},12%,2024-01-01,"{schedule}",2025-06-01\n')
    loan = load(LOAN)
    result = precheck(loan, read_table(path, loan.checked))
    assert len(result.results) == len(hostile)  # one output row per input row
    out = write_results(result, tmp_path / f"out{suffix}")
    want = list(enumerate(hostile, start=2))
    if suffix == ".csv":
        import csv
        with out.open(encoding="utf-8-sig", newline="") as f:
            got = [(int(r[0]), r[1]) for r in list(csv.reader(f))[1:]]
        # a leading apostrophe: Excel and WPS show the text, never run it
        assert got == [(n, "'" + c if c[0] in "=+-@" else c) for n, c in want]
    elif suffix == ".xlsx":
        cells = [(row[0].value, row[1]) for row in load_workbook(out).worksheets[0].iter_rows(min_row=2)]
        assert [(n, c.value) for n, c in cells] == want and all(c.data_type == "s" for _, c in cells)
    elif suffix == ".jsonl":
        got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [(g["row"], g["case_id"]) for g in got] == want
        # 100 at 12% from 2024-01-01, 1.00 stated interest due 2025-01-01, filed 2025-06-01:
        # principal 100.00 is claimable (民法典 675)
        assert got[0]["principal_outstanding_claimable"] == "100.00"
    else:
        import pyarrow.parquet as pq
        assert [(g["row"], g["case_id"]) for g in pq.read_table(out).to_pylist()] == want


def test_json_summary_on_stdout(fees_sheet: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["precheck", str(FEES), str(fees_sheet), "--json", "-o", str(tmp_path / "o.parquet")])
    assert r.exit_code == 1
    summary = json.loads(r.stdout)
    assert summary["rows_read"] == 5 and summary["blank_rows_skipped"] == 1
    assert summary["verdicts"]["ready"]["rows"] == 2 and summary["verdicts"]["needs_correction"]["rows"] == 3
    # 诉讼费用交纳办法 art.13(1): 2,300.00 + 54.32 (the two ready rows, worked above)
    assert summary["verdicts"]["ready"]["claimable"] == "2354.32"
    assert summary["ruleset"] == "cn.court_fees" and len(summary["input_sha256"]) == 64
    assert (tmp_path / "o.summary.json").exists()


def test_the_demo_batch_of_the_readme(tmp_path: Path) -> None:
    """examples/evidence/filings.csv through the CLI, as the README shows it: one verdict per row."""
    demo = ROOT / "examples" / "evidence"
    out = tmp_path / "results.jsonl"
    r = CliRunner().invoke(app, ["precheck", str(LOAN), str(demo / "filings.csv"), "-o", str(out), "--json",
                                 "--court-key", str(demo / "court.pub"), "--trust", str(demo / "trust" / "root-ca.pem")])
    assert r.exit_code == 1, r.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["row"], x["case_id"], x["verdict"]) for x in rows] == [
        (2, "L-2024-001", EXCEEDS), (3, "L-2024-002", CORRECTION), (4, "L-2024-003", CORRECTION),
        (5, "L-2024-004", CORRECTION), (6, "L-2024-005", CORRECTION), (7, "L-2024-006", REFUSED)]
    # L-2024-001: 20,000 at 18% signed 2024-03-01, due 2025-03-01, filed 2025-09-01 (184 days overdue);
    # penalty rate 18% × 150% = 27% (银发〔2003〕251号): 20,000 × 27% × 184 / 365 = 993,600 / 365 = 2,722.19…
    # 4,000.00 claimed: 4,000.00 − 2,722.19 = 1,277.81 too much
    # claimable in all: 20,000 + 3,600 (a year's interest at 18%, stated) + 2,722.19
    #   + compound 3,600 × 27% × 184 / 365 = 178,848 / 365 = 489.99… = 26,812.18;
    # claimed 20,000 + 3,600 + 4,000 + 0 + 0 = 27,600.00
    assert (rows[0]["penalty_interest_claimable"], rows[0]["penalty_interest_claimed"],
            rows[0]["penalty_interest_excess"]) == ("2722.19", "4000.00", "1277.81")
    assert "late" not in rows[0]["reasons"] and "未按时存证" in rows[1]["reasons"]
    assert "与存证不符" in rows[2]["reasons"] and "无法核验" in rows[3]["reasons"]
    # the ruleset is in Chinese (language "zh"), so are its reasons; 2024 is a leap year: February has 29 days
    assert rows[4]["reasons"].startswith("放款日: '2024-02-30' 不是日历上的日期：2024年2月只有 29 天")
    summary = json.loads(r.stdout)
    assert summary["rows_read"] == summary["rows_written"] == 6
    assert summary["verdicts"][EXCEEDS] == {"label": "超出法定上限", "rows": 1, "claimed": "27600.00",
                                           "claimable": "26812.18", "excess": "1277.81"}


@pytest.mark.parametrize(("cell", "kind", "read"), [
    ("５０，５１８．００", "money", "50,518.00"),   # full-width digits and marks
    ("¥50,518.00", "money", "50,518.00"),           # a yuan sign
    ("￥ 1,000元", "money", "1,000"),                # a full-width yuan sign and 元
    ("２４％", "qty", "24%"),                         # a rate in full-width
    ("2024/3/1", "date", "2024-03-01"),
    ("2024.12.31", "date", "2024-12-31"),
    ("2024年3月1日", "date", "2024-03-01"),
    ("45352", "date", "45352"),                     # an Excel serial typed as text: left for the parser to refuse
    ("1,000.000.00", "money", "1,000.000.00"),      # ambiguous: left as it is, refused with its reason
])
def test_values_as_lenders_write_them(cell: str, kind: str, read: str) -> None:
    from ruledsl.precheck.table import as_written
    assert as_written(cell, kind) == read


def test_a_sheet_written_the_way_a_bank_writes_it(tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    schedule = '"[{""due_on"": ""2024-01-01"", ""principal"": ""10000"", ""interest"": ""1200""}]"'
    path.write_text(" 借据号 ,借款本金,借款年利率,放款日,还款计划,起诉日,本院有管辖权\n"  # spaces around a heading
                    f'A,"¥10,000.00",１２％,2023/1/1,{schedule},2024年7月1日,TRUE\n'
                    f"B,１００００元,12,2023.1.1,{schedule},2024-07-01,是\n", encoding="utf-8")
    rs = load(LOAN)
    a, b = precheck(rs, read_table(path, rs.checked)).results
    # the first worked example of consumer_loan.rules: 10,000 at 12%, 1,200 stated, 182 days overdue at 18%:
    # penalty 10,000 × 18% × 182 / 365 = 897.53, compound 1,200 × 18% × 182 / 365 = 107.70, total 12,205.23
    assert a.case_id == "A" and award(a)["total"] == "12205.23"
    assert [x.where for x in a.reasons if not x.where.startswith("证据")] == []
    (bad,) = [x for x in b.reasons if not x.where.startswith("证据")]
    assert bad.where == "借款年利率" and '请写 "12%"' in bad.message  # a bare 12 is refused with its hint


# ---- hostile workbooks and files: each bad cell is a reason on its row, nothing is silently lost

def rewrite_member(path: Path, member: str, edit) -> Path:
    """The workbook with one ZIP member's XML edited (as another program might have written it)."""
    import zipfile
    with zipfile.ZipFile(path) as zf:
        members = [(i, zf.read(i.filename)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info.filename, edit(data) if info.filename == member else data)
    return path


def fee_rows(n: int) -> list[list]:
    return [["case_id_unused", "claim_amount", "procedure"]] + [[f"c{k}", 1000 * k, "ordinary"] for k in range(1, n + 1)]


def test_a_wrong_dimension_tag_loses_no_row_and_no_column(tmp_path: Path) -> None:
    path = sheet(tmp_path / "dim.xlsx", fee_rows(5))
    # a writer that declares the sheet smaller than it is: openpyxl's read-only mode would trust it
    rewrite_member(path, "xl/worksheets/sheet1.xml", lambda x: x.replace(b'<dimension ref="A1:C6"/>',
                                                                         b'<dimension ref="A1:B3"/>'))
    assert b'ref="A1:B3"' in __import__("zipfile").ZipFile(path).read("xl/worksheets/sheet1.xml")
    rs = load(FEES)
    rows = precheck(rs, read_table(path, rs.checked)).results
    assert [r.row for r in rows] == [2, 3, 4, 5, 6]
    # 诉讼费用交纳办法 art.13(1): 50 for a claim up to 10,000 — every row, column C read too
    assert all(award(r)["acceptance_fee"] == "50.00" and r.verdict == READY for r in rows)


def test_merged_cells_and_formulas_without_a_saved_value_are_reasons(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    for row in [["claim_amount", "procedure"], [100000, "simple"], [100000, None], [100000, None],
                ["=50000*2", "ordinary"], [100000, "ordinary"]]:
        ws.append(row)
    ws.merge_cells("B2:B4")  # 简易程序 meant for three rows, written once
    path = tmp_path / "merged.xlsx"
    book.save(path)  # openpyxl saves formulas without a value: nothing calculated them
    rs = load(FEES)
    rows = {r.row: r for r in precheck(rs, read_table(path, rs.checked)).results}
    assert rows[2].verdict == READY
    # art.16: simple procedure halves the fee: (50 + 90,000 × 2.5%) / 2 = 2,300 / 2 = 1,150.00
    assert award(rows[2])["acceptance_fee"] == "1150.00"
    for n in (3, 4):  # not silently the ordinary procedure (the default): the sheet said simple, once
        (reason,) = rows[n].reasons
        assert (rows[n].verdict, reason.where) == (CORRECTION, "procedure") and "merged cell B2:B4" in reason.message
    (reason,) = rows[5].reasons
    assert reason.where == "claim_amount" and "formula" in reason.message and "=50000*2" in reason.message
    assert rows[6].verdict == READY and award(rows[6])["acceptance_fee"] == "2300.00"


def test_a_formula_with_a_saved_value_is_read_at_that_value(tmp_path: Path) -> None:
    path = sheet(tmp_path / "cached.xlsx", fee_rows(2))
    # as Excel saves it: the formula and the value it last calculated (never evaluated here)
    rewrite_member(path, "xl/worksheets/sheet1.xml", lambda x: x.replace(
        b'<c r="B2" t="n"><v>1000</v></c>', b'<c r="B2"><f>SUM(100000,0)</f><v>100000</v></c>'))
    assert b"<f>SUM" in __import__("zipfile").ZipFile(path).read("xl/worksheets/sheet1.xml")
    rs = load(FEES)
    first, _ = precheck(rs, read_table(path, rs.checked)).results
    assert (first.verdict, award(first)["acceptance_fee"]) == (READY, "2300.00")  # 50 + 90,000 × 2.5%


def test_a_workbook_that_cannot_be_read_is_one_clear_error(tmp_path: Path) -> None:
    rs = load(FEES)
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))  # how an encrypted workbook begins
    with pytest.raises(RulesError, match="password-protected"):
        read_table(locked, rs.checked)
    whole = sheet(tmp_path / "whole.xlsx", fee_rows(50)).read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole[: len(whole) // 2])  # a download cut short
    with pytest.raises(RulesError, match="not a readable Excel workbook"):
        read_table(cut, rs.checked)
    r = CliRunner().invoke(app, ["precheck", str(FEES), str(cut)])
    assert r.exit_code == 1 and "not a readable Excel workbook" in r.output


def test_a_gbk_csv_is_read_when_its_header_names_the_columns(tmp_path: Path) -> None:
    rs = load(FEES)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("诉讼请求金额,审理程序\n100000,ordinary\n".encode("gbk"))  # Excel's “CSV” on Chinese Windows
    (row,) = precheck(rs, read_table(gbk, rs.checked)).results
    assert award(row)["acceptance_fee"] == "2300.00"  # 50 + 90,000 × 2.5%
    other = tmp_path / "latin.csv"
    other.write_bytes("montant,procédure\n100000,ordinary\n".encode("latin-1"))
    with pytest.raises(RulesError, match="neither UTF-8 nor GB18030"):
        read_table(other, rs.checked)


def test_a_parquet_filing_reads_as_its_csv(tmp_path: Path) -> None:
    """A batch exported as Parquet (text columns, as the CSV had them) gives the same rows and numbers."""
    import pandas as pd

    path = tmp_path / "fees.csv"
    path.write_text("claim_amount,审理程序\n100000,ordinary\nabc,simple\n12345.67,simple\n", encoding="utf-8")
    pd.read_csv(path, dtype=str, keep_default_na=False).to_parquet(tmp_path / "fees.parquet", index=False)
    rs = load(FEES)
    from_csv = precheck(rs, read_table(path, rs.checked)).results
    from_parquet = precheck(rs, read_table(tmp_path / "fees.parquet", rs.checked)).results
    assert [(r.row, r.verdict, award(r)) for r in from_parquet] == [(r.row, r.verdict, award(r)) for r in from_csv]
    # 诉讼费用交纳办法 art.13(1): 50 + 90,000 × 2.5% = 2,300.00; art.16: (50 + 2,345.67 × 2.5%) / 2 = 54.32
    assert [award(r).get("acceptance_fee") for r in from_parquet] == ["2300.00", None, "54.32"]
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    with pytest.raises(RulesError, match="not a readable Parquet file"):
        read_table(broken, rs.checked)


def test_an_unknown_column_is_named_with_the_columns_the_ruleset_reads(fees_sheet: Path) -> None:
    r = CliRunner().invoke(app, ["precheck", str(FEES), str(fees_sheet)])
    line = next(x for x in r.output.splitlines() if x.startswith("未使用的列"))
    assert "借款人姓名" in line and "claim_amount（诉讼请求金额）" in line


def test_a_cell_as_long_as_excel_allows(tmp_path: Path) -> None:
    """A repayment history of 32,767 characters (Excel's longest cell) is read; an amount cell that long
    is refused as too long for a number, on its row only."""
    pays = []
    while len(json.dumps(pays)) < 32_700:
        pays.append({"paid_on": "2023-06-01", "amount": "1.00"})
    cell = json.dumps(pays)
    cell = cell[:-1] + " " * (32_767 - len(cell)) + "]"  # padded to exactly 32,767 characters
    assert len(cell) == 32_767
    schedule = json.dumps([{"due_on": "2024-01-01", "principal": "10000", "interest": "1200"}])
    path = sheet(tmp_path / "long.xlsx", [
        ["case_id", "principal", "contract_rate", "disbursed_on", "instalments", "repayments", "filed_on"],
        ["A", "10000", "12%", "2023-01-01", schedule, cell, "2024-07-01"],
        ["B", "1" * 32_767, "12%", "2023-01-01", schedule, None, "2024-07-01"],
    ])
    rs = load(LOAN)
    a, b = precheck(rs, read_table(path, rs.checked)).results
    assert [x.where for x in a.reasons if not x.where.startswith("证据")] == []
    # 10,000 at 12%, 1,200 stated; len(pays) payments of 1.00 on 2023-06-01, before the due date: they go
    # to the principal not yet due (民法典 560/561: nothing else is owed then), so less principal is owed
    assert str(a.lines["principal_outstanding"].claimable) == f"{10000 - len(pays)}.00"
    (bad,) = [x for x in b.reasons if not x.where.startswith("证据")]
    assert bad.where == "principal" and "too long" in bad.message


def test_numbers_past_the_decimal_precision_are_reasons_not_a_crash(tmp_path: Path) -> None:
    """A rate or amount of 40 digits (past the 28 digits of Python's default decimal context) is refused on
    its row with its value shown in plain digits; the next row is still decided."""
    schedule = json.dumps([{"due_on": "2024-01-01", "principal": "10000", "interest": "1200"}])
    head = ["case_id", "principal", "contract_rate", "disbursed_on", "instalments", "filed_on"]
    path = sheet(tmp_path / "wide.xlsx", [
        head,
        ["A", "10000", "9" * 40, "2023-01-01", schedule, "2024-07-01"],
        ["B", "9" * 40, "12%", "2023-01-01", schedule, "2024-07-01"],
        ["C", "10000", "12%", "2023-01-01", schedule, "2024-07-01"],
    ])
    rs = load(LOAN)
    a, b, c = precheck(rs, read_table(path, rs.checked)).results
    (bad_a,) = [x for x in a.reasons if not x.where.startswith("证据")]
    assert bad_a.where == "contract_rate" and "9" * 40 in bad_a.message
    (bad_b,) = [x for x in b.reasons if not x.where.startswith("证据")]
    assert bad_b.where == "principal" and "out of range" in bad_b.message
    # 10,000 at 12% with 1,200 stated for 2023 (还款计划), due 2024-01-01, filed 2024-07-01: principal and
    # the stated interest are due (民法典 674, 675)
    assert (str(c.lines["principal_outstanding"].claimable), str(c.lines["interest"].claimable)) == (
        "10000.00", "1200.00")


@pytest.mark.parametrize(("rows", "text"), [
    ([2, 5], "2、5"),
    (list(range(2, 12)), "2、3、4、5、6、7、8、9、10、11"),            # ten rows: every one named
    (list(range(2, 13)), "2、3、4、5、6、7、8、9、10、11 等共 11 "),  # eleven: the first ten and the count
    (list(range(2, 2002)), "2、3、4、5、6、7、8、9、10、11 等共 2,000 "),
])
def test_a_duplicate_names_its_rows_and_counts_them_past_ten(rows, text):
    from ruledsl.precheck.run import index_rows

    twice, given, total = index_rows([(n, "L1") for n in rows] + [(9999, "L2")])
    assert twice == {"L1": text} and given == {"L1", "L2"} and total == len(rows) + 1


def test_a_row_with_a_bad_cell_still_lists_the_other_cells_reasons(tmp_path: Path) -> None:
    from ruledsl.precheck.batch import run_batch

    plan = json.dumps([{"due_on": "2024-12-01", "principal": "10000.00", "interest": "1200.00"}])
    source = tmp_path / "f.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["借据号", "借款本金", "借款年利率", "放款日", "还款计划", "起诉日", "本院有管辖权"],
                                 ["A4", "12.345", "12%", "", plan, "2025-07-01", "也许"]])
    out = tmp_path / "out.csv"
    run_batch(LOAN, source, out)
    with out.open(encoding="utf-8-sig", newline="") as f:
        (row,) = list(csv.DictReader(f))
    reasons = row["reasons"].splitlines()
    # three mistakes in one row, each at its column: a yes/no cell that is neither, an amount of three
    # decimal places (yuan are counted to the fen), a required date left empty
    assert [r.split(": ")[0] for r in reasons] == ["本院有管辖权", "借款本金", "放款日"]
    assert "12.345 不是精确到分的金额" in reasons[1] and "缺少必填的输入" in reasons[2]
