"""示例案件 — the shipped example case files, decided (a page of the judge assistant, assistant_ui/app.py).

    streamlit run assistant_ui/examples.py   # this page alone, without the case store

A judge picks a case file; the page shows the award with the law behind each figure, the
evidence findings (verified against the court's evidence log, SQLite by default), the
calculation sheet of every loan ledger, the facts the case gave and each rule step.
Everything shown comes from ruledsl APIs (:mod:`ruledsl.review` decides,
:mod:`ruledsl.reports.sheet` lays out); this file only renders.
"""

from __future__ import annotations

import html
import logging

import pandas as pd
import streamlit as st

from ruledsl.core.errors import RulesError
from ruledsl.core.money import yuan
from ruledsl.reports.calculation import render_calculation_pdf
from ruledsl.reports.sheet import CLAIM_COLUMNS, COLUMNS, CaseSheet, case_sheet
from ruledsl.review import (
    DEMO_EVIDENCE,
    decide_case,
    decide_upload,
    evidence_log_summary,
    example_cases,
)

LOG = logging.getLogger("ruledsl.assistant")
STATUS = {"satisfied": "✅ 符合 satisfied", "declared": "🟡 仅声明，未核验 declared, not verified",
          "missing": "❌ 缺失 missing", "unsigned": "❌ 未签名 unsigned",
          "late": "❌ 存证超时 late", "early": "❌ 存证过早 early", "tampered": "❌ 被篡改 tampered", "unverifiable": "❌ 无法核验 unverifiable",
          "warning": "⚠️ 提示 warning"}


_MARKDOWN = str.maketrans({ch: "\\" + ch for ch in "\\`*_{}[]()#+-.!|<>~$:"})


def literal(text: str) -> str:
    """Text a party wrote (a case title) for a Streamlit label that renders Markdown: shown as typed —
    no links, images, emphasis, emoji codes or colours."""
    return text.translate(_MARKDOWN)


def table(rows: list[dict], columns: tuple[str, ...]) -> None:
    """Rows of a case sheet under their Chinese / English headings (nothing when there are none)."""
    if not rows:
        return
    frame = pd.DataFrame([{COLUMNS.get(c, c): row[c] for c in columns} for row in rows])
    st.dataframe(frame, hide_index=True, width="stretch")


def show(sheet: CaseSheet, pdf: bytes | str) -> None:
    st.html(f"<h2>{html.escape(sheet.title)}</h2>")  # a party's title: text, never Markdown (no autolinks)
    route = f" · 程序 route: **{sheet.route}**" if sheet.route else ""
    st.caption(f"规则集 ruleset {sheet.ruleset} {sheet.version}{route}")
    if sheet.evidence:
        if sheet.evidence_complete:
            st.success("证据齐全 evidence complete")
        else:
            st.error("证据不齐或未通过核验 evidence incomplete — see 证据 evidence")
    award, evidence, calculation, parties, facts, steps = st.tabs(
        ["裁判金额 award", "证据 evidence", "计算明细 calculation", "当事人 parties", "案件事实 facts", "推理过程 steps"])
    with award:
        if not sheet.awards:
            st.info("本规则集无裁判金额 this ruleset decides no amounts")
        if sheet.total is not None:
            st.metric("合计 total (元)", yuan(sheet.total))
        table(sheet.awards, ("name", "label", "figure", "law"))
        if sheet.claim:
            st.markdown("**诉请与判决对照（不超出诉讼请求）** claimed, allowed by law, awarded")
            table(sheet.claim, CLAIM_COLUMNS)
        if isinstance(pdf, bytes):
            st.download_button("下载裁判金额计算书 PDF · calculation sheet", pdf, file_name=f"{sheet.title[:40]}.pdf",
                               mime="application/pdf")
        else:
            st.caption(literal(pdf))
    with evidence:
        if not sheet.evidence:
            st.info("本规则集无证据规则 this ruleset has no evidence rules")
        else:
            table([{**r, "status": STATUS.get(r["status"], r["status"])} for r in sheet.evidence],
                  ("kind", "status", "reason", "law"))
        log = evidence_log_summary()
        if log:
            st.caption("存证平台 evidence log (SQLite): " + " · ".join(f"{k} {v}" for k, v in log.items()))
    with calculation:
        if not sheet.ledgers:
            st.info("本案无借贷台账 no loan ledger in this case")
        for ledger in sheet.ledgers:
            st.subheader(f"{ledger.name} — 分段计息 segments")
            table(ledger.segments, ("component", "#", "start", "end", "days", "base", "rate", "basis", "amount",
                                    "rule", "law"))
            if ledger.cuts:
                st.subheader("限额调减 caps")
                table(ledger.cuts, ("cap", "start", "end", "days", "accrued", "allowed", "removed", "law"))
            if ledger.allocations:
                st.subheader("还款冲抵 repayments")
                table(ledger.allocations, ("paid_on", "amount", "applied_to", "law"))
            for note in ledger.notes:
                st.caption(literal(note))
    with parties:
        if not sheet.parties:
            st.info("案件文件未列当事人 the case file lists no parties")
        table(sheet.parties, ("role", "party", "party_kind", "id", "address", "note"))
    with facts:
        table(sheet.facts, ("name", "label", "value"))
    with steps:
        table(sheet.steps, ("rule", "line", "from", "value", "law"))


@st.cache_data(show_spinner="生成计算书 rendering the calculation sheet…")
def pdf_of(source: tuple) -> bytes | str:
    """The calculation sheet of a case (see :func:`sheet_of`) as PDF bytes, or why it cannot be made."""
    sheet = sheet_of(source)
    if isinstance(sheet, str):
        return sheet
    try:
        return render_calculation_pdf(sheet)
    except RulesError as exc:
        return str(exc)


@st.cache_data(show_spinner="裁判计算中 deciding…")
def sheet_of(source: tuple) -> CaseSheet | str:
    """``("example", index)`` or ``("upload", name, bytes)`` decided and laid out, or the located error."""
    try:
        if source[0] == "upload":
            case, ruleset, decision = decide_upload(source[2], source[1], DEMO_EVIDENCE)
        else:
            case = example_cases()[source[1]]
            ruleset, decision = decide_case(case, DEMO_EVIDENCE)
    except RulesError as exc:
        return str(exc)
    except Exception as exc:  # a bug, not the case's fault: the judge gets a clean message, the log the trace
        LOG.exception("deciding %s failed", source[:2])
        return f"内部错误，本案未能处理 internal error: this case could not be processed ({type(exc).__name__})"
    return case_sheet(ruleset, decision, case.title, case.parties)


def main() -> None:
    cases = example_cases()
    with st.sidebar:
        st.title("裁判辅助")
        st.caption("小额金融借款纠纷 · judge assistant")
        upload = st.file_uploader("上传案件 open a case file (JSON)", type=["json"], key="upload",
                                  help='{"title": …, "ruleset": "rulesets/cn/….rules", "case": {…}, "parties": […]}')
        # the shipped examples only (an upload is never listed here)
        index = st.radio("案件 cases", range(len(cases)), format_func=lambda i: cases[i].title, key="case",
                         disabled=upload is not None)
    source = ("upload", upload.name, upload.getvalue()) if upload is not None else ("example", index)
    sheet = sheet_of(source)
    if isinstance(sheet, str):
        st.error("本案无法裁判计算 this case cannot be decided")
        st.code(sheet, language=None)  # the located diagnostics, carets and all, as plain text
        return
    show(sheet, pdf_of(source))


main()
