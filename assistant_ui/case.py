"""案件 — one case: the award line by line (claimed | allowed | awarded | difference, with the law), the
evidence findings, the parties, what-if, the judge's decision and the judgment draft."""

from __future__ import annotations

import os
from datetime import date

import pandas as pd
import streamlit as st
from common import amount, signed_in, store

from ruledsl.core.errors import AccessDenied, RulesError
from ruledsl.reports.judgment import render_judgment_pdf
from ruledsl.service import WhatIf, case_award, get_case, judgment_of, save_decision, what_if
from ruledsl.service.decide import EVIDENCE_STATE_LABELS, REDUCTION, REPAYMENTS

#: the court named on a judgment draft
COURT = os.environ.get("RULEDSL_COURT", "某某市某某区人民法院")

session = signed_in()
if session is None:
    st.stop()
case_id = st.session_state.get("case_id")
if case_id is None:
    st.info("请先在案件队列中选择案件 pick a case in the queue")
    st.stop()
# opened once per choice (each opening is a 'view' in the audit log), not on every widget change
if st.session_state.get("record_of") != (case_id, session.token):
    try:
        st.session_state["record"] = get_case(store(), session, case_id)
    except (AccessDenied, RulesError) as exc:
        st.error(str(exc))
        st.stop()
    st.session_state["record_of"] = (case_id, session.token)
record = st.session_state["record"]

st.title(record.case_number)
ref = record.ruleset
st.caption(f"放贷机构 {record.lender} · 阶段 {record.stage} · 规则集 {ref.id} {ref.version} · SHA-256 {ref.sha256[:16]}…"
           " · 规则集未签名（签名发布尚未实现）")

try:
    base = case_award(record)
except RulesError as exc:
    st.error("本案无法裁判计算 this case cannot be decided")
    st.code(str(exc), language=None)
    st.stop()

inputs = record.inputs
with st.expander("假设分析 what-if（不保存，直至保存裁判）", expanded=False):
    columns = st.columns(2)
    reduction = None
    if REDUCTION in base.decision.values:
        asked = bool(inputs.get(REDUCTION))
        granted = columns[0].checkbox("准许调减（超过年利率24%的部分）", value=asked, key="w_reduction")
        reduction = None if granted == asked else granted
    until = base.decision.values.get("calc_until")
    moved = columns[1].date_input("计算截止日", value=until, key="w_until") if isinstance(until, date) else None
    paid = list(inputs.get(REPAYMENTS) or [])
    excluded = st.multiselect("不计入的还款", range(len(paid)), key="w_excluded", placeholder="请选择",
                              format_func=lambda i: f"{paid[i]['paid_on']} {paid[i]['amount']} 元") if paid else []
    verified = [i for i, e in enumerate(record.evidence) if e["verified"]]
    rejected = st.multiselect("不予采信的证据", verified, key="w_rejected", placeholder="请选择",
                              format_func=lambda i: f"{record.evidence[i]['kind']} {record.evidence[i]['file'] or ''}"
                              ) if verified else []
    if not paid and not verified:
        st.caption("本案无还款记录，也无经核验的证据可供排除")
changes = WhatIf(reduction=reduction, calc_until=moved if moved != until else None,
                 excluded_repayments=frozenset(excluded), rejected_evidence=frozenset(rejected))
award, delta = what_if(record, changes, before=base) if changes else (base, [])

if not award.evidence_complete:
    st.error("证据不齐或未通过核验")
st.markdown(f"**程序** {award.route or '—'}")

rows = []
for line in award.every_line:
    rows.append({"项目": line.label, "诉请（元）": amount(line.claimed), "依法可支持（元）": amount(line.allowed),
                 "判决（元）": amount(line.awarded), "差额（元）": amount(line.difference),
                 "法律依据": line.law.replace("\n", "；")})
st.subheader("裁判金额")
# a table, not a data grid: the law of each line wraps and is read whole, never clipped to one line
st.table(pd.DataFrame(rows).set_index("项目"))
if award.total is not None:
    st.metric("合计（元）", amount(award.total.awarded))
if delta:
    st.subheader("假设分析与原案对照")
    st.table(pd.DataFrame([{"项目": c.label, "原判（元）": amount(c.before), "假设（元）": amount(c.after),
                            "变化（元）": amount(c.delta)} for c in delta]).set_index("项目"))

st.subheader("证据")
status = {**EVIDENCE_STATE_LABELS, "satisfied": "符合"}
if award.decision.evidence:
    st.table(pd.DataFrame([{"证据": r.kind, "状态": status.get(r.status, r.status), "说明": r.explanation,
                            "法律依据": "；".join(r.citations)} for r in award.decision.evidence]).set_index("证据"))

st.subheader("当事人")
st.table(pd.DataFrame([{"诉讼地位": p["role"], "名称": p["name"], "证件号码": p.get("id_number") or "—",
                        "电话": p.get("phone") or "—"} for p in record.parties]).set_index("诉讼地位"))

left, right = st.columns(2)
if left.button("生成判决主文草稿 PDF", key="draft"):
    st.session_state["draft_pdf"] = (case_id, render_judgment_pdf(judgment_of(record, award, COURT)))
draft = st.session_state.get("draft_pdf")
if draft and draft[0] == case_id:
    left.download_button("下载判决主文草稿", draft[1], file_name=f"判决主文草稿-{record.case_number}.pdf",
                         mime="application/pdf", key="draft_download")
if session.role == "judge" and right.button("保存裁判", key="decide", type="primary"):
    decision_id = save_decision(store(), session, case_id, changes)
    st.session_state.pop("record_of", None)
    st.success(f"已保存裁判（第 {decision_id} 号）")
if record.decisions:
    st.caption(f"已保存的裁判 {len(record.decisions)} 件，最近一次 {record.decisions[-1]['decided_at']:%Y-%m-%d %H:%M} UTC")
