"""指标说明 in headless Chromium: a city official follows a number's help link from the overview
to the page, which names their city and lists the overview's figures under the same names.
And no English of Streamlit's own: the file uploader, a mistyped address."""

from __future__ import annotations

import pytest

from rules import indicators as ind
from tests.browser import (
    ROOT,
    app_server,
    browser_page,
    require_browser,
    settle,
    wait_for_app,
)

pytestmark = pytest.mark.browser
SCREENS = ROOT / "screens"


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


ENGLISH = ("Upload", "per file", "Drag and drop", "Browse files", "Page not found")


def test_file_uploader_speaks_chinese_and_still_uploads(handmade_sqlite, tmp_path):
    """数据导入's uploader: no English of Streamlit's own (components/chinese_ui), and the
    button still opens the file chooser and takes the file."""
    require_browser()
    SCREENS.mkdir(exist_ok=True)
    csv = tmp_path / "名录.csv"
    csv.write_text("统一社会信用代码,企业名称\n", encoding="utf-8")
    with app_server(handmade_sqlite, user="city:320500") as base, \
            browser_page(width=1200, height=900) as (page, traffic):
        page.goto(base + "/intake")
        wait_for_app(page, heading="数据导入")
        zone = page.get_by_test_id("stFileUploaderDropzone").first
        zone.screenshot(path=str(SCREENS / "indicators_uploader.png"))
        shown = zone.evaluate("""z => [...z.querySelectorAll('*')].map(e =>
            [getComputedStyle(e, '::after').content, getComputedStyle(e).fontSize,
             e.childElementCount ? '' : e.textContent]).flat().join(' | ')""")
        assert "选择文件" in shown and "或将文件拖放到此处" in shown
        # the English is still in the page for Streamlit, but drawn at size 0
        for e in zone.locator("p, span").all():
            text = e.evaluate("e => e.childElementCount ? '' : e.textContent")
            if any(w in text for w in ENGLISH):
                assert e.evaluate("e => getComputedStyle(e).fontSize") == "0px", text
        with page.expect_file_chooser() as chooser:
            zone.get_by_test_id("stBaseButton-secondary").click()
        chooser.value.set_files(str(csv))
        page.get_by_text("名录.csv").wait_for(timeout=20_000)
        traffic.assert_clean(base)


@pytest.mark.parametrize("path", ["/overview/x", "/%E6%80%BB%E8%A7%88", "/overview.py"])
def test_a_mistyped_address_gets_the_chinese_not_found_page(handmade_sqlite, path):
    require_browser()
    with app_server(handmade_sqlite, user="city:320500") as base, \
            browser_page() as (page, _traffic):
        response = page.goto(base + path)
        assert response.status == 404
        page.get_by_role("heading", name="页面不存在").wait_for(timeout=10_000)
        text = page.inner_text("body")
        assert "返回首页" in text and not any(w in text for w in ENGLISH)
        page.get_by_role("link", name="返回首页").click()
        wait_for_app(page, heading="总览")  # the link leads home, signed in
