"""A stored case decided, what-if and the judge's saved decision (SQLite and PostgreSQL).

The loan is the worked example of ``rulesets/cn/consumer_loan.rules`` "without a request the court does
not cut 27% penalty and compound interest" (and, asked, "reduction asked: penalty and compound interest
cut to 24% a year"), whose figures are worked by hand there:

* 10,000.00 lent 2023-01-01 at 18 %, due 2024-01-01 with stated interest 10,000 × 18 % = 1,800.00;
  penalty rate 18 % × 150 % = 27 %; filed 2024-07-01 (182 days overdue);
* penalty  = 10,000 × 27 % × 182 / 365 = 491,400 / 365 = 1,346.3013… → 1,346.30;
* compound =  1,800 × 27 % × 182 / 365 =  88,452 / 365 =   242.3342… →   242.33;
* total = 10,000.00 + 1,800.00 + 1,346.30 + 242.33 = 13,388.63;
* with the reduction granted: penalty 1,196.71, compound 0.00, total 12,996.71.

The lender claims 1,500.00 of penalty interest, more than the law allows: it is awarded 1,346.30 and the
difference is 1,500.00 − 1,346.30 = 153.70.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, insert, select

from ruledsl.core.errors import AccessDenied, InputError, RulesError
from ruledsl.core.money import Money
from ruledsl.service import Session, add_case, create_user, get_case, list_cases, sign_in
from ruledsl.service.access import RulesetRef, queue_counts
from ruledsl.service.decide import (
    DECIDED,
    RULESETS,
    WhatIf,
    case_award,
    file_case,
    judgment_of,
    ruleset_path,
    ruleset_ref,
    save_decision,
    what_if,
)
from ruledsl.store import cases as cs

PASSWORD = "correct horse 42"
BANK = "甲银行股份有限公司"
D = Decimal

INPUTS = {
    "case_id": "JJ-2023-0001",
    "principal": D("10000.00"), "contract_rate": D("0.18"), "disbursed_on": date(2023, 1, 1),
    "instalments": [{"due_on": date(2024, 1, 1), "principal": D("10000.00"), "interest": D("1800.00")}],
    "filed_on": date(2024, 7, 1),
    "claimed": {"principal_outstanding": D("10000.00"), "interest": D("1800.00"), "penalty_interest": D("1500.00"),
                "compound_interest": D("242.33"), "fees": D("0.00")},
}
PARTIES = [{"role": "原告", "name": BANK, "kind": "organisation"},
           {"role": "被告", "name": "张三丰", "id_number": "11010119900307123X", "phone": "13812345678"}]


@dataclass(frozen=True)
class World:
    store: Engine
    judge: Session
    clerk: Session
    lender: Session
    case_id: int


@pytest.fixture
def world(store: Engine) -> World:
    sessions = {}
    for name, role, lender in (("judge", "judge", None), ("clerk", "clerk", None), ("bank", "lender", BANK)):
        create_user(store, name, PASSWORD, role, name, lender=lender)
        sessions[name] = sign_in(store, name, PASSWORD)
    ref = ruleset_ref(RULESETS / "cn" / "consumer_loan.rules")
    case_id = add_case(store, sessions["bank"], "(2024)浙0192民初101号", BANK, ref, INPUTS, PARTIES)
    return World(store, sessions["judge"], sessions["clerk"], sessions["bank"], case_id)


def money(text: str) -> Money:
    return Money(D(text))


def test_ruleset_ids_name_the_published_files() -> None:
    ref = ruleset_ref(RULESETS / "cn" / "consumer_loan.rules")
    assert ref.id == "cn.consumer_loan"
    assert ruleset_path(ref.id) == RULESETS / "cn" / "consumer_loan.rules"
    for bad in ("../etc/passwd", "cn..x", "cn/consumer_loan", ""):
        with pytest.raises(InputError):
            ruleset_path(bad)


def test_award_per_line_claimed_allowed_awarded_difference(world: World) -> None:
    award = case_award(get_case(world.store, world.judge, world.case_id))
    penalty = award.line("penalty_interest")
    assert (penalty.claimed, penalty.allowed, penalty.awarded) == (money("1500.00"), money("1346.30"),
                                                                   money("1346.30"))
    assert penalty.difference == money("153.70")
    assert penalty.label == "罚息"
    assert "民法典" in penalty.law or "中国人民银行" in penalty.law
    compound = award.line("compound_interest")
    assert (compound.claimed, compound.awarded, compound.difference) == (money("242.33"), money("242.33"),
                                                                         money("0.00"))
    assert award.total is not None
    assert award.total.awarded == money("13388.63")
    # Σ claimed = 10,000.00 + 1,800.00 + 1,500.00 + 242.33 + 0.00 = 13,542.33
    assert award.total.claimed == money("13542.33")
    assert award.total.difference == money("153.70")
    assert [line.name for line in award.lines] == ["principal_outstanding", "interest", "penalty_interest",
                                                   "compound_interest", "fees"]
    assert award.ruleset.id == "cn.consumer_loan"
    assert not award.evidence_complete  # no verified evidence in the store


def test_what_if_recomputes_and_writes_nothing(world: World) -> None:
    record = get_case(world.store, world.judge, world.case_id)
    with world.store.connect() as conn:
        before = [conn.execute(select(t)).all() for t in (cs.cases, cs.decisions, cs.parties)]
    after, changes = what_if(record, WhatIf(reduction=True))
    by = {c.name: c for c in changes}
    assert (by["penalty_interest"].before, by["penalty_interest"].after) == (money("1346.30"), money("1196.71"))
    assert by["compound_interest"].after == money("0.00")
    # 12,996.71 − 13,388.63 = −391.92
    assert by["total"].delta == money("-391.92")
    assert after.changes == WhatIf(reduction=True)
    with world.store.connect() as conn:
        assert [conn.execute(select(t)).all() for t in (cs.cases, cs.decisions, cs.parties)] == before


def test_what_if_moves_the_calculation_date(world: World) -> None:
    record = get_case(world.store, world.judge, world.case_id)
    # overdue 2024-01-01 → 2024-04-01 = 31 + 29 + 31 = 91 days
    # penalty  = 10,000 × 27 % × 91 / 365 = 245,700 / 365 = 673.1506… → 673.15
    # compound =  1,800 × 27 % × 91 / 365 =  44,226 / 365 = 121.1671… → 121.17
    # total = 10,000.00 + 1,800.00 + 673.15 + 121.17 = 12,594.32
    award, _ = what_if(record, WhatIf(calc_until=date(2024, 4, 1)))
    assert award.line("penalty_interest").awarded == money("673.15")
    assert award.line("compound_interest").awarded == money("121.17")
    assert award.total is not None and award.total.awarded == money("12594.32")


def test_what_if_excludes_a_repayment(world: World, store: Engine) -> None:
    # a second case: 1,000.00 repaid on the due date goes to interest first (民法典 561), so excluding it
    # gives back the figures above
    inputs = {**INPUTS, "repayments": [{"paid_on": date(2024, 1, 1), "amount": D("1000.00")}]}
    ref = ruleset_ref(RULESETS / "cn" / "consumer_loan.rules")
    other = add_case(store, world.judge, "(2024)浙0192民初102号", BANK, ref, inputs, PARTIES)
    record = get_case(store, world.judge, other)
    paid = case_award(record)
    # interest 1,800.00 − 1,000.00 = 800.00 left; compound = 800 × 27 % × 182 / 365 = 39,312 / 365 = 107.70
    assert paid.line("interest").awarded == money("800.00")
    assert paid.line("compound_interest").awarded == money("107.70")
    unpaid, changes = what_if(record, WhatIf(excluded_repayments=frozenset({0})))
    assert unpaid.line("interest").awarded == money("1800.00")
    assert {c.name: c.delta for c in changes}["interest"] == money("1000.00")
    with pytest.raises(InputError, match="第 2 笔还款"):
        case_award(record, WhatIf(excluded_repayments=frozenset({1})))


def test_rejecting_verified_evidence(world: World) -> None:
    with world.store.begin() as conn:  # what an import records of an item it verified against the log
        conn.execute(insert(cs.evidence_items).values(
            case_id=world.case_id, kind="identity_verification", file="id.pdf", verified=True, status="verified",
            detail_json=cs.exact_dumps({"item": {"kind": "identity_verification", "file": "id.pdf"}})))
    record = get_case(world.store, world.judge, world.case_id)
    found = {r.kind: r.status for r in case_award(record).decision.evidence}
    assert found["identity_verification"] == "satisfied"
    rejected = case_award(record, WhatIf(rejected_evidence=frozenset({0})))
    assert {r.kind: r.status for r in rejected.decision.evidence}["identity_verification"] == "missing"
    with pytest.raises(InputError):
        case_award(record, WhatIf(rejected_evidence=frozenset({3})))


def test_a_change_the_ruleset_has_no_fact_for_is_refused(world: World, store: Engine) -> None:
    ref = ruleset_ref(RULESETS / "cn" / "court_fees.rules")
    fees = add_case(store, world.judge, "(2024)浙0192民初103号", BANK, ref,
                    {"claim_amount": D("286400.00"), "procedure": "ordinary"}, PARTIES)
    with pytest.raises(InputError, match="借款人请求调减"):
        case_award(get_case(store, world.judge, fees), WhatIf(reduction=True))


def test_save_decision_recomputes_and_audits(world: World) -> None:
    decision_id = save_decision(world.store, world.judge, world.case_id, WhatIf(reduction=True))
    record = get_case(world.store, world.judge, world.case_id)
    assert record.stage == DECIDED
    (saved,) = record.decisions
    assert saved["id"] == decision_id
    total = next(line for line in saved["award"]["lines"] if line["name"] == "total")
    assert total["awarded"] == D("12996.71")  # the reduction example's total, exact Decimal from the store
    assert saved["inputs"] == {"changes": {"reduction": True}}
    with world.store.connect() as conn:
        actions = [r.action for r in conn.execute(select(cs.audit_log).where(cs.audit_log.c.case_id == world.case_id)
                                                  .order_by(cs.audit_log.c.id))]
    assert "decide" in actions


@pytest.mark.parametrize("who", ["clerk", "lender"])
def test_only_a_judge_decides(world: World, who: str) -> None:
    with pytest.raises(AccessDenied):
        save_decision(world.store, getattr(world, who), world.case_id)
    assert get_case(world.store, world.judge, world.case_id).decisions == ()


def test_a_ruleset_changed_since_filing_is_refused(world: World, store: Engine) -> None:
    stale = RulesetRef("cn.consumer_loan", "2026.1", "0" * 64)
    case_id = add_case(store, world.judge, "(2024)浙0192民初104号", BANK, stale, INPUTS, PARTIES)
    with pytest.raises(RulesError, match="已变更"):
        case_award(get_case(store, world.judge, case_id))


def test_judgment_draft_of_a_stored_case(world: World) -> None:
    record = get_case(world.store, world.judge, world.case_id)
    draft = judgment_of(record, case_award(record), "浙江省杭州市某某区人民法院")
    assert draft.orders[0] == ("一、被告张三丰于本判决生效之日起十日内偿还原告甲银行股份有限公司本金10,000.00元"
                               "（大写：人民币壹万元整）；")
    assert "罚息1,346.30元（大写：人民币壹仟叁佰肆拾陆元叁角）" in draft.orders[2]
    assert draft.orders[-1] == "五、驳回原告甲银行股份有限公司的其他诉讼请求。"  # 1,500.00 penalty claimed, 1,346.30 allowed
    assert "第二百六十四条" in draft.delayed_performance
    # fee on 13,542.33 claimed (诉讼费用交纳办法 art.13): 50 + (13,542.33 − 10,000) × 2.5 % = 50 + 88.55825 = 138.56,
    # halved for simple procedure (art.16): 69.28; the defendant's share 69.28 × 13,388.63 / 13,542.33
    # = 68.4937… → 68.49, the plaintiff's 69.28 − 68.49 = 0.79
    assert draft.fee == "案件受理费69.28元，由原告甲银行股份有限公司负担0.79元，被告张三丰负担68.49元。"


def test_a_case_that_is_not_admissible_gets_no_judgment_draft(world: World, store: Engine) -> None:
    # the same loan before a court without jurisdiction (民事诉讼法 art.122(4)): refused by a ruling, not judged
    ref = get_case(store, world.judge, world.case_id).ruleset
    case_id = add_case(store, world.judge, "(2024)浙0192民初105号", BANK, ref,
                       {**INPUTS, "court_has_jurisdiction": False}, PARTIES)
    record = get_case(store, world.judge, case_id)
    award = case_award(record)
    assert award.refused and award.route is None
    with pytest.raises(InputError, match="本案不予受理，不起草判决主文：不予受理：本院对本案无管辖权"):
        judgment_of(record, award, "浙江省杭州市某某区人民法院")


# ---------------------------------------------------------------- the queue


def test_file_case_stores_the_queue_figures(world: World, store: Engine) -> None:
    ref = ruleset_ref(RULESETS / "cn" / "consumer_loan.rules")
    case_id = file_case(store, world.lender, "(2024)浙0192民初201号", BANK, ref, INPUTS, PARTIES)
    (summary,) = list_cases(store, world.judge, search="201号")
    assert summary.id == case_id
    # the figures of the module docstring: claimed 13,542.33, allowed = awarded 13,388.63
    assert (summary.claimed, summary.allowed, summary.awarded) == (money("13542.33"), money("13388.63"),
                                                                    money("13388.63"))
    assert summary.overdue_days == 182  # 2024-01-01 → 2024-07-01
    assert summary.evidence_state == "missing"  # nothing verified
    assert summary.verdict == "needs_correction"  # evidence incomplete outranks the claim above the law
    assert summary.stage == "非诉调解"  # the route the rules give a case whose evidence is incomplete


def test_queue_filters_sorts_and_counts(world: World, store: Engine) -> None:
    ref = ruleset_ref(RULESETS / "cn" / "consumer_loan.rules")
    other = "乙小额贷款有限公司"
    create_user(store, "bank_b", PASSWORD, "lender", "bank_b", lender=other)
    bank_b = sign_in(store, "bank_b", PASSWORD)
    for i, principal in enumerate(("5000.00", "20000.00", "8000.00")):
        inputs = {**INPUTS, "principal": D(principal), "claimed": None,
                  "instalments": [{"due_on": date(2024, 1, 1), "principal": D(principal), "interest": D("0.00")}]}
        inputs = {k: v for k, v in inputs.items() if v is not None}
        file_case(store, world.lender, f"(2024)浙0192民初30{i}号", BANK, ref, inputs, PARTIES)
    file_case(store, bank_b, "(2024)浙0192民初399号", other, ref, INPUTS,
              [{"role": "原告", "name": other, "kind": "organisation"}, {"role": "被告", "name": "李四"}])
    awarded = [c.awarded for c in list_cases(store, world.judge, sort="awarded", search="民初3")]
    assert awarded == sorted(awarded, reverse=True) and len(awarded) == 4
    ascending = [c.case_number for c in list_cases(store, world.judge, sort="awarded", descending=False,
                                                   search="民初30")]
    assert ascending == ["(2024)浙0192民初300号", "(2024)浙0192民初302号", "(2024)浙0192民初301号"]
    counts = queue_counts(store, world.judge)
    assert counts["total"] == 5  # the fixture's case (filed without figures) and the four above
    assert counts["verdict"] == {None: 1, "needs_correction": 4}
    assert counts["evidence_state"] == {None: 1, "missing": 4}
    # a lender counts and lists its own cases only, whatever it asks
    assert queue_counts(store, bank_b)["total"] == 1
    assert [c.case_number for c in list_cases(store, bank_b)] == ["(2024)浙0192民初399号"]
    with pytest.raises(AccessDenied):
        queue_counts(store, bank_b, lender=BANK)
    assert queue_counts(store, world.judge, search="李四")["total"] == 1
    with pytest.raises(InputError):
        list_cases(store, world.judge, sort="password_hash")
