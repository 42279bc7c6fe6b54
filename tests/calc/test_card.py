"""Hand-worked credit-card accounts through :mod:`ruledsl.calc.card`.

Every expected figure is worked by hand in the case's ``why`` (dates, days, rates), never copied
from the engine's output.  Unless a case says otherwise: contract rate 18.25% a year = 0.05% a day
on 365 days (so a balance of B accrues B × 0.0005 per day), penalty and compound interest at the
contract rate, 违约金 5% of the unpaid minimum, 算头不算尾 (from a to b: b − a days).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from ruledsl.calc.card import check_card, compute_card
from ruledsl.calc.model import Cap, LoanCase, LprRate, Posting, Repayment, Statement
from ruledsl.core.daycount import DayCount
from ruledsl.core.errors import InputError

D = Decimal
PBOC_2016 = "中国人民银行关于信用卡业务有关事项的通知（银发〔2016〕111号）第二条：透支利率上限为日利率万分之五"


def day(text: str) -> date:
    return date.fromisoformat(text)


def buy(on: str, amount: str, label: str = "") -> Posting:
    return Posting(day(on), D(amount), "purchase", label)


def cash(on: str, amount: str) -> Posting:
    return Posting(day(on), D(amount), "cash")


def fee(on: str, amount: str, label: str = "取现手续费") -> Posting:
    return Posting(day(on), D(amount), "fee", label)


def bill(on: str, due: str, minimum: str) -> Statement:
    return Statement(day(on), day(due), D(minimum))


def pay(on: str, amount: str) -> Repayment:
    return Repayment(day(on), D(amount))


def card(postings, statements=(), repayments=(), *, until: str, **kw) -> LoanCase:
    return LoanCase(principal=None, disbursed_on=None, contract_rate=kw.pop("contract_rate", D("0.1825")),
                    calc_until=day(until), instalments=(), postings=tuple(postings),
                    statements=tuple(statements), repayments=tuple(repayments),
                    late_fee_rate=kw.pop("late_fee_rate", D("0.05")), **kw)


def capped_2020_cash(**kw) -> LoanCase:
    """Cash 10,000 on 2020-12-01 at 21.9% (0.06% a day) under the PBOC ceiling of 18.25% before 2021-01-01;
    billed 2021-01-05, due 2021-01-25 = calc_until."""
    return card([cash("2020-12-01", "10000")], [bill("2021-01-05", "2021-01-25", "500")],
                until="2021-01-25", contract_rate=D("0.219"), late_fee_rate=None,
                caps=(Cap(name="PBOC card ceiling 18.25%", citation=PBOC_2016, rate=D("0.1825"),
                          before=day("2021-01-01")),), **kw)


def lines(principal, interest="0", penalty="0", compound="0", fees="0", total=None) -> dict[str, Decimal]:
    out = {"principal_outstanding": D(principal), "interest": D(interest), "penalty_interest": D(penalty),
           "compound_interest": D(compound), "fees": D(fees)}
    out["total"] = D(total)
    return out


CASES = [
    dict(
        name="grace_kept",
        why="""
        purchase 1,000 on 2024-02-10; statement 2024-03-05 due 2024-03-25; 1,000 paid 2024-03-20.
        The statement is paid in full by its due date → grace kept: the provisional interest
        1000 × 0.0005 × 39 days (02-10 → 03-20: 20 + 19) = 19.50 is dropped. Nothing is owed.""",
        case=card([buy("2024-02-10", "1000")], [bill("2024-03-05", "2024-03-25", "100")],
                  [pay("2024-03-20", "1000")], until="2024-04-30"),
        expect=lines("0", total="0"),
        due={"principal_due": "0", "interest_due": "0"},
        notes=["第1期账单（账单日 2024-03-05）已于到期还款日 2024-03-25 前全额还款，消费免息"],
        parts=[("2024-03-20", [("principal", 1, "1000")])],
    ),
    dict(
        name="grace_lost_minimum_paid",
        why="""
        purchase 10,000 on 2024-02-10; statement 2024-03-05 due 2024-03-25, minimum 1,000 paid on
        2024-03-25 (on the due date: on time, no 违约金). The provisional interest is not payable, so
        the 1,000 goes to principal → 9,000. Not paid in full → interest from the posting date:
        10000 × 0.0005 × 44 days (02-10 → 03-25: 20 + 24) = 220.00, booked on 03-25 (no later
        statement bills it: not due). Penalty 03-25 → 04-25 = 31 days × 9000 × 0.0005 = 139.50.
        total = 9000 + 220 + 139.50 = 9359.50""",
        case=card([buy("2024-02-10", "10000")], [bill("2024-03-05", "2024-03-25", "1000")],
                  [pay("2024-03-25", "1000")], until="2024-04-25"),
        expect=lines("9000", "220.00", "139.50", total="9359.50"),
        due={"principal_due": "9000", "principal_not_due": "0", "interest_due": "0", "interest_not_due": "220.00"},
        notes=["第1期账单（账单日 2024-03-05）未于到期还款日 2024-03-25 前全额还款，该期消费自记账日起计息"],
        parts=[("2024-03-25", [("principal", 1, "1000")])],
    ),
    dict(
        name="cash_advance_with_fee_no_grace",
        why="""
        cash 2,000 and 取现手续费 20 on 2024-03-10; statement 2024-04-05 due 2024-04-25; nothing paid;
        no 违约金 agreed. Cash has no grace: interest 03-10 → 04-05 = 26 days × 2000 × 0.0005 = 26.00
        (billed), 04-05 → 04-25 = 20 days × 1.00 = 20.00 (next cycle, unbilled) → 46.00.
        penalty 04-25 → 05-05 = 10 days × 2000 × 0.0005 = 10.00; compound on the billed 26.00 from
        04-25: 10 × 26 × 0.0005 = 0.13; the fee 20.00 bears nothing (银发〔2016〕111号).
        total = 2000 + 46 + 10 + 0.13 + 20 = 2076.13""",
        case=card([cash("2024-03-10", "2000"), fee("2024-03-10", "20")],
                  [bill("2024-04-05", "2024-04-25", "200")], until="2024-05-05", late_fee_rate=None),
        expect=lines("2000", "46.00", "10.00", "0.13", "20.00", total="2076.13"),
        due={"principal_due": "2000", "interest_due": "26.00", "interest_not_due": "20.00"},
    ),
    dict(
        name="late_fee_on_unpaid_minimum",
        why="""
        purchase 10,000 on 2024-02-10; statement 2024-03-05 due 2024-03-25, minimum 1,000; 400 paid on
        2024-03-20 (to principal → 9,600). 违约金 = 5% × (1000 − 400) = 30.00, booked 03-26, no interest.
        interest from the posting date: 02-10 → 03-20 = 39 days × 10000 × 0.0005 = 195.00, plus
        03-20 → 03-25 = 5 days × 9600 × 0.0005 = 24.00 → 219.00.
        penalty 03-25 → 04-04 = 10 days × 9600 × 0.0005 = 48.00.
        total = 9600 + 219 + 48 + 30 = 9897.00""",
        case=card([buy("2024-02-10", "10000")], [bill("2024-03-05", "2024-03-25", "1000")],
                  [pay("2024-03-20", "400")], until="2024-04-04"),
        expect=lines("9600", "219.00", "48.00", "0", "30.00", total="9897.00"),
        due={"principal_due": "9600", "interest_due": "0", "interest_not_due": "219.00"},
        notes=["违约金 = 5% × 600.00 = 30.00 元"],
    ),
    dict(
        name="late_fees_billed_bear_no_compound",
        why="""
        as late_fee_on_unpaid_minimum, with statement 2 on 2024-04-05 due 2024-04-25 (minimum 500, nothing
        paid) and calc_until 2024-05-05. Statement 2 bills the interest 219.00, the penalty
        03-25 → 04-05 = 11 days × 9600 × 0.0005 = 52.80 and the 违约金 30.00.
        penalty 03-25 → 05-05 = 41 days × 4.80 = 196.80 (52.80 + 30 × 4.80).
        compound from 04-25 on 219.00 + 52.80 = 271.80 (not on the 违约金): 10 days × 271.80 × 0.0005
        = 1.359 → 1.36. 违约金 2 = 5% × 500 = 25.00 → fees 55.00.
        total = 9600 + 219 + 196.80 + 1.36 + 55 = 10072.16""",
        case=card([buy("2024-02-10", "10000")],
                  [bill("2024-03-05", "2024-03-25", "1000"), bill("2024-04-05", "2024-04-25", "500")],
                  [pay("2024-03-20", "400")], until="2024-05-05"),
        expect=lines("9600", "219.00", "196.80", "1.36", "55.00", total="10072.16"),
        due={"principal_due": "9600", "interest_due": "219.00", "interest_not_due": "0"},
    ),
    dict(
        name="compound_on_billed_interest",
        why="""
        purchase 10,000 on 2024-01-10; statement 1 2024-02-05 due 2024-02-25 (1,000 paid that day →
        principal 9,000); statement 2 2024-03-05 due 2024-03-25, nothing paid; no 违约金 agreed.
        interest 01-10 → 02-25 = 46 days (22 + 24) × 10000 × 0.0005 = 230.00, booked 02-25, billed on
        statement 2. penalty 02-25 → 04-24 = 59 days × 9000 × 0.0005 = 265.50, of which 02-25 → 03-05
        = 9 days = 40.50 billed on statement 2. compound from 03-25 on 230 + 40.50 = 270.50:
        03-25 → 04-24 = 30 days × 270.50 × 0.0005 = 4.0575 → 4.06.
        total = 9000 + 230 + 265.50 + 4.06 = 9499.56""",
        case=card([buy("2024-01-10", "10000")],
                  [bill("2024-02-05", "2024-02-25", "1000"), bill("2024-03-05", "2024-03-25", "2000")],
                  [pay("2024-02-25", "1000")], until="2024-04-24", late_fee_rate=None),
        expect=lines("9000", "230.00", "265.50", "4.06", total="9499.56"),
        due={"principal_due": "9000", "interest_due": "230.00", "interest_not_due": "0"},
    ),
    dict(
        name="penalty_rate_agreed_compound_off",
        why="""
        as compound_on_billed_interest with penalty rate 27.375% (0.075% a day) and compound=False:
        interest 230.00 as before; penalty 59 days × 9000 × 0.00075 = 398.25; no compound.
        total = 9000 + 230 + 398.25 = 9628.25""",
        case=card([buy("2024-01-10", "10000")],
                  [bill("2024-02-05", "2024-02-25", "1000"), bill("2024-03-05", "2024-03-25", "2000")],
                  [pay("2024-02-25", "1000")], until="2024-04-24", late_fee_rate=None,
                  penalty_rate=D("0.27375"), compound=False),
        expect=lines("9000", "230.00", "398.25", total="9628.25"),
    ),
    dict(
        name="two_statements_postings_in_each",
        why="""
        A: purchase 1,000 on 2024-02-10 (statement 1 2024-03-05 due 03-25); B: purchase 2,000 on 2024-03-15
        (statement 2 2024-04-05 due 04-25). 1,000 paid 03-25: oldest purchase first → A paid; statement 1
        paid in full → A free. 500 paid 04-25 → B 1,500 (minimum 200 met: no 违约金); statement 2 not
        paid in full → B's interest from its posting date: 03-15 → 04-25 = 41 days × 2000 × 0.0005 = 41.00
        (booked 04-25, not billed). penalty 04-25 → 05-05 = 10 days × 1500 × 0.0005 = 7.50.
        total = 1500 + 41 + 7.50 = 1548.50""",
        case=card([buy("2024-02-10", "1000"), buy("2024-03-15", "2000")],
                  [bill("2024-03-05", "2024-03-25", "100"), bill("2024-04-05", "2024-04-25", "200")],
                  [pay("2024-03-25", "1000"), pay("2024-04-25", "500")], until="2024-05-05"),
        expect=lines("1500", "41.00", "7.50", total="1548.50"),
        due={"principal_due": "1500", "interest_due": "0", "interest_not_due": "41.00"},
        notes=["第1期账单（账单日 2024-03-05）已于到期还款日 2024-03-25 前全额还款，消费免息",
               "第2期账单（账单日 2024-04-05）未于到期还款日 2024-04-25 前全额还款"],
        parts=[("2024-03-25", [("principal", 1, "1000")]), ("2024-04-25", [("principal", 2, "500")])],
    ),
    dict(
        name="payment_fees_interest_cash_then_purchases",
        why="""
        #1 purchase 1,000 on 2024-03-01; #2 cash 1,000 and #3 fee 10 on 2024-03-10; statement 2024-04-05
        due 04-25; 1,100 paid 2024-04-20: fee 10 → interest on the cash billed 03-10 → 04-05 = 26 days ×
        0.50 = 13.00, then unbilled 04-05 → 04-20 = 15 days × 0.50 = 7.50 → cash 1,000 → purchase 69.50
        (1100 − 10 − 13 − 7.50 − 1000) → purchase 930.50 left. Not paid in full by 04-25: purchase
        interest 03-01 → 04-20 = 50 days × 0.50 = 25.00 + 04-20 → 04-25 = 5 × 930.50 × 0.0005 = 2.32625
        → 27.32625 → 27.33. penalty 04-25 → 05-05 = 10 × 930.50 × 0.0005 = 4.6525 → 4.65.
        total = 930.50 + 27.33 + 4.65 = 962.48""",
        case=card([buy("2024-03-01", "1000"), cash("2024-03-10", "1000"), fee("2024-03-10", "10")],
                  [bill("2024-04-05", "2024-04-25", "100")], [pay("2024-04-20", "1100")], until="2024-05-05"),
        expect=lines("930.50", "27.33", "4.65", total="962.48"),
        due={"principal_due": "930.50", "interest_due": "0", "interest_not_due": "27.33"},
        parts=[("2024-04-20", [("fees", 3, "10"), ("interest", 2, "13"), ("interest", 2, "7.5"),
                               ("principal", 2, "1000"), ("principal", 1, "69.5")])],
    ),
    dict(
        name="pboc_cap_before_2021",
        why="""
        card rate 21.9% (0.06% a day): cash 10,000 on 2020-12-01; statement 2021-01-05 due 2021-01-25 =
        calc_until. PBOC ceiling 18.25% before 2021-01-01: 12-01 → 01-01 = 31 days accrued 31 × 6 = 186.00,
        allowed 31 × 5 = 155.00, removed 31.00; 01-01 → 01-05 = 4 × 6 = 24.00 (billed: 155 + 24 = 179.00);
        01-05 → 01-25 = 20 × 6 = 120.00 (unbilled). interest 299.00, total 10299.00""",
        case=capped_2020_cash(),
        expect=lines("10000", "299.00", total="10299.00"),
        due={"principal_due": "10000", "interest_due": "179.00", "interest_not_due": "120.00"},
        cuts=[("interest", "31")],
    ),
    dict(
        name="pboc_cap_counting_the_last_day",
        why="""
        as pboc_cap_before_2021, counting (a, b] (first day not counted, last counted): the days of interest
        are 2020-12-02 … 2021-01-25 = 55 days, of which 12-02 … 12-31 = 30 before 2021-01-01 (capped) and
        2021-01-01 … 01-25 = 25 after. capped 30 × 5 = 150.00 (removed 30 × 1 = 30.00); 25 × 6 = 150.00.
        billed on 2021-01-05: 150 + 5 days (01-01 … 01-05) × 6 = 180.00; unbilled 20 × 6 = 120.00.
        interest 300.00, total 10300.00""",
        case=capped_2020_cash(day_count=DayCount(365, first_day=False, last_day=True)),
        expect=lines("10000", "300.00", total="10300.00"),
        due={"principal_due": "10000", "interest_due": "180.00", "interest_not_due": "120.00"},
        cuts=[("interest", "30")],
    ),
    dict(
        name="default_card_rate",
        why="""
        no rate given (contract_rate None) → 日万分之五: cash 1,000 on 2024-03-01, nothing billed,
        calc_until 2024-03-11: 10 days × 1000 × 0.0005 = 5.00. total 1005.00""",
        case=card([cash("2024-03-01", "1000")], until="2024-03-11", contract_rate=None),
        expect=lines("1000", "5.00", total="1005.00"),
        due={"principal_due": "0", "principal_not_due": "1000", "interest_due": "0", "interest_not_due": "5.00"},
    ),
    dict(
        name="overpayment",
        why="""
        purchase 500 on 2024-03-01; 600 paid 2024-03-10 → 500 to principal, 100.00 overpaid. The statement
        of 2024-04-05 (due 04-25) is paid in full → the purchase is free (provisional 9 days × 500 ×
        0.0005 = 2.25 dropped); a statement paid in full bears no 违约金 though its minimum (50) was not
        paid after the statement date. Nothing is owed.""",
        case=card([buy("2024-03-01", "500")], [bill("2024-04-05", "2024-04-25", "50")],
                  [pay("2024-03-10", "600")], until="2024-05-01"),
        expect=lines("0", total="0"),
        overpaid="100.00",
        notes=["多付 100.00 元", "消费免息"],
        parts=[("2024-03-10", [("principal", 1, "500")])],
    ),
    dict(
        name="unbilled_postings_after_last_statement",
        why="""
        #1 purchase 1,000 on 2024-02-10, its statement (2024-03-05, due 03-25) paid in full on 03-25 → free.
        After the last statement: #2 purchase 3,000 on 2024-04-01 (grace not decided: its provisional
        19 days × 3000 × 0.0005 = 28.50 not awarded) and #3 cash 500 on 2024-04-10: interest
        04-10 → 04-20 = 10 × 500 × 0.0005 = 2.50. Nothing billed is left: all not due.
        total = 3500 + 2.50 = 3502.50""",
        case=card([buy("2024-02-10", "1000"), buy("2024-04-01", "3000"), cash("2024-04-10", "500")],
                  [bill("2024-03-05", "2024-03-25", "100")], [pay("2024-03-25", "1000")], until="2024-04-20"),
        expect=lines("3500", "2.50", total="3502.50"),
        due={"principal_due": "0", "principal_not_due": "3500", "interest_due": "0", "interest_not_due": "2.50"},
        notes=["截至 2024-04-20 尚未出账单的消费（第2笔）免息期尚未确定，暂计利息 28.50 元不计入"],
    ),
    dict(
        name="grace_pending_due_after_cutoff",
        why="""
        purchase 1,000 on 2024-03-01, statement 2024-04-05 due 2024-04-25, calc_until 2024-04-10: the grace
        is not decided; provisional 03-01 → 04-10 = 40 days × 1000 × 0.0005 = 20.00 not awarded.
        principal 1,000 billed but not due.""",
        case=card([buy("2024-03-01", "1000")], [bill("2024-04-05", "2024-04-25", "100")], until="2024-04-10"),
        expect=lines("1000", total="1000"),
        due={"principal_due": "0", "principal_not_due": "1000"},
        notes=["暂计利息 20.00 元不计入"],
    ),
    dict(
        name="principal_first_order",
        why="""
        order agreed: principal, fees, interest, penalty, compound. cash 1,000 and fee 10 on 2024-03-10;
        statement 2024-04-05 due 04-25; 500 paid 04-20 → all to the cash principal → 500 (minimum 100 met).
        interest 03-10 → 04-05 = 26 × 0.50 = 13.00 (billed), 04-05 → 04-20 = 15 × 0.50 = 7.50,
        04-20 → 04-25 = 5 × 500 × 0.0005 = 1.25 → 21.75 (8.75 unbilled). penalty 04-25 → 04-30 = 5 × 0.25
        = 1.25; compound on 13.00 from 04-25: 5 × 13 × 0.0005 = 0.0325 → 0.03; fee 10.00 unpaid.
        total = 500 + 21.75 + 1.25 + 0.03 + 10 = 533.03""",
        case=card([cash("2024-03-10", "1000"), fee("2024-03-10", "10")],
                  [bill("2024-04-05", "2024-04-25", "100")], [pay("2024-04-20", "500")], until="2024-04-30",
                  allocation_order=("principal", "fees", "interest", "penalty_interest", "compound_interest")),
        expect=lines("500", "21.75", "1.25", "0.03", "10.00", total="533.03"),
        due={"principal_due": "500", "interest_due": "13.00", "interest_not_due": "8.75"},
        parts=[("2024-04-20", [("principal", 1, "500")])],
    ),
]


def test_enough_hand_worked_cases():
    assert len(CASES) >= 10
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
    assert all(c["why"].strip() for c in CASES)


@pytest.mark.parametrize("spec", CASES, ids=[c["name"] for c in CASES])
def test_card_case(spec: dict) -> None:
    award = compute_card(spec["case"])
    sheet = award.explain()
    for name, value in spec["expect"].items():
        assert award[name] == value, f"{name}: got {award[name]}, expected {value}\n{sheet}"
    for name, value in spec.get("due", {}).items():
        assert award.due[name] == D(value), f"{name}: got {award.due[name]}, expected {value}\n{sheet}"
    assert award.overpaid == D(spec.get("overpaid", "0"))
    for text in spec.get("notes", ()):
        assert any(text in note for note in award.notes), f"no note with {text!r}: {award.notes}"
    if "parts" in spec:
        got = [(a.paid_on.isoformat(), [(c, n, amount) for c, n, amount in a.parts]) for a in award.allocations]
        want = [(on, [(c, n, D(v)) for c, n, v in ps]) for on, ps in spec["parts"]]
        assert got == want, sheet
    if "cuts" in spec:
        removed = [(comp, amount) for cut in award.cuts for comp, amount in cut.removed_by_component]
        assert removed == [(comp, D(v)) for comp, v in spec["cuts"]], sheet
    quick = compute_card(spec["case"], trace=False)
    assert quick.figures() == award.figures() and quick.due == award.due and quick.overpaid == award.overpaid
    assert not quick.traced and not quick.segments and not quick.allocations


def test_trace_rows_name_the_posting():
    award = compute_card(next(c["case"] for c in CASES if c["name"] == "payment_fees_interest_cash_then_purchases"))
    cash_rows = [s for s in award.segments if s.component == "interest" and s.instalment == 2]
    assert cash_rows[0].rule.startswith("透支利息：第2笔取现（记账日 2024-03-10）")
    assert (cash_rows[0].start, cash_rows[0].end, cash_rows[0].days) == (day("2024-03-10"), day("2024-04-05"), 26)
    assert cash_rows[0].amount == D("13")  # 1000 × 0.1825 × 26 / 365
    provisional = [s for s in award.segments if s.component == "interest" and s.instalment == 1]
    assert all("免息期待定" in s.rule and "grace lost" in s.rule for s in provisional)
    assert award.allocations[0].citation.startswith("民法典 第五百六十一条")


def test_grace_kept_rows_are_marked_not_owed():
    award = compute_card(CASES[0]["case"])
    rows = award.segments_of("interest")
    assert rows and all("grace kept" in s.rule for s in rows)
    assert sum(s.exact for s in rows) == D("19.5")  # 1000 × 0.0005 × 39, dropped


def test_cap_cut_row():
    award = compute_card(next(c["case"] for c in CASES if c["name"] == "pboc_cap_before_2021"))
    (cut,) = award.cuts
    assert (cut.start, cut.end, cut.days) == (day("2020-12-01"), day("2021-01-01"), 31)
    assert (cut.accrued, cut.allowed, cut.removed) == (D("186"), D("155"), D("31"))
    assert cut.cap_rate == D("0.1825") and cut.citation == PBOC_2016


# ---- check_card ------------------------------------------------------------------------------------------

GOOD = card([buy("2024-02-10", "1000")], [bill("2024-03-05", "2024-03-25", "100")], until="2024-04-30")


def refused(case: LoanCase) -> str:
    with pytest.raises(InputError) as info:
        check_card(case)
    return str(info.value)


def test_good_case_passes():
    check_card(GOOD)


def test_bad_kind():
    msg = refused(replace(GOOD, postings=(Posting(day("2024-02-10"), D("10"), "refund"),)))
    assert "postings[1].kind" in msg and "refund" in msg


def test_posting_after_calc_until():
    msg = refused(replace(GOOD, postings=(*GOOD.postings, buy("2024-05-01", "10"))))
    assert "postings[2].posted_on" in msg and "after calc_until" in msg


def test_principal_given_with_postings():
    msg = refused(replace(GOOD, principal=D("1000"), disbursed_on=day("2024-02-10")))
    assert "principal:" in msg and "disbursed_on:" in msg and "postings" in msg


def test_every_problem_listed_at_once():
    bad = replace(GOOD, postings=(Posting(day("2024-02-10"), D("-5"), "purchase"),),
                  statements=(bill("2024-03-05", "2024-03-01", "100"), bill("2024-02-05", "2024-02-25", "-1")),
                  repayments=(pay("2024-05-02", "10"),), contract_rate=LprRate(D(4)),
                  late_fee_rate=D("5"),
                  caps=(Cap(name="x", citation="y", lpr_multiple=D(4), kind="unsupported"),))
    with pytest.raises(InputError) as info:
        check_card(bad)
    msg = str(info.value)
    for field in ("postings[1].amount", "statements[1].due_on", "statements[2].statement_on",
                  "statements[2].minimum", "repayments[1].paid_on", "contract_rate", "late_fee_rate",
                  "caps[1].kind", "caps[1].lpr_multiple"):
        assert field in msg, field
    assert "fixed rates" in msg
    assert len(info.value.diagnostics) >= 9


def test_no_postings():
    assert "postings: a card account needs at least one posting" in refused(replace(GOOD, postings=()))


def test_compute_card_checks_first():
    with pytest.raises(InputError):
        compute_card(replace(GOOD, instalments=GOOD.instalments, principal=D("1")))
