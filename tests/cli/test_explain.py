"""`ruledsl explain` as a judge reads it: each input once, money to the fen, rates as written, a cap said
in words, headings in the ruleset's language.

The cases are worked examples of the shipped rulesets, written as a case file writes them
(:func:`ruledsl.ruleset.examples.example_case`).  Every figure asserted is worked by hand below, from the
example's own comment, never copied from program output.

auto_loan, "two instalments missed, 500.00 paid on the last due date, the 24% reduction asked" (12,000.00
over 12 months at 1.5% a month; instalments 1–10 paid; 500.00 paid 2025-01-15; filed 2025-02-15):

* the schedule (its table in the ruleset's comment): month 2 closes at 11,079.84 − 933.96 = 10,145.88,
  month 3 opens at it; the schedule is shown once, so 10,145.88 appears twice (one row's end, the next
  row's start) and nowhere else (no segment has that base: months 1–12 are the stated interest rows);
* the last segment: penalty 1,725.5783… × 27% × 31 / 365 = 39.5701… → 39.57; the 24% cap allows
  1,725.5783… × 24% × 31 / 365 = 35.1734… → 35.17; so the cap removed 39.57 − 35.17 = 4.40.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ruledsl.ruleset import load
from ruledsl.ruleset.examples import example_case
from tests.cli.test_cli_errors import ruledsl

ROOT = Path(__file__).resolve().parents[2]
CN = ROOT / "rulesets" / "cn"
AUTO_LOAN = CN / "auto_loan.rules"
TWO_MISSED = "two instalments missed, 500.00 paid on the last due date, the 24% reduction asked"
#: a figure with more than two decimals that is not a rate (``17.66129032%``) — none is money
LONG_FIGURE = re.compile(r"(?<![\d.])\d[\d,]*\.\d{3,}(?![\d%])")


def case_file(rules: Path, title: str, tmp_path: Path) -> Path:
    """The worked example ``title`` of ``rules`` as a case file."""
    checked = load(rules).checked
    example = next(e for e in checked.examples if e.title == title)
    given, verified = example_case(checked, example)
    if verified:
        given["evidence"] = verified
    path = tmp_path / "case.json"
    path.write_text(json.dumps(given, default=str, ensure_ascii=False), encoding="utf-8")
    return path


def explain(rules: Path, case: Path) -> str:
    result = ruledsl("explain", rules, "--case", case)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_car_loan_prints_its_schedule_once_and_its_figures_to_the_fen(tmp_path: Path) -> None:
    text = explain(AUTO_LOAN, case_file(AUTO_LOAN, TWO_MISSED, tmp_path))
    lines = text.splitlines()
    # 393 lines at this width before: the schedule in full in the rows of schedule, instalments,
    # scheduled_interest and the ledger, and a struck day-count row beside each month's stated interest
    assert len(lines) < 250, len(lines)
    assert text.count("10,145.88") == 2  # the schedule, once: month 2's end, month 3's start
    assert "[{" not in text and "paid_on: " not in text  # no list written out in a cell: each is a table, once
    # the instalments only repeat three columns of the schedule: named, not shown again
    assert "即「还款计划表」的" in text
    # money to the fen: no working figure (1,725.5783…), no ten decimals, no -0.00
    assert not [m for m in LONG_FIGURE.findall(text) if m != "0.015"]  # 0.015: r, the monthly rate as a number
    assert "…" not in text and "-0.00" not in text
    # the stated interest as stated: no implied rate (180.00 over 31 days on 12,000.00 = 17.66129032%),
    # no day-count row it replaced
    assert "17.66" not in text and "取代" not in text and "replaced" not in text
    assert len(re.findall(r"│ 按还款计划表 +│", text)) == 12  # one row per instalment's stated interest
    # the monthly rate as the case writes it
    assert "月利率1.5%" in text and "0.18" not in text
    # the cap in words on the line it cut (the hand calculation above)
    assert "超过年利率24%的部分核减 4.40 元（原计 39.57 元）" in text
    # Chinese headings (language "zh"), the English beside
    for title in ("计算说明 explanation", "案件事实 inputs", "推理过程", "计算明细", "分段计息", "利率上限调减",
                  "还款冲抵", "裁判金额 award", "证据 evidence"):
        assert title in text, title


def test_a_capped_award_line_shows_the_capped_value_and_what_the_cap_removed(tmp_path: Path) -> None:
    # 诉讼费用交纳办法 art.14(2) on 2,000,000.00 preserved: 30 (to 1,000) + 1% of 99,000 = 990
    # + 0.5% of 1,900,000 = 9,500 → 10,520.00, above the cap of 5,000.00: 5,520.00 removed
    rules = CN / "court_fees.rules"
    text = explain(rules, case_file(rules, "preservation of 2,000,000 is capped at 5,000", tmp_path))
    row = next(line for line in text.splitlines() if "保全申请费" in line and "│ 137 " in line)
    assert "5,000.00" in row and "10,520.00" not in row  # the value column: the awarded value
    flat = "".join(line.strip("│ ") for line in text.splitlines())
    assert "上限 5,000.00 元，核减 5,520.00 元（原计 10,520.00 元）" in re.sub(r"\s*│\s*", "", flat)
    assert "limit 5000.00" not in text and "5520.00" not in text  # the cap's own note, in another format
    assert "cap preservation_fee" not in text  # not a row of its own


def test_a_cap_over_several_lines_says_what_it_took_from_each(tmp_path: Path) -> None:
    # 法释〔2020〕17号 art.29: overdue interest + 违约金 ≤ 4 × LPR at formation (3.65% on 2023-03-01 → 14.6%)
    # over 2024-03-01 → 2024-09-01 (184 days): 100,000 × 14.6% × 184 / 365 = 7,360.00; overdue interest
    # 100,000 × 12% × 184 / 365 = 6,049.3150… (6,049.32), so 违约金 keeps 7,360.00 − 6,049.3150… =
    # 1,310.6849… → 1,310.68 of its 5,000.00: 5,000.00 − 1,310.68 = 3,689.32 removed
    rules = CN / "private_lending.rules"
    text = explain(rules, case_file(rules, "overdue interest and 违约金 together above 4 × LPR: 违约金 cut", tmp_path))
    award = text[text.index("裁判金额 award"):]
    assert "合计上限 7,360.00 元，本项核减 3,689.32 元（原计 5,000.00 元）" in award
    assert award.count("7,360.00") == 1  # said on the line it cut, not on the lines it left alone


RULES_EN = '''ruleset t.fees version "1" effective 2024-01-01

source FEES_14 = "诉讼费用交纳办法 第十四条第（二）项"

input:
  amount: money label "保全财产数额"
  monthly: rate per month label "月利率"
  paid: list of {paid_on: date, amount: money} = [] label "还款记录"

compute:
  paid_total = sum(x.amount for x in paid) label "已付合计"

award:
  fee = amount * 1% - paid_total label "保全申请费" per FEES_14
  cap fee at 5000.00 per FEES_14
  interest = amount * monthly * 1 month label "一个月利息" per FEES_14
'''


def test_a_ruleset_without_language_zh_is_explained_in_english(tmp_path: Path) -> None:
    # 1,000,000.00 × 1% = 10,000.00 less 300.00 paid = 9,700.00, capped at 5,000.00: 4,700.00 removed;
    # a month's interest at 1.5% a month: 1,000,000.00 × 1.5% = 15,000.00
    rules = tmp_path / "fees.rules"
    rules.write_text(RULES_EN, encoding="utf-8")
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"amount": "1000000.00", "monthly": "1.5%", "paid": [
        {"paid_on": "2024-02-01", "amount": "100.00"}, {"paid_on": "2024-03-01", "amount": "200.00"}]}))
    text = explain(rules, case)
    assert "inputs" in text and "how each figure was reached" in text and "案件事实" not in text
    assert "1.5% per month" in text and "15,000.00" in text
    assert "4,700.00 removed (9,700.00 before the cap)" in text  # the English twin
    assert "核减 4,700.00 元（原计 9,700.00 元）" in text          # beside the Chinese
    assert text.count("2024-03-01") == 1  # the repayments, once


def test_explain_opens_a_refused_case_with_its_grounds(tmp_path: Path) -> None:
    rules = ROOT / "rulesets" / "cn" / "consumer_loan.rules"
    text = explain(rules, case_file(rules, "an arbitration clause as well: each ground is a reason", tmp_path))
    head = text[: text.index("案件事实")]
    assert "受理审查 admissibility: 不予受理" in head
    assert "本院对本案无管辖权" in head and "应向仲裁机构申请仲裁" in head and "仲裁法第五条" in head
    admitted = explain(rules, case_file(rules, "the same loan before this court: admitted, and routed", tmp_path))
    assert "受理审查 admissibility: 未见不予受理的情形" in admitted
