"""Reports: a decided case as tables, and the documents a court or a notary hands out (PDF).

* :mod:`~ruledsl.reports.sheet` — a :class:`~ruledsl.ruleset.Decision` as plain tables (the explain
  stage shared by ``ruledsl explain`` and the judge assistant)
* :mod:`~ruledsl.reports.calculation` — the calculation sheet (裁判金额计算书)
* :mod:`~ruledsl.reports.verification` — the evidence verification report, in the spirit of a 数字签名验证意见书
* :mod:`~ruledsl.reports.render` — Jinja templates → PDF (weasyprint, Noto CJK fonts)

Imports: core, runtime, evidence and the compiled-ruleset API; nothing above.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ruledsl.reports.verification import render_html, render_pdf, write_verification_report

__all__ = ["render_html", "render_pdf", "write_verification_report"]


def __getattr__(name: str) -> Any:
    # the verification report needs the whole evidence stack; importing ``reports.sheet`` (the
    # explain tables every ``ruledsl eval`` prints) must not load it
    if name in __all__:
        from ruledsl.reports import verification

        return getattr(verification, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
