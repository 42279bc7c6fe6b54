"""案件队列 — the queue: the store's cases, filtered, sorted and counted; open one, or the next undecided."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import amount, signed_in, store

from ruledsl.precheck.run import VERDICT_LABELS as VERDICT_NAMES
from ruledsl.service import list_cases, queue_counts
from ruledsl.service.access import SORTS
from ruledsl.service.decide import EVIDENCE_STATE_LABELS
from ruledsl.service.exports import next_undecided

SORT_NAMES = {"newest": "最新立案", "case_number": "案号", "lender": "放贷机构", "claimed": "诉请金额",
              "allowed": "依法可支持", "awarded": "判决金额", "overdue_days": "逾期天数", "stage": "阶段",
              "verdict": "审查结论", "evidence_state": "证据状态"}
ANY = "全部"

session = signed_in()
if session is None:
    st.stop()
if st.session_state.pop("q_opening", False):  # 打开 was pressed: go straight to the case, not via the queue again
    st.switch_page("case.py")
st.title("案件队列")
left, middle, right, sort_col = st.columns([3, 2, 2, 2])
search = left.text_input("搜索案号或当事人 search", key="q_search")
counts_all = queue_counts(store(), session)
stages = [ANY, *sorted(s for s in counts_all["stage"] if s)]
stage = middle.selectbox("阶段 stage", stages, key="q_stage")
verdicts = [ANY, *[v for v in VERDICT_NAMES if v in counts_all["verdict"]]]
verdict = right.selectbox("审查结论 verdict", verdicts, key="q_verdict",
                          format_func=lambda v: v if v == ANY else VERDICT_NAMES[v])
sort = sort_col.selectbox("排序 sort", list(SORTS), key="q_sort", format_func=SORT_NAMES.__getitem__)
states = [ANY, *[s for s in EVIDENCE_STATE_LABELS if s in counts_all["evidence_state"]]]
evidence = st.radio("证据状态 evidence", states, horizontal=True, key="q_evidence",
                    format_func=lambda s: s if s == ANY else EVIDENCE_STATE_LABELS[s])
filters = {"search": search or None, "stage": None if stage == ANY else stage,
           "verdict": None if verdict == ANY else verdict, "evidence_state": None if evidence == ANY else evidence}
counts = queue_counts(store(), session, **filters) if any(filters.values()) else counts_all
shown = st.columns(5)
shown[0].metric("符合条件 cases", f"{counts['total']:,}")
for column, key in zip(shown[1:], VERDICT_NAMES, strict=False):
    column.metric(VERDICT_NAMES[key], f"{counts['verdict'].get(key, 0):,}")

cases = list_cases(store(), session, sort=sort, limit=200, **filters)


def parties(c) -> str:  # type: ignore[no-untyped-def]
    return "；".join(f"{p['role']} {p['name']}" for p in c.parties)


frame = pd.DataFrame([{
    "案号": c.case_number, "当事人": parties(c), "放贷机构": c.lender, "规则集": f"{c.ruleset_id} {c.ruleset_version}",
    "诉请金额（元）": amount(c.claimed), "依法可支持（元）": amount(c.allowed), "判决金额（元）": amount(c.awarded),
    "逾期天数": "—" if c.overdue_days is None else str(c.overdue_days),
    "证据": EVIDENCE_STATE_LABELS.get(c.evidence_state or "", "—"), "阶段": c.stage,
    "审查结论": VERDICT_NAMES.get(c.verdict or "", "—")} for c in cases])
if cases:
    st.dataframe(frame, hide_index=True, width="stretch", height=min(38 + 35 * len(cases), 600))
    if counts["total"] > len(cases):
        st.caption(f"显示前 {len(cases)} 件，共 {counts['total']:,} 件；请用搜索或筛选缩小范围")
else:
    st.info("没有符合条件的案件 no case matches")

pick, go, nxt = st.columns([4, 1, 2])
chosen = pick.selectbox("打开案件 open a case", [c.id for c in cases], key="q_open",
                        format_func={c.id: f"{c.case_number} {parties(c)}" for c in cases}.get)


def _open() -> None:  # (a callback: it runs before the page does, which then switches at its top)
    st.session_state["case_id"] = st.session_state["q_open"]
    st.session_state["q_opening"] = True


go.button("打开 open", key="q_go", disabled=not cases, on_click=_open)
# the case page's "next undecided" follows the same queue: its filters and order
st.session_state["queue"] = {**filters, "sort": sort}
if nxt.button("下一件未裁判案件 next undecided", key="q_next", disabled=not cases):
    following = next_undecided(store(), session, st.session_state.get("case_id"), **st.session_state["queue"])
    if following is None:
        st.info("本队列中已无未裁判的案件")
    else:
        st.session_state["case_id"] = following
        st.switch_page("case.py")
