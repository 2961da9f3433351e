"""The park pages in headless Chromium: a deep link opens the park view, the map draws offline,
the review pack downloads and reads back, and a screenshot of a park on the sample database is
saved for reviewers (screens/, gitignored)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from components import word
from queries import schema as s
from queries.db import ROOT, get_engine
from tests import handmade_parks as hp
from tests.browser import (
    app_server,
    browser_page,
    full_screenshot,
    require_browser,
    sample_copy,
    wait_for_app,
)
from tests.conftest import need

pytestmark = pytest.mark.browser
SCREENS = ROOT / "screens"


def test_park_deep_link_map_and_review_pack(parks_sqlite, tmp_path):
    require_browser()
    SCREENS.mkdir(exist_ok=True)
    with app_server(parks_sqlite) as base, browser_page(width=1400, height=1000) as (page,
                                                                                   traffic):
        page.goto(base + "/park?park=2&asof=2024-12-31")
        wait_for_app(page, heading=hp.PARK2)
        body = page.inner_text("body")
        assert "成员企业" in body and "3 家" in body and "100.0%" in body
        assert "成员登记核对发现 2 家企业需核实" in body
        page.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas', timeout=30_000)
        assert "park=2" in page.url
        with page.expect_download(timeout=60_000) as dl:
            page.get_by_text("下载园区评审材料（Word）").click()
        data = open(dl.value.path(), "rb").read()
        text, tables = word.read_back(data)
        assert "已完成审核企业3家，审核完成率100.0%" in text
        assert "实施投资65.5万元（家均21.83万元/家）" in text
        page.wait_for_timeout(1500)  # let the map draw before the picture
        full_screenshot(page, SCREENS / "park_handmade.png")

        page.goto(base + "/park?park=99&asof=2024-12-31")
        wait_for_app(page, heading="园区详情")
        assert "未找到编号为 99 的园区" in page.inner_text("body")

        page.goto(base + "/parks?asof=2024-12-31")
        wait_for_app(page, heading="园区评比")
        body = page.inner_text("body")
        assert "同类园区比较" in body and "园区成员登记核对" in body
        assert "苏州戊电镀有限公司" not in body  # the membership check runs when its tab opens
        full_screenshot(page, SCREENS / "parks_handmade.png")
        page.get_by_role("tab", name="园区成员登记核对").click()
        page.get_by_text("苏州戊电镀有限公司").first.wait_for(state="attached", timeout=30_000)
    traffic.assert_clean(base)


def test_park_view_on_the_sample_database(tmp_path):
    """The park with the most member rounds in a park cluster audit, on the sample data."""
    require_browser()
    SCREENS.mkdir(exist_ok=True)
    url = sample_copy(tmp_path)
    ca, r = s.cluster_audit, s.audit_round
    with get_engine(url).connect() as conn:
        row = conn.execute(
            select(ca.c.park_id, func.count().label("n"))
            .select_from(ca.join(r, r.c.cluster_id == ca.c.cluster_id))
            .where(ca.c.kind == "园区").group_by(ca.c.park_id)
            .order_by(func.count().desc(), ca.c.park_id).limit(1)).first()
        need(row is not None, "the sample database has no park cluster audit")
        name = conn.execute(select(s.park.c.name).where(s.park.c.park_id == row.park_id)
                            ).scalar_one()
    with app_server(url) as base, browser_page(width=1400, height=1000) as (page, traffic):
        page.goto(base + f"/park?park={row.park_id}")
        wait_for_app(page, heading=name)
        body = page.inner_text("body")
        assert "园区整体审核" in body and "样例数据" in body and "成员企业审核状态" in body
        page.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas', timeout=30_000)
        page.wait_for_timeout(2000)
        full_screenshot(page, SCREENS / "park_sample.png")
        page.goto(base + "/parks")
        wait_for_app(page, heading="园区评比")
        page.wait_for_timeout(1000)
        full_screenshot(page, SCREENS / "parks_sample.png")
    traffic.assert_clean(base)
