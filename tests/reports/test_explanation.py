"""The explanation a judge reads (:func:`ruledsl.reports.sheet.case_sheet`) and the calculation sheet PDF
drawn from it: inputs once, money to the fen, rates as written, a cap said in words, Chinese headings.

The worked figures are the examples' own, worked by hand in their comments:

* auto_loan "two instalments missed, 500.00 paid on the last due date, the 24% reduction asked": the
  penalty over 2025-01-15 → 2025-02-15 is 1,725.5783… × 27% × 31 / 365 = 39.5701… → 39.57, the 24% cap
  allows 1,725.5783… × 24% × 31 / 365 = 35.1734… → 35.17: 39.57 − 35.17 = 4.40 removed; all twelve
  instalments have fallen due by 2025-02-15, each with the interest the schedule states;
* court_fees "preservation of 2,000,000 is capped at 5,000": 30 + 1% × 99,000 + 0.5% × 1,900,000 =
  30 + 990 + 9,500 = 10,520.00 by 诉讼费用交纳办法 art.14(2), capped at 5,000.00: 5,520.00 removed.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ruledsl.cases.inputs import parse_case
from ruledsl.core.types import D_MONEY
from ruledsl.reports.calculation import write_calculation_sheet
from ruledsl.reports.sheet import case_sheet, is_replaced
from ruledsl.ruleset import load
from ruledsl.ruleset.examples import example_case
from tests.reports.test_verification_report import flat, pdftotext

ROOT = Path(__file__).resolve().parents[2]
CN = ROOT / "rulesets" / "cn"
TWO_MISSED = "two instalments missed, 500.00 paid on the last due date, the 24% reduction asked"
PRESERVATION = "preservation of 2,000,000 is capped at 5,000"
#: a figure with more than two decimals that is not a rate (``17.66129032%``)
LONG_FIGURE = re.compile(r"(?<![\d.])-?\d[\d,]*\.\d{3,}(?![\d%])")


def decided(rules: Path, title: str):  # type: ignore[no-untyped-def]
    ruleset = load(rules)
    example = next(e for e in ruleset.checked.examples if e.title == title)
    given, verified = example_case(ruleset.checked, example)
    return ruleset, ruleset.run(parse_case(ruleset.checked, given, title, verified, settings=True))


def every_cell(sheet) -> list[str]:  # type: ignore[no-untyped-def]
    cells = [v for f in sheet.facts for k, v in f.items() if k in ("value", "value_zh")]
    cells += [v for r in sheet.steps for v in r.values()]
    cells += [v for t in sheet.tables for r in t.rows for v in r.values()]
    cells += [str(v) for a in sheet.awards for k, v in a.items() if k != "amount"]
    for ledger in sheet.ledgers:
        cells += [v for r in ledger.segments + ledger.cuts + ledger.allocations for v in r.values()]
        cells += ledger.notes
    return cells


def test_the_car_loans_calculation_sheet_pdf(tmp_path: Path) -> None:
    ruleset, decision = decided(CN / "auto_loan.rules", TWO_MISSED)
    out = write_calculation_sheet(case_sheet(ruleset, decision, "汽车消费贷款纠纷"), tmp_path / "car.pdf",
                                  drawn_on=date(2026, 12, 2))
    text = pdftotext(out)
    f = flat(text)
    headings = ["裁判金额计算书", "一、裁判金额", "二、计算明细", "分段计息", "利率上限调减", "还款冲抵",
                "三、计算所依据的案件事实"]
    at = [f.index(h) for h in headings]
    assert at == sorted(at), at
    assert "月利率1.5%" in f and "per month" not in text  # the rate as the contract writes it, in Chinese
    assert "超过年利率24%的部分核减4.40元（原计39.57元）" in f  # the cap in words, beside the line it cut
    # the stated interest of each of the twelve instalments, as stated; no struck day-count row beside it
    assert f.count("按计划表") == 12
    assert "划线" not in f and "取代" not in f
    assert "期内利息按还款计划表载明的各期利息计" in f


def test_the_capped_fee_in_the_pdf_says_what_the_cap_removed(tmp_path: Path) -> None:
    ruleset, decision = decided(CN / "court_fees.rules", PRESERVATION)
    sheet = case_sheet(ruleset, decision)
    fee = next(a for a in sheet.awards if a["name"] == "preservation_fee")
    assert fee["figure"] == "5,000.00"
    assert fee["cap_zh"] == "依诉讼费用交纳办法第十四条第（二）项，上限 5,000.00 元，核减 5,520.00 元（原计 10,520.00 元）"
    step = next(r for r in sheet.steps if r["rule"].endswith("preservation_fee"))
    assert step["value"] == "5,000.00"  # the awarded value, not the 10,520.00 computed before the cap
    assert not [r for r in sheet.steps if r["rule"].startswith("cap ")]  # the cap is said on its line
    f = flat(pdftotext(write_calculation_sheet(sheet, tmp_path / "fees.pdf")))
    assert "上限5,000.00元，核减5,520.00元（原计10,520.00元）" in f


def _examples():  # type: ignore[no-untyped-def]
    for path in sorted(CN.glob("*.rules")):
        for example in load(path).checked.examples:
            yield pytest.param(path, example.title, id=f"{path.stem}: {example.title[:40]}")


@pytest.mark.parametrize(("rules", "title"), list(_examples()))
def test_every_shipped_example_explains_money_to_the_fen(rules: Path, title: str) -> None:
    ruleset, decision = decided(rules, title)
    sheet = case_sheet(ruleset, decision)
    # figures of more than two places are allowed only where they are numbers other than money (r = 0.015)
    numbers = {f"{v.normalize():f}" for k, v in decision.values.items() if isinstance(v, Decimal)
               and ruleset.types.get(k) is not None and ruleset.types[k].kind == "qty"
               and ruleset.types[k].dims != D_MONEY}
    for cell in every_cell(sheet):
        long = [m for m in LONG_FIGURE.findall(cell) if m not in numbers]
        assert not long, (cell, long)
        assert "-0.00" not in cell and "…" not in cell, cell
    for ledger in sheet.ledgers:  # a stated interest as stated: no implied rate, no replaced day-count row
        assert ledger.award is not None
        shown = [s for s in ledger.award.segments if not is_replaced(s)]
        assert len(ledger.segments) == len(shown)
        assert not [r for r in ledger.segments if "stated ÷" in r["rate"]]
    # each list input once, as a table; the steps name it
    lists = [f["name"] for f in sheet.facts if f["shape"] == "list" and decision.values[f["name"]]]
    assert [t.name for t in sheet.tables if not t.computed] == lists
    assert not [r for r in sheet.steps if "[{" in r["from"] or "[{" in r["value"]]
    assert sheet.language == "zh"  # every shipped ruleset says language "zh"


def test_a_refused_case_says_so_first_with_every_ground(tmp_path: Path) -> None:
    ruleset, decision = decided(CN / "consumer_loan.rules", "an arbitration clause as well: each ground is a reason")
    sheet = case_sheet(ruleset, decision)
    # the example: no jurisdiction (民事诉讼法 122) and an arbitration clause (仲裁法 5): two grounds, in order
    assert [r["message"] for r in sheet.refusals] == ["不予受理：本院对本案无管辖权，应向有管辖权的法院起诉",
                                                      "不予受理：双方订有书面仲裁协议，应向仲裁机构申请仲裁"]
    assert sheet.grounds == 3 and sheet.route is None
    assert not [r for r in sheet.steps if "不予受理" in r["value"]]  # said once, in its own part
    f = flat(pdftotext(write_calculation_sheet(sheet, tmp_path / "refused.pdf")))
    assert f.index("受理审查：本案不予受理") < f.index("一、裁判金额")
    assert "应向仲裁机构申请仲裁（仲裁法第五条" in f
