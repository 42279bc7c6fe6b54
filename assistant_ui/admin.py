"""管理 — the administrator's page: users (no password hashes), add a user, lift a lockout, end a user's
sessions, and the audit log with filters.  Everything is done by ``ruledsl.service.admin``; admins only."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import signed_in, store

from ruledsl.core.errors import AccessDenied, RulesError
from ruledsl.service.admin import ACTION_NAMES, add_user, audit_log, end_sessions, list_users, unlock_user
from ruledsl.service.auth import MIN_PASSWORD, ROLE_NAMES, ROLES

ANY = "全部"
SHOWN = 500  # the newest audit entries shown

session = signed_in()
if session is None:
    st.stop()
st.title("管理")
try:
    list_users(store(), session)  # refused to anyone but an admin
except AccessDenied as exc:
    st.error(str(exc))
    st.stop()

st.subheader("用户")
users_box = st.container()  # filled after the actions below, so it shows what they changed

with st.expander("添加用户", expanded=False), st.form("a_add", clear_on_submit=True):
    one, two = st.columns(2)
    username = one.text_input("用户名", key="a_username")
    display_name = two.text_input("显示名称", key="a_display")
    role = one.selectbox("角色", ROLES, key="a_role", format_func=ROLE_NAMES.__getitem__)
    lender = two.text_input("所属放贷机构（仅放贷机构用户）", key="a_lender")
    password = one.text_input(f"初始密码（至少 {MIN_PASSWORD} 个字符）", type="password", key="a_password")
    if st.form_submit_button("添加", key="a_submit", type="primary"):
        try:
            add_user(store(), session, username, password, role, display_name, lender=lender or None)
        except RulesError as exc:
            st.error(str(exc))
        else:
            st.success(f"已添加用户 {username.strip()}")

names = [u.username for u in list_users(store(), session)]
pick, unlock, end = st.columns([3, 1, 1])
who = pick.selectbox("用户", names, key="a_user")
if unlock.button("解除锁定", key="a_unlock", disabled=who is None):
    was = unlock_user(store(), session, who)
    st.success(f"已解除 {who} 的锁定" if was else f"{who} 未被锁定；连续失败次数已清零")
if end.button("结束其全部会话", key="a_end", disabled=who is None):
    ended = end_sessions(store(), session, who)
    st.success(f"已结束 {who} 的 {ended} 个会话")

with users_box:
    users = list_users(store(), session)
    st.dataframe(pd.DataFrame([{
        "用户名": u.username, "显示名称": u.display_name, "角色": ROLE_NAMES.get(u.role, u.role),
        "所属机构": u.lender or "—", "连续失败": u.failed_attempts,
        "锁定至": f"{u.locked_until:%Y-%m-%d %H:%M} UTC" if u.locked() else "—", "会话": u.sessions,
        "创建时间": f"{u.created_at:%Y-%m-%d %H:%M} UTC"} for u in users]), hide_index=True, width="stretch")

st.subheader("审计日志")
by, what, case = st.columns(3)
user_filter = by.selectbox("用户", [ANY, *names], key="a_log_user")
action_filter = what.selectbox("动作", [ANY, *ACTION_NAMES], key="a_log_action",
                               format_func=lambda a: a if a == ANY else ACTION_NAMES.get(a, a))
case_filter = case.text_input("案号", key="a_log_case")
entries = audit_log(store(), session, username=None if user_filter == ANY else user_filter,
                    action=None if action_filter == ANY else action_filter, case_number=case_filter or None,
                    limit=SHOWN)
if entries:
    st.dataframe(pd.DataFrame([{
        "时间": f"{e.at:%Y-%m-%d %H:%M:%S} UTC", "用户": e.username or "—", "动作": ACTION_NAMES.get(e.action, e.action),
        "案号": e.case_number or "—", "详情": e.detail_text or "—"} for e in entries]),
        hide_index=True, width="stretch")
    st.caption(f"共 {len(entries)} 条" + (f"（仅显示最新 {SHOWN} 条）" if len(entries) == SHOWN else ""))
else:
    st.info("没有符合条件的审计记录")
