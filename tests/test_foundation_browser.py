"""The real app in headless Chromium: it loads, shows Chinese, logs no errors, stays offline."""

from __future__ import annotations

import pytest

from tests.browser import app_server, browser_page, require_browser, wait_for_app

pytestmark = pytest.mark.browser


def test_app_loads_offline_without_console_errors(handmade_sqlite, tmp_path):
    require_browser()
    with app_server(handmade_sqlite) as base, browser_page() as (page, traffic):
        page.goto(base + "/?city=320500")  # "/" is the overview (pages/overview.py)
        wait_for_app(page, heading="总览")
        page.get_by_role("link", name="数据概况").click()
        wait_for_app(page, heading="数据概况")
        body = page.inner_text("body")
        assert "列入审核企业（家）" in body and "列入审核轮次（轮）" in body
        assert "苏州市" in body and "南京市" not in body.split("各市列入审核企业数")[-1]
        # the city filter came from the link and is still in the URL
        assert "city=320500" in page.url
        page.screenshot(path=str(tmp_path / "data_status.png"))
    traffic.assert_clean(base)


def test_deep_link_on_a_fresh_server_opens_the_page(handmade_sqlite):
    """The first request of a new server process is a deep link: app.py must still frame it."""
    require_browser()
    with app_server(handmade_sqlite) as base, browser_page() as (page, traffic):
        page.goto(base + "/data_status?city=320100&asof=2024-12-31")
        wait_for_app(page, heading="数据概况")
        body = page.inner_text("body")
        assert "筛选条件" in body and "数据截至 2024年12月31日" in body
        assert "列入审核企业（家）\n\n2" in body
    traffic.assert_clean(base)


def test_filters_open_in_a_popover_and_apply(handmade_sqlite):
    """The sidebar says which filters are in force; the widgets are drawn only when opened (the
    first screen stays light) and a choice there applies and reaches the URL."""
    require_browser()
    with app_server(handmade_sqlite) as base, browser_page() as (page, traffic):
        page.goto(base + "/data_status?asof=2024-12-31")
        wait_for_app(page, heading="数据概况")
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert "全省 · 全部行业 · 全部园区（含园区外） · 全部年份" in sidebar.inner_text()
        assert "数据截至 2024年12月31日" in sidebar.inner_text()
        assert page.locator('[data-testid="stMultiSelect"]').count() == 0  # not drawn yet
        page.get_by_role("button", name="修改筛选条件").click()
        city = page.locator('[data-testid="stMultiSelect"]').first
        city.wait_for(timeout=30_000)
        assert page.locator('[data-testid="stMultiSelect"]').count() == 3
        page.get_by_text("数据截至日期").first.wait_for(timeout=10_000)  # the date input
        city.click()
        page.get_by_role("option", name="苏州市").click()
        page.wait_for_url("**city=320500**", timeout=30_000)
        page.keyboard.press("Escape")
        wait_for_app(page, heading="数据概况")
        sidebar.get_by_text("苏州市 · 全部行业").first.wait_for(timeout=30_000)
    traffic.assert_clean(base)


def test_filters_survive_a_page_link_that_does_not_carry_them(handmade_sqlite):
    """督办清单 → 企业档案 through a link with only the enterprise and the date: the city chosen
    before stays in force (and back in the URL), although its widget was never drawn."""
    require_browser()
    with app_server(handmade_sqlite) as base, browser_page() as (page, traffic):
        page.goto(base + "/supervision?city=320500&asof=2024-12-31")
        wait_for_app(page, heading="审核进度与督办")
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.wait_for(timeout=30_000)
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's tick box
        link = page.get_by_role("link", name="企业档案").filter(has_text="打开").first
        link.wait_for(timeout=30_000)
        link.click()
        wait_for_app(page, heading="企业档案")
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("苏州市 · 全部行业").first.wait_for(timeout=30_000)
        assert "全省 ·" not in sidebar.inner_text()
        page.wait_for_url("**city=320500**", timeout=30_000)
    traffic.assert_clean(base)
