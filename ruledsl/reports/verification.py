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
from datetime import UTC
from pathlib import Path

from ruledsl.evidence.errors import EvidenceError
from ruledsl.evidence.findings import FAILED, OK, WARNING
from ruledsl.evidence.verify import EvidenceVerification

TEMPLATES = Path(__file__).parent / "templates"
STATUS_ZH = {OK: "通过", WARNING: "需注意", FAILED: "未通过"}
STATUS_EN = {OK: "passed", WARNING: "attention", FAILED: "failed"}
KINDS_ZH = {
    "loan_contract": "借款合同", "disbursement_record": "放款记录", "repayment_record": "还款记录",
    "overdue_notice": "逾期催收通知", "identity_verification": "身份核验记录", "guarantee_contract": "担保合同",
}


class ReportError(EvidenceError):
    kind = "report error"


def _env():  # type: ignore[no-untyped-def]
    try:
        import jinja2
    except ModuleNotFoundError as exc:
        raise ReportError.of("reports need the `pdf` extra", hint="pip install 'ruledsl[pdf]'") from exc
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["utc"] = lambda t: t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if t else "—"
    return env


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
        "css": (TEMPLATES / "report.css").read_text("utf-8"),
    }
    return _env().get_template("verification.html").render(**ctx)


def render_pdf(v: EvidenceVerification) -> bytes:
    try:
        import weasyprint
    except (ModuleNotFoundError, OSError) as exc:  # OSError: pango missing (scripts/sysdeps.sh installs it)
        raise ReportError.of(f"cannot load weasyprint: {exc}",
                             hint="pip install 'ruledsl[pdf]' and the Debian pango libraries") from exc
    html = weasyprint.HTML(string=render_html(v), base_url=str(TEMPLATES))
    return html.write_pdf()


def write_verification_report(v: EvidenceVerification, path: str | Path) -> Path:
    p = Path(path)
    data = render_pdf(v)
    try:
        p.write_bytes(data)
    except OSError as exc:
        raise ReportError.of(f"cannot write the report to {p}: {exc.strerror}") from None
    return p
