"""导出 — the drafts of several cases at once: pick the cases, choose 判决主文草稿, 计算明细 or 证据核验报告, download
one ZIP (a PDF per case, or per anchored evidence item, and 清单.csv).  Everything is made by
``ruledsl.service.exports``; the page only chooses (and passes the court's keys the evidence is verified against)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import COURT, evidence_keys, signed_in, store

from ruledsl.core.errors import RulesError
from ruledsl.service import list_cases
from ruledsl.service.access import refusal
from ruledsl.service.exports import KINDS, MAX_EXPORT, MAY_EXPORT, NO_KEYS, export_bundle

session = signed_in()
if session is None:
    st.stop()
st.title("导出")
if session.role not in MAY_EXPORT:
    st.error(str(refusal(session, "导出案件", "export cases")))
    st.stop()


def parties(c) -> str:  # type: ignore[no-untyped-def]
    return "；".join(f"{p['role']} {p['name']}" for p in c.parties)


if st.session_state.get("x_owner") != session.token:  # another sign-in in this tab: nothing of the last one's
    for key in ("x_labels", "x_cases", "x_bundle"):
        st.session_state.pop(key, None)
    st.session_state["x_owner"] = session.token
search = st.text_input("搜索案号或当事人 search", key="x_search")
shown = list_cases(store(), session, search=search or None, limit=MAX_EXPORT)
# the labels of every case chosen so far stay known, so a choice survives a new search
labels: dict[int, str] = st.session_state.setdefault("x_labels", {})
labels.update({c.id: f"{c.case_number} {parties(c)}" for c in shown})
if "x_cases" not in st.session_state:  # first visit: the case open on the case page, if any
    opened = st.session_state.get("case_id")
    st.session_state["x_cases"] = [opened] if opened in labels else []
left, right = st.columns(2)
if left.button(f"选择显示的全部案件（至多 {MAX_EXPORT} 件）", key="x_all", disabled=not shown):
    st.session_state["x_cases"] = list(dict.fromkeys([*st.session_state["x_cases"], *(c.id for c in shown)]))
if right.button("清空选择", key="x_clear"):
    st.session_state["x_cases"] = []
chosen_before = st.session_state["x_cases"]
options = list(dict.fromkeys([*chosen_before, *(c.id for c in shown)]))
chosen = st.multiselect("选择案件 cases", options, key="x_cases", format_func=lambda i: labels.get(i, str(i)),
                        placeholder="请选择")
st.caption(f"已选 {len(chosen)} 件；一次至多导出 {MAX_EXPORT} 件")

kind = st.radio("导出内容", list(KINDS), key="x_kind", horizontal=True, format_func=KINDS.__getitem__)
court = st.text_input("法院名称", value=COURT, key="x_court", disabled=kind == "evidence",
                      help="判决主文草稿与计算明细的抬头")
keys = evidence_keys()
if kind == "evidence":
    if keys is None:
        st.warning(NO_KEYS)
    else:
        st.caption("每件案件中附存证证据包的证据各生成一份核验报告（按案件库保存的文件重新核验）；未存证的证据列入清单")

if st.button("生成导出文件", key="x_build", type="primary",
             disabled=not chosen or (kind == "evidence" and keys is None)):
    with st.spinner("正在生成 PDF"):
        try:
            st.session_state["x_bundle"] = export_bundle(store(), session, chosen, court, kind=kind, keys=keys)
        except RulesError as exc:
            st.session_state.pop("x_bundle", None)
            st.error(str(exc))
bundle = st.session_state.get("x_bundle")
if bundle is not None:
    if bundle.file_name.startswith(KINDS["evidence"]):
        st.success(f"已生成 {len(bundle.exported)} 份证据核验报告"
                   + (f"，{len(bundle.not_exported)} 项未存证或未能生成" if bundle.not_exported else ""))
    else:
        st.success(f"已导出 {len(bundle.exported)} 件" + (f"，{len(bundle.not_exported)} 件未导出"
                                                         if bundle.not_exported else ""))
    st.download_button("下载 ZIP（PDF 与清单）", bundle.data, file_name=bundle.file_name, mime="application/zip",
                       key="x_download")
    st.dataframe(pd.DataFrame([{"案号": r.case_number or f"编号 {r.case_id}", "结果": r.result, "文件": r.file or "—",
                                "原因": r.reason or "—"} for r in bundle.rows]), hide_index=True, width="stretch")
