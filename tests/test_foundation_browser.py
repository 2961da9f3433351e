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
        assert "重点企业" in body and "审核轮次" in body
        assert "苏州市" in body and "南京市" not in body.split("各市重点企业数")[-1]
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
        assert "重点企业\n\n2" in body
    traffic.assert_clean(base)
