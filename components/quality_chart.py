"""The 数据质量 line: the jurisdiction's open problems after each import and undo. A pure builder
that returns alt.Chart (offline: Vega-Lite ships with Streamlit)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from components.fmt import cn_date

BLUE = "#2e86c1"


def _event(row) -> str:
    verb = "导入" if row["event"] == "导入" else "撤销导入"
    return f"{verb}（第 {int(row['batch_id'])} 次）"


def open_count_chart(history: pd.DataFrame) -> alt.Chart:
    """A step line of the open count (columns at: Beijing time, event, batch_id, problems), a
    point per event with its time, what happened and the count."""
    data = history.assign(
        时间=[f"{cn_date(t)} {t:%H:%M}" for t in history["at"]],
        事件=[_event(r) for _, r in history.iterrows()],
        问题数=history["problems"].astype(int))[["at", "时间", "事件", "问题数"]]
    base = alt.Chart(data).encode(
        x=alt.X("at:T", title=None, axis=alt.Axis(format="%Y-%m-%d", labelAngle=0)),
        y=alt.Y("问题数:Q", title="问题数（处）", scale=alt.Scale(zero=True)))
    line = base.mark_line(interpolate="step-after", color=BLUE, strokeWidth=2.5)
    points = base.mark_point(filled=True, size=60, color=BLUE).encode(
        tooltip=[alt.Tooltip("时间:N"), alt.Tooltip("事件:N"),
                 alt.Tooltip("问题数:Q", title="问题数（处）", format=",d")])
    return (line + points).properties(height=260)
