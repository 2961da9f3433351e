"""Park review visuals: altair charts (returned, not drawn), the park map deck, and the display
tables (Chinese headers with units) shared by the park pages and the review pack. Pure builders:
they take the frames of queries/parks.py and never query."""

from __future__ import annotations

from urllib.parse import urlencode

import altair as alt
import pandas as pd

from components import deck as dk
from components import fmt, safe
from components.filters import link_params
from rules import indicators as ind
from rules.clock import MAP_STATUS_LABELS, MAP_STATUSES, STAGE_LABELS, STAGES
from rules.park_rules import COMPARISON_METRICS, METRICS_BY_KEY
from rules.vocab import CREDIT_GRADES

GREEN, GREY, RED, BLUE = "#1f6f43", "#9aa5a0", "#c0392b", "#2e86c1"
FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"
STAGE_COLORS = ["#bdc3c7", "#95a5a6", "#3498db", "#8e44ad", "#e67e22", "#f1c40f", "#d35400",
                "#27ae60"]
NOT_LISTED = "none"  # map status of a member never listed


# Counts of rounds, options and enterprises are whole: no 0.5 ticks on their axes.
COUNT_AXIS = alt.Axis(tickMinStep=1, format="d")


def _style(chart: alt.Chart) -> alt.Chart:
    return chart.configure_axis(labelFont=FONT, titleFont=FONT, labelLimit=260).configure_legend(
        labelFont=FONT, titleFont=FONT).configure_title(font=FONT)


def park_link(params: dict, park_id: int) -> str:
    """Relative link to the park page for one park, keeping the other URL parameters (city,
    as-of date, time) so the opened view matches the current one."""
    query = {k: v for k, v in link_params(params).items() if k != "park"}
    query["park"] = str(int(park_id))
    return "park?" + urlencode(query)


# --------------------------------------------------------------------------------------------
# Display tables
# --------------------------------------------------------------------------------------------

def _pct(x: pd.Series) -> pd.Series:
    return (x.astype("float64") * 100).round(1)


SORT_KEYS = {
    "enterprises": ind.name("park_members") + "数",
    "audited_enterprises": ind.name("park_audited") + "数",
    "overdue_rounds": "逾期轮次",
    "investment_wan": "已实施方案投资",
    "energy_tce": "节能量",
    **{m.key: m.label for m in COMPARISON_METRICS},
}


def scorecard_table(card: pd.DataFrame, links: list[str] | None = None) -> pd.DataFrame:
    """The park scorecard as shown: one row per park, Chinese headers with units. Numbers stay
    numbers (so the table sorts), percentages in % with one decimal."""
    out = pd.DataFrame({
        "园区": card["name"], "级别": card["level"], "类型": card["park_type"],
        "城市": card["city"], ind.label("park_members"): card["enterprises"],
        "行业构成（家）": card["industries"],
        "审核轮次（轮）": card["rounds"],
        "审核中（轮）": card["stage_listed"] + card["stage_disclosed"] + card["stage_started"],
        "已提交报告（轮）": card["stage_reported"],
        "评估通过（轮）": card["stage_evaluated"],
        "验收通过（轮）": card["stage_accepted"],
        "未通过（轮）": card["stage_evaluation_failed"] + card["stage_acceptance_failed"],
        "逾期（轮）": card["overdue_rounds"],
        ind.label("park_audited"): card["audited_enterprises"],
        ind.label("park_audit_rate"): _pct(card["audit_rate"]),
        "整体审核": card["cluster_status"].fillna("—"),
        "已实施方案（项）": card["options_done"].astype("int64"),
        "实施投资（万元）": card["investment_wan"].round(1),
        "家均投资（万元/家）": card["investment_per_ent"].round(2),
        "节能量（吨标准煤/年）": card["energy_tce"].round(1),
        "家均节能量（吨标准煤/年·家）": card["energy_per_ent"].round(2),
        "COD减排（吨/年）": card["cod_t"].round(2),
        "家均COD减排（吨/年·家）": card["cod_per_ent"].round(3),
        "Ⅰ级（家）": card["cp_Ⅰ级"], "Ⅱ级（家）": card["cp_Ⅱ级"], "Ⅲ级（家）": card["cp_Ⅲ级"],
        **{f"{g}（家）": card[f"credit_{g}"] for g in CREDIT_GRADES},
    })
    if links is not None:
        out.insert(0, "详情", links)
    return out


def comparison_table(cmp: pd.DataFrame, metric: str) -> pd.DataFrame:
    m = METRICS_BY_KEY[metric]
    value = _pct(cmp["value"]) if m.percent else cmp["value"].round(2)
    return pd.DataFrame({"排名": cmp["rank"], "园区": cmp["name"], "级别": cmp["level"],
                         "城市": cmp["city"], ind.label("park_members"): cmp["enterprises"],
                         m.title: value})


def members_table(m: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "企业名称": m["name"], "行业": m["industry"], "规模": m["scale"],
        "审核轮次（轮）": m["rounds"],
        "最近一轮方式": m["audit_mode"].fillna("—"),
        "最近一轮状态": m["stage_label"].fillna("未列入名单"),
        "需关注": m["reason"].fillna(""),
        "已完成审核": m["audited"].map({True: "是", False: "否"}),
        "参加整体审核": m["in_cluster"].map({True: "是", False: "否"}),
        "清洁生产水平": m["cp_level"].fillna("—"),
        "最新信用评价": m["credit"].fillna("—"),
        "统一社会信用代码": m["uscc"],
    })


def _date(s: pd.Series) -> pd.Series:
    return pd.Series(fmt.cn_dates(pd.to_datetime(s, errors="coerce")), index=s.index,
                     dtype=object)


def _result(flag: pd.Series) -> pd.Series:
    return flag.map(lambda v: "—" if v is None or pd.isna(v) else ("通过" if v else "未通过"))


def clusters_table(cl: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "整体审核名称": cl["name"], "审核方式": "园区整体审核",
        "咨询机构": cl["consultancy"].fillna("—"), "启动日期": _date(cl["start_date"]),
        "评估日期": _date(cl["evaluation_date"]), "评估结论": _result(cl["evaluation_pass"]),
        "验收日期": _date(cl["acceptance_date"]), "验收结论": _result(cl["acceptance_pass"]),
        "状态": cl["status"], "成员审核轮次（轮）": cl["members"],
        "计为成员审核": cl["passed"].map({True: "是（每家成员各计一轮）", False: "否（尚未通过）"}),
    })


def member_rounds_table(mr: pd.DataFrame, cl: pd.DataFrame) -> pd.DataFrame:
    names = dict(zip(cl["cluster_id"], cl["name"]))
    return pd.DataFrame({
        "整体审核": mr["cluster_id"].map(names), "企业名称": mr["enterprise_name"],
        "行业": mr["industry"], "轮次": mr["round_no"],
        "列入日期": _date(mr["listing_date"]), "本轮状态": mr["stage_label"],
        "计为一轮审核": mr["counts"].map({True: "是", False: "否"}),
    })


def categories_table(cats: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"方案类别": cats["category"], "方案数（项）": cats["options"],
                         "已实施（项）": cats["implemented"],
                         "已实施投资（万元）": cats["investment_wan"].round(1),
                         "提出企业（家）": cats["enterprises"]})


def problems_table(pb: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"问题": pb["problem"], "涉及企业（家）": pb["enterprises"]})


def history_table(h: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "年份": h["year"].astype(str), "列入审核（轮）": h["listed"],
        "评估通过（轮）": h["evaluated"], "验收通过（轮）": h["accepted"],
        "实施方案（项）": h["options_done"], "实施投资（万元）": h["investment_wan"].round(1),
        "节能量（吨标准煤/年）": h["energy_tce"].round(1), "COD减排（吨/年）": h["cod_t"].round(2),
        "整体审核": h["cluster_events"],
    })


def issues_table(iss: pd.DataFrame, with_park: bool = True) -> pd.DataFrame:
    out = pd.DataFrame({"园区": iss["park"], "企业名称": iss["enterprise"],
                        "登记园区": iss["recorded_park"], "问题": iss["issue"],
                        "统一社会信用代码": iss["uscc"]})
    return out if with_park else out.drop(columns="园区")


# --------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------

def stage_chart(card: pd.DataFrame, top: int = 25) -> alt.Chart:
    """Audit rounds of each park by stage, stacked; the `top` parks with most rounds."""
    card = card[card["rounds"] > 0].nlargest(top, "rounds")
    order = [STAGE_LABELS[s] for s in STAGES]
    long = card.melt(id_vars=["name"], value_vars=[f"stage_{s}" for s in STAGES],
                     var_name="stage", value_name="轮次")
    long["阶段"] = long["stage"].str.removeprefix("stage_").map(STAGE_LABELS)
    long = long[long["轮次"] > 0].rename(columns={"name": "园区"})
    long["order"] = long["阶段"].map({v: i for i, v in enumerate(order)})
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("园区:N", sort=list(card["name"]), title=None),
        x=alt.X("sum(轮次):Q", title="审核轮次（轮）", axis=COUNT_AXIS),
        color=alt.Color("阶段:N", sort=order, scale=alt.Scale(domain=order, range=STAGE_COLORS),
                        legend=alt.Legend(orient="bottom", columns=4)),
        order=alt.Order("order:Q"),
        tooltip=["园区", "阶段", alt.Tooltip("sum(轮次):Q", title="轮次（轮）")],
    ).properties(height=alt.Step(20), title="各园区审核轮次（按阶段）")
    return _style(chart)


def comparison_chart(cmp: pd.DataFrame, metric: str, highlight: int | None = None) -> alt.Chart:
    """One bar per park of a type on a normalised metric, with the type's median as a rule."""
    m = METRICS_BY_KEY[metric]
    df = cmp.dropna(subset=["value"]).copy()
    df["值"] = df["value"] * (100 if m.percent else 1)
    df["园区"] = df["name"]
    df["本园区"] = df["park_id"] == highlight if highlight is not None else False
    median = float(df["值"].median()) if len(df) else 0.0
    figure = ",.1f" if m.percent else ",.2f"  # a share in % has one decimal everywhere
    base = alt.Chart(df).encode(y=alt.Y("园区:N", sort="-x" if m.higher_is_better else "x",
                                        title=None))
    bars = base.mark_bar().encode(
        x=alt.X("值:Q", title=m.title),
        color=alt.condition(alt.datum["本园区"], alt.value(RED), alt.value(GREEN)),
        tooltip=["园区", alt.Tooltip("值:Q", title=m.title, format=figure),
                 alt.Tooltip("enterprises:Q", title=ind.label("park_members"))])
    rule = alt.Chart(pd.DataFrame({"中位数": [median]})).mark_rule(
        color=GREY, strokeDash=[4, 3], size=2).encode(
        x="中位数:Q", tooltip=[alt.Tooltip("中位数:Q", format=figure)])
    chart = alt.layer(bars, rule).properties(
        height=alt.Step(20), title=f"{m.label}（虚线为同类园区中位数）")
    return _style(chart)


def category_chart(cats: pd.DataFrame) -> alt.Chart:
    long = cats.rename(columns={"category": "方案类别"}).assign(
        未实施=lambda d: d["options"] - d["implemented"]).rename(columns={"implemented": "已实施"})
    long = long.melt(id_vars=["方案类别"], value_vars=["已实施", "未实施"], var_name="状态",
                     value_name="方案数")
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("方案类别:N", sort=list(cats["category"]), title=None),
        x=alt.X("sum(方案数):Q", title="方案数（项）", axis=COUNT_AXIS),
        color=alt.Color("状态:N", scale=alt.Scale(domain=["已实施", "未实施"],
                                                range=[GREEN, GREY]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=["方案类别", "状态", alt.Tooltip("sum(方案数):Q", title="方案数（项）")],
    ).properties(height=alt.Step(24), title="成员企业方案类别")
    return _style(chart)


def history_chart(h: pd.DataFrame) -> alt.Chart:
    long = h.assign(年份=h["year"].astype(str)).melt(
        id_vars=["年份"], value_vars=["listed", "evaluated", "accepted"], var_name="k",
        value_name="轮次")
    names = {"listed": "列入审核", "evaluated": "评估通过", "accepted": "验收通过"}
    long["事项"] = long["k"].map(names)
    order = list(names.values())
    chart = alt.Chart(long).mark_bar().encode(
        x=alt.X("年份:N", title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("事项:N", sort=order),
        y=alt.Y("轮次:Q", title="审核轮次（轮）", axis=COUNT_AXIS),
        color=alt.Color("事项:N", sort=order, scale=alt.Scale(domain=order,
                                                            range=[GREY, BLUE, GREEN]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=["年份", "事项", "轮次"],
    ).properties(height=240, title=alt.Title("历年审核情况", anchor="start"))
    return _style(chart)


def industry_chart(m: pd.DataFrame) -> alt.Chart:
    counts = m.groupby("industry", as_index=False).agg(企业数=("uscc", "nunique"))
    counts = counts.rename(columns={"industry": "行业"}).sort_values("企业数", ascending=False)
    chart = alt.Chart(counts).mark_bar(color=GREEN).encode(
        y=alt.Y("行业:N", sort="-x", title=None),
        x=alt.X("企业数:Q", title=ind.label("park_members"), axis=COUNT_AXIS),
        tooltip=["行业", "企业数"]).properties(height=alt.Step(22), title="成员企业行业构成")
    return _style(chart)


# --------------------------------------------------------------------------------------------
# Map
# --------------------------------------------------------------------------------------------

LEGEND = [(s, MAP_STATUS_LABELS[s]) for s in MAP_STATUSES] + [(NOT_LISTED, "未列入名单")]
STATUS_RGB = {**dk.STATUS_COLORS, NOT_LISTED: [90, 90, 90]}
OUTSIDER_RGB = [0, 0, 0]


def legend_html() -> str:
    items = [f'<span style="color:rgb({",".join(map(str, STATUS_RGB[k]))})">●</span> {label}'
             for k, label in LEGEND]
    items.append('<span style="color:#000">●</span> 边界内但未登记为园区企业（黑点）')
    return "图例：" + "　".join(items)


def park_deck(park: dict, members: pd.DataFrame, outsiders: pd.DataFrame,
              county: dict | None = None, width_px: int = 900, height_px: int = 520
              ) -> dk.CompactDeck:
    """The park boundary, its member enterprises coloured by the status of their latest round,
    and enterprises inside the boundary that are not recorded as members; offline (no basemap).
    `county` is the county outline (GeoJSON) drawn as context."""
    layers = []
    if county:
        layers.append(dk.boundary_layer(county, "park-county", [150, 150, 150, 255], 1,
                                        [245, 245, 240, 255]))
    bounds = None
    if park.get("boundary"):
        gj = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": park["boundary"], "properties": {}}]}
        layers.append(dk.boundary_layer(gj, "park-boundary", [31, 111, 67, 255], 2.5,
                                        [31, 111, 67, 40]))
        import shapely

        bounds = shapely.geometry.shape(park["boundary"]).bounds
    pts = members.dropna(subset=["lon", "lat"])
    for status, _label in LEGEND:
        sub = pts[pts["map_status"] == status]
        if len(sub):
            recs = dk.point_records(sub.assign(name=safe.tooltips(sub["name"]),
                                               s=sub["stage_label"].fillna("未列入名单")),
                                    {"n": "name", "s": "s"})
            layers.append(dk.point_layer(recs, f"park-members-{status}", STATUS_RGB[status],
                                         radius_px=6))
    out = outsiders.dropna(subset=["lon", "lat"])
    if len(out):
        recs = dk.point_records(out.assign(enterprise=safe.tooltips(out["enterprise"]),
                                           s="边界内但未登记为园区企业"), {"n": "enterprise",
                                                                     "s": "s"})
        layers.append(dk.point_layer(recs, "park-outsiders", OUTSIDER_RGB, radius_px=5))
    xs = list(pts["lon"]) + list(out["lon"])
    ys = list(pts["lat"]) + list(out["lat"])
    if bounds is not None:
        xs += [bounds[0], bounds[2]]
        ys += [bounds[1], bounds[3]]
    if not xs and park.get("lon") is not None:
        xs, ys = [park["lon"]], [park["lat"]]
    view = dk.view_for((min(xs), min(ys), max(xs), max(ys)) if xs else (118, 31, 122, 35),
                       width_px, height_px)
    tooltip = {"html": "<b>{n}</b><br/>{s}",
               "style": {"fontSize": "12px", "backgroundColor": "#fff", "color": "#222"}}
    return dk.deck(layers, view, tooltip)

