"""登录 — sign in: username and password, five failures lock the account for 15 minutes."""

from __future__ import annotations

import streamlit as st
from common import TOKEN, store

from ruledsl.core.errors import AccessDenied
from ruledsl.service import sign_in

st.title("裁判辅助 · 登录")
st.caption("小额金融借款纠纷 judge assistant")
if st.session_state.get("ended"):
    st.warning(st.session_state.pop("ended"))
with st.form("sign_in"):
    username = st.text_input("用户名 username", key="username")
    password = st.text_input("密码 password", type="password", key="password")
    submitted = st.form_submit_button("登录 sign in")
if submitted:
    try:
        session = sign_in(store(), username.strip(), password)
    except AccessDenied as exc:
        st.error(str(exc))
    else:
        st.session_state[TOKEN] = session.token
        st.rerun()
