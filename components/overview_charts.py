"""Altair charts of the overview: city league, quarterly completions, industry breakdown.

Pure builders: they take the small aggregated frames of queries/overview.py and RETURN an
altair chart (alt.Chart, or a layer/concat of them); nothing is drawn here.
Labels are Chinese; units are in the axis titles.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from rules.clock import MAP_STATUS_LABELS, MAP_STATUSES

GREEN, LIGHT_GREEN, RED, ORANGE = "#1f6f43", "#8fc1a4", "#c0392b", "#e67e22"
STATUS_COLOURS = {"listed": "#c9d3ce", "in_audit": "#7fb3d5", "reported": "#2e86c1",
                  "evaluated": LIGHT_GREEN, "accepted": GREEN, "overdue": ORANGE,
                  "failed": RED}


def league_chart(league: pd.DataFrame, places: str = "城市") -> alt.HConcatChart:
    """Two bar panels sharing the league order: audits completed per 100 listed enterprises
    (green) and overdue enterprises per 100 (orange), each on its own scale."""
    order = list(league["地区"])
    tooltip = [alt.Tooltip("排名:Q"), alt.Tooltip("地区:N", title=places),
               alt.Tooltip("列入企业:Q", title="列入企业（家）"),
               alt.Tooltip("已完成审核:Q", title="已完成审核（轮）"),
               alt.Tooltip("每百家完成:Q", title="每百家完成（轮）", format=".1f"),
               alt.Tooltip("逾期企业:Q", title="逾期企业（家）"),
               alt.Tooltip("每百家逾期:Q", title="每百家逾期（家）", format=".1f")]

    def panel(field: str, title: str, colour: str, labels: bool, width: int) -> alt.LayerChart:
        base = alt.Chart(league).encode(
            y=alt.Y("地区:N", sort=order, title=None,
                    axis=alt.Axis(labelFontSize=12) if labels else None),
            tooltip=tooltip)
        top = max(float(league[field].max()), 1.0) * 1.2
        bars = base.mark_bar(color=colour).encode(
            x=alt.X(f"{field}:Q", title=title, scale=alt.Scale(domain=[0, top])))
        text = base.mark_text(align="left", dx=3, fontSize=11).encode(
            x=f"{field}:Q", text=alt.Text(f"{field}:Q", format=".1f"))
        return (bars + text).properties(width=width, height=alt.Step(24))

    return alt.hconcat(
        panel("每百家完成", "已完成审核（轮/百家列入企业）", GREEN, True, 300),
        panel("每百家逾期", "逾期企业（家/百家列入企业）", ORANGE, False, 170),
        spacing=12,
    ).properties(title=f"各{places}每百家列入企业的完成与逾期（按排名）")


def quarterly_chart(quarters: pd.DataFrame) -> alt.LayerChart:
    """Audits completed per quarter; the as-of quarter (still running) is drawn lighter."""
    df = quarters.assign(
        简称=quarters["季度"].str.replace("年第", "Q").str.removesuffix("季度"),
        说明=quarters["截至日期所在季度"].map({True: "本季度（截至日期）", False: "已结束季度"}))
    top = max(int(df["完成审核"].max()) if len(df) else 0, 1) * 1.18
    base = alt.Chart(df).encode(x=alt.X("简称:N", sort=list(df["简称"]), title=None,
                                        axis=alt.Axis(labelAngle=-40, labelOverlap=False)))
    bars = base.mark_bar().encode(
        y=alt.Y("完成审核:Q", title="完成审核（轮）", scale=alt.Scale(domain=[0, top]),
                axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("说明:N", scale=alt.Scale(domain=["已结束季度", "本季度（截至日期）"],
                                                range=[GREEN, LIGHT_GREEN]),
                        legend=alt.Legend(orient="top", title=None)),
        tooltip=["季度:N", alt.Tooltip("完成审核:Q", title="完成审核（轮）"),
                 alt.Tooltip("新列入:Q", title="新列入（轮）")])
    labels = base.mark_text(dy=-7, fontSize=11).encode(y="完成审核:Q", text="完成审核:Q")
    return (bars + labels).properties(height=340, title="各季度完成审核轮次")


def industry_chart(long: pd.DataFrame) -> alt.Chart:
    """Stacked horizontal bars: rounds per industry by status (MAP_STATUSES order)."""
    labels = [MAP_STATUS_LABELS[m] for m in MAP_STATUSES]
    colours = [STATUS_COLOURS[m] for m in MAP_STATUSES]
    order = list(dict.fromkeys(long["行业"]))
    df = long.assign(排序=long["状态"].map(labels.index))
    return (alt.Chart(df).mark_bar().encode(
        y=alt.Y("行业:N", sort=order, title=None),
        x=alt.X("轮次:Q", title="审核轮次（轮）", stack="zero"),
        color=alt.Color("状态:N", scale=alt.Scale(domain=labels, range=colours),
                        legend=alt.Legend(orient="top", title=None, columns=4)),
        order=alt.Order("排序:Q"),
        tooltip=["行业:N", "状态:N", alt.Tooltip("轮次:Q", title="轮次（轮）")],
    ).properties(height=alt.Step(26), title="各行业审核进展"))
