"""信用与公开: penalties under the Cleaner Production Promotion Law to publish on 信用中国, with
the deadline in working days and where each stands (§三), exported as Excel and as a Word list;
and the environmental credit grades by city and industry."""

import streamlit as st

from components import downloads, export, fmt, safe
from components import people_tables as pt
from components.context import get_context
from components.credit_doc import publication_docx
from queries import credit as qc
from rules import credit as cr
from rules.vocab import CREDIT_GRADES

ctx = get_context()
as_of = ctx.filters.as_of
st.title("信用与公开")
st.caption(f"{safe.text(ctx.area_name)} · 行政处罚信息公示与环境信用评价 · 数据截至 "
           f"{fmt.cn_date(as_of)}" + (" · 样例数据" if ctx.is_sample else ""))
rules = pt.expert_rules_or_stop(ctx)
if ctx.is_sample:
    st.info("样例数据：企业名称均为虚构。")

pubs = qc.publication_list(ctx.source, ctx.scope, ctx.filters, rules.publish_working_days)
table = pt.publication_table(pubs)
k = st.columns(5)
k[0].metric("应公示处罚", f"{len(pubs)} 项")
for col, state in zip(k[1:], cr.PUB_STATES):
    col.metric(state, f"{int((pubs['state'] == state).sum())} 项")

TABS = ["公示清单", "信用等级"]
t_pub, t_grade = st.tabs(TABS, key="credit_section", on_change="rerun")
with t_pub:
    if t_pub.open:
        st.subheader("行政处罚信息公示清单")
        st.caption(f"依据《清洁生产促进法》第三十六条、第三十九条作出的处罚；处罚决定作出后 "
                   f"{rules.publish_working_days} 个工作日内在“信用中国”公示（遇法定节假日顺延，"
                   "按国务院办公厅公布的节假日安排计算）。超标排放等依其他法律作出的处罚不在本清单。")
        overdue = int((pubs["state"] == cr.PUB_OVERDUE).sum())
        if overdue:
            st.warning(f"{overdue} 项处罚已过公示期限仍未公示。")
        if table.empty:
            st.success("截至该日期无需公示的处罚。")
        else:
            st.dataframe(table, hide_index=True, width="stretch")
        left, right = st.columns(2)
        header = [f"{ctx.area_name}清洁生产违法行为行政处罚信息公示清单",
                  f"数据截至 {fmt.cn_date(as_of)}"] + (["样例数据（虚构企业，仅供演示）"]
                                                      if ctx.is_sample else [])
        downloads.button(
            ctx, "下载公示清单（Excel）",
            lambda: export.excel_bytes({"公示清单": table}, header),
            export.file_name(f"{ctx.area_name}处罚信息公示清单", as_of, "xlsx"),
            key="credit_xlsx", icon=":material/table_view:", where=left)
        downloads.button(
            ctx, "下载公示清单（Word）",
            lambda: publication_docx(table, ctx.area_name, as_of, rules.publish_working_days,
                                     ctx.is_sample),
            export.file_name(f"{ctx.area_name}处罚信息公示清单", as_of, "docx"),
            key="credit_docx", icon=":material/description:", where=right)

with t_grade:
    if t_grade.open:
        st.subheader("环境信用等级")
        grades = qc.grades(ctx.source, ctx.scope, ctx.filters)
        years = sorted({int(y) for y in grades["year"]}, reverse=True)
        if not years:
            st.caption("截至该日期尚无信用评价结果。")
        else:
            year = st.selectbox("评价年度", years, key="credit_year",
                                format_func=lambda y: f"{y}年度")
            of_year = grades[grades["year"] == year]
            by_city = pt.grade_table(of_year, "city", CREDIT_GRADES)
            by_ind = pt.grade_table(of_year.sort_values("sort_order"), "industry", CREDIT_GRADES)
            st.markdown("**按城市**")
            st.dataframe(by_city, hide_index=True, width="stretch")
            st.markdown("**按行业**")
            st.dataframe(by_ind, hide_index=True, width="stretch")
            st.caption(f"{year}年度评价结果，单位：家。警示及以下 = 环保警示、环保不良和"
                       "环保黑名单。")
            downloads.button(
                ctx, "下载信用等级（Excel）",
                lambda: export.excel_bytes(
                    {"按城市": by_city, "按行业": by_ind},
                    [f"{ctx.area_name}企业环境信用评价结果（{year}年度）",
                     f"数据截至 {fmt.cn_date(as_of)}"]),
                export.file_name(f"{ctx.area_name}环境信用等级{year}", as_of, "xlsx"),
                key="credit_grade_xlsx", icon=":material/table_view:")
