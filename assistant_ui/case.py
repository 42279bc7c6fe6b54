"""案件 — one case: the award line by line (claimed | allowed | awarded | difference, with the law), the
evidence (each requirement, its items with their badges, a timeline, the proof and its report), the
calculation, the parties, what-if, the judge's decision and the judgment draft."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st
from calculation_tab import show_calculation, show_debt_growth
from common import COURT, amount, badges_html, chosen_case, evidence_keys, store

from ruledsl.core.errors import AccessDenied, EvidenceError, RulesError
from ruledsl.reports.judgment import render_judgment_pdf
from ruledsl.service import WhatIf, case_award, get_case, judgment_of, save_decision, what_if
from ruledsl.service.decide import REDUCTION, REPAYMENTS
from ruledsl.service.evidence import (
    ITEM_STATUS_LABELS,
    KIND_LABELS,
    LANES,
    evidence_view,
    overdue_from,
    timeline,
    verification_report,
)
from ruledsl.service.exports import next_undecided

session, case_id = chosen_case()
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
try:
    base = case_award(record)
except RulesError as exc:
    st.error("本案无法裁判计算 this case cannot be decided")
    st.code(str(exc), language=None)
    st.stop()
ref = record.ruleset
st.caption(f"放贷机构 {record.lender} · 阶段 {record.stage} · 适用规则集 {ref.id} 第 {ref.version} 版"
           + (f"（{base.effective:%Y-%m-%d} 起施行）" if base.effective and base.effective != date.min else "")
           + f" · SHA-256 {ref.sha256[:16]}… · 签名状态：未签名（规则集签名发布尚未实现）")

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
    rejected = st.multiselect(
        "不予采信的证据", verified, key="w_rejected", placeholder="请选择",
        format_func=lambda i: f"{KIND_LABELS.get(record.evidence[i]['kind'], record.evidence[i]['kind'])} "
                              f"{record.evidence[i]['file'] or ''}") if verified else []
    if not paid and not verified:
        st.caption("本案无还款记录，也无经核验的证据可供排除")
changes = WhatIf(reduction=reduction, calc_until=moved if moved != until else None,
                 excluded_repayments=frozenset(excluded), rejected_evidence=frozenset(rejected))
award, delta = what_if(record, changes, before=base) if changes else (base, [])

headline = st.columns([2, 2, 3])
headline[0].metric("判决合计（元）", amount(award.total.awarded) if award.total else "—")
headline[1].metric("诉请合计（元）", amount(award.total.claimed) if award.total else "—")
headline[2].markdown(f"**程序** {award.route or '—'}  \n"
                     + ("证据齐全，均经核验" if award.evidence_complete else ":red[**证据不齐或未通过核验**]"))
if award.refused:  # every ground of admissibility the case meets, with its law
    st.error("**不予受理** — 本案符合下列不予受理的情形：  \n" + "  \n".join(
        f"{r.message}" + (f"（{'；'.join(r.citations)}）" if r.citations else "") for r in award.decision.refusals))

# one section at a time (a choice, not st.tabs): only the section shown is built, so opening a case draws its
# award without first drawing the evidence timeline and the calculation behind it
SECTIONS = ("裁判金额", "证据", "计算明细", "当事人", "裁判与文书")
section = st.segmented_control("查看 section", SECTIONS, default=SECTIONS[0], key="case_section",
                               label_visibility="collapsed") or SECTIONS[0]

if section == "裁判金额":
    rows = [{"项目": line.label, "诉请（元）": amount(line.claimed), "依法可支持（元）": amount(line.allowed),
             "判决（元）": amount(line.awarded), "差额（元）": amount(line.difference),
             "法律依据": line.law.replace("\n", "；")} for line in award.every_line]
    # a table, not a data grid: the law of each line wraps and is read whole, never clipped to one line
    st.table(pd.DataFrame(rows).set_index("项目"))
    st.caption("差额 = 诉请 − 判决（诉请未获支持的部分）；判决不超过诉请（民事诉讼法第二百一十一条第（十一）项）")
    show_debt_growth(award)
    if delta:
        st.subheader("假设分析与原案对照")
        st.table(pd.DataFrame([{"项目": c.label, "原判（元）": amount(c.before), "假设（元）": amount(c.after),
                                "变化（元）": amount(c.delta)} for c in delta]).set_index("项目"))

if section == "证据":
    views = evidence_view(record.evidence, award.decision.evidence, changes.rejected_evidence)
    events = timeline(award.decision.values, views, overdue_from(award.decision))
    if events:
        st.subheader("证据时间线")
        frame = pd.DataFrame([{"日期": pd.Timestamp(e.day), "事项": e.label, "类别": e.lane, "说明": e.detail,
                               "状态": {"good": "正常", "bad": "异常", "warn": "注意"}.get(e.tone, "一般")}
                              for e in events])
        chart = alt.Chart(frame).mark_point(filled=True, size=90).encode(
            x=alt.X("日期:T", title="日期", axis=alt.Axis(format="%Y-%m-%d", labelAngle=-30)),
            y=alt.Y("类别:N", title=None, sort=list(LANES)),
            color=alt.Color("状态:N", title="状态", scale=alt.Scale(domain=["正常", "注意", "异常", "一般"],
                                                                    range=["#2e7d32", "#b26a00", "#c62828", "#607d8b"])),
            tooltip=[alt.Tooltip("日期:T", format="%Y-%m-%d"), "事项", "说明"],
        ).properties(height=220)
        st.altair_chart(chart, use_container_width=True)
        with st.expander("时间线明细", expanded=False):
            st.table(frame.assign(日期=frame["日期"].dt.strftime("%Y-%m-%d")).set_index("日期"))
    st.subheader("证据要求与核验")
    if not views:
        st.caption("本案规则集未设证据要求")
    keys = evidence_keys()
    for view in views:
        st.markdown(f"**{view.label}** {badges_html(view.badges)}"
                    + (" <span class='rd-badge rd-good'>符合</span>" if view.finding == "satisfied" else ""),
                    unsafe_allow_html=True)
        st.caption(f"{view.message}" + (f"（{view.reason}）" if view.reason and view.reason != view.message else "")
                   + (f" · 依据：{'；'.join(view.citations)}" if view.citations else ""))
        if not view.items:
            st.markdown("<span class='rd-badge rd-bad'>缺失</span> 未提交该项证据", unsafe_allow_html=True)
        for it in view.items:
            st.markdown(f"- {it.file or '（无文件）'} · {ITEM_STATUS_LABELS.get(it.status, it.status)} "
                        f"{badges_html(it.badges)}", unsafe_allow_html=True)
            if it.proof or it.note:
                with st.expander(f"核验详情：{it.file or view.label}", expanded=False):
                    if it.conclusion:
                        st.markdown(f"**结论** {it.conclusion}")
                    if it.note:
                        st.caption(it.note)
                    st.code("\n".join(it.proof) or "—", language=None)
                    if it.proof and keys is not None:
                        key = f"report_{record.id}_{it.position}"
                        if st.button("生成核验报告 PDF", key=f"b_{key}"):
                            try:
                                st.session_state[key] = verification_report(
                                    store(), record.evidence[it.position], keys).pdf
                            except (EvidenceError, RulesError) as exc:
                                st.error(str(exc))
                        if st.session_state.get(key):
                            st.download_button("下载核验报告", st.session_state[key], key=f"d_{key}",
                                               file_name=f"证据核验报告-{record.case_number}-{it.file}.pdf",
                                               mime="application/pdf")

if section == "计算明细":
    show_calculation(award)

if section == "当事人":
    st.table(pd.DataFrame([{"诉讼地位": p["role"], "名称": p["name"], "证件号码": p.get("id_number") or "—",
                            "电话": p.get("phone") or "—"} for p in record.parties]).set_index("诉讼地位"))
    st.caption("当事人画像（身份信息、涉诉情况、还款记录、申报事实）见“当事人”页")

if section == "裁判与文书":
    left, right = st.columns(2)
    if award.refused:  # refused by a ruling (裁定不予受理), not judged
        left.info("本案不予受理，不起草判决主文")
    elif left.button("生成判决主文草稿 PDF", key="draft"):
        st.session_state["draft_pdf"] = (case_id, render_judgment_pdf(judgment_of(record, award, COURT)))
    draft = st.session_state.get("draft_pdf")
    if draft and draft[0] == case_id:
        left.download_button("下载判决主文草稿", draft[1], file_name=f"判决主文草稿-{record.case_number}.pdf",
                             mime="application/pdf", key="draft_download")
    if session.role == "judge" and right.button("保存裁判", key="decide", type="primary"):
        decision_id = save_decision(store(), session, case_id, changes)
        st.session_state.pop("record_of", None)
        st.success(f"已保存裁判（第 {decision_id} 号）")
    if st.button("下一件未裁判案件", key="case_next"):
        following = next_undecided(store(), session, case_id, **st.session_state.get("queue", {}))
        if following is None:
            st.info("本队列中已无未裁判的案件")
        else:
            st.session_state["case_id"] = following
            st.rerun()
    if record.decisions:
        st.caption(f"已保存的裁判 {len(record.decisions)} 件，最近一次 "
                   f"{record.decisions[-1]['decided_at']:%Y-%m-%d %H:%M} UTC")
