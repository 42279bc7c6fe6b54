"""The judge assistant's pages on a real case store (SQLite file), run by Streamlit's own test runner.

Sign-in (good, bad, locked out, expired), the queue's filters and counts, the case page's figures
against the ruleset deciding the same case, what-if leaving the store unchanged, and a lender kept
from another lender's case.  The figures themselves are proven in tests/service/test_decide.py and
the rulesets' worked examples; here they are only compared with what the service decides.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from ruledsl.core.money import yuan
from ruledsl.service import create_user, file_case, list_cases, ruleset_ref, sign_in
from ruledsl.service.decide import RULESETS
from ruledsl.store import cases as cs

APP = Path(__file__).resolve().parents[2] / "assistant_ui" / "app.py"
PASSWORD = "demo-password-42"
BANK, OTHER = "甲银行股份有限公司", "乙消费金融有限公司"
D = Decimal
LOAN = {"principal": D("10000.00"), "contract_rate": D("0.18"), "disbursed_on": "2023-01-01",
        "instalments": [{"due_on": "2024-01-01", "principal": D("10000.00"), "interest": D("1800.00")}],
        "filed_on": "2024-07-01",
        "claimed": {"principal_outstanding": D("10000.00"), "interest": D("1800.00"), "penalty_interest": D("1500.00"),
                    "compound_interest": D("242.33"), "fees": D("0.00")}}


@pytest.fixture
def store(page_store):  # type: ignore[no-untyped-def]
    engine = page_store
    for name, role, lender in (("judge", "judge", None), ("bank", "lender", BANK), ("other", "lender", OTHER)):
        create_user(engine, name, PASSWORD, role, name, lender=lender)
    ref = ruleset_ref(RULESETS / "cn" / "consumer_loan.rules")
    bank, other = sign_in(engine, "bank", PASSWORD), sign_in(engine, "other", PASSWORD)
    person = {"role": "被告", "name": "张三丰", "id_number": "11010119900307123X", "phone": "13812345678"}
    file_case(engine, bank, "(2024)浙0192民初101号", BANK, ref, LOAN, [{"role": "原告", "name": BANK}, person])
    no_claim = {k: v for k, v in LOAN.items() if k != "claimed"}
    file_case(engine, bank, "(2024)浙0192民初102号", BANK, ref, no_claim, [{"role": "原告", "name": BANK}, person])
    file_case(engine, other, "(2024)浙0192民初201号", OTHER, ref, LOAN,
              [{"role": "原告", "name": OTHER}, {"role": "被告", "name": "李四"}])
    yield engine


def app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def signed_in_as(username: str, password: str = PASSWORD) -> AppTest:
    at = app()
    at.text_input(key="username").input(username)
    at.text_input(key="password").input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_sign_in_lands_on_the_queue(store) -> None:  # type: ignore[no-untyped-def]
    at = app()
    assert [t.value for t in at.title] == ["裁判辅助 · 登录"]
    at = signed_in_as("judge")
    assert [t.value for t in at.title] == ["案件队列"]
    assert at.metric[0].value == "3"  # every case of the store


def test_a_wrong_password_and_the_lockout(store) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        at = signed_in_as("judge", "wrong")
        assert at.error and "密码" in at.error[0].value
    at = signed_in_as("judge", "wrong")  # the fifth failure locks the account
    assert "锁定" in at.error[0].value
    at = signed_in_as("judge")  # locked: even the right password is refused for 15 minutes
    assert "锁定" in at.error[0].value and [t.value for t in at.title] == ["裁判辅助 · 登录"]


def test_an_expired_session_returns_to_sign_in(store) -> None:  # type: ignore[no-untyped-def]
    at = signed_in_as("judge")
    with store.begin() as conn:  # 31 minutes without use
        past = (datetime.now(UTC) - timedelta(minutes=31)).strftime("%Y-%m-%dT%H:%M:%SZ")
        conn.execute(cs.user_sessions.update().values(last_seen=past))
    at.run()
    assert [t.value for t in at.title] == ["裁判辅助 · 登录"]
    assert "过期" in at.warning[0].value


def test_a_lender_sees_its_own_cases_only(store) -> None:  # type: ignore[no-untyped-def]
    at = signed_in_as("bank")
    assert at.metric[0].value == "2"
    table = at.dataframe[0].value
    assert set(table["案号"]) == {"(2024)浙0192民初101号", "(2024)浙0192民初102号"}
    assert set(table["当事人"]) == {f"原告 {BANK}；被告 张三丰"}  # a lender sees its own debtors plainly
    # and cannot reach another lender's case through the case page
    theirs = next(c.id for c in list_cases(store, sign_in(store, "judge", PASSWORD)) if c.lender == OTHER)
    at.session_state["case_id"] = theirs
    at.switch_page("case.py").run()
    assert at.error and "放贷机构只能查看本机构的案件" in at.error[0].value


def test_queue_filters_and_counts(store) -> None:  # type: ignore[no-untyped-def]
    at = signed_in_as("judge")
    at.text_input(key="q_search").input("李四").run()
    assert at.metric[0].value == "1"
    assert list(at.dataframe[0].value["案号"]) == ["(2024)浙0192民初201号"]
    at.text_input(key="q_search").input("").run()
    at.selectbox(key="q_sort").set_value("claimed").run()
    assert list(at.dataframe[0].value["案号"])[-1] == "(2024)浙0192民初102号"  # no claim: sorted last


def test_the_case_page_shows_what_the_ruleset_decides_and_what_if_writes_nothing(store) -> None:  # type: ignore[no-untyped-def]
    from ruledsl.ruleset import load

    decision = load(RULESETS / "cn" / "consumer_loan.rules").evaluate(dict(LOAN), "case")
    at = signed_in_as("judge")
    at.selectbox(key="q_open").set_value(next(c.id for c in list_cases(store, sign_in(store, "judge", PASSWORD))
                                              if c.case_number.endswith("101号")))
    at.button(key="q_go").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "(2024)浙0192民初101号"
    lines = at.table[0].value
    awarded = dict(zip(lines.index, lines["判决（元）"], strict=True))
    assert awarded["罚息"] == yuan(decision.award["penalty_interest"])
    assert awarded["合计"] == yuan(decision.award["total"])
    assert at.metric[0].value == yuan(decision.award["total"])
    differences = dict(zip(lines.index, lines["差额（元）"], strict=True))
    assert differences["罚息"] == yuan(decision.claim["penalty_interest"].claimed - decision.award["penalty_interest"])
    with store.connect() as conn:
        before = conn.execute(select(cs.cases)).all(), conn.execute(select(cs.decisions)).all()
    at.checkbox(key="w_reduction").check().run()
    granted = load(RULESETS / "cn" / "consumer_loan.rules").evaluate(
        {**LOAN, "borrower_requests_reduction": True}, "case")
    changed = dict(zip(at.table[0].value.index, at.table[0].value["判决（元）"], strict=True))
    assert changed["合计"] == yuan(granted.award["total"]) != awarded["合计"]
    delta = at.table[1].value
    assert list(delta.columns) == ["原判（元）", "假设（元）", "变化（元）"]
    # 12,996.71 − 13,388.63 = −391.92 (the two worked examples of consumer_loan.rules)
    assert dict(zip(delta.index, delta["变化（元）"], strict=True))["合计"] == "-391.92"
    with store.connect() as conn:
        assert (conn.execute(select(cs.cases)).all(), conn.execute(select(cs.decisions)).all()) == before
    for section in ("证据", "计算明细", "当事人"):  # every section of the page draws without an error
        at.session_state["case_section"] = section
        at.run()
        assert not at.exception, (section, at.exception)
    at.session_state["case_section"] = "裁判与文书"
    at.run()
    at.button(key="decide").click().run()
    with store.connect() as conn:
        assert len(conn.execute(select(cs.decisions)).all()) == 1
    at.button(key="draft").click().run()
    assert at.get("download_button")
