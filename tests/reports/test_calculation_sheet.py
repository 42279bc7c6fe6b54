"""The calculation sheet PDF (裁判金额计算书), generated for real and read back with poppler
(pdftotext, pdfinfo, pdffonts).

Its figures are the ruleset's: each is checked against the decision of the same case (the arithmetic itself
is proven in tests/calc and by the rulesets' worked examples).  The worked example is the one of
rulesets/cn/consumer_loan.rules "without a request the court does not cut 27% penalty and compound
interest": 10,000.00 lent 2023-01-01 at 18 %, due 2024-01-01 with the interest the schedule states,
1,800.00; filed 2024-07-01, 182 days overdue; penalty rate 18 % × 150 % = 27 %:

* penalty  = 10,000 × 27 % × 182 / 365 = 491,400 / 365 = 1,346.3013… → 1,346.30;
* compound =  1,800 × 27 % × 182 / 365 =  88,452 / 365 =   242.3342… →   242.33;
* total = 10,000.00 + 1,800.00 + 1,346.30 + 242.33 = 13,388.63.

In capitals (大写, ruledsl/core/numerals.py), by hand: 13,388.63 = 1 万 3 仟 3 佰 8 拾 8 元 6 角 3 分 →
壹万叁仟叁佰捌拾捌元陆角叁分 (no zero anywhere, ends at 分 so no 整).
"""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from ruledsl.cli import app
from ruledsl.reports.calculation import chinese, short_law, write_calculation_sheet
from ruledsl.reports.sheet import case_sheet, is_replaced
from ruledsl.review import DEMO_EVIDENCE, decide_case, example_cases
from ruledsl.ruleset import load
from ruledsl.service.demo import add_months, schedule
from tests.reports.test_verification_report import flat, fonts, pdftotext

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "examples" / "cases" / "loan_consumer_finance_accelerated.json"
CONSUMER_LOAN = ROOT / "rulesets" / "cn" / "consumer_loan.rules"
COURT = "杭州互联网法院"
NUMBER = "(2024)浙0192民初101号"
EXAMPLE = "without a request the court does not cut 27% penalty and compound interest"
WORKED = {"principal": "10000.00", "contract_rate": "18%", "disbursed_on": "2023-01-01",
          "instalments": [{"due_on": "2024-01-01", "principal": "10000.00", "interest": "1800.00"}],
          "filed_on": "2024-07-01"}
PARTIES = ({"role": "原告", "name": "甲消费金融有限公司", "kind": "organisation"},
           {"role": "被告", "name": "张三丰", "kind": "person", "address": "浙江省杭州市西湖区"})
#: what a court filing must not show: the ledger's and the case's keys, rule names, the engine's English
INTERNAL = ("principal_outstanding", "penalty_interest", "compound_interest", "loan.penalty_interest",
            "contract_rate", "disbursed_on", "agreed", "base × rate", "interest", "ledger", "true", "false")


def pdfinfo(path: Path) -> str:
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


def page_text(path: Path, page: int, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def layout(path: Path) -> str:
    """The text laid out as on the page (a table row on a line), each run of spaces one space."""
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return "\n".join(" ".join(line.split()) for line in out.splitlines())


def pages(path: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", pdfinfo(path), re.M).group(1))  # type: ignore[union-attr]


def assert_a4_portrait(path: Path) -> None:
    # 210 × 297 mm = 595.28 × 841.89 pt, width first
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", pdfinfo(path), re.M)
    assert size, pdfinfo(path)
    width, height = float(size.group(1)), float(size.group(2))
    assert abs(width - 595.28) < 1 and abs(height - 841.89) < 1, (width, height)


def assert_fonts_embedded(path: Path) -> None:
    listing = fonts(path)
    assert "Noto-Sans-CJK" in listing
    for line in listing.splitlines()[2:]:
        assert "Noto" in line, f"a glyph fell back to a font other than Noto CJK: {line}"
        assert " yes yes yes " in line, f"font not embedded as a subset with Unicode map: {line}"


def test_the_worked_example_as_a_court_files_it(tmp_path: Path) -> None:
    assert f'example "{EXAMPLE}"' in CONSUMER_LOAN.read_text("utf-8")  # the figures below are its own
    ruleset = load(CONSUMER_LOAN)
    decision = ruleset.evaluate(WORKED, "worked example", trace=True)
    assert {k: str(v.amount) for k, v in decision.award.items() if k in ("penalty_interest", "total")} == {
        "penalty_interest": "1346.30", "total": "13388.63"}
    sheet = case_sheet(ruleset, decision, NUMBER, PARTIES)
    out = write_calculation_sheet(sheet, tmp_path / "sheet.pdf", court=COURT, case_number=NUMBER,
                                  drawn_on=date(2026, 12, 2))
    assert out.read_bytes().startswith(b"%PDF-")
    text = pdftotext(out)
    f = flat(text)
    rows = layout(out)
    # the head: the court, the 案号, the day it was drawn, the parties; the page numbers
    assert COURT in text and NUMBER in f and "2026年12月2日" in f
    assert "原告：甲消费金融有限公司" in f and "被告：张三丰，自然人，住所地浙江省杭州市西湖区" in f
    assert "第1页共1页" in f or re.search(r"第1页共\d+页", f)
    # the Chinese headings, in order
    headings = ["裁判金额计算书", "一、裁判金额", "二、计算明细", "分段计息", "三、计算所依据的案件事实"]
    at = [f.index(h) for h in headings]
    assert at == sorted(at), at
    # the award lines, to the fen with thousands separators, and the total in figures and in capitals
    for label, figure in (("尚欠本金（已到期）", "10,000.00"), ("利息（已到期）", "1,800.00"), ("罚息", "1,346.30"),
                          ("复利", "242.33"), ("合计", "13,388.63")):
        assert f"\n{label} {figure} " in rows or f"\n{label} {figure}\n" in rows, label
    assert "合计：人民币13,388.63元（大写：人民币壹万叁仟叁佰捌拾捌元陆角叁分）" in f
    # the segments: penalty 10,000.00 × 27 % over 182 days; the exact working only beside the figure
    assert "罚息（逾期利息） 1 2024-01-01 182 10,000.00 27% 1,346.30 民法典第六百七十六条\n至 2024-07-01 约定 1,346.3013…" \
        in rows
    assert "复利 1 2024-01-01 182 1,800.00 27% 242.33 银发〔2003〕251号第三" in rows
    assert "\n至 2024-07-01 约定 242.3342…" in rows
    assert not re.search(r"\d\.\d{5,}", f), "an amount with more than four decimals"
    assert "民法典第六百七十六条" in f and "银发〔2003〕251号第三条" in f  # the law, shortly
    # Chinese only: no key, no rule name, no English gloss; the ruleset's id once, in its small line
    for word in INTERNAL:
        assert word not in text, word
    assert f.count("cn.consumer_loan") == 1 and "规则集：cn.consumer_loan" in f
    assert_a4_portrait(out)
    assert_fonts_embedded(out)


def test_a_long_schedule_breaks_between_rows_never_inside_one(tmp_path: Path) -> None:
    ruleset = load(CONSUMER_LOAN)
    start = date(2023, 1, 15)
    case = {"principal": "36000.00", "contract_rate": "18%", "disbursed_on": start.isoformat(),
            "instalments": [{k: (v.isoformat() if k == "due_on" else str(v)) for k, v in i.items()}
                            for i in schedule("36000.00", "0.18", start, 36)],
            "repayments": [{"paid_on": add_months(start, m).isoformat(), "amount": "1540.00"} for m in (1, 2, 3, 5, 8)],
            "filed_on": add_months(start, 37).isoformat()}
    decision = ruleset.evaluate(case, "36 months", trace=True)
    sheet = case_sheet(ruleset, decision, NUMBER, PARTIES)
    out = write_calculation_sheet(sheet, tmp_path / "long.pdf", court=COURT, case_number=NUMBER)
    n = pages(out)
    assert n >= 3
    texts = [flat(page_text(out, p)) for p in range(1, n + 1)]
    award = sheet.ledgers[0].award
    assert award is not None
    # the day-count interest an instalment's stated interest replaced is not counted, so not shown
    replaced = [s for s in award.segments if is_replaced(s)]
    assert replaced  # each period with a stated interest had such a row in the engine's trace
    segments = [s for s in award.segments if not is_replaced(s)]
    assert len(segments) > 40
    everything = "".join(texts)
    for s in segments:
        # a row's dates sit together on one page (a row split across pages would part them, the page's
        # foot and the next page's head between)
        pair = f"{s.start.isoformat()}至{s.end.isoformat()}"
        assert any(pair in t for t in texts), pair
    # each distinct period appears as often as the rows (segments and cuts) that have it, no more, no less
    periods = [f"{s.start.isoformat()}至{s.end.isoformat()}" for s in segments]
    periods += [f"{c.start.isoformat()}至{c.end.isoformat()}" for c in award.cuts]
    for pair in set(periods):
        assert everything.count(pair) == periods.count(pair), pair
    for p, t in enumerate(texts, 1):
        assert f"第{p}页共{n}页" in t and NUMBER in t and COURT in t  # the running head and the page number
    heads = [" ".join(page_text(out, p, "-layout").split()) for p in range(1, n + 1)]
    assert sum("科目 期次 起止日期 天数 基数（元） 年利率 金额（元） 依据" in t for t in heads) >= 2  # repeated
    assert "还款冲抵" in everything and "2023-02-15" in everything  # the repayments
    total = decision.award["total"]
    assert f"合计：人民币{total.amount:,.2f}元" in everything
    assert not re.search(r"\d\.\d{5,}", everything)
    for word in ("principal_outstanding", "penalty_interest", "interest", "agreed"):
        assert word not in everything
    assert_a4_portrait(out)
    assert_fonts_embedded(out)


def test_the_sheet_of_an_accelerated_loan(tmp_path: Path) -> None:
    case = next(c for c in example_cases() if c.path == CASE)
    ruleset, decision = decide_case(case, DEMO_EVIDENCE)
    sheet = case_sheet(ruleset, decision, case.title, case.parties)
    out = write_calculation_sheet(sheet, tmp_path / "sheet.pdf")  # no court, no 案号: the case's title heads it
    text = pdftotext(out)
    f = flat(text)
    rows = layout(out)
    assert "裁判金额计算书" in text and "案件：" in f
    for award in sheet.awards:  # every award line, its figure as the ruleset decided it, by its Chinese label
        assert f"\n{award['label'] or '合计'} {award['amount'].amount:,.2f}" in rows, award["name"]
    assert "民法典第五百六十一条" in f  # the law behind the allocation of repayments
    assert "还款冲抵" in f and "利息（第1期） 450.00" in rows
    assert "宣布提前到期：尚未到期的本金于当日全部到期" in f and "accelerated" not in text
    first = sheet.ledgers[0].segments[0]
    assert flat(f"{first['start']}至{first['end']}{first['days']}") in f  # a segment row: from, to, days
    assert "consumer-loan" not in text and "principal_outstanding" not in text
    assert_a4_portrait(out)
    assert_fonts_embedded(out)


def test_the_chinese_of_the_engines_bilingual_texts() -> None:
    assert chinese("18% (约定 agreed)") == "18% (约定)"
    assert chinese("约定罚息利率 penalty rate") == "约定罚息利率"
    assert chinese("还款计划表载明 (stated in the repayment schedule; rate = stated ÷ (average × days / basis))") \
        == "还款计划表载明"
    assert chinese("2024-07-20 宣布提前到期：尚未到期的本金于当日全部到期（loan accelerated on 2024-07-20: all "
                   "principal not yet due fell due that day）") == "2024-07-20 宣布提前到期：尚未到期的本金于当日全部到期"
    assert chinese("一年期LPR + 1.5%") == "一年期LPR + 1.5%"  # LPR is how a Chinese court writes it too
    assert short_law("中华人民共和国民法典 第六百七十六条；中国人民银行关于人民币贷款利率有关问题的通知（银发〔2003〕251号）"
                     "第三条") == "民法典第六百七十六条\n银发〔2003〕251号第三条"
    assert short_law("民法典 第六百七十四条（按约定支付利息）") == "民法典第六百七十四条"


def test_every_shipped_example_makes_a_sheet_without_english_keys(tmp_path: Path) -> None:
    for i, case in enumerate(example_cases()):
        ruleset, decision = decide_case(case, DEMO_EVIDENCE)
        out = write_calculation_sheet(case_sheet(ruleset, decision, case.title, case.parties), tmp_path / f"{i}.pdf")
        text = pdftotext(out)
        keys = {name for name in decision.award} | {f.name for f in ruleset.checked.inputs}
        assert not [k for k in keys if len(k) > 3 and re.search(rf"\b{re.escape(k)}\b", text)], case.path
        assert not re.search(r"\d\.\d{5,}", text), case.path
        total = decision.award.get("total")
        if total is not None:
            assert f"合计：人民币{total.amount:,.2f}元（大写：人民币" in flat(text)


def test_explain_writes_the_sheet_on_request(tmp_path: Path) -> None:
    out = tmp_path / "c.pdf"
    r = CliRunner().invoke(app, ["explain", str(CONSUMER_LOAN), "--case", str(CASE), "--pdf", str(out)])
    assert r.exit_code == 0, r.output
    assert f"calculation sheet: {out}" in r.output
    assert "消费金融公司" in pdftotext(out)  # the case file's own title heads the sheet


def test_an_unwritable_path_is_a_clear_error(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["explain", str(CONSUMER_LOAN), "--case", str(CASE), "--pdf",
                                 str(tmp_path / "no" / "such" / "dir" / "c.pdf")])
    assert r.exit_code == 1
    assert "cannot write the report" in r.output
