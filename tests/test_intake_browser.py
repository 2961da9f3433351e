"""数据导入 in headless Chromium, signed in as a city official on the hand-built database: upload
a filled template, read the preview (new / changed field by field), confirm, see the import in
the list, undo it, and find the database as it was. Screenshots go to screens/ (gitignored)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from queries import schema as s
from queries.db import get_engine
from rules.identifiers import make_uscc
from tests.browser import (
    ROOT,
    app_server,
    browser_page,
    full_screenshot,
    require_browser,
    wait_for_app,
)
from tests.handmade import E3

pytestmark = pytest.mark.browser
SCREENS = ROOT / "screens"
NEW = make_uscc("320509", "MA1WEB01")


def _filled(path) -> None:
    book = Workbook()
    ws = book.active
    ws.title = "企业名录"
    ws.append(["苏州市重点企业名录（2026年12月报送）"])
    ws.append(["统一社会信用代码", "企业名称", "行业", "所在区县", "企业规模"])
    ws.append([NEW, "苏州<b>新</b>印染有限公司", "印染", "吴江区", "小型"])
    ws.append([E3, None, None, None, "中型"])
    buf = io.BytesIO()
    book.save(buf)
    path.write_bytes(buf.getvalue())


def _enterprises(url: str) -> list:
    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(select(s.enterprise).order_by(
            s.enterprise.c.uscc))]


def test_upload_preview_confirm_undo(handmade_sqlite, tmp_path):
    require_browser()
    SCREENS.mkdir(exist_ok=True)
    before = _enterprises(handmade_sqlite)
    upload = tmp_path / "苏州名录.xlsx"
    _filled(upload)
    with app_server(handmade_sqlite, user="city:320500") as base, \
            browser_page(width=1500, height=1100) as (page, traffic):
        page.goto(base + "/")
        wait_for_app(page)
        page.get_by_role("link", name="数据导入").click()
        wait_for_app(page, heading="数据导入")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
        page.get_by_role("button", name="确认导入：新增 1 条、修改 1 条").wait_for(timeout=30_000)
        wait_for_app(page)
        body = page.inner_text("body")
        assert "企业规模：小型 → 中型" in body
        assert "苏州<b>新</b>印染有限公司" in body  # a name with HTML is shown as text
        full_screenshot(page, SCREENS / "intake_preview.png")

        page.get_by_role("button", name="确认导入：新增 1 条、修改 1 条").click()
        page.get_by_text("已导入第 1 次：新增 1 条、修改 1 条").wait_for(timeout=30_000)
        wait_for_app(page)
        after = {r[0]: r for r in _enterprises(handmade_sqlite)}
        assert after[NEW][1] == "苏州<b>新</b>印染有限公司" and after[E3][8] == "中型"
        assert "苏州名录.xlsx" in page.inner_text("body")
        full_screenshot(page, SCREENS / "intake_done.png")

        page.get_by_role("button", name="撤销本次导入").click()
        page.get_by_text("已撤销第 1 次导入：2 条记录已恢复到导入前。").wait_for(timeout=30_000)
        wait_for_app(page)
        full_screenshot(page, SCREENS / "intake_undone.png")
        assert _enterprises(handmade_sqlite) == before

        # A warning (coordinates in 南京 for a 苏州 enterprise) is confirmed before writing
        warned = tmp_path / "坐标.csv"
        warned.write_bytes(f"统一社会信用代码,经度,纬度\r\n{E3},118.7,32.2\r\n".encode("gbk"))
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(warned))
        confirm = page.get_by_role("button", name="确认导入：新增 0 条、修改 1 条")
        confirm.wait_for(timeout=30_000)
        wait_for_app(page)
        assert "不在所填区县（苏州市虎丘区）范围内" in page.inner_text("body")
        assert confirm.is_disabled()
        page.get_by_text("我已核对上述提示，确认导入").click()
        wait_for_app(page)
        assert confirm.is_enabled()
    assert _enterprises(handmade_sqlite) == before  # nothing written without the click
    traffic.assert_clean(base)
