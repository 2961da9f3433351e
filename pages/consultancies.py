"""咨询机构: each firm's clients and rounds in the jurisdiction, pass rates, mean scores,
overdue clients per milestone, re-audits after failure, staff per active audit, public naming,
copy-paste signals, and a ranking with its definitions; one firm per ?consultancy=<编号>."""

import pandas as pd
import streamlit as st

from components import downloads, export, fmt, safe
from components import people_tables as pt
from components.context import get_context
from components.filters import link_params
from queries import consultancies as qc
from rules import experts as xr

ctx = get_context()
as_of = ctx.filters.as_of
st.title("咨询机构")
st.caption(f"{safe.text(ctx.area_name)} · 清洁生产审核咨询机构 · 数据截至 {fmt.cn_date(as_of)}"
           + (" · 样例数据" if ctx.is_sample else ""))
rules = pt.expert_rules_or_stop(ctx)
if ctx.is_sample:
    st.info("样例数据：咨询机构和企业名称均为虚构。")
if ctx.scope.level != "province":
    st.caption("本页显示承担过本辖区审核或注册在本市的咨询机构；各项指标只统计本辖区的审核；"
               "其他城市显示为“外市”。")

table = qc.table(ctx.source, ctx.scope, ctx.filters, ctx.clock, rules)
copies = qc.copied_options(ctx.source, ctx.scope, ctx.filters, rules)
firm_names = dict(zip(table["consultancy_id"], table["name"]))
params = dict(st.query_params)

code = (st.query_params.get("consultancy") or "").strip()
if code:
    st.page_link("pages/consultancies.py", label="返回咨询机构", icon=":material/arrow_back:",
                 query_params=link_params(params))
    problem = qc.id_problem(code)
    row = None if problem else table[table["consultancy_id"] == int(code)]
    if problem:
        st.error(safe.text(problem))
    elif row.empty:
        st.error(qc.NOT_FOUND.format(code=safe.short(code)))
        if qc.exists_anywhere(ctx.source, int(code)) and st.session_state.get(
                "con_denied") != code:  # once per link, not per rerun
            st.session_state["con_denied"] = code
            ctx.log("denied", "拒绝", target=f"咨询机构{code}",
                    detail="咨询机构链接指向辖区外的机构")
    else:
        r = row.iloc[0]
        st.header(safe.text(r["name"]))
        st.caption(safe.text(f"统一社会信用代码 {r['uscc'] or '未登记'} · {r['city'] or '—'} · "
                             f"人员 {fmt.num(r['staff_count'])} 人"
                             + (" · 已被公开通报" if r["named_publicly"] else "")))
        if r["named_publicly"]:
            st.warning("该机构已被公开通报。")
        k = st.columns(5)
        k[0].metric("排名", "未排名" if pd.isna(r["rank"]) else f"第 {int(r['rank'])} 名",
                    help=f"共 {int(table['rank'].notna().sum())} 家参加排名")
        k[1].metric("客户企业", f"{r['clients']:,} 家")
        k[2].metric("评估通过率", fmt.pct(r["eval_rate"]), help=f"已评估 {r['evaluated']} 轮")
        k[3].metric("验收通过率", fmt.pct(r["acc_rate"]), help=f"已验收 {r['accepted']} 轮")
        k[4].metric("雷同方案", f"{r['copied_options']} 项")
        st.subheader("客户与审核轮次")
        rounds = qc.clients(ctx.source, ctx.scope, ctx.filters, ctx.clock, int(code))
        if rounds.empty:
            st.caption("截至该日期在本辖区没有审核轮次。")
        else:
            st.dataframe(pt.client_table(rounds), hide_index=True, width="stretch")
        st.subheader("雷同方案")
        mine = copies[copies["consultancy_id"] == int(code)]
        if mine.empty:
            st.caption("未发现雷同方案。")
        else:
            st.dataframe(pt.copied_table(mine, firm_names).drop(columns="咨询机构"),
                         hide_index=True, width="stretch")
            st.caption(xr.rank_definitions(rules)[-1])
    st.stop()

ranked = table[table["rank"].notna()]
k = st.columns(5)
k[0].metric("咨询机构", f"{len(table):,} 家")
k[1].metric("承担本辖区审核", f"{int((table['rounds'] > 0).sum()):,} 家")
k[2].metric("被公开通报", f"{int(table['named_publicly'].sum())} 家")
k[3].metric("有雷同方案信号", f"{int((table['copied_options'] > 0).sum())} 家")
evaluated = int(table["evaluated"].sum())
k[4].metric("评估通过率（全部机构）",
            fmt.pct(table["eval_passed"].sum() / evaluated) if evaluated else "—")

TABS = ["排名", "雷同方案"]
t_rank, t_copy = st.tabs(TABS, key="con_section", on_change="rerun")
with t_rank:
    if t_rank.open:
        st.subheader("咨询机构排名")
        links = [pt.link(params, "consultancies", "consultancy", i)
                 for i in table["consultancy_id"]]
        st.dataframe(pt.ranking_table(table, links), hide_index=True, width="stretch",
                     column_config={"详情": st.column_config.LinkColumn(
                         "详情", display_text="查看", width="small")})
        st.caption(f"参加排名 {len(ranked)} 家，按综合得分从高到低。")
        with st.expander("指标定义", expanded=True):
            for line in xr.rank_definitions(rules):
                st.markdown("- " + safe.text(line))
with t_copy:
    if t_copy.open:
        st.subheader("雷同方案信号")
        st.caption(xr.rank_definitions(rules)[-1] + " 同一机构的客户大量出现这类方案，提示审核"
                   "报告可能相互套用，建议抽查。")
        if copies.empty:
            st.success("未发现雷同方案。")
        else:
            st.dataframe(pt.copied_table(copies, firm_names), hide_index=True, width="stretch")

downloads.button(
    ctx, "下载咨询机构排名（Excel）",
    lambda: export.excel_bytes(
        {"咨询机构排名": pt.ranking_table(table, None),
         "雷同方案": pt.copied_table(copies, firm_names),
         "指标定义": pt.definitions_table(xr.rank_definitions(rules))},
        [f"{ctx.area_name}清洁生产审核咨询机构排名", f"数据截至 {fmt.cn_date(as_of)}"]
        + (["样例数据（虚构，仅供演示）"] if ctx.is_sample else [])),
    export.file_name(f"{ctx.area_name}咨询机构排名", as_of, "xlsx"),
    key="con_excel", icon=":material/table_view:")
