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


async def _open(context, url: str) -> float:
    """Seconds from navigation until the overview has run and its first chart is drawn."""
    page = await context.new_page()
    t0 = time.perf_counter()
    await page.goto(url)
    await page.get_by_role("heading", name="总览").first.wait_for(timeout=120_000)
    await page.wait_for_selector(READY, timeout=120_000)
    await page.wait_for_selector('[data-testid="stVegaLiteChart"]', timeout=120_000)
    seconds = time.perf_counter() - t0
    await page.close()
    return seconds


async def _fresh(browser, url: str) -> float:
    context = await browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    try:
        return await _open(context, url)
    finally:
        await context.close()


async def _all(url: str, sessions: int) -> dict[str, list[float]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            first = list(await asyncio.gather(*(_fresh(browser, url) for _ in range(sessions))))
            context = await browser.new_context(viewport=VIEWPORT, locale="zh-CN")
            await _open(context, url)  # the earlier visit: static files now cached
            tabs = list(await asyncio.gather(*(_open(context, url) for _ in range(sessions))))
            await context.close()
            return {"tabs": tabs, "first_visit": first}
        finally:
            await browser.close()


def _summary(times: list[float]) -> dict:
    return {"max_s": round(max(times), 2), "median_s": round(sorted(times)[len(times) // 2], 2),
            "all_s": [round(t, 2) for t in times]}


def measure(database_url: str, sessions: int = 10) -> dict:
    with app_server(database_url) as base:
        times = asyncio.run(_all(base + "/", sessions))
    tabs = _summary(times["tabs"])
    return {"sessions": sessions, **tabs, "first_visit": _summary(times["first_visit"])}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="并发打开总览页 / concurrent overview sessions")
    ap.add_argument("database_url")
    ap.add_argument("--sessions", type=int, default=10)
    args = ap.parse_args()
    print(json.dumps(measure(args.database_url, args.sessions)))
