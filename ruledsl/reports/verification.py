"""The evidence verification report (电子证据核验报告): HTML from a template, PDF by weasyprint.

The report states what was verified and how, in the order a reader checks it:
the evidence and its digest, the log record and inclusion proof, the signed
checkpoint and its signers, the file's integrity, the trusted timestamp, the
document signatures, and a plain conclusion.  Labels are Chinese with English
beside them; findings are the verifier's own sentences.  Fonts: Noto Sans/Serif
CJK (Debian ``fonts-noto-cjk``), embedded as subsets so the PDF reads anywhere.

The report number is derived from what was verified (leaf hash, file digest,
check time), so two reports of the same check carry the same number.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ruledsl.core.errors import ReportError
from ruledsl.evidence.findings import FAILED, OK, WARNING
from ruledsl.evidence.verify import EvidenceVerification
from ruledsl.reports.render import css, environment, html_to_pdf, write_pdf

__all__ = ["ReportError", "render_html", "render_pdf", "write_verification_report"]
STATUS_ZH = {OK: "通过", WARNING: "需注意", FAILED: "未通过"}
STATUS_EN = {OK: "passed", WARNING: "attention", FAILED: "failed"}
KINDS_ZH = {
    "loan_contract": "借款合同", "disbursement_record": "放款记录", "repayment_record": "还款记录",
    "overdue_notice": "逾期催收通知", "identity_verification": "身份核验记录", "guarantee_contract": "担保合同",
}


def report_number(v: EvidenceVerification) -> str:
    basis = f"{v.leaf_hash}|{v.file_digest}|{v.checked_at.isoformat()}|{v.bundle_name}".encode()
    return "EVR-" + v.checked_at.strftime("%Y%m%d") + "-" + hashlib.sha256(basis).hexdigest()[:10].upper()


def _uses_test_pki(v: EvidenceVerification) -> bool:
    if v.timestamp is not None and v.timestamp.test_tsa:
        return True
    return v.signatures is not None and any(s.test_certificate for s in v.signatures.signatures)


def render_html(v: EvidenceVerification) -> str:
    status, zh, en = v.conclusion
    ctx = {
        "v": v,
        "rec": v.record,
        "kind_zh": KINDS_ZH.get(v.record.kind, "") if v.record else "",
        "number": report_number(v),
        "status": status,
        "status_zh": STATUS_ZH[status],
        "status_en": STATUS_EN[status],
        "conclusion_zh": zh,
        "conclusion_en": en,
        "STATUS_ZH": STATUS_ZH,
        "STATUS_EN": STATUS_EN,
        "test_pki": _uses_test_pki(v),
        "css": css(),
    }
    return environment().get_template("verification.html").render(**ctx)


def render_pdf(v: EvidenceVerification) -> bytes:
    return html_to_pdf(render_html(v))


def write_verification_report(v: EvidenceVerification, path: str | Path) -> Path:
    return write_pdf(render_pdf(v), path)
