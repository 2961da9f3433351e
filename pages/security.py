"""安全设置: the security administrator's limits (password length and age, lockout, session
timeouts, how long the audit log stays online) and who is signed in now."""

import streamlit as st

from components import account_tables, safe
from components.context import get_context
from queries import accounts
from rules import roles
from rules.security import SETTING_LIMITS

ctx = get_context()
me = ctx.viewer
engine = ctx.source.engine
st.title("安全设置")
st.caption("依据《网络安全等级保护基本要求》（GB/T 22239-2019）：口令复杂度与定期更换、"
           "登录失败处理、会话超时、操作日志留存不少于六个月（《网络安全法》第二十一条）。"
           "修改立即生效，并记入操作日志。")
if msg := st.session_state.pop("sec_flash", None):
    st.success(msg)

current = accounts.settings(engine, fresh=True)
editable = me.may(roles.SETTINGS_EDIT)
with st.form("sec_settings"):
    values = {}
    cols = st.columns(2)
    for i, (key, (label, unit, low, high)) in enumerate(SETTING_LIMITS.items()):
        values[key] = cols[i % 2].number_input(
            f"{label}（{unit}）", min_value=low, max_value=high, step=1,
            value=int(getattr(current, key)), disabled=not editable, key=f"sec_{key}",
            help=f"允许范围 {low}–{high} {unit}"
            + ("；0 表示不要求定期修改" if key == "password_max_age_days" else ""))
    if st.form_submit_button("保存设置", type="primary", disabled=not editable):
        problems = accounts.save_settings(engine, me, {k: str(v) for k, v in values.items()})
        if problems:
            st.error(safe.text("；".join(problems)))
        else:
            st.session_state["sec_flash"] = "安全设置已保存。"
            st.rerun()

st.subheader("当前在线会话")
sessions = accounts.open_sessions(engine)
if sessions.empty:
    st.caption("当前没有有效的登录会话。")
else:
    st.caption(f"共 {len(sessions)} 个有效会话（超过无操作时限或最长有效期的会话不计）。")
    st.dataframe(account_tables.sessions_table(sessions), hide_index=True, width="stretch")
