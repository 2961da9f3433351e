"""Hardening in a real browser (issue: hardening): hostile names are drawn as plain text (no
bold, formula, colour, link or HTML; the map tooltip shows a name containing `{d}` as it is);
a hostile link gets a short message; with the database down a signed-in official keeps the menu
and the message speaks to officials; a read-only database is told before an import, not after.
Screenshots go to screens/ (git-ignored) for a look.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from components import safe
from rules.roles import ROLES
from tests import hostile
from tests.browser import (
    ROOT,
    app_server,
    browser_page,
    full_screenshot,
    require_browser,
    wait_for_app,
)
from tests.conftest import need, sqlite_with
from tests.test_map_browser import DECK, _initial_view, _screen_xy

pytestmark = pytest.mark.browser
SCREENS = ROOT / "screens"
MAIN = '[data-testid="stMain"]'
NAV = '[data-testid="stSidebarNav"]'
# Elements Markdown would make of a name: bold, italics, math, links, colour, HTML
MARKUP = (f"{MAIN} strong, {MAIN} em, {MAIN} .katex, {MAIN} del, {MAIN} code, {MAIN} b, "
          f"{MAIN} span[class*='Color'], {MAIN} a[href*='evil']:not([href^='#'])")


def shown(page) -> str:
    return safe.unjoin(page.inner_text(MAIN))


def markup(page) -> list[str]:
    """Markup elements inside the page whose text is (part of) a hostile name."""
    found = page.eval_on_selector_all(MARKUP, "els => els.map(e => e.outerHTML.slice(0, 120))")
    return [f for f in found if any(w in f for w in ("粗体", "红", "点此", "x", "粗", "evil"))]


@pytest.fixture
def hostile_sqlite(tmp_path):
    return sqlite_with(tmp_path, hostile.build, "hostile.db")


def test_hostile_names_are_drawn_as_text(hostile_sqlite):
    """The record, park and plan pages, and the map tooltip of a name containing `{d}`."""
    require_browser()
    SCREENS.mkdir(exist_ok=True)
    view = _initial_view(hostile_sqlite)
    e1, e4 = hostile.NAMES["enterprise"][hostile.handmade.E1], hostile.NAMES["enterprise"][
        hostile.handmade.E4]
    with app_server(hostile_sqlite) as base, browser_page(1500, 1000) as (page, traffic):
        page.goto(base + "/?asof=2024-12-31")
        wait_for_app(page, heading="总览")
        sidebar = safe.unjoin(page.inner_text('[data-testid="stSidebar"]'))
        assert f"{hostile.PROVINCE}清洁生产审核监督平台" in sidebar

        page.locator(NAV + " a", has_text="企业档案").first.click()
        wait_for_app(page, heading="企业档案")
        for uscc, name in ((hostile.handmade.E1, e1), (hostile.handmade.E4, e4)):
            page.goto(base + f"/enterprise?uscc={uscc}&asof=2024-12-31")
            wait_for_app(page, heading="企业档案")
            body = shown(page)
            assert name in body, name
            assert markup(page) == []
        assert hostile.NAMES["region"]["320509"] in body  # the county {d}{n}
        full_screenshot(page, SCREENS / "hardening_enterprise_hostile.png")

        page.goto(base + "/park?park=1&asof=2024-12-31")
        wait_for_app(page, heading="园区详情")
        body = shown(page)
        assert hostile.NAMES["park"][1] in body and hostile.MATH in body
        assert markup(page) == []
        full_screenshot(page, SCREENS / "hardening_park_hostile.png")

        page.goto(base + "/plan?asof=2024-12-31")
        wait_for_app(page, heading="计划对标与年报")
        assert hostile.NAMES["plan_period"][1] in shown(page)
        assert markup(page) == []

        # the map: hover E4 ("@SUM(A1:A2)丁{d}{n}") where the view puts it
        page.goto(base + "/?asof=2024-12-31")
        wait_for_app(page, heading="总览")
        page.locator(NAV + " a", has_text="地图").first.click()
        wait_for_app(page, heading="地图")
        page.wait_for_selector(f"{DECK} canvas", timeout=30_000)
        page.wait_for_timeout(2500)  # WebGL (SwiftShader) draws after the element mounts
        box = page.locator(f"{DECK} canvas").first.bounding_box()
        page.mouse.move(*_screen_xy(box, view, 120.64, 30.95))
        page.wait_for_timeout(700)
        tip = safe.unjoin(page.inner_text("body"))
        page.screenshot(path=str(SCREENS / "hardening_map_tooltip.png"))
        # the name whole, then its details (239 days late: tests/handmade.py)
        assert e4 in tip and "逾期 239 天" in tip
        assert "{d}\n" not in tip and not tip.rstrip().endswith("{d}")
    traffic.assert_clean(base)


def test_a_hostile_link_then_the_database_down(handmade_sqlite):
    """A hostile link gets short messages; then, with the database file gone, the navigation
    stays, the message speaks to officials, nothing is created, and the app recovers."""
    require_browser()
    link = "[点此](http://evil.example)"
    path = Path(handmade_sqlite.removeprefix("sqlite:///"))
    with app_server(handmade_sqlite) as base, browser_page() as (page, traffic):
        page.goto(base + f"/?city={link}&park={'9' * 10_000}&asof=9999-12-31")
        wait_for_app(page, heading="总览")
        sidebar = page.inner_text('[data-testid="stSidebar"]')
        assert f"链接中的城市代码 “{link}” 不存在" in safe.unjoin(sidebar)
        assert "9" * 40 + "…" in sidebar and "9" * 41 not in sidebar
        assert "链接中的截至日期 9999年12月31日 超出支持范围" in sidebar
        assert page.locator("a[href*='evil']").count() == 0
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(SCREENS / "hardening_bad_link.png"))

        away = path.with_suffix(".away")
        path.rename(away)
        try:
            # the official signed in a moment ago opens another page: the menu of the role
            # stays, every page says why
            page.goto(base + "/data_status")
            page.get_by_text("审核数据库暂时无法连接").wait_for(timeout=60_000)
            wait_for_app(page)
            assert page.locator(NAV + " a").count() == len(ROLES["province"].pages)
            assert "make sample" not in page.inner_text("body")  # not the sample database
            page.screenshot(path=str(SCREENS / "hardening_database_down.png"))
            assert not path.exists()  # nothing created in its place
        finally:
            away.rename(path)
        page.reload()
        wait_for_app(page, heading="数据概况")
        assert "列入审核企业" in page.inner_text("body")
    assert traffic.page_errors == []


def test_postgresql_down_is_told_not_crashed(tmp_path):
    require_browser()
    # nothing listens on this port: the server is "down"
    url = "postgresql+psycopg://postgres@127.0.0.1:9/cpa"
    with app_server(url) as base, browser_page() as (page, traffic):
        page.goto(base + "/")
        page.get_by_text("审核数据库暂时无法连接").wait_for(timeout=60_000)
        wait_for_app(page)
        # no one can be signed in without the database: the message, no menu, no traceback
        assert "make sample" not in page.inner_text("body")
        assert page.locator('[data-testid="stException"]').count() == 0


def test_a_read_only_database_is_told_before_an_import(handmade_sqlite, tmp_path):
    """The server runs as a user who cannot write the file (root without the capability to
    override file modes), as on a server where the database file is read-only."""
    require_browser()
    prefix = []
    if os.geteuid() == 0:
        need(shutil.which("setpriv") is not None, "setpriv (util-linux) is not installed")
        drop = "-dac_override,-dac_read_search"
        prefix = ["setpriv", "--bounding-set", drop, "--inh-caps", drop]
    path = Path(handmade_sqlite.removeprefix("sqlite:///"))
    os.chmod(path, 0o444)
    try:
        with app_server(handmade_sqlite, prefix=prefix) as base, \
                browser_page(1500, 1000) as (page, traffic):
            page.goto(base + "/plan?asof=2024-12-31")
            wait_for_app(page, heading="计划对标与年报")
            page.get_by_role("tab", name="导入计划目标").click()
            page.get_by_role("link", name="前往数据导入（计划目标）").click()
            page.get_by_text("审核数据库当前为只读").wait_for(timeout=30_000)
            wait_for_app(page, heading="数据导入")
            body = page.inner_text("body")
            assert "数据库文件 handmade.db 为只读" in body
            dropzone = page.locator('[data-testid="stFileUploaderDropzone"] button')
            assert dropzone.first.is_disabled()
            full_screenshot(page, SCREENS / "hardening_read_only.png")
        traffic.assert_clean(base)
    finally:
        os.chmod(path, 0o644)
