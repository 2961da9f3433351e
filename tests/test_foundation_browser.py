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
