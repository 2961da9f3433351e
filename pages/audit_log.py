"""操作日志: the audit administrator reads who did what, when and from where — sign-ins and
failures, lockouts, downloads, imports, account and settings changes — filters and exports it,
and moves entries past the retention period to the archive. Nobody can change or delete
entries (the database refuses it)."""

import datetime as dt

import streamlit as st

from components import account_tables, export, fmt
from components.context import get_context
from queries import accounts, auditlog
from rules.security import to_local

ctx = get_context()
me = ctx.viewer
engine = ctx.source.engine
st.title("操作日志")
cfg = accounts.settings(engine)
st.caption(f"日志不可修改、不可删除；超过在线保存期（{cfg.log_retention_days} 天）的日志可归档，"
           "归档后仍完整保存。时间为北京时间。")
if msg := st.session_state.pop("log_flash", None):
    st.success(msg)

today = to_local(auditlog.utc_now()).date()
c1, c2, c3, c4 = st.columns([2, 2, 3, 2])
period = c1.date_input("日期范围", value=(today - dt.timedelta(days=30), today),
                       max_value=today, key="log_period", format="YYYY-MM-DD")
who = c2.text_input("用户名包含", max_chars=64, key="log_user")
actions = c3.multiselect("操作", list(auditlog.ACTIONS), format_func=auditlog.ACTIONS.get,
                         key="log_actions", placeholder="全部操作")
outcomes = c4.multiselect("结果", ["成功", "失败", "拒绝"], key="log_outcomes",
                          placeholder="全部结果")
archived = st.toggle("查看已归档的日志", key="log_archived")
if not isinstance(period, tuple) or len(period) != 2:
    st.info("请选择开始和结束日期。")
    st.stop()
start, end = period
rows, total = auditlog.entries(engine, start, end, who, tuple(actions), tuple(outcomes),
                               archived)
shown = account_tables.log_table(rows, auditlog.ACTIONS)
st.caption(f"{fmt.cn_date(start)} 至 {fmt.cn_date(end)}：共 {total:,} 条"
           + (f"，显示最新的 {len(rows):,} 条（请缩小范围）" if total > len(rows) else ""))
st.dataframe(shown, hide_index=True, width="stretch", height=480)


def _export() -> bytes:
    span = f"{fmt.cn_date(start)} 至 {fmt.cn_date(end)}"
    ctx.log("log_export", target="操作日志", detail=f"{span}，{len(rows)} 条")
    return export.excel_bytes({"操作日志": shown},
                              ["操作日志", span, f"导出人：{me.username}"])


st.download_button("导出为 Excel", data=_export, on_click="ignore", key="log_xlsx",
                   file_name=f"操作日志_{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   icon=":material/table_view:")

st.subheader("归档")
old = auditlog.archivable(engine, cfg.log_retention_days)
if not old:
    st.caption(f"没有超过 {cfg.log_retention_days} 天的在线日志。")
else:
    st.caption(f"有 {old:,} 条日志已超过在线保存期（{cfg.log_retention_days} 天）。"
               "归档将其移入归档表，不会删除；归档本身也记入日志。")
    sure = st.checkbox("我确认归档这些日志", key="log_archive_sure")
    if st.button("归档", disabled=not sure, key="log_archive"):
        n = auditlog.archive(engine, me.username, cfg.log_retention_days,
                             account_id=me.account_id, role=me.role, ip=me.ip)
        st.session_state["log_flash"] = f"已归档 {n:,} 条日志。"
        st.rerun()
