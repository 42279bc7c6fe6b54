"""The committed evidence demo verifies to exactly the intended states, and rebuilding it reproduces it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ruledsl.evidence.facts import evidence_items, verify_declarations
from ruledsl.ruleset import load

DEMO = Path(__file__).resolve().parents[2] / "examples" / "evidence"

EXPECTED = {
    "loan-2024-001": {"identity_verification": "satisfied", "loan_contract": "satisfied",
                      "disbursement_record": "satisfied", "repayment_record": "satisfied",
                      "overdue_notice": "satisfied"},
    "loan-2024-002": {"identity_verification": "satisfied", "loan_contract": "late",
                      "disbursement_record": "satisfied", "repayment_record": "satisfied",
                      "overdue_notice": "satisfied"},
    "loan-2024-003": {"identity_verification": "satisfied", "loan_contract": "satisfied",
                      "disbursement_record": "satisfied", "repayment_record": "tampered",
                      "overdue_notice": "satisfied"},
    "loan-2024-004": {"identity_verification": "missing", "loan_contract": "satisfied",
                      "disbursement_record": "satisfied", "repayment_record": "satisfied",
                      "overdue_notice": "unverifiable"},
}


def states(root: Path) -> dict[str, dict[str, str]]:
    rules = load(root / "demo.rules")
    out = {}
    for case in sorted((root / "cases").iterdir()):
        decl = json.loads((case / "evidence.json").read_text("utf-8"))
        items = evidence_items(decl["evidence_files"], case, root / "court.pub", trust=[root / "trust" / "root-ca.pem"])
        decision = rules.evaluate({"principal": decl["principal"]}, verified=items)
        out[case.name] = {e.kind: e.status for e in decision.evidence}
    return out


def test_committed_demo_states() -> None:
    assert states(DEMO) == EXPECTED


def test_committed_demo_items() -> None:
    case = DEMO / "cases" / "loan-2024-002"
    decl = json.loads((case / "evidence.json").read_text("utf-8"))
    items = {i["kind"]: i for i in evidence_items(decl["evidence_files"], case, DEMO / "court.pub",
                                                  trust=[DEMO / "trust" / "root-ca.pem"])}
    c = items["loan_contract"]
    assert c["signed"] and c["timestamped"] and c["integrity"] == "ok"
    assert c["signer"] == "示例网络小额贷款有限公司"
    assert c["signed_at"] == "2024-04-02T14:00:00+08:00" and c["anchored_at"] == "2024-04-05T09:00:00+08:00"
    assert items["repayment_record"]["signed"]  # the detached CMS signature
    # without the trust store nothing is "signed" or "timestamped", but anchoring still holds
    items = {i["kind"]: i for i in evidence_items(decl["evidence_files"], case, DEMO / "court.pub", trust=[])}
    assert not items["loan_contract"]["signed"] and not items["loan_contract"]["timestamped"]
    assert items["loan_contract"]["integrity"] == "ok"


def test_demo_log_audits_and_checkpoint_is_cosigned() -> None:
    from ruledsl.evidence.checkpoint import open_checkpoint
    from ruledsl.evidence.note import Verifier
    from ruledsl.store import LogStore

    court = Verifier.parse((DEMO / "court.pub").read_text().strip())
    witness = Verifier.parse((DEMO / "witness.pub").read_text().strip())
    sc = open_checkpoint((DEMO / "checkpoint.txt").read_text(), court, [witness])
    assert sc.cosigners == ["demo.notary.example/witness"]
    store = LogStore(f"sqlite:///{DEMO / 'demo.db'}")
    try:
        info = store.get_log()
        assert store.audit(info) == sc.checkpoint.size == 18
        assert store.root_at(info, sc.checkpoint.size) == sc.checkpoint.root
    finally:
        store.close()


@pytest.mark.slow
def test_rebuild_reproduces_the_demo(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, str(DEMO / "build_demo.py"), str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert states(tmp_path) == EXPECTED
    for f in sorted(DEMO.rglob("*")):
        rel = f.relative_to(DEMO)
        if f.is_dir() or rel.suffix in (".db", ".py") or "__pycache__" in rel.parts or rel.name == "README.md":
            continue  # the database's internals differ run to run; the script and its README are not built
        assert (tmp_path / rel).read_bytes() == f.read_bytes(), f"{rel} differs when rebuilt"


def test_declarations_are_checked(tmp_path: Path) -> None:
    from ruledsl.core.errors import MalformedError

    key = DEMO / "court.pub"
    bad = [
        ([{"kind": "loan_contract", "file": "x.pdf", "colour": "red"}], "unknown key"),
        ([{"file": "x.pdf"}], "kind is required"),
        ([{"kind": "loan_contract"}], "needs a `file` or a `bundle`"),
        ([{"kind": "loan_contract", "file": "../../etc/passwd"}], "outside the case directory"),
        ([{"kind": "loan_contract", "file": "x.pdf", "signed_at": "yesterday"}], "not an ISO date"),
        ("not a list", "must be a list"),
        (["not an object"], "must be an object"),
    ]
    for decls, text in bad:
        with pytest.raises(MalformedError) as exc:
            evidence_items(decls, tmp_path, key)  # type: ignore[arg-type]
        assert text in exc.value.diagnostics[0].message


def test_fact_edge_cases(tmp_path: Path) -> None:
    src = DEMO / "cases" / "loan-2024-001"
    for name in ("disbursement.csv", "disbursement.csv.bundle.zip", "contract.pdf.bundle.zip"):
        (tmp_path / name).write_bytes((src / name).read_bytes())
    key = DEMO / "court.pub"
    # a declared file that exists nowhere is not presented at all
    facts = verify_declarations([{"kind": "overdue_notice", "file": "gone.txt"}], tmp_path, key)
    assert facts[0].item is None and "file not found" in facts[0].problems[0]
    # a bundle for another kind of evidence
    items = evidence_items([{"kind": "repayment_record", "file": "disbursement.csv",
                             "bundle": "disbursement.csv.bundle.zip"}], tmp_path, key)
    assert items[0]["integrity"] == "unverifiable" and "anchors a disbursement_record" in items[0]["note"]
    # the wrong court key: the proof does not verify
    from ruledsl.evidence.note import Signer

    other = Signer.generate("demo.court.example/evidence").verifier()
    items = evidence_items([{"kind": "disbursement_record", "file": "disbursement.csv",
                             "bundle": "disbursement.csv.bundle.zip"}], tmp_path, other)
    assert items[0]["integrity"] == "unverifiable" and items[0]["anchored_at"] is None
    # the bundle carries no file and the file is gone: only the record could be checked
    items = evidence_items([{"kind": "disbursement_record", "bundle": "disbursement.csv.bundle.zip"}], tmp_path, key)
    assert items[0]["integrity"] == "unverifiable" and "no evidence file" in items[0]["note"]
    # a bundle whose proof is for a file under another name still checks the content
    (tmp_path / "renamed.csv").write_bytes((src / "disbursement.csv").read_bytes())
    items = evidence_items([{"kind": "disbursement_record", "file": "renamed.csv",
                             "bundle": "disbursement.csv.bundle.zip", "note": "as filed"}], tmp_path, key)
    assert items[0]["integrity"] == "ok" and items[0]["anchored_at"] == "2024-03-01T12:30:00+08:00"
    assert items[0]["note"] == "as filed"
