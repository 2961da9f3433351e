"""The 督办台账 as a screen table: dates written out, a link to open each case."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.fmt import cn_date

DATE_COLUMNS = ("发出日期", "回复期限", "回复日期", "办结日期")
# Columns an enterprise's own record need not repeat.
ENTERPRISE_KNOWN = ("企业名称", "城市", "区县", "统一社会信用代码", "建议办结")
COLUMN_CONFIG = {"企业名称": st.column_config.TextColumn("企业名称", pinned=True),  # in view
                 "查看": st.column_config.LinkColumn("查看", display_text="打开"),
                 "逾期天数": st.column_config.NumberColumn("逾期天数", format="%d 天")}


def view(ledger: pd.DataFrame, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    """queries.cases.ledger rows for the screen: a 查看 link after the number, dates as
    2026年12月1日 (— when missing), `drop` columns left out."""
    out = ledger.drop(columns=list(drop))
    out.insert(1, "查看", [f"/cases?case={i}" for i in ledger["编号"]])
    for col in DATE_COLUMNS:
        if col in out:
            out[col] = [cn_date(d) if d is not None and not pd.isna(d) else "—" for d in out[col]]
    return out
