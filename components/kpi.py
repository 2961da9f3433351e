"""The KPI row: a value per figure with its change against the same date last year, a help text
with the definition, and a way to open the list behind each figure.

`cards` and `delta` are pure (tested); `render_row` and `list_picker` draw them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from components import fmt
from rules.indicators import LINK


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    value: int
    unit: str
    change: int
    help: str
    note: str = ""          # a line under the value (e.g. the overdue split)
    lower_is_better: bool = False


def delta(change: int) -> str | int:
    """st.metric delta: "+3" / "-2" (its arrow and colour follow the sign), 0 for no change."""
    if change == 0:
        return 0
    return f"+{change:,}" if change > 0 else f"-{abs(change):,}"


def cards(kpis: pd.DataFrame, keys: tuple[str, ...], notes: dict[str, str] | None = None,
          lower_is_better: tuple[str, ...] = ("overdue", "eval_failed", "reaudit")
          ) -> list[Card]:
    """Cards for `keys` from a kpis frame (key, label, unit, value, change, help)."""
    rows = kpis.set_index("key")
    notes = notes or {}
    return [Card(k, str(rows.at[k, "label"]), int(rows.at[k, "value"]), str(rows.at[k, "unit"]),
                 int(rows.at[k, "change"]), str(rows.at[k, "help"]), notes.get(k, ""),
                 k in lower_is_better) for k in keys]


def render_row(items: list[Card], per_row: int = 4, since: str = "较去年同期") -> None:
    """Metrics in rows of `per_row`, bordered, value with its unit, delta vs last year."""
    for start in range(0, len(items), per_row):
        cols = st.columns(per_row)
        for col, c in zip(cols, items[start:start + per_row]):
            with col:
                st.metric(c.label, f"{fmt.num(c.value)} {c.unit}", delta(c.change),
                          delta_color="inverse" if c.lower_is_better else "normal",
                          delta_description=since, help=c.help + LINK, border=True)
                if c.note:
                    st.caption(c.note)


def list_picker(items: list[Card], key: str) -> str | None:
    """Pills to open the list behind one KPI; returns the chosen key or None."""
    labels = {c.key: f"{c.label}（{fmt.num(c.value)}）" for c in items}
    return st.pills("查看名单", list(labels), format_func=labels.get, key=key,
                    help="选择一个指标，在下方列出构成该指标的审核轮次。")


def render_list(card: Card, frame: pd.DataFrame, total: int, firms: int, as_of_text: str,
                link: tuple[str, dict] | None = None) -> None:
    """The table behind a KPI in an open expander, with a link to the supervision page."""
    with st.expander(f"{card.label}名单（{as_of_text}）", expanded=True):
        shown = len(frame)
        if total == 0:
            st.info("没有符合条件的审核轮次。")
            return
        note = f"共 {fmt.num(total)} 轮审核，涉及 {fmt.num(firms)} 家企业" + (
            f"；此处显示前 {fmt.num(shown)} 轮" if shown < total else "")
        st.caption(note + "；逾期最久的在前。")
        days = {c: st.column_config.NumberColumn(format="%d 天")
                for c in ("逾期天数", "再审核逾期天数")}
        shown = fmt.table(frame)
        st.dataframe(shown, hide_index=True, width="stretch",
                     column_config=fmt.still_numbers(days, shown))
        if link:
            page, params = link
            st.page_link(page, label="到“审核进度与督办”页查看全部并督办",
                         icon=":material/arrow_forward:", query_params=params)
