"""The case store through sessions: who may add, list, open and audit cases; masking; exact inputs."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, insert, select

from ruledsl.core.errors import AccessDenied, InputError
from ruledsl.service import (
    RulesetRef,
    Session,
    add_case,
    audit_entries,
    create_user,
    get_case,
    list_cases,
    mask_id_number,
    mask_name,
    mask_party,
    mask_phone,
    sign_in,
)
from ruledsl.store import cases as cs

PASSWORD = "correct horse 42"
RULESET = RulesetRef("cn.consumer_loan", "2026.1", "ab" * 32)
BANK_A, BANK_B = "甲银行股份有限公司", "乙小额贷款有限公司"

ZHANG = {"role": "被告", "name": "张三丰", "id_number": "11010119900307123X", "phone": "13812345678",
         "kind": "person"}
OUYANG = {"role": "被告", "name": "欧阳修", "id_number": "110101900307123", "phone": "13900001111",
          "kind": "person"}


def plaintiff(lender: str) -> dict:
    return {"role": "原告", "name": lender, "id_number": "91110000100000000X", "phone": "01088886666",
            "kind": "organisation"}


@dataclass(frozen=True)
class World:
    store: Engine
    judge: Session
    clerk: Session
    bank_a: Session
    bank_b: Session
    mediator: Session
    admin: Session
    case_a: int
    case_b: int


@pytest.fixture
def world(store: Engine) -> World:
    sessions = {}
    for name, role, lender in (("judge", "judge", None), ("clerk", "clerk", None), ("bank_a", "lender", BANK_A),
                               ("bank_b", "lender", BANK_B), ("mediator", "mediator", None),
                               ("admin", "admin", None)):
        create_user(store, name, PASSWORD, role, name, lender=lender)
        sessions[name] = sign_in(store, name, PASSWORD)
    inputs = {"principal": Decimal("12345.67"), "contract_rate": Decimal("0.12"), "disbursed_on": date(2024, 1, 15)}
    case_a = add_case(store, sessions["bank_a"], "(2026)浙0192民初1001号", BANK_A, RULESET, inputs,
                      [plaintiff(BANK_A), ZHANG])
    case_b = add_case(store, sessions["judge"], "(2026)浙0192民初2002号", BANK_B, RULESET, inputs,
                      [plaintiff(BANK_B), OUYANG], stage="诉前调解")
    return World(store, **sessions, case_a=case_a, case_b=case_b)


def numbers(found: list) -> list[str]:
    return [c.case_number for c in found]


def views(w: World) -> list[tuple]:
    with w.store.connect() as conn:
        rows = conn.execute(select(cs.audit_log).where(cs.audit_log.c.action == "view").order_by(cs.audit_log.c.id))
        return [(r.user_id, r.case_id) for r in rows]


# ---------------------------------------------------------------- lenders see their own


def test_a_lender_is_refused_another_lenders_case(world: World):
    with pytest.raises(AccessDenied, match="is not 乙小额贷款有限公司's"):
        get_case(world.store, world.bank_b, world.case_a)
    assert views(world) == []  # a refused opening is no view
    own = get_case(world.store, world.bank_b, world.case_b)
    assert own.lender == BANK_B
    assert views(world) == [(world.bank_b.user_id, world.case_b)]


def test_a_lender_lists_only_its_own_cases(world: World):
    assert numbers(list_cases(world.store, world.bank_a)) == ["(2026)浙0192民初1001号"]
    assert numbers(list_cases(world.store, world.bank_b, search="1001")) == []
    assert numbers(list_cases(world.store, world.bank_b, search="张三丰")) == []
    with pytest.raises(AccessDenied, match="sees only its own lender's cases"):
        list_cases(world.store, world.bank_b, lender=BANK_A)
    assert numbers(list_cases(world.store, world.bank_b, lender=BANK_B)) == ["(2026)浙0192民初2002号"]


def test_the_role_is_the_stored_one_not_the_callers(world: World):
    forged = replace(world.bank_a, role="judge", lender=None)
    assert numbers(list_cases(world.store, forged)) == ["(2026)浙0192民初1001号"]
    with pytest.raises(AccessDenied):
        get_case(world.store, forged, world.case_b)
    with pytest.raises(AccessDenied, match="unknown session"):
        list_cases(world.store, replace(world.judge, token="made-up"))


# ---------------------------------------------------------------- adding cases


def test_a_lender_cannot_add_a_case_for_another_lender(world: World):
    with pytest.raises(AccessDenied, match="a lender adds cases of its own lender"):
        add_case(world.store, world.bank_a, "(2026)浙0192民初3003号", BANK_B, RULESET, {}, [])
    assert numbers(list_cases(world.store, world.judge, search="3003")) == []


@pytest.mark.parametrize("who", ["mediator", "admin"])
def test_mediators_and_admins_add_no_cases(world: World, who: str):
    with pytest.raises(AccessDenied, match=f"a {who} may not add a case"):
        add_case(world.store, getattr(world, who), "(2026)浙0192民初4004号", BANK_A, RULESET, {}, [])


def test_judges_and_clerks_add_cases_of_any_lender_and_it_is_audited(world: World):
    new = add_case(world.store, world.clerk, "(2026)浙0192民初5005号", BANK_A, RULESET, {}, [], stage="立案")
    entries = audit_entries(world.store, world.judge, case_id=new)
    assert [(e.username, e.action, e.detail) for e in entries] == [
        ("clerk", "change", {"added": "(2026)浙0192民初5005号"})]


def test_a_case_number_is_added_once(world: World):
    with pytest.raises(InputError, match="already in the store"):
        add_case(world.store, world.judge, "(2026)浙0192民初1001号", BANK_A, RULESET, {}, [])


@pytest.mark.parametrize(("party", "message"), [
    ({"role": "证人", "name": "某"}, "role is 原告 plaintiff or 被告 defendant"),
    ({"role": "被告", "name": " "}, "a name is required"),
    ({"role": "被告", "name": "某", "kind": "robot"}, "kind is person or organisation"),
    ({"role": "被告", "name": "某", "email": "x@y"}, "unknown field email"),
])
def test_bad_parties_are_refused(world: World, party: dict, message: str):
    with pytest.raises(InputError, match=message):
        add_case(world.store, world.judge, "(2026)浙0192民初6006号", BANK_A, RULESET, {}, [party])


def test_a_ruleset_names_its_sha256(world: World):
    with pytest.raises(InputError, match="is not a SHA-256"):
        add_case(world.store, world.judge, "(2026)浙0192民初7007号", BANK_A, ("cn.x", "1", "abc"), {}, [])


# ---------------------------------------------------------------- search


def test_search_by_case_number_and_by_party_name(world: World):
    s, j = world.store, world.judge
    assert numbers(list_cases(s, j)) == ["(2026)浙0192民初2002号", "(2026)浙0192民初1001号"]  # newest first
    assert numbers(list_cases(s, j, search="民初1001")) == ["(2026)浙0192民初1001号"]
    assert numbers(list_cases(s, j, search="欧阳")) == ["(2026)浙0192民初2002号"]
    assert numbers(list_cases(s, j, search="三丰")) == ["(2026)浙0192民初1001号"]
    assert numbers(list_cases(s, j, search="浙0192")) == ["(2026)浙0192民初2002号", "(2026)浙0192民初1001号"]
    assert numbers(list_cases(s, j, search="%")) == []  # LIKE wildcards are only characters
    assert numbers(list_cases(s, j, search="张%")) == []
    assert numbers(list_cases(s, j, stage="诉前调解")) == ["(2026)浙0192民初2002号"]
    assert numbers(list_cases(s, j, lender=BANK_A)) == ["(2026)浙0192民初1001号"]
    assert numbers(list_cases(s, j, limit=1)) == ["(2026)浙0192民初2002号"]
    assert numbers(list_cases(s, j, limit=1, offset=1)) == ["(2026)浙0192民初1001号"]


# ---------------------------------------------------------------- masking


@pytest.mark.parametrize(("value", "masked"), [
    ("张三丰", "张**"), ("张三", "张**"), ("王", "王**"), ("欧阳修", "欧**"), ("欧阳", "欧**"),
    ("", ""), (None, None),
])
def test_mask_name(value, masked):
    assert mask_name(value) == masked


@pytest.mark.parametrize(("value", "masked"), [
    ("110101199003071234", "110101********1234"),
    ("11010119900307123X", "110101********123X"),
    ("11010119900307123x", "110101********123x"),
    ("110101900307123", "110101******123"),  # the old 15-digit number: the birth date goes
    ("E12345678", "*****5678"),  # a passport
    ("1234", "****"),
    ("", ""), (None, None),
])
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(("value", "masked"), [
    ("13812345678", "138****5678"),
    ("01088886666", "010****6666"),
    ("+8613812345678", "+86*******5678"),
    ("12345", "*****"),
    ("", ""), (None, None),
])
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


MASKED_ZHANG = {**ZHANG, "name": "张**", "id_number": "110101********123X", "phone": "138****5678"}
MASKED_BANK = {**plaintiff(BANK_A), "phone": "010****6666"}  # an organisation's name and code are no personal data


@pytest.mark.parametrize(("role", "single_case", "shown"), [
    ("judge", True, ZHANG), ("judge", False, MASKED_ZHANG),
    ("clerk", True, ZHANG), ("clerk", False, MASKED_ZHANG),
    ("lender", True, ZHANG), ("lender", False, ZHANG),
    ("mediator", True, MASKED_ZHANG), ("mediator", False, MASKED_ZHANG),
    ("admin", True, MASKED_ZHANG), ("admin", False, MASKED_ZHANG),
])
def test_mask_party_by_role(role: str, single_case: bool, shown: dict):
    assert mask_party(ZHANG, role, single_case=single_case) == shown
    assert ZHANG["name"] == "张三丰"  # the party given is not changed


def test_what_each_role_sees_of_the_parties(world: World):
    def listed(who: Session) -> tuple:
        return next(c for c in list_cases(world.store, who) if c.id == world.case_a).parties

    plain = (plaintiff(BANK_A), ZHANG)
    masked = (MASKED_BANK, MASKED_ZHANG)
    for who in (world.judge, world.clerk):
        assert get_case(world.store, who, world.case_a).parties == plain
        assert listed(who) == masked
    assert get_case(world.store, world.bank_a, world.case_a).parties == plain
    assert listed(world.bank_a) == plain
    for who in (world.mediator, world.admin):
        assert get_case(world.store, who, world.case_a).parties == masked
        assert listed(who) == masked


# ---------------------------------------------------------------- exact inputs


def test_inputs_round_trip_exactly(world: World):
    inputs = {"principal": Decimal("12345.67"), "rate": Decimal("0.1200"), "big": Decimal("1E+5"), "n": 3,
              "due_on": date(2025, 3, 1), "repayments": [{"on": date(2024, 6, 1), "amount": Decimal("100.10")}],
              "requests_reduction": True, "note": "借款人称已还款", "none": None}
    new = add_case(world.store, world.judge, "(2026)浙0192民初8008号", BANK_A, RULESET, inputs, [])
    back = get_case(world.store, world.judge, new).inputs
    assert back["principal"] == Decimal("12345.67") and type(back["principal"]) is Decimal
    assert str(back["rate"]) == "0.1200" and str(back["big"]) == "1E+5"
    assert back["repayments"] == [{"on": "2024-06-01", "amount": Decimal("100.10")}]
    assert type(back["repayments"][0]["amount"]) is Decimal
    assert (back["n"], back["due_on"], back["requests_reduction"], back["note"], back["none"]) == (
        3, "2025-03-01", True, "借款人称已还款", None)
    with world.store.connect() as conn:
        raw = conn.execute(select(cs.cases.c.inputs_json).where(cs.cases.c.id == new)).scalar_one()
    assert '"principal":12345.67' in raw and "借款人称已还款" in raw


def test_a_float_never_enters_the_store(world: World):
    with pytest.raises(InputError, match="a float is not exact"):
        add_case(world.store, world.judge, "(2026)浙0192民初9009号", BANK_A, RULESET, {"principal": 12345.67}, [])
    with pytest.raises(InputError, match="not a finite number"):
        add_case(world.store, world.judge, "(2026)浙0192民初9009号", BANK_A, RULESET, {"p": Decimal("NaN")}, [])
    assert numbers(list_cases(world.store, world.judge, search="9009")) == []


def test_an_opened_case_holds_its_ruleset_evidence_and_decisions(world: World):
    with world.store.begin() as conn:
        conn.execute(insert(cs.evidence_items).values(case_id=world.case_a, kind="loan_contract", file="c.pdf",
                                                      verified=True, status="anchored",
                                                      detail_json='{"leaf":7}'))
        conn.execute(insert(cs.decisions).values(case_id=world.case_a, inputs_json="{}",
                                                 award_json='{"interest":1200.00}', decided_by=world.judge.user_id,
                                                 decided_at="2026-02-01T09:00:00Z", ruleset_sha256=RULESET.sha256))
    record = get_case(world.store, world.judge, world.case_a)
    assert record.ruleset == RULESET and record.stage == "立案"
    assert record.evidence == ({"id": 1, "kind": "loan_contract", "file": "c.pdf", "verified": True,
                                "status": "anchored", "detail": {"leaf": 7}},)
    assert record.decisions[0]["award"] == {"interest": Decimal("1200.00")}


def test_an_unknown_case_id(world: World):
    with pytest.raises(InputError, match="no case with id 999"):
        get_case(world.store, world.judge, 999)


# ---------------------------------------------------------------- the audit log


def test_only_judges_and_admins_read_the_audit_log(world: World):
    get_case(world.store, world.mediator, world.case_b)
    for who in (world.judge, world.admin):
        entries = audit_entries(world.store, who, case_id=world.case_b)
        assert [(e.username, e.action) for e in entries] == [("judge", "change"), ("mediator", "view")]
    everything = audit_entries(world.store, world.admin)
    assert [e.action for e in everything] == ["sign_in"] * 6 + ["change", "change", "view"]
    for who in ("clerk", "bank_a", "mediator"):
        with pytest.raises(AccessDenied, match="may not read the audit log"):
            audit_entries(world.store, getattr(world, who))
