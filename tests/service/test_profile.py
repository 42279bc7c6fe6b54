"""The party profile (当事人画像) on a real case store: what the ID number says, the age at signing, the party's
other cases as each role may see them, masking, declared facts with their sources, the repayment history,
the points in dispute, the audit entry, and migration 0003.

Every expected figure says where it comes from: the ID numbers' check digits are worked by hand below
(GB 11643-1999, ISO 7064 MOD 11-2), ages are counted by hand from the birth date and the signing date,
the repayment history is the sums the test files, added by hand; the queue's figures and a saved
decision are compared with what the store holds for those cases (proven in test_decide.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, select, text

from ruledsl.core.errors import AccessDenied, InputError
from ruledsl.core.money import Money
from ruledsl.core.text import exact_json
from ruledsl.service import (
    Session,
    audit_entries,
    create_user,
    file_case,
    get_case,
    list_cases,
    ruleset_ref,
    save_decision,
    sign_in,
)
from ruledsl.service.decide import RULESETS
from ruledsl.service.profile import RepaymentPoint, party_profile
from ruledsl.store import cases as cs

D = Decimal
PASSWORD = "correct horse 42"
BANK_A, BANK_B, TRADER = "甲银行股份有限公司", "乙消费金融有限公司", "丙商贸有限公司"

# 330106 19900307 123 + check digit, by hand (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2):
#   3·7 + 3·9 + 0·10 + 1·5 + 0·8 + 6·4 + 1·2 + 9·1 + 9·6 + 0·3 + 0·7 + 3·9 + 0·10 + 7·5 + 1·8 + 2·4 + 3·2
#   = 21 + 27 + 0 + 5 + 0 + 24 + 2 + 9 + 54 + 0 + 0 + 27 + 0 + 35 + 8 + 8 + 6 = 226;  226 mod 11 = 6 → "6"
#   (the check characters for 0 … 10 are 1 0 X 9 8 7 6 5 4 3 2).  330106 is in 浙江省 (33), born
#   1990-03-07, the 17th digit 3 is odd: 男.
ZHANG_ID = "330106199003071236"
ZHANG = {"role": "被告", "name": "张三丰", "id_number": ZHANG_ID, "phone": "13812345678", "kind": "person",
         "declared": {"monthly_income": {"value": D("8500.00"), "source": "借款申请表（借款人自述）"},
                      "employer": {"value": "杭州某某科技有限公司", "source": "借款申请表（借款人自述）"},
                      "phone_reachable": {"value": "否", "source": "催收记录 2024-09-03"}}}
ZHANG_PLAIN = {k: v for k, v in ZHANG.items() if k != "declared"}  # the same person, nothing declared
# 110101 19900307 123: 1·7 + 1·9 + 0 + 1·5 + 0 + 1·4 + 1·2 + 9·1 + 9·6 + 0 + 0 + 3·9 + 0 + 7·5 + 1·8 + 2·4 + 3·2
#   = 7 + 9 + 5 + 4 + 2 + 9 + 54 + 27 + 35 + 8 + 8 + 6 = 174;  174 mod 11 = 9 → "3", so the X is wrong
WANG = {"role": "被告", "name": "王五", "id_number": "11010119900307123X", "phone": "13900001111", "kind": "person"}
LI = {"role": "被告", "name": "李四", "kind": "person"}  # a guarantor filed without an ID number


def plaintiff(lender: str) -> dict:
    return {"role": "原告", "name": lender, "kind": "organisation", "id_number": "91110000100000000X",
            "phone": "01088886666"}


# a 2,000 loan disbursed on Zhang's 34th birthday, two instalments (principal + the lender's interest), the
# first paid on its due date, 300 paid later; the claim states compound interest and fees although the
# contract agrees no compound interest and the case lists no costs: the law allows 0.00 of each
LOAN = {"principal": D("2000.00"), "contract_rate": D("0.24"), "compound_agreed": False,
        "disbursed_on": "2024-03-07",
        "instalments": [{"due_on": "2024-04-07", "principal": D("1000.00"), "interest": D("50.00")},
                        {"due_on": "2024-05-07", "principal": D("1000.00"), "interest": D("40.00")}],
        "repayments": [{"paid_on": "2024-04-07", "amount": D("1050.00")},
                       {"paid_on": "2024-06-01", "amount": D("300.00")}],
        "filed_on": "2025-01-10", "borrower_requests_reduction": True,
        "claimed": {"principal_outstanding": D("1000.00"), "interest": D("40.00"), "penalty_interest": D("100.00"),
                    "compound_interest": D("100.00"), "fees": D("500.00")}}
# a private loan whose contract was signed the day before Zhang turned 33 (the money lent two days later)
PRIVATE = {"principal": D("10000.00"), "contract_rate": D("0.10"), "disbursed_on": "2023-03-08",
           "contract_signed_on": "2023-03-06", "due_on": "2024-03-08", "filed_on": "2024-09-01"}


@dataclass(frozen=True)
class World:
    store: Engine
    judge: Session
    clerk: Session
    bank_a: Session
    bank_b: Session
    mediator: Session
    admin: Session
    a1: int  # bank A: Zhang (declared facts) and Li
    a2: int  # bank A: Zhang and Li again
    b1: int  # bank B: Zhang, and an organisation that happens to be called 李四
    c1: int  # the trader (filed by the clerk): a private loan to Zhang
    w1: int  # bank A: Wang, whose ID number has a wrong check digit


@pytest.fixture
def world(store: Engine) -> World:
    sessions = {}
    for name, role, lender in (("judge", "judge", None), ("clerk", "clerk", None), ("bank_a", "lender", BANK_A),
                               ("bank_b", "lender", BANK_B), ("mediator", "mediator", None), ("admin", "admin", None)):
        create_user(store, name, PASSWORD, role, name, lender=lender)
        sessions[name] = sign_in(store, name, PASSWORD)
    loan = ruleset_ref(RULESETS / "cn" / "consumer_loan.rules")
    private = ruleset_ref(RULESETS / "cn" / "private_lending.rules")
    a, b = sessions["bank_a"], sessions["bank_b"]
    a1 = file_case(store, a, "(2025)浙0192民初1号", BANK_A, loan, LOAN, [plaintiff(BANK_A), ZHANG, LI])
    a2 = file_case(store, a, "(2025)浙0192民初2号", BANK_A, loan, LOAN, [plaintiff(BANK_A), ZHANG_PLAIN, LI])
    b1 = file_case(store, b, "(2025)浙0192民初3号", BANK_B, loan, LOAN,
                   [plaintiff(BANK_B), ZHANG_PLAIN, {"role": "被告", "name": "李四", "kind": "organisation"}])
    c1 = file_case(store, sessions["clerk"], "(2024)浙0192民初4号", TRADER, private, PRIVATE,
                   [plaintiff(TRADER), ZHANG_PLAIN])
    w1 = file_case(store, a, "(2025)浙0192民初5号", BANK_A, loan, LOAN, [plaintiff(BANK_A), WANG])
    return World(store, **sessions, a1=a1, a2=a2, b1=b1, c1=c1, w1=w1)


def defendant(profile, name: str | None = None):  # type: ignore[no-untyped-def]
    people = [p for p in profile.parties if p.role == "被告" and p.kind == "person"]
    return people[0] if name is None else next(p for p in people if p.name == name)


# ---------------------------------------------------------------- what the ID number says


def test_id_facts_and_the_age_at_the_contracts_signing(world: World) -> None:
    profile = party_profile(world.store, world.judge, world.c1)
    assert (profile.signing.on, profile.signing.input, profile.signing.note) == (date(2023, 3, 6), "contract_signed_on",
                                                                                None)
    facts = defendant(profile).id_facts
    assert (facts.valid, facts.problem, facts.kind, facts.province, facts.sex, facts.birth_date) == (
        True, None, "18", "浙江省", "男", date(1990, 3, 7))
    # signed 2023-03-06, the day before the 33rd birthday: 2023 − 1990 − 1 = 32 (not 33, as on the 2023-03-08 loan)
    assert facts.age_at_signing == 32
    assert "省" in profile.region_note and "GB/T 2260" in profile.region_note


def test_a_consumer_loan_counts_the_age_on_its_disbursement_date_and_says_so(world: World) -> None:
    profile = party_profile(world.store, world.judge, world.a1)
    assert (profile.signing.on, profile.signing.input) == (date(2024, 3, 7), "disbursed_on")
    assert "无合同签订日" in profile.signing.note and "放款日" in profile.signing.note
    assert defendant(profile).id_facts.age_at_signing == 34  # disbursed on the 34th birthday: 2024 − 1990 = 34


def test_a_private_loan_without_a_signing_date_says_the_default_was_used(world: World) -> None:
    inputs = {k: v for k, v in PRIVATE.items() if k != "contract_signed_on"}
    ref = ruleset_ref(RULESETS / "cn" / "private_lending.rules")
    case = file_case(world.store, world.clerk, "(2024)浙0192民初6号", TRADER, ref, inputs, [plaintiff(TRADER), ZHANG_PLAIN])
    profile = party_profile(world.store, world.judge, case)
    assert (profile.signing.on, profile.signing.input) == (date(2023, 3, 8), "disbursed_on")
    assert "未载明" in profile.signing.note
    assert defendant(profile).id_facts.age_at_signing == 33  # 2023-03-08 is after the birthday: 2023 − 1990


def test_a_wrong_check_digit_is_shown_to_a_judge_and_only_flagged_to_a_mediator(world: World) -> None:
    judge = defendant(party_profile(world.store, world.judge, world.w1)).id_facts
    assert judge.valid is False
    assert judge.problem.startswith("校验码应为 3，实为 X")  # worked by hand above (WANG)
    assert judge.birth_date == date(1990, 3, 7)  # the digits are read even so
    mediator = defendant(party_profile(world.store, world.mediator, world.w1)).id_facts
    assert mediator.valid is False and mediator.withheld
    assert mediator.problem == "号码未通过校验（具体原因按角色隐去）"
    assert (mediator.birth_date, mediator.age_at_signing) == (None, None)


def test_organisations_and_parties_without_a_number_have_no_id_facts(world: World) -> None:
    profile = party_profile(world.store, world.judge, world.a1)
    bank = next(p for p in profile.parties if p.role == "原告")
    assert bank.id_facts is None and "统一社会信用代码" in bank.id_note
    li = defendant(profile, "李四")
    assert li.id_facts is None and li.id_note == "案件材料未载明身份证号码"


# ---------------------------------------------------------------- masking


@pytest.mark.parametrize("who", ["judge", "clerk", "bank_a", "mediator", "admin"])
def test_parties_are_masked_exactly_as_the_case_page_masks_them(world: World, who: str) -> None:
    session = getattr(world, who)
    profile = party_profile(world.store, session, world.a1)
    shown = get_case(world.store, session, world.a1).parties
    assert [(p.role, p.name, p.id_number, p.phone) for p in profile.parties] == [
        (p["role"], p["name"], p["id_number"], p["phone"]) for p in shown]


def test_a_mediator_sees_the_masked_party_and_only_what_the_mask_shows(world: World) -> None:
    zhang = defendant(party_profile(world.store, world.mediator, world.a1))
    # access.mask_party: the first character and two stars; the first 6 and last 4 digits; the first 3 and last 4
    assert (zhang.name, zhang.id_number, zhang.phone, zhang.masked) == (
        "张**", "330106********1236", "138****5678", True)
    facts = zhang.id_facts
    assert (facts.valid, facts.province, facts.sex, facts.withheld) == (True, "浙江省", "男", True)
    assert (facts.birth_date, facts.age_at_signing) == (None, None)  # the birth date is what the mask hides
    assert [(f.label, f.value, f.source) for f in zhang.declared][0] == ("月收入（元）", None, "借款申请表（借款人自述）")
    assert all(f.withheld and f.value is None for f in zhang.declared)


def test_a_judge_sees_the_party_plain(world: World) -> None:
    zhang = defendant(party_profile(world.store, world.judge, world.a1))
    assert (zhang.name, zhang.id_number, zhang.phone, zhang.masked) == ("张三丰", ZHANG_ID, "13812345678", False)
    assert zhang.id_facts.withheld is False


# ---------------------------------------------------------------- other cases (涉诉情况)


def numbers(party) -> set[str]:  # type: ignore[no-untyped-def]
    return {o.case_number for o in party.other_cases}


def test_a_judge_sees_every_other_case_of_the_same_id_number(world: World) -> None:
    zhang = defendant(party_profile(world.store, world.judge, world.a1))
    assert zhang.matched_by == "id_number"
    assert numbers(zhang) == {"(2025)浙0192民初2号", "(2025)浙0192民初3号", "(2024)浙0192民初4号"}  # not 1号 itself
    assert zhang.other_cases_total == 3
    assert {o.lender for o in zhang.other_cases} == {BANK_A, BANK_B, TRADER}
    # the amounts as the queue holds them for those cases
    queue = {c.case_number: c for c in list_cases(world.store, world.judge)}
    for other in zhang.other_cases:
        summary = queue[other.case_number]
        assert (other.claimed, other.awarded, other.verdict, other.stage) == (
            summary.claimed, summary.awarded, summary.verdict, summary.stage)
    assert next(o for o in zhang.other_cases if o.case_number.endswith("4号")).claimed is None  # no claim stated


def test_a_lender_sees_only_its_own_lenders_other_cases(world: World) -> None:
    own = defendant(party_profile(world.store, world.bank_a, world.a1))
    assert numbers(own) == {"(2025)浙0192民初2号"} and own.other_cases_total == 1
    other = defendant(party_profile(world.store, world.bank_b, world.b1))
    assert numbers(other) == set() and other.other_cases_total == 0  # bank A's and the trader's are not told


def test_a_lender_is_refused_another_lenders_profile_and_nothing_is_logged(world: World) -> None:
    before = len(audit_entries(world.store, world.judge))
    with pytest.raises(AccessDenied, match="放贷机构只能查看本机构的案件"):
        party_profile(world.store, world.bank_b, world.a1)
    assert len(audit_entries(world.store, world.judge)) == before


def test_without_an_id_number_the_exact_name_and_kind_match_and_it_says_so(world: World) -> None:
    li = defendant(party_profile(world.store, world.judge, world.a1), "李四")
    assert li.matched_by == "name" and "可能并非同一人" in li.match_note
    assert numbers(li) == {"(2025)浙0192民初2号"}  # 3号's 李四 is an organisation


def test_a_saved_decision_of_another_case_is_shown(world: World) -> None:
    save_decision(world.store, world.judge, world.a2)
    with world.store.connect() as conn:
        saved = conn.execute(select(cs.decisions).where(cs.decisions.c.case_id == world.a2)).one()
    total = next(line for line in exact_json(saved.award_json)["lines"] if line["name"] == "total")
    other = next(o for o in defendant(party_profile(world.store, world.judge, world.a1)).other_cases
                 if o.id == world.a2)
    assert other.decided_awarded == Money(total["awarded"])
    assert other.decided_at == cs.parse_utc(saved.decided_at)
    assert other.stage == "已裁判"


# ---------------------------------------------------------------- declared facts


def test_declared_facts_round_trip_with_their_sources(world: World) -> None:
    zhang = defendant(party_profile(world.store, world.judge, world.a1))
    assert [(f.name, f.label, f.value, f.source) for f in zhang.declared] == [
        ("monthly_income", "月收入（元）", "8,500.00", "借款申请表（借款人自述）"),
        ("employer", "工作单位", "杭州某某科技有限公司", "借款申请表（借款人自述）"),
        ("phone_reachable", "电话能否接通", "否", "催收记录 2024-09-03"),
    ]
    with world.store.connect() as conn:
        rows = conn.execute(select(cs.parties.c.name, cs.parties.c.declared_json)
                            .where(cs.parties.c.case_id == world.a1).order_by(cs.parties.c.id)).all()
    stored = {name: declared for name, declared in rows}
    assert exact_json(stored["张三丰"])["monthly_income"] == {"value": D("8500.00"), "source": "借款申请表（借款人自述）"}
    assert stored["李四"] is None and stored[BANK_A] is None
    assert defendant(party_profile(world.store, world.judge, world.a2)).declared == ()  # nothing declared there


@pytest.mark.parametrize(("declared", "message"), [
    ("月入八千", "declared 须为对象"),
    ({"monthly_income": "8500"}, "须恰有 value 与 source 两项"),
    ({"monthly_income": {"value": "8500"}}, "须恰有 value 与 source 两项"),
    ({"monthly_income": {"value": "8500", "source": "自述", "note": "x"}}, "须恰有 value 与 source 两项"),
    ({"monthly_income": {"value": "8500", "source": "  "}}, "须载明来源"),
    ({"monthly_income": {"value": None, "source": "自述"}}, "缺少取值"),
    ({"monthly_income": {"value": "", "source": "自述"}}, "缺少取值"),
    ({"monthly_income": {"value": 8500.0, "source": "自述"}}, "缺少取值或取值类型不符"),
    ({"": {"value": "x", "source": "自述"}}, "事实名称"),
])
def test_declared_facts_of_another_shape_are_refused(world: World, declared, message: str) -> None:  # type: ignore[no-untyped-def]
    ref = ruleset_ref(RULESETS / "cn" / "consumer_loan.rules")
    with pytest.raises(InputError, match=message) as caught:
        file_case(world.store, world.bank_a, "(2025)浙0192民初9号", BANK_A, ref, LOAN,
                  [plaintiff(BANK_A), {**ZHANG_PLAIN, "declared": declared}])
    assert str(caught.value).count("当事人 2") == 1  # the party, counted from 1 as the filing lists them


# ---------------------------------------------------------------- repayment history and disputes


def test_the_repayment_history_is_what_was_filed_with_running_totals(world: World) -> None:
    profile = party_profile(world.store, world.judge, world.a1)
    rows = [(r.on, r.kind, r.amount, r.cumulative) for r in profile.repayments]
    assert rows == [
        (date(2024, 4, 7), "应还", Money("1050.00"), Money("1050.00")),  # 1,000 + 50
        (date(2024, 4, 7), "实还", Money("1050.00"), Money("1050.00")),
        (date(2024, 5, 7), "应还", Money("1040.00"), Money("2090.00")),  # 1,000 + 40; 1,050 + 1,040
        (date(2024, 6, 1), "实还", Money("300.00"), Money("1350.00")),  # 1,050 + 300
    ]
    assert all(isinstance(r, RepaymentPoint) for r in profile.repayments)
    # a private loan has no schedule: the principal falls due on the agreed date
    private = party_profile(world.store, world.judge, world.c1).repayments
    assert [(r.on, r.kind, r.amount) for r in private] == [(date(2024, 3, 8), "应还", Money("10000.00"))]


def test_the_points_in_dispute(world: World) -> None:
    profile = party_profile(world.store, world.judge, world.a1)
    texts = [d.text for d in profile.disputes]
    # no compound interest agreed (compound_agreed false) and no costs listed: the law allows 0.00 of each
    assert "诉请复利 100.00 元，超出依法可支持的 0.00 元，超出 100.00 元" in texts
    assert "诉请实现债权的有关费用 500.00 元，超出依法可支持的 0.00 元，超出 500.00 元" in texts
    exceeding = {line.label for line in profile.claims if line.claimed is not None and line.claimed > line.allowed}
    assert {d.text.split(" ")[0].removeprefix("诉请") for d in profile.disputes if d.kind == "claim_exceeds"} == exceeding
    assert any(d.kind == "reduction" and d.text.endswith("：是") for d in profile.disputes)
    evidence = [d for d in profile.disputes if d.kind == "evidence"]
    assert evidence and all(d.text.startswith("证据不齐：") for d in evidence)  # the store holds no evidence here
    assert [line.label for line in profile.claims][:1] and profile.award_problem is None


# ---------------------------------------------------------------- the audit log, one party


def test_each_opening_is_a_view_in_the_audit_log(world: World) -> None:
    party_profile(world.store, world.judge, world.a1)
    one = party_profile(world.store, world.judge, world.a1, party_index=1)
    assert [p.index for p in one.parties] == [1] and one.parties[0].name == "张三丰"
    views = [e for e in audit_entries(world.store, world.judge, world.a1) if e.action == "view"]
    assert [e.detail for e in views] == [{"profile": [0, 1, 2]}, {"profile": [1]}]
    assert {e.username for e in views} == {"judge"}
    with pytest.raises(InputError, match="没有第 4 位当事人"):
        party_profile(world.store, world.judge, world.a1, party_index=3)


# ---------------------------------------------------------------- migration 0003


def test_a_store_at_0002_upgrades_to_0003_with_its_parties_and_back(db_url: str) -> None:
    engine = cs.open_store(db_url)
    try:
        cs.migrate(engine, "0002")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO cases (case_number, lender, ruleset_id, ruleset_version, ruleset_sha256, "
                              "inputs_json, stage, created_at, updated_at) VALUES ('(2026)浙0192民初1号', '甲银行', "
                              "'cn.consumer_loan', '1', :sha, '{}', '立案', '2026-01-31T08:00:00Z', "
                              "'2026-01-31T08:00:00Z')"), {"sha": "ab" * 32})
            conn.execute(text("INSERT INTO parties (case_id, role, name, id_number, phone, kind) "
                              "SELECT id, '被告', '张三丰', :number, NULL, 'person' FROM cases"), {"number": ZHANG_ID})
        cs.migrate(engine, "0003")
        assert cs.schema_revision(engine) == "0003"
        with engine.connect() as conn:
            assert tuple(conn.execute(text("SELECT name, id_number, declared_json FROM parties")).one()) == (
                "张三丰", ZHANG_ID, None)
        with engine.begin() as conn:
            command.downgrade(cs.alembic_config(conn), "0002")
        assert cs.schema_revision(engine) == "0002"
        assert "declared_json" not in {c["name"] for c in inspect(engine).get_columns("parties")}
        assert {i["name"] for i in inspect(engine).get_indexes("parties")} == {"ix_parties_case_id",
                                                                                "ix_parties_id_number"}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM parties")).scalars().all() == ["张三丰"]
    finally:
        engine.dispose()
