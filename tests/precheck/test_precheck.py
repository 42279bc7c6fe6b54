"""The lenders' batch pre-check: real Excel / CSV / JSON-lines files, bad rows reported by row number
while the others are decided.  Expected figures are worked by hand from the law cited beside them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from ruledsl.cli import app
from ruledsl.core.errors import RulesError
from ruledsl.precheck import INCOMPLETE, READY, REFUSED, precheck, read_table, write_results
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


def test_bad_rows_are_refused_by_row_number_and_the_others_decided(fees_sheet: Path) -> None:
    rs = load(FEES)
    table = read_table(fees_sheet, rs.checked)
    assert table.ignored == ["借款人姓名"]
    result = precheck(rs, table)
    by_row = {r.number: r for r in result.results}
    assert sorted(by_row) == [2, 3, 4, 5, 7]
    assert [by_row[n].status for n in (2, 3)] == [READY, READY]
    # 诉讼费用交纳办法 art.13(1): 50 for the first 10,000, 2.5% of the part 10,000–100,000
    #   row 2: 50 + 90,000 × 2.5% = 2,300.00
    #   row 3: (50 + 2,345.67 × 2.5%) / 2 (art.16, simple procedure) = 108.64175 / 2 = 54.320875 → 54.32
    assert str(by_row[2].award["acceptance_fee"]) == "2300.00"
    assert str(by_row[3].award["acceptance_fee"]) == "54.32"
    assert by_row[4].status == REFUSED and "'十万元' is not a decimal number" in by_row[4].problems[0]
    assert by_row[5].problems == ["`claim_amount` must be at least 0, but it is -5"]
    assert "procedure" in by_row[7].problems[0] and "'ordinary', 'simple' or 'small_claims'" in by_row[7].problems[0]


def test_the_cli_prints_a_summary_and_writes_every_row(fees_sheet: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    r = CliRunner().invoke(app, ["precheck", str(FEES), str(fees_sheet), "--out", str(out)])
    assert r.exit_code == 1  # some rows would not be accepted
    assert "fees.xlsx: 5 rows — 2 ready, 0 incomplete, 3 refused" in r.output
    assert "row 5: refused — `claim_amount` must be at least 0, but it is -5" in r.output
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("row", "status", "acceptance_fee")
    assert [(row[0], row[2]) for row in rows[1:3]] == [(2, "2,300.00"), (3, "54.32")]
    assert rows[3][1] == "不予受理 refused"


def test_ten_thousand_rows_with_one_bad_one(tmp_path: Path) -> None:
    rows = [["claim_amount"]] + [[str(1000 + n)] for n in range(10_000)]
    rows[7777] = ["1,000.000.00"]  # sheet row 7,778
    rs = load(FEES)
    result = precheck(rs, read_table(sheet(tmp_path / "many.xlsx", rows), rs.checked))
    refused = [r for r in result.results if r.status != READY]
    assert [r.number for r in refused] == [7778]
    assert "a comma may only separate thousands" in refused[0].problems[0]
    assert result.count(READY) == 9_999
    # every claim here is at most 10,000 + 1,000: art.13(1) charges 50 a case up to 10,000, then 2.5%
    # row 2 claims 1,000 → 50.00; the last row claims 10,999 → 50 + 999 × 2.5% = 74.975 → 74.98
    assert str(result.results[0].award["acceptance_fee"]) == "50.00"
    assert str(result.results[-1].award["acceptance_fee"]) == "74.98"


def test_list_inputs_in_json_cells_and_missing_evidence(tmp_path: Path) -> None:
    instalments = json.dumps([{"due_on": "2025-01-01", "principal": "10000", "interest": "1200.00"}])
    path = sheet(tmp_path / "loans.xlsx", [
        ["principal", "借款年利率", "disbursed_on", "instalments", "filed_on"],
        ["10000", "12%", "2024-01-01", instalments, "2025-01-01"],
        ["10000", "12%", "2024-01-01", "[{due_on: 2025-01-01}]", "2025-01-01"],
    ])
    rs = load(LOAN)
    first, second = precheck(rs, read_table(path, rs.checked)).results
    # filed on the due date: nothing overdue; the stated interest is owed with the principal (民法典 674/675)
    assert {k: str(v) for k, v in first.award.items() if k != "excess_claimed"} == {
        "principal_outstanding": "10000.00", "interest": "1200.00", "penalty_interest": "0.00",
        "compound_interest": "0.00", "fees": "0.00", "total": "11200.00"}
    assert first.status == INCOMPLETE  # no evidence declared: decided, but the court would ask for it
    assert any(p.startswith("loan_contract: ") for p in first.problems)
    assert second.status == REFUSED and second.problems[0].startswith("instalments: not JSON")

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
    assert (declared.status, str(declared.award["total"])) == (INCOMPLETE, "11200.00")
    required = [r.kind for r in rs.code.evidence if not r.warn_only]
    assert [p.split(":")[0] for p in declared.problems] == required
    assert all("仅声明，未经核验" in p and "declared by the party, not verified" in p for p in declared.problems)


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
    assert [(r.number, r.status) for r in result.results] == [(2, READY), (3, REFUSED)]
    jsonl = tmp_path / "fees.jsonl"
    jsonl.write_text('{"claim_amount": "100000"}\n{"claim_amount": 1e5}\nnot json\n'
                     '{"claim_amount": "1", "claim_amount": "100000"}\n', encoding="utf-8")
    result = precheck(rs, read_table(jsonl, rs.checked))
    # numbers read exactly, as in a case file (1e5 is 100,000, not a float); a key given twice is refused
    assert [(r.number, r.status) for r in result.results] == [(1, READY), (2, READY), (3, REFUSED), (4, REFUSED)]
    assert [str(r.award["acceptance_fee"]) for r in result.results[:2]] == ["2300.00", "2300.00"]
    assert result.results[3].problems == ["`claim_amount` is given twice"]
    write_results(result, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()[0].startswith("row,status,")
