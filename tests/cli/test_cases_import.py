"""`ruledsl cases import` — the real command (a subprocess) on a SQLite case store.

The expected verdicts of ``examples/evidence/filings.csv`` are README.md's ("Pre-checking filings": row 2
exceeds the limit on penalty interest, rows 3–6 need correction — row 6 an impossible 放款日 2024-02-30 —,
row 7 is another court's case); L-2024-001 with the claim README.md gives as the correction (penalty
2,722.19, compound 489.99) is ready.  The 案号 are ``(2025)浙0192民初{n}号`` from 1, the 起诉日 being
2025-09-01.  Exit status as the command's docstring states it: 0 every row filed or filed before, 1 some row
not ready or failed, 2 usage.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ruledsl.service import create_user
from ruledsl.store.cases import migrate, open_store

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "evidence"
RULESET = ROOT / "rulesets" / "cn" / "consumer_loan.rules"
_SCRIPT = Path(sys.executable).with_name("ruledsl")
RULEDSL = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "ruledsl.cli"]
PASSWORD = "a long test password"
BANK = "某某银行股份有限公司"
OTHER = "某某消费金融有限公司"
KEYS = ("--court-key", str(DEMO / "court.pub"), "--trust", str(DEMO / "trust" / "root-ca.pem"))
CORRECTED = {"principal_outstanding": "20000.00", "interest": "3600.00", "penalty_interest": "2722.19",
             "compound_interest": "489.99", "fees": "0.00"}


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    engine = open_store(url)
    migrate(engine)
    create_user(engine, "clerk", PASSWORD, "clerk", "书记员")
    create_user(engine, "xiaofei", PASSWORD, "lender", "消费金融", lender=OTHER)
    engine.dispose()
    return url


def run(*args: str | Path, password: str | None = PASSWORD, stdin: str | None = None,
        cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    env.pop("RULEDSL_PASSWORD", None)
    env.pop("RULEDSL_DB_URL", None)
    if password is not None:
        env["RULEDSL_PASSWORD"] = password
    result = subprocess.run([*RULEDSL, "cases", "import", *map(str, args)], cwd=cwd, env=env, input=stdin,
                            capture_output=True, text=True, encoding="utf-8", timeout=180)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def report_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(raw.decode("utf-8-sig").splitlines()))


def corrected_batch(tmp_path: Path) -> Path:
    with (DEMO / "filings.csv").open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    first = dict(rows[0], 贷款人诉请金额=json.dumps(CORRECTED))
    second = dict(rows[0], 借据号="B-1", 贷款人诉请金额="")
    path = tmp_path / "batch.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, reader.fieldnames or [])
        w.writeheader()
        w.writerows([first, second])
    return path


def test_the_demo_batch_by_default_files_nothing_and_says_why(db: str, tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    result = run(RULESET, DEMO / "filings.csv", "--db", db, "--user", "clerk", "--lender", BANK, *KEYS,
                 "--report", out)
    assert result.returncode == 1, result.stderr
    lines = report_rows(out)
    assert lines[0] == ["row", "case_id", "verdict", "案号", "outcome", "reason"]
    got = {line[0]: line for line in lines[1:]}
    assert sorted(got) == ["2", "3", "4", "5", "6", "7"]
    assert all(line[4] == "not_ready" and line[3] == "" for line in got.values())
    assert got["2"][2] == "exceeds_limit" and got["7"][2] == "not_admissible"
    assert "放款日" in got["6"][5] and "2024-02-30" in got["6"][5]
    assert "无管辖权" in got["7"][5]
    assert "预审未通过 not_ready: 6" in result.stdout and "已立案 filed: 0" in result.stdout


def test_include_exceeds_limit_files_row_2(db: str) -> None:
    result = run(RULESET, "examples/evidence/filings.csv", "--db", db, "--user", "clerk", "--lender", BANK, *KEYS,
                 "--include", "ready,exceeds_limit", "--json")
    assert result.returncode == 1, result.stderr  # rows 3–7 are still not ready
    report = json.loads(result.stdout)
    rows = {r["row"]: r for r in report["rows"]}
    assert rows[2]["outcome"] == "filed" and rows[2]["case_number"] == "(2025)浙0192民初1号"
    assert [r["row"] for r in report["rows"] if r["outcome"] == "filed"] == [2]
    assert report["counts"] == {"filed": 1, "skipped": 0, "not_ready": 5, "failed": 0}
    assert "已立案" in result.stderr  # the table goes to stderr with --json


def test_a_ready_batch_exits_0_and_a_rerun_skips_it(db: str, tmp_path: Path) -> None:
    batch = corrected_batch(tmp_path)
    first = run(RULESET, batch, "--db", db, "--user", "clerk", "--lender", BANK, *KEYS, "--evidence-dir", DEMO,
                "--json")
    assert first.returncode == 0, first.stderr
    assert [(r["outcome"], r["case_number"]) for r in json.loads(first.stdout)["rows"]] == [
        ("filed", "(2025)浙0192民初1号"), ("filed", "(2025)浙0192民初2号")]
    again = run(RULESET, batch, "--db", db, "--user", "clerk", "--lender", BANK, *KEYS, "--evidence-dir", DEMO,
                "--json")
    assert again.returncode == 0, again.stderr  # filed before: nothing asked for is missing
    assert [r["outcome"] for r in json.loads(again.stdout)["rows"]] == ["skipped", "skipped"]


def test_a_lender_filing_another_lenders_batch_is_refused_per_row(db: str, tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    result = run(RULESET, corrected_batch(tmp_path), "--db", db, "--user", "xiaofei", "--lender", BANK, *KEYS,
                 "--evidence-dir", DEMO, "--report", out)
    assert result.returncode == 1
    lines = report_rows(out)[1:]
    assert [(line[0], line[4]) for line in lines] == [("2", "failed"), ("3", "failed")]
    assert all("放贷机构只能为本机构立案" in line[5] for line in lines)


def test_the_password_is_prompted_hidden_and_never_an_argument(db: str, tmp_path: Path) -> None:
    batch = corrected_batch(tmp_path)
    prompted = run(RULESET, batch, "--db", db, "--user", "clerk", "--lender", BANK, *KEYS, "--evidence-dir", DEMO,
                   password=None, stdin=PASSWORD + "\n")
    assert prompted.returncode == 0, prompted.stderr
    assert PASSWORD not in prompted.stdout + prompted.stderr
    wrong = run(RULESET, batch, "--db", db, "--user", "clerk", "--lender", BANK, password="not the password")
    assert wrong.returncode == 1 and "密码" in wrong.stderr
    assert run(RULESET, batch, "--db", db, "--user", "clerk", "--password", PASSWORD).returncode == 2


def test_usage_errors_exit_2(db: str) -> None:
    filings = DEMO / "filings.csv"
    bad = run(RULESET, filings, "--db", db, "--user", "clerk", "--lender", BANK, "--include", "needs_correction")
    assert bad.returncode == 2 and "--include" in bad.stderr
    no_lender = run(RULESET, filings, "--db", db, "--user", "clerk", *KEYS)
    assert no_lender.returncode == 2 and "--lender" in no_lender.stderr
    assert run(RULESET, filings, "--db", db).returncode == 2  # --user is required
    assert run(RULESET, DEMO / "no-such.csv", "--db", db, "--user", "clerk").returncode == 2
