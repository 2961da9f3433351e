"""Altair charts of the plan page: cumulative planned vs actual, completion by region, and the
cities and industries that drive a shortfall. Builders are pure and return alt.Chart."""

from __future__ import annotations

import altair as alt
import pandas as pd

from components import fmt
from rules.plan_status import PLAN_MARK_LABELS

GREEN, GREY, RED, ORANGE, BLUE = "#1f6f43", "#7f8c8d", "#c0392b", "#e67e22", "#2e86c1"
SERIES = {"planned": "计划累计", "actual": "实际累计", "projected": "按当前进度预计"}
MARK_COLOURS = {PLAN_MARK_LABELS["on_track"]: GREEN, PLAN_MARK_LABELS["at_risk"]: ORANGE,
                PLAN_MARK_LABELS["behind"]: RED, "未设目标": GREY}


def cumulative_chart(curve: pd.DataFrame, unit: str, title: str) -> alt.Chart:
    """Lines of the cumulative target, the actual and the projection by year-end (columns year,
    planned, actual, projected). The projection is dashed."""
    long = curve.melt(id_vars="year", value_vars=list(SERIES), var_name="key", value_name="value")
    long = long.dropna(subset=["value"])
    long["series"] = long["key"].map(SERIES)
    long["年份"] = long["year"].astype(int).astype(str) + "年"
    domain = list(SERIES.values())
    return (alt.Chart(long, title=title)
            .mark_line(point=True, strokeWidth=2.5)
            .encode(x=alt.X("年份:O", title=None, axis=alt.Axis(labelAngle=0)),
                    y=alt.Y("value:Q", title=unit),
                    color=alt.Color("series:N", title=None,
                                    scale=alt.Scale(domain=domain, range=[GREY, GREEN, BLUE]),
                                    legend=alt.Legend(orient="top")),
                    strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(
                        domain=domain, range=[[6, 3], [1, 0], [2, 3]]), legend=None),
                    tooltip=[alt.Tooltip("年份:O"), alt.Tooltip("series:N", title="系列"),
                             alt.Tooltip("value:Q", title=unit,
                                         format=f",.{fmt.digits_for(unit)}f")])
            .properties(height=300))


def completion_chart(board: pd.DataFrame, elapsed_share: float, title: str) -> alt.Chart:
    """Completion rate (actual / period target) per region, coloured by mark, with a rule at the
    share of the period elapsed (the on-track line). Columns 地区, 完成率, 状态."""
    data = board[["地区", "完成率", "状态"]].dropna(subset=["完成率"]).copy()
    bars = (alt.Chart(data)
            .mark_bar()
            .encode(y=alt.Y("地区:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False)),
                    x=alt.X("完成率:Q", title="完成率（实际 ÷ 期内目标）",
                            axis=alt.Axis(format="%")),
                    color=alt.Color("状态:N", title=None,
                                    scale=alt.Scale(domain=list(MARK_COLOURS),
                                                    range=list(MARK_COLOURS.values())),
                                    legend=alt.Legend(orient="top")),
                    tooltip=["地区:N", alt.Tooltip("完成率:Q", format=".1%"), "状态:N"])
            .properties(height=max(160, 30 * len(data))))
    rule = (alt.Chart(pd.DataFrame({"时间进度": [elapsed_share]}))
            .mark_rule(color="black", strokeDash=[4, 3])
            .encode(x="时间进度:Q", tooltip=[alt.Tooltip("时间进度:Q", format=".1%")]))
    return (bars + rule).properties(title=title)


def shortfall_chart(drivers: pd.DataFrame, unit: str, title: str) -> alt.Chart:
    """Horizontal bars of the projected shortfall per region × industry (columns 地区, 行业, 缺口,
    目标, 预计期末), largest first."""
    data = drivers.copy()
    figure = f",.{fmt.digits_for(unit)}f"  # a count is whole: 预计期末 174 轮
    data["对象"] = data["地区"] + " · " + data["行业"]
    return (alt.Chart(data, title=title)
            .mark_bar(color=RED)
            .encode(y=alt.Y("对象:N", sort="-x", title=None,
                            axis=alt.Axis(labelOverlap=False, labelLimit=260)),
                    x=alt.X("缺口:Q", title=f"预计期末缺口（{unit}）"),
                    tooltip=["地区:N", "行业:N",
                             alt.Tooltip("目标:Q", format=figure),
                             alt.Tooltip("预计期末:Q", format=figure),
                             alt.Tooltip("缺口:Q", format=figure)])
            .properties(height=max(160, 30 * len(data))))
