#!/usr/bin/env python3
"""Build the evidence demo: a court log, four consumer-loan cases, and every evidence state.

    .venv/bin/python examples/evidence/build_demo.py [OUT_DIR]     (default: examples/evidence)

Everything here is TEST data: the court key, the CA, the TSA and the lender's
certificate are derived from fixed seeds and labelled "TEST — NOT FOR PRODUCTION";
the parties are fictitious ("示例…", "借款人甲").  Keys are deterministic, records carry fixed
times, ECDSA and Ed25519 signatures are deterministic, so rebuilding gives the same log
(same leaves, same roots, same signed checkpoint) and the same verification states; only
PDF bytes may differ between weasyprint/pyhanko versions (and so their digests).

What it writes (OUT_DIR):

    court.pub                 the demo court's log verifier key (origin demo.court.example/evidence)
    witness.pub               a demo witness (a notary) that cosigned the checkpoint
    trust/root-ca.pem         the TEST root CA: the trust store for signatures and timestamps
    demo.db                   the court's evidence log (SQLite)
    checkpoint.txt            the latest signed checkpoint, cosigned by the witness
    cases/<case>/             one directory per case: evidence files, bundles (*.bundle.zip),
                              timestamp tokens (*.tsr), and evidence.json — the case's
                              declaration of its evidence files (see ruledsl.evidence.facts)
    demo.rules                the evidence guideline the demo is judged against
    filings.csv               a lender's batch for `ruledsl precheck` (rulesets/cn/consumer_loan.rules):
                              the four cases as filing rows, their evidence_files from cases/, a row with
                              an impossible date and one for another court (README, "Pre-checking filings")

The intended states (checked by tests/evidence/test_demo.py):

    loan-2024-001  every item anchored in time, contract signed and timestamped  → all satisfied
    loan-2024-002  contract anchored 67 hours after signing                      → loan_contract late
    loan-2024-003  repayment record edited after anchoring                      → repayment_record tampered
    loan-2024-004  overdue notice declared but never anchored                   → overdue_notice unverifiable
                   no identity verification record                              → identity_verification missing
"""

from __future__ import annotations

import csv as csv_module
import hashlib
import json
import shutil
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ruledsl.evidence.note import ALG_COSIGNATURE_V1, ALG_ED25519, Signer, key_hash  # noqa: E402
from ruledsl.evidence.pki import make_test_pki  # noqa: E402
from ruledsl.evidence.signing import sign_detached_cms, sign_pdf  # noqa: E402
from ruledsl.evidence.tsa import issue_timestamp  # noqa: E402
from ruledsl.evidence.witness import Witness  # noqa: E402
from ruledsl.store import LogStore  # noqa: E402
from ruledsl.store.log import EvidenceLog  # noqa: E402

CST = timezone(timedelta(hours=8))
SEED = "ruledsl-evidence-demo-v1"
ORIGIN = "demo.court.example/evidence"
LENDER = "示例网络小额贷款有限公司"
LENDER_CODE = "91110000DEMO00001X"  # a made-up unified social credit code (the submitter id)

RULES = """\
# The evidence guideline the demo cases are judged against (a demonstration, not a court's text).
ruleset demo.evidence version "1" effective 2020-01-01
  jurisdiction "CN"

source G = "示例：网络消费借款案件证据存证指引（演示）"

input:
  principal: money min 0

evidence:
  require "identity_verification" anchored
    otherwise "缺少借款人身份核验记录" per G
  require "loan_contract" signed anchored within 24 hours of signed_at
    otherwise "借款合同须经电子签名并在签署后24小时内存证" per G
  require "disbursement_record" anchored
    otherwise "缺少经存证的放款记录" per G
  require "repayment_record" anchored
    otherwise "缺少经存证的还款记录" per G
  require "overdue_notice" anchored
    otherwise "缺少经存证的逾期催收通知" per G

route:
  stage "立案审查" when evidence complete per G
  stage "补正证据" otherwise
"""


def t(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=CST)


def seeded_signer(name: str, label: str, alg: int = ALG_ED25519) -> Signer:
    seed = hashlib.sha256(f"{SEED}:{label}".encode()).digest()
    s = Signer(name, 0, alg, seed)
    return Signer(name, key_hash(name, bytes([alg]) + s.public), alg, seed)


PAGE_CSS = """
@page { size: A4; margin: 20mm; }
body { font-family: "Noto Sans CJK SC", sans-serif; font-size: 11pt; line-height: 1.7; }
h1 { text-align: center; font-weight: normal; font-size: 18pt; }
.test { color: #c00; text-align: center; }
"""


def pdf(title: str, paragraphs: list[str]) -> bytes:
    import weasyprint

    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (f"<html lang='zh-CN'><head><meta charset='utf-8'><title>{title}</title><style>{PAGE_CSS}</style>"
            f"</head><body><p class='test'>演示数据 TEST — NOT FOR PRODUCTION</p><h1>{title}</h1>{body}</body></html>")
    return weasyprint.HTML(string=html).write_pdf()


def contract(case: str, amount: str, rate: str, signed: datetime) -> bytes:
    return pdf("个人消费借款合同", [
        f"合同编号：{case}-C",
        f"出借人：{LENDER}（演示）",
        "借款人：借款人甲（演示，非真实人员）",
        f"借款金额：人民币 {amount} 元；年利率：{rate}；借款期限：12 个月，按月等额本息还款。",
        "逾期未还的，出借人有权自逾期之日起按合同约定计收逾期利息，并通过短信、电子邮件发送催收通知。",
        f"本合同以电子签名方式于 {signed:%Y年%m月%d日 %H:%M} 签署，签署后由出借人提交法院电子证据平台存证。",
    ])


def notice(case: str, amount: str, when: datetime) -> bytes:
    """The overdue notice as sent (an SMS/e-mail record, UTF-8 text)."""
    return "\n".join([
        "演示数据 TEST — NOT FOR PRODUCTION",
        "逾期还款催收通知",
        f"发送时间：{when.isoformat()}　渠道：短信、电子邮件",
        f"合同编号：{case}-C",
        "借款人甲：",
        f"截至 {when:%Y年%m月%d日}，您尚有逾期本息合计人民币 {amount} 元未归还，请于七日内还清。",
        f"{LENDER}（演示）",
        "",
    ]).encode("utf-8")


def csv(rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in rows) + "\n").encode("utf-8")


def filings(path: Path, declared: dict[str, list[dict]], specs: list[tuple]) -> None:
    """A batch filing of the demo loans as a lender's risk team writes it: Chinese headings, one row a
    loan (one instalment: principal and a year's interest due a year after signing), the evidence files
    by path from the sheet's folder; L-2024-001 claims more penalty interest than the law allows."""
    head = ["借据号", "借款本金", "借款年利率", "放款日", "还款计划", "起诉日", "诉前调解不成或者当事人拒绝调解",
            "贷款人诉请金额", "本院有管辖权", "证据文件"]
    rows = []
    for case, amount, rate, signed, _ in specs:
        files = [{k: (f"cases/{case}/{v}" if k in ("file", "bundle", "signature") else v) for k, v in d.items()}
                 for d in declared[case]]
        start = signed.date()
        due = start.replace(year=start.year + 1)
        interest = f"{Decimal(amount) * Decimal(rate.rstrip('%')) / 100:.2f}"  # a year at the contract rate
        claim = ""
        if case == "loan-2024-001":  # the penalty claimed is more than 20,000 × 27% × 184 / 365 = 2,722.19
            claim = json.dumps({"principal_outstanding": amount, "interest": interest, "penalty_interest": "4000.00",
                                "compound_interest": "0.00", "fees": "0.00"})
        schedule = json.dumps([{"due_on": due.isoformat(), "principal": amount, "interest": interest}])
        rows.append(["L-" + case.removeprefix("loan-"), amount, rate, start.isoformat(), schedule, "2025-09-01", "是",
                     claim, "", json.dumps(files, ensure_ascii=False)])
    schedule = json.dumps([{"due_on": "2025-02-28", "principal": "12000.00", "interest": "1440.00"}])
    rows.append(["L-2024-005", "12000.00", "12%", "2024-02-30", schedule, "2025-09-01", "是", "", "", ""])  # a typo
    schedule = json.dumps([{"due_on": "2025-07-01", "principal": "5000.00", "interest": "600.00"}])
    rows.append(["L-2024-006", "5000.00", "12%", "2024-07-01", schedule, "2025-09-01", "是", "", "否", ""])
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv_module.writer(f, lineterminator="\n")
        writer.writerow(head)
        writer.writerows(rows)


def main(out: Path) -> None:
    pki = make_test_pki(SEED)
    lender = pki.issue_signer(LENDER, "演示出借机构")
    tsa_chain = pki.chain
    court = seeded_signer(ORIGIN, "court")
    notary = seeded_signer("demo.notary.example/witness", "witness", ALG_COSIGNATURE_V1)

    cases_dir = out / "cases"
    if cases_dir.exists():
        shutil.rmtree(cases_dir)
    for name in ("demo.db", "demo.db-wal", "demo.db-shm"):
        (out / name).unlink(missing_ok=True)
    (out / "trust").mkdir(parents=True, exist_ok=True)
    (out / "trust" / "root-ca.pem").write_bytes(pki.root.cert_pem())
    (out / "court.pub").write_text(court.verifier().encode() + "\n")
    (out / "witness.pub").write_text(notary.verifier().encode() + "\n")
    (out / "demo.rules").write_text(RULES, "utf-8")

    store = LogStore(f"sqlite:///{out / 'demo.db'}")
    log = EvidenceLog.create(store, court.verifier().encode())

    # ---------------------------------------------------------------- the cases
    # each entry: (kind, file name, bytes, anchored at or None, extra declaration keys, timestamp?, cms?)
    cases: dict[str, list[dict]] = {}

    def item(case, kind, name, data, anchored, *, signed_at=None, tsa_at=None, cms_at=None):  # type: ignore[no-untyped-def]
        cases.setdefault(case, []).append(dict(kind=kind, name=name, data=data, anchored=anchored,
                                               signed_at=signed_at, tsa_at=tsa_at, cms_at=cms_at))

    specs = [
        # case, amount, rate, contract signed, contract anchored
        ("loan-2024-001", "20000.00", "18%", t("2024-03-01T10:00:00"), t("2024-03-01T10:20:00")),
        ("loan-2024-002", "15000.00", "21%", t("2024-04-02T14:00:00"), t("2024-04-05T09:00:00")),  # 67 h: late
        ("loan-2024-003", "30000.00", "15.4%", t("2024-05-06T09:30:00"), t("2024-05-06T09:45:00")),
        ("loan-2024-004", "8000.00", "24%", t("2024-06-10T16:00:00"), t("2024-06-10T16:05:00")),
    ]
    for case, amount, rate, signed, anchored in specs:
        c = sign_pdf(contract(case, amount, rate, signed), lender, pki.chain, signing_time=signed,
                     reason="借款合同电子签署", location="演示")
        if case != "loan-2024-004":
            idv = json.dumps({"case": case, "method": "实名认证+人脸识别（演示）", "result": "通过",
                              "verified_at": (signed - timedelta(minutes=15)).isoformat()},
                             ensure_ascii=False, indent=1).encode() + b"\n"
            item(case, "identity_verification", "identity_check.json", idv, signed - timedelta(minutes=10))
        item(case, "loan_contract", "contract.pdf", c, anchored, signed_at=signed,
             tsa_at=anchored - timedelta(minutes=5))
        paid = signed + timedelta(hours=2)
        item(case, "disbursement_record", "disbursement.csv",
             csv([["contract", "paid_at", "amount_yuan", "channel"], [f"{case}-C", paid.isoformat(), amount, "银行转账"]]),
             paid + timedelta(minutes=30))
        repay_rows = [["contract", "paid_on", "amount_yuan"]] + [
            [f"{case}-C", (signed + timedelta(days=30 * k)).date().isoformat(), "1833.50"] for k in (1, 2, 3)]
        repay_at = signed + timedelta(days=95)
        item(case, "repayment_record", "repayments.csv", csv(repay_rows), repay_at, cms_at=repay_at - timedelta(hours=1))
        notice_at = signed + timedelta(days=130)
        item(case, "overdue_notice", "overdue_notice.txt", notice(case, amount, notice_at),
             None if case == "loan-2024-004" else notice_at + timedelta(hours=1))

    # ---------------------------------------------------------------- anchor (in time order, one log)
    everything = sorted(((i["anchored"], case, i) for case, items in cases.items() for i in items
                         if i["anchored"] is not None), key=lambda x: (x[0], x[1], x[2]["kind"]))
    case_dirs = {case: cases_dir / case for case in cases}
    for d in case_dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    for case, items in cases.items():
        for i in items:
            (case_dirs[case] / i["name"]).write_bytes(i["data"])
            if i["cms_at"] is not None:
                sig = sign_detached_cms(i["data"], lender, pki.chain, signing_time=i["cms_at"])
                (case_dirs[case] / (i["name"] + ".p7s")).write_bytes(sig)
            if i["tsa_at"] is not None:
                token = issue_timestamp(pki.tsa, hashlib.sha256(i["data"]).digest(), chain=tsa_chain,
                                        gen_time=i["tsa_at"])
                i["token"] = token
                (case_dirs[case] / (i["name"] + ".tsr")).write_bytes(token)
    midway = len(everything) // 2
    witness = Witness(notary, {ORIGIN: court.verifier()}, out / ".witness-state.json")
    court_state = out / ".court-state.json"  # the court signer's record of its last checkpoint (not kept)
    for state in (out / ".witness-state.json", court_state):
        state.unlink(missing_ok=True)
    for n, (when, case, i) in enumerate(everything):
        path = case_dirs[case] / i["name"]
        rec = log.record_for_file(path, i["kind"], case, LENDER_CODE, when, i.get("token"))
        first, _, _ = log.append([rec])
        i["index"] = first
        if n + 1 == midway:  # an earlier checkpoint, cosigned, so the witness later checks consistency
            witness.cosign(log.sign_checkpoint(court, court_state), timestamp=int(when.timestamp()))
    size0 = witness.last(ORIGIN)[0]
    note = log.sign_checkpoint(court, court_state)
    proof = store.consistency_proof(log.info, size0, log.head()[0])
    cosigned = witness.cosign(note, proof, timestamp=int(everything[-1][0].timestamp()) + 3600)
    for state in (out / ".witness-state.json", court_state, out / ".court-state.json.lock"):
        state.unlink(missing_ok=True)
    (out / "checkpoint.txt").write_text(cosigned, "utf-8")

    # ---------------------------------------------------------------- bundles, tampering, declarations
    declared: dict[str, list[dict]] = {}
    for case, items in cases.items():
        d = case_dirs[case]
        decls = declared[case] = []
        for i in items:
            decl: dict = {"kind": i["kind"], "file": i["name"]}
            if "index" in i:
                bundle = log.bundle(i["index"], None, i.get("token"), checkpoint=cosigned)
                decl["bundle"] = i["name"] + ".bundle.zip"
                (d / decl["bundle"]).write_bytes(bundle)
            if i["signed_at"] is not None:
                decl["signed_at"] = i["signed_at"].isoformat()
            if i["cms_at"] is not None:
                decl["signature"] = i["name"] + ".p7s"
            decls.append(decl)
        if case == "loan-2024-003":  # the lender "corrects" a repayment after anchoring
            p = d / "repayments.csv"
            p.write_bytes(p.read_bytes().replace(b"1833.50\n", b"3833.50\n", 1))
        (d / "evidence.json").write_text(json.dumps(
            {"case": case, "principal": next(s[1] for s in specs if s[0] == case), "evidence_files": decls},
            ensure_ascii=False, indent=1) + "\n", "utf-8")
    filings(out / "filings.csv", declared, specs)
    store.close()
    print(f"demo log {ORIGIN}: {log.head()[0]} leaves in {out / 'demo.db'}; cases in {cases_dir}")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path(__file__).resolve().parent)
