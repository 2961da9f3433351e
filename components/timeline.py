"""One audit round's milestones against their statutory due dates: an altair chart and a table."""

from __future__ import annotations

import altair as alt
import pandas as pd

from components.fmt import cn_date

COLOURS = {"应完成日期": "#9aa5a0", "按期完成": "#1f6f43", "逾期完成": "#c0392b",
           "已完成（无法定时限）": "#2b6cb0"}
SHAPES = {"应完成日期": "triangle-down", "按期完成": "circle", "逾期完成": "circle",
          "已完成（无法定时限）": "circle"}


def _kind(verdict: str) -> str:
    if verdict.startswith("逾期"):
        return "逾期完成"
    if verdict.startswith("按期"):
        return "按期完成"
    return "已完成（无法定时限）"


def timeline_points(milestones: pd.DataFrame) -> pd.DataFrame:
    """Long form of one round's milestones: one row per due date and per actual date."""
    rows = []
    for r in milestones.itertuples():
        if r.due is not None and not pd.isna(r.due):
            rows.append((r.milestone, "应完成日期", pd.Timestamp(r.due), r.verdict))
        if r.actual is not None and not pd.isna(r.actual):
            kind = "按期完成" if r.milestone == "列入名单" else _kind(r.verdict)
            rows.append((r.milestone, kind, pd.Timestamp(r.actual), r.verdict))
    return pd.DataFrame(rows, columns=["节点", "类型", "日期", "说明"])


def timeline_chart(milestones: pd.DataFrame, title: str = "") -> alt.Chart:
    """Milestones (rows, in statutory order) on a date axis: ▼ the due date, ● the actual date,
    green when on time, red when late."""
    data = timeline_points(milestones)
    order = list(milestones["milestone"])
    return alt.Chart(data, title=title or alt.Undefined).mark_point(
        filled=True, size=140, opacity=0.9).encode(
        x=alt.X("日期:T", title=None, axis=alt.Axis(format="%Y-%m", labelAngle=0)),
        y=alt.Y("节点:N", sort=order, title=None, axis=alt.Axis(labelFontSize=13)),
        color=alt.Color("类型:N", scale=alt.Scale(domain=list(COLOURS),
                                                 range=list(COLOURS.values())),
                        legend=alt.Legend(title=None, orient="bottom", columns=2)),
        shape=alt.Shape("类型:N", scale=alt.Scale(domain=list(SHAPES),
                                                 range=list(SHAPES.values())), legend=None),
        tooltip=[alt.Tooltip("节点:N"), alt.Tooltip("类型:N"),
                 alt.Tooltip("日期:T", format="%Y年%-m月%-d日"), alt.Tooltip("说明:N")],
    ).properties(height=alt.Step(30))


def milestone_table(milestones: pd.DataFrame) -> pd.DataFrame:
    """The same facts as a table with Chinese headers and dates. 应完成日期 is the deadline that
    counts (moved off a rest day where the clock extends); 期限说明, present only when a deadline
    moved, says from which date and why (民法典 Art. 203)."""
    def text(v):
        return "—" if v is None or pd.isna(v) else cn_date(pd.Timestamp(v))

    table = pd.DataFrame({"节点": milestones["milestone"],
                          "应完成日期": [text(v) for v in milestones["due"]],
                          "实际日期": [text(v) for v in milestones["actual"]],
                          "情况": milestones["verdict"]}).reset_index(drop=True)
    notes = milestones["note"] if "note" in milestones else pd.Series(dtype=object)
    if notes.notna().any():
        table["期限说明"] = [n if isinstance(n, str) else "—" for n in notes]
    return table


def milestone_notes(milestones: pd.DataFrame) -> str | None:
    """The moved deadlines of one round in a sentence (期限顺延：信息公开，原期限…；…), for a
    caption under the table, or None when no deadline moved."""
    if "note" not in milestones:
        return None
    notes = [f"{m}：{n}" for m, n in zip(milestones["milestone"], milestones["note"])
             if isinstance(n, str)]
    return ("期限顺延（民法典第二百零三条）——" + "；".join(notes) + "。") if notes else None
