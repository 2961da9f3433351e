"""账号管理: the accounts of the system. The system administrator creates accounts (one by one or
from an Excel list), disables and re-enables them and resets passwords; the security
administrator grants roles and jurisdictions (administrator roles only by them) and unlocks
accounts. Every change is logged; one-time passwords are shown once."""

import datetime as dt

import pandas as pd
import streamlit as st

from components import account_tables, downloads, export, safe
from components.context import get_context
from queries import accounts
from queries.auditlog import utc_now
from rules import roles
from rules.account_sheet import read_sheet, template_frames

ctx = get_context()
me = ctx.viewer
engine = ctx.source.engine
ss = st.session_state
st.title("账号管理")
st.caption(f"{me.role_name}可以："
           + "、".join(w for a, w in ((roles.ACCOUNT_CREATE, "新建账号"),
                                      (roles.ACCOUNT_STATUS, "停用或启用账号"),
                                      (roles.ACCOUNT_RESET, "重置密码"),
                                      (roles.ACCOUNT_GRANT_DATA, "设置业务角色与辖区"),
                                      (roles.ACCOUNT_GRANT_ADMIN, "授予管理员角色"),
                                      (roles.ACCOUNT_UNLOCK, "解锁账号")) if me.may(a))
           + "。所有操作均记入操作日志。")

if flash := ss.pop("accts_flash", None):
    kind, text, secret = flash
    getattr(st, kind)(safe.text(text))
    if secret:
        st.code(secret, language=None)
        st.caption("一次性密码只显示这一次，请当面或通过安全渠道交给本人；首次登录时须修改。")

places = accounts.jurisdictions(engine)
province = ctx.province_name
grantable = [c for c in roles.ROLES if me.may(roles.grant_action(c))]


def done(text: str, secret: str | None = None, kind: str = "success") -> None:
    ss["accts_flash"] = (kind, text, secret)
    st.rerun()


def choose_place(role_code: str, key: str, current: tuple | None = None):
    """Level and place for `role_code` (None, None for administrators)."""
    levels = roles.ROLES[role_code].levels
    if not levels:
        st.caption("管理员角色不查看审核数据，无需辖区。")
        return None, None
    level = levels[0]
    if len(levels) > 1:
        level = st.selectbox("辖区级别", levels, format_func=roles.LEVEL_NAMES.get,
                             key=f"{key}_level",
                             index=levels.index(current[0]) if current and current[0] in levels
                             else 0)
    if level == "province":
        st.caption(f"辖区：{province or '全省'}")
        return "province", None
    options = places[places["level"] == level]
    names = dict(zip(options["code"], options["name"]))
    codes = list(names)
    start = codes.index(str(current[1])) if current and str(current[1]) in names else None
    code = st.selectbox(f"辖区（{roles.LEVEL_NAMES[level]}）", codes, index=start,
                        format_func=names.get, key=f"{key}_code", placeholder="请选择")
    return level, code


listing = accounts.list_accounts(engine)
shown = account_tables.accounts_table(listing, places, province, utc_now())
tabs = ["账号列表"] + (["新建账号", "批量新建"] if me.may(roles.ACCOUNT_CREATE) else [])
sections = st.tabs(tabs, key="accts_tab", on_change="rerun")

with sections[0]:
    if sections[0].open:
        st.caption(f"共 {len(listing)} 个账号。点选一行查看可做的操作。")
        picked = st.dataframe(shown, hide_index=True, width="stretch", key="accts_table",
                              on_select="rerun", selection_mode="single-row")
        rows = picked.selection.rows
        if rows:
            a = listing.iloc[rows[0]]
            st.subheader(safe.text(f"{a['display_name']}（{a['username']}）"))
            if int(a["account_id"]) == me.account_id:
                st.info("这是您自己的账号：角色、状态和密码不能由自己修改（修改密码请到“我的账号”）。")
                st.stop()
            version = int(a["version"])
            try:
                cols = st.columns(3)
                if me.may(roles.ACCOUNT_STATUS):
                    enabled = a["status"] == "启用"
                    if cols[0].button("停用账号" if enabled else "启用账号", key="accts_status"):
                        accounts.set_status(engine, me, int(a["account_id"]), version,
                                            not enabled)
                        done(f"已{'停用' if enabled else '启用'}账号 {a['username']}。")
                if me.may(roles.ACCOUNT_RESET):
                    sure = cols[1].checkbox("确认重置该账号的密码", key="accts_reset_sure")
                    if cols[1].button("重置密码", key="accts_reset", disabled=not sure):
                        pw = accounts.reset_password(engine, me, int(a["account_id"]), version)
                        done(f"已重置 {a['username']} 的密码，其登录已失效。一次性密码：", pw)
                if me.may(roles.ACCOUNT_UNLOCK) and str(shown.iloc[rows[0]]["状态"]).startswith(
                        "已锁定"):
                    if cols[2].button("解锁账号", key="accts_unlock"):
                        accounts.unlock(engine, me, int(a["account_id"]), version)
                        done(f"已解锁账号 {a['username']}。")
                if a["role"] in grantable:
                    with st.expander("修改角色与辖区", expanded=False):
                        new_role = st.selectbox(
                            "角色", grantable, index=grantable.index(a["role"]),
                            format_func=lambda c: roles.ROLES[c].name, key="accts_edit_role")
                        level, code = choose_place(new_role, "accts_edit",
                                                   (a["scope_level"], a["scope_code"]))
                        if st.button("保存角色与辖区", key="accts_edit_save", type="primary"):
                            accounts.set_role(engine, me, int(a["account_id"]), version,
                                              new_role, level, code)
                            done(f"已修改 {a['username']} 的角色与辖区，其登录已失效。")
                elif me.may(roles.ACCOUNT_GRANT_DATA) or me.may(roles.ACCOUNT_GRANT_ADMIN):
                    st.caption(f"{roles.ROLES[a['role']].name}角色只能由安全管理员变更。")
            except accounts.AccountError as e:
                st.error(safe.text(str(e)))

if me.may(roles.ACCOUNT_CREATE):
    with sections[1]:
        if sections[1].open:
            role_code = st.selectbox("角色", grantable, format_func=lambda c: roles.ROLES[c].name,
                                     key="accts_new_role")
            level, code = choose_place(role_code, "accts_new")
            with st.form("accts_new", clear_on_submit=False):
                username = st.text_input("用户名", max_chars=64,
                                         help="2–64 位字母、数字或 . _ @ -，登录时不区分大小写")
                name = st.text_input("姓名", max_chars=64)
                unit = st.text_input("单位", max_chars=128)
                oidc = st.text_input("统一认证标识（选填）", max_chars=128,
                                     help="使用统一身份认证登录时填写该人在统一身份认证平台的账号标识。")
                if st.form_submit_button("新建账号", type="primary"):
                    try:
                        pw = accounts.create_account(
                            engine, me, username=username, display_name=name, unit=unit,
                            role=role_code, level=level, code=code, oidc_subject=oidc or None)
                        done(f"已新建账号 {username.strip().lower()}。一次性密码：", pw)
                    except accounts.AccountError as e:
                        st.error(safe.text(str(e)))

    with sections[2]:
        if sections[2].open:
            st.markdown("按模板填写人员名单（每人一行），上传后逐行核对；**全部正确才会新建**，"
                        "任何一行有误都不会新建任何账号。")
            downloads.button(ctx, "下载账号名单模板（Excel）",
                             lambda: export.excel_bytes(template_frames(), ["批量新建账号名单"]),
                             "账号名单模板.xlsx", key="accts_template", right=None,
                             icon=":material/table_view:")
            upload = st.file_uploader("上传人员名单（.xlsx）", type=["xlsx"], key="accts_upload")
            if upload is not None:
                sheet = read_sheet(upload.getvalue())
                if sheet.problems:
                    st.error(safe.text("；".join(sheet.problems)))
                else:
                    checked = accounts.bulk_check(engine, me, sheet.rows)
                    bad = [r for r in checked if r["problem"]]
                    preview = pd.DataFrame({
                        "行号": [r["line"] for r in checked],
                        "用户名": [r["username"] for r in checked],
                        "姓名": [r["display_name"] for r in checked],
                        "角色": [r["role"] for r in checked],
                        "辖区": [r["scope"] or "—" for r in checked],
                        "核对结果": [r["problem"] or "可新建" for r in checked]})
                    st.dataframe(preview, hide_index=True, width="stretch")
                    if bad:
                        st.error(f"共 {len(checked)} 行，其中 {len(bad)} 行有误（见“核对结果”），"
                                 "请修改后重新上传。未新建任何账号。")
                    elif st.button(f"确认新建 {len(checked)} 个账号", type="primary",
                                   key="accts_bulk_go"):
                        try:
                            made = accounts.bulk_create(engine, me, checked)
                        except accounts.AccountError as e:
                            st.error(safe.text(str(e)))
                        else:
                            ss["accts_made"] = made
            if made := ss.get("accts_made"):
                st.success(f"已新建 {len(made)} 个账号。一次性密码只在此显示，"
                           "请下载后妥善交付本人，首次登录时须修改。")
                frame = pd.DataFrame(made)
                st.dataframe(frame, hide_index=True, width="stretch")
                downloads.button(
                    ctx, "下载一次性密码（Excel）",
                    lambda: export.excel_bytes({"一次性密码": frame},
                                               ["新建账号一次性密码（请妥善保管，交付后删除本文件）"]),
                    export.file_name("新建账号一次性密码", dt.date.today(), "xlsx"),
                    key="accts_made_xlsx", right=None, icon=":material/table_view:")
