"""The 导出 and 管理 pages on a real case store (SQLite file), run by Streamlit's own test runner.

Each page is run as its own script with a signed-in session in the tab's state (as app.py's navigation
leaves it).  What the exports hold is proven in tests/service/test_exports.py, what the admin's actions
do in tests/service/test_admin.py; here: the pages call them and show what comes back.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ruledsl.service import auth, create_user, file_case, ruleset_ref, sign_in
from ruledsl.service.auth import MAX_FAILURES
from ruledsl.service.decide import RULESETS

PAGES = Path(__file__).resolve().parents[2] / "assistant_ui"
PASSWORD = "demo-password-42"
BANK = "甲银行股份有限公司"
D = Decimal
LOAN = {"principal": D("10000.00"), "contract_rate": D("0.18"), "disbursed_on": "2023-01-01",
        "instalments": [{"due_on": "2024-01-01", "principal": D("10000.00"), "interest": D("1800.00")}],
        "filed_on": "2024-07-01"}
NUMBERS = ("(2024)浙0192民初101号", "(2024)浙0192民初102号")


@pytest.fixture
def store(page_store):  # type: ignore[no-untyped-def]
    engine = page_store
    for name, role, lender in (("judge", "judge", None), ("bank", "lender", BANK), ("admin", "admin", None),
                               ("mediator", "mediator", None)):
        create_user(engine, name, PASSWORD, role, name, lender=lender)
    ref = ruleset_ref(RULESETS / "cn" / "consumer_loan.rules")
    bank = sign_in(engine, "bank", PASSWORD)
    for number in NUMBERS:
        file_case(engine, bank, number, BANK, ref, LOAN, [{"role": "原告", "name": BANK, "kind": "organisation"},
                                                          {"role": "被告", "name": "张三丰"}])
    yield engine


def page(name: str, engine, username: str) -> AppTest:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(str(PAGES / name), default_timeout=120)
    at.session_state["token"] = sign_in(engine, username, PASSWORD).token
    at.run()
    assert not at.exception, at.exception
    return at


# ---------------------------------------------------------------- 导出


def test_the_exports_page_makes_a_zip_to_download(store) -> None:  # type: ignore[no-untyped-def]
    at = page("exports.py", store, "judge")
    assert [t.value for t in at.title] == ["导出"]
    assert not at.get("download_button")
    at.button(key="x_all").click().run()
    assert len(at.multiselect(key="x_cases").value) == 2
    at.radio(key="x_kind").set_value("judgment").run()
    at.button(key="x_build").click().run()
    assert not at.exception, at.exception
    assert at.get("download_button")
    assert "已导出 2 件" in at.success[0].value
    bundle = at.session_state["x_bundle"]
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as z:
        assert sorted(z.namelist()) == sorted([*(f"判决主文草稿-{n}.pdf" for n in NUMBERS), "清单.csv"])
    assert list(at.dataframe[0].value["结果"]) == ["已导出", "已导出"]


def test_the_exports_page_starts_from_the_case_open_in_the_queue(store) -> None:  # type: ignore[no-untyped-def]
    from ruledsl.service import list_cases

    bank = sign_in(store, "bank", PASSWORD)
    opened = next(c.id for c in list_cases(store, bank) if c.case_number == NUMBERS[0])
    at = AppTest.from_file(str(PAGES / "exports.py"), default_timeout=120)
    at.session_state["token"] = bank.token
    at.session_state["case_id"] = opened
    at.run()
    assert at.multiselect(key="x_cases").value == [opened]
    at.radio(key="x_kind").set_value("sheet").run()
    at.button(key="x_build").click().run()
    assert not at.exception, at.exception
    with zipfile.ZipFile(io.BytesIO(at.session_state["x_bundle"].data)) as z:
        assert sorted(z.namelist()) == sorted([f"计算明细-{NUMBERS[0]}.pdf", "清单.csv"])


def test_the_exports_page_makes_the_evidence_reports_with_the_courts_keys(  # type: ignore[no-untyped-def]
        store, monkeypatch: pytest.MonkeyPatch) -> None:
    from ruledsl.service import demo

    bank = sign_in(store, "bank", PASSWORD)
    number = "(2025)浙0192民初301号"
    file_case(store, bank, number, BANK, ruleset_ref(RULESETS / "cn" / "consumer_loan.rules"), LOAN,
              [{"role": "原告", "name": BANK, "kind": "organisation"}, {"role": "被告", "name": "张三丰"}],
              evidence=demo.evidence_of("loan-2024-004"))
    monkeypatch.delenv("RULEDSL_COURT_KEY", raising=False)
    at = page("exports.py", store, "judge")
    at.button(key="x_all").click().run()
    at.radio(key="x_kind").set_value("evidence").run()
    assert at.warning and "未配置法院存证核验密钥" in at.warning[0].value  # no keys: the kind is refused
    assert at.button(key="x_build").disabled

    monkeypatch.setenv("RULEDSL_COURT_KEY", str(demo.DEMO_KEYS.court_key))
    monkeypatch.setenv("RULEDSL_TRUST_STORE", str(demo.DEMO_KEYS.trust[0]))
    at.run()
    assert not at.warning and not at.button(key="x_build").disabled
    at.button(key="x_build").click().run()
    assert not at.exception, at.exception
    assert "已生成 3 份证据核验报告" in at.success[0].value  # the notice of loan-2024-004 has no bundle
    with zipfile.ZipFile(io.BytesIO(at.session_state["x_bundle"].data)) as z:
        assert sorted(z.namelist()) == sorted([*(f"证据核验报告-{number}-{f}.pdf" for f in (
            "contract.pdf", "disbursement.csv", "repayments.csv")), "清单.csv"])
    assert "未存证" in list(at.dataframe[0].value["结果"])


def test_a_mediator_is_refused_the_exports(store) -> None:  # type: ignore[no-untyped-def]
    at = page("exports.py", store, "mediator")
    assert at.error and "调解员无权导出案件" in at.error[0].value
    assert not at.multiselect


# ---------------------------------------------------------------- 管理


def test_the_admin_page_lists_users_adds_one_and_unlocks_one(store) -> None:  # type: ignore[no-untyped-def]
    for _ in range(MAX_FAILURES):
        with pytest.raises(auth.AccessDenied):
            sign_in(store, "bank", "wrong password")
    at = page("admin.py", store, "admin")
    assert [t.value for t in at.title] == ["管理"]
    users = at.dataframe[0].value
    assert list(users["用户名"]) == ["admin", "bank", "judge", "mediator"]
    assert not any("密码" in c or "hash" in c for c in users.columns)
    assert dict(zip(users["用户名"], users["锁定至"], strict=True))["bank"] != "—"

    at.selectbox(key="a_user").set_value("bank")
    at.button(key="a_unlock").click().run()
    assert "已解除 bank 的锁定" in at.success[0].value
    assert dict(zip(at.dataframe[0].value["用户名"], at.dataframe[0].value["锁定至"], strict=True))["bank"] == "—"
    assert sign_in(store, "bank", PASSWORD).role == "lender"

    at.text_input(key="a_username").input("clerk2")
    at.text_input(key="a_display").input("新书记员")
    at.selectbox(key="a_role").set_value("clerk")
    at.text_input(key="a_password").input("a long password 7")
    at.button(key="a_submit").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert "clerk2" in list(at.dataframe[0].value["用户名"])
    assert sign_in(store, "clerk2", "a long password 7").role == "clerk"

    log = at.dataframe[1].value  # newest first
    assert {"时间", "用户", "动作", "案号", "详情"} <= set(log.columns)
    assert "变更" in set(log["动作"])
    at.selectbox(key="a_log_action").set_value("sign_in_failed").run()
    assert set(at.dataframe[1].value["动作"]) == {"登录失败"}
    at.selectbox(key="a_log_action").set_value("全部").run()
    at.text_input(key="a_log_case").input(NUMBERS[0]).run()
    assert set(at.dataframe[1].value["案号"]) == {NUMBERS[0]}


def test_a_judge_is_refused_the_admin_page(store) -> None:  # type: ignore[no-untyped-def]
    at = page("admin.py", store, "judge")
    assert at.error and "法官无权管理用户" in at.error[0].value
    assert not at.dataframe and not at.button
