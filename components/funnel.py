"""The audit progress funnel (审核进度漏斗) as an altair chart, from already-aggregated counts."""

from __future__ import annotations

import altair as alt
import pandas as pd

COLOURS = {"—": "#1f6f43", "通过": "#2e8b57", "未通过": "#c0392b"}


def step_labels(steps: pd.DataFrame) -> dict[str, str]:
    """Axis label per step with its count: "列入名单 5", "评估 通过1/未通过1"."""
    labels = {}
    for step, group in steps.sort_values("顺序").groupby("环节", sort=False):
        if set(group["结果"]) == {"—"}:
            labels[step] = f"{step}  {int(group['轮次'].sum())}"
        else:
            parts = [f"{r.结果}{int(r.轮次)}" for r in group.itertuples()]
            labels[step] = f"{step}  {'/'.join(parts)}"
    return labels


def funnel_chart(steps: pd.DataFrame, title: str = "", step: int = 36) -> alt.Chart:
    """Horizontal bars, one per step in order (columns 环节, 顺序, 结果, 轮次); evaluation and
    acceptance are split into 通过 (green) and 未通过 (red). The counts are in the axis labels.
    `steps` holds one row per step and outcome: a handful of rows whatever the number of rounds."""
    labels = step_labels(steps)
    data = steps.assign(步骤=steps["环节"].map(labels))
    order = list(labels.values())
    return alt.Chart(data, title=title or alt.Undefined).mark_bar().encode(
        y=alt.Y("步骤:N", sort=order, title=None, axis=alt.Axis(labelLimit=260, labelFontSize=13)),
        x=alt.X("轮次:Q", stack="zero", title="审核轮次（家次）", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("结果:N", scale=alt.Scale(domain=list(COLOURS),
                                                 range=list(COLOURS.values())),
                        legend=alt.Legend(title="结论", orient="right",
                                          labelExpr="datum.label == '—' ? '不分结论' : "
                                                    "datum.label")),
        order=alt.Order("结果:N", sort="descending"),
        tooltip=[alt.Tooltip("环节:N", title="环节"), alt.Tooltip("结果:N", title="结果"),
                 alt.Tooltip("轮次:Q", title="轮次")],
    ).properties(height=alt.Step(step))
