"""The plan page in headless Chromium on the sample database: it renders with its charts, its
import tab leads to 数据导入 with 计划目标 chosen, where a broken target file is refused row by
row; nothing leaves the machine, the console stays clean. The screenshot is saved under screens/
(gitignored) to be looked at."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from rules.intake_places import TARGETS
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
SCREENS = ROOT / "screens"


def _broken_template(path: Path) -> None:
    book = Workbook()
    ws = book.active
    ws.append([c.header for c in TARGETS.columns])
    rest = [None] * (len(TARGETS.columns) - 5)
    ws.append(["2024—2026年实施方案", 2024, "火星市", "化工", 3, *rest])
    ws.append(["2024—2026年实施方案", 2024, "南京市", "化工", -1, *rest])
    buf = io.BytesIO()
    book.save(buf)
    path.write_bytes(buf.getvalue())


def test_plan_page_on_the_sample(tmp_path):
    require_browser()
    SCREENS.mkdir(exist_ok=True)
    with app_server(sample_copy(tmp_path)) as base, \
            browser_page(width=1500, height=1000) as (page, traffic):
        # Open the app at its root and navigate: a deep link makes the frontend probe
        # /plan/_stcore/* first, which logs two 404s in the console.
        page.goto(base + "/")
        wait_for_app(page)
        page.get_by_role("link", name="计划对标与年报").click()
        wait_for_app(page, heading="计划对标与年报")
        body = page.inner_text("body")
        for words in ("期内目标（轮）", "进度判断", "各市对标", "各行业对标",
                      "形成缺口的地区和行业", "年度实施情况报告", "样例数据"):
            assert words in body, words
        assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 3
        full_screenshot(page, SCREENS / "plan_sample.png")

        page.get_by_role("tab", name="年度实施情况报告").click()
        page.get_by_text("报告年度").wait_for(timeout=30_000)
        wait_for_app(page, heading="计划对标与年报")
        assert "年度清洁生产审核实施情况报告" in page.inner_text("body")
        full_screenshot(page, SCREENS / "plan_report_sample.png")

        page.set_viewport_size({"width": 1500, "height": 1000})
        page.get_by_role("tab", name="导入计划目标").click()
        page.get_by_role("link", name="前往数据导入（计划目标）").click()
        wait_for_app(page, heading="数据导入")
        page.get_by_text("下载计划目标空白模板（.xlsx）").wait_for(timeout=30_000)
        bad = tmp_path / "目标.xlsx"
        _broken_template(bad)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
        page.get_by_text("整个文件不会写入").wait_for(timeout=30_000)
        wait_for_app(page)
        body = page.inner_text("body")
        assert "火星市" in body and "超出范围" in body
        page.screenshot(path=str(SCREENS / "plan_import_errors.png"), full_page=False)
    assert traffic.page_errors == []
    assert traffic.console_errors == []
    assert traffic.foreign_hosts(base) == set(), traffic.requests
