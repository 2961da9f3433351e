"""The footer every page carries: where the numbers come from and as of when."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from components.fmt import cn_date
from queries.db import describe


def footer_text(url: str, meta: dict, as_of: dt.date | None) -> str:
    parts = [f"数据来源：{describe(url)}"]
    if meta.get("is_sample") == "1":
        parts.append("样例数据（虚构企业，仅供演示）")
    if as_of is not None:
        parts.append(f"数据截至 {cn_date(as_of)}")
    if meta.get("data_version"):
        parts.append(f"数据版本 {meta['data_version'][:8]}")
    return " · ".join(parts)


def render(url: str, meta: dict, as_of: dt.date | None) -> None:
    st.divider()
    st.caption(footer_text(url, meta, as_of))
