"""The overview in headless Chromium: the page on the hand-built province with its numbers, the
briefing downloaded and opened, and a full screenshot at scale 1 on the sample database."""

from __future__ import annotations

import pytest

from components import word
from tests.browser import (
    ROOT,
    app_server,
    browser_page,
    full_screenshot,
    require_browser,
    sample_copy,
    wait_for_app,
)

pytestmark = pytest.mark.browser

HEADINGS = ("总览", "审核成效", "季度完成趋势", "行业分布", "逾期时间最长的企业")


def assert_clean(traffic, base):
    assert traffic.page_errors == []
    assert traffic.console_errors == []
    assert traffic.foreign_hosts(base) == set(), traffic.requests


def test_overview_numbers_and_the_briefing_download(handmade_sqlite, tmp_path):
    require_browser()
    with app_server(handmade_sqlite) as base, browser_page() as (page, traffic):
        page.goto(base + "/?asof=2024-12-31")  # the overview is the default page
        wait_for_app(page, heading="总览")
        body = page.inner_text("body")
        for text in ("列入审核企业", "4 家", "逾期企业", ">90天 2（家）",
                     "其中已完成 1 轮（33.3%）", "完成投资155万元", "数据截至 2024年12月31日"):
            assert text in body, text
        # The first screen draws no chart and no grid: its tables are HTML (their cells are
        # page text), and their style sheet survives the sanitiser.
        assert page.locator('[data-testid="stVegaLiteChart"]').count() == 0
        assert page.locator('[data-testid="stDataFrame"]').count() == 0
        achievements = page.locator("table#T_achievements").inner_text()
        assert "完成投资" in achievements and "155.0" in achievements
        league = page.locator("table#T_league").inner_text()
        assert "每百家列入企业累计完成审核（轮）" in league
        assert "南京市" in league and "50.0" in league
        first = page.locator("table#T_league tbody tr").first
        align = first.locator("td.num").first.evaluate("e => getComputedStyle(e).textAlign")
        assert align == "right"
        bar = first.locator("td").nth(4).evaluate("e => getComputedStyle(e).backgroundImage")
        assert bar.startswith("linear-gradient"), bar
        # a tab draws its chart when chosen
        page.get_by_role("tab", name="行业分布").click()
        page.get_by_text("各行业审核进展").first.wait_for(timeout=30_000)
        wait_for_app(page, heading="总览")
        assert page.locator('[data-testid="stVegaLiteChart"]').count() == 1
        page.screenshot(path=str(tmp_path / "overview_handmade.png"))

        with page.expect_download(timeout=60_000) as dl:
            page.get_by_role("button", name="下载领导简报（Word）").click()
        download = dl.value
        assert download.suggested_filename == "江苏省清洁生产审核简报_截至20241231.docx"
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        text, tables = word.read_back(path.read_bytes())
        assert text.splitlines()[0] == "江苏省强制性清洁生产审核工作简报"
        assert ("截至2024年12月31日，全省共有4家企业列入强制性清洁生产审核名单"
                "（较去年同期增加1家），累计开展审核5轮。") in text
        assert "逾期企业2家（较去年同期增加2家），其中逾期90天以上2家" in text
        assert tables[0].set_index("指标").loc["逾期企业（家）", "增减"] == "+2"
    assert_clean(traffic, base)


def test_overview_screenshot_at_scale_1(tmp_path):
    require_browser()
    with app_server(sample_copy(tmp_path)) as base, browser_page(1440, 900) as (page, traffic):
        page.goto(base + "/")
        wait_for_app(page, heading="总览")
        page.wait_for_selector("table#T_league")  # the last of the first screen
        body = page.inner_text("body")
        for heading in HEADINGS:
            assert heading in body, heading
        assert "样例数据" in body and "各城市进展排名" in body
        assert page.locator('[data-testid="stMetric"]').count() == 9  # with 再审核逾期
        assert page.locator('[data-testid="stVegaLiteChart"]').count() == 0
        for table in ("plan", "achievements", "league"):
            assert page.locator(f"table#T_{table}").count() == 1, table
        shots = ROOT / "screens"
        shots.mkdir(exist_ok=True)
        full_screenshot(page, shots / "overview_scale1.png")
        full_screenshot(page, tmp_path / "overview_scale1.png")
    assert_clean(traffic, base)
