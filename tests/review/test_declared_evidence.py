"""Verified means verified: evidence a case file merely lists (``"evidence": [{… "signed": true,
"anchored_at": …}]``) is *declared*, never satisfies a requirement, and keeps the case from counting
as evidence-complete — on the command line, through the judge assistant's upload, and in the API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ruledsl.core.errors import InputError
from ruledsl.review import decide_upload
from ruledsl.ruleset import load

ROOT = Path(__file__).resolve().parents[2]
LOAN = ROOT / "rulesets" / "cn" / "consumer_loan.rules"
CASE = ROOT / "examples" / "cases" / "loan_consumer_finance_accelerated.json"
# consumer_loan.rules: 立案 needs `evidence complete` (and failed mediation); without it, 非诉调解
REQUIRED = ["identity_verification", "loan_contract", "disbursement_record", "repayment_record", "overdue_notice"]


def asserted_case() -> dict:
    """The shipped loan case, its five items all asserted signed and anchored in time by the case file itself."""
    wrapped = json.loads(CASE.read_text(encoding="utf-8"))
    wrapped["case"]["mediation_failed"] = True  # all the route still needs is evidence complete
    wrapped["case"]["evidence"] = [
        {"kind": kind, "file": f"{kind}.pdf", "signed": True, "timestamped": True,
         "signed_at": "2024-03-10T14:02:11+08:00", "anchored_at": "2024-03-10T14:02:40+08:00"}
        for kind in REQUIRED]
    return wrapped


def test_the_cli_reports_asserted_items_as_declared_and_does_not_route_to_filing(tmp_path: Path) -> None:
    case = tmp_path / "asserted.json"
    case.write_text(json.dumps(asserted_case()["case"], ensure_ascii=False), encoding="utf-8")  # plain inputs
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run([sys.executable, "-m", "ruledsl.cli", "eval", str(LOAN), "--case", str(case), "--json"],
                            capture_output=True, text=True, encoding="utf-8", env=env, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert [(e["kind"], e["status"]) for e in decision["evidence"]] == [(k, "declared") for k in REQUIRED]
    assert all("not verified" in e["reason"] for e in decision["evidence"])
    assert decision["route"] == "非诉调解"


def test_an_upload_with_asserted_items_is_not_evidence_complete() -> None:
    data = json.dumps(asserted_case(), ensure_ascii=False).encode("utf-8")
    _, _, decision = decide_upload(data, "asserted.json")
    assert {r.kind: r.status for r in decision.evidence} == dict.fromkeys(REQUIRED, "declared")
    assert not decision.evidence_complete and decision.route == "非诉调解"


def test_the_same_items_verified_by_the_evidence_layer_do_count() -> None:
    rs = load(LOAN)
    inputs = asserted_case()["case"]
    items = inputs.pop("evidence")
    decision = rs.evaluate(inputs, verified=items)
    assert {r.kind: r.status for r in decision.evidence} == dict.fromkeys(REQUIRED, "satisfied")
    assert decision.evidence_complete and decision.route == "立案"
    # one verified item is not made complete by a declared one beside it
    declared = rs.evaluate({**inputs, "evidence": items[1:]}, verified=items[:1])
    assert [r.status for r in declared.evidence] == ["satisfied"] + ["declared"] * 4


def test_a_case_file_cannot_mark_its_own_items_verified() -> None:
    inputs = asserted_case()["case"]
    inputs["evidence"][0]["verified"] = True
    with pytest.raises(InputError, match=r"evidence\[1\]\.verified"):
        load(LOAN).evaluate(inputs)


def test_anchoring_before_the_signature_is_not_within_24_hours_of_it() -> None:
    rs = load(LOAN)
    inputs = asserted_case()["case"]
    items = inputs.pop("evidence")
    contract = {**items[1], "signed_at": "2024-03-11T09:00:00+08:00", "anchored_at": "2024-03-10T14:02:40+08:00"}
    decision = rs.evaluate(inputs, verified=[items[0], contract, *items[2:]])
    finding = next(r for r in decision.evidence if r.kind == "loan_contract")
    assert finding.status == "unverifiable" and "before its signed_at" in finding.reason
