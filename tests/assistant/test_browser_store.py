"""The judge assistant on a case store, in Debian's headless chromium: sign in, filter the queue, open a
case, read the total and a claimed-vs-awarded difference, run a what-if, download the judgment draft.

The store is a real SQLite file filed through the service (tests/assistant/test_pages.py's cases); the
figures are the worked examples of ``rulesets/cn/consumer_loan.rules`` (see tests/service/test_decide.py):
awarded 13,388.63 in total, 1,500.00 of penalty interest claimed against 1,346.30 allowed (153.70 more
than the law allows), and with the reduction granted 12,996.71.  Screenshots are saved in
``RULEDSL_SCREENSHOT_DIR`` (else the test's tmp dir).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ruledsl.service import create_user, file_case, ruleset_ref, sign_in
from ruledsl.service.decide import RULESETS
from ruledsl.service.demo import DEMO_KEYS, EVIDENCE_CASES, evidence_of
from ruledsl.store import cases as cs
from tests.assistant.test_browser import ROOT, _wait_for, browser, streamlit  # noqa: F401
from tests.assistant.test_pages import BANK, LOAN, PASSWORD


@pytest.fixture(scope="module")
def store_server(tmp_path_factory):  # type: ignore[no-untyped-def]
    where = tmp_path_factory.mktemp("store")
    url = f"sqlite:///{where / 'cases.db'}"
    engine = cs.open_store(url)
    cs.migrate(engine)
    create_user(engine, "judge", PASSWORD, "judge", "法官")
    create_user(engine, "bank", PASSWORD, "lender", "bank", lender=BANK)
    bank = sign_in(engine, "bank", PASSWORD)
    ref = ruleset_ref(RULESETS / "cn" / "consumer_loan.rules")
    for i, name in enumerate(("张三丰", "李四", "王五")):
        file_case(engine, bank, f"(2024)浙0192民初10{i}号", BANK, ref, LOAN,
                  [{"role": "原告", "name": BANK, "kind": "organisation"}, {"role": "被告", "name": name}])
    # the evidence demo's loan whose repayment record was edited after it was anchored (examples/evidence)
    tampered = next(c for c in EVIDENCE_CASES if c["folder"] == "loan-2024-003")
    file_case(engine, bank, "(2025)浙0192民初1103号", BANK, ref, tampered["inputs"],
              [{"role": "原告", "name": BANK, "kind": "organisation"}, {"role": "被告", "name": "杨振宇"}],
              evidence=evidence_of("loan-2024-003"))
    engine.dispose()
    keys = {"RULEDSL_COURT_KEY": str(DEMO_KEYS.court_key), "RULEDSL_TRUST_STORE": str(DEMO_KEYS.trust[0])}
    with streamlit(ROOT / "assistant_ui" / "app.py", where, {"RULEDSL_DB_URL": url, **keys}) as served:
        yield served


def _click(driver, text: str, xpath: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Click the button labelled ``text`` once it is there and can be clicked (a busy machine redraws late)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    path = xpath or f"//button[.//p[contains(text(), '{text}')]]"
    WebDriverWait(driver, 60).until(expected_conditions.element_to_be_clickable((By.XPATH, path))).click()


def _section(driver, text: str) -> None:  # type: ignore[no-untyped-def]
    """Show one section of the case page (its section choice is a row of buttons)."""
    _click(driver, text, f"//button[.//p[text()='{text}']]")


def test_a_judge_signs_in_and_decides_from_the_queue(store_server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    shots = Path(os.environ.get("RULEDSL_SCREENSHOT_DIR", tmp_path))
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    browser.get(store_server)
    _wait_for(browser, lambda body, _: "裁判辅助 · 登录" in body, "the sign-in page")
    WebDriverWait(browser, 60).until(expected_conditions.presence_of_element_located(
        (By.CSS_SELECTOR, "input[aria-label='用户名 username']"))).send_keys("judge")
    browser.find_element(By.CSS_SELECTOR, "input[aria-label='密码 password']").send_keys(PASSWORD)
    _click(browser, "登录 sign in")
    # (the queue's rows are drawn on a canvas; the counts and the case picker are text)
    _wait_for(browser, lambda body, _: "符合条件 cases\n4" in body, "the queue")

    search = browser.find_element(By.CSS_SELECTOR, "input[aria-label='搜索案号或当事人 search']")
    search.send_keys("101号", Keys.ENTER)
    body = _wait_for(browser, lambda body, _: "符合条件 cases\n1" in body, "the filtered queue")
    browser.save_screenshot(str(shots / "assistant_queue.png"))
    _click(browser, "打开 open")
    # the total awarded, and penalty interest claimed 1,500.00 against 1,346.30 allowed and awarded: 153.70 more
    body = _wait_for(browser, lambda body, _: "(2024)浙0192民初101号" in body and "13,388.63" in body
                     and "153.70" in body, "the case page with its award and the difference")
    assert "证据不齐或未通过核验" in body  # nothing verified: never shown as complete
    browser.save_screenshot(str(shots / "assistant_case.png"))

    _click(browser, "假设分析", "//summary[.//p[contains(text(), '假设分析')]]")
    _wait_for(browser, lambda body, _: "准许调减" in body, "the what-if's choices")
    _click(browser, "准许调减", "//label[.//p[contains(text(), '准许调减')]]")
    body = _wait_for(browser, lambda body, _: "12,996.71" in body and "-391.92" in body, "the what-if")
    browser.save_screenshot(str(shots / "assistant_what_if.png"))

    _section(browser, "裁判与文书")
    _wait_for(browser, lambda body, _: "生成判决主文草稿" in body, "the section of the decision and the draft")
    _click(browser, "生成判决主文草稿")
    _wait_for(browser, lambda body, _: "下载判决主文草稿" in body, "the draft's download button")
    _click(browser, "下载判决主文草稿")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not list(downloads.glob("*.pdf")):
        time.sleep(0.3)
    (pdf,) = downloads.glob("*.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    from tests.reports.test_verification_report import pdftotext

    text = "".join(pdftotext(pdf).split())
    assert "壹万贰仟玖佰玖拾陆元柒角壹分" not in text  # the draft lists each line, not the total in capitals
    assert "罚息1,196.71元（大写：人民币壹仟壹佰玖拾陆元柒角壹分）" in text  # the what-if's award, 24 % cap

    # the tampered case: its repayment record's badge says so, in text, and the report verifies it again
    _click(browser, "案件队列", "//a[contains(., '案件队列')]")
    search = WebDriverWait(browser, 60).until(expected_conditions.presence_of_element_located(
        (By.CSS_SELECTOR, "input[aria-label='搜索案号或当事人 search']")))
    search.clear()
    search.send_keys("1103号", Keys.ENTER)
    _wait_for(browser, lambda body, _: "符合条件 cases\n1" in body, "the queue filtered to the tampered case")
    _click(browser, "打开 open")
    _wait_for(browser, lambda body, _: "(2025)浙0192民初1103号" in body, "the tampered case")
    _section(browser, "证据")
    body = _wait_for(browser, lambda body, _: "还款记录 被篡改" in body and "存证后被篡改" in body, "the badges")
    badge = browser.find_element(By.CSS_SELECTOR, "span[data-badge='tampered']")
    assert badge.is_displayed() and badge.text == "被篡改"
    assert "rd-bad" in badge.get_attribute("class")  # red, unlike the green 已存证 of the items that verified
    assert browser.find_elements(By.CSS_SELECTOR, "span[data-badge='anchored'].rd-good")
    assert "证据不齐或未通过核验" in body
    browser.save_screenshot(str(shots / "assistant_evidence.png"))
