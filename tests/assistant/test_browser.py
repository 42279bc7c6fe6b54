"""The judge assistant in a real browser: `streamlit run` serving the page, Debian's chromium showing it.

Nothing is downloaded: Selenium is pointed at /usr/bin/chromium and /usr/bin/chromedriver
(scripts/sysdeps.sh installs them).  Under CI a missing browser fails the test instead of
skipping it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ruledsl.review import DEMO_EVIDENCE, decide_case, example_cases

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _need(condition: bool, why: str) -> None:
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"{why} (CI must run the browser test; scripts/sysdeps.sh installs it)")
        pytest.skip(why)


@contextmanager
def streamlit(script: Path, log_dir: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run script` on a free port of 127.0.0.1 (``env`` added to this process's), stopped after; its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = log_dir / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script),
             "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("streamlit did not start:\n" + log.read_text(errors="replace"))
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # type: ignore[no-untyped-def]
    """`streamlit run assistant_ui/examples.py` (the example-case page alone); its URL."""
    with streamlit(ROOT / "assistant_ui" / "examples.py", tmp_path_factory.mktemp("streamlit")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    _need(Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(), "Debian's chromium and chromium-driver")
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--lang=zh-CN"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def _wait_for(driver, check, what: str, timeout: float = 60) -> str:  # type: ignore[no-untyped-def]
    """Poll the page until ``check(body text, main header)`` holds; the body text."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    body = ""
    while time.monotonic() < deadline:
        try:
            body = driver.find_element(By.TAG_NAME, "body").text
            headers = [h.text for h in driver.find_elements(By.CSS_SELECTOR,
                                                            "section.main h2, [data-testid='stMain'] h2")]
        except StaleElementReferenceException:  # Streamlit re-rendered the page while it was read: read again
            time.sleep(0.3)
            continue
        if check(body, headers[0] if headers else ""):
            return body
        time.sleep(0.3)
    raise AssertionError(f"{what} never appeared; the page shows:\n{body[:2000]}")


def test_a_judge_opens_a_case_and_reads_the_award(server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    cases = example_cases()
    first = cases[0]
    _, decision = decide_case(first, DEMO_EVIDENCE)
    browser.get(server)
    total = f"{decision.award['total'].amount:,.2f}"  # the 合计 metric
    body = _wait_for(browser, lambda body, header: header == first.title and total in body, "the first case")
    # the tabs are text; the tables are drawn on a canvas (their rows are checked in test_app.py)
    assert "裁判金额 award" in body and "计算明细 calculation" in body

    # pick the tampered evidence case in the sidebar, as a judge would
    target = next(c for c in cases if c.path.parent.name == "loan-2024-003")
    labels = browser.find_elements(By.CSS_SELECTOR, "section[data-testid='stSidebar'] label")
    next(label for label in labels if label.text.strip() == target.title).click()
    # (while Streamlit reruns, the last case's elements stay on the page until replaced: wait for the new ones)
    body = _wait_for(browser, lambda body, header: header == target.title and "本规则集无裁判金额" in body
                     and total not in body, "the chosen case")
    assert "证据不齐或未通过核验" in body

    # open a case file of one's own: the upload names a published ruleset
    upload = tmp_path / "mine.json"
    upload.write_text(json.dumps({"title": "上传的诉讼费案件", "ruleset": "rulesets/cn/court_fees.rules",
                                  "case": {"claim_amount": "100000"}}, ensure_ascii=False), encoding="utf-8")
    browser.find_element(By.CSS_SELECTOR, "section[data-testid='stSidebar'] input[type='file']").send_keys(str(upload))
    body = _wait_for(browser, lambda body, header: header == "上传的诉讼费案件" and "本规则集无裁判金额" not in body,
                     "the uploaded case")
    assert "cn.court_fees" in body
    shot = Path(os.environ.get("RULEDSL_SCREENSHOT", tmp_path / "assistant.png"))
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_an_uploaded_title_is_shown_as_typed_never_as_markdown(server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    title = "[点此 click](http://127.0.0.1:9/x) ![img](http://127.0.0.1:9/y.png) **粗体** :warning: :red[红色] <b>b</b>"
    upload = tmp_path / "hostile.json"
    upload.write_text(json.dumps({"title": title, "ruleset": "rulesets/cn/court_fees.rules",
                                  "case": {"claim_amount": "100000"}}, ensure_ascii=False), encoding="utf-8")
    browser.get(server)
    _wait_for(browser, lambda body, header: bool(header), "the page")
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    # the sidebar's uploader may render after the page header (slowly on a loaded machine)
    picker = WebDriverWait(browser, 60).until(expected_conditions.presence_of_element_located(
        (By.CSS_SELECTOR, "section[data-testid='stSidebar'] input[type='file']")))
    picker.send_keys(str(upload))
    _wait_for(browser, lambda body, header: header == title, "the hostile title, as typed")
    main = browser.find_element(By.CSS_SELECTOR, "[data-testid='stMain']")
    header = main.find_elements(By.TAG_NAME, "h2")[0]
    html = header.get_attribute("innerHTML")
    assert not header.find_elements(By.CSS_SELECTOR, "a[href*='127.0.0.1'], img, strong, b, span[style]"), html
    shot = Path(os.environ.get("RULEDSL_SCREENSHOT_DIR", tmp_path)) / "assistant_hostile_title.png"
    browser.save_screenshot(str(shot))
