"""The calculation sheet PDF (裁判金额计算书), generated for real and read back with poppler.

Its figures are the ruleset's: each is checked against the decision of the same case
(the arithmetic itself is proven in tests/calc and by the rulesets' worked examples).
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ruledsl.cli import app
from ruledsl.reports.calculation import write_calculation_sheet
from ruledsl.reports.sheet import case_sheet
from ruledsl.review import DEMO_EVIDENCE, decide_case, example_cases
from tests.reports.test_verification_report import flat, fonts, pdftotext

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "examples" / "cases" / "loan_consumer_finance_accelerated.json"


def test_sheet_of_an_accelerated_loan(tmp_path: Path) -> None:
    case = next(c for c in example_cases() if c.path == CASE)
    ruleset, decision = decide_case(case, DEMO_EVIDENCE)
    sheet = case_sheet(ruleset, decision, case.title)
    out = write_calculation_sheet(sheet, tmp_path / "sheet.pdf")
    assert out.read_bytes().startswith(b"%PDF-")
    text = pdftotext(out)
    f = flat(text)
    assert "裁判金额计算书" in text
    for name, money in decision.award.items():  # every award line, its figure as the ruleset decided it
        assert f"{name}" in f and f"{money.amount:,.2f}" in f
    assert "民法典第五百六十一条" in f  # the law behind the allocation of repayments
    ledger = sheet.ledgers[0]
    assert ledger.segments and ledger.allocations
    first = ledger.segments[0]
    assert flat(f"{first['start']}{first['end']}{first['days']}") in f  # a segment row: from, to, days
    assert "Noto" in fonts(out)  # CJK glyphs embedded, not left to the reader's machine


def test_explain_writes_the_sheet_on_request(tmp_path: Path) -> None:
    out = tmp_path / "c.pdf"
    r = CliRunner().invoke(app, ["explain", str(ROOT / "rulesets" / "cn" / "consumer_loan.rules"), "--case",
                                 str(CASE), "--pdf", str(out)])
    assert r.exit_code == 0, r.output
    assert f"calculation sheet: {out}" in r.output
    assert "消费金融公司" in pdftotext(out)  # the case file's own title heads the sheet


def test_an_unwritable_path_is_a_clear_error(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["explain", str(ROOT / "rulesets" / "cn" / "consumer_loan.rules"), "--case",
                                 str(CASE), "--pdf", str(tmp_path / "no" / "such" / "dir" / "c.pdf")])
    assert r.exit_code == 1
    assert "cannot write the report" in r.output
