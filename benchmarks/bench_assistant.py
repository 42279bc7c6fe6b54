"""The judge assistant under a full queue, in the real browser (not a test; prints latencies and ratios).

    .venv/bin/python benchmarks/bench_assistant.py [--cases 10000] [--repeat 5] [--store sqlite:///…]

Seeds a case store with the demo's hand-written cases and enough generated consumer loans to hold
``--cases`` cases (:func:`ruledsl.service.demo.seed`, every case filed through the service; or reuses
``--store`` when it already holds them), serves ``assistant_ui/app.py`` with ``streamlit run`` on
127.0.0.1, and drives Debian's headless chromium (Selenium, /usr/bin/chromium) as a judge:

* **queue filter** — type a search into the queue and press Enter; timed until the new count is shown
  and the table is drawn;
* **case click** — press 打开 on the filtered queue; timed until the case's total award is on screen;
* **what-if in the browser** — tick 准许调减 on the case page; timed until the what-if's comparison table
  is on screen;
* **what-if recompute** — :func:`ruledsl.service.what_if` on the same case in this process (the
  computation the page runs, without the browser's round trip).

Each figure is the median (and the worst) of ``--repeat`` runs, on cases chosen from across the store.
The reference is the issue's target for each (issue 13: ≤ 1 s for the filter and the click, ≤ 300 ms for
the what-if recompute); the ratio printed is measured ÷ target (below 1.0 meets it).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ruledsl.service import WhatIf, case_award, get_case, list_cases, queue_counts, sign_in, what_if  # noqa: E402
from ruledsl.service.demo import CASES, DEMO_KEYS, EVIDENCE_CASES, seed  # noqa: E402
from ruledsl.store.cases import migrate, open_store  # noqa: E402

TARGETS = {"queue filter": 1.0, "case click": 1.0, "what-if (browser)": 1.0, "what-if recompute": 0.3}
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def ensure_store(url: str, cases: int) -> int:
    engine = open_store(url)
    try:
        migrate(engine)
        written = len(CASES) + len(EVIDENCE_CASES)
        result = seed(engine, generated=max(cases - written, 0))
        judge = sign_in(engine, "judge", "demo-judge-2026")
        total = queue_counts(engine, judge)["total"]
        if result["already_seeded"]:
            print(f"store already seeded: {total:,} cases")
        return total
    finally:
        engine.dispose()


def serve(url: str, log: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "RULEDSL_DB_URL": url, "RULEDSL_COURT_KEY": str(DEMO_KEYS.court_key),
           "RULEDSL_TRUST_STORE": str(DEMO_KEYS.trust[0])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "assistant_ui" / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"], cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                return proc, base
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("streamlit did not start:\n" + log.read_text(errors="replace"))


def wait(driver, check, what: str, timeout: float = 60) -> float:  # type: ignore[no-untyped-def]
    """Poll the page's text every 20 ms until ``check(text)``; the time it took."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if check(driver.find_element(By.TAG_NAME, "body").text):
                return time.perf_counter() - started
        except StaleElementReferenceException:
            pass
        time.sleep(0.02)
    raise SystemExit(f"timed out waiting for {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--store", help="a case store URL to seed or reuse (default: a temporary SQLite file)")
    args = parser.parse_args()
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    with tempfile.TemporaryDirectory() as tmp:
        url = args.store or f"sqlite:///{Path(tmp) / 'cases.db'}"
        started = time.perf_counter()
        total = ensure_store(url, args.cases)
        print(f"case store: {total:,} cases ({time.perf_counter() - started:.0f} s to seed or open)")
        engine = open_store(url)
        judge = sign_in(engine, "judge", "demo-judge-2026")
        # cases across the store, each found by a search that gives exactly it, with a reduction to grant
        listed = list_cases(engine, judge, limit=total)
        step = max(len(listed) // args.repeat, 1)
        picks = [c for c in listed[::step] if c.ruleset_id == "cn.consumer_loan"][: args.repeat]
        recompute = []
        for c in picks:
            record = get_case(engine, judge, c.id)
            base = case_award(record)
            t = time.perf_counter()
            what_if(record, WhatIf(reduction=True), before=base)
            recompute.append(time.perf_counter() - t)
        proc, served = serve(url, Path(tmp) / "server.log")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
            options.add_argument(a)
        driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
        timings: dict[str, list[float]] = {"queue filter": [], "case click": [], "what-if (browser)": []}
        try:
            driver.get(served)
            wait(driver, lambda body: "登录" in body, "the sign-in page")
            time.sleep(1)
            driver.find_element(By.CSS_SELECTOR, "input[aria-label='用户名 username']").send_keys("judge")
            driver.find_element(By.CSS_SELECTOR, "input[aria-label='密码 password']").send_keys("demo-judge-2026")
            driver.find_element(By.XPATH, "//button[.//p[contains(text(), '登录 sign in')]]").click()
            wait(driver, lambda body: f"符合条件 cases\n{total:,}" in body, "the queue")
            for c in picks:
                driver.find_element(By.XPATH, "//a[contains(., '案件队列')]").click()
                wait(driver, lambda body: "搜索案号或当事人" in body, "the queue page")
                time.sleep(0.5)
                box = driver.find_element(By.CSS_SELECTOR, "input[aria-label='搜索案号或当事人 search']")
                box.send_keys(Keys.CONTROL, "a")
                box.send_keys(Keys.DELETE)
                time.sleep(0.3)
                number = c.case_number
                t = time.perf_counter()
                box.send_keys(number, Keys.ENTER)
                wait(driver, lambda body: "符合条件 cases\n1\n" in body
                     and driver.find_elements(By.CSS_SELECTOR, "[data-testid='stDataFrame']"), "the filtered queue")
                timings["queue filter"].append(time.perf_counter() - t)
                t = time.perf_counter()
                driver.find_element(By.XPATH, "//button[.//p[contains(text(), '打开 open')]]").click()
                wait(driver, lambda body, n=number: n in body and "判决合计（元）\n" in body
                     and "裁判金额" in body, "the case page")
                timings["case click"].append(time.perf_counter() - t)
                driver.find_element(By.XPATH, "//summary[.//p[contains(text(), '假设分析')]]").click()
                wait(driver, lambda body: "准许调减" in body, "the what-if's choices")
                t = time.perf_counter()
                driver.find_element(By.XPATH, "//label[.//p[contains(text(), '准许调减')]]").click()
                wait(driver, lambda body: "假设分析与原案对照" in body, "the what-if's comparison")
                timings["what-if (browser)"].append(time.perf_counter() - t)
        finally:
            driver.quit()
            proc.terminate()
            proc.wait(timeout=20)
            engine.dispose()
    timings["what-if recompute"] = recompute
    print(f"\n{'step':<20} {'median s':>9} {'worst s':>9} {'target s':>9} {'median/target':>14}")
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"{name:<20} {median:>9.3f} {max(values):>9.3f} {TARGETS[name]:>9.3f} {median / TARGETS[name]:>14.2f}")


if __name__ == "__main__":
    main()
