"""The frame: page config, navigation, shared filters, footer. Nothing else lives here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from components import filters as filter_bar
from components import footer, safe
from components.context import PageContext, set_context
from queries.db import Source, database_url, default_url
from queries.meta import DatabaseNotReady, filter_choices, read_meta
from queries.scope import PROVINCE
from rules.clock import ClockRulesError, load_clock_rules

st.set_page_config(page_title="清洁生产审核监督平台", page_icon="🏭", layout="wide")

# (section, file, title, icon). The navigation is built from the files that exist. Each page's
# URL path is its file name (st.Page's default): on a fresh server the first request is resolved
# against the pages/ folder before st.navigation has run, so a deep link like /park?park=2 only
# works when the two agree.
PAGE_SPECS = [
    ("领导视图", "pages/overview.py", "总览", ":material/dashboard:"),
    ("领导视图", "pages/map.py", "地图", ":material/map:"),
    ("日常督办", "pages/supervision.py", "审核进度与督办", ":material/pending_actions:"),
    ("日常督办", "pages/enterprise.py", "企业档案", ":material/factory:"),
    ("计划对标", "pages/plan.py", "计划对标与年报", ":material/flag:"),
    ("园区整体审核", "pages/parks.py", "园区评比", ":material/domain:"),
    ("园区整体审核", "pages/park.py", "园区详情", ":material/location_city:"),
    ("数据", "pages/data_status.py", "数据概况", ":material/database:"),
]
HERE = Path(__file__).parent
PAGES: dict[str, list] = {}
for section, file, title, icon in PAGE_SPECS:
    if (HERE / file).exists():
        PAGES.setdefault(section, []).append(st.Page(file, title=title, icon=icon))

url = database_url()
try:
    meta = read_meta(url)
except DatabaseNotReady as exc:
    st.navigation(PAGES)  # the menu stays; no page can run without the database
    st.error(exc.reason)
    if url == default_url():
        st.info("当前使用内置样例数据库：运行 `make sample` 可重新生成。")
    if exc.detail:
        st.text(f"技术信息（供系统管理员）：{exc.detail}")
    st.stop()

try:
    clock = load_clock_rules(meta.get("province_adcode", ""))
except ClockRulesError as exc:
    st.error(f"法定时限配置有误：{exc}")
    st.stop()

nav = st.navigation(PAGES)
source = Source(url, meta.get("data_version", ""))
scope = PROVINCE  # login and per-city scopes come later; every query already takes the scope
st.sidebar.caption(f"{safe.text(meta.get('province_name', ''))}清洁生产审核监督平台")
today = dt.date.today()
filters = filter_bar.sidebar(filter_choices(source, scope), today)
set_context(PageContext(source, scope, filters, meta, clock))
nav.run()
footer.render(url, meta, filters.as_of)
