"""The demo case store (SQLite and PostgreSQL): its users, its cases and their queue figures.

No figure is copied from the code's output: the tests check the structure (every case filed with its
queue's figures) and the relations the figures must keep (an award never above the claim nor above
what the law allows; awarded = allowed when no claim is stated).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from ruledsl.core.errors import RefusedError
from ruledsl.core.idnumber import read_id_number
from ruledsl.precheck.run import VERDICTS
from ruledsl.service import case_award, get_case, list_cases, queue_counts, sign_in
from ruledsl.service.demo import (
    BANK,
    CASES,
    CONSUMER_FINANCE,
    DEMO_USERS,
    EVIDENCE_CASES,
    EVIDENCE_DEMO,
    PEOPLE,
    TRADER,
    seed,
)
from ruledsl.service.demo_evidence import CLEAN_SHARE, PROBLEMS
from ruledsl.service.evidence import EvidenceKeys, verification_report
from ruledsl.store.cases import cases, users

PASSWORDS = {u[0]: u[1] for u in DEMO_USERS}
#: the hand-written cases, those with evidence files among them
WRITTEN = len(CASES) + len(EVIDENCE_CASES)


def judge(store: Engine):  # type: ignore[no-untyped-def]
    return sign_in(store, "judge", PASSWORDS["judge"])


def test_demo_users_cover_every_role_with_long_passwords() -> None:
    assert {u[2] for u in DEMO_USERS} == {"judge", "clerk", "lender", "mediator", "admin"}
    assert len({u[4] for u in DEMO_USERS if u[2] == "lender"}) == 2
    assert all(len(u[1]) >= 12 for u in DEMO_USERS)
    assert WRITTEN >= 25
    assert {c["ruleset"] for c in CASES} == {"cn.consumer_loan", "cn.private_lending", "cn.credit_card"}


def test_seed_files_every_case_with_its_queue_figures(store: Engine) -> None:
    result = seed(store, generated=40)
    assert result == {"users": len(DEMO_USERS), "cases": WRITTEN + 40, "already_seeded": False}
    for username, password, role, _, lender in DEMO_USERS:
        session = sign_in(store, username, password)
        assert (session.role, session.lender) == (role, lender)

    j = judge(store)
    counts = queue_counts(store, j)
    assert counts["total"] == WRITTEN + 40
    assert set(counts["verdict"]) <= set(VERDICTS)
    assert "not_admissible" in counts["verdict"]  # the case the court has no jurisdiction over

    listed = list_cases(store, j, limit=1000)
    assert len(listed) == WRITTEN + 40
    assert len({c.case_number for c in listed}) == len(listed)
    assert all(re.fullmatch(r"\(20\d\d\)浙0192民初\d+号", c.case_number) for c in listed)
    assert {c.ruleset_id for c in listed} == {"cn.consumer_loan", "cn.private_lending", "cn.credit_card"}
    assert {c.lender for c in listed} == {BANK, CONSUMER_FINANCE, TRADER}
    for c in listed:
        assert c.allowed is not None and c.awarded is not None, c.case_number
        assert c.verdict in VERDICTS and c.evidence_state is not None
        assert c.awarded <= c.allowed
        if c.claimed is None:
            assert c.awarded == c.allowed
        else:
            assert c.awarded <= c.claimed
    claimed = [c for c in listed if c.claimed is not None]
    assert any(c.claimed > c.allowed for c in claimed)  # a claim above what the law allows
    assert any(c.claimed < c.allowed for c in claimed)  # and one below it

    # line by line: a case whose claim exceeds the law on some line, awarded the law's figure there
    over = next(c for c in claimed if c.claimed > c.allowed)
    award = case_award(get_case(store, j, over.id))
    lines = [line for line in award.lines if line.claimed is not None and line.claimed > line.allowed]
    assert lines and all(line.awarded == line.allowed for line in lines)


def test_parties_are_organisations_and_valid_people(store: Engine) -> None:
    seed(store, generated=10)
    for username in ("bank", "xiaofei"):  # a lender sees its own cases' parties plain
        session = sign_in(store, username, PASSWORDS[username])
        for c in list_cases(store, session, limit=1000):
            roles = {p["role"]: p for p in c.parties}
            assert set(roles) == {"原告", "被告"}
            assert roles["原告"]["kind"] == "organisation" and roles["原告"]["name"] == c.lender
            assert len(roles["原告"]["id_number"]) == 18
            person = roles["被告"]
            facts = read_id_number(person["id_number"])
            assert person["kind"] == "person" and facts.valid, (person, facts.problem)
            assert facts.birth_date is not None and 1960 <= facts.birth_date.year <= 2002
            assert re.fullmatch(r"1\d{10}", person["phone"])


def test_a_party_with_several_cases(store: Engine) -> None:
    seed(store, generated=0)
    j = judge(store)
    repeated = {}
    for case in CASES:
        repeated.setdefault(case["defendant"], set()).add(case["lender"])
    key = max(repeated, key=lambda k: sum(c["defendant"] == k for c in CASES))
    person = PEOPLE[key]
    found = list_cases(store, j, search=person["name"])
    assert len(found) >= 2
    assert len({c.lender for c in found}) >= 2  # the same borrower sued by different lenders
    # the same person: the same ID number in every case (the judge sees it plain on the case page)
    numbers = {p["id_number"] for c in found for p in get_case(store, j, c.id).parties if p["role"] == "被告"}
    assert numbers == {person["id_number"]}


def test_a_lender_lists_only_its_own_lenders_cases(store: Engine) -> None:
    seed(store, generated=10)
    j = judge(store)
    for username, lender in (("bank", BANK), ("xiaofei", CONSUMER_FINANCE)):
        session = sign_in(store, username, PASSWORDS[username])
        own = list_cases(store, session, limit=1000)
        assert own and {c.lender for c in own} == {lender}
        assert {c.id for c in own} == {c.id for c in list_cases(store, j, lender=lender, limit=1000)}
        assert queue_counts(store, session)["total"] == len(own)


def test_seeding_twice_is_a_no_op(store: Engine) -> None:
    first = seed(store, generated=3)
    assert first["already_seeded"] is False

    def sizes() -> tuple[int, int]:
        with store.connect() as conn:
            return (conn.execute(select(func.count()).select_from(users)).scalar_one(),
                    conn.execute(select(func.count()).select_from(cases)).scalar_one())

    before = sizes()
    assert seed(store, generated=3) == {"users": 0, "cases": 0, "already_seeded": True}
    assert sizes() == before == (len(DEMO_USERS), WRITTEN + 3)


def test_the_evidence_cases_show_every_evidence_state(store: Engine) -> None:
    """The evidence demo's four loans (examples/evidence/README.md gives each one's state), filed with their
    files verified against the demo log: the queue shows each state, and only what verified is verified."""
    seed(store, generated=0)
    j = judge(store)
    found = {c.case_number: c for c in list_cases(store, j, limit=1000)}
    states = {}
    for case in EVIDENCE_CASES:
        c = next(c for c in found.values() if get_case(store, j, c.id).inputs.get("case_id") == case["inputs"]["case_id"])
        states[case["folder"]] = c.evidence_state
        record = get_case(store, j, c.id)
        assert record.evidence, case["folder"]
        assert all(e["verified"] == (e["status"] == "anchored") for e in record.evidence)
    # 001 all in order; 002 contract anchored 67 h after signing (late); 003 repayments edited after anchoring;
    # 004 the notice declared, never anchored (unverifiable to the rules), and no identity record
    assert states == {"loan-2024-001": "satisfied", "loan-2024-002": "late", "loan-2024-003": "tampered",
                      "loan-2024-004": "unverifiable"}


# ---------------------------------------------------------------- the generated loans' evidence

#: the generated loans of the evidence tests: enough that round(n × 15 %) = 9 loans have a problem, so that
#: demo_evidence.problems deals each of its four problems out at least twice
GENERATED = 60
#: the published checkpoint of the evidence demo (examples/evidence/build_demo.py wrote it), which the
#: generated loans' log must extend
PUBLISHED = EVIDENCE_DEMO / "checkpoint.txt"


def _generated(store: Engine, evidence_dir: Path) -> list[tuple[object, dict, str | None]]:
    """Each generated case (its 借据号 starts with G-): the queue's row, the stored record and the problem
    the seeding meant it to have (the ``demo_problem`` build wrote beside the declarations)."""
    j = judge(store)
    out = []
    for c in list_cases(store, j, limit=1000):
        record = get_case(store, j, c.id)
        case_id = record.inputs["case_id"]
        if not case_id.startswith("G-"):
            continue
        (folder,) = (evidence_dir / "cases").glob(f"*-{case_id}")
        meant = json.loads((folder / "evidence.json").read_text("utf-8"))["demo_problem"]
        out.append((c, record, meant))
    return out


@pytest.fixture
def seeded(store: Engine, tmp_path: Path) -> tuple[Engine, Path]:
    evidence_dir = tmp_path / "demo-evidence"
    assert seed(store, generated=GENERATED, evidence_dir=evidence_dir)["cases"] == WRITTEN + GENERATED
    return store, evidence_dir


def test_generated_cases_are_filed_with_evidence_verified_against_the_demo_log(seeded) -> None:  # type: ignore[no-untyped-def]
    store, evidence_dir = seeded
    found = _generated(store, evidence_dir)
    assert len(found) == GENERATED
    # the share with every item in order: demo_evidence.CLEAN_SHARE of them, the rest one problem each,
    # every problem dealt out at least once (9 problems, dealt in turn over the four)
    meant = Counter(m for _, _, m in found)
    assert meant[None] == GENERATED - round(GENERATED * (1 - CLEAN_SHARE))
    assert set(meant) - {None} == set(PROBLEMS)

    # the kinds the ruleset's evidence: block requires (rulesets/cn/consumer_loan.rules)
    required = {"identity_verification", "loan_contract", "disbursement_record", "repayment_record", "overdue_notice"}
    for c, record, problem in found:
        kinds = {e["kind"]: e for e in record.evidence}
        anchored = [e for e in record.evidence if e["status"] == "anchored"]
        # verified exactly when the bundle's proof checked against the court's key and the digest matched
        assert all(e["verified"] == (e["status"] == "anchored") for e in record.evidence)
        assert all(e["detail"]["proof"]["log_ok"] for e in anchored), c.case_number
        if problem is None:  # all five filed, anchored and verified; the contract's signature checked
            assert set(kinds) == required and len(anchored) == 5, c.case_number
            contract = kinds["loan_contract"]["detail"]["item"]
            assert contract["signed"] and contract["signer"] == c.lender
            assert c.evidence_state == "satisfied"
            # ready to file, or ready but claiming more than the law allows (the verdict also weighs the claim)
            assert c.verdict in ("ready", "exceeds_limit")
            continue
        assert c.verdict == "needs_correction", (c.case_number, problem)
        if problem == "late":  # anchored and signed, but more than the 24 hours the ruleset allows after signing
            item = kinds["loan_contract"]["detail"]["item"]
            delay = datetime.fromisoformat(item["anchored_at"]) - datetime.fromisoformat(item["signed_at"])
            assert kinds["loan_contract"]["status"] == "anchored" and delay > timedelta(hours=24)
            assert c.evidence_state == "late"
        elif problem == "tampered":  # the proof checks, the file presented is not the one anchored
            assert [e["kind"] for e in record.evidence if e["status"] == "tampered"] in (
                ["repayment_record"], ["disbursement_record"])
            assert c.evidence_state == "tampered"
        elif problem == "declared":  # the notice presented without a bundle: declared only
            assert kinds["overdue_notice"]["status"] == "declared" and not kinds["overdue_notice"]["verified"]
            # to the rules an item filed without its anchoring cannot be verified (as loan-2024-004's notice)
            assert c.evidence_state == "unverifiable"
        else:  # no identity check filed at all
            assert problem == "missing" and "identity_verification" not in kinds
            assert c.evidence_state == "missing"


def test_a_generated_item_verifies_again_from_the_store_with_the_courts_public_key(seeded) -> None:  # type: ignore[no-untyped-def]
    store, evidence_dir = seeded
    # a loan with every item in order and something repaid (so its repayments record has rows to compare)
    c, record, _ = next(f for f in _generated(store, evidence_dir) if f[2] is None and f[1].inputs["repayments"])
    keys = EvidenceKeys(EVIDENCE_DEMO / "court.pub", (EVIDENCE_DEMO / "trust" / "root-ca.pem",))
    contract = next(e for e in record.evidence if e["kind"] == "loan_contract")
    again = verification_report(store, contract, keys)
    v = again.verification
    assert v.log_ok and v.integrity == "ok" and again.pdf.startswith(b"%PDF")
    # the checkpoint is signed by the key of court.pub, and the leaf lies beyond the published demo log
    court = (EVIDENCE_DEMO / "court.pub").read_text("utf-8").strip()
    assert v.origin == court.split("+")[0]
    assert v.leaf_index >= int(PUBLISHED.read_text("utf-8").splitlines()[1])
    assert v.signatures is not None and v.signatures.signed  # the lender's CMS signature, chained to the TEST root
    assert v.record.case == record.inputs["case_id"]  # the log names the contract, never the borrower

    # the files say what the case says: the repayments record lists the case's repayments
    (folder,) = (evidence_dir / "cases").glob(f"*-{record.inputs['case_id']}")
    rows = list(csv.DictReader(io.StringIO((folder / "repayments.csv").read_text("utf-8"))))
    assert [(r["paid_on"], Decimal(r["amount_yuan"])) for r in rows] == [
        (str(p["paid_on"]), Decimal(str(p["amount"]))) for p in record.inputs["repayments"]]  # as stored (JSON)


def test_the_generated_log_extends_the_published_demo_log(seeded) -> None:  # type: ignore[no-untyped-def]
    from ruledsl.store import LogStore
    from ruledsl.store.log import EvidenceLog

    _, evidence_dir = seeded
    logs = LogStore(f"sqlite:///{evidence_dir / 'log.db'}")
    try:
        log = EvidenceLog.open(logs)
        log.prove_extends(PUBLISHED.read_text("utf-8"))  # raises if the demo court had forked its log
        assert log.audit()[1] >= 2  # the published checkpoint and the new one, each consistent with the head
        # every anchored item of every generated case is a leaf: 5 items a loan, less the notices never anchored
        # and the identity checks never filed
        published = int(PUBLISHED.read_text("utf-8").splitlines()[1])
        found = _generated(seeded[0], evidence_dir)
        anchored = sum(1 for _, r, _ in found for e in r.evidence if e["status"] in ("anchored", "tampered"))
        assert log.head()[0] == published + anchored
    finally:
        logs.close()


def test_seeding_with_evidence_twice_is_a_no_op_and_a_foreign_folder_is_refused(store: Engine, tmp_path: Path) -> None:
    foreign = tmp_path / "not-the-demos"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", "utf-8")
    with pytest.raises(RefusedError):
        seed(store, generated=3, evidence_dir=foreign)
    assert (foreign / "notes.txt").read_text("utf-8") == "mine" and len(list(foreign.iterdir())) == 1
    with store.connect() as conn:  # nothing was seeded
        assert conn.execute(select(func.count()).select_from(users)).scalar_one() == 0

    evidence_dir = tmp_path / "demo-evidence"
    assert seed(store, generated=3, evidence_dir=evidence_dir)["already_seeded"] is False
    listing = sorted((p.relative_to(evidence_dir), p.stat().st_mtime_ns) for p in evidence_dir.rglob("*"))
    assert seed(store, generated=3, evidence_dir=evidence_dir) == {"users": 0, "cases": 0, "already_seeded": True}
    assert sorted((p.relative_to(evidence_dir), p.stat().st_mtime_ns) for p in evidence_dir.rglob("*")) == listing
