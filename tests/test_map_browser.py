"""The map in headless Chromium: painted on the canvas, offline (no request to any other host),
no console errors, and a click on an enterprise point opens its record."""

from __future__ import annotations

import json
import math

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser import app_server, browser_page, require_browser, wait_for_app
from tests.handmade import E4

pytestmark = pytest.mark.browser

DECK = '[data-testid="stDeckGlJsonChart"]'
OVERDUE_RGB = (230, 126, 34)  # components.deck.STATUS_COLORS["overdue"]


def _world_px(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """Web-mercator pixel coordinates at `zoom` (deck.gl: 512 px world at zoom 0)."""
    size = 512 * 2 ** zoom
    x = (lon + 180) / 360 * size
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * size
    return x, y


def _screen_xy(box: dict, view: dict, lon: float, lat: float) -> tuple[float, float]:
    cx, cy = _world_px(view["longitude"], view["latitude"], view["zoom"])
    x, y = _world_px(lon, lat, view["zoom"])
    return box["x"] + box["width"] / 2 + (x - cx), box["y"] + box["height"] / 2 + (y - cy)


def _open_map(page, base: str) -> None:
    page.goto(base + "/?asof=2024-12-31")
    wait_for_app(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="地图").first.click()
    wait_for_app(page, heading="地图")
    page.wait_for_selector(f"{DECK} canvas", timeout=30_000)
    page.wait_for_timeout(2500)  # WebGL (SwiftShader) draws after the element mounts


def test_map_is_painted_offline_and_a_click_opens_the_record(handmade_sqlite, tmp_path):
    require_browser()
    from PIL import Image

    view = _initial_view(handmade_sqlite)
    with app_server(handmade_sqlite) as base, browser_page(1500, 1000) as (page, traffic):
        _open_map(page, base)
        shot = tmp_path / "map_deck.png"
        deck = page.locator(DECK).first
        deck.screenshot(path=str(shot))
        img = Image.open(shot).convert("RGB")
        pixels = list(img.getdata())
        painted = sum(1 for p in pixels if p != (255, 255, 255))
        assert painted / len(pixels) > 0.05, painted / len(pixels)  # the province is drawn
        dark = sum(1 for p in pixels if max(p) < 120)
        assert dark > 500, dark  # the province outline and city lines
        orange = sum(1 for r, g, b in pixels
                     if abs(r - OVERDUE_RGB[0]) < 25 and abs(g - OVERDUE_RGB[1]) < 25
                     and abs(b - OVERDUE_RGB[2]) < 25)
        assert orange >= 10, orange  # the overdue enterprises are on the map

        # Click 苏州丁印染 (E4, overdue, alone in 吴江区) where the view puts it.
        box = page.locator(f"{DECK} canvas").first.bounding_box()
        x, y = _screen_xy(box, view, 120.64, 30.95)
        page.mouse.move(x, y)
        page.wait_for_timeout(500)
        tooltip = page.inner_text("body")
        assert "苏州丁印染有限公司" in tooltip and "逾期 239 天" in tooltip
        record = page.get_by_role("heading", name="企业档案").first
        page.mouse.click(x, y)
        try:
            record.wait_for(timeout=30_000)
        except PlaywrightTimeout:  # under load deck.gl may drop a click while it redraws
            page.mouse.move(x, y)
            page.wait_for_timeout(1000)
            page.mouse.click(x, y)
            record.wait_for(timeout=60_000)
        wait_for_app(page)
        assert f"uscc={E4}" in page.url
    assert traffic.page_errors == []
    assert traffic.console_errors == []
    assert traffic.foreign_hosts(base) == set(), traffic.requests


def _initial_view(database_url: str) -> dict:
    """The view the page computes, read from the same deck spec AppTest sees."""
    import os

    from streamlit.testing.v1 import AppTest

    from components import identity
    from tests.apptest import session_token
    from tests.browser import ROOT

    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = database_url
    token, reader = session_token(database_url, "province"), identity.session_token
    identity.session_token = lambda: token
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params["asof"] = "2024-12-31"
        at.run()
        at.switch_page("pages/map.py").run()
        return json.loads(at.get("deck_gl_json_chart")[0].proto.json)["initialViewState"]
    finally:
        identity.session_token = reader
        if old is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = old
