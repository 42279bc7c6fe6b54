"""The case page's 计算明细 (calculation) and the debt-growth chart, read from the engine's own trace.

* :func:`calculation` — per award line that a ledger gives (本金, 利息, 罚息, 复利, 费用), a
  :class:`ComponentBlock`: where the figure comes from (the principal lent; each instalment's interest as
  the repayment schedule states it, shown as stated and never as an implied rate; each day-count segment
  with its dates, days, base and annual rate; each fee with its date), the subtotal, what comes off it
  (each cap's cut in words, with its reason and law; what each repayment paid of it; natural debt the
  court does not support; what has not fallen due), the ledger's figure, then the award's own limits
  (a cap on several lines together, the claim) down to the figure awarded;
* :func:`debt_growth` — how the debt grew from the disbursement (a card account: its first posting) to
  the calculation date, per component, as :class:`GrowthPoint` rows for a chart.

Every figure is re-added from the trace of :mod:`ruledsl.calc` (segments, cuts, allocations) and from the
case's inputs the ledger block hands the engine (the schedule's principal, the fees incurred, a card's
postings), never back-solved from the line it should reach: a block whose re-addition misses the line by a
fen, or that has a part the trace does not show, says so (:attr:`ComponentBlock.reconciles` is then false,
:attr:`ComponentBlock.untraced` says what is missing) and never gets a balancing row.

Exactness.  A segment's accrual is the engine's exact :class:`~fractions.Fraction`; the schedule's
stated interest, principal and fees are the inputs' Decimals; what a cap cut and what a repayment paid of
each component are the trace's figures to 10 decimal places (the engine keeps no exact value of them).
Each row shows its amount rounded to the fen; the subtotal and the ledger's figure are the rows' exact sum
(as above), rounded once, half-up.  From the ledger's figure on, the award works in whole fen (each line is
rounded where a rule defines it), and so does this module.

Imports: core, calc, runtime, ruleset and :mod:`ruledsl.service.decide`; nothing above.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ruledsl.calc.award import LINE_LABELS, Award, CapCut, SegmentTrace, fen
from ruledsl.calc.model import CASH, COMPOUND, FEE, FEES, INTEREST, PENALTY, PRINCIPAL
from ruledsl.core.money import Money, round_fen, yuan
from ruledsl.core.rates import format_rate
from ruledsl.ruleset import Decision, Ruleset
from ruledsl.runtime.ledger import LedgerResult
from ruledsl.service.decide import REDUCTION, AwardLine, CaseAward, load_ruleset

ZERO = Fraction(0)

#: a ledger's line → the engine's component, and whether the line is only what has fallen due
FIELDS: dict[str, tuple[str, bool]] = {
    "principal_outstanding": (PRINCIPAL, False), "principal_due": (PRINCIPAL, True),
    "interest": (INTEREST, False), "interest_due": (INTEREST, True),
    "penalty_interest": (PENALTY, False), "compound_interest": (COMPOUND, False), "fees": (FEES, False),
}
#: each component's name as a judge reads it on the page
COMPONENT_LABELS = {PRINCIPAL: "本金", INTEREST: "利息", PENALTY: "罚息", COMPOUND: "复利", FEES: "费用"}
#: the ledger's line each component of the chart ends at
GROWTH_LINES = {PRINCIPAL: "principal_outstanding", INTEREST: "interest", PENALTY: "penalty_interest",
                COMPOUND: "compound_interest", FEES: "fees"}

# the kinds of row, as the table's 类别 column shows them
PRINCIPAL_LENT = "本金"
STATED = "还款计划表载明"
ACCRUAL = "按日计息"
FEE_INCURRED = "费用发生"
CUT = "调减"
UNSUPPORTED = "不予支持"
GRACE = "免息"
PAID = "还款冲抵"
NOT_DUE = "尚未到期"
AWARD_CAP = "总额调减"
CLAIM = "以诉请为限"
SOURCE_KINDS = (PRINCIPAL_LENT, STATED, ACCRUAL, FEE_INCURRED)

#: the engine's marks on the rows it replaces or does not count (see ruledsl.calc.engine, ruledsl.calc.card)
REPLACED_MARK = "由还款计划表"
STATED_SOURCE = "还款计划表载明"
GRACE_KEPT = "免息，不计"
GRACE_UNDECIDED = "免息期未定"


@dataclass(frozen=True)
class Row:
    """One row of a block: what it is (``kind``, ``text`` in Chinese), its amount for display (rounded to
    the fen, negative when it takes something off) and the exact figure it adds (``exact``), and where a
    day-count segment: its dates, days, base and annual rate (``rate`` as text, 18.00%)."""

    kind: str
    text: str
    amount: Money
    exact: Fraction
    start: date | None = None
    end: date | None = None
    days: int | None = None
    base: Money | None = None
    rate: str | None = None
    instalments: str = ""
    law: str = ""


@dataclass(frozen=True)
class ComponentBlock:
    """One award line that a ledger gives, from its sources to the figure awarded.

    ``sources`` add up to ``subtotal`` (their exact sum rounded once); ``deductions`` (cuts, repayments,
    natural debt, what is not yet due) take it to ``ledger_figure``, the re-addition of both, which should
    be the ledger's own figure ``ledger_line``; ``limits`` (a cap the award puts on several lines together,
    the claim) take it, in whole fen, to ``result``, which should be the line awarded (``line.awarded``).
    ``reconciles``: all of it holds to the fen and nothing is ``untraced``."""

    name: str
    label: str
    component: str  # 本金, 利息, 罚息, 复利, 费用
    ledger: str     # the ledger's line as a judge reads it, e.g. 已到期利息 (loan.interest_due)
    sources: tuple[Row, ...]
    subtotal: Money
    deductions: tuple[Row, ...]
    ledger_figure: Money
    ledger_line: Money
    limits: tuple[Row, ...]
    allowed: Money   # re-added: the ledger's figure after the award's caps (依法可支持)
    result: Money    # re-added: after the claim (判决)
    line: AwardLine
    reconciles: bool
    untraced: tuple[str, ...] = ()

    @property
    def rows(self) -> tuple[Row, ...]:
        return (*self.sources, *self.deductions, *self.limits)


@dataclass(frozen=True)
class GrowthPoint:
    """What was owed of ``component`` (本金, 利息, 罚息, 复利, 费用) on ``day``; ``event`` says what changed it
    there (a repayment, stated interest falling due …), empty where it only accrued.  Several points on
    one day are in the order things happened that day."""

    day: date
    component: str
    amount: Money
    event: str = ""


# ---------------------------------------------------------------- text

def rate_text(rate: Decimal) -> str:
    """An annual rate with at least two decimals: 0.18 → 18.00%, 0.07575 → 7.575% (:func:`format_rate`)."""
    text = format_rate(rate)[:-1]
    whole, _, places = text.partition(".")
    return f"{whole}.{places.ljust(2, '0')}%"


def short_citation(text: str) -> str:
    """A citation as a judgment writes it in brackets: the document number and article
    (法发〔2017〕22号第二条), a code without 中华人民共和国 (民法典第五百六十一条)."""
    out = []
    for part in re.split(r"[；\n]", text or ""):
        part = part.strip()
        m = re.search(r"（([^（）]*〔\d{4}〕\d+号)）(.*)$", part)
        out.append(m.group(1) + m.group(2).strip() if m else part.removeprefix("中华人民共和国").replace(" ", ""))
    return "；".join(dict.fromkeys(p for p in out if p))


def _money(value: Fraction) -> Money:
    return Money(fen(value))


def _yuan(value: Fraction | Decimal) -> str:
    """An amount in words' figures, to the fen (a cut of less than half a fen says so, never 0.0039)."""
    value = Fraction(value)
    if value and abs(value) < Fraction(1, 200):
        return "不足 0.01"
    return yuan(Money(fen(value)))


def _chinese(text: str) -> str:
    """The Chinese of a trace text: the English in half-width brackets dropped."""
    return re.sub(r"\s*\([^()]*[A-Za-z][^()]*\)", "", text).strip()


def _periods(s: SegmentTrace) -> str:
    """The instalments of a row in Chinese: 第1期, 第1–4、6期; empty for loan-level interest."""
    if s.instalments:
        return "第" + "、".join(str(a) if a == b else f"{a}–{b}" for a, b in s.instalments) + "期"
    return f"第{s.instalment}期" if s.instalment else ""


def _names(node: Any) -> Iterable[str]:
    """The names an expression of the checked ruleset reads (walked by its fields)."""
    if type(node).__name__ == "Name":
        yield node.name
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            for item in value if isinstance(value, tuple) else (value,):
                if dataclasses.is_dataclass(item):
                    yield from _names(item)


# ---------------------------------------------------------------- one ledger read

@dataclass
class _Item:
    """One figure of the trace or the inputs that a component's balance is made of."""

    kind: str
    component: str
    exact: Fraction          # signed: + adds to what is owed, − takes off
    text: str
    start: date | None = None   # a segment (and its cuts): [start, end), accrued linearly
    end: date | None = None
    day: date | None = None     # an event: on that day
    days: int | None = None
    base: Decimal | None = None
    rate: Decimal | None = None
    instalments: str = ""
    law: str = ""
    chart: bool = True       # drawn on the growth chart (not: a card's interest never owed)
    not_due: Fraction = ZERO  # what of it is interest still running in the current period (not yet due)
    order: int = 0           # on one day: costs and stated interest (0) before repayments (1)
    event: str = ""          # what the chart calls it, when not the kind's word (a card's posting)


class _Ledger:
    """One ledger of a decided case: its result, the inputs its block handed the engine, the items."""

    def __init__(self, ruleset: Ruleset, decision: Decision, name: str) -> None:
        self.name = name
        self.result: LedgerResult = decision.values[name]
        self.award: Award = self.result.award
        self.checked = ruleset.checked
        self.values = decision.values
        self.node = self.checked.definitions[name].expr
        self.problems: list[str] = []
        if not self.award.traced:
            self.problems.append("本案按不带计算过程的方式裁判，无分段明细（decided without the trace）")
        self.card = bool(self.setting("postings"))
        self.until: date | None = self.setting("until")
        self.caps = {cap.span.line: cap for cap in self.node.caps}
        self.items: list[_Item] = []
        self.due: dict[int, bool] = {}  # instalment number → fallen due by the calculation date
        self.period_from: date | None = None  # the interest accrued since is still running (not yet due)
        self.start: date | None = None
        self.single = False  # a loan of one instalment (no instalment numbers on its rows)
        if not self.problems:
            self.read()

    # -- the ledger block's settings
    def setting(self, name: str) -> Any:
        """The value the ledger block gives the engine's field ``name`` (None when it gives none); a setting
        that is not simply a fact of the case is reported, not evaluated."""
        for st in self.node.settings:
            if st.name != name:
                continue
            if type(st.expr).__name__ == "Name" and st.expr.name in self.values:
                return self.values[st.expr.name]
            self.problems.append(f"账簿设定 {name} 不是案件事实本身，无法列示其来源（the ledger's `{name}` is an "
                                 "expression; its items are not traced here）")
            return None
        return None

    def label(self, name: str, default: str) -> str:
        """What the case's input behind the ledger's ``name`` is called (its label without the bracket: 借款本金,
        违约金及其他费用), else ``default``."""
        for st in self.node.settings:
            if st.name == name and type(st.expr).__name__ == "Name":
                field = next((f for f in self.checked.inputs if f.name == st.expr.name), None)
                if field is not None and field.label:
                    return field.label.split("（")[0]
        return default

    # -- reading the trace
    def read(self) -> None:
        award = self.award
        self.start = self.setting("disbursed_on")
        if self.card:
            self.read_card()
        else:
            self.read_loan()
        for a in award.allocations:
            self.read_payment(a)
        if self.start is None:  # a card account: its first posting or repayment
            days = [i.day or i.start for i in self.items if (i.day or i.start) is not None]
            self.start = min(days) if days else self.until

    def read_loan(self) -> None:
        award, until = self.award, self.until
        accelerated = self.setting("accelerated_on")
        schedule = self.setting("instalments")
        if not schedule and self.setting("due_on") is not None:
            schedule = [{"due_on": self.setting("due_on"), "principal": self.setting("principal")}]
        last_due = self.start
        self.single = len(schedule or ()) == 1
        lent = self.label("principal", "借款本金")
        for n, item in enumerate(schedule or (), start=1):
            due = min(item["due_on"], accelerated) if accelerated else item["due_on"]
            self.due[n] = until is not None and due <= until
            if self.due[n]:
                last_due = max(last_due, due) if last_due else due
            when = f"到期日 {item['due_on']}" + (f"，{accelerated} 宣布提前到期" if accelerated and due != item["due_on"]
                                               else "")
            text = f"{lent}（{when}）" if self.single else f"第{n}期本金（{when}）"
            self.items.append(_Item(PRINCIPAL_LENT, PRINCIPAL, Fraction(item["principal"]), text, day=self.start,
                                    instalments=f"第{n}期" if len(schedule) > 1 else ""))
        self.period_from = last_due
        what = self.label("costs", "实现债权的有关费用")
        for cost in self.setting("costs") or ():
            self.items.append(_Item(FEE_INCURRED, FEES, Fraction(cost["amount"]),
                                    f"{cost['incurred_on']} 发生{cost.get('label') or what}",
                                    day=cost["incurred_on"], law=short_citation(self.cite(FEES))))
        segments = [s for s in award.segments if not (s.component == INTEREST and s.instalment is None
                                                       and REPLACED_MARK in s.rule)]
        for s in segments:
            if s.rate_source.startswith(STATED_SOURCE):
                self.items.append(_Item(STATED, INTEREST, s.exact, f"第 {s.instalment} 期 还款计划表载明利息 "
                                        f"{_yuan(s.exact)} 元（按计划表所载，不按日另计）",
                                        start=s.start, end=s.end, day=s.end, instalments=f"第{s.instalment}期",
                                        law=short_citation(s.citation)))
            else:
                self.items.append(self.accrual(s, not_due=self.running(s)))
        self.read_cuts(segments)

    def read_card(self) -> None:
        award = self.award
        for n, p in enumerate(self.setting("postings") or (), start=1):
            kind = p.get("kind") or "purchase"
            what = {"purchase": "消费", CASH: "取现", FEE: "费用"}.get(kind, kind)
            text = f"第{n}笔{what}（记账日 {p['posted_on']}" + (f"，{p['label']}" if p.get("label") else "") + "）"
            comp = FEES if kind == FEE else PRINCIPAL
            self.items.append(_Item(FEE_INCURRED if comp == FEES else PRINCIPAL_LENT, comp, Fraction(p["amount"]),
                                    text, day=p["posted_on"], instalments=f"第{n}笔", event=f"{what}记账"))
        self.read_late_fees()
        for s in award.segments:
            item = self.accrual(s)
            if GRACE_KEPT in s.rule or GRACE_UNDECIDED in s.rule:
                item.chart = False
            self.items.append(item)
        self.read_cuts(award.segments)
        for mark, why in ((GRACE_KEPT, "已于到期还款日前全额还款的各笔消费免息，其暂计利息不计"),
                          (GRACE_UNDECIDED, "免息期尚未确定的各笔消费，其暂计利息不计入")):
            rows = [s for s in award.segments if mark in s.rule]
            if not rows:
                continue
            gone = sum((s.exact for s in rows), ZERO) - sum((Fraction(v) for c in award.cuts if mark in c.reason
                                                             for _, v in c.removed_by_component), ZERO)
            numbers = "、".join(dict.fromkeys(str(s.instalment) for s in rows))
            self.items.append(_Item(GRACE, INTEREST, -gone, f"{why}（第{numbers}笔）", chart=False,
                                    day=max(s.end for s in rows)))

    def read_late_fees(self) -> None:
        """A card's 违约金: the engine books one where its note says so; the figure is the agreed rate times
        the minimum payment less what was paid in the statement's cycle (see ruledsl.calc.card)."""
        statements = self.setting("statements") or ()
        rate = self.setting("late_fee_rate")
        repayments = self.setting("repayments") or ()
        for note in self.award.notes:
            m = re.match(r"第(\d+)期账单", note)
            if not m or "违约金 =" not in note:
                continue
            k = int(m.group(1))
            if rate is None or not 0 < k <= len(statements):
                self.problems.append(f"第{k}期账单的违约金无法由案件事实列示（the late fee of statement {k} is not traced）")
                continue
            st = statements[k - 1]
            paid = sum((Fraction(r["amount"]) for r in repayments if st["statement_on"] < r["paid_on"] <= st["due_on"]),
                       ZERO)
            short = Fraction(st["minimum"]) - paid
            booked = date.fromordinal(st["due_on"].toordinal() + 1)
            self.items.append(_Item(FEE_INCURRED, FEES, Fraction(rate) * short,
                                    f"违约金：第{k}期账单最低还款额未还部分 {_yuan(short)} 元 × {rate_text(rate)}"
                                    f"（{booked} 记入，不计利息）", day=booked))

    def cite(self, component: str) -> str:
        for s in self.award.segments:
            if s.component == component:
                return s.citation
        line = self.award.lines.get(component)
        return line.citation if line is not None else ""

    def running(self, s: SegmentTrace) -> bool:
        """Whether ``s`` is day-count interest of the current period, still running at the calculation date
        (a pool of the engine not yet fallen due with an instalment)."""
        return (not self.card and s.component == INTEREST and s.instalment is None
                and self.period_from is not None and s.start >= self.period_from)

    def accrual(self, s: SegmentTrace, not_due: bool = False) -> _Item:
        periods = "" if self.single else _periods(s)
        if self.card:
            text, periods = _chinese(s.rule).replace(" — ", "，"), f"第{s.instalment}笔"
        elif s.component == INTEREST:
            text = f"{periods}到期日当日利息" if s.instalment else "借期内利息（基数为尚未到期的本金）"
        elif s.component == PENALTY:
            text = f"{periods}逾期本金的罚息"
        else:
            text = f"{periods}到期未付利息的复利"
        return _Item(ACCRUAL, s.component, s.exact, text, start=s.start, end=s.end, days=s.days, base=s.base,
                     rate=s.rate, instalments=periods, law=short_citation(s.citation),
                     not_due=s.exact if not_due else ZERO)

    def cap_words(self, cut: CapCut, accrued: Sequence[str]) -> tuple[str, str]:
        """What a cap cut, in words (依借款人请求，罚息与复利合计超过年利率24%的部分), and its law."""
        lines = [int(n) for n in re.findall(r"\(line (\d+)\)", cut.cap)]
        cap = next((self.caps[n] for n in lines if n in self.caps), None)
        asked = cap is not None and cap.when is not None and REDUCTION in set(_names(cap.when))
        rate = f"年利率{rate_text(cut.cap_rate)}"
        if cap is not None and type(cap.rate).__name__ == "Name":
            label = getattr(self.checked.definitions.get(cap.rate.name), "label", None)
            if label:
                rate = f"{label[:-1]}，{rate}）" if label.endswith("）") else f"{label}（{rate}）"
        if cut.applies_to.startswith("stated interest"):
            n = cut.applies_to.rsplit("#", 1)[-1]
            what = f"第 {n} 期还款计划表载明的利息超过{rate}（按该期各段计算）的部分"
        else:
            names = [COMPONENT_LABELS[c] for c in (INTEREST, PENALTY, COMPOUND, FEES) if c in accrued] or \
                [COMPONENT_LABELS.get(c, c) for c in cut.components]
            both = "与".join(names) if len(names) <= 2 else "、".join(names[:-1]) + "与" + names[-1]
            what = f"{both}{'合计' if len(names) > 1 else ''}超过{rate}的部分"
        return ("依借款人请求，" if asked else "") + what, short_citation(cut.citation)

    def read_cuts(self, segments: Sequence[SegmentTrace]) -> None:
        """Each cap's cut of each component: ``remove`` cuts as they are; of ``unsupported`` ones (natural
        debt, not awarded), per segment and component the largest (several such caps overlap; the engine
        keeps the largest share)."""
        accrued: dict[tuple[date, date], set[str]] = defaultdict(set)
        interest: dict[tuple[date, date], list[Fraction]] = defaultdict(lambda: [ZERO, ZERO])  # all, running
        for s in segments:
            if s.rate_source.startswith(STATED_SOURCE):
                continue
            if s.exact:
                accrued[s.start, s.end].add(s.component)
            if s.component == INTEREST:
                interest[s.start, s.end][0] += s.exact
                if self.running(s):
                    interest[s.start, s.end][1] += s.exact
        # a cut scales every interest row of its segment alike: the running interest's share of it is not due
        self.running_share = {k: run / whole for k, (whole, run) in interest.items() if whole and run}
        biggest: dict[tuple[date, date, str], tuple[Fraction, CapCut]] = {}
        for cut in self.award.cuts:
            stated = cut.applies_to.startswith("stated interest")
            for comp, removed in cut.removed_by_component:
                value = Fraction(removed)
                if not value:
                    continue
                if cut.kind == "unsupported" and not stated:
                    key = (cut.start, cut.end, comp)
                    if key not in biggest or value > biggest[key][0]:
                        biggest[key] = (value, cut)
                    continue
                self.items.append(self.cut_item(cut, comp, value, accrued, stated))
        for (_, _, comp), (value, cut) in biggest.items():
            self.items.append(self.cut_item(cut, comp, value, accrued, False))

    def cut_item(self, cut: CapCut, comp: str, value: Fraction, accrued, stated: bool) -> _Item:
        what, law = self.cap_words(cut, sorted(accrued.get((cut.start, cut.end), ())))
        total = sum((Fraction(v) for _, v in cut.removed_by_component), ZERO)
        when = f"{cut.start}至{cut.end}，"
        if cut.kind == "unsupported":
            text = f"{when}{what}属自然债务，不予支持 {_yuan(total)} 元（{law}）"
        else:
            text = f"{when}{what}调减 {_yuan(total)} 元（{law}）"
        if value != total:
            text += f"，其中{COMPONENT_LABELS.get(comp, comp)} {_yuan(value)} 元"
        if GRACE_KEPT in cut.reason or GRACE_UNDECIDED in cut.reason:
            text += "（该笔消费免息，此项不计）"
        item = _Item(UNSUPPORTED if cut.kind == "unsupported" else CUT, comp, -value, text, law=law)
        if stated:
            item.day = cut.end
        else:
            item.start, item.end = cut.start, cut.end
            if comp == INTEREST:
                item.not_due = item.exact * self.running_share.get((cut.start, cut.end), ZERO)
        if GRACE_KEPT in cut.reason or GRACE_UNDECIDED in cut.reason:
            item.chart = False
        return item

    def read_payment(self, a) -> None:
        """What one repayment paid of each component (what it paid of a natural debt is said, not taken off:
        that band was never part of what the court awards)."""
        paid: dict[str, Fraction] = defaultdict(lambda: ZERO)
        band: dict[str, Fraction] = defaultdict(lambda: ZERO)
        for comp, _, amount in a.parts:
            if comp in COMPONENT_LABELS:
                paid[comp] += Fraction(amount)
            else:  # "interest (24–36% band, natural debt)"
                band[comp.split(" (", 1)[0]] += Fraction(amount)
        designated = re.search(r"指定清偿第(\d+)期", a.citation)
        how = f"（指定清偿第{designated.group(1)}期）" if designated else ""
        law = short_citation(a.citation)
        for comp in sorted(set(paid) | set(band), key=list(COMPONENT_LABELS).index):
            text = f"{a.paid_on} 还款 {_yuan(a.amount)} 元{how}，冲抵{COMPONENT_LABELS[comp]} {_yuan(paid[comp])} 元"
            if band[comp]:
                text += f"，另清偿超过保护上限的自然债务 {_yuan(band[comp])} 元（已付不予返还，不计入本项）"
            self.items.append(_Item(PAID, comp, -paid[comp], text, day=a.paid_on, law=law, order=1))

    def running_paid(self) -> Fraction:
        """What the repayments paid of the interest still running in the current period (not yet due)."""
        if self.card or self.period_from is None:
            return ZERO
        return sum((Fraction(amount) for a in self.award.allocations if a.paid_on >= self.period_from
                    for comp, n, amount in a.parts if comp == INTEREST and n is None), ZERO)

    def of(self, component: str) -> list[_Item]:
        return [i for i in self.items if i.component == component]


def _ledger_of(line: str, ruleset: Ruleset) -> tuple[str, str] | None:
    """(ledger, field) when the award line is a ledger's line as it is (``interest = loan.interest_due``)."""
    d = ruleset.checked.definitions.get(line)
    expr = getattr(d, "expr", None)
    if type(expr).__name__ != "Attr" or type(expr.obj).__name__ != "Name":
        return None
    ledger = ruleset.checked.definitions.get(expr.obj.name)
    if ledger is None or type(ledger.expr).__name__ != "Ledger":
        return None
    return expr.obj.name, expr.name


# ---------------------------------------------------------------- the calculation

def _row(item: _Item) -> Row:
    return Row(item.kind, item.text, _money(item.exact), item.exact, item.start, item.end, item.days,
               None if item.base is None else _money(Fraction(item.base)),
               None if item.rate is None else rate_text(item.rate), item.instalments, item.law)


def _when(item: _Item) -> tuple:
    return (item.start or item.day or date.min, item.end or item.day or date.min, item.order)


_DEDUCTION_ORDER = (CUT, UNSUPPORTED, GRACE, PAID, NOT_DUE)


def calculation(award: CaseAward) -> list[ComponentBlock]:
    """The calculation of each award line a ledger gives, in the award's order (see :class:`ComponentBlock`);
    lines no ledger gives (a total, a court fee) have none."""
    ruleset = load_ruleset(award.ruleset)
    return calculation_of(ruleset, award.decision, award.lines)


def calculation_of(ruleset: Ruleset, decision: Decision, lines: Sequence[AwardLine]) -> list[ComponentBlock]:
    """:func:`calculation` of ``decision`` under ``ruleset`` for the award ``lines``."""
    ledgers: dict[str, _Ledger] = {}
    caps = _award_caps(ruleset, decision)
    claim_law = short_citation("；".join(ruleset.checked.citation_text(
        ruleset.checked.claim.citation))) if ruleset.checked.claim is not None else ""
    blocks = []
    for line in lines:
        found = _ledger_of(line.name, ruleset)
        if found is None or found[1] not in FIELDS:
            continue
        name, field = found
        if name not in ledgers:
            ledgers[name] = _Ledger(ruleset, decision, name)
        blocks.append(_block(ledgers[name], field, line, caps.get(line.name, ()), claim_law))
    return blocks


def _block(ledger: _Ledger, field: str, line: AwardLine, caps: Sequence[tuple[Fraction, str]],
           claim_law: str) -> ComponentBlock:
    component, due_only = FIELDS[field]
    untraced = list(ledger.problems)
    if due_only and ledger.card:
        untraced.append(f"信用卡账户的“{LINE_LABELS.get(field, field)}”未在此列示（a card account's {field} is not "
                        "traced here）")
    items = ledger.of(component)
    sources = sorted((i for i in items if i.kind in SOURCE_KINDS), key=_when)
    deductions = sorted((i for i in items if i.kind not in SOURCE_KINDS),
                        key=lambda i: (_DEDUCTION_ORDER.index(i.kind), *_when(i)))
    rows = [_row(i) for i in deductions]
    subtotal = sum((i.exact for i in sources), ZERO)
    running = subtotal + sum((i.exact for i in deductions), ZERO)
    if due_only and not untraced:
        if component == PRINCIPAL:
            not_due = _principal_not_due(ledger)
            what = "尚未到期的本金（" + "、".join(f"第{n}期" for n, due in ledger.due.items() if not due) + \
                "，到期日在计算截止日之后，不予判付）"
        else:
            not_due = sum((i.not_due for i in items), ZERO) - ledger.running_paid()
            what = f"当期（{ledger.period_from} 起）已计但尚未到期的利息，不予判付"
        if not_due:
            rows.append(Row(NOT_DUE, what, _money(-not_due), -not_due))
            running -= not_due
    figure = fen(running)
    ledger_line = round_fen(Decimal(ledger.result.get(field, Decimal(0))))
    limits: list[Row] = []
    allowed = figure
    for removed, text in caps:
        limits.append(Row(AWARD_CAP, text, _money(-removed), -removed))
        allowed -= fen(removed)
    result = allowed
    if line.claimed is not None and line.claimed.amount < allowed:
        cut = Fraction(line.claimed.amount - allowed)
        limits.append(Row(CLAIM, f"诉请 {yuan(line.claimed)} 元，低于依法可支持的 {yuan(Money(allowed))} 元，以诉请为限"
                                 + (f"（{claim_law}）" if claim_law else ""), _money(cut), cut))
        result = line.claimed.amount
    ok = (not untraced and figure == ledger_line and allowed == line.allowed.amount
          and result == line.awarded.amount)
    return ComponentBlock(line.name, line.label, COMPONENT_LABELS[component], LINE_LABELS.get(field, field),
                          tuple(_row(i) for i in sources), _money(subtotal), tuple(rows), Money(figure),
                          Money(ledger_line), tuple(limits), Money(allowed), Money(result), line, ok, tuple(untraced))


def _principal_not_due(ledger: _Ledger) -> Fraction:
    """The principal of the instalments not due by the calculation date, less what was paid of it ahead."""
    if ledger.card:
        return ZERO
    owed = {n: ZERO for n, due in ledger.due.items() if not due}
    lent = [i for i in ledger.of(PRINCIPAL) if i.kind == PRINCIPAL_LENT]
    for n, item in enumerate(lent, start=1):
        if n in owed:
            owed[n] += item.exact
    for a in ledger.award.allocations:
        for comp, n, amount in a.parts:
            if comp == PRINCIPAL and n in owed:
                owed[n] -= Fraction(amount)
    return sum(owed.values(), ZERO)


def _award_caps(ruleset: Ruleset, decision: Decision) -> dict[str, list[tuple[Fraction, str]]]:
    """Per award line, what a cap of the award (on several lines together) took off it, in whole fen, with
    the words: the lines it covers, its limit and why (from the cap's trace entry: the limit, each line
    after it; before it, each line as its rule gave it)."""
    checked = ruleset.checked
    out: dict[str, list[tuple[Fraction, str]]] = defaultdict(list)
    seen = set()
    for cap in checked.capped_by.values():
        if id(cap) in seen:
            continue
        seen.add(id(cap))
        entry = next((e for e in decision.trace if e.kind == "cap" and e.span is not None
                      and e.span.line == cap.span.line and e.rule.startswith("cap ")), None)
        if entry is None:
            continue  # its condition did not hold: the cap was not applied
        limit = entry.limit
        before = {}
        for target in cap.targets:
            found = _ledger_of(target, ruleset)
            if found is None:
                break
            before[target] = round_fen(Decimal(decision.values[found[0]][found[1]]))
        if len(before) != len(cap.targets):
            continue
        removed = {t: before[t] - Decimal(entry.inputs[t]) for t in cap.targets}
        total = sum(removed.values(), Decimal(0))
        if not total:
            continue
        names = [COMPONENT_LABELS.get(FIELDS.get(_ledger_of(t, ruleset)[1], (t,))[0], t) for t in cap.targets]
        label = None
        if type(cap.limit).__name__ == "Name":
            label = getattr(checked.definitions.get(cap.limit.name), "label", None)
        asked = cap.when is not None and REDUCTION in set(_names(cap.when))
        law = short_citation("；".join(entry.citations))
        limit_text = f"{yuan(Money(limit))} 元" if limit is not None else ""
        label = label or "上限"
        if limit_text:
            label = f"{label[:-1]}，即 {limit_text}）" if label.endswith("）") else f"{label}（{limit_text}）"
        words = (("依借款人请求，" if asked else "") + "、".join(names) + "合计超过" + label
                 + f"的部分调减 {yuan(Money(total))} 元" + (f"（{law}）" if law else ""))
        for t in cap.targets:
            if removed[t]:
                out[t].append((Fraction(removed[t]), words + f"，本项调减 {yuan(Money(removed[t]))} 元"))
    return out


# ---------------------------------------------------------------- the debt's growth

def debt_growth(award: CaseAward) -> list[GrowthPoint]:
    """How the debt grew, per component, from the disbursement (a card account: its first posting or
    repayment) to the calculation date, for each ledger the award reads.

    What the chart shows: for 本金, 利息, 罚息, 复利 (and 费用 where there are fees), what the borrower owed
    of it at each date by the engine's own trace — the principal lent (a card: each purchase and cash
    advance on its posting date); interest, penalty and compound interest accruing over each day-count
    segment, linearly within it (the engine's closed form ``base × rate × days / basis``), each net of what
    the ledger's caps cut from that segment (and of the natural debt an ``unsupported`` cap marks); the
    interest an instalment's schedule states added on its due date (what it replaces is not drawn), net of
    any cap on it; fees on the day incurred; each repayment taking off, on its date, what it paid of each
    component (民法典 560, 561 as the engine applied it).  A card's purchase interest is drawn only where
    its grace was lost, as it accrued.  Interest still running in the current period is included (it is
    owed, though not yet due): the last point of each component is the ledger's line (``loan.interest``,
    ``loan.penalty_interest`` …), before the award's own caps and the claim, which the calculation shows.
    Points lie at every segment boundary and event; on a day with an event there is a point before and one
    after it (two when a figure falls due and is paid that day), so straight lines between points are the
    exact path."""
    ruleset = load_ruleset(award.ruleset)
    names = []
    for line in award.lines:
        found = _ledger_of(line.name, ruleset)
        if found is not None and found[0] not in names:
            names.append(found[0])
    out: list[GrowthPoint] = []
    for name in names:
        ledger = _Ledger(ruleset, award.decision, name)
        if ledger.problems:
            continue
        prefix = f"{name} " if len(names) > 1 else ""
        for comp in (PRINCIPAL, INTEREST, PENALTY, COMPOUND, FEES):
            items = [i for i in ledger.of(comp) if i.chart]
            if comp == FEES and not items:
                continue
            out.extend(_path(items, prefix + COMPONENT_LABELS[comp], ledger.start, ledger.until))
    return out


#: what a step of the chart is, by the kind of its item
_EVENTS = {PRINCIPAL_LENT: "放款", STATED: "还款计划表载明利息到期", FEE_INCURRED: "费用发生", CUT: "调减",
           UNSUPPORTED: "不予支持", PAID: "还款冲抵"}


def _path(items: list[_Item], label: str, start: date, until: date) -> list[GrowthPoint]:
    """The points of one component: linear pieces (segments and their cuts) and steps (events, each on its
    day: what falls due or is incurred first, then what the day's repayments took off)."""
    pieces: dict[tuple[date, date], Fraction] = defaultdict(lambda: ZERO)
    steps: dict[date, list[tuple[Fraction, list[str]]]] = defaultdict(lambda: [(ZERO, []), (ZERO, [])])
    for i in items:
        if i.kind == STATED or i.start is None or i.end is None:
            delta, events = steps[i.day][i.order]
            steps[i.day][i.order] = (delta + i.exact, [*events, i.event or _EVENTS.get(i.kind, i.kind)])
        else:
            pieces[i.start, i.end] += i.exact

    def accrued(day: date) -> Fraction:
        total = ZERO
        for (a, b), amount in pieces.items():
            if b <= day:
                total += amount
            elif a < day:
                total += amount * (day - a).days / (b - a).days
        return total

    days = sorted(d for d in {start, until, *steps, *(d for piece in pieces for d in piece)} if start <= d <= until)
    out: list[GrowthPoint] = []
    stepped = ZERO
    for day in days:
        out.append(GrowthPoint(day, label, _money(accrued(day) + stepped)))
        for delta, events in steps.get(day, ()):
            if events:
                stepped += delta
                out.append(GrowthPoint(day, label, _money(accrued(day) + stepped), "、".join(dict.fromkeys(events))))
    return out


def table_rows(block: ComponentBlock) -> list[dict[str, str]]:
    """The rows of a block as the page's table shows them (Chinese headings; amounts to the fen), with the
    subtotal, the ledger's figure and the figure awarded in their places."""
    def show(row: Row) -> dict[str, str]:
        dates = f"{row.start} 至 {row.end}" if row.start and row.end else ""
        return {"类别": row.kind, "说明": row.text, "期次": row.instalments, "起止日期": dates,
                "天数": "" if row.days is None else str(row.days),
                "基数（元）": "" if row.base is None else yuan(row.base), "年利率": row.rate or "",
                "金额（元）": yuan(row.amount)}

    def total(kind: str, text: str, money: Money) -> dict[str, str]:
        return {"类别": kind, "说明": text, "期次": "", "起止日期": "", "天数": "", "基数（元）": "", "年利率": "",
                "金额（元）": yuan(money)}

    out = [show(r) for r in block.sources]
    out.append(total("小计", f"{block.component}来源合计", block.subtotal))
    out += [show(r) for r in block.deductions]
    out.append(total("=", f"账面金额（账簿“{block.ledger}”）", block.ledger_figure))
    out += [show(r) for r in block.limits]
    out.append(total("=", f"判决金额：{block.label}", block.result))
    return out
