"""专家库, 咨询机构 and 信用与公开 in headless Chromium: a 苏州 official opens each page by its
address, a tab, a deep link to a firm, another city's expert by link (not found), and downloads
the Word publication list; a province official's screenshots on the sample (screens/)."""

from __future__ import annotations

import pytest

from components import word
from queries.db import ROOT
from tests import handmade_experts
from tests.browser import (
    app_server,
    browser_page,
    full_screenshot,
    require_browser,
    sample_copy,
    wait_for_app,
)
from tests.conftest import sqlite_with

pytestmark = pytest.mark.browser
SCREENS = ROOT / "screens"


def test_city_official_journey(tmp_path):
    require_browser()
    SCREENS.mkdir(exist_ok=True)
    url = sqlite_with(tmp_path, handmade_experts.build, "experts.db")
    with app_server(url, user="city:320500") as base, \
            browser_page(width=1500, height=1000) as (page, traffic):
        page.goto(base + "/experts?asof=2024-12-31")
        wait_for_app(page, heading="专家库")
        text = page.inner_text("body")
        assert "在库专家" in text and "4 名" in text and "苏州市 · 评估验收专家" in text
        assert "专家与机构" in text  # the navigation section
        page.get_by_role("tab", name="回避").click()
        page.get_by_text("评审本单位咨询的项目").first.wait_for(state="attached", timeout=30_000)
        full_screenshot(page, SCREENS / "experts_handmade_city.png")

        page.goto(base + "/experts?asof=2024-12-31&expert=1")
        wait_for_app(page, heading="专家库")
        text = page.inner_text("body")
        assert "未找到专家（编号 1）" in text and "王甲" not in text

        page.goto(base + "/consultancies?asof=2024-12-31&consultancy=1")
        wait_for_app(page, heading="江苏清源环境咨询有限公司")
        text = page.inner_text("body")
        assert "客户与审核轮次" in text and "南京" not in text

        page.goto(base + "/credit?asof=2024-12-31")
        wait_for_app(page, heading="信用与公开")
        assert "逾期未公示" in page.inner_text("body")
        with page.expect_download(timeout=60_000) as dl:
            page.get_by_text("下载公示清单（Word）").click()
        text, tables = word.read_back(open(dl.value.path(), "rb").read())
        assert "苏州市清洁生产违法行为行政处罚信息公示清单" in text
        assert tables[0]["企业名称"].tolist() == ["苏州丁印染有限公司", "苏州丙电镀有限公司"]
        full_screenshot(page, SCREENS / "credit_handmade_city.png")
    traffic.assert_clean(base)


def test_province_screens_on_the_sample(tmp_path):
    require_browser()
    SCREENS.mkdir(exist_ok=True)
    url = sample_copy(tmp_path)
    with app_server(url) as base, browser_page(width=1500, height=1000) as (page, traffic):
        for path, heading, shot in (("/experts", "专家库", "experts_sample.png"),
                                    ("/consultancies", "咨询机构", "consultancies_sample.png"),
                                    ("/credit", "信用与公开", "credit_sample.png")):
            page.goto(base + path)
            wait_for_app(page, heading=heading)
            text = page.inner_text("body")
            assert "None" not in text and "nan" not in text and "True" not in text
            full_screenshot(page, SCREENS / shot)
            page.set_viewport_size({"width": 1500, "height": 1000})
    traffic.assert_clean(base)
