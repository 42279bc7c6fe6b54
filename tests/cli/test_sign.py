"""`ruledsl sign` and `ruledsl verify-ruleset`: the exit status says whether a ruleset is the court's (0 verified,
1 not, with the reason on stderr); the keys come from `ruledsl log keygen`, run here as a user would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ruledsl.cli import app

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "rulesets" / "cn"


@pytest.fixture
def court(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A copy of the shipped rulesets, and a court key pair made by `ruledsl log keygen` (key, pub, folder)."""
    folder = tmp_path / "cn"
    shutil.copytree(SHIPPED, folder, ignore=shutil.ignore_patterns("*.sig"))
    r = CliRunner().invoke(app, ["log", "keygen", "--name", "court.example/rulesets", "--out", str(tmp_path / "court")])
    assert r.exit_code == 0, r.output
    return tmp_path / "court.key", tmp_path / "court.pub", folder


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, [str(a) for a in args])


def test_sign_then_verify_then_tamper(court):
    key, pub, cn = court
    loan, fees_zh = cn / "consumer_loan.rules", cn / "court_fees.zh.rules"
    r = run("sign", loan, fees_zh, "--key", key)
    assert r.exit_code == 0, r.output
    assert "cn.consumer_loan" in r.stdout and "2026.1" in r.stdout and "cn.诉讼费用" in r.stdout
    assert "sha256" in r.stdout and "lpr_1y tables/lpr.csv" in r.stdout
    assert (cn / "consumer_loan.rules.sig").is_file() and (cn / "court_fees.zh.rules.sig").is_file()

    r = run("verify-ruleset", loan, fees_zh, "--key", pub)
    assert r.exit_code == 0, r.output
    assert r.stdout.count("verified ") == 2

    lpr = cn / "tables" / "lpr.csv"
    lpr.write_text(lpr.read_text(encoding="utf-8").replace("2019-08-20,4.25%", "2019-08-20,4.35%"), encoding="utf-8")
    r = run("verify-ruleset", loan, fees_zh, "--key", pub)
    assert r.exit_code == 1
    assert "NOT VERIFIED" in r.stderr and "table `lpr_1y` (tables/lpr.csv) changed" in r.stderr
    assert "verified " in r.stdout  # the Chinese-keyword ruleset loads no table: it still verifies


def test_verify_an_unsigned_ruleset_exits_1(court):
    _, pub, cn = court
    r = run("verify-ruleset", cn / "court_fees.rules", "--key", pub)
    assert r.exit_code == 1
    assert "not signed" in r.stderr and "规则集未签名" in r.stderr


def test_verify_with_another_courts_key_exits_1(court, tmp_path):
    key, _, cn = court
    assert run("sign", cn / "court_fees.rules", "--key", key).exit_code == 0
    assert run("log", "keygen", "--name", "other.example/rulesets", "--out", tmp_path / "other").exit_code == 0
    r = run("verify-ruleset", cn / "court_fees.rules", "--key", tmp_path / "other.pub")
    assert r.exit_code == 1 and "signed by another key" in r.stderr


def test_keys_the_wrong_way_round_exit_1(court):
    key, pub, cn = court
    r = run("sign", cn / "court_fees.rules", "--key", pub)
    assert r.exit_code == 1 and "signer key" in r.stderr
    assert not (cn / "court_fees.rules.sig").exists()
    r = run("verify-ruleset", cn / "court_fees.rules", "--key", key)
    assert r.exit_code == 1 and "verifier key" in r.stderr


def test_a_ruleset_with_errors_is_not_signed(court):
    key, _, cn = court
    bad = cn / "bad.rules"
    bad.write_text('ruleset x version "1" effective 2024-01-01\ncompute:\n  v = nowhere\n', encoding="utf-8")
    r = run("sign", bad, "--key", key)
    assert r.exit_code == 1 and "not signed: " in r.stderr and "unknown name `nowhere`" in r.stderr
    assert not (cn / "bad.rules.sig").exists()
