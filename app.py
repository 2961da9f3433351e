"""The frame: page config, sign-in, the role's navigation, shared filters, footer. Nothing else
lives here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from components import chinese_ui, footer, identity, safe
from components import filters as filter_bar
from components.context import PageContext, set_context
from queries import accounts
from queries.currency import data_currency
from queries.db import Source, database_url, default_url, get_engine
from queries.meta import DatabaseNotReady, filter_choices, read_meta
from rules.clock import ClockRulesError, load_clock_rules
from rules.roles import may_open

st.set_page_config(page_title="清洁生产审核监督平台", page_icon="🏭", layout="wide")
chinese_ui.inject()  # Chinese for the file uploader's own English texts

# (section, file, title, icon). The navigation is built from the files that exist and the pages
# the signed-in role may open (rules/roles.py). Each page's URL path is its file name
# (st.Page's default): on a fresh server the first request is resolved against the pages/ folder
# before st.navigation has run, so a deep link like /park?park=2 only works when the two agree.
PAGE_SPECS = [
    ("领导视图", "pages/overview.py", "总览", ":material/dashboard:"),
    ("领导视图", "pages/map.py", "地图", ":material/map:"),
    ("日常督办", "pages/supervision.py", "审核进度与督办", ":material/pending_actions:"),
    ("日常督办", "pages/enterprise.py", "企业档案", ":material/factory:"),
    ("日常督办", "pages/cases.py", "督办台账", ":material/assignment_turned_in:"),
    ("计划对标", "pages/plan.py", "计划对标与年报", ":material/flag:"),
    ("园区整体审核", "pages/parks.py", "园区评比", ":material/domain:"),
    ("园区整体审核", "pages/park.py", "园区详情", ":material/location_city:"),
    ("专家与机构", "pages/experts.py", "专家库", ":material/groups:"),
    ("专家与机构", "pages/consultancies.py", "咨询机构", ":material/business_center:"),
    ("专家与机构", "pages/credit.py", "信用与公开", ":material/gavel:"),
    ("数据", "pages/data_status.py", "数据概况", ":material/database:"),
    ("数据", "pages/data_quality.py", "数据质量", ":material/rule:"),
    ("数据", "pages/intake.py", "数据导入", ":material/upload_file:"),
    ("数据", "pages/indicators.py", "指标说明", ":material/menu_book:"),
    ("系统管理", "pages/accounts.py", "账号管理", ":material/manage_accounts:"),
    ("系统管理", "pages/security.py", "安全设置", ":material/shield_lock:"),
    ("系统管理", "pages/audit_log.py", "操作日志", ":material/receipt_long:"),
    ("账号", "pages/account.py", "我的账号", ":material/person:"),
]
HERE = Path(__file__).parent


def navigation_for(role: str | None, only: str | None = None) -> dict[str, list]:
    """The pages `role` may open (only `only` when given), grouped by section, behind a hidden
    home page at / that opens the first of them under its own address: Streamlit gives the
    default page the address / only, so /overview would otherwise be "not found"."""
    pages: dict[str, list] = {}
    for section, file, title, icon in PAGE_SPECS:
        name = Path(file).stem
        if (HERE / file).exists() and may_open(role or "", name) and only in (None, name):
            pages.setdefault(section, []).append(st.Page(file, title=title, icon=icon))
    if pages:
        section = next(iter(pages.values()))
        first = section[0]

        def home() -> None:
            st.switch_page(first, query_params=dict(st.query_params))

        section.insert(0, st.Page(home, title=first.title, url_path="home", default=True,
                                  visibility="hidden"))
    return pages


def _no_page() -> None:
    """Stands in for the navigation when there is no one to show pages to."""


def stop_with(message: str, *, role: str | None = None, kind: str = "info", detail: str = "",
              sign_in_again: bool = False) -> None:
    """End this run with a message; the menu of `role` (if any) stays."""
    nav = navigation_for(role)
    st.navigation(nav or [st.Page(_no_page, title="清洁生产审核监督平台")],
                  position="sidebar" if nav else "hidden", expanded=True)
    getattr(st, kind)(safe.text(message))
    if detail:
        st.text(f"技术信息（供系统管理员）：{detail}")
    if sign_in_again and st.button("重新登录", type="primary"):
        st.logout()  # serve.py ends the session, clears the cookie and opens the sign-in page
    st.stop()


def signed_in(engine, meta: dict) -> accounts.Viewer:
    """The person signed in for this run (local session cookie or unified sign-in), or the
    run ends with the screen that says why not."""
    sample = meta.get("is_sample") == "1"
    ip = identity.client_ip()
    viewer, ended = accounts.session_viewer(engine, identity.session_token(), ip, sample)
    if viewer is None and (claims := identity.sso_identity()) is not None:
        viewer, refusal = accounts.oidc_session(engine, claims, identity.sso_claim(), ip, sample)
        if viewer is None:
            stop_with(refusal, kind="error", sign_in_again=True)
    if viewer is not None:
        return viewer
    if st.query_params.get("sso") == "1" and identity.sso_configured():
        st.login()  # to the unified identity platform; it comes back to /
        st.stop()
    # Timed out, disabled, changed by an administrator, or signed out in another tab (the back
    # button): to the sign-in page (serve.py ends the session and says why there).
    st.navigation([st.Page(_no_page, title="清洁生产审核监督平台")], position="hidden")
    st.info("请先登录。正在转到登录页……" if not ended else "会话已结束，正在转到登录页……")
    st.logout()
    st.stop()


def sidebar_account(engine, viewer: accounts.Viewer) -> None:
    where = f" · {viewer.scope_name}" if viewer.scope_name else ""
    st.sidebar.caption(safe.text(f"{viewer.display_name}（{viewer.role_name}{where}）"))
    if st.sidebar.button("退出登录", icon=":material/logout:", key="signout"):
        accounts.sign_out(engine, viewer)
        st.logout()
        st.stop()


url = database_url()
try:
    meta = read_meta(url)
except DatabaseNotReady as exc:
    hint = " 当前使用内置样例数据库：运行 make sample 可重新生成。" if url == default_url() else ""
    stop_with(exc.reason + hint, role=identity.remembered_role(), kind="error",
              detail=exc.detail)

engine = get_engine(url)
viewer = signed_in(engine, meta)
identity.remember_role(viewer.role)
# First sign-in, a reset or an expired password: only 我的账号 until the password is changed.
# Every page of the role in view (expanded): a collapsed menu hides all but the first ten.
nav = st.navigation(navigation_for(viewer.role, only="account" if viewer.must_change else None),
                    expanded=True)
source = Source(url, meta.get("data_version", ""))
st.sidebar.caption(f"{safe.text(meta.get('province_name', ''))}清洁生产审核监督平台")
sidebar_account(engine, viewer)
filters = clock = None
if viewer.scope is not None and not viewer.must_change:
    try:
        clock = load_clock_rules(meta.get("province_adcode", ""))
    except ClockRulesError as exc:
        stop_with(f"法定时限配置有误：{exc}", role=viewer.role, kind="error")
    everywhere = "全省" if viewer.scope.level == "province" else viewer.scope_name
    filters = filter_bar.sidebar(filter_choices(source, viewer.scope), dt.date.today(),
                                 everywhere, data_currency(source, viewer.scope))
set_context(PageContext(source, viewer.scope, filters, meta, clock, viewer))
nav.run()
footer.render(url, meta, filters.as_of if filters else None)
