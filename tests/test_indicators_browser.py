"""指标说明 in headless Chromium: a city official follows a number's help link from the overview
to the page, which names their city and lists the overview's figures under the same names."""

from __future__ import annotations

import pytest

from rules import indicators as ind
from tests.browser import app_server, browser_page, require_browser, settle, wait_for_app

pytestmark = pytest.mark.browser


def test_help_link_leads_to_the_indicator_page(handmade_sqlite):
    require_browser()
    with app_server(handmade_sqlite, user="city:320500") as base, \
            browser_page() as (page, traffic):
        page.goto(base + "/overview?asof=2024-12-31")
        wait_for_app(page, heading="总览")
        body = page.inner_text("body")
        assert ind.name("due_rounds") in body and ind.name("listed_enterprises") in body
        # the help of the first KPI carries the link to 指标说明
        page.get_by_test_id("stTooltipHoverTarget").first.hover()
        link = page.get_by_role("link", name="指标说明").last
        link.wait_for(timeout=10_000)
        link.click()
        wait_for_app(page, heading="指标说明")
        settle(page)
        text = page.inner_text("body")
        assert "苏州市" in text.split("指标说明", 2)[-1]
        for key in ("listed_enterprises", "due_rounds", "due_rounds_done", "completed_in_year"):
            assert ind.name(key) in text, key
        assert "“完成审核”的标准" in text and "评估通过" in text
        assert "completion_milestone" not in text
        traffic.assert_clean(base)
