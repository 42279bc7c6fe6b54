"""Filing templates from the published rulesets (`ruledsl schema --format xlsx|csv`): filled in with the
ruleset's first worked example, each reads back through the pre-check without an edit, and gives the
figures that example states by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ruledsl.cli import app
from ruledsl.lang.interpreter import Interpreter
from ruledsl.precheck import CORRECTION, READY, precheck, read_table
from ruledsl.precheck.template import template_example
from ruledsl.ruleset import load

ROOT = Path(__file__).resolve().parents[2]
RULESETS = sorted((ROOT / "rulesets" / "cn").glob("*.rules"))
LOAN = ROOT / "rulesets" / "cn" / "consumer_loan.rules"


def first_example_expectations(rs) -> dict[str, Decimal]:
    """The award lines of the example the template is filled from, as its author worked them by hand."""
    c = rs.checked
    constants = Interpreter(c)
    example = template_example(rs)
    assert example is not None, "the ruleset has a worked example that gives inputs"
    return {b.name: constants.eval(b.expr, {}) for b in example.expect if b.name in c.awards}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("path", RULESETS, ids=[p.stem for p in RULESETS])
def test_a_template_filled_with_the_first_example_prechecks_without_edits(tmp_path: Path, path: Path,
                                                                          fmt: str) -> None:
    out = tmp_path / f"template.{fmt}"
    r = CliRunner().invoke(app, ["schema", str(path), "--format", fmt, "-o", str(out)])
    assert r.exit_code == 0, r.output
    rs = load(path)
    table = read_table(out, rs.checked)
    assert table.ignored == [] and table.orphans == []
    (row,) = precheck(rs, table).results
    read_problems = [x for x in row.reasons if not x.where.startswith("证据")]
    assert read_problems == [] and row.verdict in (READY, CORRECTION)  # only evidence may be missing
    expected = first_example_expectations(rs)
    assert expected, "the first example states award lines"
    assert {k: str(row.lines[k].claimable) for k in expected} == {k: f"{v:.2f}" for k, v in expected.items()}


def test_the_workbook_template_guides_the_clerk(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    CliRunner().invoke(app, ["schema", str(LOAN), "--format", "xlsx", "-o", str(out)])
    book = load_workbook(out)
    assert book.sheetnames[0] == "案件 cases" and book.sheetnames[-1] == "填写说明 instructions"
    assert "还款计划 instalments" in book.sheetnames and "证据文件 evidence_files" in book.sheetnames
    cases = book["案件 cases"]
    heads = {c.value: c.comment.text for c in cases[1]}
    assert heads["借款本金"].startswith("principal") and heads["贷款人诉请金额·罚息"].startswith("claimed.penalty")
    kinds = {(v.type, v.formula1) for v in cases.data_validations.dataValidation}
    assert ("list", '"是,否"') in kinds and ("list", '"none,penalty_first"') in kinds
    assert ("decimal", "0") in kinds and ("date", "DATE(1900,1,1)") in kinds
    guide = {row[1]: row for row in book["填写说明 instructions"].iter_rows(min_row=2, values_only=True) if row[1]}
    rs = load(LOAN)
    assert {f.name for f in rs.checked.inputs if f.name not in rs.checked.settings} <= {
        k.partition(".")[0] for k in guide}  # every input a case gives is explained; the court's settings are not
    assert "reduction_in_total" not in guide
    assert "第六百七十六条" in guide["penalty_rate"][7] and guide["principal"][5] == "是"
    assert "第一百二十二条" in guide["court_has_jurisdiction"][7]


def test_list_sheets_attach_to_their_cases_and_strays_are_reported(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    CliRunner().invoke(app, ["schema", str(LOAN), "--format", "xlsx", "-o", str(out)])
    book = load_workbook(out)
    cases, schedule, paid = book["案件 cases"], book["还款计划 instalments"], book["还款记录 repayments"]
    cases.append(["L-2"] + [c.value for c in cases[2]][1:])  # a second case like the example
    schedule.append(["L-2", "2024-01-01", 10000, 1200])
    paid.append(["L-2", "2024-01-01", 11200])  # paid in full on the due date
    paid.append(["L-9", "2024-01-01", 5])       # a case the sheet does not have
    paid.cell(row=1, column=4, value="备注")     # a column the repayments do not have
    book.save(out)
    rs = load(LOAN)
    table = read_table(out, rs.checked)
    assert table.orphans == ["还款记录 repayments!3: no case row has case id L-9"]
    assert table.ignored == ["还款记录 repayments!备注"]  # reported, not silently dropped
    example, second = precheck(rs, table).results
    # the example (consumer_loan.rules' first: 10,000 at 12%, 1,200 stated, 182 days overdue): 12,205.23
    assert str(example.lines["total"].claimable) == "12205.23"
    # L-2 paid 11,200 on the due date 2024-01-01: interest and principal settled on time, nothing owed (民法典 561)
    assert str(second.lines["total"].claimable) == "0.00"


def test_a_csv_batch_with_its_lists_in_a_folder(tmp_path: Path) -> None:
    """A CSV has one sheet: its schedules and repayments come as CSV files keyed by case_id (--lists)."""
    (tmp_path / "cases.csv").write_text("借据号,借款本金,借款年利率,放款日,起诉日\n"
                                        "A,10000,12%,2023-01-01,2024-07-01\nB,10000,12%,2023-01-01,2024-07-01\n",
                                        encoding="utf-8")
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "还款计划.csv").write_text("借据号,到期日,本金,利息\nA,2024-01-01,10000,1200\nB,2024-01-01,10000,1200\n",
                                      encoding="utf-8")
    (lists / "repayments.csv").write_text("case_id,paid_on,amount\nB,2024-01-01,11200\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(app, ["precheck", str(LOAN), str(tmp_path / "cases.csv"), "--lists", str(lists),
                                 "-o", str(out)])
    assert r.exit_code == 1, r.output  # no evidence: needs correction
    import json
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # A: consumer_loan.rules' first example, 12,205.23; B paid in full on the due date: 0.00 (民法典 561)
    assert [(x["case_id"], x["total_claimable"]) for x in rows] == [("A", "12205.23"), ("B", "0.00")]
