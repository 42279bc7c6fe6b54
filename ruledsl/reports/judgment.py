"""The draft main text of a judgment (判决主文): numbered orders, amounts in figures and in capital
numerals (大写), the rest of the claims dismissed, the delayed-performance paragraph and the court fee.

A draft for the judge to read and edit, never a judgment: the page and the PDF say so.  Built from
plain values (who pays whom, each awarded line with its label), so any caller — the judge
assistant's service layer, a batch export — lays out the same text:

* each awarded line that is not zero is one numbered order, 被告…于本判决生效之日起十日内偿还（支付）
  原告…{label}…元（大写：人民币…）; principal is 偿还 (repaid), every other line 支付 (paid);
* when less is awarded than was claimed, a last order dismisses the rest (驳回原告的其他诉讼请求);
* the paragraph of 民事诉讼法 art.264 (如果未按本判决指定的期间履行给付金钱义务……加倍支付迟延履行期间的债务利息);
* the court fee (案件受理费) and who bears it: all by the defendants when everything claimed is awarded,
  else split in proportion to what was awarded (诉讼费用交纳办法 art.29: 部分胜诉、部分败诉的，人民法院根据
  案件的具体情况决定当事人各自负担的诉讼费用数额) — the proportion is the draft's proposal; the judge decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ruledsl.core.money import Money, yuan
from ruledsl.core.numerals import capital_yuan
from ruledsl.reports.render import css, environment, html_to_pdf, write_pdf

#: the order numbers of a judgment's main text
_NUMBERS = "一二三四五六七八九十"
#: 民事诉讼法（2023年修正）第二百六十四条, as a judgment recites it
DELAYED_PERFORMANCE = ("如果未按本判决指定的期间履行给付金钱义务，应当依照《中华人民共和国民事诉讼法》第二百六十四条之规定，"
                       "加倍支付迟延履行期间的债务利息。")
#: the line a judgment orders repaid rather than paid
PRINCIPAL = "principal_outstanding"


@dataclass(frozen=True)
class Ordered:
    """One awarded line: its name, label (借款本金, 利息 …), and the amount awarded."""

    name: str
    label: str
    amount: Money


@dataclass(frozen=True)
class JudgmentDraft:
    court: str
    case_number: str
    plaintiff: str
    defendants: tuple[str, ...]
    orders: tuple[str, ...]
    delayed_performance: str
    fee: str | None

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return (*self.orders, self.delayed_performance, *((self.fee,) if self.fee else ()))


def number(i: int) -> str:
    """The Chinese order number of the ``i``-th order (1 → 一, 10 → 十, 12 → 十二, 20 → 二十)."""
    if not 1 <= i <= 99:
        raise ValueError(f"order number {i} out of range")
    tens, units = divmod(i, 10)
    text = ("" if tens == 0 else ("" if tens == 1 else _NUMBERS[tens - 1]) + "十")
    return text + ("" if units == 0 else _NUMBERS[units - 1])


def order_label(label: str) -> str:
    """A screen label as an order names what is paid: 尚欠借款本金（已到期） → 借款本金 (the order itself says
    it is owed and due), 透支利息（至到期还款日） kept as it is."""
    if label.startswith("尚欠"):
        label = label[2:]
    return label.removesuffix("（已到期）")


def amount_text(amount: Money) -> str:
    """``10,000.00元（大写：人民币壹万元整）``"""
    return f"{yuan(amount)}元（大写：人民币{capital_yuan(amount)}）"


def fee_shares(fee: Money, awarded: Money, claimed: Money) -> tuple[Money, Money]:
    """The court fee split in proportion to the award: ``(the defendants', the plaintiff's)``, the
    defendants' share fee × awarded / claimed rounded half-up to the fen, the plaintiff bearing the rest."""
    if claimed.amount <= 0 or awarded >= claimed:
        return fee, Money(0)
    share = (fee.amount * awarded.amount / claimed.amount).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return Money(share), fee - Money(share)


def judgment_draft(court: str, case_number: str, plaintiff: str, defendants: tuple[str, ...],
                   lines: list[Ordered], *, claimed: Money | None = None, fee: Money | None = None,
                   fee_label: str = "案件受理费") -> JudgmentDraft:
    """The draft main text; ``claimed``: the total claimed (None: the case states no claim), ``fee``:
    the court fee to apportion (None: left for the judge)."""
    who = "、".join(defendants) or "被告"
    awarded = sum((line.amount for line in lines), Money(0))
    orders = []
    for line in lines:
        if line.amount.amount == 0:
            continue
        verb = "偿还" if line.name == PRINCIPAL else "支付"
        orders.append(f"被告{who}于本判决生效之日起十日内{verb}原告{plaintiff}{order_label(line.label)}{amount_text(line.amount)}")
    rest = claimed is not None and awarded < claimed
    if rest:
        orders.append(f"驳回原告{plaintiff}的其他诉讼请求")
    numbered = tuple(f"{number(i)}、{text}{'。' if i == len(orders) else '；'}" for i, text in enumerate(orders, 1))
    fee_text = None
    if fee is not None:
        if claimed is None or not rest:
            fee_text = f"{fee_label}{yuan(fee)}元，由被告{who}负担。"
        else:
            theirs, ours = fee_shares(fee, awarded, claimed)
            fee_text = (f"{fee_label}{yuan(fee)}元，由原告{plaintiff}负担{yuan(ours)}元，"
                        f"被告{who}负担{yuan(theirs)}元。")
    return JudgmentDraft(court, case_number, plaintiff, tuple(defendants), numbered, DELAYED_PERFORMANCE, fee_text)


def render_judgment_html(draft: JudgmentDraft) -> str:
    return environment().get_template("judgment.html").render(draft=draft, css=css())


def render_judgment_pdf(draft: JudgmentDraft) -> bytes:
    return html_to_pdf(render_judgment_html(draft))


def write_judgment_draft(draft: JudgmentDraft, path: str | Path) -> Path:
    return write_pdf(render_judgment_pdf(draft), path)
