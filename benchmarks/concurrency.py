"""Ten browser sessions open the overview at once: how long until each has finished rendering?

Usage: python -m benchmarks.concurrency DATABASE_URL [--sessions 10]
Starts the real app and one headless Chromium, and prints one JSON object with every session's
seconds for two cases:
- `tabs` (the budget: all < 10 s): N tabs of one browser open the overview at once, after one
  earlier visit, as officials who use the dashboard daily do: the app's static files are in the
  browser cache. Each tab is its own Streamlit session.
- `first_visit` (reported, no budget): N fresh browser contexts (separate caches and cookies)
  open it at once with nothing cached, so each also downloads and compiles Streamlit's
  JavaScript; on one 2-core machine that is ten first visits competing for two cores.
- `floor`: the `tabs` case on an empty Streamlit page (benchmarks/empty_page.py), what
  Streamlit itself costs ten tabs on this machine, so the overview's number reads as a ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from tests.browser import CHROMIUM, CHROMIUM_ARGS, app_server

READY = ('[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
         '[data-test-script-state="notRunning"]')
VIEWPORT = {"width": 1400, "height": 900}
# The overview's first screen is drawn when its KPI cards and its achievements and city league
# tables (HTML tables named by components/html_table) are there; the plan progress beside the
# achievements comes before them (a table, or a note when the as-of year has no plan). Before,
# the finish line was the league chart, then the two grids and the st.table league.
FIRST_SCREEN = ('[data-testid="stMetric"]', "table#T_achievements", "table#T_league")


async def _open(context, url: str, heading: str = "总览", first_screen: bool = True) -> float:
    """Seconds from navigation until the page has run and (`first_screen`) every kind of element
    of the overview's first screen is drawn."""
    page = await context.new_page()
    t0 = time.perf_counter()
    await page.goto(url)
    await page.get_by_role("heading", name=heading).first.wait_for(timeout=120_000)
    await page.wait_for_selector(READY, timeout=120_000)
    if first_screen:
        for selector in FIRST_SCREEN:
            await page.wait_for_selector(selector, timeout=120_000)
    seconds = time.perf_counter() - t0
    await page.close()
    return seconds


async def _fresh(browser, url: str) -> float:
    context = await browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    try:
        return await _open(context, url)
    finally:
        await context.close()


async def _tabs(browser, url: str, sessions: int, **page) -> list[float]:
    context = await browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    try:
        await _open(context, url, **page)  # the earlier visit: static files now cached
        return list(await asyncio.gather(*(_open(context, url, **page)
                                           for _ in range(sessions))))
    finally:
        await context.close()


async def _all(url: str, sessions: int, floor_url: str | None = None) -> dict[str, list[float]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            if floor_url:
                return {"floor": await _tabs(browser, floor_url, sessions, heading="空白页",
                                             first_screen=False)}
            first = list(await asyncio.gather(*(_fresh(browser, url) for _ in range(sessions))))
            return {"tabs": await _tabs(browser, url, sessions), "first_visit": first}
        finally:
            await browser.close()


def _summary(times: list[float]) -> dict:
    return {"max_s": round(max(times), 2), "median_s": round(sorted(times)[len(times) // 2], 2),
            "all_s": [round(t, 2) for t in times]}


def measure(database_url: str, sessions: int = 10) -> dict:
    with app_server(database_url) as base:
        times = asyncio.run(_all(base + "/", sessions))
    with app_server(database_url, script="benchmarks/empty_page.py") as base:
        floor = asyncio.run(_all("", sessions, floor_url=base + "/"))["floor"]
    return {"sessions": sessions, **_summary(times["tabs"]),
            "first_visit": _summary(times["first_visit"]), "floor": _summary(floor)}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="并发打开总览页 / concurrent overview sessions")
    ap.add_argument("database_url")
    ap.add_argument("--sessions", type=int, default=10)
    args = ap.parse_args()
    print(json.dumps(measure(args.database_url, args.sessions)))
