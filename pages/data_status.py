"""数据概况: what the database holds for the viewer's scope as of the chosen date, and where it
comes from."""

import streamlit as st

from components import fmt, safe
from components.context import get_context
from queries import inventory
from rules import indicators as ind

ctx = get_context()
st.title("数据概况")
st.caption(f"{safe.text(ctx.area_name)} · 统计范围随左侧筛选条件变化 · "
           f"数据截至 {fmt.cn_date(ctx.filters.as_of)}（其后列入的企业、公布的批次不计）")
if ctx.is_sample:
    st.info("当前为样例数据：企业名称均为虚构，统一社会信用代码与排污许可证编号仅满足校验规则。")

counts = inventory.record_counts(ctx.source, ctx.scope, ctx.filters)
helps = {ind.name(i): ind.help_text(i, ctx.clock) for i in ("listed_enterprises", "rounds")}
cols = st.columns(4)
for i, row in enumerate(counts.itertuples()):
    cols[i % 4].metric(f"{row.类别}（{row.单位}）", f"{row.记录数:,}", help=helps.get(row.类别))

left, right = st.columns([1, 1])
with left:
    st.subheader("列入批次")
    st.dataframe(fmt.table(inventory.batches(ctx.source, ctx.scope, ctx.filters, ctx.clock)),
                 hide_index=True, width="stretch")
    for problem in inventory.clock_problems(ctx.source, ctx.clock):
        st.warning(problem)
with right:
    st.subheader(f"各市{ind.name('listed_enterprises')}数（按行业，家）")
    by = inventory.enterprises_by_city_industry(ctx.source, ctx.scope, ctx.filters)
    if by.empty:
        st.info("当前筛选条件下没有列入审核的企业。")
    else:
        table = by.pivot_table(index="城市", columns="行业", values="企业数", aggfunc="sum",
                               fill_value=0, sort=False)
        table["合计"] = table.sum(axis=1)
        st.dataframe(table, width="stretch")
