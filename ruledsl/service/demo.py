"""A demo case store for the judge assistant (演示案件库): users of every role and a queue of cases.

What the store holds once :func:`seed` has run:

* :data:`DEMO_USERS` — a judge (法官), a clerk (书记员), one lender user (放贷机构) for each of two
  licensed lenders, a bank (:data:`BANK`) and a consumer-finance company (:data:`CONSUMER_FINANCE`),
  a mediator (调解员) and an admin (管理员), each with a memorable demo password;
* :data:`CASES` — hand-written cases, each with a comment saying what it shows: 金融借款合同
  (``cn.consumer_loan``) filed by the two lenders, 信用卡纠纷 (``cn.credit_card``) filed by the bank,
  and 民间借贷 (``cn.private_lending``) of an ordinary trading company (:data:`TRADER`, not a licensed
  lender and so under the private-lending caps, 法释〔2020〕17号 art.1 ¶2), filed by the clerk;
* ``generated`` more consumer loans drawn from ``random.Random(seed)``, spread over the two lenders.

Every plaintiff is the lender organisation (its made-up 统一社会信用代码 has a valid GB 32100 check
character); every defendant a made-up person whose 18-digit 公民身份号码 has a valid GB 11643 check
digit (:func:`ruledsl.core.idnumber.check_digit`).

Evidence: :data:`EVIDENCE_CASES` are filed with the evidence files of the evidence demo
(``examples/evidence/cases/…``), each verified against the demo court log's key when the store is
seeded (:func:`ruledsl.service.evidence.verify_filing`): one with every item in order, one whose
contract was anchored late, one with a tampered repayment record, one with a declared-only notice
and no identity check.  The generated loans, when :func:`seed` is given an ``evidence_dir``, are filed
with evidence files of their own (:mod:`ruledsl.service.demo_evidence`: anchored in the demo court's
log, extended from the evidence demo's, and verified the same way): most with every item in order, the
others with one problem each (a contract anchored late, a record edited after anchoring, a notice
declared only, no identity check).  The hand-written :data:`CASES` are filed without evidence files, so
they stay in 非诉调解 and the queue shows them as needing correction (需补正), except the one the court
has no jurisdiction over (不予受理).

Nothing here computes an award: the inputs are the lender's (its 还款计划表, the repayments, its claim
where it states one, which may be more or less than the law allows), and every figure of the queue
comes from :func:`ruledsl.service.decide.file_case`, which decides each case once.

``python -m ruledsl.service.demo [DB_URL]`` seeds the store at ``DB_URL`` (else ``RULEDSL_DB_URL``,
else ``cases.db`` in the data dir), the generated loans with their evidence in ``demo-evidence`` beside
the store's SQLite file (:func:`evidence_dir_for`), and prints the demo users and their passwords.
"""

from __future__ import annotations

import calendar
import json
import os
import random
import sys
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from ruledsl.core.idnumber import check_digit
from ruledsl.service.auth import ROLE_NAMES, create_user, sign_in, sign_out
from ruledsl.service.decide import file_case, ruleset_path, ruleset_ref
from ruledsl.service.evidence import EvidenceKeys, VerifiedItem, verify_filing
from ruledsl.store.cases import migrate, open_store, users

D = Decimal
CENT = D("0.01")

#: the two licensed lenders with users of their own, and the trading company of the 民间借贷 cases
BANK = "某某银行股份有限公司"
CONSUMER_FINANCE = "某某消费金融有限公司"
TRADER = "某某商贸有限公司"

#: (username, password, role, display name, lender organisation) — the passwords are for the demo only
DEMO_USERS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("judge", "demo-judge-2026", "judge", "法官王敏", None),
    ("clerk", "demo-clerk-2026", "clerk", "书记员李静", None),
    ("bank", "demo-bank-2026", "lender", "某某银行诉讼专员赵强", BANK),
    ("xiaofei", "demo-xiaofei-2026", "lender", "某某消费金融法务孙悦", CONSUMER_FINANCE),
    ("mediator", "demo-mediator-2026", "mediator", "调解员陈立", None),
    ("admin", "demo-admin-2026", "admin", "管理员周洋", None),
)
#: who files the cases of each plaintiff (the trading company has no user: the clerk files its cases)
FILED_BY = {BANK: "bank", CONSUMER_FINANCE: "xiaofei", TRADER: "clerk"}

#: the court of the case numbers (浙0192: 杭州互联网法院)
COURT_CODE = "浙0192"
#: a fixed first case number, so that the hand-written cases keep theirs whatever ``generated`` is
FIRST_NUMBER = 1001
FIRST_GENERATED_NUMBER = 2001



# ---------------------------------------------------------------- parties


def credit_code(first17: str) -> str:
    """A 统一社会信用代码 (GB 32100-2015): ``first17`` and its check character, MOD 31 over the code's
    alphabet (no I, O, S, V, Z) with weights 3^i mod 31."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + alphabet[(31 - total % 31) % 31]


#: the plaintiffs' made-up codes (9 = registered by the market regulator, 1 = company, 330100 = 杭州市)
CREDIT_CODES = {BANK: credit_code("913301007A2B3C4D5"), CONSUMER_FINANCE: credit_code("91330100MA2H7Q3K5"),
                TRADER: credit_code("91330106MA27WX8L3")}
PLAINTIFF_PHONES = {BANK: "057187001234", CONSUMER_FINANCE: "057188005678", TRADER: "057185009012"}


def id_number(region: str, born: date, sequence: int) -> str:
    """An 18-digit 公民身份号码: address code, birth date, a 3-digit sequence (odd: 男, even: 女) and its
    GB 11643 check digit."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)


def plaintiff(lender: str) -> dict[str, Any]:
    return {"role": "原告", "name": lender, "kind": "organisation", "id_number": CREDIT_CODES[lender],
            "phone": PLAINTIFF_PHONES[lender]}


def defendant(name: str, region: str, born: date, sequence: int, phone: str,
              declared: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """A defendant; ``declared``: what the case file says of them (income, employer, whether the phone
    answers …), each fact with the document that says it (the party profile shows it with that source)."""
    out = {"role": "被告", "name": name, "kind": "person", "id_number": id_number(region, born, sequence),
           "phone": phone}
    if declared:
        out["declared"] = declared
    return out


def fact(value: Any, source: str) -> dict[str, Any]:
    """A fact the case file declares about a party, and where it says it."""
    return {"value": value, "source": source}


#: the borrowers' own statements in their loan applications
APPLICATION = "借款申请表（借款人自述）"


#: the defendants of the hand-written cases (region codes: 330106 杭州西湖, 110101 北京东城, 440305 深圳南山,
#: 310104 上海徐汇, 320102 南京玄武, 510107 成都武侯, 420106 武汉武昌, 370102 济南历下); some with what
#: their case files declare of them (income, employer, whether they answer the phone), the others with nothing
PEOPLE = {
    "chen": defendant("陈建国", "330106", date(1978, 4, 12), 315, "13805711234", {
        "monthly_income": fact(D("12000.00"), APPLICATION),
        "employer": fact("杭州某某机械有限公司", APPLICATION),
        "phone_reachable": fact("是", "催收记录 2024-06-12")}),
    "liu": defendant("刘晓燕", "110101", date(1990, 11, 3), 228, "13911082345"),
    # the borrower with several cases: a consumer loan from each lender and a credit card
    "huang": defendant("黄志强", "440305", date(1985, 7, 21), 417, "13602553456", {
        "monthly_income": fact(D("8500.00"), APPLICATION),
        "employer": fact("深圳某某电子科技有限公司", APPLICATION),
        "phone_reachable": fact("否", "催收记录 2024-09-03")}),
    "zhou": defendant("周婷婷", "310104", date(1996, 2, 29), 106, "15821904567", {
        "occupation": fact("自由职业", APPLICATION),
        "phone_reachable": fact("是", "催收记录 2024-08-15")}),
    "wu": defendant("吴海峰", "320102", date(1972, 9, 8), 533, "13951705678", {
        "monthly_income": fact(D("15000.00"), "收入证明（加盖单位公章，2023-01-20）"),
        "employer": fact("南京某某建设工程有限公司", "收入证明（加盖单位公章，2023-01-20）"),
        "phone_reachable": fact("否", "催收记录 2024-04-10；短信送达失败回执")}),
    "zheng": defendant("郑丽华", "510107", date(1968, 12, 30), 642, "18980016789"),
    "sun": defendant("孙浩然", "420106", date(2001, 5, 17), 251, "17786127890"),
    "ma": defendant("马秀英", "370102", date(1963, 3, 25), 388, "13153118901"),
    "he": defendant("何俊杰", "330106", date(1993, 8, 14), 179, "18758129012"),
    "gao": defendant("高雅琴", "110101", date(1988, 1, 6), 64, "15901230123"),
    "lin": defendant("林国栋", "440305", date(1981, 10, 19), 595, "13823471357"),
    "xu": defendant("徐梦瑶", "310104", date(1999, 6, 2), 420, "13761542468"),
    "luo": defendant("罗永福", "510107", date(1960, 2, 11), 713, "13708263579", {
        "address": fact("四川省成都市武侯区某某路 12 号", "借款合同（借款人信息页）"),
        "phone_reachable": fact("否", "催收记录 2024-05-20")}),
    "zhu": defendant("朱晓东", "320102", date(1975, 5, 30), 137, "15150984680"),
    "hu": defendant("胡佳怡", "420106", date(2002, 12, 1), 288, "19971235791"),
    "guo": defendant("郭德明", "370102", date(1970, 7, 7), 451, "13589126802"),
}


# ---------------------------------------------------------------- the lender's schedule


def yuan(text: str) -> Decimal:
    """An amount as the lender writes it: two places."""
    return D(text).quantize(CENT)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the last day of a shorter month)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule(principal: str | Decimal, rate: str | Decimal, disbursed_on: date, months: int) -> list[dict[str, Any]]:
    """The lender's 还款计划表 of an 等额本金 loan: ``months`` monthly instalments of equal principal (the last
    takes the remainder), each period's interest counted by day on the principal outstanding
    (outstanding × rate × days / 365, to the fen) — the contract's own figures, not an award."""
    principal, rate = D(principal), D(rate)
    part = (principal / months).quantize(CENT, ROUND_HALF_UP)
    out, outstanding, start = [], principal, disbursed_on
    for i in range(1, months + 1):
        due = add_months(disbursed_on, i)
        pays = outstanding if i == months else part
        interest = (outstanding * rate * (due - start).days / 365).quantize(CENT, ROUND_HALF_UP)
        out.append({"due_on": due, "principal": pays, "interest": interest})
        outstanding -= pays
        start = due
    return out


def claim(principal: str, interest: str, penalty: str, compound: str, fees: str = "0.00") -> dict[str, Decimal]:
    """The lender's claim (诉讼请求), line by line, as it states it."""
    return {"principal_outstanding": yuan(principal), "interest": yuan(interest),
            "penalty_interest": yuan(penalty), "compound_interest": yuan(compound), "fees": yuan(fees)}


def paid(day: date, amount: str) -> dict[str, Any]:
    return {"paid_on": day, "amount": yuan(amount)}


# ---------------------------------------------------------------- the hand-written cases

CONSUMER = "cn.consumer_loan"
CARD = "cn.credit_card"
PRIVATE = "cn.private_lending"

#: each case: its ruleset, plaintiff, defendant (a key of :data:`PEOPLE`) and inputs; the comment says what it shows
CASES: list[dict[str, Any]] = [
    # ---- 金融借款合同 (consumer loans of the bank and the consumer-finance company)
    # 1. the plain case: a one-year bullet loan, nothing repaid, no claim stated (awarded = allowed)
    {"ruleset": CONSUMER, "lender": BANK, "defendant": "chen",
     "inputs": {"case_id": "YH-2023-018831", "principal": yuan("50000"), "contract_rate": D("0.0720"),
                "disbursed_on": date(2023, 5, 10),
                "instalments": [{"due_on": date(2024, 5, 10), "principal": yuan("50000"),
                                 "interest": yuan("3609.86")}],
                "filed_on": date(2025, 3, 18)}},
    # 2. twelve monthly instalments, the first three paid on their due dates, then default
    {"ruleset": CONSUMER, "lender": BANK, "defendant": "liu",
     "inputs": {"case_id": "YH-2023-020417", "principal": yuan("36000"), "contract_rate": D("0.0980"),
                "disbursed_on": date(2023, 9, 15),
                "instalments": schedule("36000", "0.0980", date(2023, 9, 15), 12),
                "repayments": [paid(date(2023, 10, 15), "3289.97"), paid(date(2023, 11, 15), "3274.67"),
                               paid(date(2023, 12, 15), "3241.64")],
                "filed_on": date(2025, 1, 20)}},
    # 3. claim above the legal cap: the borrower asks for the 24 % reduction, the lender claims
    #    penalty and compound interest at the full agreed 36 % penalty rate
    {"ruleset": CONSUMER, "lender": CONSUMER_FINANCE, "defendant": "huang",
     "inputs": {"case_id": "XF-2023-771203", "principal": yuan("20000"), "contract_rate": D("0.2400"),
                "penalty_rate": D("0.3600"), "disbursed_on": date(2023, 6, 1),
                "instalments": schedule("20000", "0.2400", date(2023, 6, 1), 6),
                "filed_on": date(2024, 12, 2), "borrower_requests_reduction": True,
                "claimed": claim("20000", "1420.55", "9860.00", "690.00")}},
    # 4. the same borrower (黄志强, same ID number) with a second loan, from the bank, still running:
    #    the lender did not call it in, so only the instalments fallen due are awarded
    {"ruleset": CONSUMER, "lender": BANK, "defendant": "huang",
     "inputs": {"case_id": "YH-2024-003391", "principal": yuan("60000"), "contract_rate": D("0.0850"),
                "disbursed_on": date(2024, 3, 1),
                "instalments": schedule("60000", "0.0850", date(2024, 3, 1), 24),
                "repayments": [paid(date(2024, 4, 1), "2933.15")],
                "filed_on": date(2025, 2, 10)}},
    # 5. the borrower asks for the reduction; 24 % contract rate, penalty 36 %: the court cuts to 24 % a year
    {"ruleset": CONSUMER, "lender": CONSUMER_FINANCE, "defendant": "zhou",
     "inputs": {"case_id": "XF-2024-102288", "principal": yuan("8000"), "contract_rate": D("0.2400"),
                "disbursed_on": date(2024, 1, 20),
                "instalments": schedule("8000", "0.2400", date(2024, 1, 20), 6),
                "filed_on": date(2025, 1, 6), "borrower_requests_reduction": True}},
    # 6. repayments after default: two partial payments made months after the loan fell due
    {"ruleset": CONSUMER, "lender": BANK, "defendant": "wu",
     "inputs": {"case_id": "YH-2022-118045", "principal": yuan("100000"), "contract_rate": D("0.0600"),
                "disbursed_on": date(2023, 2, 1),
                "instalments": [{"due_on": date(2024, 2, 1), "principal": yuan("100000"),
                                 "interest": yuan("6000.00")}],
                "repayments": [paid(date(2024, 5, 20), "10000.00"), paid(date(2024, 9, 30), "15000.00")],
                "filed_on": date(2025, 2, 28)}},
    # 7. a claim below what the law allows: the bank claims less penalty interest than accrued,
    #    and the award keeps to the claim (民事诉讼法 art.211(11))
    {"ruleset": CONSUMER, "lender": BANK, "defendant": "zheng",
     "inputs": {"case_id": "YH-2023-090012", "principal": yuan("30000"), "contract_rate": D("0.0800"),
                "disbursed_on": date(2023, 4, 1),
                "instalments": [{"due_on": date(2024, 4, 1), "principal": yuan("30000"),
                                 "interest": yuan("2406.58")}],
                "filed_on": date(2025, 4, 1),
                "claimed": claim("30000", "2406.58", "1000.00", "100.00")}},
    # 8. the lender called the whole loan in (宣布提前到期) after three missed instalments
    {"ruleset": CONSUMER, "lender": CONSUMER_FINANCE, "defendant": "sun",
     "inputs": {"case_id": "XF-2024-230561", "principal": yuan("15000"), "contract_rate": D("0.1800"),
                "disbursed_on": date(2024, 2, 10),
                "instalments": schedule("15000", "0.1800", date(2024, 2, 10), 12),
                "repayments": [paid(date(2024, 3, 10), "1464.52")],
                "accelerated_on": date(2024, 7, 15), "filed_on": date(2024, 11, 25)}},
    # 9. the contract's own order of payment (费用、罚息、复利、利息、本金) and a payment after default
    {"ruleset": CONSUMER, "lender": CONSUMER_FINANCE, "defendant": "ma",
     "inputs": {"case_id": "XF-2023-558710", "principal": yuan("12000"), "contract_rate": D("0.1500"),
                "disbursed_on": date(2023, 8, 8),
                "instalments": schedule("12000", "0.1500", date(2023, 8, 8), 6),
                "repayments": [paid(date(2024, 4, 30), "3000.00")], "agreed_order": "penalty_first",
                "filed_on": date(2024, 10, 16)}},
    # 10. the lawyer's fee (实现债权的有关费用) claimed, and a claim on the whole principal from the first due date
    {"ruleset": CONSUMER, "lender": CONSUMER_FINANCE, "defendant": "he",
     "inputs": {"case_id": "XF-2024-310077", "principal": yuan("25000"), "contract_rate": D("0.1600"),
                "disbursed_on": date(2024, 1, 5),
                "instalments": schedule("25000", "0.1600", date(2024, 1, 5), 6),
                "costs": [{"incurred_on": date(2024, 11, 1), "amount": yuan("1500.00")}],
                "filed_on": date(2025, 1, 15),
                "claimed": claim("25000", "1180.00", "3900.00", "120.00", "1500.00")}},
    # 11. a loan priced on the LPR (一年期LPR加点, adjusted at each LPR change)
    {"ruleset": CONSUMER, "lender": BANK, "defendant": "gao",
     "inputs": {"case_id": "YH-2023-045560", "principal": yuan("80000"), "contract_rate": D("0.0495"),
                "lpr_spread": D("0.0150"), "disbursed_on": date(2023, 7, 3),
                "instalments": [{"due_on": date(2024, 7, 3), "principal": yuan("80000"),
                                 "interest": yuan("3970.85")}],
                "filed_on": date(2025, 5, 12)}},
    # 12. the borrower designated a payment for one instalment (民法典 560 ¶1)
    {"ruleset": CONSUMER, "lender": CONSUMER_FINANCE, "defendant": "lin",
     "inputs": {"case_id": "XF-2024-412906", "principal": yuan("9000"), "contract_rate": D("0.1200"),
                "disbursed_on": date(2024, 4, 18),
                "instalments": schedule("9000", "0.1200", date(2024, 4, 18), 3),
                "designated_repayments": [{"paid_on": date(2024, 7, 18), "amount": yuan("3029.59"),
                                           "for_instalment": 3}],
                "filed_on": date(2024, 12, 18)}},
    # 13. pre-filing mediation failed (诉前调解不成): ready for 立案 once the evidence is verified
    {"ruleset": CONSUMER, "lender": BANK, "defendant": "xu",
     "inputs": {"case_id": "YH-2024-007713", "principal": yuan("45000"), "contract_rate": D("0.0690"),
                "disbursed_on": date(2024, 1, 25),
                "instalments": schedule("45000", "0.0690", date(2024, 1, 25), 12),
                "repayments": [paid(date(2024, 2, 25), "4013.71"), paid(date(2024, 3, 25), "3976.14")],
                "filed_on": date(2025, 3, 3), "mediation_failed": True}},
    # 14. the court has no jurisdiction (被告住所地在外省, no agreement choosing this court): 不予受理
    {"ruleset": CONSUMER, "lender": CONSUMER_FINANCE, "defendant": "luo",
     "inputs": {"case_id": "XF-2023-660318", "principal": yuan("5000"), "contract_rate": D("0.2300"),
                "disbursed_on": date(2023, 10, 10),
                "instalments": schedule("5000", "0.2300", date(2023, 10, 10), 3),
                "filed_on": date(2024, 9, 9), "court_has_jurisdiction": False}},
    # 15. an interest-free instalment loan (免息分期): no interest, no penalty, principal only
    {"ruleset": CONSUMER, "lender": CONSUMER_FINANCE, "defendant": "hu",
     "inputs": {"case_id": "XF-2024-509981", "principal": yuan("3600"), "contract_rate": D("0"),
                "disbursed_on": date(2024, 6, 1),
                "instalments": schedule("3600", "0", date(2024, 6, 1), 6),
                "repayments": [paid(date(2024, 7, 1), "600.00")], "filed_on": date(2025, 2, 17)}},
    # 16. the bank's claim repeats interest the borrower already paid after default: claimed > allowed
    {"ruleset": CONSUMER, "lender": BANK, "defendant": "zhu",
     "inputs": {"case_id": "YH-2023-031190", "principal": yuan("20000"), "contract_rate": D("0.1000"),
                "disbursed_on": date(2023, 3, 20),
                "instalments": [{"due_on": date(2024, 3, 20), "principal": yuan("20000"),
                                 "interest": yuan("2005.48")}],
                "repayments": [paid(date(2024, 6, 20), "2005.48")], "filed_on": date(2024, 12, 20),
                "claimed": claim("20000", "2005.48", "2250.00", "150.00")}},
    # 17. a second case of 周婷婷 (the same ID number): a second consumer-finance loan of hers
    {"ruleset": CONSUMER, "lender": CONSUMER_FINANCE, "defendant": "zhou",
     "inputs": {"case_id": "XF-2024-102977", "principal": yuan("4000"), "contract_rate": D("0.2100"),
                "disbursed_on": date(2024, 3, 2),
                "instalments": schedule("4000", "0.2100", date(2024, 3, 2), 3),
                "filed_on": date(2025, 1, 6)}},
    # ---- 信用卡纠纷 (the bank's credit cards)
    # 18. one statement balance, nothing paid, one 违约金
    {"ruleset": CARD, "lender": BANK, "defendant": "guo",
     "inputs": {"case_id": "XYK-6225-0081", "principal": yuan("18600"), "disbursed_on": date(2024, 5, 8),
                "due_on": date(2024, 5, 28), "charges": [{"incurred_on": date(2024, 5, 29), "amount": yuan("93.00")}],
                "filed_on": date(2024, 12, 10)}},
    # 19. the cardholder asks for a reduction of monthly 违约金 (持卡人请求适当减少)
    {"ruleset": CARD, "lender": BANK, "defendant": "chen",
     "inputs": {"case_id": "XYK-6225-0134", "principal": yuan("32000"), "disbursed_on": date(2024, 2, 5),
                "due_on": date(2024, 2, 25),
                "charges": [{"incurred_on": date(2024, 2, 26), "amount": yuan("500.00")},
                            {"incurred_on": date(2024, 3, 26), "amount": yuan("500.00")},
                            {"incurred_on": date(2024, 4, 26), "amount": yuan("500.00")},
                            {"incurred_on": date(2024, 5, 26), "amount": yuan("500.00")}],
                "filed_on": date(2024, 9, 2), "borrower_requests_reduction": True}},
    # 20. the account as issued: purchases, a cash advance and its fee, two statements, the minimum paid once
    {"ruleset": CARD, "lender": BANK, "defendant": "liu",
     "inputs": {"case_id": "XYK-6225-0257",
                "postings": [{"posted_on": date(2024, 8, 3), "amount": yuan("6800.00"), "kind": "purchase"},
                             {"posted_on": date(2024, 8, 12), "amount": yuan("3000.00"), "kind": "cash"},
                             {"posted_on": date(2024, 8, 12), "amount": yuan("30.00"), "kind": "fee"},
                             {"posted_on": date(2024, 9, 6), "amount": yuan("1250.00"), "kind": "purchase"}],
                "statements": [{"statement_on": date(2024, 8, 20), "due_on": date(2024, 9, 10),
                                "minimum": yuan("1013.00")},
                               {"statement_on": date(2024, 9, 20), "due_on": date(2024, 10, 10),
                                "minimum": yuan("1100.00")}],
                "repayments": [paid(date(2024, 9, 10), "1013.00")], "filed_on": date(2025, 1, 8)}},
    # 21. a payment after the due date, larger than interest and fees: the rest goes to principal
    {"ruleset": CARD, "lender": BANK, "defendant": "wu",
     "inputs": {"case_id": "XYK-6225-0390", "principal": yuan("45000"), "disbursed_on": date(2024, 4, 2),
                "due_on": date(2024, 4, 22), "charges": [{"incurred_on": date(2024, 4, 23), "amount": yuan("225.00")}],
                "repayments": [paid(date(2024, 6, 30), "8000.00")], "filed_on": date(2024, 11, 4)}},
    # 22. the bank claims 违约金 above what the 24 % reduction leaves: claimed > allowed
    {"ruleset": CARD, "lender": BANK, "defendant": "huang",
     "inputs": {"case_id": "XYK-6225-0412", "principal": yuan("15000"), "disbursed_on": date(2024, 6, 6),
                "due_on": date(2024, 6, 26),
                "charges": [{"incurred_on": date(2024, 6, 27), "amount": yuan("600.00")},
                            {"incurred_on": date(2024, 7, 27), "amount": yuan("600.00")},
                            {"incurred_on": date(2024, 8, 27), "amount": yuan("600.00")}],
                "filed_on": date(2024, 10, 28), "borrower_requests_reduction": True,
                "claimed": claim("15000", "150.00", "930.00", "12.00", "1800.00")}},
    # ---- 民间借贷 (a trading company's loans to persons; filed by the clerk)
    # 23. 月息2分 (24 %) agreed in 2023: cut to 4 × LPR at formation; the claim at 24 % exceeds it
    {"ruleset": PRIVATE, "lender": TRADER, "defendant": "zheng",
     "inputs": {"case_id": "JT-2023-007", "principal": yuan("80000"), "contract_rate": D("0.24"),
                "disbursed_on": date(2023, 3, 1), "due_on": date(2024, 3, 1), "filed_on": date(2024, 9, 1),
                "claimed": claim("80000", "19252.60", "9678.90", "0.00")}},
    # 24. 12 % agreed, below 4 × LPR: nothing is cut
    {"ruleset": PRIVATE, "lender": TRADER, "defendant": "ma",
     "inputs": {"case_id": "JT-2023-011", "principal": yuan("50000"), "contract_rate": D("0.12"),
                "disbursed_on": date(2023, 6, 15), "due_on": date(2024, 6, 15), "filed_on": date(2025, 1, 10)}},
    # 25. no interest agreed (借期内不计息): overdue interest at the LPR from the due date
    {"ruleset": PRIVATE, "lender": TRADER, "defendant": "xu",
     "inputs": {"case_id": "JT-2022-031", "principal": yuan("30000"), "disbursed_on": date(2023, 1, 10),
                "due_on": date(2023, 12, 31), "filed_on": date(2024, 8, 15)}},
    # 26. half the principal repaid before the due date
    {"ruleset": PRIVATE, "lender": TRADER, "defendant": "sun",
     "inputs": {"case_id": "JT-2023-019", "principal": yuan("60000"), "contract_rate": D("0.10"),
                "disbursed_on": date(2023, 9, 1), "due_on": date(2024, 9, 1),
                "repayments": [paid(date(2024, 3, 1), "30000.00")], "filed_on": date(2025, 3, 1)}},
    # 27. overdue interest and 违约金 together above 4 × LPR: the 违约金 is cut
    {"ruleset": PRIVATE, "lender": TRADER, "defendant": "lin",
     "inputs": {"case_id": "JT-2023-024", "principal": yuan("40000"), "contract_rate": D("0.08"),
                "penalty_rate": D("0.12"), "disbursed_on": date(2023, 5, 20), "due_on": date(2024, 5, 20),
                "charges": [{"incurred_on": date(2024, 5, 21), "amount": yuan("4000.00")}],
                "filed_on": date(2024, 11, 20)}},
]


# ---------------------------------------------------------------- cases with evidence files

#: the evidence demo (examples/evidence, built by its build_demo.py): the court log's key and the TEST root CA
EVIDENCE_DEMO = Path(__file__).resolve().parents[2] / "examples" / "evidence"
DEMO_KEYS = EvidenceKeys(EVIDENCE_DEMO / "court.pub", (EVIDENCE_DEMO / "trust" / "root-ca.pem",))

#: the borrowers of the evidence demo's loans (its files call them 借款人甲)
EVIDENCE_PEOPLE = {
    "qian": defendant("钱文博", "330106", date(1987, 3, 14), 213, "13857112468"),
    "feng": defendant("冯佳慧", "310104", date(1994, 9, 27), 326, "13621876543"),
    "yang": defendant("杨振宇", "440305", date(1979, 1, 5), 451, "13728905678"),
    "dong": defendant("董小芳", "420106", date(1998, 11, 19), 562, "15927304561"),
}

#: the four loans whose evidence files are under examples/evidence/cases/<folder>, filed with those files
#: (verified against the demo log when the store is seeded): a 12-month loan each, the three repayments
#: its repayment record lists, then default; filed 2025-09-01 after mediation failed
EVIDENCE_CASES: list[dict[str, Any]] = [
    # every item anchored in time, the contract signed and timestamped; the claim's penalty exceeds the law
    {"folder": "loan-2024-001", "lender": BANK, "defendant": "qian",
     "inputs": {"case_id": "L-2024-001", "principal": yuan("20000"), "contract_rate": D("0.18"),
                "disbursed_on": date(2024, 3, 1), "instalments": schedule("20000", "0.18", date(2024, 3, 1), 12),
                "repayments": [paid(date(2024, 3, 31), "1833.50"), paid(date(2024, 4, 30), "1833.50"),
                               paid(date(2024, 5, 30), "1833.50")],
                "filed_on": date(2025, 9, 1), "mediation_failed": True,
                "claimed": claim("15000.00", "1500.00", "4000.00", "300.00")}},
    # the contract anchored 67 hours after signing (late: the guideline allows 24 hours)
    {"folder": "loan-2024-002", "lender": BANK, "defendant": "feng",
     "inputs": {"case_id": "L-2024-002", "principal": yuan("15000"), "contract_rate": D("0.21"),
                "disbursed_on": date(2024, 4, 2), "instalments": schedule("15000", "0.21", date(2024, 4, 2), 12),
                "repayments": [paid(date(2024, 5, 2), "1833.50"), paid(date(2024, 6, 1), "1833.50"),
                               paid(date(2024, 7, 1), "1833.50")],
                "filed_on": date(2025, 9, 1), "mediation_failed": True}},
    # the repayment record edited after it was anchored (tampered)
    {"folder": "loan-2024-003", "lender": CONSUMER_FINANCE, "defendant": "yang",
     "inputs": {"case_id": "L-2024-003", "principal": yuan("30000"), "contract_rate": D("0.154"),
                "disbursed_on": date(2024, 5, 6), "instalments": schedule("30000", "0.154", date(2024, 5, 6), 12),
                "repayments": [paid(date(2024, 6, 5), "1833.50"), paid(date(2024, 7, 5), "1833.50"),
                               paid(date(2024, 8, 4), "1833.50")],
                "filed_on": date(2025, 9, 1), "mediation_failed": True}},
    # the overdue notice declared but never anchored (declared only); no identity verification (missing)
    {"folder": "loan-2024-004", "lender": CONSUMER_FINANCE, "defendant": "dong",
     "inputs": {"case_id": "L-2024-004", "principal": yuan("8000"), "contract_rate": D("0.24"),
                "disbursed_on": date(2024, 6, 10), "instalments": schedule("8000", "0.24", date(2024, 6, 10), 12),
                "repayments": [paid(date(2024, 7, 10), "1833.50"), paid(date(2024, 8, 9), "1833.50"),
                               paid(date(2024, 9, 8), "1833.50")],
                "filed_on": date(2025, 9, 1), "mediation_failed": True}},
]
#: their case numbers follow the hand-written cases'
FIRST_EVIDENCE_NUMBER = FIRST_NUMBER + 100


def evidence_of(folder: str, keys: EvidenceKeys = DEMO_KEYS) -> list[VerifiedItem]:
    """The evidence files ``examples/evidence/cases/<folder>/evidence.json`` declares, verified against ``keys``."""
    base = EVIDENCE_DEMO / "cases" / folder
    declared = json.loads((base / "evidence.json").read_text("utf-8"))["evidence_files"]
    return verify_filing(declared, base, keys)


def case_number(filed_on: date, number: int) -> str:
    """The 案号 of a first-instance civil case of the court, e.g. ``(2025)浙0192民初1001号``."""
    return f"({filed_on.year}){COURT_CODE}民初{number}号"


# ---------------------------------------------------------------- generated cases

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰文辉力斌鹏宇浩凯婷雪琳晨欣佳怡子轩梓涵"
REGIONS = ("330106", "330102", "330110", "110101", "110105", "440305", "440106", "310104", "320102",
           "510107", "420106", "370102", "350203", "430104", "610113")
MOBILE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "158", "159", "177", "180", "186",
                   "187", "188", "189", "199")


def random_person(rng: random.Random) -> dict[str, Any]:
    """A made-up defendant: a name, a valid 18-digit ID number (born 1960–2002) and a mobile number."""
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    born = date(1960, 1, 1) + timedelta(days=rng.randrange((date(2002, 12, 31) - date(1960, 1, 1)).days + 1))
    phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"
    return defendant(name, rng.choice(REGIONS), born, rng.randrange(1, 1000), phone)


def random_loan(rng: random.Random) -> dict[str, Any]:
    """A consumer loan's inputs as a lender files them: principal 1,000–200,000, rate 6 %–24 %, disbursed
    2023-01 to 2025-03, 1 to 24 monthly instalments, 0–2 repayments, the loan sometimes called in, the
    claim sometimes stated.  A stated claim is the lender's own rough figure — penalty interest on the
    whole principal from the first missed due date, sometimes marked up — so it is often more than the
    law allows and sometimes less; the award is file_case's."""
    principal = D(rng.randrange(10, 2001) * 100)
    rate = D(rng.randrange(600, 2401, 5)) / 10000
    disbursed = date(2023, 1, 1) + timedelta(days=rng.randrange((date(2025, 3, 31) - date(2023, 1, 1)).days))
    months = rng.choice((1, 3, 6, 6, 12, 12, 12, 24))
    plan = schedule(principal, rate, disbursed, months)
    on_time = rng.randrange(min(2, months - 1) + 1)  # instalments paid on their due dates
    repayments = [paid(i["due_on"], str(i["principal"] + i["interest"])) for i in plan[:on_time]]
    missed = plan[on_time]["due_on"]  # the first instalment not paid
    inputs: dict[str, Any] = {"case_id": f"G-{disbursed:%Y%m}-{rng.randrange(10 ** 6):06d}", "principal": principal,
                              "contract_rate": rate, "disbursed_on": disbursed, "instalments": plan}
    last = missed
    if months > on_time + 1 and rng.random() < 0.6:
        inputs["accelerated_on"] = last = min(missed + timedelta(days=rng.randrange(60, 121)),
                                              plan[-1]["due_on"] - timedelta(days=1))
    if len(repayments) < 2 and rng.random() < 0.3:  # a partial payment after default
        repayments.append(paid(missed + timedelta(days=rng.randrange(10, 50)),
                               str((principal * D(rng.randrange(2, 15)) / 100).quantize(CENT))))
        last = max(last, repayments[-1]["paid_on"])
    filed = min(last + timedelta(days=rng.randrange(20, 181)), date(2025, 12, 31))
    inputs["repayments"] = repayments
    inputs["filed_on"] = filed
    if rng.random() < 0.15:
        inputs["borrower_requests_reduction"] = True
    if rng.random() < 0.3:
        inputs["mediation_failed"] = True
    if rng.random() < 0.4:
        paid_total = sum((r["amount"] for r in repayments), D(0))
        owed = max(principal - paid_total, D(0))
        penalty_rate = rate * D("1.5")
        days = (filed - missed).days
        markup = D(rng.choice(("0.8", "1.0", "1.0", "1.2", "1.5")))
        due = [i for i in plan if i["due_on"] <= (inputs.get("accelerated_on") or filed)]
        interest = sum((i["interest"] for i in due[on_time:]), D(0))
        inputs["claimed"] = {
            "principal_outstanding": owed.quantize(CENT),
            "interest": interest.quantize(CENT),
            "penalty_interest": (owed * penalty_rate * days / 365 * markup).quantize(CENT),
            "compound_interest": (interest * penalty_rate * days / 365).quantize(CENT),
            "fees": D("0.00"),
        }
    return inputs


# ---------------------------------------------------------------- seeding


def seed(engine: Engine, *, generated: int = 1000, seed: int = 2026, now: datetime | None = None,
         evidence_dir: str | os.PathLike | None = None) -> dict[str, Any]:
    """Seed the demo store: the users of :data:`DEMO_USERS`, the hand-written :data:`CASES` and ``generated``
    consumer loans from ``random.Random(seed)``, each filed (and so decided once) by
    :func:`~ruledsl.service.decide.file_case` as its lender's user (the clerk for :data:`TRADER`).

    ``evidence_dir``: a folder for the generated loans' evidence (:mod:`ruledsl.service.demo_evidence`:
    the files, the demo court's log extended with them, their bundles), each loan filed with its files
    verified against :data:`DEMO_KEYS` by :func:`~ruledsl.service.evidence.verify_filing`; None: the
    generated loans are filed without evidence.  The store keeps the files it filed either way.

    Idempotent: when any demo username is already in the store nothing is done (the evidence folder is not
    touched) and the result says ``already_seeded``.  Returns ``{"users": n, "cases": n, "already_seeded": bool}``."""
    names = [u[0] for u in DEMO_USERS]
    with engine.connect() as conn:
        if conn.execute(select(users.c.id).where(users.c.username.in_(names)).limit(1)).first() is not None:
            return {"users": 0, "cases": 0, "already_seeded": True}
    # the generated loans, drawn first (a lender, the loan, a person each: the same loans with or without evidence)
    rng = random.Random(seed)
    drawn = []
    for number in range(FIRST_GENERATED_NUMBER, FIRST_GENERATED_NUMBER + generated):
        lender = rng.choice((BANK, CONSUMER_FINANCE))
        inputs = random_loan(rng)
        drawn.append((number, lender, inputs, random_person(rng)))
    evidence: list[Any] = [()] * len(drawn)
    if evidence_dir is not None and drawn:
        from ruledsl.service.demo_evidence import Loan, build, verify_filings

        filings = build(evidence_dir, [Loan(n, i["case_id"], lender, CREDIT_CODES[lender], person["name"], i)
                                       for n, lender, i, person in drawn], seed=seed)
        evidence = verify_filings(filings, DEMO_KEYS)  # verify_filing, as every filing is verified
    for username, password, role, display_name, lender in DEMO_USERS:
        create_user(engine, username, password, role, display_name, lender=lender, now=now)
    passwords = {u[0]: u[1] for u in DEMO_USERS}
    sessions = {name: sign_in(engine, name, passwords[name], now=now) for name in sorted(set(FILED_BY.values()))}
    refs = {rid: ruleset_ref(ruleset_path(rid)) for rid in (CONSUMER, CARD, PRIVATE)}
    filed = 0
    try:
        written = [(n, c, PEOPLE) for n, c in enumerate(CASES, start=FIRST_NUMBER)]
        written += [(n, {"ruleset": CONSUMER, **c}, EVIDENCE_PEOPLE)
                    for n, c in enumerate(EVIDENCE_CASES, start=FIRST_EVIDENCE_NUMBER)]
        for number, case, people in written:
            lender, inputs = case["lender"], case["inputs"]
            file_case(engine, sessions[FILED_BY[lender]], case_number(inputs["filed_on"], number), lender,
                      refs[case["ruleset"]], inputs, [plaintiff(lender), people[case["defendant"]]],
                      evidence=evidence_of(case["folder"]) if "folder" in case else (), now=now)
            filed += 1
        for (number, lender, inputs, person), items in zip(drawn, evidence, strict=True):
            file_case(engine, sessions[FILED_BY[lender]], case_number(inputs["filed_on"], number), lender,
                      refs[CONSUMER], inputs, [plaintiff(lender), person], evidence=items, now=now)
            filed += 1
    finally:
        for session in sessions.values():
            sign_out(engine, session.token, now=now)
    return {"users": len(DEMO_USERS), "cases": filed, "already_seeded": False}


def evidence_dir_for(engine: Engine) -> Path:
    """Where ``python -m ruledsl.service.demo`` keeps the generated loans' evidence: ``demo-evidence`` beside
    a SQLite store's file, else in the data dir (``RULEDSL_DATA_DIR``, else ``.data``)."""
    from ruledsl.store.db import data_dir

    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        return Path(database).resolve().parent / "demo-evidence"
    return data_dir() / "demo-evidence"


def users_table() -> str:
    """The demo users as a plain-text table, Chinese headings first."""
    rows = [("角色 role", "用户名 username", "密码 password", "显示名称 name", "所属机构 lender")]
    rows += [(f"{ROLE_NAMES[role]} {role}", username, password, display_name, lender or "—")
             for username, password, role, display_name, lender in DEMO_USERS]
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()
                     for row in rows)


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK characters two."""
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def main(argv: list[str] | None = None) -> int:
    """``python -m ruledsl.service.demo [DB_URL]``: seed the store and print the demo users."""
    args = sys.argv[1:] if argv is None else argv
    engine = open_store(args[0] if args else None)
    evidence_dir = evidence_dir_for(engine)
    try:
        migrate(engine)
        result = seed(engine, evidence_dir=evidence_dir)
    finally:
        engine.dispose()
    if result["already_seeded"]:
        print("演示数据已存在，未作改动（the demo store is already seeded: nothing done）")
    else:
        print(f"已创建 {result['users']} 个用户、{result['cases']} 件案件"
              f"（seeded {result['users']} users and {result['cases']} cases）")
        print(f"生成案件的证据及演示存证日志（the generated cases' evidence and the demo log）：{evidence_dir}")
    print()
    print("演示用户（仅供演示）demo users (for the demo only):")
    print(users_table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
