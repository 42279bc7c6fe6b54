"""The draft main text of a judgment (判决主文): orders, 大写, dismissal of the rest, 民诉法 art.264, the fee."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ruledsl.core.money import Money
from ruledsl.reports.judgment import (
    DELAYED_PERFORMANCE,
    Ordered,
    fee_shares,
    judgment_draft,
    number,
    order_label,
    write_judgment_draft,
)
from tests.reports.test_verification_report import fonts, pdftotext

COURT, CASE = "浙江省杭州市某某区人民法院", "(2024)浙0192民初101号"
BANK, DEBTOR = "甲银行股份有限公司", "张三丰"


def m(text: str) -> Money:
    return Money(Decimal(text))


LINES = [Ordered("principal_outstanding", "尚欠本金（已到期）", m("10000.00")),
         Ordered("interest", "利息（已到期）", m("1800.00")),
         Ordered("penalty_interest", "罚息", m("1346.30")),
         Ordered("compound_interest", "复利", m("0.05")),
         Ordered("fees", "实现债权的有关费用", m("0.00"))]


@pytest.mark.parametrize(("i", "text"), [(1, "一"), (5, "五"), (9, "九"), (10, "十"), (11, "十一"), (19, "十九"),
                                         (20, "二十"), (21, "二十一"), (99, "九十九")])
def test_order_numbers(i: int, text: str) -> None:
    assert number(i) == text


@pytest.mark.parametrize(("label", "text"), [("尚欠本金（已到期）", "本金"), ("尚欠借款本金（已到期）", "借款本金"),
                                             ("利息（已到期）", "利息"), ("透支利息（至到期还款日）", "透支利息（至到期还款日）"),
                                             ("罚息", "罚息")])
def test_order_labels(label: str, text: str) -> None:
    assert order_label(label) == text


def test_orders_in_figures_and_capitals() -> None:
    draft = judgment_draft(COURT, CASE, BANK, (DEBTOR,), LINES)
    assert draft.orders == (
        f"一、被告{DEBTOR}于本判决生效之日起十日内偿还原告{BANK}本金10,000.00元（大写：人民币壹万元整）；",
        f"二、被告{DEBTOR}于本判决生效之日起十日内支付原告{BANK}利息1,800.00元（大写：人民币壹仟捌佰元整）；",
        f"三、被告{DEBTOR}于本判决生效之日起十日内支付原告{BANK}罚息1,346.30元（大写：人民币壹仟叁佰肆拾陆元叁角）；",
        f"四、被告{DEBTOR}于本判决生效之日起十日内支付原告{BANK}复利0.05元（大写：人民币伍分）。",
    )  # the zero line (fees 0.00) orders nothing; everything claimed awarded: nothing dismissed
    assert draft.delayed_performance == DELAYED_PERFORMANCE
    assert draft.fee is None


def test_the_rest_is_dismissed_and_the_fee_split() -> None:
    # awarded 10,000.00 + 1,800.00 + 1,346.30 + 0.05 = 13,146.35 of 13,500.00 claimed
    draft = judgment_draft(COURT, CASE, BANK, (DEBTOR, "李四"), LINES, claimed=m("13500.00"), fee=m("68.75"))
    assert draft.orders[-1] == f"五、驳回原告{BANK}的其他诉讼请求。"
    assert draft.orders[0].startswith(f"一、被告{DEBTOR}、李四于本判决生效之日起十日内")
    # 68.75 × 13,146.35 / 13,500.00 = 66.9489… → 66.95; the plaintiff 68.75 − 66.95 = 1.80
    assert draft.fee == f"案件受理费68.75元，由原告{BANK}负担1.80元，被告{DEBTOR}、李四负担66.95元。"


@pytest.mark.parametrize(("fee", "awarded", "claimed", "theirs", "ours"), [
    ("100.00", "50.00", "100.00", "50.00", "50.00"),       # half won: half each
    ("100.00", "100.00", "100.00", "100.00", "0.00"),      # all won: the defendant bears it all
    ("50.00", "1.00", "3.00", "16.67", "33.33"),           # 50 / 3 = 16.666… → 16.67 (half-up)
    ("0.05", "1.00", "2.00", "0.03", "0.02"),              # 0.025 → 0.03 half-up; the rest 0.02
])
def test_fee_shares(fee: str, awarded: str, claimed: str, theirs: str, ours: str) -> None:
    assert fee_shares(m(fee), m(awarded), m(claimed)) == (m(theirs), m(ours))


def test_the_pdf_carries_the_text_and_its_fonts(tmp_path: Path) -> None:
    draft = judgment_draft(COURT, CASE, BANK, (DEBTOR,), LINES, claimed=m("13500.00"), fee=m("68.75"))
    out = write_judgment_draft(draft, tmp_path / "judgment.pdf")
    text = "".join(pdftotext(out).split())
    for expected in (COURT, CASE, "判决如下", "草稿", "壹万元整", "壹仟叁佰肆拾陆元叁角", "10,000.00元",
                     "驳回原告", "第二百六十四条", "案件受理费68.75元", "第1页/共1页"):
        assert expected in text, expected
    assert "Noto" in fonts(out)
