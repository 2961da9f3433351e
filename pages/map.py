"""地图: enterprises by audit status, parks and jurisdictions of the province, offline.

Clicking an enterprise opens its record (企业档案), clicking a park opens the park view (园区详情).
"""

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from components import fmt, map_view, safe
from components.context import get_context
from components.deck import shared, view_for
from queries import geo
from rules.vocab import OUTCOME_COLUMNS

ctx = get_context()
province = ctx.meta.get("province_adcode", "")
as_of = ctx.filters.as_of

st.title("地图")
st.caption(f"{safe.text(ctx.area_name)} · 各企业按最近一轮审核的状态着色 · "
           f"数据截至 {fmt.cn_date(as_of)}"
           + (" · 样例数据" if ctx.is_sample else ""))

# --- layer switches (page-prefixed keys) -----------------------------------------------------
REGION_LEVELS = {"none": "不着色", "city": "按市", "county": "按区县"}
OUTCOMES = {col: (col, label, unit) for col, label, unit in OUTCOME_COLUMNS}
c1, c2, c3, c4, c5, c6 = st.columns([0.9, 0.9, 1.1, 1.3, 1.3, 1.6])
show_points = c1.toggle("企业点位", value=True, key="map_points")
show_parks = c2.toggle("园区范围", value=True, key="map_parks")
region_level = c3.selectbox("行政区着色", list(REGION_LEVELS), format_func=REGION_LEVELS.get,
                            key="map_region")
metric = c4.selectbox("着色指标", list(map_view.REGION_METRICS),
                      format_func=lambda k: map_view.REGION_METRICS[k][0], key="map_metric",
                      disabled=region_level == "none")
park_metric = c5.selectbox("园区着色指标", list(map_view.PARK_METRICS),
                           format_func=lambda k: map_view.PARK_METRICS[k][0],
                           key="map_park_metric", disabled=not show_parks)
outcome = None
if metric == "reduction" and region_level != "none":
    outcome = c6.selectbox("减排类别", list(OUTCOMES), format_func=lambda k: OUTCOMES[k][1],
                           index=1, key="map_outcome")

# --- data ------------------------------------------------------------------------------------
try:
    province_geo = geo.boundary_geojson(province, "省")
except ValueError as exc:  # an unknown province adcode in app_meta
    st.error(f"无法加载行政区划边界：{safe.text(exc)}")
    st.stop()
# A city, county or park official's map draws their own city and counties only.
mine = geo.scope_region_codes(ctx.source, ctx.scope)
city_geo = geo.scoped_geojson(geo.boundary_geojson(province, "市"), mine)
county_geo = geo.scoped_geojson(geo.boundary_geojson(province, "区县"), mine)
points = geo.enterprise_points(ctx.source, ctx.scope, ctx.filters, ctx.clock, province)
issues = geo.location_issues(ctx.source, ctx.scope, ctx.filters, province)
parks = geo.park_metrics(ctx.source, ctx.scope, ctx.filters, ctx.clock)

legends = [map_view.status_legend_html(points["map_status"].value_counts().to_dict())
           if show_points else ""]
regions = None
if region_level != "none":
    metrics = geo.region_metrics(ctx.source, ctx.scope, ctx.filters, ctx.clock, region_level)
    base = city_geo if region_level == "city" else county_geo
    regions, legend = map_view.region_fill(base, metrics, metric,
                                           OUTCOMES.get(outcome) if outcome else None)
    legends.append(legend)
park_layer_geo, park_ids = None, []
if show_parks and not parks.empty:
    park_layer_geo, legend = map_view.park_fill(parks, park_metric)
    park_ids = [f["properties"]["id"] for f in park_layer_geo["features"]]
    legends.append(legend)

bounds = geo.view_bounds(province, ctx.scope, ctx.filters)
tile_url = map_view.configured_tile_url()
view_key = ("map", ctx.source, ctx.scope, ctx.filters, ctx.clock, show_points, show_parks,
            region_level, metric, park_metric, outcome, tile_url)
deck = shared(view_key, lambda: map_view.build_map(
    province_geo, city_geo, county_geo, view_for(bounds, 1000, 640),
    points=points if show_points else None, parks=park_layer_geo, regions=regions,
    tile_url=tile_url))

# --- the map and its legend ------------------------------------------------------------------
left, right = st.columns([5, 1.3])
with left:
    event = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object",
                            key="map_deck", height=640)
with right:
    st.markdown("**图例**")
    for legend in legends:
        if legend:
            st.markdown(legend, unsafe_allow_html=True)
    st.caption(f"地图标注 {len(points):,} 家列入审核的企业（截至 {fmt.cn_date(as_of)}）。"
               "点击企业打开企业档案，点击园区打开园区详情。"
               + ("企业较多，悬停只显示名称和审核状态；可按市、行业筛选后查看行业和园区。"
                  if show_points and len(points) > map_view.DETAILED_POINTS else ""))

# --- a click opens the record ----------------------------------------------------------------
selection = event["selection"] if event else None
target = map_view.picked_target(selection, points if show_points else None, park_ids)
if target is not None:
    page, params, what = map_view.record_page(target)
    try:
        st.switch_page(page, query_params=params)
    except StreamlitAPIException:
        st.warning(f"{what}页面暂未启用，无法打开所选对象（{safe.short(target[1])}）。")

# --- data quality: coordinates that cannot be right --------------------------------------------
st.subheader("坐标核查")
if issues.empty:
    st.success("当前范围内所有企业的坐标均位于登记区县内。")
else:
    counts = issues["problem"].value_counts(sort=False)  # most serious first
    st.warning(f"{len(issues):,} 家企业的坐标有误，未在地图上标注，请核实后更正："
               + "；".join(f"{p} {n:,} 家" for p, n in counts.items()) + "。")
    table = pd.DataFrame({
        "企业名称": issues["name"], "统一社会信用代码": issues["uscc"],
        "所在市": issues["city"], "登记区县": issues["county"],
        "经度": issues["lon"], "纬度": issues["lat"], "问题": issues["problem"],
        "坐标实际所在区县": issues["found_county"].fillna("—"),
    })
    st.dataframe(table, hide_index=True, width="stretch")
