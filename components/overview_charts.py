"""The overview's tables (plan progress, achievements, the city league) and its charts:
quarterly completions, industry breakdown.

Pure builders: they take the small aggregated frames of queries/overview.py and RETURN a pandas
Styler (the tables, drawn by components/html_table) or an altair chart; nothing is drawn here.
Labels are Chinese; units are in the axis titles.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
from pandas.io.formats.style import Styler

from rules import indicators as ind
from rules.clock import MAP_STATUS_LABELS, MAP_STATUSES

GREEN, LIGHT_GREEN, RED, ORANGE = "#1f6f43", "#8fc1a4", "#c0392b", "#e67e22"
LIGHT_ORANGE = "#f0b27a"
# League columns (queries.overview.league) -> the registry's labels (name and unit).
LEAGUE_HEADINGS = {c: ind.label(i) for c, i in (
    ("列入企业", "listed_enterprises"), ("已完成审核", "completed_total"),
    ("每百家完成", "completed_per_100"), ("逾期企业", "overdue_enterprises"),
    ("每百家逾期", "overdue_per_100"), ("评估未通过", "eval_failed"))}
STATUS_COLOURS = {"listed": "#c9d3ce", "in_audit": "#7fb3d5", "reported": "#2e86c1",
                  "evaluated": LIGHT_GREEN, "accepted": GREEN, "overdue": ORANGE,
                  "failed": RED}


def plan_table(table: pd.DataFrame) -> Styler:
    """The plan year's figures: target and completed rounds, share done (one decimal), status;
    a figure without a target shows "—"."""
    df = table[["指标", "年度目标", "已完成", "完成率", "状态"]].rename(
        columns={"年度目标": "年度目标（轮）", "已完成": "完成（轮）",
                 "完成率": ind.name("year_target_rate")}).reset_index(drop=True)
    return df.style.format({"年度目标（轮）": "{:,.0f}", "完成（轮）": "{:,.0f}",
                            ind.name("year_target_rate"): "{:.1%}"}, na_rep="—")


def achievements_table(achieved: pd.DataFrame) -> Styler:
    """What implemented options achieved, this year and in all: counts of options (项) whole,
    every other figure (万元, 吨标准煤, t/a …) with one decimal, all with thousands separators."""
    df = achieved[achieved["key"] != "no_figures"][["指标", "单位", "本年", "累计"]]
    df = df.reset_index(drop=True)
    whole = df["单位"] == "项"
    styler = df.style.format("{:,.1f}", subset=pd.IndexSlice[~whole, ["本年", "累计"]])
    return styler.format("{:,.0f}", subset=pd.IndexSlice[whole, ["本年", "累计"]])


def league_table(league: pd.DataFrame, places: str = "城市") -> Styler:
    """The league as a plain table in league order, with in-cell bars for audits completed per
    100 listed enterprises (green) and overdue enterprises per 100 (orange), each on its own
    scale from zero. A static table rather than a Vega chart: the chart's renderer was most of
    what a browser spent drawing the overview's first screen (ten officials opening the page at
    once took 15 s instead of 10 s), and the exact figures are in the same rows."""
    df = league[["排名", "地区", "列入企业", "已完成审核", "每百家完成", "逾期企业", "每百家逾期"]]
    df = df.rename(columns={"地区": places, **LEAGUE_HEADINGS}).reset_index(drop=True)
    done, late = LEAGUE_HEADINGS["每百家完成"], LEAGUE_HEADINGS["每百家逾期"]
    counts = [LEAGUE_HEADINGS[c] for c in ("列入企业", "已完成审核", "逾期企业")]
    styler = df.style.format(thousands=",", subset=counts)
    for column, colour in ((done, LIGHT_GREEN), (late, LIGHT_ORANGE)):
        top = float(df[column].max()) if len(df) else 0.0
        # The longest bar fills 70 % of its cell; a column of zeros draws no bars (a zero
        # range would be 0/0 inside pandas).
        styler = styler.bar(subset=[column], color=colour, vmin=0, vmax=top if top > 0 else 1,
                            width=70, height=70)
    return styler.format("{:.1f}", subset=[done, late])


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
