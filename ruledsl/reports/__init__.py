"""Reports: documents a court or a notary hands out — the evidence verification report (PDF).

:func:`write_verification_report` turns an
:class:`~ruledsl.evidence.verify.EvidenceVerification` into a PDF in the spirit of a
数字签名验证意见书 (HTML template + CSS, rendered by weasyprint with Noto CJK fonts).
"""

from ruledsl.reports.verification import render_html, render_pdf, write_verification_report

__all__ = ["render_html", "render_pdf", "write_verification_report"]
