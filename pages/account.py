"""我的账号: who I am in the system (role, jurisdiction) and changing my own password — the only
page open until a first, reset or expired password is changed."""

import streamlit as st

from components import safe
from components.context import get_context
from queries import accounts

ctx = get_context()
v = ctx.viewer
engine = ctx.source.engine
st.title("我的账号")
if v.must_change:
    st.warning(v.must_change)
if done := st.session_state.pop("acct_changed", None):
    st.success(done)

st.dataframe({"项目": ["用户名", "姓名", "单位", "角色", "辖区", "登录方式"],
              "内容": [v.username, v.display_name, v.unit or "—", v.role_name,
                     v.scope_name or "—（不查看审核数据）", v.kind]},
             hide_index=True, width="content")

if v.kind != "本地账号":
    st.caption("您通过统一身份认证登录，密码由统一身份认证平台管理。")
    st.stop()

cfg = accounts.settings(engine)
st.subheader("修改密码")
st.caption(f"密码至少 {cfg.password_min_length} 位，"
           "包含大写字母、小写字母、数字、符号中的至少三种，不能包含用户名"
           + (f"；每 {cfg.password_max_age_days} 天须修改一次" if cfg.password_max_age_days else "")
           + "。修改后，您在其他浏览器中的登录将失效。")
with st.form("acct_password", clear_on_submit=True):
    current = st.text_input("当前密码", type="password", max_chars=128)
    new = st.text_input("新密码", type="password", max_chars=128)
    again = st.text_input("再次输入新密码", type="password", max_chars=128)
    submitted = st.form_submit_button("修改密码", type="primary")
if submitted:
    if new != again:
        st.error("两次输入的新密码不一致。")
    else:
        problems = accounts.change_password(engine, v, current, new)
        if problems:
            st.error(safe.text("；".join(problems) + "。"))
        else:
            st.session_state["acct_changed"] = "密码已修改。"
            st.rerun()  # with the whole menu again when the change was required
