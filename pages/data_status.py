"""数据概况: what the database holds for the viewer's scope, and where it comes from."""

import streamlit as st

from components import safe
from components.context import get_context
from queries import inventory

ctx = get_context()
st.title("数据概况")
st.caption(f"{safe.text(ctx.area_name)} · 统计范围随左侧筛选条件变化 · "
           f"数据截至 {ctx.filters.as_of:%Y-%m-%d}")
if ctx.is_sample:
    st.info("当前为样例数据：企业名称均为虚构，统一社会信用代码与排污许可证编号仅满足校验规则。")

counts = inventory.record_counts(ctx.source, ctx.scope, ctx.filters)
cols = st.columns(4)
for i, row in enumerate(counts.itertuples()):
    cols[i % 4].metric(row.类别, f"{row.记录数:,}")

left, right = st.columns([1, 1])
with left:
    st.subheader("列入批次")
    st.dataframe(inventory.batches(ctx.source, ctx.scope, ctx.filters, ctx.clock),
                 hide_index=True, width="stretch")
    for problem in inventory.clock_problems(ctx.source, ctx.clock):
        st.warning(problem)
with right:
    st.subheader("各市重点企业数（按行业）")
    by = inventory.enterprises_by_city_industry(ctx.source, ctx.scope, ctx.filters)
    if by.empty:
        st.info("当前筛选条件下没有企业。")
    else:
        table = by.pivot_table(index="城市", columns="行业", values="企业数", aggfunc="sum",
                               fill_value=0, sort=False)
        table["合计"] = table.sum(axis=1)
        st.dataframe(table, width="stretch")
