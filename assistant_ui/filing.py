"""立案 — a lender's batch filed into the store (批量立案): the pre-checked table and a ZIP of its evidence
files; the rows the pre-check finds ready (and, when chosen, those claiming more than the law allows) are
filed, each with its evidence verified against the court's key.  Everything is done by
``ruledsl.service.filing.import_upload``; the page only chooses and shows the report."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st
from common import evidence_keys, signed_in, store

from ruledsl.core.errors import RulesError
from ruledsl.precheck.run import VERDICT_LABELS
from ruledsl.service.access import MAY_ADD, refusal
from ruledsl.service.filing import (
    OUTCOME_LABELS,
    TABLE_SUFFIXES,
    import_upload,
    published_rulesets,
    write_report,
)

session = signed_in()
if session is None:
    st.stop()
st.title("批量立案")
if session.role not in MAY_ADD:
    st.error(str(refusal(session, "立案", "file cases")))
    st.stop()
st.caption("上传经预审的案件表（与 ruledsl precheck 相同的表格）及其证据文件压缩包：预审为“可立案”的行逐件立案，"
           "每项证据依法院存证公钥核验后入库；未通过预审的行不立案，并说明理由。")

ruleset = st.selectbox("规则集", published_rulesets(), key="f_ruleset")
table = st.file_uploader("案件表", type=[s.lstrip(".") for s in TABLE_SUFFIXES], key="f_table")
evidence = st.file_uploader("证据文件压缩包（ZIP，可选；表中“证据文件”列的路径为包内路径）", type=["zip"], key="f_zip")
if session.role == "lender":
    lender = session.lender
    st.markdown(f"**放贷机构** {lender}")
else:
    lender = st.text_input("放贷机构（原告）", key="f_lender")
exceeds = st.checkbox("诉请超出法定上限的案件也予立案（按依法可支持的金额裁判）", key="f_exceeds")
keys = evidence_keys()
if keys is None:
    st.warning("本服务未配置法院存证公钥（RULEDSL_COURT_KEY）：声明了证据文件的行无法核验，均不立案")

if st.button("立案", key="f_go", type="primary", disabled=table is None or not lender):
    bar = st.progress(0.0, text="预审并立案中…")
    try:
        report = import_upload(
            store(), session, ruleset, table.name, table.getvalue(), evidence.getvalue() if evidence else None,
            lender=lender, keys=keys, include=("ready", "exceeds_limit") if exceeds else ("ready",),
            progress=lambda done, total: bar.progress(done / max(total, 1), text=f"已处理 {done:,} / {total:,} 行"))
    except RulesError as exc:
        bar.empty()
        st.error(str(exc))
        st.stop()
    bar.empty()
    st.session_state["f_report"] = report

report = st.session_state.get("f_report")
if report is not None:
    counts = {label: sum(r.outcome == key for r in report.rows) for key, label in OUTCOME_LABELS.items()}
    columns = st.columns(len(counts))
    for column, (label, n) in zip(columns, counts.items(), strict=True):
        column.metric(label, f"{n:,}")
    # a grid (it scrolls through 50,000 rows); every reason is in the CSV below, one row each
    st.dataframe(pd.DataFrame([{"行": r.row, "借据号": r.case_id, "预审结论": VERDICT_LABELS.get(r.verdict, r.verdict),
                            "案号": r.case_number or "—", "结果": OUTCOME_LABELS.get(r.outcome, r.outcome),
                            "说明": r.reason} for r in report.rows]), hide_index=True, width="stretch")
    with tempfile.TemporaryDirectory() as tmp:
        out = write_report(report, Path(tmp) / "立案结果.csv")
        st.download_button("下载立案结果 CSV", out.read_bytes(), file_name="立案结果.csv", mime="text/csv",
                           key="f_download")
