"""The party page (assistant_ui/party.py, 当事人) on a real case store (SQLite file), run by Streamlit's test runner.

Demo-like cases: the demo's 黄志强 (three cases, two lenders, declared facts) and 刘晓燕 (nothing declared).
The page is run on its own, signed in through the session state as app.py would leave it (the page is not
in app.py's navigation yet).  Ages are counted by hand from the demo's birth dates and the cases' dates; the
masks follow the rules of ruledsl.service.access.mask_party; what is read from the ID number is proven in
tests/core/test_idnumber.py and tests/service/test_profile.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ruledsl.service import create_user, file_case, ruleset_ref, sign_in
from ruledsl.service.decide import ruleset_path
from ruledsl.service.demo import BANK, CASES, CONSUMER_FINANCE, PEOPLE, plaintiff

PAGE = Path(__file__).resolve().parents[2] / "assistant_ui" / "party.py"
PASSWORD = "demo-password-42"
#: the demo's cases filed here, by their 借据号: 刘晓燕's loan from the bank, 黄志强's loans from both lenders and
#: his credit card
FILED = {"liu": "YH-2023-020417", "huang_xf": "XF-2023-771203", "huang_bank": "YH-2024-003391",
         "huang_card": "XYK-6225-0412"}
NUMBERS = {key: f"(2025)浙0192民初{100 + i}号" for i, key in enumerate(FILED)}


@pytest.fixture
def store(page_store):  # type: ignore[no-untyped-def]
    engine = page_store
    for name, role, lender in (("judge", "judge", None), ("bank", "lender", BANK), ("xiaofei", "lender", CONSUMER_FINANCE),
                               ("mediator", "mediator", None)):
        create_user(engine, name, PASSWORD, role, name, lender=lender)
    filers = {BANK: sign_in(engine, "bank", PASSWORD), CONSUMER_FINANCE: sign_in(engine, "xiaofei", PASSWORD)}
    ids = {}
    for key, loan in FILED.items():
        case = next(c for c in CASES if c["inputs"]["case_id"] == loan)
        assert PEOPLE[case["defendant"]]["name"] == ("刘晓燕" if key == "liu" else "黄志强")
        ids[key] = file_case(engine, filers[case["lender"]], NUMBERS[key], case["lender"],
                             ruleset_ref(ruleset_path(case["ruleset"])), case["inputs"],
                             [plaintiff(case["lender"]), PEOPLE[case["defendant"]]])
    yield engine, ids


def page(engine, username: str, case_id: int | None) -> AppTest:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.session_state["token"] = sign_in(engine, username, PASSWORD).token
    if case_id is not None:
        at.session_state["case_id"] = case_id
    at.run()
    assert not at.exception, at.exception
    return at


def sections(at: AppTest) -> dict[str, list]:
    """The page's elements under each header, in order."""
    out: dict[str, list] = {}
    current = None
    for element in at.main:
        if element.type == "header":
            current = element.value
            out[current] = []
        elif current is not None and element.type != "main":
            out[current].append(element)
    return out


def identity(elements: list) -> dict[str, str]:
    table = next(e.value for e in elements if e.type == "table" and e.value.index.name == "项目")
    return dict(zip(table.index, table["内容"], strict=True))


def table(elements: list, index: str):  # type: ignore[no-untyped-def]
    return next((e.value for e in elements if e.type == "table" and e.value.index.name == index), None)


def test_a_judge_sees_the_party_plain_with_the_age_the_other_cases_and_the_declared_facts(store) -> None:  # type: ignore[no-untyped-def]
    engine, ids = store
    at = page(engine, "judge", ids["huang_bank"])
    assert at.title[0].value == f"当事人 · {NUMBERS['huang_bank']}"
    huang = PEOPLE["huang"]
    parts = sections(at)
    assert list(parts) == ["被告 黄志强", f"原告 {BANK}", "还款记录", "诉讼请求与争议焦点"]  # the borrower first
    shown = identity(parts["被告 黄志强"])
    assert (shown["姓名（名称）"], shown["证件号码"], shown["电话"]) == ("黄志强", huang["id_number"], huang["phone"])
    # born 1985-07-21 (PEOPLE), region 440305 (深圳南山: 广东省), sequence 417 (odd: 男); the loan was disbursed
    # on 2024-03-01, before the birthday of 2024: 2024 − 1985 − 1 = 38
    assert (shown["出生日期"], shown["性别"], shown["地区（省级）"], shown["签约时年龄"]) == (
        "1985-07-21", "男", "广东省", "38 周岁")
    assert shown["号码校验"].startswith("有效")
    others = table(parts["被告 黄志强"], "案号")
    assert set(others.index) == {NUMBERS["huang_xf"], NUMBERS["huang_card"]}  # the judge sees both lenders' cases
    assert set(others["放贷机构"]) == {BANK, CONSUMER_FINANCE}
    declared = table(parts["被告 黄志强"], "事项")
    facts = dict(zip(declared.index, zip(declared["内容"], declared["来源"], strict=True), strict=True))
    assert facts == {"月收入（元）": ("8,500.00", "借款申请表（借款人自述）"),  # Decimal 8500.00 as a judge reads it
                     "工作单位": ("深圳某某电子科技有限公司", "借款申请表（借款人自述）"),
                     "电话能否接通": ("否", "催收记录 2024-09-03")}
    assert any("省级" in c.value for c in at.caption)  # the region is read to the province only, and it says so
    # the repayment history: a chart and its table (the bank's 24 instalments and the one repayment)
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1 and '"step-after"' in charts[0].proto.spec
    history = table(parts["还款记录"], "日期")
    assert list(history["类别"]).count("应还") == 24 and list(history["类别"]).count("实还") == 1
    assert "2,933.15" in set(history["金额（元）"])  # YH-2024-003391: paid 2024-04-01 2933.15


def test_a_party_without_declared_facts_says_the_case_file_does_not_state_them(store) -> None:  # type: ignore[no-untyped-def]
    engine, ids = store
    parts = sections(page(engine, "judge", ids["liu"]))
    liu = parts["被告 刘晓燕"]
    # born 1990-11-03, disbursed 2023-09-15 (YH-2023-020417), before the birthday: 2023 − 1990 − 1 = 32
    assert identity(liu)["签约时年龄"] == "32 周岁"
    assert table(liu, "事项") is None
    texts = [e.value for e in liu if e.type == "markdown"]
    assert texts[texts.index("**收入、就业与联系情况（案件材料载明）**") + 1] == "案件材料未载明"
    assert "本院案件库中无该当事人的其他案件" in texts


def test_a_mediator_sees_the_party_masked_and_no_birth_date(store) -> None:  # type: ignore[no-untyped-def]
    engine, ids = store
    at = page(engine, "mediator", ids["huang_bank"])
    parts = sections(at)
    header = next(h for h in parts if h.startswith("被告"))
    assert header == "被告 黄\\*\\*"  # the mask's stars shown as stars, not read as Markdown bold
    shown = identity(parts[header])
    number, phone = PEOPLE["huang"]["id_number"], PEOPLE["huang"]["phone"]
    # mask_party: the first character and two stars; the first 6 and last 4 digits; the first 3 and last 4 digits
    assert (shown["姓名（名称）"], shown["证件号码"], shown["电话"]) == (
        "黄**", number[:6] + "********" + number[-4:], phone[:3] + "****" + phone[-4:])
    assert (shown["出生日期"], shown["签约时年龄"], shown["地区（省级）"]) == ("按角色隐去", "按角色隐去", "广东省")
    declared = table(parts[header], "事项")
    assert set(declared["内容"]) == {"按角色隐去"} and "催收记录 2024-09-03" in set(declared["来源"])


def test_a_lender_sees_only_its_own_other_cases_and_not_another_lenders_case(store) -> None:  # type: ignore[no-untyped-def]
    engine, ids = store
    parts = sections(page(engine, "bank", ids["huang_bank"]))
    assert set(table(parts["被告 黄志强"], "案号").index) == {NUMBERS["huang_card"]}  # not the consumer-finance loan
    at = page(engine, "bank", ids["huang_xf"])
    assert at.error and "放贷机构只能查看本机构的案件" in at.error[0].value


def test_without_a_case_the_page_asks_for_one(store) -> None:  # type: ignore[no-untyped-def]
    engine, _ = store
    at = page(engine, "judge", None)
    assert [i.value for i in at.info] == ["请先在案件队列中选择案件 pick a case in the queue"]
