"""The administrator's use cases (SQLite and PostgreSQL): users, lockouts, sessions and the audit log."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select

from ruledsl.core.errors import AccessDenied, InputError
from ruledsl.service import Session, create_user, list_cases, sign_in
from ruledsl.service.admin import add_user, audit_log, end_sessions, list_users, unlock_user
from ruledsl.service.auth import MAX_FAILURES
from ruledsl.store import cases as cs

PASSWORD = "correct horse 42"
BANK = "甲银行股份有限公司"


@dataclass(frozen=True)
class World:
    store: Engine
    admin: Session
    others: dict[str, Session]  # judge, clerk, lender, mediator


@pytest.fixture
def world(store: Engine) -> World:
    sessions = {}
    for name, role, lender in (("admin", "admin", None), ("judge", "judge", None), ("clerk", "clerk", None),
                               ("bank", "lender", BANK), ("mediator", "mediator", None)):
        create_user(store, name, PASSWORD, role, name, lender=lender)  # the bootstrap path: no session
        sessions[name] = sign_in(store, name, PASSWORD)
    admin = sessions.pop("admin")
    return World(store, admin, sessions)


def changes(world: World) -> list[dict]:
    return [e.detail for e in audit_log(world.store, world.admin, action="change")][::-1]  # oldest first


@pytest.mark.parametrize(("who", "name"), [("judge", "法官"), ("clerk", "书记员"), ("bank", "放贷机构"),
                                           ("mediator", "调解员")])
def test_only_an_admin_administers(world: World, who: str, name: str) -> None:
    session = world.others[who]
    calls = [
        (lambda: list_users(world.store, session), "管理用户"),
        (lambda: add_user(world.store, session, "new", PASSWORD, "clerk", "新书记员"), "添加用户"),
        (lambda: unlock_user(world.store, session, "judge"), "解除锁定"),
        (lambda: end_sessions(world.store, session, "judge"), "结束会话"),
        (lambda: audit_log(world.store, session), "查看审计日志"),
    ]
    for call, what in calls:
        with pytest.raises(AccessDenied, match=f"^error: {name}无权{what}（"):
            call()
    with world.store.connect() as conn:
        assert conn.execute(select(cs.users.c.id).where(cs.users.c.username == "new")).first() is None
    assert changes(world) == []


def test_the_users_list_has_no_password_hashes(world: World) -> None:
    listed = list_users(world.store, world.admin)
    assert [u.username for u in listed] == ["admin", "bank", "clerk", "judge", "mediator"]
    bank = next(u for u in listed if u.username == "bank")
    assert (bank.role, bank.lender, bank.failed_attempts, bank.locked_until, bank.sessions) == ("lender", BANK, 0,
                                                                                               None, 1)
    assert not any("hash" in field for field in type(bank).__slots__)
    assert "$argon2" not in repr(listed)


def test_unlock_lifts_a_lockout_of_five_wrong_passwords(world: World) -> None:
    for _ in range(MAX_FAILURES):
        with pytest.raises(AccessDenied):
            sign_in(world.store, "judge", "wrong password")
    with pytest.raises(AccessDenied, match="账户已锁定"):
        sign_in(world.store, "judge", PASSWORD)  # even the right password, for 15 minutes
    judge = next(u for u in list_users(world.store, world.admin) if u.username == "judge")
    assert judge.locked()

    assert unlock_user(world.store, world.admin, "judge") is True
    judge = next(u for u in list_users(world.store, world.admin) if u.username == "judge")
    assert (judge.failed_attempts, judge.locked_until, judge.locked()) == (0, None, False)
    assert sign_in(world.store, "judge", PASSWORD).role == "judge"
    assert unlock_user(world.store, world.admin, "judge") is False  # not locked: nothing to lift
    assert [c["user_unlocked"] for c in changes(world)] == ["judge", "judge"]
    assert changes(world)[0]["was_locked_until"] is not None and changes(world)[1]["was_locked_until"] is None
    with pytest.raises(InputError, match="没有用户"):
        unlock_user(world.store, world.admin, "nobody")


def test_unlock_clears_the_count_of_failures(world: World) -> None:
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AccessDenied):
            sign_in(world.store, "clerk", "wrong password")
    unlock_user(world.store, world.admin, "clerk")
    with pytest.raises(AccessDenied, match="用户名或密码错误"):  # one more wrong one does not lock
        sign_in(world.store, "clerk", "wrong password")
    assert sign_in(world.store, "clerk", PASSWORD).role == "clerk"


def test_an_added_user_signs_in(world: World) -> None:
    new_id = add_user(world.store, world.admin, " xiaodai ", "a long password 1", "lender", "某小贷", lender="丙小额贷款")
    session = sign_in(world.store, "xiaodai", "a long password 1")
    assert (session.user_id, session.role, session.lender) == (new_id, "lender", "丙小额贷款")
    assert changes(world) == [{"user_added": "xiaodai", "role": "lender", "lender": "丙小额贷款"}]
    assert "a long password 1" not in repr(audit_log(world.store, world.admin))


@pytest.mark.parametrize(("args", "message"), [
    (("judge", PASSWORD, "judge", "重名"), "已存在"),
    (("new", "short", "judge", "新法官"), "密码至少"),
    (("new", PASSWORD, "boss", "新人"), "未知角色"),
    (("new", PASSWORD, "lender", "无机构"), "须注明所属机构"),
])
def test_a_refused_user_is_neither_added_nor_audited(world: World, args: tuple, message: str) -> None:
    before = len(list_users(world.store, world.admin))
    with pytest.raises(InputError, match=message):
        add_user(world.store, world.admin, *args)
    assert len(list_users(world.store, world.admin)) == before
    assert changes(world) == []
    # the store is still usable after the refused insert (PostgreSQL rolls the whole transaction back)
    assert add_user(world.store, world.admin, "later", PASSWORD, "clerk", "后来的书记员") > 0


def test_end_sessions_signs_a_user_out_everywhere(world: World) -> None:
    second = sign_in(world.store, "judge", PASSWORD)
    assert end_sessions(world.store, world.admin, "judge") == 2
    for session in (world.others["judge"], second):
        with pytest.raises(AccessDenied, match="会话无效"):
            list_cases(world.store, session)
    assert list_cases(world.store, world.others["clerk"]) == []  # the others' sessions go on
    assert changes(world) == [{"sessions_ended": "judge", "count": 2}]
    assert sign_in(world.store, "judge", PASSWORD).role == "judge"


def test_the_audit_log_filtered_by_user_action_and_case(world: World) -> None:
    from datetime import date
    from decimal import Decimal

    from ruledsl.service import get_case
    from ruledsl.service.decide import RULESETS, file_case, ruleset_ref

    with pytest.raises(AccessDenied):
        sign_in(world.store, "mediator", "wrong password")
    ref = ruleset_ref(RULESETS / "cn" / "consumer_loan.rules")
    inputs = {"principal": Decimal("10000.00"), "contract_rate": Decimal("0.12"), "disbursed_on": date(2023, 1, 1),
              "instalments": [{"due_on": date(2024, 1, 1), "principal": Decimal("10000.00"),
                               "interest": Decimal("1200.00")}], "filed_on": date(2024, 7, 1)}
    case_id = file_case(world.store, world.others["bank"], "(2024)浙0192民初301号", BANK, ref, inputs,
                        [{"role": "被告", "name": "王五"}])
    get_case(world.store, world.others["judge"], case_id)

    failed = audit_log(world.store, world.admin, action="sign_in_failed")
    assert [(e.username, e.detail["reason"]) for e in failed] == [("mediator", "password")]
    of_case = audit_log(world.store, world.admin, case_number="(2024)浙0192民初301号")
    assert [(e.username, e.action, e.case_number) for e in of_case] == [  # newest first
        ("judge", "view", "(2024)浙0192民初301号"), ("bank", "change", "(2024)浙0192民初301号")]
    assert [e.action for e in audit_log(world.store, world.admin, username="judge", case_number="(2024)浙0192民初301号")
            ] == ["view"]
    assert audit_log(world.store, world.admin, case_number="(2099)无此案号") == []
    everything = audit_log(world.store, world.admin)
    assert len(audit_log(world.store, world.admin, limit=2)) == 2
    assert [e.id for e in everything] == sorted((e.id for e in everything), reverse=True)
    with pytest.raises(InputError, match="未知的审计动作"):
        audit_log(world.store, world.admin, action="delete")
