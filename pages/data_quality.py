"""数据质量: the problems in the jurisdiction's data, by city and by check, the open count after
each import (a line), the offending records with a link to each, and each city's list to download
and send back."""

import streamlit as st

from components import downloads, export, quality_chart, safe, vega
from components.context import get_context
from components.fmt import cn_date
from queries import quality
from queries.enterprise import record_link

ctx = get_context()
f = ctx.filters
st.title("数据质量")
st.caption(f"{safe.text(ctx.area_name)} · 数据截至 {cn_date(f.as_of)} · 统计范围随左侧城市、行业、"
           "园区筛选变化 · 检查规则与数据导入相同：导入更正后的文件，问题数随之减少")

found = quality.problems(ctx.source, ctx.scope, f, ctx.meta.get("province_adcode", ""))
c1, c2, c3 = st.columns(3)
c1.metric("问题", f"{len(found):,} 处")
c2.metric("涉及企业", f"{found['统一社会信用代码'].nunique():,} 家")
c3.metric("涉及城市", f"{found['城市'].nunique():,} 个")

st.subheader("每次导入后的问题数（处）")
history = quality.open_over_time(ctx.source, ctx.scope)
if history.empty:
    st.caption("每次导入或撤销导入之后，记录本辖区的问题数"
               + ("（园区账号不单独记录）。" if ctx.scope.level == "park" else "；尚无导入记录。"))
else:
    vega.chart(quality_chart.open_count_chart, history)
    st.caption(f"每个点是一次导入或撤销导入之后{safe.text(ctx.viewer.scope_name or '全省')}的"
               "问题数（全部城市、行业，按当天计），不随左侧筛选变化。")
if found.empty:
    st.success("当前范围内没有发现数据问题。")
    st.stop()

st.subheader("各市问题数（按检查项，处）")
st.dataframe(quality.by_city_and_check(found), hide_index=True, width="stretch")

st.subheader("问题清单")
left, right = st.columns(2)
checks = [c for c in quality.CHECKS if c in set(found["检查项"])]
picked_checks = left.multiselect("检查项", checks, key="dq_checks", placeholder="全部检查项")
cities = sorted(set(found["城市"]))
picked_cities = right.multiselect("城市", cities, key="dq_cities", placeholder="全部城市")
view = found
if picked_checks:
    view = view[view["检查项"].isin(picked_checks)]
if picked_cities:
    view = view[view["城市"].isin(picked_cities)]
shown = view.head(1000).assign(档案=[record_link(u, f.as_of)
                                     for u in view.head(1000)["统一社会信用代码"]])
shown = shown[["城市", "检查项", "统一社会信用代码", "企业名称", "档案", "问题说明"]]
st.dataframe(shown, hide_index=True, width="stretch",
             column_config={"企业名称": st.column_config.TextColumn("企业名称", pinned=True),
                            "档案": st.column_config.LinkColumn("档案", display_text="查看档案")})
if len(view) > 1000:
    st.caption(f"共 {len(view):,} 处，上表列出前 1,000 处；完整清单请下载。")

st.subheader("下载各市问题清单（发回更正）")
cols = st.columns(3)
for i, city in enumerate(cities):
    rows = found[found["城市"] == city]
    downloads.button(
        ctx, f"{city}（{len(rows):,} 处）",
        lambda rows=rows, city=city: export.excel_bytes(
            {"问题清单": rows}, [f"{city}数据质量问题清单", f"数据截至 {cn_date(f.as_of)}",
                                  "请按“问题说明”更正后，通过数据导入页面重新报送。"]),
        export.file_name(f"{city}_数据质量问题清单", f.as_of, "xlsx"), key=f"dq_city_{i}",
        where=cols[i % 3], icon=":material/download:")
