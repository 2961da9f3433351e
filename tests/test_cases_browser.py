"""The 督办 journey in headless Chromium on the hand-built province (issue 17): from a watch-list
row open a case in two clicks, send the notice and download it (文号, 主送), record the reply with
an attachment, close the case. No console errors, no request to any other host."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from components import word
from queries import cases as qc
from queries import schema as s
from queries.db import get_engine
from tests import handmade as hm
from tests.browser import app_server, browser_page, full_screenshot, require_browser, wait_for_app

pytestmark = pytest.mark.browser
ROW_PX = 35  # Streamlit's default dataframe row (and header) height


def _step(page, step: str, heading: str) -> None:
    page.locator('[data-testid="stRadio"]').get_by_text(step, exact=True).click()
    wait_for_app(page)
    page.get_by_role("button", name=f"确认{step}").click()
    wait_for_app(page, heading=heading)
    page.get_by_text(f"已{step}。", exact=True).wait_for(timeout=30_000)


def test_watch_list_to_notice_reply_and_closing(handmade_sqlite, tmp_path):
    require_browser()
    year = qc.today().year
    doc_no = f"苏环督〔{year}〕1号"
    with app_server(handmade_sqlite) as base, browser_page(1500, 1100) as (page, traffic):
        page.goto(base + "/supervision?asof=2024-12-31")
        wait_for_app(page, heading="审核进度与督办")
        # Click 1: tick the second row (苏州丁印染, 启动审核逾期 239 天); the grid is a canvas.
        box = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
        page.mouse.click(box["x"] + 16, box["y"] + ROW_PX * 2 + ROW_PX / 2)
        button = page.get_by_role("button", name="登记督办事项")
        button.wait_for(timeout=30_000)
        wait_for_app(page)
        button.click()  # click 2
        wait_for_app(page, heading="督办事项 1（待发出）")
        assert "case=1" in page.url
        assert "状态\n\n待发出" in page.inner_text("body")  # the details are a canvas grid

        _step(page, "发出", doc_no)
        with page.expect_download() as dl:
            page.get_by_role("button", name="下载督办通知书（Word）").click()
        assert dl.value.suggested_filename.startswith("督办通知书_苏州丁印染有限公司_")
        data = Path(dl.value.path()).read_bytes()
        text, _ = word.read_back(data)
        assert doc_no in text.splitlines() and "苏州市生态环境局：" in text.splitlines()
        assert "启动审核逾期 239 天" in text
        assert word.layout(data)["width_mm"] == 210

        scan = tmp_path / "回复扫描件.pdf"
        scan.write_bytes(b"%PDF-1.4\n" + b"0" * 2048)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(scan))
        page.get_by_text("回复扫描件.pdf").first.wait_for(timeout=30_000)
        page.get_by_role("button", name="确认回复").click()
        wait_for_app(page, heading=doc_no)
        page.get_by_text("已回复。", exact=True).wait_for(timeout=30_000)
        page.get_by_role("button", name="回复扫描件.pdf（2 KB）").wait_for(timeout=30_000)

        _step(page, "办结", doc_no)
        assert "该督办事项已办结" in page.inner_text("body")
        full_screenshot(page, tmp_path / "case.png")
    traffic.assert_clean(base)
    with get_engine(handmade_sqlite).connect() as conn:
        case = conn.execute(select(s.supervision_case)).one()
        files = conn.execute(select(s.case_attachment.c.file_name,
                                    s.case_attachment.c.size_bytes)).all()
    assert (case.uscc, case.status, case.doc_no) == (hm.E4, "已办结", doc_no)
    assert files == [("回复扫描件.pdf", 2057)]
