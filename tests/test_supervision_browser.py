"""The daily-supervision journey in headless Chromium on the hand-built province: open the watch
list, download it, follow a row to the enterprise record, download the one-page sheet; and a
deep link with a bad code. No console errors, no request to any other host."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from components import word
from tests import handmade as hm
from tests.browser import app_server, browser_page, require_browser, wait_for_app

pytestmark = pytest.mark.browser
ROW_PX = 35  # Streamlit's default dataframe row (and header) height


def _open_supervision(page, base):
    page.goto(base + "/?asof=2024-12-31")
    wait_for_app(page)
    page.get_by_role("link", name="审核进度与督办").first.click()
    wait_for_app(page, heading="审核进度与督办")


def test_watch_list_to_record_to_sheet(handmade_sqlite, tmp_path):
    require_browser()
    with app_server(handmade_sqlite) as base, browser_page(1500, 1000) as (page, traffic):
        _open_supervision(page, base)
        body = page.inner_text("body")
        assert "共 2 项" in body and "逾期 2" in body  # the grid itself is a canvas

        with page.expect_download() as dl:
            page.get_by_role("button", name="下载督办清单（Excel，截至 2024年12月31日）").click()
        assert dl.value.suggested_filename == "江苏省督办清单_截至20241231.xlsx"
        xlsx = tmp_path / "watch.xlsx"
        dl.value.save_as(xlsx)
        ws = openpyxl.load_workbook(xlsx)["督办清单"]
        rows = list(ws.iter_rows(values_only=True))
        assert rows[2][0] == "数据截至 2024年12月31日；共 2 项"
        assert [r[2] for r in rows[5:]] == ["审核报告逾期 305 天", "启动审核逾期 239 天"]

        # Tick the second row of the watch list (the grid is a canvas: click its row marker).
        grid = page.locator('[data-testid="stDataFrame"]').first
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 16, box["y"] + ROW_PX + ROW_PX * 1 + ROW_PX / 2)
        link = page.get_by_role("link", name="打开“苏州丁印染有限公司”的企业档案")
        link.wait_for(timeout=30_000)
        wait_for_app(page)
        link.click()
        wait_for_app(page, heading="苏州丁印染有限公司")
        assert f"uscc={hm.E4}" in page.url
        body = page.inner_text("body")
        assert "启动审核应于2024年5月6日前完成（已逾期 239 天）" in body
        assert "苏州绿衡环保科技有限公司" in body

        with page.expect_download() as dl:
            page.get_by_role("button", name="下载企业档案一页纸（Word）").click()
        assert dl.value.suggested_filename == "企业档案_苏州丁印染有限公司_截至20241231.docx"
        text, tables = word.read_back(Path(dl.value.path()).read_bytes())
        assert "苏州丁印染有限公司清洁生产审核档案" in text
        assert tables[1]["督办事由"].tolist() == ["启动审核逾期 239 天"]
        page.screenshot(path=str(tmp_path / "record.png"))
    traffic.assert_clean(base)


def test_deep_link_with_bad_codes(handmade_sqlite):
    require_browser()
    with app_server(handmade_sqlite) as base, browser_page() as (page, traffic):
        page.goto(base + "/enterprise?uscc=123&asof=2024-12-31")
        wait_for_app(page, heading="企业档案")
        message = "链接中的统一社会信用代码“123”无效：统一社会信用代码应为18位"
        assert message in page.inner_text("body")
        unknown = hm.E1[:-1] + ("0" if hm.E1[-1] != "0" else "1")
        page.goto(base + f"/enterprise?uscc={hm.E2}&asof=2024-12-31")
        wait_for_app(page, heading="南京乙化工有限公司")
        page.goto(base + f"/enterprise?uscc={unknown}&asof=2024-12-31")
        wait_for_app(page, heading="企业档案")
        assert "校验" in page.inner_text("body")
    traffic.assert_clean(base)  # tolerates only the known /enterprise/_stcore probes
