"""指标说明: every number the platform shows, defined once (rules/indicators.py), and the
statutory clock in force for this province (rules/clock.py, rules/clock_rules.toml). Every
number's help text on the other pages links here."""

import pandas as pd
import streamlit as st

from components import downloads, export, fmt, safe
from components.context import get_context
from rules import indicators as ind

ctx = get_context()
clock = ctx.clock
st.title("指标说明")
st.caption(f"{safe.text(ctx.area_name)} · 各页面、地图、图表、Word 和 Excel 中同名的数字口径相同 · "
           f"数据截至 {fmt.cn_date(ctx.filters.as_of)}")
st.markdown("同一件事有两种有用的数法时（按企业计“家”或按审核计“轮”；本年**到期**的审核或本年"
            "**完成**的审核；累计进展或对计划目标的完成率），平台用两个名称分别显示，名称本身说明区别。")

rows = ind.table_rows(clock)
downloads.button(ctx, "下载指标说明（Excel）",
                 lambda: export.excel_bytes(  # built on click
                     {"指标说明": pd.DataFrame(rows),
                      "法定时限": pd.DataFrame(ind.clock_rules_in_force(clock),
                                           columns=["规则", "现行设定"])},
                     [f"{ctx.area_name}清洁生产审核监督平台指标说明",
                      f"数据截至 {fmt.cn_date(ctx.filters.as_of)}"]),
                 export.file_name("指标说明", ctx.filters.as_of, "xlsx"),
                 key="ind_xlsx", icon=":material/table_view:")

st.subheader("法定时限（本省现行规则）")
st.caption("逾期、到期和“完成审核”都按这些规则计算；规则由系统管理员在时限配置中设定。")
# a list, not a grid: the settings are sentences, and a grid would cut them off
st.markdown("\n".join(f"- **{rule}**：{value}" for rule, value in ind.clock_rules_in_force(clock)))

st.subheader("指标口径")
wanted = st.text_input("查找指标", key="ind_find", placeholder="输入指标名称中的字，如“完成”“逾期”")
found = 0
for n, (group, ids) in enumerate(ind.GROUPS):
    shown = [ind.get(i) for i in ids if not wanted or wanted.strip() in ind.name(i)]
    if not shown:
        continue
    found += len(shown)
    # one section open at a time keeps the page short; a search opens every section it found
    with st.expander(f"{group}（{len(shown)}项）", expanded=bool(wanted) or n == 0):
        cols = st.columns(2)
        for k, i in enumerate(shown):
            with cols[k % 2].container(border=True):
                st.markdown(f"**{i.name}**" + (f"（{i.unit}）" if i.unit
                                              else "（单位同所选对标指标）"))
                st.markdown(f"{ind.definition(i.id, clock)}  \n"
                            f"**按哪个日期：** {i.date_rule.format(**ind.clock_words(clock))}  \n"
                            f"**范围与筛选：** {i.scope_rule}  \n"
                            f"**出现在：** {'、'.join(i.shown_on) or '—'}")
if not found:
    st.info(f"没有名称含“{safe.text(wanted)}”的指标。")
