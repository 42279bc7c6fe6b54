"""`ruledsl eval` judges a case's declared evidence files after verifying them against the demo log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "evidence"
RULEDSL = Path(sys.executable).with_name("ruledsl")

# what examples/evidence/README.md says each demo case shows
EXPECTED = {
    "loan-2024-001": ({"loan_contract": "satisfied", "repayment_record": "satisfied"}, "立案审查"),
    "loan-2024-002": ({"loan_contract": "late"}, "补正证据"),
    "loan-2024-003": ({"repayment_record": "tampered"}, "补正证据"),
    "loan-2024-004": ({"overdue_notice": "unverifiable", "identity_verification": "missing"}, "补正证据"),
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(RULEDSL), *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_declared_evidence_is_verified_then_judged(case: str) -> None:
    result = run("eval", str(DEMO / "demo.rules"), "--case", str(DEMO / "cases" / case / "evidence.json"),
                 "--court-key", str(DEMO / "court.pub"), "--trust", str(DEMO / "trust" / "root-ca.pem"), "--json")
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    statuses = {e["kind"]: e["status"] for e in decision["evidence"]}
    want, route = EXPECTED[case]
    for kind, status in want.items():
        assert statuses[kind] == status, (kind, decision["evidence"])
    assert decision["route"] == route


def test_declared_evidence_without_a_court_key_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.delenv("RULEDSL_COURT_KEY", raising=False)
    result = run("eval", str(DEMO / "demo.rules"), "--case", str(DEMO / "cases" / "loan-2024-001" / "evidence.json"))
    assert result.returncode == 1
    assert "no court key" in result.stderr and "--court-key" in result.stderr
    assert "Traceback" not in result.stderr
