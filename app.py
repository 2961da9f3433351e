"""The frame: page config, navigation, shared filters, footer. Nothing else lives here."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from components import filters as filter_bar
from components import footer
from components.context import PageContext, set_context
from queries.db import Source, database_url
from queries.meta import DatabaseNotReady, filter_choices, read_meta
from queries.scope import PROVINCE

st.set_page_config(page_title="清洁生产审核监督平台", page_icon="🏭", layout="wide")

PAGES = {
    "数据": [
        st.Page("pages/data_status.py", title="数据概况", icon=":material/database:",
                url_path="data"),
    ],
}

url = database_url()
try:
    meta = read_meta(url)
except DatabaseNotReady as exc:
    st.error("无法读取审核数据库。请检查 DATABASE_URL 配置，或运行 `make sample` 生成样例数据库。")
    st.caption(f"技术信息：{exc}")
    st.stop()

nav = st.navigation(PAGES)
source = Source(url, meta.get("data_version", ""))
scope = PROVINCE  # login and per-city scopes come later; every query already takes the scope
st.sidebar.caption(f"{meta.get('province_name', '')}清洁生产审核监督平台")
today = dt.date.today()
filters = filter_bar.sidebar(filter_choices(source, scope), today)
set_context(PageContext(source, scope, filters, meta))
nav.run()
footer.render(url, meta, filters.as_of)
