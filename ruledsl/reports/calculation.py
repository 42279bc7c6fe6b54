"""The calculation sheet (裁判金额计算书): a decided case's tables as a PDF a judge can file or hand out.

The same tables ``ruledsl explain`` prints and the judge assistant shows
(:func:`ruledsl.reports.sheet.case_sheet`): the award lines with their law, every
ledger's segments, caps and repayments, the evidence findings and the facts.
"""

from __future__ import annotations

from pathlib import Path

from ruledsl.reports.render import css, environment, html_to_pdf, write_pdf
from ruledsl.reports.sheet import CLAIM_AMOUNTS, CLAIM_COLUMNS, COLUMNS, CaseSheet


def render_calculation_html(sheet: CaseSheet) -> str:
    return environment().get_template("calculation.html").render(sheet=sheet, COLUMNS=COLUMNS, CLAIM_COLUMNS=CLAIM_COLUMNS,
                                                                   CLAIM_AMOUNTS=CLAIM_AMOUNTS, css=css())


def render_calculation_pdf(sheet: CaseSheet) -> bytes:
    return html_to_pdf(render_calculation_html(sheet))


def write_calculation_sheet(sheet: CaseSheet, path: str | Path) -> Path:
    return write_pdf(render_calculation_pdf(sheet), path)
