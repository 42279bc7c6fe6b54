"""计算明细 — the case page's calculation tab: how the debt grew, and each award line from its sources.

The case page (``case.py``) calls :func:`show_debt_growth` and :func:`show_calculation` with the case's
:class:`~ruledsl.service.decide.CaseAward`.  Everything shown comes from
:mod:`ruledsl.service.calculation`; nothing is added up here (the chart's numbers are floats for drawing
only: every figure read on the page is the service's amount as text, to the fen).
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ruledsl.core.money import yuan
from ruledsl.service.calculation import COMPONENT_LABELS, calculation, debt_growth, table_rows
from ruledsl.service.decide import CaseAward

#: the components in the order the legend lists them
ORDER = list(COMPONENT_LABELS.values())


def show_debt_growth(award: CaseAward) -> None:
    """A line per component (本金, 利息, 罚息, 复利, 费用) of what was owed from the disbursement to the
    calculation date, as :func:`ruledsl.service.calculation.debt_growth` gives it."""
    st.subheader("欠款形成过程")
    points = debt_growth(award)
    if not points:
        st.caption("本案无可绘制的账簿明细")
        return
    frame = pd.DataFrame([{"序号": k, "日期": pd.Timestamp(p.day), "科目": p.component,
                           "金额（元）": float(p.amount.amount), "金额": yuan(p.amount), "事项": p.event or "计息"}
                          for k, p in enumerate(points)])
    chart = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=24)).encode(
        x=alt.X("日期:T", title="日期", axis=alt.Axis(format="%Y-%m-%d", labelAngle=-30)),
        y=alt.Y("金额（元）:Q", title="欠款金额（元）"),
        color=alt.Color("科目:N", title="科目", sort=ORDER),
        order=alt.Order("序号:Q"),
        tooltip=[alt.Tooltip("日期:T", title="日期", format="%Y-%m-%d"), alt.Tooltip("科目:N", title="科目"),
                 alt.Tooltip("金额:N", title="金额（元）"), alt.Tooltip("事项:N", title="事项")],
    ).properties(height=320)
    st.altair_chart(chart, width="stretch")
    st.caption("按账簿逐段计算：段内按日线性计息（已扣除规则集上限调减的部分），还款计划表载明的利息于该期到期日计入，"
               "还款于还款日冲抵；当期已计但尚未到期的利息计入“利息”。各线终点为账簿金额，"
               "尚未扣除对多项合计的调减和以诉请为限的部分（见下方计算明细）。")


def show_calculation(award: CaseAward) -> None:
    """Each award line a ledger gives: its sources, subtotal, cuts, repayments, what is not yet due, the
    ledger's figure, the award's own limits and the figure awarded; a block that does not add up says so."""
    st.subheader("计算明细")
    blocks = calculation(award)
    if not blocks:
        st.caption("本案的判决项目不由账簿计算，无计算明细")
        return
    st.caption("各行金额四舍五入至分；小计与账面金额按各行精确值相加后一次四舍五入，故与各行显示金额之和可能相差 0.01 元。")
    for block in blocks:
        st.markdown(f"**{block.label}**　判决 {yuan(block.result)} 元")
        if not block.reconciles:
            detail = "；".join(block.untraced) or (
                f"逐项相加得账面金额 {yuan(block.ledger_figure)} 元，账簿为 {yuan(block.ledger_line)} 元；"
                f"判决 {yuan(block.line.awarded)} 元")
            st.markdown(f":red[**未能逐项核对**]：{detail}")
        frame = pd.DataFrame(table_rows(block))
        st.table(frame.set_index("类别"))
        law = block.line.law.replace("\n", "；")
        if law:
            st.caption(f"法律依据：{law}")
