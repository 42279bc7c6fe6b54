"""当事人 — the party profile (当事人画像) of the case open in the queue: each party's identity (masked by
role), what the ID number says (valid or not, birth date, sex, age at signing, province), the party's other
cases in the store (涉诉情况), the facts the case file declares with their sources; then the repayment
history as a chart, the claims and the main points in dispute.

Everything shown comes from :func:`ruledsl.service.profile.party_profile`; the page computes nothing.  Each
run of the page is an opening of the profile (one ``view`` entry in the audit log): the page has no widget
of its own that would run it again.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from common import amount, chosen_case, store

from ruledsl.core.errors import AccessDenied, RulesError
from ruledsl.service.profile import WITHHELD, CaseProfile, PartyProfile, party_profile

NOT_STATED = "案件材料未载明"
KINDS = {"person": "自然人", "organisation": "机构"}

session, case_id = chosen_case()
try:
    profile: CaseProfile = party_profile(store(), session, case_id)
except (AccessDenied, RulesError) as exc:
    st.error(str(exc))
    st.stop()

st.title(f"当事人 · {profile.case_number}")
ref = profile.ruleset
st.caption(f"放贷机构 {profile.lender} · 阶段 {profile.stage} · 规则集 {ref.id} {ref.version}")
signing = profile.signing
st.markdown(f"**签约时年龄的计算日** {signing.on.isoformat() if signing.on else '—'}（{signing.label}）"
            + (f"：{signing.note}" if signing.note else ""))
st.caption(profile.region_note)


def _table(rows: list[dict[str, str]], index: str) -> None:
    # a table, not a data grid: long values (a problem, a source, the law) wrap and are read whole
    st.table(pd.DataFrame(rows).set_index(index))


def _identity(p: PartyProfile) -> list[dict[str, str]]:
    rows = [("诉讼地位", p.role), ("类型", KINDS.get(p.kind, p.kind)), ("姓名（名称）", p.name or "—"),
            ("证件号码", p.id_number or NOT_STATED), ("电话", p.phone or NOT_STATED)]
    facts = p.id_facts
    if facts is None:
        rows.append(("身份证号码信息", p.id_note or "—"))
    else:
        checked = "有效（GB 11643 校验通过）" if facts.valid else f"无效：{facts.problem or '—'}"
        rows += [("号码校验", checked), ("地区（省级）", facts.province or "—"), ("性别", facts.sex or "—"),
                 ("出生日期", WITHHELD if facts.withheld else (facts.birth_date.isoformat() if facts.birth_date else "—")),
                 ("签约时年龄", WITHHELD if facts.withheld
                  else (f"{facts.age_at_signing} 周岁" if facts.age_at_signing is not None else "—"))]
    return [{"项目": k, "内容": v} for k, v in rows]


def _other_cases(p: PartyProfile) -> None:
    st.markdown("**涉诉情况（本院案件库）**")
    if p.kind == "organisation":  # a lender's caseload is not a profile of it: its size only
        st.markdown(f"本院案件库中该机构的其他案件 {p.other_cases_total:,} 件")
        return
    shown = len(p.other_cases)
    st.caption(f"{p.match_note}；其他案件共 {p.other_cases_total} 件"
               + (f"，列出最近 {shown} 件" if shown < p.other_cases_total else "")
               + ("（仅本机构案件）" if session.role == "lender" else ""))
    if not p.other_cases:
        st.markdown("本院案件库中无该当事人的其他案件")
        return
    _table([{"案号": o.case_number, "诉讼地位": o.role, "放贷机构": o.lender, "规则集": o.ruleset_id, "阶段": o.stage,
             "预审结论": o.verdict_label or "—", "诉请（元）": amount(o.claimed),
             "立案时计算判决（元）": amount(o.awarded),
             "已保存裁判": (f"{o.decided_at:%Y-%m-%d} 判决 {amount(o.decided_awarded)} 元" if o.decided_at else "无")}
            for o in p.other_cases], "案号")


def _declared(p: PartyProfile) -> None:
    st.markdown("**收入、就业与联系情况（案件材料载明）**")
    if not p.declared:
        st.markdown(NOT_STATED)
        return
    _table([{"事项": f.label, "内容": WITHHELD if f.withheld else (f.value or "—"), "来源": f.source}
            for f in p.declared], "事项")


def _plain(text: str) -> str:
    """``text`` shown as it is in Markdown (a masked name's ``**`` is not bold)."""
    return "".join("\\" + c if c in "\\`*_[]<>#" else c for c in text)


# the borrower first: the profile a judge reads is the defendant's; the lender's identity follows
for party in sorted(profile.parties, key=lambda p: p.role != "被告"):
    st.header(_plain(f"{party.role} {party.name or ''}"))
    _table(_identity(party), "项目")
    _other_cases(party)
    _declared(party)

st.header("还款记录")
if profile.repayments:
    data = pd.DataFrame([{"日期": r.on.isoformat(), "类别": r.kind, "累计（元）": float(r.cumulative.amount),
                          "金额": amount(r.amount), "累计": amount(r.cumulative), "说明": r.what}
                         for r in profile.repayments])
    # the float is for drawing only; every figure read on the page is the exact amount as text
    chart = (alt.Chart(data).mark_line(interpolate="step-after", point=True)
             .encode(x=alt.X("日期:T", title="日期"), y=alt.Y("累计（元）:Q", title="累计金额（元）"),
                     color=alt.Color("类别:N", title="类别", sort=["应还", "实还"]),
                     tooltip=["日期:T", "类别:N", alt.Tooltip("金额:N", title="金额（元）"),
                              alt.Tooltip("累计:N", title="累计（元）"), "说明:N"]))
    st.altair_chart(chart, width="stretch")
    _table([{"日期": r.on.isoformat(), "类别": r.kind, "金额（元）": amount(r.amount), "累计（元）": amount(r.cumulative),
             "说明": r.what} for r in profile.repayments], "日期")
else:
    st.markdown("案件材料未载明还款计划或还款记录")
for note in profile.history_notes:
    st.caption(note)

st.header("诉讼请求与争议焦点")
if profile.award_problem:
    st.warning(f"本案无法裁判计算：{profile.award_problem}")
if profile.claims:
    _table([{"项目": line.label, "诉请（元）": amount(line.claimed), "依法可支持（元）": amount(line.allowed),
             "判决（元）": amount(line.awarded), "法律依据": line.law.replace("\n", "；")} for line in profile.claims], "项目")
if profile.disputes:
    st.markdown("\n".join(_plain(f"- {d.text}" + (f"（依据：{d.law}）" if d.law else "")) for d in profile.disputes))
elif not profile.award_problem:
    st.markdown("未见争议焦点：诉请未超出依法可支持的数额，借款人未请求调减，证据齐全")
