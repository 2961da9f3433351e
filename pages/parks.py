"""园区评比: every park in scope on one scorecard, and parks of one type compared fairly."""

import functools

import streamlit as st

from components import downloads, export, fmt, safe
from components import park_charts as pc
from components.context import get_context
from queries import parks
from rules import indicators as ind
from rules.park_rules import COMPARISON_METRICS, METRICS_BY_KEY
from rules.vocab import PARK_LEVELS, PARK_TYPES

ctx = get_context()
as_of = ctx.filters.as_of
st.title("园区评比")
st.caption(f"{safe.text(ctx.area_name)} · 园区整体审核 · 数据截至 {fmt.cn_date(as_of)}"
           + (" · 样例数据" if ctx.is_sample else ""))
if ctx.is_sample:
    st.info("当前为样例数据：园区、企业名称均为虚构。")

card = parks.scorecard(ctx.source, ctx.scope, ctx.filters, ctx.clock)
issues = parks.membership_issues(ctx.source, ctx.scope, ctx.filters)

left, mid, right = st.columns([2, 2, 3])
levels = left.multiselect("园区级别", PARK_LEVELS, key="parks_level", placeholder="全部级别")
types = mid.multiselect("园区类型", PARK_TYPES, key="parks_type", placeholder="全部类型")
sort_key = right.selectbox("评分表排序", list(pc.SORT_KEYS), format_func=pc.SORT_KEYS.get,
                           key="parks_sort", help="园区评分表及其 Excel 的排列顺序。")
shown = card
if levels:
    shown = shown[shown["level"].isin(levels)]
if types:
    shown = shown[shown["park_type"].isin(types)]
ascending = sort_key == "overdue_rounds" or (
    sort_key in METRICS_BY_KEY and not METRICS_BY_KEY[sort_key].higher_is_better)
shown = shown.sort_values([sort_key, "name"], ascending=[ascending, True], na_position="last")

k = st.columns(5)
k[0].metric("园区", f"{len(shown):,} 个")
k[1].metric("成员企业", f"{int(shown['enterprises'].sum()):,} 家")
k[2].metric(ind.name("park_audited"), f"{int(shown['audited_enterprises'].sum()):,} 家",
            help=ind.help_text("park_audited", ctx.clock))
k[3].metric("园区整体审核（通过/总数）",
            f"{int(shown['clusters_passed'].sum())} / {int(shown['clusters'].sum())}")
in_view = issues[issues["park_id"].isin(shown["park_id"])]
k[4].metric("园区成员登记问题", f"{len(in_view):,} 家")

# Lazy tabs: only the chosen section runs and is sent (the comparison reads every park's
# members; the scorecard table and its chart are the largest part of the page).
TABS = ["园区评分表", "同类园区比较", "园区成员登记核对"]
tab_card, tab_compare, tab_members = st.tabs(TABS, key="parks_section", on_change="rerun")

with tab_card:
    if tab_card.open:
        st.subheader("园区评分表")
        if shown.empty:
            st.info("当前筛选条件下没有园区。")
        else:
            links = [pc.park_link(dict(st.query_params), pid) for pid in shown["park_id"]]
            st.dataframe(pc.scorecard_table(shown, links), hide_index=True, width="stretch",
                         column_config={"详情": st.column_config.LinkColumn(
                             "详情", display_text="查看", width="small")})
            st.caption(f"数据截至 {fmt.cn_date(as_of)}。点击表头可排序；“查看”在新标签页打开"
                       "园区详情。家均值按园区成员企业数计算；审核完成率 = 已完成审核企业 ÷ "
                       "已列入名单的成员企业。")
            st.altair_chart(pc.stage_chart(shown), width="stretch")

with tab_compare:
    if tab_compare.open:
        st.subheader("同类园区比较")
        st.caption("只在同一类型的园区之间比较（不分级别）；所有指标均按成员企业数归一（家均、"
                   "每百家或占比），规模不同的园区可以公平比较。虚线为同类园区中位数。")
        # The type filter above narrows the types offered; a type is compared as a whole.
        present = [t for t in PARK_TYPES
                   if t in set(card["park_type"]) and (not types or t in types)]
        if not present:
            st.info("当前范围内没有园区。")
        else:
            c1, c2 = st.columns(2)
            default_type = card[card["park_type"].isin(present)].groupby(
                "park_type").size().idxmax()
            if st.session_state.get("parks_cmp_type") not in present:
                st.session_state["parks_cmp_type"] = default_type
            park_type = c1.selectbox("园区类型", present, key="parks_cmp_type",
                                     persist_state="page")
            metric = c2.selectbox("比较指标", [m.key for m in COMPARISON_METRICS],
                                  format_func=lambda key: METRICS_BY_KEY[key].title,
                                  key="parks_metric", persist_state="page")
            cmp = parks.comparison(ctx.source, ctx.scope, ctx.filters, ctx.clock, park_type,
                                   metric)
            ranked = cmp.dropna(subset=["value"])
            if ranked.empty:
                st.info(f"{safe.text(park_type)}在当前范围内没有成员企业，无法比较。")
            else:
                st.altair_chart(pc.comparison_chart(cmp, metric), width="stretch")
            st.dataframe(pc.comparison_table(cmp, metric), hide_index=True, width="stretch")

with tab_members:
    if tab_members.open:
        st.subheader("园区成员登记核对")
        st.caption("用园区边界核对企业坐标：边界内但未登记为园区企业的、登记为园区企业但位于"
                   "边界外的，以及参加园区整体审核但未登记为园区企业的。")
        if in_view.empty:
            st.success("未发现园区成员登记问题。")
        else:
            st.dataframe(pc.issues_table(in_view), hide_index=True, width="stretch")

downloads.button(
    ctx, "下载园区评分表（Excel）",
    functools.partial(
        export.excel_bytes,
        {"园区评分表": pc.scorecard_table(shown), "成员登记核对": pc.issues_table(in_view)},
        [f"{ctx.area_name}园区评分表", f"数据截至 {fmt.cn_date(as_of)}"]
        + (["样例数据（虚构企业，仅供演示）"] if ctx.is_sample else [])),
    export.file_name(f"{ctx.area_name}园区评分表", as_of, "xlsx"),
    key="parks_excel", icon=":material/table_view:")
