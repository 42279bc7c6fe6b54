"""裁判辅助 — the judge assistant (Streamlit, multipage).

    streamlit run assistant_ui/app.py        # or: make demo

Signed out, the only page is 登录 (sign-in).  Signed in: 案件队列 (the queue, the landing page),
案件 (one case: award, evidence, calculation, what-if, judgment draft), 当事人 (the party profile),
立案 (a pre-checked batch and its evidence ZIP filed: judges, clerks, lenders), 导出 (batch drafts and
sheets: judges, clerks, lenders), 管理 (users and the audit log: admins) and
示例案件 (the shipped example case files).
Every page is thin: it calls ``ruledsl.service`` and renders what comes back; no page computes an award.
"""

from __future__ import annotations

import streamlit as st
from common import BADGE_CSS, TOKEN, signed_in, store

from ruledsl.service import sign_out
from ruledsl.service.access import MAY_ADD
from ruledsl.service.auth import ROLE_NAMES
from ruledsl.service.exports import MAY_EXPORT

st.set_page_config(page_title="裁判辅助 ruledsl", layout="wide")
st.markdown(BADGE_CSS, unsafe_allow_html=True)
session = signed_in()
if session is None:
    pages = [st.Page("signin.py", title="登录", icon=":material/login:")]
else:
    pages = [st.Page("queue.py", title="案件队列", icon=":material/list:", default=True),
             st.Page("case.py", title="案件", icon=":material/gavel:"),
             st.Page("party.py", title="当事人", icon=":material/person:")]
    if session.role in MAY_ADD:
        pages.append(st.Page("filing.py", title="立案", icon=":material/upload_file:"))
    if session.role in MAY_EXPORT:
        pages.append(st.Page("exports.py", title="导出", icon=":material/download:"))
    if session.role == "admin":
        pages.append(st.Page("admin.py", title="管理", icon=":material/admin_panel_settings:"))
    pages.append(st.Page("examples.py", title="示例案件", icon=":material/folder_open:"))
    with st.sidebar:
        st.markdown(f"**{session.username}** · {ROLE_NAMES.get(session.role, session.role)}"
                    + (f" · {session.lender}" if session.lender else ""))
        if st.button("退出登录 sign out", key="sign_out"):
            sign_out(store(), session.token)
            del st.session_state[TOKEN]
            st.rerun()
st.navigation(pages).run()
