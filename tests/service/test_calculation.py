"""The case page's 计算明细 and debt-growth chart (ruledsl.service.calculation).

Data-driven: every ``example`` block of the shipped loan rulesets (consumer_loan, credit_card, private_lending)
and the demo store's cases (the hand-written ones, those with evidence files, and generated consumer loans as
``service.demo.seed`` makes them) — each block re-adds to its award line to the fen, and the last point of
each component of the growth chart is the ledger's line.  Then hand-worked cases, each figure derived in a
comment from the case's facts (the rulesets' own worked examples), never copied from the code's output.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ruledsl.calc.award import fen
from ruledsl.cases.inputs import parse_case
from ruledsl.core.money import Money
from ruledsl.lang.interpreter import Interpreter
from ruledsl.ruleset import load
from ruledsl.ruleset.examples import _constant, _jsonable
from ruledsl.runtime.ledger import LedgerResult
from ruledsl.service import create_user, demo, get_case, sign_in
from ruledsl.service.access import CaseRecord
from ruledsl.service.calculation import (
    ACCRUAL,
    AWARD_CAP,
    CLAIM,
    COMPONENT_LABELS,
    CUT,
    GROWTH_LINES,
    NOT_DUE,
    PAID,
    PRINCIPAL_LENT,
    STATED,
    UNSUPPORTED,
    ComponentBlock,
    calculation,
    debt_growth,
    rate_text,
    short_citation,
    table_rows,
)
from ruledsl.service.decide import RULESETS, AwardLine, CaseAward, WhatIf, case_award, file_case, ruleset_ref

LOAN_RULESETS = ("consumer_loan", "credit_card", "private_lending")
NOW = datetime(2025, 6, 1, tzinfo=UTC)
M = Money


def _award(path: Path, decision) -> CaseAward:  # type: ignore[no-untyped-def]
    """The CaseAward of a decided example, its lines as service.decide.case_award makes them."""
    rs = load(path)
    claim = decision.claim or {}
    lines = []
    for name, amount in decision.award.items():
        if name == "total":
            continue
        c = claim.get(name)
        lines.append(AwardLine(name, rs.checked.definitions[name].label or name, c.claimed if c else None,
                               c.allowed if c else amount, amount, ""))
    return CaseAward(0, ruleset_ref(path), tuple(lines), None, decision.route, False, decision.evidence_complete,
                     WhatIf(), None, decision)


def _examples() -> list:
    out = []
    for name in LOAN_RULESETS:
        path = RULESETS / "cn" / f"{name}.rules"
        for example in load(path).checked.examples:
            out.append(pytest.param(path, example.title, id=f"{name}: {example.title}"))
    return out


def example_award(path: Path, title: str) -> CaseAward:
    """An example block decided as ``ruledsl test`` decides it (settings may be given)."""
    rs = load(path)
    example = next(e for e in rs.checked.examples if e.title == title)
    constants = Interpreter(rs.checked)
    given = {b.name: _constant(constants, b) for b in example.given}
    verified = given.pop("evidence", None)
    decision = rs.run(parse_case(rs.checked, _jsonable(given), "example",
                                 _jsonable(verified) if verified else None, settings=True))
    return _award(path, decision)


def consumer(title: str) -> CaseAward:
    return example_award(RULESETS / "cn" / "consumer_loan.rules", title)


def private(title: str) -> CaseAward:
    return example_award(RULESETS / "cn" / "private_lending.rules", title)


def block(award: CaseAward, name: str) -> ComponentBlock:
    return next(b for b in calculation(award) if b.name == name)


def ledger_of(award: CaseAward) -> LedgerResult:
    return next(v for v in award.decision.values.values() if isinstance(v, LedgerResult))


def assert_reconciles(award: CaseAward) -> None:
    """Every block adds up to its award line; the chart ends at the ledger's lines."""
    blocks = calculation(award)
    ledger_names = {line.name for line in award.lines} - {"total"}
    assert {b.name for b in blocks} == ledger_names  # every line a ledger gives has its block
    for b in blocks:
        assert b.reconciles, (b.name, b.untraced, b.ledger_figure, b.ledger_line, b.result, b.line.awarded)
        # re-added here too, from the rows: sources → subtotal, + deductions → ledger figure, + limits → awarded
        assert fen(sum((r.exact for r in b.sources), Fraction(0))) == b.subtotal.amount
        assert fen(sum((r.exact for r in (*b.sources, *b.deductions)), Fraction(0))) == b.ledger_figure.amount
        assert b.ledger_figure.amount + sum((r.amount.amount for r in b.limits), Decimal(0)) == b.result.amount
        assert b.ledger_figure == b.ledger_line and b.result == b.line.awarded and b.allowed == b.line.allowed
        assert all(r.amount.amount == r.amount.amount.quantize(Decimal("0.01")) for r in b.rows)  # to the fen
        assert all(not r.text.isascii() for r in b.rows)  # Chinese words on every row
    ledger = ledger_of(award)
    last: dict[str, Money] = {}
    for p in debt_growth(award):
        last[p.component] = p.amount
    for component, line in GROWTH_LINES.items():
        label = COMPONENT_LABELS[component]
        if label in last:
            assert last[label] == M(ledger[line]), (label, last[label], ledger[line])
    assert {"本金", "利息", "罚息", "复利"} <= set(last)


# ---------------------------------------------------------------- every example, every demo case

@pytest.mark.parametrize(("path", "title"), _examples())
def test_every_example_reconciles(path: Path, title: str) -> None:
    assert_reconciles(example_award(path, title))


def _draft(ruleset_id: str, inputs: dict, n: int = 1) -> CaseRecord:
    return CaseRecord(n, f"demo {n}", "x", "", ruleset_ref(RULESETS.joinpath(*ruleset_id.split(".")[:-1],
                                                                             ruleset_id.split(".")[-1] + ".rules")),
                      dict(inputs), NOW, NOW, (), (), ())


@pytest.mark.parametrize("n", range(len(demo.CASES)))
def test_every_hand_written_demo_case_reconciles(n: int) -> None:
    case = demo.CASES[n]
    assert_reconciles(case_award(_draft(case["ruleset"], case["inputs"], n)))


def test_the_demo_cases_with_evidence_and_generated_loans_reconcile() -> None:
    # as service.demo.seed draws them: a lender, the loan, a person (200 of its 1,000)
    rng = random.Random(2026)
    cases = [c["inputs"] for c in demo.EVIDENCE_CASES]
    for _ in range(200):
        rng.choice((demo.BANK, demo.CONSUMER_FINANCE))
        cases.append(demo.random_loan(rng))
        demo.random_person(rng)
    for n, inputs in enumerate(cases):
        assert_reconciles(case_award(_draft(demo.CONSUMER, inputs, n)))


def test_a_case_filed_in_the_store_reconciles(store: Engine) -> None:
    create_user(store, "bank", "correct horse 42", "lender", "bank", lender=demo.BANK)
    create_user(store, "judge", "correct horse 42", "judge", "judge")
    bank = sign_in(store, "bank", "correct horse 42")
    case = demo.CASES[2]  # 36% penalty, the reduction asked and a claim above it
    ref = ruleset_ref(RULESETS / "cn" / "consumer_loan.rules")
    case_id = file_case(store, bank, "(2024)浙0192民初1号", demo.BANK, ref, case["inputs"],
                        [demo.plaintiff(demo.BANK), demo.PEOPLE[case["defendant"]]])
    award = case_award(get_case(store, sign_in(store, "judge", "correct horse 42"), case_id))
    assert_reconciles(award)
    assert not any(r.kind == CLAIM for b in calculation(award) for r in b.limits)  # claimed above what the law allows
    assert any(r.kind == CUT for b in calculation(award) for r in b.deductions)


# ---------------------------------------------------------------- hand-worked

def test_27_percent_not_cut_without_a_request_row_by_row() -> None:
    # consumer_loan "without a request the court does not cut 27% penalty and compound interest":
    # 10,000.00 lent 2023-01-01 at 18%, due 2024-01-01 with stated interest 10,000 × 18% = 1,800.00; penalty
    # rate 18% × 150% = 27% (compound at the penalty rate); to 2024-07-01 = 182 days overdue (2024 leap year)
    award = consumer("without a request the court does not cut 27% penalty and compound interest")
    principal = block(award, "principal_outstanding")
    assert [(r.kind, r.amount) for r in principal.sources] == [(PRINCIPAL_LENT, M("10000.00"))]
    assert principal.deductions == () and principal.ledger_figure == M("10000.00")

    interest = block(award, "interest")
    (stated,) = interest.sources  # the schedule's 1,800.00 as stated: no rate, no base, no day count
    assert stated.kind == STATED and stated.amount == M("1800.00") and stated.exact == 1800
    assert stated.rate is None and stated.base is None and stated.days is None
    assert "第 1 期 还款计划表载明利息 1,800.00 元" in stated.text
    assert (stated.start, stated.end) == (date(2023, 1, 1), date(2024, 1, 1))
    assert interest.subtotal == interest.ledger_figure == interest.result == M("1800.00")

    penalty = block(award, "penalty_interest")
    (row,) = penalty.sources
    # 10,000 × 27% × 182 / 365 = 491,400 / 365 = 1,346.3013… → 1,346.30
    assert (row.kind, row.start, row.end, row.days, row.base, row.rate) == (
        ACCRUAL, date(2024, 1, 1), date(2024, 7, 1), 182, M("10000.00"), "27.00%")
    assert row.exact == Fraction(491400, 365) and row.amount == M("1346.30")
    assert penalty.subtotal == penalty.ledger_figure == penalty.result == M("1346.30")
    assert penalty.deductions == () and penalty.limits == ()

    compound = block(award, "compound_interest")
    (row,) = compound.sources
    # on the unpaid stated interest: 1,800 × 27% × 182 / 365 = 88,452 / 365 = 242.3342… → 242.33
    assert (row.base, row.rate, row.days) == (M("1800.00"), "27.00%", 182)
    assert row.exact == Fraction(88452, 365) and row.amount == M("242.33")
    assert compound.result == M("242.33") and compound.reconciles

    table = table_rows(penalty)  # as the page shows it: Chinese headings, amounts to the fen
    assert table[0]["年利率"] == "27.00%" and table[0]["金额（元）"] == "1,346.30" and table[0]["天数"] == "182"
    assert [r["类别"] for r in table] == [ACCRUAL, "小计", "=", "="]


def test_the_24_percent_cut_in_words() -> None:
    # consumer_loan "reduction asked: penalty and compound interest cut to 24% a year": the loan above, the
    # borrower asks.  2024-01-01 → 2024-07-01: allowed 10,000 × 24% × 182 / 365 = 436,800 / 365 = 1,196.7123…;
    # accrued 1,346.3013… + 242.3342… = 1,588.6356…; excess 391.9232…, compound first: 242.3342… → 0.00,
    # then 391.9232… − 242.3342… = 149.5890… off penalty: 1,346.3013… − 149.5890… = 1,196.7123… → 1,196.71
    award = consumer("reduction asked: penalty and compound interest cut to 24% a year")
    penalty = block(award, "penalty_interest")
    assert penalty.subtotal == M("1346.30")
    (cut,) = penalty.deductions
    assert cut.kind == CUT and cut.amount == M("-149.59")
    # the cut of penalty interest: (491,400 + 88,452 − 436,800) / 365 − 88,452 / 365 = 54,600 / 365 = 149.5890…
    assert abs(cut.exact + Fraction(54600, 365)) < Fraction(1, 10**9)  # (the trace keeps cuts to 10 places)
    assert cut.text.startswith("2024-01-01至2024-07-01，依借款人请求，罚息与复利合计超过年利率24.00%的部分调减 391.92 元"
                               "（法发〔2017〕22号第二条")
    assert cut.text.endswith("其中罚息 149.59 元")
    assert penalty.ledger_figure == penalty.result == M("1196.71")

    compound = block(award, "compound_interest")
    (cut,) = compound.deductions
    assert cut.amount == M("-242.33") and abs(cut.exact + Fraction(88452, 365)) < Fraction(1, 10**9)
    assert "其中复利 242.33 元" in cut.text
    assert compound.subtotal == M("242.33") and compound.ledger_figure == compound.result == M("0.00")


def test_stated_interest_cut_to_24_percent_shows_as_stated() -> None:
    # consumer_loan "stated interest of 30% a year is cut to 24% on request": the schedule states
    # 10,000 × 30% = 3,000.00 for 2023; the cap allows 10,000 × 24% × 365 / 365 = 2,400.00, so 600.00 comes off
    award = consumer("stated interest of 30% a year is cut to 24% on request")
    interest = block(award, "interest")
    (stated,) = interest.sources  # the day-count 30% row it replaces is not a row
    assert stated.kind == STATED and stated.amount == M("3000.00") and stated.rate is None
    assert all(r.rate != "30.00%" for r in interest.rows)
    (cut,) = interest.deductions
    assert cut.kind == CUT and cut.amount == M("-600.00") and cut.exact == -600
    assert "依借款人请求，第 1 期还款计划表载明的利息超过年利率24.00%" in cut.text and "调减 600.00 元" in cut.text
    assert interest.ledger_figure == interest.result == M("2400.00")


def test_instalments_not_yet_due_are_shown_and_not_awarded() -> None:
    # consumer_loan "filed before the last instalment is due …": 12,000 in three instalments of 4,000 due
    # 2024-02-15, 03-15, 04-15 stating 120.00, 80.00, 40.00; filed 2024-03-20, not called in
    award = consumer("filed before the last instalment is due, the loan not called in: only what has fallen due")
    principal = block(award, "principal_outstanding")
    assert [r.amount for r in principal.sources] == [M("4000.00")] * 3 and principal.subtotal == M("12000.00")
    (not_due,) = principal.deductions  # instalment 3, due 2024-04-15 after the calculation date
    assert not_due.kind == NOT_DUE and not_due.amount == M("-4000.00") and "第3期" in not_due.text
    assert principal.result == M("8000.00")

    interest = block(award, "interest")
    assert [(r.kind, r.amount) for r in interest.sources] == [
        (STATED, M("120.00")), (STATED, M("80.00")),
        # instalment 3's period so far, by day: 4,000 × 12% × 5 / 365 = 2,400 / 365 = 6.5753…
        (ACCRUAL, M("6.58"))]
    assert interest.sources[2].exact == Fraction(2400, 365) and interest.sources[2].rate == "12.00%"
    (not_due,) = interest.deductions  # its stated 40.00 falls due 04-15: what ran so far is not awarded
    assert not_due.kind == NOT_DUE and not_due.exact == -Fraction(2400, 365)
    assert interest.subtotal == M("206.58") and interest.result == M("200.00")


def test_a_repayment_applied_to_interest() -> None:
    # consumer_loan "a partial payment under the default order": 1,000.00 paid 2024-04-01 goes to interest
    # first (民法典 561): 1,200.00 − 1,000.00 = 200.00
    interest = block(consumer("a partial payment under the default order: interest first (民法典 561)"), "interest")
    (paid,) = interest.deductions
    assert paid.kind == PAID and paid.amount == M("-1000.00")
    assert paid.text == "2024-04-01 还款 1,000.00 元，冲抵利息 1,000.00 元"
    assert "民法典第五百六十一条" in paid.law
    assert interest.result == M("200.00")


def test_the_claim_limits_the_line() -> None:
    # consumer_loan "the lender claimed less penalty interest than the law allows": allowed 897.53
    # (10,000 × 18% × 182 / 365 = 327,600 / 365), claimed 800.00 → awarded 800.00
    penalty = block(consumer("the lender claimed less penalty interest than the law allows: the claim limits it"),
                    "penalty_interest")
    assert penalty.ledger_figure == M("897.53")
    (claim,) = penalty.limits
    assert claim.kind == CLAIM and claim.amount == M("-97.53")
    assert claim.text.startswith("诉请 800.00 元，低于依法可支持的 897.53 元，以诉请为限（民事诉讼法")
    assert penalty.result == M("800.00")


def test_a_cap_on_several_award_lines_together() -> None:
    # private_lending "overdue interest and 违约金 together above 4 × LPR: 违约金 cut": limit over the 184
    # overdue days 100,000 × 14.6% × 184 / 365 = 7,360.00; penalty 6,049.32 + 违约金 5,000.00 is over it by
    # 3,689.32, taken off the 违约金: 5,000.00 − 3,689.32 = 1,310.68
    fees = block(private("overdue interest and 违约金 together above 4 × LPR: 违约金 cut"), "fees")
    (incurred,) = fees.sources
    assert incurred.amount == M("5000.00") and incurred.text == "2024-03-02 发生违约金及其他费用"
    assert fees.ledger_figure == M("5000.00")
    (cap,) = fees.limits
    assert cap.kind == AWARD_CAP and cap.amount == M("-3689.32")
    assert "罚息、复利、费用合计超过逾期利息、违约金及其他费用总计上限（7,360.00 元）的部分调减 3,689.32 元" in cap.text
    assert "法释〔2020〕17号第二十九条" in cap.text
    assert fees.allowed == fees.result == M("1310.68")


def test_natural_debt_above_24_percent_and_the_band_paid() -> None:
    # private_lending "formed in 2019 at 30%, paid on both sides of 2020-08-20": 2019-11-02 → 2020-03-27
    # (146 days) 100,000 × 30% × 146 / 365 = 12,000, of which 100,000 × 6% × 146 / 365 = 2,400 above 24% is a
    # natural debt; 12,000.00 paid 2020-03-27: 9,600 interest, 2,400 of the band (paid, not returned)
    interest = block(private("formed in 2019 at 30%, paid on both sides of 2020-08-20: the band paid stays paid"),
                     "interest")
    natural = [r for r in interest.deductions if r.kind == UNSUPPORTED]
    assert [r.amount for r in natural] == [M("-2400.00"), M("-2400.00")]
    assert "利息超过年利率24.00%的部分属自然债务，不予支持 2,400.00 元" in natural[0].text
    first = next(r for r in interest.deductions if r.kind == PAID)
    assert first.amount == M("-9600.00") and "另清偿超过保护上限的自然债务 2,400.00 元" in first.text
    # 2020-11-01 → 2021-01-13: 95,080 × 15.4% × 73 / 365 = 2,928.464 → 2,928.46
    assert interest.result == M("2928.46")


def test_the_growth_of_the_debt() -> None:
    # the 27% loan: principal 10,000.00 from 2023-01-01; the stated 1,800.00 falls due 2024-01-01; penalty
    # grows linearly to 1,346.30 at 2024-07-01, half-way (91 days: 10,000 × 27% × 91 / 365 = 673.1506…) 673.15
    points = debt_growth(consumer("without a request the court does not cut 27% penalty and compound interest"))
    by = {}
    for p in points:
        by.setdefault(p.component, []).append(p)
    assert [(p.day, p.amount) for p in by["本金"]][-1] == (date(2024, 7, 1), M("10000.00"))
    assert (date(2024, 1, 1), M("0.00")) in [(p.day, p.amount) for p in by["利息"]]
    due = next(p for p in by["利息"] if p.event)
    assert (due.day, due.amount, due.event) == (date(2024, 1, 1), M("1800.00"), "还款计划表载明利息到期")
    penalty = [(p.day, p.amount) for p in by["罚息"]]
    assert penalty[0] == (date(2023, 1, 1), M("0.00")) and penalty[-1] == (date(2024, 7, 1), M("1346.30"))
    # one straight line from the due date to the calculation date: nothing between (accrual is linear in a
    # segment), so the chart reads 673.15 half-way, as the hand figure
    assert penalty[-2:] == [(date(2024, 1, 1), M("0.00")), (date(2024, 7, 1), M("1346.30"))]


def test_a_repayment_shows_as_a_drop_on_its_day() -> None:
    # "a partial payment under the default order": interest 1,200.00 owed from 2024-01-01, 1,000.00 paid
    # 2024-04-01 → 200.00; compound (18%) until then 1,200 × 18% × 91 / 365 = 53.8520…
    points = [p for p in debt_growth(consumer("a partial payment under the default order: interest first (民法典 561)"))
              if p.component == "利息" and p.day == date(2024, 4, 1)]
    assert [(p.amount, p.event) for p in points] == [(M("1200.00"), ""), (M("200.00"), "还款冲抵")]


def test_texts() -> None:
    assert rate_text(Decimal("0.18")) == "18.00%" and rate_text(Decimal("0.07575")) == "7.575%"
    assert rate_text(Decimal("0.1825")) == "18.25%"
    assert short_citation("最高人民法院关于进一步加强金融审判工作的若干意见（法发〔2017〕22号）第二条") == "法发〔2017〕22号第二条"
    assert short_citation("中华人民共和国民法典 第五百六十一条；民法典 第五百六十条") == "民法典第五百六十一条；民法典第五百六十条"


def test_an_award_decided_without_its_trace_says_so() -> None:
    case = demo.CASES[0]
    award = case_award(_draft(case["ruleset"], case["inputs"]), traced=False)
    blocks = calculation(award)
    assert blocks and all(not b.reconciles and b.untraced for b in blocks)
    assert debt_growth(award) == []
